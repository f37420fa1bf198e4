/** A fixed-capacity replay buffer of transitions in Float32Arrays (no allocation per step), in insertion order. */
import type { Rng } from "../tensor/index.js";
import type { SacBatch } from "./sac-agent.js";

export class ReplayBuffer {
  readonly obs: Float32Array; // [capacity, obsDim]
  readonly act: Float32Array; // [capacity, actDim]
  readonly rew: Float32Array; // [capacity]
  readonly nextObs: Float32Array; // [capacity, obsDim]
  readonly done: Float32Array; // [capacity] 1 = terminated (no bootstrap); a truncation is 0
  size = 0;

  constructor(readonly capacity: number, readonly obsDim: number, readonly actDim: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 20_000_000) throw new RangeError(`ReplayBuffer: capacity must be an integer in [1, 2e7], got ${capacity}`);
    this.obs = new Float32Array(capacity * obsDim);
    this.act = new Float32Array(capacity * actDim);
    this.rew = new Float32Array(capacity);
    this.nextObs = new Float32Array(capacity * obsDim);
    this.done = new Float32Array(capacity);
  }

  add(obs: readonly number[], act: readonly number[], rew: number, nextObs: readonly number[], terminated: boolean): void {
    if (this.size >= this.capacity) throw new RangeError(`ReplayBuffer: full (${this.capacity} transitions)`);
    const i = this.size++;
    this.obs.set(obs, i * this.obsDim);
    this.act.set(act, i * this.actDim);
    this.rew[i] = rew;
    this.nextObs.set(nextObs, i * this.obsDim);
    this.done[i] = terminated ? 1 : 0;
  }

  /** Draws `batch.rew.length` transitions uniformly with replacement into `batch`. */
  sample(batch: SacBatch, rng: Rng): void {
    const B = batch.rew.length;
    const O = this.obsDim;
    const A = this.actDim;
    for (let b = 0; b < B; b++) {
      const i = rng.int(this.size);
      batch.obs.set(this.obs.subarray(i * O, i * O + O), b * O);
      batch.act.set(this.act.subarray(i * A, i * A + A), b * A);
      batch.rew[b] = this.rew[i]!;
      batch.nextObs.set(this.nextObs.subarray(i * O, i * O + O), b * O);
      batch.done[b] = this.done[i]!;
    }
  }

  static emptyBatch(B: number, obsDim: number, actDim: number): SacBatch {
    return {
      obs: new Float32Array(B * obsDim),
      act: new Float32Array(B * actDim),
      rew: new Float32Array(B),
      nextObs: new Float32Array(B * obsDim),
      done: new Float32Array(B),
    };
  }
}
