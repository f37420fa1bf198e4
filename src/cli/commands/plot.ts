/** `strl plot`: training curves of runs, seeds aggregated, runs compared by label, to SVG (and PNG). */
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseFlags, numberFlag, type Command } from "../command.js";
import { UsageError } from "../usage-error.js";
import { writeFileAtomic } from "../../io/index.js";
import { plotRuns, type RunLog } from "../../report/run-plot.js";
import { svgsToPng } from "../../report/png.js";

const HELP = `strl plot — plot training runs (loss, validation metric, closed-loop return, firing rate)

Usage: strl plot RUN... [--label NAME ...] [--out FILE.svg] [--png] [--smooth A] [--title TEXT]

Each RUN is a run folder of \`strl train\` (its log.jsonl). Runs with the same label are seeds of one setting:
each panel shows their mean per step and a 95% confidence band of the mean (Student's t over runs), clipped to
the range of what the panel shows (loss and MSE >= 0, accuracy and firing rate in [0, 1]); a label with one run
has its line only (the subtitle says which are drawn). The title names the env the runs were trained on
(checkpoint/config.json). The label of
a run is its --label (one per RUN, in order), else its model kind from checkpoint/config.json
(e.g. "strl"), else the folder's name. Panels: training loss (exponential moving average with weight --smooth,
default 0.9; the raw mean faint), validation accuracy or MSE, closed-loop return (runs trained with
--eval-episodes) and the mean firing rate over LIF layers (logged at each evaluation).
--out FILE.svg (default plot.svg); --png also writes FILE.png (needs chromium and playwright-core).

Examples:
  strl plot runs/strl
  strl plot runs/strl-s0 runs/strl-s1 runs/strl-s2 runs/dt-s0 runs/dt-s1 runs/dt-s2 --out compare.svg --png
  strl plot runs/a runs/b --label "T=4" "T=8"`;

/** The keys `plot` draws: each must hold a finite number where a record has it. */
const DRAWN = /^(training\/loss|evaluation\/(accuracy|mse|return)|firing\/.+)$/;

const shown = (v: unknown): string => (v === null ? "null (NaN or Infinity when written)" : (JSON.stringify(v) ?? String(v)).slice(0, 40));

/**
 * A run folder's log records, or a one-line error naming the file and line: a line that is not a JSON object, a
 * `step` that is not a whole number >= 0, or a drawn value (loss, validation metric, return, firing rate) that is
 * not a finite number. Nothing is drawn from a log with such a line.
 */
function readLog(run: string): RunLog["records"] {
  const path = join(run, "log.jsonl");
  if (!existsSync(path)) throw new UsageError(`${run}: no log.jsonl (expected a run folder written by strl train)`);
  const lines = readFileSync(path, "utf8").split("\n");
  const recs: RunLog["records"][number][] = [];
  lines.forEach((l, i) => {
    if (!l.trim()) return;
    const at = `${path}: line ${i + 1}`;
    let r: unknown;
    try {
      r = JSON.parse(l);
    } catch {
      throw new UsageError(`${at} is not JSON`);
    }
    if (typeof r !== "object" || r === null || Array.isArray(r)) throw new UsageError(`${at} is not a JSON object (a log record), got ${shown(r)}`);
    const rec = r as Record<string, unknown>;
    if (typeof rec.step !== "number" || !Number.isInteger(rec.step) || rec.step < 0) throw new UsageError(`${at}: 'step' is ${shown(rec.step)}, not a whole number >= 0`);
    for (const [k, v] of Object.entries(rec)) {
      if (DRAWN.test(k) && !(typeof v === "number" && Number.isFinite(v))) throw new UsageError(`${at}: '${k}' is ${shown(v)}, not a finite number`);
    }
    recs.push(rec as RunLog["records"][number]);
  });
  if (recs.length === 0) throw new UsageError(`${path} is empty`);
  return recs;
}

/** The default label of a run: its model kind from the checkpoint's config.json, else the folder name. */
function defaultLabel(run: string): string {
  try {
    const c = JSON.parse(readFileSync(join(run, "checkpoint", "config.json"), "utf8")) as { model?: { kind?: string } };
    if (c.model?.kind) return c.model.kind;
  } catch {
    // no checkpoint (yet): the folder name
  }
  return basename(run.replace(/\/+$/, "")) || run;
}

/** The env id a run was trained on, from its checkpoint's config.json, or undefined. */
function envOf(run: string): string | undefined {
  try {
    const c = JSON.parse(readFileSync(join(run, "checkpoint", "config.json"), "utf8")) as { env?: { id?: unknown } };
    return typeof c.env?.id === "string" && c.env.id ? c.env.id : undefined;
  } catch {
    return undefined;
  }
}

/** The task in the figure's title: the runs' env ids (from their checkpoints), distinct, in order; undefined if none is known. */
export function runsTask(runs: readonly string[]): string | undefined {
  const ids = [...new Set(runs.map(envOf).filter((x) => x !== undefined))];
  return ids.length ? ids.join(", ") : undefined;
}

export const command: Command = {
  summary: "plot training runs to SVG/PNG (seeds aggregated, runs compared)",
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { label: { type: "string", list: true }, out: { type: "string" }, png: { type: "boolean" }, smooth: { type: "string" }, title: { type: "string" } }, true);
    if (positionals.length === 0) throw new UsageError("give at least one run folder: strl plot RUN...");
    const labels = values.label;
    if (labels && labels.length !== positionals.length) throw new UsageError(`--label gives ${labels.length} labels for ${positionals.length} runs (one per run, in order)`);
    const smooth = numberFlag("smooth", values.smooth, 0.9, { min: 0, max: 0.999 });
    const out = values.out ?? "plot.svg";
    if (!out.endsWith(".svg")) throw new UsageError(`--out must name an .svg file, got '${out}'`);
    const runs: RunLog[] = positionals.map((p, i) => ({ label: labels?.[i] ?? defaultLabel(p), records: readLog(p) }));
    const svg = await plotRuns(runs, { smooth, title: values.title, task: runsTask(positionals) });
    writeFileAtomic(out, svg); // a reader never sees half a figure
    console.log(`wrote ${out}`);
    if (values.png) {
      const png = out.replace(/\.svg$/, ".png");
      await svgsToPng([[svg, png]]).catch((e: Error) => {
        throw new UsageError(e.message);
      });
      console.log(`wrote ${png}`);
    }
    return 0;
  },
};
