/**
 * The action head and its losses. Discrete: logits over n actions, masked cross-entropy, argmax or sampling.
 * Continuous: tanh squashed into the env's bounds, a = low + (tanh(z) + 1)/2 · (high - low), masked MSE.
 * Padded positions (mask 0) never count.
 */
import {
  Linear,
  add,
  div,
  logSoftmax,
  mul,
  neg,
  square,
  sub,
  sum,
  tanh,
  tensor,
  type LinearOptions,
  type Rng,
  type Tensor,
} from "../../tensor/index.js";
import type { ActionHead, ModelBatch } from "../types.js";

/** A Linear layer d -> n (logits) or d -> dim (squashed actions); parameters `head.weight`, `head.bias`. */
export class ActionHeadLayer extends Linear {
  constructor(rng: Rng, dIn: number, readonly action: ActionHead, opts: LinearOptions = {}) {
    super(rng, dIn, action.kind === "discrete" ? action.n : action.dim, opts);
  }

  /** x [..., dIn] -> logits [..., n] or actions in bounds [..., dim] */
  override apply(x: Tensor): Tensor {
    const z = super.apply(x); // [..., out]
    const h = this.action;
    if (h.kind === "discrete") return z;
    const low = tensor(h.low); // [dim]
    const half = tensor(h.high.map((hi, i) => (hi - h.low[i]!) / 2)); // [dim]
    return add(low, mul(add(tanh(z), 1), half)); // [..., dim]
  }
}

/** Masked loss: cross-entropy over real positions (discrete) or MSE over real positions and dims (continuous). */
export function actionLoss(preds: Tensor, batch: ModelBatch, head: ActionHead): Tensor {
  const { B, K } = batch;
  let real = 0;
  for (let i = 0; i < B * K; i++) real += batch.mask[i]!;
  const mask = tensor(batch.mask, [B, K, 1]); // [B, K, 1]
  if (head.kind === "discrete") {
    const n = head.n;
    const target = new Float32Array(B * K * n); // [B, K, n] one-hot of a_t, zero on padding
    for (let i = 0; i < B * K; i++) if (batch.mask[i]! > 0) target[i * n + (batch.actions as Int32Array)[i]!] = 1;
    const logp = logSoftmax(preds, -1); // [B, K, n]
    return div(neg(sum(mul(logp, tensor(target, [B, K, n])))), Math.max(real, 1));
  }
  const diff = sub(preds, tensor(batch.actions as Float32Array, [B, K, head.dim])); // [B, K, dim]
  return div(sum(mul(square(diff), mask)), Math.max(real * head.dim, 1));
}

/** Argmax of each row. logits [rows, n] (row-major values) -> [rows] */
export function argmaxRows(logits: Float32Array, n: number): Int32Array {
  const rows = logits.length / n;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let j = 1; j < n; j++) if (logits[r * n + j]! > logits[r * n + best]!) best = j;
    out[r] = best;
  }
  return out;
}

/**
 * Per-step accuracy of discrete predictions over the real positions: preds [B, K, n] logits.
 * Returns the counts so callers can sum over batches.
 */
export function actionAccuracy(preds: Tensor, batch: ModelBatch, head: ActionHead): { correct: number; total: number } {
  if (head.kind !== "discrete") throw new RangeError("actionAccuracy: accuracy is defined for discrete actions only");
  const pred = argmaxRows(preds.dataSync() as Float32Array, head.n); // [B·K]
  let correct = 0;
  let total = 0;
  for (let i = 0; i < batch.B * batch.K; i++) {
    if (batch.mask[i]! === 0) continue;
    total++;
    if (pred[i] === (batch.actions as Int32Array)[i]) correct++;
  }
  return { correct, total };
}
