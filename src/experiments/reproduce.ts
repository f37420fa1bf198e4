/**
 * `strl reproduce`: the experiment table of the STRL paper and its peers, with the honest additions.
 *  1. Maze, paper setting ((x, y) only, A* expert data): held-out accuracy of STRL in paper mode (non-causal),
 *     STRL causal, ANN-STRL and the DT; the paper-mode vs causal gap is the leak.
 *  2. Maze with a local view (MazeLocal): closed-loop success on unseen mazes.
 *  3. MiniGrid-Empty-8x8: the paper setting (random-policy data, (x, y)) and expert / medium data.
 *  4. Maze2D-UMaze: normalised score against this env's own measured random / expert returns (continuous
 *     actions; strl's point-mass Maze2D is not D4RL's MuJoCo env, so D4RL's references do not apply).
 *  5. CartPole, MountainCar, Acrobot, Pendulum (SNN-DT's tasks): return with medium and expert data.
 *  6. MuJoCo locomotion (Hopper-v5, Walker2d-v5, HalfCheetah-v5) on medium data, in the Decision Transformer's
 *     gym setting (preset "small") at the DT's first evaluation target per env, with a budget of its own per scale;
 *     scored against strl's own measured references and, labelled, D4RL's.
 *  Every row: energy per decision and firing rates.
 * Each row runs once per seed (the seed drives data collection, split, initialisation, dropout and evaluation);
 * per-seed columns give mean ± sample std (n - 1) [95% t confidence interval, clipped to the measured range] over
 * seeds; success, return and scores are over every episode of every seed (Wilson / two-level bootstrap intervals,
 * episode-cells.ts). Every model is evaluated at its final checkpoint (the last training step), never the best one
 * seen during training (peers often report the max).
 */
import type { PolicyName } from "../data/index.js";
import { d4rlReference, formatReferences, formatSample, isLocomotionScored, mean, normalizedScore, sampleSummary, successRule, type ReferenceReturns, type SampleSummary } from "../eval/index.js";
import { energyDigits, energyLabel, PJ_PER, pickEnergyUnit } from "../energy/index.js";
import type { ReportSection } from "../report/index.js";
import type { CompareResult, ModelSpec, ModelOutcome } from "./compare.js";
import { presetFields, type Preset } from "./presets.js";
import type { RowShape } from "./energy-bound.js";
import { make, readyFor } from "../envs/index.js";
import type { ActionHead } from "../models/index.js";
import { compareSections } from "./report.js";
import { spikeHealthParagraph } from "./silent-layers.js";
import { returnCell, scoreCell, successCell } from "./episode-cells.js";
import { seedFigures, taskLabel } from "./row-figures.js";

export const SCALES = ["small", "paper"] as const;
export type Scale = (typeof SCALES)[number];

export interface ScaleBudget {
  preset: Preset;
  steps: number;
  batchSize: number;
  /** Episodes of maze data (row 1, 2). */
  mazeEpisodes: number;
  /** Episodes of data for the other tasks. */
  episodes: number;
  /** Closed-loop episodes per seed (>= 20, so a success rate moves in steps of at most 5 points). */
  evalEpisodes: number;
}

export const BUDGETS: Record<Scale, ScaleBudget> = {
  small: { preset: "tiny", steps: 250, batchSize: 32, mazeEpisodes: 1000, episodes: 100, evalEpisodes: 20 },
  paper: { preset: "paper", steps: 20000, batchSize: 32, mazeEpisodes: 50000, episodes: 2000, evalEpisodes: 100 },
};

export interface ExperimentRow {
  id: string;
  group: string;
  title: string;
  envId: string;
  envOptions?: Record<string, unknown>;
  policy: PolicyName;
  /** Maze rows use `mazeEpisodes`. */
  maze?: boolean;
  models: ModelSpec[];
  /** Evaluate closed-loop at the expert's measured return. */
  closedLoop: boolean;
  /** Episodes the paper collected for this row, when the row reproduces a paper setting (labelled if not met). */
  paperEpisodes?: number;
  /** The row's own model size and budget per scale (locomotion), over the scale's. */
  own?: { preset: Preset; budget: Record<Scale, RowBudget>; targetReturn: number };
}

/** A row's own budget at one scale. */
export interface RowBudget {
  steps: number;
  batchSize: number;
  /** Episodes of data collected per seed. */
  episodes: number;
  evalEpisodes: number;
}

