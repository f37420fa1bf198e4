/**
 * `strl sweep` end to end on a tiny grid (1 task x 3 models x 1 seed, one model with a bad config): the local
 * runner with 2 workers, a job killed mid-training and resumed, a failing job reported by status without stopping
 * the others, and the merged report byte-identical across the two histories.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAIN, runCli, userErrorLine } from "./run-cli.js";

const SWEEP = {
  name: "t",
  base: { train: { steps: 40, batchSize: 8, evalEvery: 10, checkpointEvery: 5 }, eval: { episodes: 1 }, model: { preset: "tiny", config: { dModel: 16, nBlocks: 1, nHeads: 1, contextLength: 4 } } },
  axes: {
    task: [{ id: "minigrid", envId: "MiniGrid-Empty-8x8-v0", policy: "expert", episodes: 10 }],
    model: [{ name: "STRL", kind: "strl" }, { name: "DT", kind: "dt" }, { name: "BAD", kind: "strl", config: { nHeads: 3 } }],
    seed: [0],
  },
};

const root = mkdtempSync(join(tmpdir(), "strl-sweep-"));
const file = join(root, "sweep.json");
writeFileSync(file, JSON.stringify(SWEEP));
const body = (md: string) => md.slice(md.indexOf("\n## "));
const json = (r: { stdout: string }) => JSON.parse(r.stdout) as Record<string, unknown>;

test("bad sweep input is one line, exit 2, nothing written", () => {
  assert.match(userErrorLine(runCli(["sweep"])), /sweep needs a subcommand: plan, run, status, report, slurm/);
  assert.match(userErrorLine(runCli(["sweep", "plan", file])), /needs --out DIR/);
  const bad = join(root, "bad.json");
  writeFileSync(bad, JSON.stringify({ ...SWEEP, axes: { ...SWEEP.axes, seed: [0.5] } }));
  assert.match(userErrorLine(runCli(["sweep", "plan", bad, "--out", join(root, "bad")])), /job 0 .*seed must be an integer >= 0, got 0.5/);
  assert.equal(existsSync(join(root, "bad", "plan.json")), false);
  if (existsSync("/proc/self")) {
    // the sweep folder, its lock and its job folders are made one level at a time: no mkdir spinning under /proc
    const t0 = performance.now();
    assert.equal(userErrorLine(runCli(["sweep", "plan", file, "--out", "/proc/strl-test/sweep"])), "strl sweep: /proc/strl-test/sweep: cannot create folder /proc/strl-test: /proc exists but takes no new folders (ENOENT; a virtual file system such as /proc?)");
    assert.ok(performance.now() - t0 < 20_000, "sweep plan under /proc ended by itself");
  }
  runCli(["sweep", "plan", file, "--out", join(root, "p")]);
  assert.match(userErrorLine(runCli(["sweep", "run", join(root, "p"), "--index", "3"])), /--index 3: the plan .* has jobs 0..2/);
  assert.match(userErrorLine(runCli(["sweep", "run", join(root, "p"), "--index", "1", "--jobs", "2"])), /not both/);
  assert.match(userErrorLine(runCli(["sweep", "slurm", join(root, "p"), "--time", "1 h"])), /--time must be letters/);
  const other = join(root, "other.json");
  writeFileSync(other, JSON.stringify({ ...SWEEP, name: "u" }));
  assert.match(userErrorLine(runCli(["sweep", "plan", other, "--out", join(root, "p")])), /p already holds the plan of sweep 't' \(3 jobs\), not of 'u'; choose another --out$/);
});

test("2 workers, a killed job resumed, a failing job: only unfinished jobs run and the report is identical", async () => {
  // A: uninterrupted, 2 workers; the bad job fails and the others finish.
  const a = join(root, "a");
  assert.equal(runCli(["sweep", "plan", file, "--out", a]).status, 0);
  const ra = runCli(["sweep", "run", a, "--jobs", "2", "--json"], undefined, { STRL_THREADS: "1" });
  assert.equal(ra.status, 1, ra.stderr);
  const sa = json(runCli(["sweep", "status", a, "--json"]));
  assert.deepEqual(sa.counts, { done: 2, running: 0, stale: 0, failed: 1, pending: 0 });
  const failed = sa.failed as Array<{ index: number; error: string }>;
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.index, 2);
  assert.match(failed[0]!.error, /nHeads/);
  assert.match(runCli(["sweep", "status", a]).stdout, /^done 2, running 0, failed 1, pending 0 \(of 3\)\nfailed: job 2 \(0002-minigrid-bad-s0\): .*nHeads/);

  // B: job 0 killed (SIGKILL) after its first checkpoint, then the sweep run again with 1 worker.
  const b = join(root, "b");
  runCli(["sweep", "plan", file, "--out", b]);
  const j0 = join(b, "jobs", "0000-minigrid-strl-s0");
  const child = spawn(process.execPath, [MAIN, "sweep", "run", b, "--index", "0"], { stdio: "ignore" });
  const exited = new Promise((r) => child.on("exit", r));
  const log = join(j0, "run", "log.jsonl");
  for (let i = 0; i < 3000; i++) {
    if (existsSync(log) && readFileSync(log, "utf8").split("\n").length > 8) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill("SIGKILL");
  await exited;
  assert.equal(existsSync(join(j0, "result.json")), false, "the job finished before it was killed");
  const ck = JSON.parse(readFileSync(join(j0, "run", "checkpoint", "trainer.json"), "utf8")) as { step: number };
  assert.ok(ck.step >= 5 && ck.step < 40, `checkpoint at ${ck.step}`);
  // The killed job's lock names a process that is gone: stale, and the next run takes it over.
  assert.deepEqual(json(runCli(["sweep", "status", b, "--json"])).counts, { done: 0, running: 0, stale: 1, failed: 0, pending: 2 });
  const rb = json(runCli(["sweep", "run", b, "--jobs", "1", "--json"]));
  assert.deepEqual(rb.ran, [0, 1]);
  assert.match(readFileSync(join(j0, "output.log"), "utf8"), /resuming STRL \(40 steps\)/);
  // Again: the finished jobs are skipped, only the failing one runs (and fails again).
  const rb2 = json(runCli(["sweep", "run", b, "--jobs", "2", "--json"]));
  assert.deepEqual(rb2.ran, []);
  assert.deepEqual((rb2.failed as Array<{ index: number }>).map((f) => f.index), [2]);

  // Reports: the same bytes (summary, figures) and the same report after its provenance header.
  for (const d of [a, b]) assert.equal(runCli(["sweep", "report", d, "--json"]).status, 0);
  const sum = (d: string) => readFileSync(join(d, "report", "summary.json"), "utf8");
  assert.equal(sum(a), sum(b));
  const s = JSON.parse(sum(a)) as { summary: { columns: string[]; rows: string[][] }; finished: number };
  assert.equal(s.finished, 2);
  assert.deepEqual(s.summary.rows.map((r) => [r[2], r[3]]), [["STRL", "1/1"], ["DT", "1/1"], ["BAD", "0/1"]]);
  const acc = (JSON.parse(readFileSync(join(j0, "result.json"), "utf8")) as { outcome: { offline: { accuracy: number } } }).outcome.offline.accuracy;
  assert.equal(s.summary.rows[0]![4], `${(100 * acc).toFixed(2)} ± 0.00`); // one seed: its own number
  assert.equal(body(readFileSync(join(a, "report", "report.md"), "utf8")), body(readFileSync(join(b, "report", "report.md"), "utf8")));
  const figs = readdirSync(join(a, "report")).filter((f) => f.endsWith(".svg")).sort();
  assert.ok(figs.length >= 4, figs.join(","));
  for (const f of figs) assert.equal(readFileSync(join(a, "report", f), "utf8"), readFileSync(join(b, "report", f), "utf8"), f);
  // The header names the workers' engine: A's 2 workers ran with STRL_THREADS=1 (the report process has its own).
  const engineLine = readFileSync(join(a, "report", "report.md"), "utf8").split("\n").find((l) => l.startsWith("- Engine: "));
  assert.match(engineLine ?? "", /^- Engine: (native \([a-z0-9]+, 1 threads\)|wasm) in each of the 2 finished jobs$/);
  const jobEngine = (JSON.parse(readFileSync(join(a, "jobs", "0000-minigrid-strl-s0", "result.json"), "utf8")) as { engine: string }).engine;
  assert.equal(engineLine, `- Engine: ${jobEngine} in each of the 2 finished jobs`);
  // --update-readme: the README's block gets the compact table (the report keeps the full one); text around it stays.
  const readme = join(root, "README.md");
  writeFileSync(readme, "before\n<!-- results:start -->\nold\n<!-- results:end -->\nafter\n");
  assert.equal(runCli(["sweep", "report", a, "--out", join(root, "ra"), "--update-readme", readme]).status, 0);
  const md = readFileSync(readme, "utf8");
  assert.ok(md.startsWith("before\n<!-- results:start -->\nGenerated by `strl sweep report ") && md.endsWith("<!-- results:end -->\nafter\n"), md);
  assert.ok(md.includes("| row | task | model | score [95% CI] | success % [95% CI] | energy / decision (µJ) | vs ANN-STRL | vs ANN-STRL-int8 |"), md);
  const strlCells = md.split("\n").find((l) => l.includes("| STRL |"))!.split(" | ");
  type Res = { outcome: { closedLoop: { references: { random: number; expert: number }; targets: Array<{ episodes: Array<{ return: number; success: boolean }> }> }; closedLoopEnergy: { energyPerDecisionPj: number } } };
  const res = (JSON.parse(readFileSync(join(a, "jobs", "0000-minigrid-strl-s0", "result.json"), "utf8")) as Res).outcome;
  const ep = res.closedLoop.targets[0]!.episodes[0]!; // one seed, one episode
  const refs = res.closedLoop.references;
  assert.ok(strlCells[3]!.startsWith(`${((100 * (ep.return - refs.random)) / (refs.expert - refs.random)).toFixed(1)} [`), strlCells[3]);
  // Wilson for 1 of 1: [z^2 / (1 + z^2), 1] = [20.7, 100] %; for 0 of 1: [0, 79.3] %
  assert.equal(strlCells[4], ep.success ? "100 [21, 100]" : "0 [0, 79]");
  const uj = res.closedLoopEnergy.energyPerDecisionPj / 1e6;
  assert.equal(Number(strlCells[5]), Number(uj.toPrecision(3)));
  // Each row says what a success is on its env.
  assert.ok(readFileSync(join(a, "report", "report.md"), "utf8").includes('Data policy "expert" on `MiniGrid-Empty-8x8-v0`; success: info.isSuccess (goal reached).'));
  // The dataset was collected once per sweep folder.
  assert.equal(readdirSync(join(a, "cache")).filter((d) => d.startsWith("data-")).length, 1);
});
