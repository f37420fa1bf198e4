/**
 * The episode-level cells of the reproduce / sweep summary table (issue 20, "intervals that respect their
 * ranges"): every closed-loop episode of every seed counts, not one mean per seed.
 *
 * - success %: successes / episodes over all seeds, with the 95% Wilson score interval (intervals.ts).
 * - return, normalised and D4RL-normalised scores: the mean and the interquartile mean (IQM) of the episodes, each
 *   with a 95% two-level percentile bootstrap interval (seeds drawn with replacement, then episodes within each
 *   drawn seed; 2000 resamples, seed 0), so the interval carries both the episode-to-episode and the
 *   training-run-to-training-run variation (the latter coarsely, from 3 seeds). The normalised interval is widened
 *   by its references' standard errors (normalized.ts `scoreReferenceStdErr`, intervals.ts `widenInterval`).
 */
import { BOOTSTRAP_DEFAULTS, formatReferences, iqm, mean, normalizedScore, scoreReferenceStdErr, stratifiedBootstrap, widenInterval, wilsonInterval, type ReferenceReturns } from "../eval/index.js";
import type { ModelOutcome } from "./compare.js";

/** The seeds of a row: each seed's outcomes, one per model. */
export type SeedOutcomes = ReadonlyArray<{ outcomes: ModelOutcome[] }>;

/** `x` with `digits` decimals, never "-0.0". */
export function fixed(x: number, digits: number): string {
  const t = x.toFixed(digits);
  return /^-0(\.0*)?$/.test(t) ? t.slice(1) : t;
}

/** Model `name`'s first-target closed-loop result of every seed that has one. */
function targetsOf(perSeed: SeedOutcomes, name: string) {
  return perSeed.flatMap((r) => {
    const cl = r.outcomes.find((o) => o.name === name)?.closedLoop;
    const t = cl?.targets[0];
    return t && t.episodes && t.episodes.length > 0 ? [{ target: t, references: cl.references }] : [];
  });
}

/**
 * "43.3 [31.6, 55.9] (26/60; per seed 13, 3, 10)": success % over all episodes x seeds with its 95% Wilson
 * interval, successes / episodes, and each seed's successes (the Wilson interval is over episodes; the per-seed
 * counts show how much the trained models differ).
 */
export function successCell(perSeed: SeedOutcomes, name: string): string {
  const c = successCounts(perSeed, name);
  if (!c) return "n/a";
  const { k, n, perSeed: ks } = c;
  const w = wilsonInterval(k, n);
  return `${fixed(100 * w.rate, 1)} [${fixed(100 * w.lo, 1)}, ${fixed(100 * w.hi, 1)}] (${k}/${n}${ks.length > 1 ? `; per seed ${ks.join(", ")}` : ""})`;
}

/** An estimate and its 95% interval. */
export interface Estimate {
  estimate: number;
  lo: number;
  hi: number;
}

/** The mean and the IQM of per-episode values, stratified by seed, each with its two-level bootstrap interval (widened by `widen`). */
export function meanIqmIntervals(strata: number[][], widen?: (estimate: number) => number): { mean: Estimate; iqm: Estimate } {
  const b = stratifiedBootstrap(strata, [mean, iqm], { ...BOOTSTRAP_DEFAULTS, resampleStrata: true });
  const one = ({ estimate, lo, hi }: Estimate): Estimate => ({ estimate, ...(widen ? widenInterval(estimate, lo, hi, widen(estimate)) : { lo, hi }) });
  return { mean: one(b.intervals[0]!), iqm: one(b.intervals[1]!) };
}

/** "12.34 [10.10, 14.00]; IQM 11.90 [9.80, 13.50]": mean and IQM of per-episode values, stratified by seed. */
export function meanIqmCell(strata: number[][], digits: number, widen?: (estimate: number) => number): string {
  const f = (x: number) => fixed(x, digits);
  const one = (e: Estimate) => `${f(e.estimate)} [${f(e.lo)}, ${f(e.hi)}]`;
  const b = meanIqmIntervals(strata, widen);
  return `${one(b.mean)}; IQM ${one(b.iqm)}`;
}

/** Model `name`'s first-target returns, one list per seed, or undefined without closed-loop episodes. */
export function returnStrata(perSeed: SeedOutcomes, name: string): number[][] | undefined {
  const ts = targetsOf(perSeed, name);
  return ts.length === 0 ? undefined : ts.map((t) => t.target.episodes.map((e) => e.return));
}

/** The return cell of model `name` (mean; IQM, 95% two-level bootstrap), or n/a without closed-loop episodes. */
export function returnCell(perSeed: SeedOutcomes, name: string, digits = 2): string {
  const strata = returnStrata(perSeed, name);
  return strata ? meanIqmCell(strata, digits) : "n/a";
}

