import { test } from "node:test";
import assert from "node:assert/strict";
import { expandSweep, checkSweep, effectiveJob } from "../../src/experiments/sweep.js";
import { arrayRanges, shellQuote, slurmScript } from "../../src/experiments/sweep-slurm.js";
import { threadsPerWorker } from "../../src/experiments/sweep-pool.js";
import { canonicalJson, cacheKey } from "../../src/experiments/sweep-cache.js";
import { jobIndex } from "../../src/cli/commands/sweep.js";
import { jobsEngine, type JobResult } from "../../src/experiments/sweep-job.js";
import { successText } from "../../src/experiments/reproduce.js";

const TASK = (id: string) => ({ id, envId: "CartPole-v1", policy: "expert", episodes: 10 });
const base = { train: { steps: 5 }, eval: { episodes: 1 } };

test("a sweep expands in axis order, the first axis slowest, with dotted keys merged into the base", () => {
  const jobs = expandSweep({
    name: "t",
    base: { ...base, train: { steps: 5, batchSize: 8 } },
    axes: { task: [TASK("a"), TASK("b")], model: [{ name: "STRL", kind: "strl" }, { name: "DT", kind: "dt" }], seed: [0, 1], "train.lr": [0.001, 0.01] },
  });
  assert.equal(jobs.length, 16);
  assert.deepEqual(jobs.slice(0, 3).map((j) => j.id), ["0000-a-strl-s0", "0001-a-strl-s0", "0002-a-strl-s1"]);
  assert.deepEqual(jobs.map((j) => j.config.train.lr).slice(0, 4), [0.001, 0.01, 0.001, 0.01]);
  assert.equal(jobs[15]!.id, "0015-b-dt-s1");
  assert.deepEqual(jobs[5]!.config.train, { steps: 5, batchSize: 8, lr: 0.01 });
  assert.deepEqual(jobs[5]!.axes, { task: TASK("a"), model: { name: "DT", kind: "dt" }, seed: 0, "train.lr": 0.01 });
  assert.deepEqual(expandSweep({ name: "t", base, axes: { task: [TASK("a")], model: [{ name: "S", kind: "strl" }], seed: [3] } })[0]!.config.seed, 3);
});

test("exclude drops the jobs whose every listed key matches (a list matches any of its values)", () => {
  const jobs = expandSweep({
    name: "t",
    base,
    axes: { task: [TASK("a"), TASK("b"), TASK("c")], model: [{ name: "P", kind: "strl", config: { causal: false } }, { name: "S", kind: "strl" }], seed: [0] },
    exclude: [{ "model.name": "P", "task.id": ["b", "c"] }],
  });
  assert.deepEqual(jobs.map((j) => `${j.config.task.id}/${j.config.model.name}`), ["a/P", "a/S", "b/S", "c/S"]);
  assert.deepEqual(jobs.map((j) => j.index), [0, 1, 2, 3]);
});

test("malformed sweeps and jobs are ConfigErrors naming the problem", () => {
  const ok = { name: "t", base, axes: { task: [TASK("a")], model: [{ name: "S", kind: "strl" }], seed: [0] } };
  const bad: Array<[unknown, RegExp]> = [
    [[], /must be a JSON object/],
    [{ ...ok, name: "a b" }, /name must be/],
    [{ ...ok, axes: {} }, /axes must be a non-empty/],
    [{ ...ok, axes: { seed: [] } }, /axis 'seed' must be a non-empty array/],
    [{ ...ok, axes: { "1x": [1] } }, /dotted config path/],
    [{ ...ok, extra: 1 }, /unknown key 'extra'/],
    [{ ...ok, axes: { ...ok.axes, task: [{ ...TASK("a"), envId: "Nope-v0" }] } }, /job 0 .*task.envId must be a registered env/],
    [{ ...ok, axes: { ...ok.axes, model: [{ name: "S", kind: "cnn" }] } }, /model.kind must be one of/],
    [{ ...ok, axes: { ...ok.axes, seed: [-1] } }, /seed must be an integer >= 0/],
    [{ ...ok, base: { ...base, train: { steps: 0 } } }, /train.steps must be an integer >= 1/],
    [{ ...ok, base: { ...base, trian: {} } }, /unknown key 'trian'/],
    [{ ...ok, exclude: [{ "task.id": "a" }] }, /every job is excluded/],
  ];
  for (const [s, re] of bad) assert.throws(() => expandSweep(s), (e: Error) => e.name === "ConfigError" && re.test(e.message), JSON.stringify(s).slice(0, 80));
  assert.equal(checkSweep(ok).name, "t");
});

