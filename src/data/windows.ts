/**
 * Context windows of length K for training and evaluating sequence policies, as the Decision Transformer samples
 * them: pick an episode with probability proportional to its length, a uniform start step inside it, take up to
 * K steps from there, and left-pad to K. Per step the window carries the normalised state, the scaled
 * return-to-go, the absolute timestep (clipped to the timestep table), the previous action a_{t-1} (STRL's
 * token input) and the target action a_t. Plain typed arrays only; the models turn them into tensors.
 *
 * Padding values (on positions with mask 0): states 0, rtg 0, timestep 0, target action 0 (Discrete) or zeros
 * (Box), previous action = the placeholder index `numActions` (Discrete) or zeros (Box). The placeholder is also
 * the previous action at an episode's first step t = 0; a window that starts later gets the real a_{start-1}.
 */
import type { Rng } from "../tensor/rng.js";
import { Dataset, returnsToGo, stateStats, type StateStats, type Trajectory } from "./trajectory.js";

export interface WindowConfig {
  /** Context length K (steps per window), >= 1. */
  contextLength: number;
  /** Returns-to-go are divided by this (> 0); DT uses 1000 for MuJoCo, strl's small tasks use ~ the max return. */
  rtgScale: number;
  /** Size of the timestep embedding table: timesteps are clipped to [0, numTimesteps - 1]. */
  numTimesteps: number;
  /** Discount for the returns-to-go (default 1: plain sum of future rewards). */
  discount?: number;
  /** State statistics to normalise with; default: computed from the windows' own episodes. Pass the
   *  training split's statistics to the validation and test samplers. */
  stats?: StateStats;
}

/** One batch of windows (structurally a `ModelBatch` of src/models/types.ts). */
export interface WindowBatch {
  B: number;
  K: number;
  obsDim: number;
  /** 1 for Discrete, the Box size otherwise */
  actDim: number;
  /** [B, K, obsDim] (s - mean) / std, 0 on padding */
  states: Float32Array;
  /** [B, K] target action a_t (Discrete) or [B, K, actDim] (Box) */
  actions: Int32Array | Float32Array;
  /** [B, K] a_{t-1} with `numActions` at t = 0 and on padding (Discrete), or [B, K, actDim] with zeros (Box) */
  prevActions: Int32Array | Float32Array;
  /** [B, K] return-to-go / rtgScale */
  rtg: Float32Array;
  /** [B, K] absolute timestep within the episode, clipped to numTimesteps - 1 */
  timesteps: Int32Array;
  /** [B, K] 1 = real step, 0 = padding */
  mask: Float32Array;
}

function checkConfig(c: WindowConfig): void {
  if (!Number.isInteger(c.contextLength) || c.contextLength < 1) {
    throw new RangeError(`WindowConfig.contextLength must be a positive integer, got ${c.contextLength}`);
  }
  if (!(typeof c.rtgScale === "number" && c.rtgScale > 0 && Number.isFinite(c.rtgScale))) {
    throw new RangeError(`WindowConfig.rtgScale must be a finite number > 0, got ${c.rtgScale}`);
  }
  if (!Number.isInteger(c.numTimesteps) || c.numTimesteps < 1) {
    throw new RangeError(`WindowConfig.numTimesteps must be a positive integer, got ${c.numTimesteps}`);
  }
  if (c.discount !== undefined && !(c.discount >= 0 && c.discount <= 1)) {
    throw new RangeError(`WindowConfig.discount must be in [0, 1], got ${c.discount}`);
  }
}

/** Draws and enumerates windows over a fixed list of episodes of a dataset. */
export class WindowSampler {
  readonly K: number;
  readonly obsDim: number;
  readonly actDim: number;
  /** Discrete: number of actions (also the previous-action placeholder index); Box: 0. */
  readonly numActions: number;
  readonly stats: StateStats;
  private readonly episodes: Trajectory[];
  /** Per episode: [len] returns-to-go already divided by rtgScale. */
  private readonly rtgs: Float32Array[];
  /** [numEpisodes + 1] cumulative lengths, cum[i] = steps before episode i. */
  private readonly cum: Float64Array;

  constructor(
    readonly dataset: Dataset,
    readonly config: WindowConfig,
    /** Episode indices to draw from (a split); default all. */
    indices?: readonly number[],
  ) {
    checkConfig(config);
    this.K = config.contextLength;
    this.obsDim = dataset.obsDim;
    this.actDim = dataset.actDim;
    this.numActions = dataset.actionSpace.kind === "discrete" ? dataset.actionSpace.n : 0;
    this.episodes = (indices ?? dataset.trajectories.map((_, i) => i)).map((i) => {
      const t = dataset.trajectories[i];
      if (!t) throw new RangeError(`WindowSampler: episode index ${i} is outside [0, ${dataset.trajectories.length - 1}]`);
      return t;
    });
    if (this.episodes.length === 0) throw new RangeError("WindowSampler: no episodes to draw windows from");
    this.stats = config.stats ?? stateStats(this.episodes, this.obsDim);
    if (this.stats.mean.length !== this.obsDim || this.stats.std.length !== this.obsDim) {
      throw new RangeError(`WindowConfig.stats must have ${this.obsDim} entries (the observation size), got ${this.stats.mean.length}`);
    }
    const scale = config.rtgScale;
    this.rtgs = this.episodes.map((t) => {
      const g = returnsToGo(t.rewards, config.discount ?? 1); // [len]
      for (let i = 0; i < g.length; i++) g[i] = g[i]! / scale;
      return g;
    });
    this.cum = new Float64Array(this.episodes.length + 1);
    this.episodes.forEach((t, i) => (this.cum[i + 1] = this.cum[i]! + t.rewards.length));
  }

