/**
 * What STRL and ANN-STRL share: the summed per-step token, N pre-norm residual blocks
 * `x = x + Attn(LN(x)); x = x + MLP(LN(x))`, and a linear action head on every position. Subclasses choose the
 * attention and MLP (spiking or real); the config, random streams, loss and `getAction` come from `PolicyBase`.
 */
import { LayerNorm, Module, add, slice, tidy, type NativeEngine, type Rng, type Tensor } from "../tensor/index.js";
import { ActionHeadLayer } from "./blocks/action-head.js";
import { checkBatch, keyMaskOf } from "./blocks/batch.js";
import { ModuleList } from "./blocks/module-list.js";
import { StepTokenEmbedding } from "./blocks/token-embedding.js";
import { PolicyBase, type PolicyConfig } from "./policy-base.js";
import type { InferencePlan } from "./infer/plan.js";
import { stepTransformerPlan } from "./infer/step-plan.js";
import type { ModelBatch, ModelOutput } from "./types.js";

/** A sub-layer: attention takes the key mask, the MLP ignores it. x [B, K, d] -> [B, K, d] */
export interface SubLayer extends Module {
  apply(x: Tensor, keyMask: Uint8Array): Tensor;
}

/** One pre-norm residual block. */
export class PreNormBlock<A extends SubLayer, M extends SubLayer> extends Module {
  readonly ln1: LayerNorm;
  readonly attn: A;
  readonly ln2: LayerNorm;
  readonly mlp: M;

  constructor(dModel: number, attn: A, mlp: M) {
    super();
    this.ln1 = this.addModule("ln1", new LayerNorm(dModel));
    this.attn = this.addModule("attn", attn);
    this.ln2 = this.addModule("ln2", new LayerNorm(dModel));
    this.mlp = this.addModule("mlp", mlp);
  }

  /** x [B, K, d] -> [B, K, d] */
  apply(x: Tensor, keyMask: Uint8Array): Tensor {
    const h = add(x, this.attn.apply(this.ln1.apply(x), keyMask)); // [B, K, d]
    return add(h, this.mlp.apply(this.ln2.apply(h), keyMask)); // [B, K, d]
  }

  /**
   * The block's output at the last position only: attention over every position, then the residual and the
   * position-wise MLP on the last row. x [B, K, d] -> [B, 1, d] (equal to `apply(x)[:, K-1:]`).
   */
  applyLast(x: Tensor, keyMask: Uint8Array): Tensor {
    const [B, K, d] = x.shape as [number, number, number];
    const att = slice(this.attn.apply(this.ln1.apply(x), keyMask), [0, K - 1, 0], [B, 1, d]); // [B, 1, d]
    const last = add(slice(x, [0, K - 1, 0], [B, 1, d]), att); // [B, 1, d]
    return add(last, this.mlp.apply(this.ln2.apply(last), keyMask)); // [B, 1, d]
  }
}

/** What the shared STRL / ANN-STRL body needs of a config, besides what every model has. */
export interface StepTransformerConfig extends PolicyConfig {
  maxTimestep: number;
  dModel: number;
  nBlocks: number;
  dropout: number;
}

export abstract class StepTransformer<A extends SubLayer, M extends SubLayer, C extends StepTransformerConfig> extends PolicyBase<C> {
  readonly embed: StepTokenEmbedding;
  readonly blocks: ModuleList<PreNormBlock<A, M>>;
  readonly actionHead: ActionHeadLayer;

  protected constructor(
    config: C,
    makeBlock: (rng: Rng) => PreNormBlock<A, M>,
    private readonly where: string,
  ) {
    super(config);
    const rng = this.initRng;
    this.embed = this.addModule("embed", new StepTokenEmbedding(rng, config));
    this.blocks = this.addModule("blocks", new ModuleList(Array.from({ length: config.nBlocks }, () => makeBlock(rng))));
    this.actionHead = this.addModule("head", new ActionHeadLayer(rng, config.dModel, config.head));
  }

  /** batch -> preds [B, K, n] logits or [B, K, dim] actions */
  forward(batch: ModelBatch): ModelOutput {
    checkBatch(this.where, batch, this.config);
    const keyMask = keyMaskOf(batch); // [B, K]
    const preds = tidy(() => {
      let x = this.embed.apply(batch, this.dropoutRng, this.training); // [B, K, d]
      for (const block of this.blocks.items) x = block.apply(x, keyMask); // [B, K, d]
      return this.actionHead.apply(x); // [B, K, out]
    });
    return { preds };
  }

  /**
   * Predictions at the last position only (what a decision needs): the last block's MLP and the head run on that
   * row alone. batch -> [B, 1, out], equal to `forward(batch).preds[:, K-1:]`.
   */
  forwardLast(batch: ModelBatch): Tensor {
    checkBatch(this.where, batch, this.config);
    const keyMask = keyMaskOf(batch); // [B, K]
    return tidy(() => {
      let x = this.embed.apply(batch, this.dropoutRng, this.training); // [B, K, d]
      const blocks = this.blocks.items;
      for (let i = 0; i < blocks.length - 1; i++) x = blocks[i]!.apply(x, keyMask); // [B, K, d]
      return this.actionHead.apply(blocks[blocks.length - 1]!.applyLast(x, keyMask)); // [B, 1, out]
    });
  }

  /** The decision path without the autodiff tape (src/models/infer/step-plan.ts). */
  protected override buildInference(engine: NativeEngine): InferencePlan {
    return stepTransformerPlan(engine, this);
  }
}
