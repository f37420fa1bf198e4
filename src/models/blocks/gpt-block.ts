/**
 * GPT-2's pre-norm block (the Decision Transformer's): x = x + Drop(Proj(Attn(LN(x)))); x = x + Drop(MLP(LN(x))),
 * causal multi-head softmax attention with dropout on the weights, MLP d -> r·d -> d (relu or gelu).
 * GPT-2 init: weights N(0, 0.02), output projections N(0, 0.02 / sqrt(2 · nBlocks)), zero biases.
 */
import { LayerNorm, Linear, Module, add, dropout, slice, type Rng, type Tensor } from "../../tensor/index.js";
import type { ActivationName } from "./activation.js";
import { softmaxAttention, type AttentionMask } from "./real-attention.js";

export interface GptBlockOptions {
  dModel: number;
  nHeads: number;
  mlpRatio: number;
  nBlocks: number;
  activation: ActivationName;
  dropout: number;
}

export class GptBlock extends Module {
  readonly ln1: LayerNorm;
  readonly qkv: Linear;
  readonly proj: Linear;
  readonly ln2: LayerNorm;
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(rng: Rng, readonly opts: GptBlockOptions) {
    super();
    const d = opts.dModel;
    const std = { std: 0.02 };
    const projStd = { std: 0.02 / Math.sqrt(2 * opts.nBlocks) };
    this.ln1 = this.addModule("ln1", new LayerNorm(d));
    this.qkv = this.addModule("attn.qkv", new Linear(rng, d, 3 * d, { init: std }));
    this.proj = this.addModule("attn.proj", new Linear(rng, d, d, { init: projStd }));
    this.ln2 = this.addModule("ln2", new LayerNorm(d));
    this.fc1 = this.addModule("mlp.fc1", new Linear(rng, d, opts.mlpRatio * d, { init: std }));
    this.fc2 = this.addModule("mlp.fc2", new Linear(rng, opts.mlpRatio * d, d, { init: projStd }));
  }

  /** Attention over every query row, before the output projection: x [B, L, d] -> [B, L, d] */
  private attend(x: Tensor, mask: AttentionMask, rng: Rng, training: boolean): Tensor {
    const d = x.shape[2]!;
    const qkv = this.qkv.apply(this.ln1.apply(x)); // [B, L, 3d]
    return softmaxAttention(qkv, {
      nHeads: this.opts.nHeads,
      scale: 1 / Math.sqrt(d / this.opts.nHeads),
      mask,
      dropout: { p: this.opts.dropout, rng, training },
    }); // [B, L, d]
  }

  /** The position-wise rest of the block: h = x + Drop(Proj(att)); h + Drop(MLP(LN(h))). x, att [B, R, d] -> [B, R, d] */
  private finish(x: Tensor, att: Tensor, rng: Rng, training: boolean): Tensor {
    const p = this.opts.dropout;
    const h = add(x, dropout(this.proj.apply(att), p, rng, training)); // [B, R, d]
    const m = this.fc2.apply(this.fc1.applyAct(this.ln2.apply(h), this.opts.activation)); // [B, R, d]
    return add(h, dropout(m, p, rng, training)); // [B, R, d]
  }

  /** x [B, L, d], mask over [B, L] keys -> [B, L, d] */
  apply(x: Tensor, mask: AttentionMask, rng: Rng, training: boolean): Tensor {
    return this.finish(x, this.attend(x, mask, rng, training), rng, training); // [B, L, d]
  }

  /**
   * The block's output at position `row` only (the Decision Transformer's decision path): the attention runs over
   * every query row as in `apply` (keys and values need every token), then the output projection, the residuals
   * and the MLP run on that row alone. x [B, L, d] -> [B, 1, d], equal to `apply(x)[:, row:row+1]` in eval mode.
   */
  applyRow(x: Tensor, mask: AttentionMask, row: number, rng: Rng, training: boolean): Tensor {
    const [B, L, d] = x.shape as [number, number, number];
    if (!Number.isInteger(row) || row < 0 || row >= L) throw new RangeError(`GptBlock.applyRow: row must be an integer in [0, ${L - 1}], got ${row}`);
    const att = slice(this.attend(x, mask, rng, training), [0, row, 0], [B, 1, d]); // [B, 1, d]
    return this.finish(slice(x, [0, row, 0], [B, 1, d]), att, rng, training); // [B, 1, d]
  }
}
