/**
 * AdamW (Loshchilov & Hutter), with the update order of PyTorch's `torch.optim.AdamW`:
 *
 *   p <- p * (1 - lr * wd)                          decoupled weight decay, only on parameters of rank >= 2
 *   m <- beta1 * m + (1 - beta1) * g
 *   v <- beta2 * v + (1 - beta2) * g^2
 *   p <- p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)      t = update count, from 1
 *
 * Biases, LayerNorm gains and other vectors get no weight decay (as nanoGPT and the DT code). The moments are
 * Variables (one pair per parameter); `exportState()` / `importState()` carry them as named float32 arrays
 * `<param>.exp_avg` / `<param>.exp_avg_sq` plus the update count, for `optimizer.safetensors`.
 */
import { adamwStep, tensor, tidy, variable, zerosLike, type AdamWState, type NamedArray, type Tensor, type Variable } from "../tensor/index.js";
import { checkNumber, ConfigError } from "../config/index.js";

export interface AdamWOptions {
  /** Decoupled weight decay for rank >= 2 parameters (default 0). */
  weightDecay?: number;
  /** default 0.9 */
  beta1?: number;
  /** default 0.999 */
  beta2?: number;
  /** default 1e-8 */
  eps?: number;
}

export type { AdamWState, NamedArray };

/** A non-trainable variable of zeros shaped like `p` (the initial tensor is released: `variable` keeps its own reference). */
function zeroVariable(p: Tensor): Variable {
  const z = zerosLike(p);
  const v = variable(z, false);
  z.dispose();
  return v;
}

export class AdamW {
  readonly weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Updates made so far (t of the bias correction is step + 1 for the next update). */
  private updates = 0;
  private readonly m: Variable[];
  private readonly v: Variable[];
  private readonly decays: boolean[];

  constructor(
    readonly params: ReadonlyArray<[string, Variable]>,
    opts: AdamWOptions = {},
  ) {
    this.weightDecay = checkNumber("AdamW", "weightDecay", opts.weightDecay ?? 0, { min: 0 });
    this.beta1 = checkNumber("AdamW", "beta1", opts.beta1 ?? 0.9, { min: 0, max: 1, maxExclusive: true });
    this.beta2 = checkNumber("AdamW", "beta2", opts.beta2 ?? 0.999, { min: 0, max: 1, maxExclusive: true });
    this.eps = checkNumber("AdamW", "eps", opts.eps ?? 1e-8, { min: 0, minExclusive: true });
    const names = new Set<string>();
    for (const [n] of params) {
      if (names.has(n)) throw new ConfigError(`AdamW: duplicate parameter name '${n}'`);
      names.add(n);
    }
    this.m = params.map(([, p]) => zeroVariable(p)); // each [...p.shape]
    this.v = params.map(([, p]) => zeroVariable(p)); // each [...p.shape]
    this.decays = params.map(([, p]) => p.rank >= 2);
  }

  /** Number of updates made so far. */
  get step(): number {
    return this.updates;
  }

  /** Whether parameter `name` gets weight decay (rank >= 2). */
  hasWeightDecay(name: string): boolean {
    const i = this.params.findIndex(([n]) => n === name);
    return i >= 0 && this.decays[i]!;
  }

  /** One update with gradients `grads` (same order and shapes as the parameters) at learning rate `lr`. */
  update(grads: readonly Tensor[], lr: number): void {
    checkNumber("AdamW.update", "lr", lr, { min: 0 });
    if (grads.length !== this.params.length) {
      throw new RangeError(`AdamW.update: ${grads.length} gradients for ${this.params.length} parameters`);
    }
    this.updates += 1;
    const t = this.updates;
    const { beta1, beta2, eps, weightDecay } = this;
    const stepSize = lr / (1 - beta1 ** t);
    const sqrtBc2 = Math.sqrt(1 - beta2 ** t);
    tidy(() => {
      this.params.forEach(([name, p], i) => {
        const g = grads[i]!; // [...p.shape]
        if (g.shape.length !== p.shape.length || g.shape.some((d, k) => d !== p.shape[k])) {
          throw new RangeError(`AdamW.update: gradient of '${name}' has shape [${g.shape}], parameter [${p.shape}]`);
        }
        const decay = this.decays[i] && weightDecay > 0 ? 1 - lr * weightDecay : 1;
        const { p: next, m, v } = adamwStep(p, g, this.m[i]!, this.v[i]!, { beta1, beta2, eps, decay, stepSize, sqrtBc2 });
        this.m[i]!.assign(m);
        this.v[i]!.assign(v);
        p.assign(next);
      });
    });
  }

  /** The update count and both moments of every parameter, copied to host memory. */
  exportState(): AdamWState {
    const tensors = new Map<string, NamedArray>();
    this.params.forEach(([name, p], i) => {
      tensors.set(`${name}.exp_avg`, { shape: [...p.shape], data: this.m[i]!.dataSync() as Float32Array });
      tensors.set(`${name}.exp_avg_sq`, { shape: [...p.shape], data: this.v[i]!.dataSync() as Float32Array });
    });
    return { step: this.updates, tensors };
  }

  /** Restores a state from `exportState` (or a checkpoint); every moment must be present with its parameter's shape. */
  importState(state: AdamWState): void {
    if (!Number.isInteger(state.step) || state.step < 0) throw new ConfigError(`AdamW state: step must be a non-negative integer, got ${state.step}`);
    const values: Array<[Variable, NamedArray]> = [];
    this.params.forEach(([name, p], i) => {
      for (const [suffix, slot] of [["exp_avg", this.m[i]!], ["exp_avg_sq", this.v[i]!]] as const) {
        const key = `${name}.${suffix}`;
        const a = state.tensors.get(key);
        if (!a) throw new ConfigError(`AdamW state: missing '${key}'`);
        if (a.shape.length !== p.shape.length || a.shape.some((d, k) => d !== p.shape[k])) {
          throw new ConfigError(`AdamW state: '${key}' has shape [${a.shape.join(", ")}], parameter '${name}' has [${p.shape.join(", ")}]`);
        }
        values.push([slot, a]);
      }
    });
    const known = new Set(this.params.flatMap(([n]) => [`${n}.exp_avg`, `${n}.exp_avg_sq`]));
    for (const key of state.tensors.keys()) if (!known.has(key)) throw new ConfigError(`AdamW state: unknown tensor '${key}' (no such parameter)`);
    for (const [slot, a] of values) tidy(() => slot.assign(tensor(a.data, a.shape, "float32")));
    this.updates = state.step;
  }

  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
  }
}
