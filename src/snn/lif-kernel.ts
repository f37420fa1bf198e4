/**
 * The multi-step LIF neuron on plain Float32Arrays: one fused loop over [T, n] for the forward pass and one for
 * the backward pass (back-propagation through the T steps). Equations (spikingjelly semantics,
 * shared/notes/paper.md), with v_r = vReset (0 when vReset is null, i.e. soft reset):
 *
 *   charge  H_t = V_{t-1} + (X_t - (V_{t-1} - v_r)) / tau      (decayInput)
 *           H_t = V_{t-1} - (V_{t-1} - v_r) / tau + X_t        (no decayInput)
 *   fire    S_t = Θ(H_t - v_th),  Θ(0) = 1
 *   reset   V_t = H_t (1 - S_t) + v_r S_t                       (hard, vReset a number)
 *           V_t = H_t - v_th S_t                                (soft, vReset null)
 *   V_0 = v_r at the start of every forward pass.
 *
 * Backward, with σ'_t = surrogate'(H_t - v_th):
 *   dV_t/dH_t = (1 - S_t) + (v_r - H_t) σ'_t   (hard; the second term is dropped when detachReset)
 *             = 1 - v_th σ'_t                  (soft; the second term is dropped when detachReset)
 *   gH_t = gS_t σ'_t + gV_t dV_t/dH_t,  gX_t = gH_t · dH/dX,  gV_{t-1} = gH_t (1 - 1/tau)
 *   dH/dX = 1/tau (decayInput) or 1.
 */

export interface LifParams {
  tau: number;
  vThreshold: number;
  /** A number: hard reset to it. null: soft reset (subtract the threshold). */
  vReset: number | null;
  decayInput: boolean;
  detachReset: boolean;
  surrogateGrad: (x: number) => number;
}

/** What the forward pass keeps for the backward pass (JS memory, not the wasm heap). */
export interface LifSaved {
  T: number;
  n: number;
  repeated: boolean;
  mean: boolean;
  spikes: Uint8Array; // [T, n]
  sg: Float32Array; // [T, n] surrogate derivative at each step
  h: Float32Array | undefined; // [T, n] membrane before reset; only kept when detachReset is false
}

export interface LifForwardResult {
  /** Spikes [T, n], or their mean over T [n] when `mean`. */
  y: Float32Array;
  saved: LifSaved;
  /** Total number of spikes emitted (for the firing-rate monitor). */
  spikeCount: number;
  /** Membrane after reset at each step [T, n] (only when `recordMembrane`). */
  v?: Float32Array;
  /** Membrane before reset at each step [T, n] (only when `recordMembrane`). */
  hTrace?: Float32Array;
}

/**
 * Forward pass. `x` is [T, n], or [n] when `repeated` (direct encoding: the same input at every step, never
 * materialised T times). `mean` returns the mean of the spikes over T instead of the spikes.
 */
export function lifForward(
  x: Float32Array,
  T: number,
  n: number,
  p: LifParams,
  opts: { repeated: boolean; mean: boolean; recordMembrane?: boolean; name?: string },
): LifForwardResult {
  const { tau, vThreshold, vReset, decayInput, detachReset, surrogateGrad } = p;
  const vr = vReset ?? 0;
  const hard = vReset !== null;
  const invTau = 1 / tau;
  const spikes = new Uint8Array(T * n);
  const sg = new Float32Array(T * n);
  const h = detachReset && !opts.recordMembrane ? undefined : new Float32Array(T * n);
  const vTrace = opts.recordMembrane ? new Float32Array(T * n) : undefined;
  const y = new Float32Array(opts.mean ? n : T * n);
  const v = new Float64Array(n).fill(vr);
  const invT = 1 / T;
  let count = 0;
  for (let t = 0; t < T; t++) {
    const off = t * n;
    const xoff = opts.repeated ? 0 : off;
    for (let i = 0; i < n; i++) {
      const xi = x[xoff + i]!;
      if (xi !== xi || xi === Infinity || xi === -Infinity) {
        throw new RangeError(`LIF${opts.name ? ` '${opts.name}'` : ""}: input is not finite (${xi}) at step ${opts.repeated ? "*" : t}, element ${i}`);
      }
      const vi = v[i]!;
      const hi = decayInput ? vi + (xi - (vi - vr)) * invTau : vi - (vi - vr) * invTau + xi;
      const d = hi - vThreshold;
      const s = d >= 0 ? 1 : 0;
      spikes[off + i] = s;
      sg[off + i] = surrogateGrad(d);
      if (h) h[off + i] = hi;
      const vn = hard ? (s ? vr : hi) : hi - vThreshold * s;
      v[i] = vn;
      if (vTrace) vTrace[off + i] = vn;
      count += s;
      if (opts.mean) y[i]! += s * invT;
      else y[off + i] = s;
    }
  }
  const saved: LifSaved = { T, n, repeated: opts.repeated, mean: opts.mean, spikes, sg, h: detachReset ? undefined : h };
  const result: LifForwardResult = { y, saved, spikeCount: count };
  if (vTrace) {
    result.v = vTrace;
    result.hTrace = h;
  }
  return result;
}

/** Backward pass: dL/dy ([T, n], or [n] when the forward took the mean) -> dL/dx ([T, n], or [n] when repeated). */
export function lifBackward(dy: Float32Array, s: LifSaved, p: LifParams): Float32Array {
  const { T, n, repeated, mean, spikes, sg, h } = s;
  const vr = p.vReset ?? 0;
  const hard = p.vReset !== null;
  const dHdX = p.decayInput ? 1 / p.tau : 1;
  const dHdV = 1 - 1 / p.tau;
  const invT = 1 / T;
  const gx = new Float32Array(repeated ? n : T * n);
  const gv = new Float64Array(n);
  for (let t = T - 1; t >= 0; t--) {
    const off = t * n;
    const xoff = repeated ? 0 : off;
    for (let i = 0; i < n; i++) {
      const k = off + i;
      const gs = mean ? dy[i]! * invT : dy[k]!;
      const sgk = sg[k]!;
      let dVdH: number;
      if (hard) dVdH = 1 - spikes[k]! + (h ? (vr - h[k]!) * sgk : 0);
      else dVdH = 1 - (h ? p.vThreshold * sgk : 0);
      const gh = gs * sgk + gv[i]! * dVdH;
      if (repeated) gx[i]! += gh * dHdX;
      else gx[xoff + i] = gh * dHdX;
      gv[i] = gh * dHdV;
    }
  }
  return gx;
}