/**
 * The locomotion rows' budgets. "small" fits 2 cores (about an hour and a half for the 27 jobs): 500 updates of
 * batch 32, far below the published DT's 100k updates of batch 64, so its scores are those of an early stage of
 * training, never comparable with the DT's published ones. "paper" is the DT's own budget.
 */
export const LOCOMOTION_BUDGETS: Record<Scale, Omit<RowBudget, "episodes">> = {
  small: { steps: 500, batchSize: 32, evalEpisodes: 10 },
  paper: { steps: 100000, batchSize: 64, evalEpisodes: 100 },
};

/** The Decision Transformer's first evaluation target per env (its gym experiment: env_targets[0]). */
export const DT_TARGETS: Readonly<Record<string, number>> = Object.freeze({ "Hopper-v5": 3600, "Walker2d-v5": 5000, "HalfCheetah-v5": 12000 });

/** Medium episodes collected per seed for a locomotion row, per scale (D4RL's medium sets hold 1M transitions). */
const LOCOMOTION_EPISODES: Record<string, Record<Scale, number>> = {
  "Hopper-v5": { small: 400, paper: 2500 },
  "Walker2d-v5": { small: 300, paper: 1500 },
  "HalfCheetah-v5": { small: 150, paper: 1000 },
};

export const STRL: ModelSpec = { name: "STRL", kind: "strl" };
export const ANN: ModelSpec = { name: "ANN-STRL", kind: "ann-strl" };
export const DT: ModelSpec = { name: "DT", kind: "dt" };
export const PAPER: ModelSpec = { name: "STRL (paper mode)", kind: "strl", model: { causal: false } };

export function experimentRows(): ExperimentRow[] {
  const rows: ExperimentRow[] = [
    { id: "maze-paper", group: "1", title: "Maze 21x21, paper setting: (x, y) only, A* expert data", envId: "Maze-v0", policy: "expert", maze: true, models: [PAPER, STRL, ANN, DT], closedLoop: false },
    { id: "maze-local", group: "2", title: "MazeLocal 21x21: (x, y) + wall bits, mixed A* data", envId: "MazeLocal-v0", policy: "mixed", maze: true, models: [STRL, ANN, DT], closedLoop: true },
    { id: "minigrid-random", group: "3", title: "MiniGrid-Empty-8x8, paper setting: random-policy data, (x, y), 100-step episodes", envId: "MiniGrid-Empty-8x8-v0", envOptions: { observation: "xy", maxSteps: 100 }, policy: "random", models: [STRL, ANN, DT], closedLoop: true, paperEpisodes: 20000 },
    { id: "minigrid-expert", group: "3", title: "MiniGrid-Empty-8x8: expert data, (x, y, direction)", envId: "MiniGrid-Empty-8x8-v0", policy: "expert", models: [STRL, ANN, DT], closedLoop: true },
    { id: "maze2d-medium", group: "4", title: "Maze2D-UMaze: medium data (continuous actions)", envId: "Maze2D-UMaze-v0", policy: "medium", models: [STRL, ANN, DT], closedLoop: true },
  ];
  for (const env of ["CartPole-v1", "MountainCar-v0", "Acrobot-v1", "Pendulum-v1"]) {
    for (const policy of ["medium", "expert"] as const) {
      rows.push({ id: `${env.split("-")[0]!.toLowerCase()}-${policy}`, group: "5", title: `${env}: ${policy} data`, envId: env, policy, models: [STRL, ANN, DT], closedLoop: true });
    }
  }
  for (const env of ["Hopper-v5", "Walker2d-v5", "HalfCheetah-v5"]) {
    const budget = (scale: Scale): RowBudget => ({ ...LOCOMOTION_BUDGETS[scale], episodes: LOCOMOTION_EPISODES[env]![scale] });
    rows.push({
      id: `${env.split("-")[0]!.toLowerCase()}-medium`,
      group: "6",
      title: `${env}: medium data, the DT's gym setting (d 128, 3 blocks, 1 head, context 20)`,
      envId: env,
      policy: "medium",
      models: [STRL, ANN, DT],
      closedLoop: true,
      own: { preset: "small", budget: { small: budget("small"), paper: budget("paper") }, targetReturn: DT_TARGETS[env]! },
    });
  }
  return rows;
}

