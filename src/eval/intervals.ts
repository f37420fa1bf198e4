/**
 * Intervals that stay inside the range of what they measure (issue 20), used by the reproduce / sweep tables:
 *
 * - Proportions (success rates): the **Wilson score interval** over all episodes of all seeds (k successes of n),
 *   never a t interval over a handful of per-seed rates (which can leave [0, 1]). Wilson (1927): with
 *   p = k / n and z = 1.959964 (two-sided 95%),
 *   centre = (p + z^2 / (2n)) / (1 + z^2 / n), half-width = z / (1 + z^2 / n) x sqrt(p (1 - p) / n + z^2 / (4 n^2)).
 * - Returns and normalised scores: a **stratified percentile bootstrap** (as rliable, Agarwal et al. 2021): each
 *   resample draws, within every stratum (seed), as many episodes as it holds, with replacement, pools them and
 *   computes the statistic; the interval is the 2.5% and 97.5% quantiles (linear interpolation, numpy's default)
 *   of the resampled statistics. Seeded (strl's xoshiro128** `Rng`), so the same input gives the same interval.
 *   Resampling inside each seed keeps every seed's share of the pool fixed: the interval is over episodes given
 *   the trained models. With `resampleStrata` (what the reports use) each resample first draws the seeds
 *   themselves with replacement, as rliable resamples runs, then episodes within each drawn seed: the interval
 *   then also carries the variation between training runs (with 3 seeds, coarsely).
 * - The **interquartile mean** (IQM): the mean of the middle half, as scipy's `trim_mean(x, 0.25)` that rliable
 *   uses: sort, drop floor(n / 4) values from each end, average the rest (n < 4: the plain mean).
 */
import { Rng } from "../tensor/rng.js";

/** z_{0.975}: the two-sided 95% quantile of the standard normal. */
export const Z975 = 1.959963984540054;

function finiteList(xs: ArrayLike<number>, what: string): void {
  if (xs.length === 0) throw new RangeError(`${what}: needs at least one value, got an empty list`);
  for (let i = 0; i < xs.length; i++) {
    if (typeof xs[i] !== "number" || !Number.isFinite(xs[i])) throw new RangeError(`${what}: value [${i}] must be a finite number, got ${String(xs[i])}`);
  }
}

/** A proportion with its 95% Wilson score interval. */
export interface ProportionInterval {
  successes: number;
  n: number;
  /** successes / n */
  rate: number;
  lo: number;
  hi: number;
}

/** The Wilson score interval of `successes` out of `n` trials (see the module comment), inside [0, 1]. */
export function wilsonInterval(successes: number, n: number, z = Z975): ProportionInterval {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`wilsonInterval: n must be an integer >= 1, got ${String(n)}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > n) throw new RangeError(`wilsonInterval: successes must be an integer in [0, ${n}], got ${String(successes)}`);
  if (!Number.isFinite(z) || z <= 0) throw new RangeError(`wilsonInterval: z must be a finite number > 0, got ${String(z)}`);
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // k = 0 and k = n give lo = 0 and hi = 1 exactly in exact arithmetic; clamp the rounding.
  return { successes, n, rate: p, lo: successes === 0 ? 0 : Math.max(0, centre - half), hi: successes === n ? 1 : Math.min(1, centre + half) };
}

/** The interquartile mean: scipy's trim_mean(xs, 0.25) (see the module comment). */
export function iqm(xs: ArrayLike<number>): number {
  finiteList(xs, "iqm");
  const s = Array.from(xs).sort((a, b) => a - b);
  const cut = Math.floor(s.length / 4);
  let sum = 0;
  for (let i = cut; i < s.length - cut; i++) sum += s[i]!;
  return sum / (s.length - 2 * cut);
}

/** The q-quantile (0 <= q <= 1) of sorted values, linear interpolation between order statistics (numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new RangeError("quantileSorted: needs at least one value");
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantileSorted: q must be in [0, 1], got ${String(q)}`);
  const h = (sorted.length - 1) * q;
  const i = Math.floor(h);
  const j = Math.min(i + 1, sorted.length - 1);
  return sorted[i]! + (h - i) * (sorted[j]! - sorted[i]!);
}

