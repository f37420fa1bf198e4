/** `strl reproduce`: the paper's and the peers' experiment table, with the honest additions, as a report. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseFlags, numberFlag, type Command, ENGINE_FLAG, ENGINE_HELP, startEngine, oneOf } from "../command.js";
import { asUserError } from "../usage-error.js";
import { checkWritableFolder } from "../../io/index.js";
import { numberList } from "../checkpoint-args.js";
import { BUDGETS, LOCOMOTION_BUDGETS, SCALES, experimentRows, rowShape, type Scale } from "../../experiments/reproduce.js";
import { D4RL_ON_V5_LABEL } from "../../eval/index.js";
import { reproduceSweepPath } from "../../experiments/reproduce-sweep.js";
import { planSweep, refuseSweepFolder } from "../../experiments/sweep-dir.js";
import { runPool, signalExitCode } from "../../experiments/sweep-pool.js";
import { REFERENCE_EPISODES, REFERENCE_SEEDS } from "../../experiments/sweep-job.js";
import type { SweepFile } from "../../experiments/sweep.js";
import { checkReadme, writeSweepReport } from "../sweep-report.js";
import { presetFields } from "../../experiments/presets.js";
import { boundParagraph, rowBoundsTable } from "../../experiments/energy-bound.js";

const HELP = `strl reproduce — the experiment table of STRL and its peers, honestly

Usage: strl reproduce [--scale small|paper] [--seeds S ...] [--only ROW ...] [--jobs N] [--out DIR] [--update-readme FILE] [--json]
${ENGINE_HELP}

Rows: 1 maze, paper setting ((x, y) only): held-out accuracy of STRL in paper mode (non-causal), STRL causal,
ANN-STRL, DT — the paper-mode minus causal gap is the label leak; 2 MazeLocal: closed-loop success on unseen
mazes; 3 MiniGrid-Empty-8x8 with random data (paper setting) and expert data; 4 Maze2D-UMaze normalised score;
5 CartPole, MountainCar, Acrobot, Pendulum with medium and expert data; 6 Hopper-v5, Walker2d-v5, HalfCheetah-v5
with medium data in the DT's gym setting (preset small, its own budget: ${LOCOMOTION_BUDGETS.small.steps} updates of batch ${LOCOMOTION_BUDGETS.small.batchSize} at --scale small,
the DT's ${LOCOMOTION_BUDGETS.paper.steps} of batch ${LOCOMOTION_BUDGETS.paper.batchSize} at --scale paper), D4RL-normalised beside strl's own references;
energy per decision and firing rates for every row. Each row runs once per seed of --seeds (default 0 1 2); per-seed
columns give mean ± sample std [95% t CI] over seeds, success a Wilson interval and returns / scores the mean and
IQM with two-level bootstrap intervals (seeds, then episodes within them; the report says how).
Lists take either form, as in every command: --seeds 0 1 2 or --seeds 0,1,2 (--only likewise).
Budgets: --scale small = preset tiny (d 64, 2 blocks, 2 heads, context 10, T 4), ${BUDGETS.small.steps} updates of batch ${BUDGETS.small.batchSize},
${BUDGETS.small.mazeEpisodes} maze / ${BUDGETS.small.episodes} other episodes, ${BUDGETS.small.evalEpisodes} evaluation episodes per seed (about 45 min on 2 cores, and 2.5 h more for the 27 locomotion jobs: 146 min measured on a shared machine);
--scale paper = the paper's model (d 256, 6 blocks, 8 heads, context 100), ${BUDGETS.paper.steps} updates, ${BUDGETS.paper.mazeEpisodes} mazes (days on 2 cores).
The grid is the sweep sweeps/reproduce-<scale>.json (rows x models x seeds, one job each): it is planned into
OUT/sweep and run with --jobs N local worker processes (default 1; each gets cores / N engine threads); a run
stopped half-way continues where it stopped when given the same --out. Ctrl-C / SIGTERM is forwarded to the
workers, which save a checkpoint and exit (then strl exits 130 / 143). An --out that is another sweep's folder
(it holds plan.json), or whose sweep/ holds a plan of other rows, seeds or scale, is refused. The same file runs on a cluster with
\`strl sweep plan\` and \`strl sweep slurm\`, and \`strl sweep report\` writes this report from it.
--update-readme FILE replaces the text between <!-- results:start --> and <!-- results:end --> with the summary.

Examples:
  strl reproduce --scale small --seeds 0 1 2 --jobs 2
  strl reproduce --only maze-paper,cartpole-expert --seeds 0
  strl reproduce --only hopper-medium,walker2d-medium,halfcheetah-medium --seeds 0 1 2 --jobs 2
  strl reproduce --scale small --seeds 0,1,2 --update-readme README.md`;

const CLI = fileURLToPath(new URL("../main.js", import.meta.url));

/** The flags of `strl reproduce`, parsed and checked (exported for the tests). */
export function reproduceFlags(argv: readonly string[]) {
  const { values } = parseFlags([...argv], {
    ...ENGINE_FLAG,
    scale: { type: "string" },
    seeds: { type: "string", list: true },
    only: { type: "string", list: true },
    jobs: { type: "string" },
    out: { type: "string" },
    "update-readme": { type: "string" },
    json: { type: "boolean" },
  });
  const scale = (values.scale ?? "small") as Scale;
  oneOf("scale", scale, SCALES);
  const seeds = numberList("seeds", values.seeds, [0, 1, 2], { integer: true, min: 0, max: 0xffffffff, unique: true });
  const jobs = numberFlag("jobs", values.jobs, 1, { integer: true, min: 1, max: 1024 });
  const ids = experimentRows().map((r) => r.id);
  const only = values.only?.map((s) => s.trim());
  for (const id of only ?? []) oneOf("row", id, ids);
  return { values, scale, seeds, jobs, only };
}

