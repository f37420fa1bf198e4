/**
 * The tanh-squashed Gaussian policy of SAC (the kind of policy D4RL collected its locomotion data with), as the
 * shipped behaviour policies are stored: an MLP obs [obsDim] -> [2 · actDim] = (mean, log std), log std clamped to
 * [LOG_STD_MIN, LOG_STD_MAX]; action = tanh(mean + std · ε) with ε ~ N(0, 1) (sampled), or tanh(mean)
 * (deterministic). Saved as safetensors under PyTorch names `actor.0.weight`, `actor.0.bias`, ... with metadata.
 */
import { SafetensorsError, decodeSafetensors, encodeSafetensors, type TensorData } from "../../io/safetensors.js";
import { DenseMlp, MlpWorkspace, type Rng } from "../../tensor/index.js";

export const LOG_STD_MIN = -20;
export const LOG_STD_MAX = 2;
export const ACTOR_PREFIX = "actor";
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

export class SquashedGaussianPolicy {
  readonly obsDim: number;
  readonly actDim: number;
  private readonly ws: MlpWorkspace;

  constructor(readonly net: DenseMlp, readonly metadata: Record<string, string> = {}) {
    this.obsDim = net.sizes[0]!;
    const out = net.sizes[net.sizes.length - 1]!;
    if (out % 2 !== 0) throw new RangeError(`SquashedGaussianPolicy: the network's output width ${out} must be 2 · actDim`);
    this.actDim = out / 2;
    this.ws = new MlpWorkspace(net.sizes, 1);
  }

  /**
   * One action for one observation [obsDim]: sampled when `rng` is given (also returns its log-probability under
   * the squashed Gaussian), else tanh(mean).
   */
  act(observation: readonly number[], rng?: Rng): { action: number[]; logProb: number } {
    if (observation.length !== this.obsDim) throw new RangeError(`policy: observation has ${observation.length} entries, expected ${this.obsDim}`);
    this.ws.acts[0]!.set(observation);
    const out = this.net.forward(this.ws); // [2 · actDim]
    const action = new Array<number>(this.actDim);
    if (!rng) {
      for (let j = 0; j < this.actDim; j++) action[j] = Math.tanh(out[j]!);
      return { action, logProb: 0 };
    }
    const logProb = sampleSquashedRow(out, 0, this.actDim, rng, action, 0);
    return { action, logProb };
  }

  toSafetensors(): Uint8Array {
    const names = this.net.paramNames(ACTOR_PREFIX);
    const tensors: Array<[string, TensorData]> = this.net.params().map((p, i) => {
      const l = Math.floor(i / 2);
      const shape = i % 2 === 0 ? [this.net.sizes[l + 1]!, this.net.sizes[l]!] : [this.net.sizes[l + 1]!];
      return [names[i]!, { dtype: "F32", shape, data: p }];
    });
    return encodeSafetensors(tensors, { ...this.metadata, format: "strl-sac-actor/1", sizes: JSON.stringify(this.net.sizes) });
  }

  /** Reads a policy written by `toSafetensors`; `source` names the file in errors. */
  static fromSafetensors(bytes: Uint8Array, source: string): SquashedGaussianPolicy {
    const st = decodeSafetensors(bytes, source);
    if (st.metadata.format !== "strl-sac-actor/1") throw new SafetensorsError(source, `not a strl SAC actor (metadata format '${st.metadata.format ?? "missing"}', expected 'strl-sac-actor/1')`);
    let sizes: unknown;
    try {
      sizes = JSON.parse(st.metadata.sizes ?? "null");
    } catch {
      sizes = null;
    }
    if (!Array.isArray(sizes) || sizes.length < 2 || sizes.length > 8 || sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 4096)) {
      throw new SafetensorsError(source, `metadata 'sizes' must list 2-8 layer widths in [1, 4096], got ${st.metadata.sizes}`);
    }
    const net = new DenseMlp(sizes as number[]);
    const names = net.paramNames(ACTOR_PREFIX);
    net.params().forEach((p, i) => {
      const t = st.tensors.get(names[i]!);
      if (!t || t.dtype !== "F32" || t.data.length !== p.length) throw new SafetensorsError(source, `tensor '${names[i]}' is missing or not F32 [${p.length}]`);
      const d = t.data as Float32Array;
      if (d.some((v) => !Number.isFinite(v))) throw new SafetensorsError(source, `tensor '${names[i]}' holds a non-finite value`);
      p.set(d);
    });
    const { format: _f, sizes: _s, ...meta } = st.metadata;
    return new SquashedGaussianPolicy(net, meta);
  }
}

/**
 * Samples one row of the squashed Gaussian: `out` holds (mean [actDim], raw log std [actDim]) from `outStart`;
 * writes tanh(mean + std · ε) to `action` and ε to `eps` (when given) from `actionStart`, one `rng.normal()` per
 * dimension in order; returns the row's log-probability.
 */
export function sampleSquashedRow(
  out: ArrayLike<number>, outStart: number, actDim: number, rng: Rng,
  action: { [i: number]: number }, actionStart: number, eps?: { [i: number]: number },
): number {
  let logProb = 0;
  for (let j = 0; j < actDim; j++) {
    const mean = out[outStart + j]!;
    const logStd = Math.min(LOG_STD_MAX, Math.max(LOG_STD_MIN, out[outStart + actDim + j]!));
    const e = rng.normal();
    const u = mean + Math.exp(logStd) * e;
    action[actionStart + j] = Math.tanh(u);
    if (eps) eps[actionStart + j] = e;
    logProb += -0.5 * e * e - logStd - HALF_LOG_2PI - tanhLogDet(u);
  }
  return logProb;
}

/** log(1 - tanh(u)²), computed stably as 2 (log 2 - u - softplus(-2u)). */
export function tanhLogDet(u: number): number {
  const x = -2 * u;
  const softplus = x > 20 ? x : Math.log1p(Math.exp(x));
  return 2 * (Math.LN2 - u - softplus);
}