/** What a row's structural bound depends on (energy-bound.ts): its env's spaces, its STRL preset and its energy path. */
export async function rowShape(row: ExperimentRow, scale: Scale): Promise<RowShape> {
  await readyFor(row.envId);
  const env = make(row.envId, row.envOptions);
  try {
    const a = env.actionSpace;
    const head: ActionHead = a.kind === "discrete" ? { kind: "discrete", n: a.n } : { kind: "continuous", dim: a.shape.reduce((x, y) => x * y, 1), low: [...a.low], high: [...a.high] };
    const arch = presetFields("strl", row.own?.preset ?? BUDGETS[scale].preset) as RowShape["arch"];
    return { row: `${row.group} ${row.id}`, obsDim: env.observationSpace.shape.reduce((x, y) => x * y, 1), head, arch, path: row.closedLoop ? "last" : "full" };
  } finally {
    env.close?.();
  }
}

export interface RowResult {
  row: ExperimentRow;
  perSeed: CompareResult[];
  target?: number;
  references?: ReferenceReturns;
  /** How the row differs from the paper's setting (e.g. fewer episodes), shown with its title. */
  note?: string;
}

/** The per-seed values of a per-outcome number (undefined and non-finite values skipped). */
function seedValues(res: RowResult, name: string, pick: (o: ModelOutcome, r: CompareResult) => number | undefined): number[] {
  const xs: number[] = [];
  for (const r of res.perSeed) {
    const o = r.outcomes.find((x) => x.name === name);
    const v = o ? pick(o, r) : undefined;
    if (v !== undefined && Number.isFinite(v)) xs.push(v);
  }
  return xs;
}

/** Valid ranges of the per-seed columns: t intervals are clipped to them. */
export const PERCENT: [number, number] = [0, 100];
const RATE: [number, number] = [0, 1];
export const NON_NEGATIVE: [number, number] = [0, Infinity];

/**
 * mean ± sample std [95% t CI, clipped to `range`] over seeds of a per-outcome number ("n/a" when none); `digits`
 * decimals, or "sig3" for 3 significant digits of the mean (energy cells, units.ts).
 */
function acrossSeeds(res: RowResult, name: string, pick: (o: ModelOutcome, r: CompareResult) => number | undefined, digits: number | "sig3", range: [number, number], scale = 1): string {
  const s = seedStats(res, name, pick, range, scale);
  return s ? formatSample(s, digits === "sig3" ? energyDigits(s.mean) : digits) : "n/a";
}

/** The numbers of a per-seed cell: mean, sample std and 95% t interval (clipped to `range`) over seeds, or undefined. */
export function seedStats(res: RowResult, name: string, pick: (o: ModelOutcome, r: CompareResult) => number | undefined, range: [number, number], scale = 1): SampleSummary | undefined {
  const xs = seedValues(res, name, pick).map((v) => v * scale);
  return xs.length === 0 ? undefined : sampleSummary(xs, range);
}

/** The closed-loop energy per decision of an outcome (pJ), the summary table's column. */
export const closedLoopEnergyPj = (o: ModelOutcome): number | undefined => o.closedLoopEnergy?.energyPerDecisionPj;

/** The three energy columns: one unit each, picked from every value of the column (units.ts). */
const ENERGY_COLUMNS: Array<[string, (o: ModelOutcome) => number | undefined]> = [
  ["offline energy / window", (o) => o.offlineEnergy?.energyPerDecisionPj],
  ["closed-loop energy / decision", closedLoopEnergyPj],
  ["int8 energy / decision", (o) => primary(o)?.int8PerDecisionPj],
];

export const SUMMARY_COLUMNS = [
  "row",
  "task",
  "model",
  "held-out acc. % / MSE",
  "return: mean; IQM [95% bootstrap CI]",
  "success % [95% Wilson CI] (successes/episodes; per seed)",
  "normalised (measured random = 0, expert = 100): mean; IQM [95% bootstrap CI + reference s.e.]",
  "D4RL-normalised (D4RL's v2 references on v5 envs): mean; IQM [95% bootstrap CI]",
  "offline energy / window (unit)",
  "closed-loop energy / decision (unit)",
  "int8 energy / decision (unit)",
  "vs ANN-STRL (fp32)",
  "vs ANN-STRL-int8",
  "vs DT",
  "mean firing rate (real tokens)",
];

