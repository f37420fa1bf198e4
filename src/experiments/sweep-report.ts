/**
 * Merging a sweep's finished jobs into the tables and figures of `strl reproduce`: jobs are grouped into rows
 * (task, plus any axis beyond task / model / seed), each row into seeds and models, in plan order, and fed to
 * the same summary table, leak line and per-row sections. A cell says how many jobs it averages ("2/3" = two of
 * its three planned jobs finished). Nothing here reads a clock: the same finished jobs give the same report.
 */
import type { ReportSection } from "../report/index.js";
import type { ModelSpec } from "./compare.js";
import { energyComparison } from "./compare.js";
import { leakLine, rowSections, summaryTable, SUMMARY_TITLE, type ExperimentRow, type RowResult } from "./reproduce.js";
import { statisticsText } from "./episode-cells.js";
import { summaryFigure } from "./row-figures.js";
import type { JobResult } from "./sweep-job.js";
import { extraAxes, type Job } from "./sweep.js";
import type { Plan } from "./sweep-dir.js";

interface RowAcc {
  row: ExperimentRow;
  seeds: number[];
  /** model name -> planned jobs / finished jobs */
  planned: Map<string, number>;
  finished: Map<string, number>;
  bySeed: Map<number, JobResult[]>;
  target?: number;
  references?: RowResult["references"];
}

function rowOf(job: Job): { key: string; id: string; title: string } {
  const extra = extraAxes(job);
  const suffix = extra.map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`).join(", ");
  const t = job.config.task;
  const title = t.title ?? `${t.envId}: ${t.policy} data`;
  const slug = suffix.toLowerCase().replace(/[^a-z0-9.]+/g, "-").replace(/^-|-$/g, "");
  return { key: JSON.stringify([t.id, extra]), id: extra.length ? `${t.id}-${slug}` : t.id, title: extra.length ? `${title} [${suffix}]` : title };
}

export interface SweepSummary {
  rows: RowResult[];
  table: { columns: string[]; rows: string[][] };
  leak?: string;
  planned: number;
  finished: number;
}

/** The rows, summary table (with a "jobs" column) and leak line of the finished jobs of `plan`. */
export function summariseSweep(plan: Plan, results: Map<number, JobResult>): SweepSummary {
  const rows = new Map<string, RowAcc>();
  for (const job of plan.jobs) {
    const { key, id, title } = rowOf(job);
    const c = job.config;
    let acc = rows.get(key);
    if (!acc) {
      const row: ExperimentRow = { id, group: c.task.group ?? String(rows.size + 1), title, envId: c.task.envId, envOptions: c.task.envOptions, policy: c.task.policy, models: [], closedLoop: c.task.closedLoop !== false };
      acc = { row, seeds: [], planned: new Map(), finished: new Map(), bySeed: new Map() };
      rows.set(key, acc);
    }
    if (!acc.row.models.some((m) => m.name === c.model.name)) acc.row.models.push({ name: c.model.name, kind: c.model.kind, preset: c.model.preset, model: c.model.config } as ModelSpec);
    if (!acc.seeds.includes(c.seed)) acc.seeds.push(c.seed);
    acc.planned.set(c.model.name, (acc.planned.get(c.model.name) ?? 0) + 1);
    const r = results.get(job.index);
    if (!r) continue;
    acc.finished.set(c.model.name, (acc.finished.get(c.model.name) ?? 0) + 1);
    if (!acc.bySeed.has(c.seed)) acc.bySeed.set(c.seed, []);
    acc.bySeed.get(c.seed)!.push(r);
    if (r.target !== undefined) acc.target = r.target;
    if (r.references) acc.references = r.references;
  }
  const out: RowResult[] = [];
  const jobsCol: string[] = [];
  for (const acc of rows.values()) {
    const perSeed = acc.seeds
      .filter((s) => acc.bySeed.has(s))
      .map((s) => {
        const rs = acc.bySeed.get(s)!;
        const outcomes = acc.row.models.map((m) => rs.find((r) => r.outcome.name === m.name)?.outcome).filter((o) => o !== undefined);
        return { outcomes, energy: energyComparison(outcomes) };
      });
    out.push({ row: acc.row, perSeed, target: acc.target, references: acc.references });
    for (const m of acc.row.models) jobsCol.push(`${acc.finished.get(m.name) ?? 0}/${acc.planned.get(m.name) ?? 0}`);
  }
  const t = summaryTable(out);
  const table = { columns: [...t.columns.slice(0, 3), "jobs", ...t.columns.slice(3)], rows: t.rows.map((r, i) => [...r.slice(0, 3), jobsCol[i]!, ...r.slice(3)]) };
  return { rows: out, table, leak: leakLine(out), planned: plan.jobs.length, finished: results.size };
}

/** The report sections of a sweep summary: the summary table (after `intro`), then one section per row. */
export async function sweepSections(s: SweepSummary, intro: string[]): Promise<ReportSection[]> {
  const stats = statisticsText(s.rows.map((r) => ({ envId: r.row.envId, references: r.references })));
  const text = [...intro, stats, `${s.finished} of ${s.planned} jobs finished; the "jobs" column counts the finished jobs of each cell out of those planned.`, s.leak ?? ""].filter(Boolean).join("\n\n");
  const done = s.rows.filter((r) => r.perSeed.length > 0);
  const fig = await summaryFigure(done);
  return [{ title: SUMMARY_TITLE, text: fig ? `${text}\n\n${fig.text}` : text, table: s.table, ...(fig ? { figures: [fig.figure] } : {}) }, ...(await rowSections(done))];
}
