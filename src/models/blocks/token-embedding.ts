/**
 * STRL's per-step token (one token per timestep, summed, not interleaved):
 *
 *   x_t = W_r·G_t + W_s·s_t + E_a(a_{t-1}) + E_t(t) + p_t,  then dropout and LayerNorm
 *
 * E_a is a table with one extra row (index n) for "no previous action" (t = 0 and padding) when actions are
 * discrete, a Linear on the previous action when they are continuous. p is a learned positional embedding over
 * the context (truncated normal, std 0.02).
 */
import {
  Embedding,
  LayerNorm,
  Linear,
  Module,
  add,
  addN,
  dropout,
  init,
  slice,
  tensor,
  type Rng,
  type Tensor,
  type Variable,
} from "../../tensor/index.js";
import type { ActionHead, ModelBatch } from "../types.js";
import { rtgTensor, statesTensor } from "./batch.js";

export interface StepTokenOptions {
  obsDim: number;
  head: ActionHead;
  dModel: number;
  contextLength: number;
  maxTimestep: number;
  dropout: number;
}

export class StepTokenEmbedding extends Module {
  readonly rtg: Linear;
  readonly state: Linear;
  readonly prevAction: Embedding | Linear;
  readonly timestep: Embedding;
  readonly pos: Variable; // [contextLength, d]
  readonly ln: LayerNorm;

  constructor(rng: Rng, readonly opts: StepTokenOptions) {
    super();
    const d = opts.dModel;
    this.rtg = this.addModule("rtg", new Linear(rng, 1, d));
    this.state = this.addModule("state", new Linear(rng, opts.obsDim, d));
    this.prevAction = this.addModule(
      "prev_action",
      opts.head.kind === "discrete" ? new Embedding(rng, opts.head.n + 1, d) : new Linear(rng, opts.head.dim, d),
    );
    this.timestep = this.addModule("timestep", new Embedding(rng, opts.maxTimestep, d));
    this.pos = this.addParam("pos", init.truncatedNormal(rng, opts.contextLength * d, 0.02), [opts.contextLength, d]);
    this.ln = this.addModule("ln", new LayerNorm(d));
  }

  /** batch -> tokens [B, K, d] */
  apply(batch: ModelBatch, rng: Rng, training: boolean): Tensor {
    const { B, K } = batch;
    const d = this.opts.dModel;
    const r = this.rtg.apply(rtgTensor(batch)); // [B, K, d]
    const s = this.state.apply(statesTensor(batch, this.opts.obsDim)); // [B, K, d]
    const a =
      this.prevAction instanceof Embedding
        ? this.prevAction.apply(batch.prevActions as Int32Array, [B, K]) // [B, K, d]
        : this.prevAction.apply(tensor(batch.prevActions as Float32Array, [B, K, this.prevAction.inFeatures])); // [B, K, d]
    const t = this.timestep.apply(batch.timesteps, [B, K]); // [B, K, d]
    const p = K === this.opts.contextLength ? this.pos : slice(this.pos, [0, 0], [K, d]); // [K, d]
    const x = add(addN([r, s, a, t]), p); // [B, K, d] (+ [K, d] broadcast over B)
    return this.ln.apply(dropout(x, this.opts.dropout, rng, training)); // [B, K, d]
  }
}