/** The energy a row compares: closed-loop per decision where the row runs closed-loop, else offline. */
export const primary = (o: ModelOutcome) => o.closedLoopEnergy ?? o.offlineEnergy;

/** What an energy ratio divides by: the causal ANN-STRL (fp32 or priced int8) or the DT of the same seed. */
export type RatioBase = "ann-strl" | "ann-strl-int8" | "dt";

/** Outcome `o`'s energy over its seed's `base` model's (the row's primary energy), or undefined without one. */
export function energyRatio(o: ModelOutcome, r: CompareResult, base: RatioBase): number | undefined {
  const b = base === "dt" ? r.outcomes.find((x) => x.kind === "dt") : r.outcomes.find((x) => x.kind === "ann-strl" && x.mode === "causal");
  const e = primary(o)?.energyPerDecisionPj;
  const d = b ? (base === "ann-strl-int8" ? primary(b)?.int8PerDecisionPj : primary(b)?.energyPerDecisionPj) : undefined;
  return e !== undefined && d ? e / d : undefined;
}

/** D4RL's references for a v5 locomotion env (labelled as v2's), else undefined. */
const d4rlOn = (envId: string): ReferenceReturns | undefined => (isLocomotionScored(envId) ? d4rlReference(envId) : undefined);

/** The D4RL-normalised score of a mean return on a locomotion env (linear, so it equals the mean of episode scores). */
export function d4rlScore(envId: string, ret: number | undefined): number | undefined {
  const refs = d4rlOn(envId);
  return refs && ret !== undefined ? normalizedScore(envId, ret, refs) : undefined;
}

/** What counts as a success on `envId`, as `strl envs` says it, or n/a. */
export function successText(envId: string): string {
  const rule = successRule(envId);
  return rule ? rule.description : "n/a (the env has no notion of success)";
}

/** The summary section's title (what its cells are: `statisticsText` says it in full). */
export const SUMMARY_TITLE = "Summary (per-seed columns: mean ± sample std [95% t CI] over seeds; success: Wilson; return and scores: bootstrap over episodes x seeds)";

/**
 * One line per row x model: per-seed columns as mean ± sample std [95% t CI, clipped] over seeds, success %
 * with a Wilson interval and returns / scores (mean; IQM) with two-level bootstrap intervals (seeds, then episodes).
 */
export function summaryTable(results: RowResult[]): { columns: string[]; rows: string[][] } {
  const rows: string[][] = [];
  const units = ENERGY_COLUMNS.map(([, pick]) => pickEnergyUnit(results.flatMap((res) => res.row.models.flatMap((m) => seedValues(res, m.name, pick)))));
  const columns = SUMMARY_COLUMNS.map((c) => {
    const k = ENERGY_COLUMNS.findIndex(([name]) => c === `${name} (unit)`);
    return k < 0 ? c : energyLabel(ENERGY_COLUMNS[k]![0], units[k]!);
  });
  for (const res of results) {
    for (const m of res.row.models) {
      const n = m.name;
      const discrete = res.perSeed[0]?.outcomes.find((x) => x.name === n)?.offline.accuracy !== undefined;
      rows.push([
        res.row.group,
        (res.note ? `${res.row.title} (${res.note})` : res.row.title) + mazesOfRow(res),
        n,
        discrete ? acrossSeeds(res, n, (o) => o.offline.accuracy, 2, PERCENT, 100) : acrossSeeds(res, n, (o) => o.offline.mse, 4, NON_NEGATIVE),
        returnCell(res.perSeed, n),
        successCell(res.perSeed, n),
        scoreCell(res.perSeed, n, res.row.envId),
        d4rlOn(res.row.envId) ? scoreCell(res.perSeed, n, res.row.envId, () => d4rlOn(res.row.envId)) : "n/a",
        ...ENERGY_COLUMNS.map(([, pick], k) => acrossSeeds(res, n, pick, "sig3", NON_NEGATIVE, 1 / PJ_PER[units[k]!])),
        acrossSeeds(res, n, (o, r) => energyRatio(o, r, "ann-strl"), 3, NON_NEGATIVE),
        acrossSeeds(res, n, (o, r) => energyRatio(o, r, "ann-strl-int8"), 3, NON_NEGATIVE),
        acrossSeeds(res, n, (o, r) => energyRatio(o, r, "dt"), 3, NON_NEGATIVE),
        acrossSeeds(res, n, (o) => {
          const rs = Object.entries(primary(o)?.rates ?? {}).filter(([k]) => !k.endsWith(".qk")).map(([, v]) => v);
          return rs.length ? mean(rs) : undefined;
        }, 4, RATE),
      ]);
    }
  }
  return { columns, rows };
}

