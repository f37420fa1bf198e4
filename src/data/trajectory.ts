/**
 * The in-memory dataset of strl: one `Trajectory` per episode, and a `Dataset` that holds them with the
 * environment's id, observation size, action space and free-form metadata. Everything else in `src/data/`
 * (HDF5 files, context windows, collection) reads and writes these two types.
 *
 * Layout conventions (row-major, one row per step t = 0 .. len-1):
 *   observations  Float32Array [len, obsDim]   the observation the action was chosen from (s_t)
 *   actions       Int32Array   [len]           Discrete spaces (action index)
 *                 Float32Array [len, actDim]   Box spaces
 *   rewards       Float32Array [len]           reward received after a_t
 *   terminated    the last step reached a terminal state (no bootstrapping past it)
 *   truncated     the episode was cut (time limit, or an unfinished tail of a file)
 */
import type { Space } from "../envs/core.js";
import { canonicalEnvId } from "../envs/aliases.js";

export interface Trajectory {
  /** [len, obsDim] */
  observations: Float32Array;
  /** [len] (Discrete) or [len, actDim] (Box) */
  actions: Int32Array | Float32Array;
  /** [len] */
  rewards: Float32Array;
  terminated: boolean;
  truncated: boolean;
  /**
   * Per-step extras written as `infos/<name>` [N, width] float64 (MuJoCo envs: `qpos` [len, nq] and `qvel`
   * [len, nv], the simulator state the observation of step t was taken in, as D4RL stored them).
   */
  infos?: Record<string, Float64Array>;
}

/** Metadata values stored with a dataset (written as HDF5 attributes: strings, or float64 numbers). */
export type MetaValue = string | number;

export interface DatasetInit {
  envId: string;
  obsDim: number;
  actionSpace: Space;
  trajectories: Trajectory[];
  metadata?: Record<string, MetaValue>;
}

/** Per-dimension state statistics. */
export interface StateStats {
  /** [obsDim] */
  mean: Float32Array;
  /** [obsDim], floored at `STD_FLOOR` */
  std: Float32Array;
}

export const STD_FLOOR = 1e-6;

/** Number of scalars per action row: 1 for Discrete, the Box size otherwise. */
export function actionDim(space: Space): number {
  return space.kind === "discrete" ? 1 : space.shape.reduce((a, b) => a * b, 1);
}

/** Number of steps of a trajectory. */
export function trajectoryLength(t: Trajectory): number {
  return t.rewards.length;
}

/** Sum of rewards (float64 accumulation). */
export function episodeReturn(t: Trajectory): number {
  let s = 0;
  for (let i = 0; i < t.rewards.length; i++) s += t.rewards[i]!;
  return s;
}

/**
 * Returns-to-go G_t = sum_{k >= t} discount^(k - t) r_k, accumulated in float64 from the end.
 * @param rewards [len]
 * @returns [len]
 */
export function returnsToGo(rewards: Float32Array, discount = 1): Float32Array {
  if (!(discount >= 0 && discount <= 1)) throw new RangeError(`returnsToGo: discount must be in [0, 1], got ${discount}`);
  const out = new Float32Array(rewards.length); // [len]
  let g = 0;
  for (let t = rewards.length - 1; t >= 0; t--) {
    g = rewards[t]! + discount * g;
    out[t] = g;
  }
  return out;
}

/**
 * Mean and (population) standard deviation of every observation dimension over all steps of `trajectories`,
 * the std floored at 1e-6 so that constant dimensions normalise to 0 instead of NaN.
 */
export function stateStats(trajectories: readonly Trajectory[], obsDim: number): StateStats {
  const sum = new Float64Array(obsDim); // [obsDim]
  const sumSq = new Float64Array(obsDim); // [obsDim]
  let n = 0;
  for (const t of trajectories) {
    const o = t.observations; // [len, obsDim]
    const len = o.length / obsDim;
    for (let i = 0; i < len; i++) {
      for (let d = 0; d < obsDim; d++) {
        const v = o[i * obsDim + d]!;
        sum[d] += v;
        sumSq[d] += v * v;
      }
    }
    n += len;
  }
  if (n === 0) throw new RangeError("stateStats: no steps to compute statistics from");
  const mean = new Float32Array(obsDim); // [obsDim]
  const std = new Float32Array(obsDim); // [obsDim]
  for (let d = 0; d < obsDim; d++) {
    const m = sum[d]! / n;
    const variance = Math.max(0, sumSq[d]! / n - m * m);
    mean[d] = m;
    std[d] = Math.max(Math.sqrt(variance), STD_FLOOR);
  }
  return { mean, std };
}

