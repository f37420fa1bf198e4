/**
 * Loads the native engine's addon (native/, built by node-gyp at `npm ci`) and types its functions. Only
 * `src/tensor` touches it. In a browser, or where the build failed, `loadAddon()` says why it is missing.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The addon's functions. Arrays are used in place (no copies); sizes are element counts. */
export interface NativeAddon {
  /** Threads the kernels use (the calling thread included). */
  threads(): number;
  /** Sets the thread count (1..256); results do not depend on it. */
  setThreads(n: number): void;
  /**
   * Batched sgemm, row-major: for each i < batch, C_i [M, N] = op(A_i) · op(B_i), op = transpose when the flag
   * is set (A_i is [M, K], or [K, M] when transA; B_i is [K, N], or [N, K] when transB). A_i starts at
   * i·strideA (0 broadcasts one matrix), B_i at i·strideB; C is [batch, M, N] and is overwritten.
   */
  gemm(
    batch: number, M: number, N: number, K: number, transA: boolean, transB: boolean,
    A: Float32Array, strideA: number, B: Float32Array, strideB: number, C: Float32Array,
  ): void;
  /** Fused Linear (src/tensor/dense-mlp.ts): y [B, nOut] = x [B, nIn] · Wᵀ ([nOut, nIn]) + b [nOut], then max(y, 0) when relu. */
  denseForward(x: Float32Array, W: Float32Array, b: Float32Array, y: Float32Array, B: number, nIn: number, nOut: number, relu: boolean): void;
  /**
   * Its backward pass from dy [B, nOut] and the layer input x [B, nIn]: params -> gW = dyᵀ x, gb = Σ_rows dy
   * (overwritten); input -> dx = dy W [B, nIn], zeroed where x <= 0 when reluInput.
   */
  denseBackward(
    dy: Float32Array, x: Float32Array, W: Float32Array, gW: Float32Array, gb: Float32Array, dx: Float32Array,
    B: number, nIn: number, nOut: number, params: boolean, input: boolean, reluInput: boolean,
  ): void;
  /**
   * Event-driven Linear for spikes (native/src/event_linear_kernels.h): y [rows, Dout] = x [rows, Din] · W [Din,
   * Dout] (+ b [Dout]; an empty b: none) for x holding only 0 and 1, by adding W's rows of the inputs that fired.
   * Returns the accumulates done (active inputs x Dout); throws a RangeError for any other value in x.
   */
  eventLinear(x: Float32Array, W: Float32Array, b: Float32Array, y: Float32Array, rows: number, Din: number, Dout: number): number;
  /**
   * gW [Din, Dout] = xᵀ · dy [rows, Dout] for x [rows, Din] holding only 0 and 1: for each input, the sum of dy's
   * rows where it fired, in increasing row order. Returns the accumulates done ((ones in x) x Dout); throws a
   * RangeError for any other value in x.
   */
  eventLinearWeightGrad(x: Float32Array, dy: Float32Array, gW: Float32Array, rows: number, Din: number, Dout: number): number;
  /** The number of ones in x, or -1 when x holds a value other than 0 and 1. */
  countSpikes(x: Float32Array): number;
  /** Which sgemm micro-kernel runs on this CPU: "avx512", "avx2" or "generic". */
  gemmKernel(): string;
  /** out = a op b with numpy broadcasting (op: 0 add, 1 sub, 2 mul, 3 div, 4 max, 5 min, 6 squared diff, 7 pow). */
  binary(op: number, outShape: number[], a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], out: Float32Array): void;
  /**
   * y = f(x) (op: 0 exp, 1 log, 2 sqrt, 3 rsqrt, 4 neg, 5 square, 6 tanh, 7 relu, 8 sigmoid, 9 abs, 10 reciprocal,
   * 11 step: 1 where x > 0, else `alpha`).
   */
  unary(op: number, x: Float32Array, y: Float32Array, alpha?: number): void;
  /** x viewed as [outer, red, inner] -> y [outer, inner] (op: 0 sum, 1 mean, 2 max, 3 min); sums in double. */
  reduce(op: number, x: Float32Array, outer: number, red: number, inner: number, y: Float32Array): void;
  /** Softmax over the last axis of x [rows, n]. */
  softmax(x: Float32Array, rows: number, n: number, y: Float32Array): void;
  /** y = x [shape] with its axes permuted by perm. */
  transpose(x: Float32Array, shape: number[], perm: number[], y: Float32Array): void;
  /** LayerNorm of each row of x [rows, n]: y, and the per-row mean and 1/std [rows] kept for the backward pass. */
  layerNorm(x: Float32Array, rows: number, n: number, gamma: Float32Array, beta: Float32Array, eps: number, y: Float32Array, mean: Float32Array, rstd: Float32Array): void;
  /** LayerNorm's backward pass: dx [rows, n], dgamma [n], dbeta [n]. */
  layerNormBackward(
    dy: Float32Array, x: Float32Array, rows: number, n: number, gamma: Float32Array, mean: Float32Array, rstd: Float32Array,
    dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array,
  ): void;
  /**
   * mask[i] = 0 with probability p (u / 2^32 < p for successive xoshiro128** draws u), else keep; `state` (the
   * Rng's four words) is advanced in place: the same masks as the JS loop over `Rng.float()`.
   */
  dropoutMask(state: Uint32Array, p: number, keep: number, mask: Float32Array): void;
  /** One AdamW step into fresh arrays (pOut, mOut, vOut), float32 op by op as the tfjs composition. */
  adamw(
    p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, pOut: Float32Array, mOut: Float32Array, vOut: Float32Array,
    beta1: number, beta2: number, eps: number, decay: number, stepSize: number, sqrtBc2: number,
  ): void;
  /**
   * Multi-step LIF forward (src/snn/lif-kernel.ts, native/src/lif_kernels.cc). x [T, n] ([n] when repeated) -> y (spikes
   * [T, n], or their mean over T [n] when mean) and d = H - v_th [T, n], both overwritten. vReset null = soft
   * reset. Returns the spike count, or -(t + 1) when the membrane input was not finite at step t (first such t).
   */
  lifForward(
    x: Float32Array, T: number, n: number, repeated: boolean, mean: boolean, tau: number, vThreshold: number,
    vReset: number | null, decayInput: boolean, y: Float32Array, d: Float32Array,
  ): number;
  /**
   * Multi-step LIF backward: dy ([T, n], or [n] when mean) and the forward's d -> gx ([T, n], or [n] when
   * repeated; overwritten). surrogate: a SurrogateName, param its alpha (or width for "rectangular").
   */
  lifBackward(
    dy: Float32Array, d: Float32Array, T: number, n: number, repeated: boolean, mean: boolean, tau: number,
    vThreshold: number, vReset: number | null, decayInput: boolean, detachReset: boolean, surrogate: string,
    param: number, gx: Float32Array,
  ): void;
  // The fused spiking attention's loops between its LIFs (src/models/blocks/fused-spiking-attention.ts,
  // native/src/ssa_*_kernels.cc). Each takes the key-list geometry first (T, B, K, H, d, kStart, keys, perHead, base,
  // nCells); spikes and their gradients are [T, B, K, d], score cells [T, nCells]; outputs are overwritten.
  /** sc = scale · (q spikes · k spikes) per head on the allowed cells. */
  ssaScores(
    T: number, B: number, K: number, H: number, d: number, kStart: Int32Array, keys: Int32Array, perHead: Int32Array,
    base: Int32Array, nCells: number, qs: Float32Array, ks: Float32Array, scale: number, sc: Float32Array,
  ): void;
  /** "spike-driven": y [T, B, K, d] = scores · v spikes. */
  ssaDrivenForward(
    T: number, B: number, K: number, H: number, d: number, kStart: Int32Array, keys: Int32Array, perHead: Int32Array,
    base: Int32Array, nCells: number, sc: Float32Array, vs: Float32Array, y: Float32Array,
  ): void;
  /** "strl": softmax of the score spikes (e / 1) · v spikes, mean over T -> out [B, K, d]; a = 1/Z [T, B, H, K]. */
  ssaStrlForward(
    T: number, B: number, K: number, H: number, d: number, kStart: Int32Array, keys: Int32Array, perHead: Int32Array,
    base: Int32Array, nCells: number, ss: Float32Array, vs: Float32Array, keyMask: Uint8Array, causal: boolean,
    out: Float32Array, a: Float32Array,
  ): void;
  /** "strl" backward of the softmax · V part: dOut [B, K, d] -> dCells [T, nCells], dvs [T, B, K, d]. */
  ssaStrlBackward(
    T: number, B: number, K: number, H: number, d: number, kStart: Int32Array, keys: Int32Array, perHead: Int32Array,
    base: Int32Array, nCells: number, dOut: Float32Array, cells: Float32Array, a: Float32Array, vs: Float32Array,
    keyMask: Uint8Array, causal: boolean, dCells: Float32Array, dvs: Float32Array,
  ): void;
  /** "spike-driven" backward of scores · V: dy [T, B, K, d] -> dCells, dvs. */
  ssaDrivenBackward(
    T: number, B: number, K: number, H: number, d: number, kStart: Int32Array, keys: Int32Array, perHead: Int32Array,
    base: Int32Array, nCells: number, dy: Float32Array, cells: Float32Array, vs: Float32Array, dCells: Float32Array,
    dvs: Float32Array,
  ): void;
  /** Backward of scores = scale · q kᵀ on the allowed cells: dCells -> dqs, dks [T, B, K, d]. */
  ssaScoresBackward(
    T: number, B: number, K: number, H: number, d: number, kStart: Int32Array, keys: Int32Array, perHead: Int32Array,
    base: Int32Array, nCells: number, dCells: Float32Array, qs: Float32Array, ks: Float32Array, scale: number,
    dqs: Float32Array, dks: Float32Array,
  ): void;
  /**
   * Fused softmax attention (native/src/attention_kernels.h): qkv [B, L, 3d] (q | k | v, d = H·dh) -> out [B, L, d]
   * and lse [B, H, L] (overwritten); act 0 none, 1 relu, 2 gelu on the scaled scores; dropout p on the weights with
   * the keep mask hashed from the seed (seedHi·2^32 + seedLo) and the cell.
   */
  attnForward(
    B: number, L: number, H: number, dh: number, keyMask: Uint8Array, causal: boolean, scale: number, act: number, p: number,
    seedLo: number, seedHi: number, qkv: Float32Array, out: Float32Array, lse: Float32Array,
  ): void;
  /** Its backward pass: dOut [B, L, d] and the forward's qkv, out, lse -> dqkv [B, L, 3d] (overwritten). */
  attnBackward(
    B: number, L: number, H: number, dh: number, keyMask: Uint8Array, causal: boolean, scale: number, act: number, p: number,
    seedLo: number, seedHi: number, qkv: Float32Array, out: Float32Array, lse: Float32Array, dOut: Float32Array, dqkv: Float32Array,
  ): void;
  /**
   * Fused Linear of the tape (native/src/linear_kernels.h): y [rows, Dout] = act(x [rows, Din] · W [Din, Dout] + b);
   * an empty b: no bias; act 0 none, 1 relu, 2 gelu, whose pre-activation goes to z [rows, Dout] (else z is empty).
   */
  linearForward(
    x: Float32Array, W: Float32Array, b: Float32Array, act: number, y: Float32Array, z: Float32Array, rows: number, Din: number, Dout: number,
  ): void;
  /**
   * Its backward pass: saved is y for relu, z for gelu, empty for none; dz = dy ⊙ act', then dx = dz · Wᵀ (an empty
   * dx: skipped), dW = xᵀ · dz, db = Σ_rows dz (an empty db: skipped), all overwritten.
   */
  linearBackward(
    dy: Float32Array, x: Float32Array, W: Float32Array, saved: Float32Array, act: number, dx: Float32Array, dW: Float32Array,
    db: Float32Array, rows: number, Din: number, Dout: number,
  ): void;
}

let cached: { addon?: NativeAddon; why?: string } | undefined;

function addonPath(): string | undefined {
  const override = process.env.STRL_NATIVE_ADDON; // a build elsewhere (developers; tests of the fallback)
  if (override !== undefined) return existsSync(override) ? override : undefined;
  // dist/src/tensor/native/addon.js and src/tensor/native/addon.ts both sit 3-4 levels below the package root.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, "native", "build", "Release", "strl_native.node");
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  return undefined;
}

/**
 * The addon, found beside the package (native/build/Release/strl_native.node) or at STRL_NATIVE_ADDON, or why it cannot be had (not built, failed to load). Loaded once per process. */
export function loadAddon(): { addon?: NativeAddon; why?: string } {
  if (cached) return cached;
  if (typeof process === "undefined" || !process.versions?.node) return (cached = { why: "not running in Node" });
  const path = addonPath();
  if (!path) return (cached = { why: "the addon was not built (npm ci builds it with node-gyp; see native/build.mjs)" });
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    return (cached = { addon });
  } catch (e) {
    return (cached = { why: `the addon failed to load: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}` });
  }
}