/**
 * What the closed-loop mazes of a row were, from its results (", unseen mazes" when every evaluation of every seed
 * excluded the training mazes by grid; otherwise "seen" or "any", with the episodes on training mazes where known).
 */
export function mazesOfRow(res: RowResult): string {
  const draws = res.perSeed.flatMap((r) => r.outcomes.map((o) => o.closedLoop?.mazes)).filter((m) => m !== undefined);
  if (draws.length === 0) return "";
  if (draws.every((m) => m.kind === "unseen")) return ", unseen mazes";
  if (draws.some((m) => m.kind === "any")) return ", any mazes (training mazes not excluded)";
  const seen = draws.reduce((a, m) => a + (m.seenEpisodes ?? 0), 0);
  const total = draws.reduce((a, m) => a + m.episodes, 0);
  return `, seen mazes (${seen} of ${total} evaluation episodes on training mazes: not enough mazes outside the training data)`;
}

/** The leak of row 1: paper-mode accuracy minus causal accuracy, per seed, mean ± std. */
export function leakLine(results: RowResult[]): string | undefined {
  const res = results.find((r) => r.row.id === "maze-paper");
  if (!res) return undefined;
  const gaps: number[] = [];
  for (const r of res.perSeed) {
    const p = r.outcomes.find((o) => o.name === "STRL (paper mode)")?.offline.accuracy;
    const c = r.outcomes.find((o) => o.name === "STRL")?.offline.accuracy;
    if (p !== undefined && c !== undefined) gaps.push(100 * (p - c));
  }
  if (gaps.length === 0) return undefined;
  return `The leak: STRL in paper mode (non-causal) scores ${formatSample(sampleSummary(gaps, [-100, 100]), 2)} accuracy points above the same STRL with causal attention on the paper's maze task (per-seed gap, mean ± sample std [95% t CI] over ${gaps.length} seeds). A policy acting in an environment never sees the next token, so only the causal number is achievable closed-loop.`;
}

/**
 * Where a row's target return and references come from: the expert's mean return (the default target), or a set
 * target (the locomotion rows' DT targets) beside the expert's and random policies' returns.
 */
export function targetText(target: number | undefined, refs: ReferenceReturns): string {
  if (target !== undefined && target === Math.round(refs.expert * 100) / 100) return `Target return ${target} = the expert's mean return (${refs.source}); references: ${formatReferences(refs)}.`;
  return `Target return ${target ?? "n/a"}, set by the row (not the expert's return); references: ${formatReferences(refs)} (${refs.source}).`;
}

/**
 * Per-row detail sections: the tables of seed 0 (the summary table has every seed) and the figures over every seed
 * of the row (row-figures.ts; the raster is one decision of seed 0), each titled with the row's task.
 */
export async function rowSections(results: RowResult[]): Promise<ReportSection[]> {
  const out: ReportSection[] = [];
  for (const res of results) {
    const first = res.perSeed[0];
    if (!first) continue;
    const prefix = `${res.row.id}-`;
    const sub = await compareSections(first, prefix, { task: taskLabel(res.row) });
    const seeds = res.perSeed.length;
    const over = seeds > 1 ? await seedFigures(res, prefix) : new Map();
    const refs = res.references ? ` ${targetText(res.target, res.references)}` : "";
    const health = spikeHealthParagraph(res);
    const which = seeds > 1 ? `Tables below are seed 0's; figures are over all ${seeds} seeds (mean and 95% interval), except the spike raster (one decision of seed 0); the summary table averages all seeds.` : "One seed: tables and figures below are that seed's.";
    out.push({ title: `Row ${res.row.group}: ${res.row.title}`, text: `Data policy "${res.row.policy}" on \`${res.row.envId}\`${res.row.envOptions ? ` (${JSON.stringify(res.row.envOptions)})` : ""}; success: ${successText(res.row.envId)}. ${which}${refs}${health ? `\n\n${health}` : ""}` });
    for (const s of sub) out.push({ ...s, title: `${res.row.id}: ${s.title}`, ...(s.figures ? { figures: s.figures.map((f) => over.get(f.file) ?? f) } : {}) });
  }
  return out;
}