/** Successes and episodes of model `name` over every seed (first target), or undefined where the env has no success. */
export function successCounts(perSeed: SeedOutcomes, name: string): { k: number; n: number; perSeed: number[] } | undefined {
  const ts = targetsOf(perSeed, name).filter((t) => t.target.successRate !== null);
  if (ts.length === 0) return undefined;
  const ks = ts.map((t) => t.target.episodes.filter((e) => e.success === true).length);
  return { k: ks.reduce((a, b) => a + b, 0), n: ts.reduce((a, t) => a + t.target.episodes.length, 0), perSeed: ks };
}

/**
 * The normalised-score cell of model `name`: each episode's return scored with the references `refsOf` gives
 * for its seed (the evaluation's own, by default), mean; IQM with the 95% two-level bootstrap interval, widened
 * by the references' standard errors where they carry them. n/a without references.
 */
export function scoreCell(perSeed: SeedOutcomes, name: string, envId: string, refsOf: (own: ReferenceReturns | undefined) => ReferenceReturns | undefined = (r) => r, digits = 1): string {
  const s = scoreStrata(perSeed, name, envId, refsOf);
  return s ? meanIqmCell(s.strata, digits, s.widen) : "n/a";
}

/** The per-seed normalised scores of model `name` and the widening of their interval (the score cell's inputs), or undefined. */
export function scoreStrata(perSeed: SeedOutcomes, name: string, envId: string, refsOf: (own: ReferenceReturns | undefined) => ReferenceReturns | undefined = (r) => r): { strata: number[][]; widen?: (s: number) => number } | undefined {
  const ts = targetsOf(perSeed, name).map((t) => ({ ...t, refs: refsOf(t.references) }));
  if (ts.length === 0 || ts.some((t) => t.refs === undefined)) return undefined;
  const strata = ts.map((t) => t.target.episodes.map((e) => normalizedScore(envId, e.return, t.refs)));
  const refs = ts[0]!.refs!;
  const hasError = (refs.randomStdErr ?? 0) > 0 || (refs.expertStdErr ?? 0) > 0;
  return { strata, ...(hasError ? { widen: (s: number) => scoreReferenceStdErr(s, refs) } : {}) };
}

/** The normalised score of model `name` as the score cell gives it: the mean and its 95% interval (bootstrap, widened), or undefined. */
export function scoreEstimate(perSeed: SeedOutcomes, name: string, envId: string): Estimate | undefined {
  const s = scoreStrata(perSeed, name, envId);
  return s ? meanIqmIntervals(s.strata, s.widen).mean : undefined;
}

/** The references of a table's rows, one line per distinct env and references: "`CartPole-v1`: random ... (source)". */
export function referencesList(rows: ReadonlyArray<{ envId: string; references?: ReferenceReturns }>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const r of rows) {
    if (!r.references) continue;
    const line = `\`${r.envId}\`: ${formatReferences(r.references)}, ${r.references.source}`;
    if (!seen.has(line)) out.push(line);
    seen.add(line);
  }
  return out;
}

/** The paragraph under the summary table that says what every cell is. */
export function statisticsText(rows: ReadonlyArray<{ envId: string; references?: ReferenceReturns }> = []): string {
  const b = BOOTSTRAP_DEFAULTS;
  const refs = referencesList(rows);
  return [
    `How the cells are computed. Held-out accuracy / MSE, energies, energy ratios and firing rates: mean ± sample std (n - 1) [95% Student t interval of the mean] over seeds (one value per seed), the interval clipped to the range of what it measures (accuracy [0, 100] %, firing rate [0, 1], MSE, energies and ratios >= 0).`,
    `Success %: successes / episodes over every closed-loop episode of every seed (in parentheses, with each seed's successes), with the 95% Wilson score interval, which stays inside [0, 100]; it is over episodes, so seeds whose models differ (e.g. 20, 0, 0 successes) show in the per-seed counts, not in the interval.`,
    `Return and normalised scores: mean and interquartile mean (IQM: the mean of the middle half of the episodes, scipy's trim_mean 0.25 as rliable) over every episode of every seed, each with a 95% two-level percentile bootstrap interval (${b.resamples} resamples, seed ${b.seed}; each resample draws the seeds with replacement, as rliable resamples runs, then the episodes of each drawn seed with replacement), so the interval carries both the episode-to-episode and the seed-to-seed (training-run) variation, the latter coarsely with 3 seeds.`,
    `The normalised score's interval is also widened by the error of its references: a score s = 100 (R - random) / d, d = expert - random, inherits se_ref = sqrt(((s - 100) / d)^2 se_random^2 + (s / d)^2 se_expert^2) (first-order propagation; the references are independent measurements), and each side's bootstrap half-width h becomes sqrt(h^2 + (1.96 se_ref)^2). D4RL's references have no published error, so the D4RL-normalised interval is the bootstrap's alone.`,
    ...(refs.length > 0 ? [`Reference returns (mean ± standard error over the episodes named): ${refs.join("; ")}.`] : []),
  ].join(" ");
}
