/**
 * The multi-step LIF neuron on plain Float32Arrays: one fused loop over [T, n] for the forward pass and one for
 * the backward pass (back-propagation through the T steps). Equations (spikingjelly semantics, docs/lif.md),
 * with v_r = vReset (0 when vReset is null, i.e. soft reset):
 *
 *   charge  H_t = V_{t-1} + (X_t - (V_{t-1} - v_r)) / tau      (decayInput)
 *           H_t = V_{t-1} - (V_{t-1} - v_r) / tau + X_t        (no decayInput)
 *   fire    S_t = Θ(H_t - v_th),  Θ(0) = 1
 *   reset   V_t = H_t (1 - S_t) + v_r S_t                       (hard, vReset a number)
 *           V_t = H_t - v_th S_t                                (soft, vReset null)
 *   V_0 = v_r at the start of every forward pass.
 *
 * Backward (σ evaluated from the saved d = H - v_th), with σ'_t = surrogate'(H_t - v_th):
 *   dV_t/dH_t = (1 - S_t) + (v_r - H_t) σ'_t   (hard; the second term is dropped when detachReset)
 *             = 1 - v_th σ'_t                  (soft; the second term is dropped when detachReset)
 *   gH_t = gS_t σ'_t + gV_t dV_t/dH_t,  gX_t = gH_t · dH/dX,  gV_{t-1} = gH_t (1 - 1/tau)
 *   dH/dX = 1/tau (decayInput) or 1.
 *
 * `lifForward` / `lifBackward` run the native engine's twin of these loops (native/src/lif_kernels.cc: same arithmetic,
 * double precision rounded to float32 at the same stores, so identical spikes and, but for an ulp of exp in the
 * sigmoid surrogate, identical gradients) when the native engine is active, and the JS loops here otherwise
 * (the wasm / browser engine). Both keep the same `LifSaved`, so either backward accepts either forward's state.
 */
import { nativeEngine, type NativeEngine } from "../tensor/index.js";
import { surrogateParam, type SurrogateSpec } from "./surrogate.js";

export interface LifParams {
  tau: number;
  vThreshold: number;
  /** A number: hard reset to it. null: soft reset (subtract the threshold). */
  vReset: number | null;
  decayInput: boolean;
  detachReset: boolean;
  surrogateGrad: (x: number) => number;
  /** The same surrogate by name and parameter (the JS kernel calls `surrogateGrad`, the native kernel this). */
  surrogate: SurrogateSpec;
}