export interface BootstrapOptions {
  /** Resamples (default 2000). */
  resamples?: number;
  /** Seed of the resampling stream (default 0). */
  seed?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
  /**
   * Two-level (hierarchical) resampling: each resample first draws as many strata as there are, with replacement,
   * then resamples the values within each drawn stratum. With seeds as strata the interval then also carries the
   * variation between training runs, not only between episodes of the same trained models (default false).
   */
  resampleStrata?: boolean;
}

/** One statistic: its value on the data and its percentile bootstrap interval. */
export interface BootstrapInterval {
  estimate: number;
  lo: number;
  hi: number;
}

export interface StratifiedBootstrap {
  /** One interval per statistic, in the order given. */
  intervals: BootstrapInterval[];
  resamples: number;
  seed: number;
  level: number;
  /** Values over all strata. */
  n: number;
  strata: number;
  /** Whether the strata themselves were resampled (two-level bootstrap). */
  resampleStrata: boolean;
}

/** The defaults of `stratifiedBootstrap`, named so reports can say them. */
export const BOOTSTRAP_DEFAULTS = Object.freeze({ resamples: 2000, seed: 0, level: 0.95 });

/**
 * Stratified percentile bootstrap of `statistics` (each a function of the pooled values) over `strata` (e.g. the
 * episode returns of each seed): see the module comment. Every statistic sees the same resamples.
 */
export function stratifiedBootstrap(strata: ReadonlyArray<ArrayLike<number>>, statistics: ReadonlyArray<(xs: number[]) => number>, o: BootstrapOptions = {}): StratifiedBootstrap {
  const resamples = o.resamples ?? BOOTSTRAP_DEFAULTS.resamples;
  const seed = o.seed ?? BOOTSTRAP_DEFAULTS.seed;
  const level = o.level ?? BOOTSTRAP_DEFAULTS.level;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`stratifiedBootstrap: resamples must be an integer >= 1, got ${String(resamples)}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`stratifiedBootstrap: level must be in (0, 1), got ${String(level)}`);
  if (strata.length === 0) throw new RangeError("stratifiedBootstrap: needs at least one stratum");
  if (statistics.length === 0) throw new RangeError("stratifiedBootstrap: needs at least one statistic");
  strata.forEach((s, i) => finiteList(s, `stratifiedBootstrap: stratum ${i}`));
  const pooled = strata.flatMap((s) => Array.from(s));
  const rng = new Rng(seed);
  const draws = statistics.map(() => new Float64Array(resamples));
  for (let r = 0; r < resamples; r++) {
    const sample: number[] = [];
    for (let t = 0; t < strata.length; t++) {
      const s = o.resampleStrata ? strata[rng.int(strata.length)]! : strata[t]!;
      for (let i = 0; i < s.length; i++) sample.push(s[rng.int(s.length)]!);
    }
    statistics.forEach((f, j) => (draws[j]![r] = f(sample.slice())));
  }
  const a = (1 - level) / 2;
  const intervals = statistics.map((f, j) => {
    const d = draws[j]!.sort();
    return { estimate: f(pooled.slice()), lo: quantileSorted(d, a), hi: quantileSorted(d, 1 - a) };
  });
  return { intervals, resamples, seed, level, n: pooled.length, strata: strata.length, resampleStrata: o.resampleStrata === true };
}

/**
 * Widens an interval [lo, hi] around `estimate` by an independent error of standard error `stdErr`: each side's
 * half-width h becomes sqrt(h^2 + (z stdErr)^2), i.e. the two errors added in quadrature, the bootstrap's
 * half-width read as z standard errors (first-order, normal approximation). A side never shrinks; stdErr 0
 * leaves the interval as it is.
 */
export function widenInterval(estimate: number, lo: number, hi: number, stdErr: number, z = Z975): { lo: number; hi: number } {
  if (!Number.isFinite(stdErr) || stdErr < 0) throw new RangeError(`widenInterval: stdErr must be a finite number >= 0, got ${String(stdErr)}`);
  if (![estimate, lo, hi].every(Number.isFinite) || lo > hi) throw new RangeError(`widenInterval: needs finite values and lo <= hi, got ${estimate} in [${lo}, ${hi}]`);
  if (stdErr === 0) return { lo, hi };
  const e = z * stdErr;
  return { lo: Math.min(lo, estimate - Math.hypot(Math.max(0, estimate - lo), e)), hi: Math.max(hi, estimate + Math.hypot(Math.max(0, hi - estimate), e)) };
}
