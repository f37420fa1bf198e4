/**
 * What every model of strl shares (STRL, ANN-STRL, the Decision Transformer, BC-MLP), in one base as d3rlpy
 * keeps it: the validated config, the action head and context length, the seeded random streams (parameters
 * drawn from `init`, dropout masks from `dropout`), the masked loss and `getAction`. A model adds its layers
 * (in its constructor, from `initRng`) and its `forward`.
 */
import { Module, Rng, nativeEngine, tidy, type NativeEngine, type Tensor } from "../tensor/index.js";
import { actionLoss } from "./blocks/action-head.js";
import { checkBatch } from "./blocks/batch.js";
import { inferencePathOn, type InferencePlan } from "./infer/plan.js";
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

  /** This model's inference path on the native engine (src/models/infer); absent: decisions take the tfjs path. */
  protected buildInference?(engine: NativeEngine): InferencePlan;
  private inference: { plan: InferencePlan; engine: NativeEngine } | undefined;

  /**
   * Copies the weights into the inference path now (a decision does it itself the first time and after any
   * parameter was replaced: a training step, a checkpoint load). False where the path cannot run (no native
   * engine: the wasm / browser engine; a model without one; STRL_INFERENCE=tfjs).
   */
  prepareInference(): boolean {
    const engine = nativeEngine();
    if (!engine || !this.buildInference || !inferencePathOn()) return false;
    this.inference = { plan: this.buildInference(engine), engine };
    return true;
  }

  /**
   * The predictions at the last position [out] of a batch-1 window of the model's context length, through the
   * inference path (no autodiff tape, nothing allocated), or undefined where that path does not run (see
   * `prepareInference`; training mode; another batch shape): then `forwardLast` is the way. The array is the
   * plan's own, overwritten by the next decision.
   */
  inferLast(batch: ModelBatch): Float32Array | undefined {
    if (this.training || batch.B !== 1 || batch.K !== this.contextLength) return undefined;
    const engine = nativeEngine();
    if (!engine || !this.buildInference || !inferencePathOn()) return undefined;
    checkBatch(this.constructor.name, batch, this.config);
    const cur = this.inference;
    if (!cur || cur.engine !== engine || cur.plan.stale()) this.prepareInference();
    return this.inference!.plan.run(batch);
  }

  /** The current action for an episode's history (crop, normalise, pad as training; eval mode). */
  getAction(history: History, opts: ActOptions = {}): number | Float32Array {
    return actWith(this, this.config, history, opts);
  }
}
