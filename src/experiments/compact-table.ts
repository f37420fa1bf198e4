/**
 * The results at a glance (issue 22): the README's short table of a reproduce / sweep run, one line per row x
 * model with the numbers a reader compares first, while the report keeps the full table (IQM, D4RL-normalised,
 * offline energy, vs DT, firing rates, per-seed counts).
 *
 * - score: the normalised score (measured random = 0, expert = 100), mean over every closed-loop episode of
 *   every seed with its 95% two-level bootstrap interval widened by the references' errors (the full table's
 *   "normalised" cell without the IQM); a row without a closed loop gives its held-out accuracy instead
 *   ("acc." and %, mean [95% t interval, clipped] over seeds), and MSE where its actions are continuous.
 * - success %: successes / episodes over every seed with its 95% Wilson interval.
 * - energy / decision: the row's energy (closed-loop per decision, else offline per window), mean over seeds, µJ.
 * - vs ANN-STRL and vs ANN-STRL-int8: that energy over the causal ANN-STRL's of the same seed (fp32, then priced
 *   int8), mean over seeds.
 */
import { wilsonInterval } from "../eval/index.js";
import { energyDigits } from "../energy/index.js";
import { fixed, scoreEstimate, successCounts } from "./episode-cells.js";
import { energyRatio, NON_NEGATIVE, PERCENT, primary, seedStats, type RowResult } from "./reproduce.js";

export const COMPACT_COLUMNS = ["row", "task", "model", "score [95% CI]", "success % [95% CI]", "energy / decision (µJ)", "vs ANN-STRL", "vs ANN-STRL-int8"];

/** What the compact table's cells are, for the text above it. */
export const COMPACT_TEXT =
  "Score: normalised return (each env's measured random policy = 0, expert = 100), mean over every closed-loop episode of every seed [95% bootstrap interval over seeds and episodes, widened by the references' errors]; " +
  "the offline-only row 1 gives held-out accuracy (acc., mean [95% t interval] over seeds). Success: successes / episodes [95% Wilson interval]. " +
  "Energy: 45 nm, compute only, real tokens; per closed-loop decision (row 1: per offline window), mean over seeds. " +
  "vs ANN-STRL: that energy over the same-size ANN-STRL's of the same seed, in fp32 and priced as int8, mean over seeds. " +
  "The full table (IQM, D4RL-normalised, offline energy, vs DT, firing rates, per-seed counts) is in the report.";

/** The short task name: the row title up to its first colon, and the data it trained on. */
function taskName(res: RowResult): string {
  const head = res.row.title.split(":")[0]!.trim();
  return `${head}, ${res.row.policy} data`;
}

function scoreText(res: RowResult, name: string): string {
  const e = scoreEstimate(res.perSeed, name, res.row.envId);
  if (e) return `${fixed(e.estimate, 1)} [${fixed(e.lo, 1)}, ${fixed(e.hi, 1)}]`;
  const acc = seedStats(res, name, (o) => (o.offline.accuracy === undefined ? undefined : 100 * o.offline.accuracy), PERCENT);
  if (acc) return `acc. ${fixed(acc.mean, 1)}% [${fixed(acc.ci95[0], 1)}, ${fixed(acc.ci95[1], 1)}]`;
  const mse = seedStats(res, name, (o) => o.offline.mse, NON_NEGATIVE);
  return mse ? `MSE ${fixed(mse.mean, 4)} [${fixed(mse.ci95[0], 4)}, ${fixed(mse.ci95[1], 4)}]` : "n/a";
}

function successText(res: RowResult, name: string): string {
  const c = successCounts(res.perSeed, name);
  if (!c) return "n/a";
  const w = wilsonInterval(c.k, c.n);
  return `${fixed(100 * w.rate, 0)} [${fixed(100 * w.lo, 0)}, ${fixed(100 * w.hi, 0)}]`;
}

/** The compact table of `results`: one line per row x model, in row and model order. */
export function compactTable(results: RowResult[]): { columns: string[]; rows: string[][] } {
  const rows: string[][] = [];
  for (const res of results) {
    for (const m of res.row.models) {
      const n = m.name;
      const energy = seedStats(res, n, (o) => primary(o)?.energyPerDecisionPj, NON_NEGATIVE, 1e-6);
      const ratio = (base: "ann-strl" | "ann-strl-int8") => {
        const s = seedStats(res, n, (o, r) => energyRatio(o, r, base), NON_NEGATIVE);
        return s ? fixed(s.mean, 3) : "n/a";
      };
      rows.push([
        res.row.group,
        taskName(res),
        n,
        scoreText(res, n),
        successText(res, n),
        energy ? fixed(energy.mean, energyDigits(energy.mean)) : "n/a",
        ratio("ann-strl"),
        ratio("ann-strl-int8"),
      ]);
    }
  }
  return { columns: COMPACT_COLUMNS, rows };
}