test("slurm: array ranges, quoting and the script", () => {
  assert.equal(arrayRanges([7, 0, 1, 2, 3, 5, 9, 8]), "0-3,5,7-9");
  assert.equal(arrayRanges([4]), "4");
  assert.equal(shellQuote("/a/b"), "/a/b");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  const s = slurmScript({ dir: "/r/sw", name: "small", indices: [0, 1, 3], partition: "debug", time: "00:10:00", cpus: 2, mem: "1G", throttle: 2, node: "/usr/bin/node", cli: "/x/main.js" });
  assert.equal(
    s,
    [
      "#!/bin/bash",
      "#SBATCH --job-name=strl-small",
      "#SBATCH --array=0-1,3%2",
      "#SBATCH --cpus-per-task=2",
      "#SBATCH --partition=debug",
      "#SBATCH --time=00:10:00",
      "#SBATCH --mem=1G",
      "#SBATCH --output=/r/sw/logs/slurm-%A_%a.out",
      "# Written by `strl sweep slurm`: one array task per unfinished job of the sweep; the task id is the job index.",
      "# A task of a finished job exits at once; a killed one resumes from its checkpoint when submitted again.",
      'export STRL_THREADS="${SLURM_CPUS_PER_TASK:-1}"',
      'exec /usr/bin/node /x/main.js sweep run /r/sw --index "$SLURM_ARRAY_TASK_ID"',
      "",
    ].join("\n"),
  );
});

test("job index from --index, SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX; threads per worker", () => {
  assert.equal(jobIndex("4", {}), 4);
  assert.equal(jobIndex(undefined, { SLURM_ARRAY_TASK_ID: "7", JOB_COMPLETION_INDEX: "2" }), 7);
  assert.equal(jobIndex(undefined, { JOB_COMPLETION_INDEX: "2" }), 2);
  assert.equal(jobIndex(undefined, {}), undefined);
  assert.throws(() => jobIndex(undefined, { SLURM_ARRAY_TASK_ID: "x" }), /SLURM_ARRAY_TASK_ID must be a job index/);
  assert.throws(() => jobIndex("-1", {}), /--index must be >= 0/);
  assert.deepEqual([threadsPerWorker(1, 16), threadsPerWorker(4, 16), threadsPerWorker(3, 16), threadsPerWorker(32, 16)], [16, 4, 5, 1]);
});

test("cache keys ignore key order", () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } }), '{"a":{"d":[1,{"x":1,"y":2}]},"b":1}');
  assert.equal(cacheKey("data", { a: 1, b: 2 }), cacheKey("data", { b: 2, a: 1 }));
  assert.notEqual(cacheKey("data", { a: 1 }), cacheKey("data", { a: 2 }));
});

test("strl reproduce is the shipped sweep: sweeps/reproduce-<scale>.json equals the rows and budget in code", async () => {
  const { readFileSync } = await import("node:fs");
  const { reproduceSweep, reproduceSweepPath } = await import("../../src/experiments/reproduce-sweep.js");
  for (const scale of ["small", "paper"] as const) {
    assert.deepEqual(JSON.parse(readFileSync(reproduceSweepPath(scale), "utf8")), JSON.parse(JSON.stringify(reproduceSweep(scale))), `sweeps/reproduce-${scale}.json is stale`);
  }
  const jobs = expandSweep(reproduceSweep("small"));
  assert.equal(jobs.length, 16 * 3 * 3 + 3); // 16 rows x 3 models x 3 seeds, and STRL in paper mode on row 1
  assert.deepEqual(jobs.slice(0, 4).map((j) => j.id), ["0000-maze-paper-strl-paper-mode-s0", "0001-maze-paper-strl-paper-mode-s1", "0002-maze-paper-strl-paper-mode-s2", "0003-maze-paper-strl-s0"]);
  assert.deepEqual(jobs[0]!.config.model, { name: "STRL (paper mode)", kind: "strl", config: { causal: false }, preset: "tiny" });
  assert.deepEqual(jobs[0]!.config.train, { steps: 250, batchSize: 32, lr: 0.001, warmupSteps: 25, evalEvery: 25 });
  assert.equal(jobs[0]!.config.task.episodes, 1000);
  assert.equal(jobs[119]!.id, "0119-pendulum-expert-dt-s2");
  // the locomotion rows: the DT's gym preset, their own budget and the DT's first target, at both scales
  const hopper = jobs.find((j) => j.id === "0120-hopper-medium-strl-s0")!;
  assert.deepEqual(effectiveJob(hopper.config), { preset: "small", train: { steps: 500, batchSize: 32, lr: 0.001, warmupSteps: 50, evalEvery: 100 }, eval: { episodes: 10 } });
  assert.equal(hopper.config.task.targetReturn, 3600);
  assert.equal(jobs.at(-1)!.id, "0146-halfcheetah-medium-dt-s2");
  assert.equal(jobs.at(-1)!.config.task.targetReturn, 12000);
  const paper = expandSweep(reproduceSweep("paper")).find((j) => j.config.task.id === "walker2d-medium")!;
  assert.deepEqual([effectiveJob(paper.config).train.steps, effectiveJob(paper.config).train.batchSize, paper.config.task.targetReturn], [100000, 64, 5000]);
});

