/**
 * Summary statistics for evaluation results.
 *
 * Conventions (stated once, used everywhere in strl's reports):
 * - `std` is the **population** standard deviation (divide by n, numpy's default `ddof = 0`), the spread of the
 *   episodes themselves, as the Decision Transformer and D4RL evaluation scripts report it (`np.std`).
 * - `stdErr` is the standard error of the mean: the **sample** standard deviation (divide by n - 1) / sqrt(n);
 *   0 for a single value.
 * Every function refuses empty input and non-finite values with an error naming the argument.
 */

function checkValues(xs: ArrayLike<number>, what: string): void {
  if (xs.length === 0) throw new RangeError(`${what}: needs at least one value, got an empty list`);
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (typeof v !== "number" || !Number.isFinite(v)) throw new RangeError(`${what}: value [${i}] must be a finite number, got ${String(v)}`);
  }
}

/** Arithmetic mean. */
export function mean(xs: ArrayLike<number>): number {
  checkValues(xs, "mean");
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

/**
 * Standard deviation with `ddof` degrees of freedom removed: sqrt(sum (x - mean)^2 / (n - ddof)).
 * Default ddof = 0: the population standard deviation.
 */
export function std(xs: ArrayLike<number>, ddof: 0 | 1 = 0): number {
  checkValues(xs, "std");
  if (ddof !== 0 && ddof !== 1) throw new RangeError(`std: ddof must be 0 or 1, got ${String(ddof)}`);
  if (xs.length - ddof <= 0) throw new RangeError(`std: ddof = ${ddof} needs at least ${ddof + 1} values, got ${xs.length}`);
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i]! - m) ** 2;
  return Math.sqrt(s / (xs.length - ddof));
}

/** Standard error of the mean: sample std (ddof 1) / sqrt(n); 0 for one value. */
export function stdErr(xs: ArrayLike<number>): number {
  checkValues(xs, "stdErr");
  if (xs.length === 1) return 0;
  return std(xs, 1) / Math.sqrt(xs.length);
}

export interface MeanStd {
  mean: number;
  /** population standard deviation */
  std: number;
  /** standard error of the mean */
  stdErr: number;
  n: number;
  min: number;
  max: number;
}

/** Mean, population std, standard error, count, min and max of a list. */
export function describe(xs: ArrayLike<number>): MeanStd {
  checkValues(xs, "describe");
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    min = Math.min(min, xs[i]!);
    max = Math.max(max, xs[i]!);
  }
  return { mean: mean(xs), std: std(xs), stdErr: stdErr(xs), n: xs.length, min, max };
}

/**
 * `12.3 ± 0.4`: mean and spread with `digits` decimals (default 1). Negative zero prints as 0.
 */
export function formatMeanStd(m: number, s: number, digits = 1): string {
  if (!Number.isFinite(m)) throw new RangeError(`formatMeanStd: mean must be a finite number, got ${m}`);
  if (!Number.isFinite(s) || s < 0) throw new RangeError(`formatMeanStd: std must be a finite number >= 0, got ${s}`);
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) throw new RangeError(`formatMeanStd: digits must be an integer in [0, 20], got ${digits}`);
  const f = (x: number): string => {
    const t = x.toFixed(digits);
    return /^-0(\.0*)?$/.test(t) ? t.slice(1) : t;
  };
  return `${f(m)} ± ${f(s)}`;
}

/** Two-sided 95% quantiles of Student's t, t_{0.975, df}, for df = 1 .. 30 (standard tables). */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/**
 * t_{0.975, df}: the table for df <= 30, else the Cornish-Fisher expansion around z = 1.959964 (error < 1e-3).
 */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`tQuantile975: degrees of freedom must be an integer >= 1, got ${df}`);
  if (df <= T975.length) return T975[df - 1]!;
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

export interface SampleSummary {
  mean: number;
  /** Sample standard deviation (divide by n - 1); 0 for one value. */
  sampleStd: number;
  /**
   * 95% confidence interval of the mean from Student's t with n - 1 degrees of freedom; [mean, mean] for n = 1.
   * With a `range`, clipped to it (a rate's interval never leaves [0, 1], an energy's never goes below 0).
   */
  ci95: [number, number];
  n: number;
  /** The valid range the interval was clipped to, when one was given. */
  range?: readonly [number, number];
}

/**
 * Mean, sample std (n - 1) and the 95% t confidence interval of the mean (what strl's tables over seeds show),
 * the interval clipped to `range` ([lo, hi], either end may be infinite) when given: the values measured cannot
 * leave it, so neither may the interval shown for their mean.
 */
export function sampleSummary(xs: ArrayLike<number>, range?: readonly [number, number]): SampleSummary {
  checkValues(xs, "sampleSummary");
  if (range !== undefined && !(range.length === 2 && range[0] < range[1])) throw new RangeError(`sampleSummary: range must be [lo, hi] with lo < hi, got ${JSON.stringify(range)}`);
  const m = mean(xs);
  const clip = (x: number): number => (range ? Math.min(range[1], Math.max(range[0], x)) : x);
  const withRange = range ? { range } : {};
  if (xs.length === 1) return { mean: m, sampleStd: 0, ci95: [m, m], n: 1, ...withRange };
  const s = std(xs, 1);
  const h = (tQuantile975(xs.length - 1) * s) / Math.sqrt(xs.length);
  return { mean: m, sampleStd: s, ci95: [clip(m - h), clip(m + h)], n: xs.length, ...withRange };
}

/** `12.3 ± 0.4 [11.3, 13.3]`: mean ± sample std and the 95% t CI, `digits` decimals. */
export function formatSample(s: SampleSummary, digits = 1): string {
  const ms = formatMeanStd(s.mean, s.sampleStd, digits);
  if (s.n < 2) return ms;
  const f = (x: number): string => formatMeanStd(x, 0, digits).split(" ")[0]!;
  return `${ms} [${f(s.ci95[0])}, ${f(s.ci95[1])}]`;
}
