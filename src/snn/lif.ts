/**
 * Multi-step Leaky Integrate-and-Fire neuron over a leading time axis: input [T, ...] -> spikes [T, ...].
 * One code path for training and evaluation (a fused kernel, `lif-kernel.ts`); the membrane starts at vReset
 * on every call, so no state leaks between sequences or batch shapes.
 */
import { jsKernel, type Tensor } from "../tensor/index.js";
import { lifBackward, lifForward, type LifParams } from "./lif-kernel.js";
import { makeSurrogate, type Surrogate, type SurrogateName, type SurrogateSpec } from "./surrogate.js";

export interface LIFOptions {
  /** Membrane time constant; must be > 1 (default 2). */
  tau?: number;
  /** Firing threshold v_th (default 1). */
  vThreshold?: number;
  /** Hard reset value (default 0); null = soft reset (subtract the threshold). */
  vReset?: number | null;
  /** H = V + (X - (V - v_r)) / tau when true (default), H = V - (V - v_r)/tau + X when false. */
  decayInput?: boolean;
  /** Detach the reset from the gradient (default true, as the paper). */
  detachReset?: boolean;
  /** Surrogate gradient (default sigmoid, alpha 4). */
  surrogate?: SurrogateName | SurrogateSpec;
}

export interface LIFConfig {
  tau: number;
  vThreshold: number;
  vReset: number | null;
  decayInput: boolean;
  detachReset: boolean;
  surrogate: SurrogateSpec;
}

/**
 * Called after every forward pass with the spike count, the number of neuron-steps, T, and the membrane margins
 * H - v_th [T, neurons] of that pass (read-only; a spike is margin >= 0), for checks of spikes near threshold.
 */
export type SpikeListener = (spikes: number, neuronSteps: number, T: number, margins?: Float32Array) => void;

function finite(name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new RangeError(`LIF ${name} must be a finite number, got ${String(v)}`);
  return v;
}

/** Validates LIF options and fills defaults; a bad value is an error naming the option and the value. */
export function lifConfig(opts: LIFOptions = {}): LIFConfig {
  const tau = finite("tau", opts.tau ?? 2);
  if (tau <= 1) throw new RangeError(`LIF tau must be > 1, got ${tau}`);
  const vThreshold = finite("vThreshold", opts.vThreshold ?? 1);
  const vReset = opts.vReset === undefined ? 0 : opts.vReset === null ? null : finite("vReset", opts.vReset);
  if (vReset !== null && vReset >= vThreshold) throw new RangeError(`LIF vReset (${vReset}) must be below vThreshold (${vThreshold})`);
  for (const k of ["decayInput", "detachReset"] as const) {
    if (opts[k] !== undefined && typeof opts[k] !== "boolean") throw new RangeError(`LIF ${k} must be a boolean, got ${String(opts[k])}`);
  }
  const surrogate = makeSurrogate(opts.surrogate ?? "sigmoid").toJSON();
  return { tau, vThreshold, vReset, decayInput: opts.decayInput ?? true, detachReset: opts.detachReset ?? true, surrogate };
}

export function checkT(T: unknown): number {
  if (typeof T !== "number" || !Number.isInteger(T) || T < 1) throw new RangeError(`T (time steps) must be an integer >= 1, got ${String(T)}`);
  return T;
}

export class LIF {
  readonly config: LIFConfig;
  readonly surrogate: Surrogate;
  private readonly params: LifParams;
  private readonly listeners = new Set<SpikeListener>();

  constructor(opts: LIFOptions = {}, readonly name = "lif") {
    this.config = lifConfig(opts);
    this.surrogate = makeSurrogate(this.config.surrogate);
    this.params = { ...this.config, surrogateGrad: this.surrogate.grad };
  }

  /** Subscribe to spike counts (the firing-rate monitor uses this). Returns an unsubscribe function. */
  addListener(fn: SpikeListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Spikes for a time-major input: x [T, ...] -> spikes [T, ...] (or [...] with `mean`). */
  forward(x: Tensor, opts: { mean?: boolean } = {}): Tensor {
    if (x.rank < 1) throw new RangeError(`LIF '${this.name}': input must have a leading time axis [T, ...], got a scalar`);
    const T = checkT(x.shape[0]);
    return this.run(x, T, false, opts.mean ?? false);
  }

  /**
   * Direct encoding fused in: the same input at every one of T steps. x [...] -> spikes [T, ...]
   * (or their mean over T [...] with `mean`). Same values as `forward(repeat(x, T))`, without the copy.
   */
  forwardRepeated(x: Tensor, T: number, opts: { mean?: boolean } = {}): Tensor {
    checkT(T);
    return this.run(x, T, true, opts.mean ?? false);
  }

  private run(x: Tensor, T: number, repeated: boolean, mean: boolean): Tensor {
    const inner = repeated ? x.shape : x.shape.slice(1);
    const n = inner.reduce((a, b) => a * b, 1);
    const outShape = mean ? inner : [T, ...inner];
    const p = this.params;
    return jsKernel(
      x,
      outShape,
      (xs) => {
        const r = lifForward(xs, T, n, p, { repeated, mean, name: this.name });
        for (const fn of this.listeners) fn(r.spikeCount, T * n, T, r.saved.d);
        return { y: r.y, state: r.saved };
      },
      (dy, saved) => lifBackward(dy, saved, p),
    );
  }

  toJSON(): LIFConfig {
    return { ...this.config, surrogate: { ...this.config.surrogate } };
  }
}
