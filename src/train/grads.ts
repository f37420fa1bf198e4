/**
 * Gradients of a model's masked loss over one or several micro-batches (gradient accumulation).
 *
 * With micro-batches i = 1..M holding n_i real (mask = 1) steps, N = sum n_i, the accumulated loss is
 * sum_i (n_i / N) * loss_i. Since each `loss_i` is a mean over its own real steps, this equals the mean over all
 * N real steps, i.e. the loss of one batch made of all micro-batches: accumulation changes memory use, not
 * the objective. Only one micro-batch's activations are alive at a time.
 */
import { add, mul, variableGrads, zerosLike, type Scalar, type Tensor, type Variable } from "../tensor/index.js";
import type { ModelBatch, PolicyModel } from "../models/types.js";
import { realSteps } from "./validate.js";

export interface LossAndGrads {
  /** The accumulated loss (host value). */
  loss: number;
  /** One gradient per variable, in the order of `vars`; the caller disposes them. */
  grads: Tensor[];
}

/** d(loss)/d(vars) accumulated over `batches`, each weighted by its share of the real steps. */
export function accumulateGradients(model: PolicyModel, vars: readonly Variable[], batches: readonly ModelBatch[]): LossAndGrads {
  const counts = batches.map(realSteps);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) throw new RangeError("accumulateGradients: the batch holds no real (mask = 1) step");
  let sum: Tensor[] | undefined;
  let lossSum: Tensor | undefined; // []
  batches.forEach((batch, i) => {
    if (counts[i] === 0) return;
    const w = counts[i]! / total;
    const f = (): Scalar => (w === 1 ? model.loss(batch) : mul(model.loss(batch), w)) as Scalar;
    const { value, grads } = variableGrads(f, vars as Variable[]);
    const list = vars.map((v) => grads[v.name] ?? zerosLike(v)); // each [...v.shape]
    if (!sum || !lossSum) {
      sum = list;
      lossSum = value;
      return;
    }
    const prev = sum;
    const prevLoss = lossSum;
    sum = prev.map((s, k) => add(s, list[k]!));
    lossSum = add(prevLoss, value);
    for (const t of [...prev, ...list, prevLoss, value]) t.dispose();
  });
  const loss = lossSum!.dataSync()[0]!;
  lossSum!.dispose();
  return { loss, grads: sum! };
}
