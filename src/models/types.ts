/**
 * The contract between models, the trainer, evaluation, checkpoints and the energy counter.
 * Every model (STRL, ANN-STRL, Decision Transformer, BC-MLP) implements `PolicyModel`.
 */
import type { Module, Tensor } from "../tensor/index.js";
import type { MemoryRecord, OpRecord } from "../energy/index.js";
import type { OpOptions } from "./blocks/op-counts.js";

export type ModelKind = "strl" | "ann-strl" | "dt" | "bc";

/** What the model predicts: logits over n actions, or a continuous action of size dim in [low, high]. */
export type ActionHead = { kind: "discrete"; n: number } | { kind: "continuous"; dim: number; low: number[]; high: number[] };

/**
 * One training batch of context windows (plain typed arrays, row-major; the model converts to tensors).
 * Left-padded: `mask` is 1 on real steps, 0 on padding.
 */
export interface ModelBatch {
  B: number;
  K: number;
  /** [B, K, obsDim], already normalised */
  states: Float32Array;
  /** [B, K] return-to-go, already divided by the rtg scale */
  rtg: Float32Array;
  /** [B, K] absolute timestep in the episode (clipped to the model's table) */
  timesteps: Int32Array;
  /** [B, K] (discrete: action index) or [B, K, actDim] (continuous): the target a_t */
  actions: Int32Array | Float32Array;
  /** [B, K] previous action a_{t-1}; discrete: index, with n (the placeholder) at t = 0 and on padding;
   *  continuous: [B, K, actDim] with zeros at t = 0 */
  prevActions: Int32Array | Float32Array;
  /** [B, K] 1 = real step, 0 = padding */
  mask: Float32Array;
}

/** Output of a forward pass over a batch. */
export interface ModelOutput {
  /** [B, K, n] logits (discrete) or [B, K, dim] actions in bounds (continuous) */
  preds: Tensor;
}

export interface PolicyModel extends Module {
  readonly kind: ModelKind;
  /** The validated config (its toJSON() is what checkpoints store). */
  readonly config: { toJSON(): Record<string, unknown> };
  readonly head: ActionHead;
  /** Context length K the model was built for. */
  readonly contextLength: number;
  /** Forward pass over a batch (training or evaluation path: the same code). */
  forward(batch: ModelBatch): ModelOutput;
  /** Masked loss (cross-entropy or MSE) as a scalar tensor. */
  loss(batch: ModelBatch): Tensor;
  /**
   * Operation counts for one decision (one forward pass over a context of `tokens` real steps, batch 1), for the
   * energy counter. `rates` maps each LIF's dotted name (its place in the module tree, as `namedNeurons` and the
   * firing-rate monitor find it) to its measured firing rate;
   * `opts` says which path ran (full forward or `forwardLast`) and what is counted (docs/energy.md).
   */
  opRecords(tokens: number, rates: Record<string, number>, opts?: OpOptions): OpRecord[];
  /** The memory traffic of the same decision (src/energy/memory.ts); models without it get no memory number. */
  memoryRecords?(tokens: number, rates: Record<string, number>, opts?: OpOptions): MemoryRecord[];
  /** Closed-loop decisions through the decision's row only (STRL, ANN-STRL, the DT); see `actWith`. */
  forwardLast?(batch: ModelBatch): Tensor;
}
