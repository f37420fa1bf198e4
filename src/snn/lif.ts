/**
 * Multi-step Leaky Integrate-and-Fire neuron over a leading time axis: input [T, ...] -> spikes [T, ...].
 * One code path for training and evaluation (a fused kernel, `lif-kernel.ts`); the membrane starts at vReset
 * on every call, so no state leaks between sequences or batch shapes.
 *
 * A LIF is a `Module` without parameters: registered in a model with `addModule`, it is found by walking the
 * model's modules (`namedNeurons`), under its dotted name, by the firing-rate monitor, the energy count and the
 * spike rasters, so a model never lists its own neurons.
 */
import { Module, jsKernel, type Tensor } from "../tensor/index.js";
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
 * Where a forward pass's neurons sit, for listeners that count only some token rows (real tokens, not padding)
 * or want the spikes themselves (rasters). Reading it costs nothing unless a listener does.
 */
export interface SpikeDetail {
  /** [T, n] H_t - v_th of every neuron-step: a spike where >= 0. */
  d: Float32Array;
  /** Neurons per time step. */
  n: number;
  /** Token rows the neurons belong to (e.g. B·K for a [B, K, F] input; neurons are row-major, F per row). */
  rows: number;
  /** Neuron -> token row [n], when the layout is not `rows` equal contiguous blocks (the score cells). */
  rowOf?: () => Int32Array;
  /**
   * Input events per neuron-step [T, n] and the most one neuron-step can receive (for the score LIF: the q·k
   * coincidences of each score cell, at most the head size). Used to count Q·Kᵀ as coincidences.
   */
  events?: { perStep: () => Float32Array; max: number };
}

/** Called after every forward pass with the spike count, the number of neuron-steps, T, and where they sit. */
export type SpikeListener = (spikes: number, neuronSteps: number, T: number, detail?: SpikeDetail) => void;

/** The token rows of a LIF input's inner shape [..., F]: every axis but the last (1 for a vector). */
export function rowsOf(inner: readonly number[]): number {
  return inner.length < 2 ? 1 : inner.slice(0, -1).reduce((a, b) => a * b, 1);
}

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

export class LIF extends Module {
  readonly config: LIFConfig;
  readonly surrogate: Surrogate;
  /** The kernel parameters of this neuron (its config plus the surrogate's derivative), for `lif-kernel.ts`. */
  readonly kernelParams: LifParams;
  private readonly listeners = new Set<SpikeListener>();

  /** `label` names a free-standing neuron (in errors and monitors); one registered in a model takes its path. */
  constructor(opts: LIFOptions = {}, private readonly label = "lif") {
    super();
    this.config = lifConfig(opts);
    this.surrogate = makeSurrogate(this.config.surrogate);
    this.kernelParams = { ...this.config, surrogateGrad: this.surrogate.grad };
  }

  /** The dotted name in the model it is registered in (`blocks.0.mlp.lif1`), else its label. */
  get name(): string {
    return this.path() ?? this.label;
  }

  /** Subscribe to spike counts (the firing-rate monitor uses this). Returns an unsubscribe function. */
  addListener(fn: SpikeListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Whether any listener is subscribed (an inference path builds the report's detail only then). */
  get observed(): boolean {
    return this.listeners.size > 0;
  }

  /**
   * Tells the listeners about one run of this neuron: `spikes` fired over `neuronSteps` (T x neurons), and where
   * they sit. `forward` calls it; so does a fused kernel that runs this neuron's equations itself (the attention
   * q, k, v and score LIFs), so monitors see the same reports either way.
   */
  report(spikes: number, neuronSteps: number, T: number, detail?: SpikeDetail): void {
    for (const fn of this.listeners) fn(spikes, neuronSteps, T, detail);
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
    const p = this.kernelParams;
    return jsKernel(
      x,
      outShape,
      (xs) => {
        const r = lifForward(xs, T, n, p, { repeated, mean, name: this.name });
        this.report(r.spikeCount, T * n, T, { d: r.saved.d, n, rows: rowsOf(inner) });
        return { y: r.y, state: r.saved };
      },
      (dy, saved) => lifBackward(dy, saved, p),
    );
  }

  toJSON(): LIFConfig {
    return { ...this.config, surrogate: { ...this.config.surrogate } };
  }
}

/** Every LIF registered in `model`, at any depth, with its dotted name, in registration order (depth first). */
export function namedNeurons(model: Module): Array<[string, LIF]> {
  return model.namedModules().filter((e): e is [string, LIF] => e[1] instanceof LIF);
}
