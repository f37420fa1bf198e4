/**
 * Gradient clipping by global norm, as PyTorch's `clip_grad_norm_`: norm = sqrt(sum over all gradients of
 * sum(g^2)); when norm > maxNorm every gradient is multiplied by maxNorm / (norm + 1e-6).
 */
import { addN, mul, sqrt, square, sum, tidy, type Tensor } from "../tensor/index.js";

/** The global L2 norm of a list of tensors (one read back to the host). */
export function globalNorm(grads: readonly Tensor[]): number {
  if (grads.length === 0) return 0;
  const n = tidy(() => sqrt(addN(grads.map((g) => sum(square(g)))))); // []
  const value = n.dataSync()[0]!;
  n.dispose();
  return value;
}

/**
 * Clips `grads` to global norm `maxNorm` (0 or Infinity = no clipping). Returns the norm before clipping and
 * the gradients to use: the same tensors when nothing was scaled, otherwise new tensors (the inputs are then
 * disposed).
 */
export function clipByGlobalNorm(grads: Tensor[], maxNorm: number): { grads: Tensor[]; norm: number } {
  if (!(maxNorm >= 0)) throw new RangeError(`clipByGlobalNorm: maxNorm must be >= 0, got ${maxNorm}`);
  const norm = globalNorm(grads);
  if (!Number.isFinite(norm)) throw new RangeError(`gradient norm is ${norm}: the loss diverged (lower the learning rate or check the data)`);
  if (maxNorm === 0 || maxNorm === Infinity || norm <= maxNorm) return { grads, norm };
  const scale = maxNorm / (norm + 1e-6);
  const scaled = grads.map((g) => mul(g, scale));
  for (const g of grads) g.dispose();
  return { grads: scaled, norm };
}
