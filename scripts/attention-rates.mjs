// `node scripts/attention-rates.mjs SWEEP_DIR`: the silent-attention table of docs/energy.md from a finished sweep
// (sweeps/silent-attention.json): per task and model, means over the seeds that finished of the score neurons'
// firing rate per block (closed-loop decisions and offline windows), the q·k coincidence rate, held-out accuracy,
// closed-loop return and success, and closed-loop energy per decision over the same seed's ANN-STRL. Reads
// jobs/*/job.json and result.json; prints markdown.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
if (!dir || !existsSync(join(dir, "jobs"))) {
  process.stderr.write("usage: node scripts/attention-rates.mjs SWEEP_DIR (a folder with jobs/)\n");
  process.exit(2);
}
const runs = [];
for (const id of readdirSync(join(dir, "jobs")).sort()) {
  const resultFile = join(dir, "jobs", id, "result.json");
  if (!existsSync(resultFile)) continue;
  const job = JSON.parse(readFileSync(join(dir, "jobs", id, "job.json"), "utf8"));
  const result = JSON.parse(readFileSync(resultFile, "utf8"));
  if (!result.outcome) continue;
  runs.push({ task: job.axes.task.id, model: job.axes.model.name, seed: job.axes.seed, o: result.outcome });
}
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const f = (x, d) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
const rate = (e, block, name) => e?.rates?.[`blocks.${block}.attn.${name}`];
const tasks = [...new Set(runs.map((r) => r.task))];
for (const task of tasks) {
  const here = runs.filter((r) => r.task === task);
  const ann = new Map(here.filter((r) => r.o.kind === "ann-strl").map((r) => [r.seed, r.o.closedLoopEnergy?.energyPerDecisionPj]));
  console.log(`\n${task}\n`);
  console.log("| model | seeds | score rate, block 1 / 2 (closed loop) | score rate, block 1 / 2 (offline) | q·k coincidence (closed loop) | held-out acc. % | return | success % | energy / decision vs ANN-STRL |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const model of [...new Set(here.map((r) => r.model))]) {
    const rs = here.filter((r) => r.model === model);
    const spiking = rs[0].o.kind === "strl";
    const blocks = Object.keys(rs[0].o.closedLoopEnergy?.rates ?? {}).filter((k) => k.endsWith(".attn.score_lif")).length;
    const per = (e, name) => Array.from({ length: blocks }, (_, b) => f(mean(rs.map((r) => rate(r.o[e], b, name))), 4)).join(" / ");
    const t = (r) => r.o.closedLoop?.targets?.[0];
    const ratio = mean(rs.map((r) => r.o.closedLoopEnergy?.energyPerDecisionPj / ann.get(r.seed)));
    console.log(
      `| ${model} | ${rs.map((r) => r.seed).join(", ")} | ${spiking ? per("closedLoopEnergy", "score_lif") : "n/a (no LIF)"} | ${spiking ? per("offlineEnergy", "score_lif") : "n/a"} | ${spiking ? per("closedLoopEnergy", "qk") : "n/a"} | ${f(100 * mean(rs.map((r) => r.o.offline.accuracy)), 1)} | ${f(mean(rs.map((r) => t(r)?.returnMean)), 1)} | ${f(100 * mean(rs.map((r) => t(r)?.successRate ?? NaN)), 0)} | ${f(ratio, 3)} |`,
    );
  }
}