test("a task's preset, train and eval fields override the job's; the rest of the job's stay", () => {
  const [j] = expandSweep({ name: "t", base: { ...base, model: { preset: "tiny" }, train: { steps: 5, lr: 0.01 } }, axes: { task: [{ ...TASK("a"), preset: "small", train: { steps: 9, batchSize: 4 }, eval: { episodes: 3 } }], model: [{ name: "S", kind: "strl" }], seed: [0] } });
  assert.deepEqual(effectiveJob(j!.config), { preset: "small", train: { steps: 9, lr: 0.01, batchSize: 4 }, eval: { episodes: 3 } });
  const [k] = expandSweep({ name: "t", base, axes: { task: [TASK("a")], model: [{ name: "S", kind: "strl", preset: "paper" }], seed: [0] } });
  assert.deepEqual(effectiveJob(k!.config), { preset: "paper", train: { steps: 5 }, eval: { episodes: 1 } });
});

test("a task's overrides are checked like the job's fields", () => {
  const sweep = (t: Record<string, unknown>) => ({ name: "t", base, axes: { task: [{ ...TASK("a"), ...t }], model: [{ name: "S", kind: "strl" }], seed: [0] } });
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ preset: "huge" }, /task.preset must be one of tiny, small, paper/],
    [{ train: { steps: 0 } }, /task.train.steps must be an integer >= 1/],
    [{ train: { batchSize: 2.5 } }, /task.train.batchSize must be an integer >= 1/],
    [{ train: { lr: -1 } }, /task.train.lr must be a number > 0/],
    [{ train: { stepz: 3 } }, /task.train: unknown key 'stepz'/],
    [{ train: 5 }, /task.train must be an object/],
    [{ eval: { episodes: 0 } }, /task.eval.episodes must be an integer >= 1/],
    [{ targetReturn: "high" }, /task.targetReturn must be a finite number/],
  ];
  for (const [t, re] of bad) assert.throws(() => expandSweep(sweep(t)), (e: Error) => e.name === "ConfigError" && re.test(e.message), JSON.stringify(t));
});

test("each report row states its env's success rule, or n/a", () => {
  assert.equal(successText("CartPole-v1"), "survived to the time limit (not terminated)");
  assert.equal(successText("Pendulum-v1"), "n/a (the env has no notion of success)");
  assert.equal(successText("Maze-21x21-v0"), "info.isSuccess (goal reached)");
});

test("the report's engine line names the engines the jobs ran on, not the reporting process's", () => {
  const r = (engine?: string) => ({ index: 0, id: "j", outcome: {} as JobResult["outcome"], ...(engine ? { engine } : {}) });
  assert.equal(jobsEngine([r("native (avx512, 1 threads)"), r("native (avx512, 1 threads)")]), "native (avx512, 1 threads) in each of the 2 finished jobs");
  assert.equal(jobsEngine([r("wasm")]), "wasm in the 1 finished job");
  assert.equal(
    jobsEngine([r("wasm"), r("native (avx2, 1 threads)"), r("native (avx2, 1 threads)"), r()]),
    "native (avx2, 1 threads) in 2 jobs; not recorded (a result from an older strl) in 1 job; wasm in 1 job",
  );
  assert.equal(jobsEngine([]), undefined);
});
