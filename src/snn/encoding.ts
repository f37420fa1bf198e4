/** Spike encoders and decoders over a leading time axis T. */
import { expandDims, jsKernel, mean, tidy, tile, type Rng, type Tensor } from "../tensor/index.js";
import { checkT } from "./lif.js";

/** Direct encoding: repeat a real input T times. x [...] -> [T, ...] */
export function directEncode(x: Tensor, T: number): Tensor {
  checkT(T);
  return tidy(() => tile(expandDims(x, 0), [T, ...x.shape.map(() => 1)]));
}

/** Rate decoding: the mean over the time axis. s [T, ...] -> [...] */
export function meanOverT(s: Tensor): Tensor {
  if (s.rank < 1) throw new RangeError("meanOverT: input must have a leading time axis [T, ...]");
  return mean(s, 0);
}

/**
 * Poisson (Bernoulli rate) encoding: x [...] with values in [0, 1] -> spikes [T, ...], each step firing with
 * probability x, drawn from `rng`. The gradient is straight-through (each step passes dL/ds to x), so
 * E[mean over T] = x is differentiable.
 */
export function poissonEncode(x: Tensor, T: number, rng: Rng): Tensor {
  checkT(T);
  const n = x.size;
  return jsKernel(
    x,
    [T, ...x.shape],
    (xs) => {
      const y = new Float32Array(T * n); // [T, n]
      for (let i = 0; i < n; i++) {
        const p = xs[i]!;
        if (!(p >= 0 && p <= 1)) throw new RangeError(`poissonEncode: input must be in [0, 1], got ${p} at element ${i}`);
      }
      for (let t = 0; t < T; t++) for (let i = 0; i < n; i++) y[t * n + i] = rng.float() < xs[i]! ? 1 : 0;
      return { y, state: undefined };
    },
    (dy) => {
      const g = new Float32Array(n);
      for (let t = 0; t < T; t++) for (let i = 0; i < n; i++) g[i]! += dy[t * n + i]!;
      return g;
    },
  );
}
