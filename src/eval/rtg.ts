/**
 * The return-to-go a return-conditioned policy is fed during evaluation, in the units the model was trained on.
 *
 * Training (src/data/windows.ts) feeds G_t / rtgScale, where G_t is the sum of the rewards from step t to the
 * episode's end. At evaluation the future is unknown, so, as the Decision Transformer does, G_0 is the target
 * return and each reward is subtracted once it is received:
 *
 *   rtg_0 = target / rtgScale,   rtg_{t+1} = rtg_t - r_t / rtgScale
 *
 * which equals (target - r_0 - ... - r_t) / rtgScale: the same scale as training, by construction.
 */

export class ReturnToGo {
  private readonly history: number[];
  private readonly raw: number[];

  constructor(
    /** The return the policy is asked to achieve (unscaled, in the env's reward units). */
    readonly target: number,
    /** The divisor used in training (> 0). */
    readonly rtgScale: number,
  ) {
    if (typeof target !== "number" || !Number.isFinite(target)) throw new RangeError(`ReturnToGo: target return must be a finite number, got ${String(target)}`);
    if (typeof rtgScale !== "number" || !Number.isFinite(rtgScale) || rtgScale <= 0) {
      throw new RangeError(`ReturnToGo: rtgScale must be a finite number > 0, got ${String(rtgScale)}`);
    }
    this.history = [target / rtgScale];
    this.raw = [target];
  }

  /** The current scaled return-to-go (what the model sees at this step). */
  get value(): number {
    return this.history[this.history.length - 1]!;
  }

  /** Every scaled value so far: [t + 1], one per step including the current one. */
  get values(): readonly number[] {
    return this.history;
  }

  /** The unscaled values: target minus the rewards received before each step, [t + 1]. */
  get unscaledValues(): readonly number[] {
    return this.raw;
  }

  /** Subtracts a received reward (scaled); returns the new value. */
  update(reward: number): number {
    if (typeof reward !== "number" || !Number.isFinite(reward)) throw new RangeError(`ReturnToGo.update: reward must be a finite number, got ${String(reward)}`);
    const next = this.value - reward / this.rtgScale;
    this.history.push(next);
    this.raw.push(this.raw[this.raw.length - 1]! - reward);
    return next;
  }
}