function checkTrajectory(t: Trajectory, i: number, obsDim: number, space: Space): void {
  const where = `trajectory ${i}`;
  const len = t.rewards.length;
  if (!(t.observations instanceof Float32Array)) throw new TypeError(`${where}: observations must be a Float32Array`);
  if (!(t.rewards instanceof Float32Array)) throw new TypeError(`${where}: rewards must be a Float32Array`);
  if (len < 1) throw new RangeError(`${where}: an episode needs at least one step, got 0`);
  if (t.observations.length !== len * obsDim) {
    throw new RangeError(`${where}: observations has ${t.observations.length} values, expected len ${len} x obsDim ${obsDim}`);
  }
  if (space.kind === "discrete") {
    if (!(t.actions instanceof Int32Array)) throw new TypeError(`${where}: Discrete actions must be an Int32Array`);
    if (t.actions.length !== len) throw new RangeError(`${where}: actions has ${t.actions.length} values, expected ${len}`);
    for (let k = 0; k < len; k++) {
      const a = t.actions[k]!;
      if (a < 0 || a >= space.n) throw new RangeError(`${where}: action ${a} at step ${k} is outside Discrete(${space.n})`);
    }
  } else {
    const actDim = actionDim(space);
    if (!(t.actions instanceof Float32Array)) throw new TypeError(`${where}: Box actions must be a Float32Array`);
    if (t.actions.length !== len * actDim) {
      throw new RangeError(`${where}: actions has ${t.actions.length} values, expected len ${len} x actDim ${actDim}`);
    }
  }
  if (typeof t.terminated !== "boolean" || typeof t.truncated !== "boolean") {
    throw new TypeError(`${where}: terminated and truncated must be booleans`);
  }
}

/** A set of episodes from one environment, with the facts needed to train on them and write them out. */
export class Dataset {
  readonly envId: string;
  readonly obsDim: number;
  readonly actionSpace: Space;
  readonly trajectories: Trajectory[];
  readonly metadata: Record<string, MetaValue>;

  constructor(init: DatasetInit) {
    if (typeof init.envId !== "string" || init.envId.length === 0) {
      throw new RangeError(`Dataset: envId must be a non-empty string, got ${JSON.stringify(init.envId)}`);
    }
    if (!Number.isInteger(init.obsDim) || init.obsDim < 1) throw new RangeError(`Dataset: obsDim must be a positive integer, got ${init.obsDim}`);
    const space = init.actionSpace;
    if (!space || (space.kind !== "discrete" && space.kind !== "box")) {
      throw new RangeError(`Dataset: actionSpace must be a Discrete or Box space, got ${JSON.stringify(space)}`);
    }
    init.trajectories.forEach((t, i) => checkTrajectory(t, i, init.obsDim, space));
    this.envId = canonicalEnvId(init.envId); // a file written under an older id (envs/aliases.ts) loads under the current one
    this.obsDim = init.obsDim;
    this.actionSpace = space;
    this.trajectories = init.trajectories;
    this.metadata = { ...(init.metadata ?? {}) };
  }

  /** 1 for Discrete, the Box size otherwise. */
  get actDim(): number {
    return actionDim(this.actionSpace);
  }

  get numEpisodes(): number {
    return this.trajectories.length;
  }

  /** Total number of steps over all episodes. */
  get numSteps(): number {
    let n = 0;
    for (const t of this.trajectories) n += t.rewards.length;
    return n;
  }

  /** [numEpisodes] undiscounted returns. */
  returns(): Float64Array {
    return Float64Array.from(this.trajectories, episodeReturn);
  }

  /** [numEpisodes] episode lengths. */
  lengths(): Int32Array {
    return Int32Array.from(this.trajectories, trajectoryLength);
  }

  /** Mean / std of the states over all steps (std floored at 1e-6). */
  stateStats(): StateStats {
    return stateStats(this.trajectories, this.obsDim);
  }

  /** A dataset with the same env, space and metadata holding the episodes at `indices` (shared, not copied). */
  subset(indices: readonly number[]): Dataset {
    const trajectories = indices.map((i) => {
      const t = this.trajectories[i];
      if (!t) throw new RangeError(`Dataset.subset: index ${i} is outside [0, ${this.trajectories.length - 1}]`);
      return t;
    });
    return new Dataset({ envId: this.envId, obsDim: this.obsDim, actionSpace: this.actionSpace, trajectories, metadata: this.metadata });
  }
}

/** Summary statistics of a list of numbers (population std). */
export interface Summary {
  mean: number;
  std: number;
  min: number;
  max: number;
}

export function summarize(xs: ArrayLike<number>): Summary {
  if (xs.length === 0) return { mean: NaN, std: NaN, min: NaN, max: NaN };
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i]!;
    s += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = s / xs.length;
  let ss = 0;
  for (let i = 0; i < xs.length; i++) ss += (xs[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(ss / xs.length), min, max };
}
