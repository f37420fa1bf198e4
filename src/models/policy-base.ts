/**
 * What every model of strl shares (STRL, ANN-STRL, the Decision Transformer, BC-MLP), in one base as d3rlpy
 * keeps it: the validated config, the action head and context length, the seeded random streams (parameters
 * drawn from `init`, dropout masks from `dropout`), the masked loss and `getAction`. A model adds its layers
 * (in its constructor, from `initRng`) and its `forward`.
 */
import { Module, Rng, tidy, type Tensor } from "../tensor/index.js";
import { actionLoss } from "./blocks/action-head.js";
import { actWith, type ActOptions, type History, type NormSpec } from "./policy.js";
import type { ActionHead, ModelBatch, ModelOutput } from "./types.js";

/** What the base needs of a model's config: what `getAction` normalises with, the seed, and `toJSON`. */
export interface PolicyConfig extends NormSpec {
  seed: number;
  toJSON(): Record<string, unknown>;
}

export abstract class PolicyBase<C extends PolicyConfig> extends Module {
  /** The validated config (its toJSON() is what checkpoints store). */
  readonly config: C;
  readonly head: ActionHead;
  /** Context length K the model was built for. */
  readonly contextLength: number;
  /** Source of the dropout masks (its state is what a resumed run restores). */
  readonly dropoutRng: Rng;
  /** The stream the constructor draws every parameter from, in registration order. */
  protected readonly initRng: Rng;

  protected constructor(config: C) {
    super();
    this.config = config;
    this.head = config.head;
    this.contextLength = config.contextLength;
    const root = new Rng(config.seed);
    this.initRng = root.fork("init");
    this.dropoutRng = root.fork("dropout");
  }

  /** batch -> preds [B, K, n] logits or [B, K, dim] actions (training and evaluation: the same code). */
  abstract forward(batch: ModelBatch): ModelOutput;

  /** Masked cross-entropy (discrete) or MSE (continuous) over the real steps, a scalar. */
  loss(batch: ModelBatch): Tensor {
    return tidy(() => actionLoss(this.forward(batch).preds, batch, this.head));
  }

  /** The current action for an episode's history (crop, normalise, pad as training; eval mode). */
  getAction(history: History, opts: ActOptions = {}): number | Float32Array {
    return actWith(this, this.config, history, opts);
  }
}