export const command: Command = {
  summary: "the paper's experiment table (+ leak, closed-loop, energy) over seeds, as a report",
  help: HELP,
  async run(argv) {
    const { values, scale, seeds, jobs, only } = reproduceFlags(argv);
    const readme = values["update-readme"];
    checkReadme(readme);
    const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
    const out = values.out ?? `reports/reproduce-${scale}-${stamp}`;
    const commandLine = ["strl", "reproduce", ...argv].join(" ");
    const log = values.json ? () => {} : (l: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${l}\n`);
    await asUserError(() => refuseSweepFolder(out), "--out"); // another sweep's folder is not a report folder
    await asUserError(() => checkWritableFolder(out), "--out"); // before the work, not after it
    await startEngine(values.engine);
    // The shipped sweep, with the seeds and rows asked for.
    const sweep = JSON.parse(readFileSync(reproduceSweepPath(scale), "utf8")) as SweepFile;
    sweep.axes.seed = seeds;
    if (only) sweep.axes.task = sweep.axes.task!.filter((t) => only.includes((t as { id: string }).id));
    const dir = join(out, "sweep");
    const plan = await asUserError(() => planSweep(sweep, dir, reproduceSweepPath(scale)), "--out");
    const t0 = performance.now();
    const r = await runPool({ dir, jobs, cli: CLI, log, env: values.engine ? { STRL_ENGINE: values.engine } : undefined });
    const minutes = (performance.now() - t0) / 60000;
    if (r.signal) {
      // The workers saved their checkpoints and exited: no report of a run cut short.
      log(`stopped by ${r.signal}: ${r.ran.length} job(s) finished in this run, ${r.stopped.length} stopped with a checkpoint; run the same command (same --out) to go on`);
      return signalExitCode(r.signal);
    }
    for (const f of r.failed) log(`job ${f.index} failed: ${f.error}`);
    const b = BUDGETS[scale];
    // A run that went on from an earlier one (same --out) times only the jobs it ran itself.
    const wallClock = r.ran.length === plan.jobs.length ? `wall-clock ${minutes.toFixed(1)} min` : `wall-clock ${minutes.toFixed(1)} min for the ${r.ran.length} of ${plan.jobs.length} jobs this invocation ran (the others finished in an earlier run with the same --out)`;
    const budget = `Scale "${scale}": preset "${b.preset}" (${JSON.stringify(presetFields("strl", b.preset))}), ${b.steps} AdamW updates of batch ${b.batchSize} per model (lr 1e-3, 10% warm-up, cosine), ${b.mazeEpisodes} maze episodes / ${b.episodes} episodes for the other tasks, ${b.evalEpisodes} closed-loop episodes per seed at the expert's measured return, seeds [${seeds.join(", ")}]. Every model is evaluated at its final checkpoint (the last training step), not the best one seen during training (which peers often report). Normalised score = 100 x (return - random) / (expert - random) with each env's own random and expert policies' returns, each measured on ${REFERENCE_EPISODES * REFERENCE_SEEDS.length} episodes (${REFERENCE_EPISODES} on each of seeds ${REFERENCE_SEEDS[0]}..${REFERENCE_SEEDS[REFERENCE_SEEDS.length - 1]}) with its standard error (strl's Maze2D-UMaze is point-mass physics, not D4RL's MuJoCo env, so it is not D4RL-normalised). Energy (45 nm, fp32 unless int8; real tokens only): offline = one full forward pass per held-out window; closed-loop = per decision of the evaluation episodes, counting the path that ran: since the DT got its decision path, the same for STRL, ANN-STRL and the DT (forwardLast: every block but the last in full, the last block's attention over every row, what follows it on the decision's row only); each row's energy section says which path its saved results were charged; ratios use closed-loop energy where the row has it, else offline. ${plan.jobs.length} jobs (sweep ${plan.name}), ${jobs} local worker${jobs === 1 ? "" : "s"}; ${wallClock}.`;
    const loco = experimentRows().filter((r) => r.own && sweep.axes.task!.some((t) => (t as { id: string }).id === r.id));
    const lb = LOCOMOTION_BUDGETS[scale];
    const locomotion = loco.length === 0 ? [] : [
      `Locomotion rows (group 6: ${loco.map((r) => r.envId).join(", ")}): the Decision Transformer's gym setting, preset "small" (${JSON.stringify(presetFields("strl", "small"))}), ${lb.steps} AdamW updates of batch ${lb.batchSize} (the published DT trained 100,000 updates of batch 64: at "${scale}" this is ${((100 * lb.steps * lb.batchSize) / (100000 * 64)).toFixed(1)}% of its samples, so these scores are not comparable with the DT's published ones), medium data collected per seed with strl's shipped medium policy (${loco.map((r) => `${r.envId} ${r.own!.budget[scale].episodes} episodes`).join(", ")}), ${lb.evalEpisodes} closed-loop episodes per seed at the DT's first evaluation target (${loco.map((r) => `${r.envId} ${r.own!.targetReturn}`).join(", ")}). "normalised" uses strl's own random and expert references (experts/<env>/manifest.json, 100 episodes each); "D4RL-normalised" uses ${D4RL_ON_V5_LABEL}.`,
    ];
    const T = 4;
    const ran = experimentRows().filter((r) => sweep.axes.task!.some((t) => (t as { id: string }).id === r.id));
    const bounds = [boundParagraph(T), rowBoundsTable(await Promise.all(ran.map((r) => rowShape(r, scale))), T)];
    const rep = await writeSweepReport({ dir, plan, out, readme, commandLine, title: `strl reproduce (${scale})`, intro: [budget, ...locomotion, ...bounds], json: values.json });
    return r.failed.length > 0 || rep.finished === 0 ? 1 : 0;
  },
};