/** What the forward pass keeps for the backward pass (JS memory, not the wasm heap). */
export interface LifSaved {
  T: number;
  n: number;
  repeated: boolean;
  mean: boolean;
  /** [T, n] H_t - v_th: the spike is (d >= 0) and the surrogate derivative is evaluated at d in the backward pass. */
  d: Float32Array;
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

export interface LifForwardOptions {
  repeated: boolean;
  mean: boolean;
  recordMembrane?: boolean;
  name?: string;
}

/**
 * Forward pass. `x` is [T, n], or [n] when `repeated` (direct encoding: the same input at every step, never
 * materialised T times). `mean` returns the mean of the spikes over T instead of the spikes. Native when the
 * native engine is active (the membrane recording, for traces, is JS only).
 */
export function lifForward(x: Float32Array, T: number, n: number, p: LifParams, opts: LifForwardOptions): LifForwardResult {
  const native = opts.recordMembrane ? undefined : nativeEngine();
  return native ? lifForwardNative(native, x, T, n, p, opts) : lifForwardJs(x, T, n, p, opts);
}

/** Backward pass: dL/dy ([T, n], or [n] when the forward took the mean) -> dL/dx ([T, n], or [n] when repeated). */
export function lifBackward(dy: Float32Array, s: LifSaved, p: LifParams): Float32Array {
  const native = nativeEngine();
  return native ? lifBackwardNative(native, dy, s, p) : lifBackwardJs(dy, s, p);
}

/** The forward pass on the native engine (no membrane recording). */
export function lifForwardNative(
  engine: NativeEngine,
  x: Float32Array,
  T: number,
  n: number,
  p: LifParams,
  opts: LifForwardOptions,
): LifForwardResult {
  const d = new Float32Array(T * n); // [T, n]
  const y = new Float32Array(opts.mean ? n : T * n);
  const { tau, vThreshold, vReset, decayInput } = p;
  const r = engine.lifForward({ x, T, n, repeated: opts.repeated, mean: opts.mean, tau, vThreshold, vReset, decayInput, y, d });
  if (r < 0) throwNonFinite(x, opts, -r - 1, n);
  return { y, saved: { T, n, repeated: opts.repeated, mean: opts.mean, d }, spikeCount: r };
}

/** The backward pass on the native engine. */
export function lifBackwardNative(engine: NativeEngine, dy: Float32Array, s: LifSaved, p: LifParams): Float32Array {
  const gx = new Float32Array(s.repeated ? s.n : s.T * s.n);
  const sg = p.surrogate;
  const { tau, vThreshold, vReset, decayInput, detachReset } = p;
  engine.lifBackward({
    dy, d: s.d, T: s.T, n: s.n, repeated: s.repeated, mean: s.mean, tau, vThreshold, vReset, decayInput, detachReset,
    surrogate: sg.name, param: surrogateParam(sg), gx,
  });
  return gx;
}

/** The forward pass in JS (the wasm / browser engine's path). */
export function lifForwardJs(x: Float32Array, T: number, n: number, p: LifParams, opts: LifForwardOptions): LifForwardResult {
  const { tau, vThreshold: vth, vReset } = p;
  const vr = vReset ?? 0;
  // H = a V + b X + c for both charge equations; reset V = H - S (kh (H - v_r) + ks).
  const a = 1 - 1 / tau;
  const b = p.decayInput ? 1 / tau : 1;
  const c = vr / tau;
  const kh = vReset !== null ? 1 : 0;
  const ks = vReset !== null ? 0 : vth;
  const d = new Float32Array(T * n); // [T, n]
  const dBits = new Uint32Array(d.buffer); // sign bit of d: S = 1 - sign (branch-free; H = v_th gives +0 -> S = 1)
  const h = opts.recordMembrane ? new Float32Array(T * n) : undefined;
  const vTrace = opts.recordMembrane ? new Float32Array(T * n) : undefined;
  const mean = opts.mean;
  const y = new Float32Array(mean ? n : T * n);
  const v = new Float32Array(n).fill(vr); // [n] membrane
  const invT = 1 / T;
  let count = 0;
  let check = 0;
  for (let t = 0; t < T; t++) {
    const off = t * n;
    const xoff = opts.repeated ? 0 : off;
    for (let i = 0; i < n; i++) {
      const hi = a * v[i]! + b * x[xoff + i]! + c;
      const k = off + i;
      d[k] = hi - vth;
      check += hi - hi; // stays 0 unless an input is NaN or infinite
      const s = 1 - (dBits[k]! >>> 31);
      v[i] = hi - s * (kh * (hi - vr) + ks);
      count += s;
      if (mean) y[i]! += s * invT;
      else y[k] = s;
    }
    if (h) for (let i = 0; i < n; i++) h[off + i] = d[off + i]! + vth;
    if (vTrace) vTrace.set(v, off);
    if (check !== 0) throwNonFinite(x, opts, t, n);
  }
  const saved: LifSaved = { T, n, repeated: opts.repeated, mean, d };
  const result: LifForwardResult = { y, saved, spikeCount: count };
  if (vTrace) {
    result.v = vTrace;
    result.hTrace = h;
  }
  return result;
}

export function throwNonFinite(x: Float32Array, opts: { repeated: boolean; name?: string }, t: number, n: number): never {
  const off = opts.repeated ? 0 : t * n;
  let i = 0;
  while (i < n && Number.isFinite(x[off + i]!)) i++;
  const what = i < n ? `(${x[off + i]}) at step ${opts.repeated ? "*" : t}, element ${i}` : `(membrane overflow) at step ${t}`;
  throw new RangeError(`LIF${opts.name ? ` '${opts.name}'` : ""}: input is not finite ${what}`);
}

/** The backward pass in JS (the wasm / browser engine's path). */
export function lifBackwardJs(dy: Float32Array, s: LifSaved, p: LifParams): Float32Array {
  const { T, n, repeated, mean, d } = s;
  const dBits = new Uint32Array(d.buffer, d.byteOffset, d.length);
  const vr = p.vReset ?? 0;
  const vth = p.vThreshold;
  const hard = p.vReset !== null;
  const keepReset = p.detachReset ? 0 : 1; // 1: the reset path carries gradient
  const surrogateGrad = p.surrogateGrad;
  const dHdX = p.decayInput ? 1 / p.tau : 1;
  const dHdV = 1 - 1 / p.tau;
  const invT = 1 / T;
  const gx = new Float32Array(repeated ? n : T * n);
  const gv = new Float32Array(n);
  for (let t = T - 1; t >= 0; t--) {
    const off = t * n;
    for (let i = 0; i < n; i++) {
      const k = off + i;
      const gs = mean ? dy[i]! * invT : dy[k]!;
      const dk = d[k]!;
      const sgk = surrogateGrad(dk);
      // S_t = 1 - sign bit of d; H_t = d + v_th
      const dVdH = hard ? (dBits[k]! >>> 31) + keepReset * (vr - (dk + vth)) * sgk : 1 - keepReset * vth * sgk;
      const gh = gs * sgk + gv[i]! * dVdH;
      if (repeated) gx[i]! += gh * dHdX;
      else gx[k] = gh * dHdX;
      gv[i] = gh * dHdV;
    }
  }
  return gx;
}
