/**
 * Offline validation: the model's loss and its per-step action quality on held-out windows, counted over real
 * steps only (mask = 1). Discrete heads: accuracy = (# steps whose arg-max logit equals the target) / (# real
 * steps). Continuous heads: MSE = mean over real steps and action dimensions of (pred - target)^2.
 * Runs in eval mode (no dropout) and restores the model's training flag afterwards.
 */
import { tidy } from "../tensor/index.js";
import type { ModelBatch, PolicyModel } from "../models/types.js";

export interface OfflineMetrics {
  /** Cross-entropy of the logits (discrete) or the MSE (continuous), averaged over real steps, computed here
   *  from the predictions in float64 (one forward pass per batch). */
  loss: number;
  /** Discrete heads: fraction of real steps predicted exactly. */
  accuracy?: number;
  /** Continuous heads: mean squared error per real step and action dimension. */
  mse?: number;
  /** Number of real (mask = 1) steps evaluated. */
  steps: number;
}

/** Number of real steps in a batch. */
export function realSteps(batch: ModelBatch): number {
  let n = 0;
  for (let i = 0; i < batch.mask.length; i++) if (batch.mask[i]! > 0) n++;
  return n;
}

/** Evaluates `model` on every batch of `batches` (e.g. `sampler.allWindows(B)`); batches without a real step are skipped. */
export function evaluateOffline(model: PolicyModel, batches: Iterable<ModelBatch>): OfflineMetrics {
  const wasTraining = model.training;
  model.eval();
  const head = model.head;
  let steps = 0;
  let lossSum = 0;
  let correct = 0;
  let sqErr = 0;
  try {
    for (const batch of batches) {
      const n = realSteps(batch);
      if (n === 0) continue;
      const { B, K, mask } = batch;
      const predsT = tidy(() => model.forward(batch).preds); // [B, K, n] | [B, K, dim]
      const preds = predsT.dataSync() as Float32Array;
      predsT.dispose();
      steps += n;
      if (head.kind === "discrete") {
        const A = head.n;
        if (preds.length !== B * K * A) throw new RangeError(`evaluateOffline: preds have ${preds.length} values, expected [${B}, ${K}, ${A}]`);
        const target = batch.actions as Int32Array; // [B, K]
        for (let i = 0; i < B * K; i++) {
          if (!(mask[i]! > 0)) continue;
          const row = i * A;
          let best = 0;
          for (let a = 1; a < A; a++) if (preds[row + a]! > preds[row + best]!) best = a;
          if (best === target[i]) correct++;
          // cross-entropy -log softmax(logits)[target], with the max subtracted for stability
          const top = preds[row + best]!;
          let z = 0;
          for (let a = 0; a < A; a++) z += Math.exp(preds[row + a]! - top);
          lossSum += Math.log(z) + top - preds[row + target[i]!]!;
        }
      } else {
        const D = head.dim;
        if (preds.length !== B * K * D) throw new RangeError(`evaluateOffline: preds have ${preds.length} values, expected [${B}, ${K}, ${D}]`);
        const target = batch.actions as Float32Array; // [B, K, D]
        for (let i = 0; i < B * K; i++) {
          if (!(mask[i]! > 0)) continue;
          for (let d = 0; d < D; d++) {
            const e = preds[i * D + d]! - target[i * D + d]!;
            sqErr += e * e;
          }
        }
      }
    }
  } finally {
    model.train(wasTraining);
  }
  if (steps === 0) throw new RangeError("evaluateOffline: the validation batches hold no real (mask = 1) step");
  if (head.kind === "discrete") return { loss: lossSum / steps, accuracy: correct / steps, steps };
  const mse = sqErr / (steps * head.dim);
  return { loss: mse, mse, steps };
}
