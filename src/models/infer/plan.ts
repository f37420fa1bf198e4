/**
 * What every model's inference path shares: a plan built once from the model (its weights copied into
 * Float32Arrays, every buffer and every native call's parameter object allocated for the model's context K),
 * then run for each batch-1 decision without the autodiff tape and without allocating. The steps below repeat
 * the tfjs path's arithmetic op for op on the native engine (the same sgemm calls on the same shapes, the
 * same LayerNorm kernel, float32 adds in the same order), so a decision gives the same predictions and, for
 * the spiking models, the same spikes.
 */
import type { Activation, LayerNorm, LayerNormCall, Linear, LinearForwardCall, NativeEngine, Variable } from "../../tensor/index.js";
import type { ActivationName } from "../blocks/activation.js";
import type { ActionHead, ModelBatch } from "../types.js";

/**
 * Whether decisions may take the inference path: STRL_INFERENCE=tfjs (read once) keeps them on the tfjs path,
 * for comparisons; `setInferencePath` overrides it in code.
 */
let pathOn: boolean | undefined;
export function inferencePathOn(): boolean {
  if (pathOn === undefined) {
    const v = typeof process === "undefined" ? undefined : process.env?.STRL_INFERENCE;
    if (v !== undefined && v !== "tfjs" && v !== "native") throw new RangeError(`STRL_INFERENCE must be 'native' or 'tfjs', got '${v}'`);
    pathOn = v !== "tfjs";
  }
  return pathOn;
}

/** Turns the inference path on or off for this process (tests and benchmarks compare the two paths). */
export function setInferencePath(on: boolean): void {
  pathOn = on;
}

export interface InferencePlan {
  /** The context length the plan's buffers were sized for (a batch of another K takes the tfjs path). */
  readonly K: number;
  /** Whether a parameter was replaced since the plan copied the weights (a training step, a checkpoint load). */
  stale(): boolean;
  /** Predictions at the batch's last position [out] (B = 1): a view into the plan's scratch, overwritten by the next run. */
  run(batch: ModelBatch): Float32Array;
}

/** Copies of a model's parameter values, and whether they are still the values the model holds. */
export class WeightCopies {
  private readonly vars: Variable[] = [];
  private readonly ids: unknown[] = [];

  /** A copy of `v`'s values (row-major, its own shape). */
  of(v: Variable): Float32Array {
    this.vars.push(v);
    this.ids.push(v.dataId);
    return Float32Array.from(v.dataSync() as Float32Array);
  }

  /** True once any copied parameter was assigned (optimisers and checkpoint loads replace a variable's data). */
  stale(): boolean {
    for (let i = 0; i < this.vars.length; i++) if (this.vars[i]!.isDisposed || this.vars[i]!.dataId !== this.ids[i]) return true;
    return false;
  }
}

/**
 * y [rows, out] = act(x [rows, in] · W [in, out] (+ b [out])): the native fused Linear the tfjs path's `linear` and
 * `linearAct` run (the sgemm, then the bias added in float32, then the activation), in one call.
 */
export class LinearStep {
  readonly call: LinearForwardCall;
  readonly y: Float32Array; // [rows, out]

  constructor(w: WeightCopies, lin: Linear, readonly rows: number, x: Float32Array, y?: Float32Array, act: Activation = "none") {
    const out = lin.outFeatures;
    this.y = y ?? new Float32Array(rows * out);
    const z = act === "gelu" ? new Float32Array(rows * out) : undefined; // [rows, out] the pre-activation
    const b = lin.bias ? w.of(lin.bias) : undefined;
    this.call = { x, W: w.of(lin.weight), b, act, y: this.y, z, rows, Din: lin.inFeatures, Dout: out };
  }

  run(e: NativeEngine): Float32Array {
    e.linearForward(this.call);
    return this.y;
  }
}

/** The native LayerNorm of `rows` rows of x [rows, n] into y (the kernel the tfjs path's LayerNorm runs). */
export class LayerNormStep {
  readonly call: LayerNormCall;

  constructor(w: WeightCopies, ln: LayerNorm, rows: number, x: Float32Array, y?: Float32Array) {
    const n = ln.dim;
    this.call = {
      x, rows, n, gamma: w.of(ln.gamma), beta: w.of(ln.beta), eps: ln.eps,
      y: y ?? new Float32Array(rows * n), mean: new Float32Array(rows), rstd: new Float32Array(rows),
    };
  }

  get y(): Float32Array {
    return this.call.y;
  }

  run(e: NativeEngine): Float32Array {
    e.layerNorm(this.call);
    return this.call.y;
  }
}

const GELU_C = Math.fround(Math.sqrt(2 / Math.PI));
const GELU_A = Math.fround(0.044715);

/** The ANN activation in place on x[from, to): relu, or GPT-2's tanh GELU op by op in float32 (activation.ts). */
export function activateInPlace(x: Float32Array, name: ActivationName, from = 0, to = x.length): void {
  const f = Math.fround;
  if (name === "relu") {
    for (let i = from; i < to; i++) if (x[i]! < 0) x[i] = 0; // NaN stays NaN
    return;
  }
  for (let i = from; i < to; i++) {
    const v = x[i]!;
    const inner = f(f(v + f(f(f(v * v) * v) * GELU_A)) * GELU_C);
    x[i] = f(f(v * 0.5) * f(Math.tanh(inner) + 1));
  }
}

/** The action head on one row: logits, or low + (tanh(z) + 1) · (high - low) / 2 in float32 (action-head.ts). */
export class HeadStep {
  readonly linear: LinearStep;
  private readonly low: Float32Array | undefined; // [dim]
  private readonly half: Float32Array | undefined; // [dim]

  constructor(w: WeightCopies, lin: Linear, head: ActionHead, x: Float32Array) {
    this.linear = new LinearStep(w, lin, 1, x);
    if (head.kind === "continuous") {
      this.low = Float32Array.from(head.low);
      this.half = Float32Array.from(head.high.map((hi, i) => (hi - head.low[i]!) / 2));
    }
  }

  /** -> [out] */
  run(e: NativeEngine): Float32Array {
    const z = this.linear.run(e);
    const low = this.low;
    const half = this.half!;
    if (low) for (let j = 0; j < z.length; j++) z[j] = low[j]! + Math.fround(Math.fround(Math.fround(Math.tanh(z[j]!)) + 1) * half[j]!);
    return z;
  }
}

/** keyMask [K] of a batch-1 window into `km` (1 = real step); returns the number of real steps if the window is left-padded, else -1. */
export function readMask(batch: ModelBatch, km: Uint8Array): number {
  let real = 0;
  let leftPadded = true;
  for (let i = 0; i < km.length; i++) {
    const m = batch.mask[i]! > 0 ? 1 : 0;
    if (m === 0 && real > 0) leftPadded = false;
    km[i] = m;
    real += m;
  }
  return leftPadded ? real : -1;
}