  /** Total number of steps in the sampler's episodes. */
  get numSteps(): number {
    return this.cum[this.episodes.length]!;
  }

  get numEpisodes(): number {
    return this.episodes.length;
  }

  /** Number of windows `allWindows` yields: sum over episodes of ceil(len / K). */
  get numWindows(): number {
    let n = 0;
    for (const t of this.episodes) n += Math.ceil(t.rewards.length / this.K);
    return n;
  }

  /** An empty batch of `B` windows, every position padding. */
  private emptyBatch(B: number): WindowBatch {
    const { K, obsDim, actDim } = this;
    const discreteActs = this.numActions > 0;
    const prevActions = discreteActs ? new Int32Array(B * K).fill(this.numActions) : new Float32Array(B * K * actDim); // [B, K] | [B, K, actDim]
    return {
      B,
      K,
      obsDim,
      actDim,
      states: new Float32Array(B * K * obsDim), // [B, K, obsDim]
      actions: discreteActs ? new Int32Array(B * K) : new Float32Array(B * K * actDim), // [B, K] | [B, K, actDim]
      prevActions,
      rtg: new Float32Array(B * K), // [B, K]
      timesteps: new Int32Array(B * K), // [B, K]
      mask: new Float32Array(B * K), // [B, K]
    };
  }

  /** Writes steps [start, start + n) of episode `e` right-aligned into row `b` of `out` (left padding). */
  private fill(out: WindowBatch, b: number, e: number, start: number, n: number): void {
    const { K, obsDim, actDim } = this;
    const t = this.episodes[e]!;
    const g = this.rtgs[e]!;
    const { mean, std } = this.stats;
    const maxT = this.config.numTimesteps - 1;
    const pad = K - n;
    for (let j = 0; j < n; j++) {
      const step = start + j;
      const k = b * K + pad + j; // flat index into [B, K]
      for (let d = 0; d < obsDim; d++) {
        out.states[k * obsDim + d] = (t.observations[step * obsDim + d]! - mean[d]!) / std[d]!;
      }
      for (let d = 0; d < actDim; d++) out.actions[k * actDim + d] = t.actions[step * actDim + d]!;
      if (step > 0) for (let d = 0; d < actDim; d++) out.prevActions[k * actDim + d] = t.actions[(step - 1) * actDim + d]!;
      out.rtg[k] = g[step]!;
      out.timesteps[k] = Math.min(step, maxT);
      out.mask[k] = 1;
    }
  }

  /** The episode holding global step `s` (binary search over cumulative lengths). */
  private episodeOf(s: number): number {
    let lo = 0;
    let hi = this.episodes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.cum[mid]! <= s) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * `B` random windows. One uniform draw over all steps picks both the episode (probability len / total) and the
   * start step (uniform within that episode).
   */
  sample(B: number, rng: Rng): WindowBatch {
    if (!Number.isInteger(B) || B < 1) throw new RangeError(`WindowSampler.sample: batch size must be a positive integer, got ${B}`);
    const out = this.emptyBatch(B);
    for (let b = 0; b < B; b++) {
      const s = rng.int(this.numSteps);
      const e = this.episodeOf(s);
      const start = s - this.cum[e]!;
      const len = this.episodes[e]!.rewards.length;
      this.fill(out, b, e, start, Math.min(this.K, len - start));
    }
    return out;
  }

  /**
   * Every step exactly once, in a fixed order: each episode is cut into consecutive chunks [0, K), [K, 2K), ...
   * (the last one shorter and left-padded), yielded in batches of up to `B` windows (the last batch may be
   * smaller). Per-step accuracy over these batches = sum(correct * mask) / sum(mask).
   */
  *allWindows(B: number): Generator<WindowBatch> {
    if (!Number.isInteger(B) || B < 1) throw new RangeError(`WindowSampler.allWindows: batch size must be a positive integer, got ${B}`);
    const chunks: Array<[number, number, number]> = []; // [episode, start, n] for the current batch
    const flush = (): WindowBatch => {
      const out = this.emptyBatch(chunks.length);
      chunks.forEach(([e, start, n], b) => this.fill(out, b, e, start, n));
      chunks.length = 0;
      return out;
    };
    for (let e = 0; e < this.episodes.length; e++) {
      const len = this.episodes[e]!.rewards.length;
      for (let start = 0; start < len; start += this.K) {
        chunks.push([e, start, Math.min(this.K, len - start)]);
        if (chunks.length === B) yield flush();
      }
    }
    if (chunks.length > 0) yield flush();
  }
}

export interface Split {
  train: number[];
  val: number[];
  test: number[];
}

/**
 * Splits episode indices 0..n-1 by a seeded shuffle into train / val / test (default 70 / 15 / 15, as the paper).
 * Sizes: train = round(n * f_train), val = round(n * f_val), test = the rest. Each list is sorted ascending.
 */
export function splitEpisodes(n: number, rng: Rng, fractions: readonly [number, number, number] = [0.7, 0.15, 0.15]): Split {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`splitEpisodes: n must be a non-negative integer, got ${n}`);
  const sum = fractions.reduce((a, b) => a + b, 0);
  if (fractions.some((f) => !(f >= 0)) || Math.abs(sum - 1) > 1e-9) {
    throw new RangeError(`splitEpisodes: fractions must be >= 0 and sum to 1, got [${fractions.join(", ")}]`);
  }
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  const nTrain = Math.round(n * fractions[0]);
  const nVal = Math.min(n - nTrain, Math.round(n * fractions[1]));
  const byIndex = (a: number, b: number): number => a - b;
  return {
    train: order.slice(0, nTrain).sort(byIndex),
    val: order.slice(nTrain, nTrain + nVal).sort(byIndex),
    test: order.slice(nTrain + nVal).sort(byIndex),
  };
}
