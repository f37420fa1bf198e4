/**
 * Sweep state read back from disk is checked as strictly as when it was planned: a forged job id cannot leave
 * the sweep folder, prototype keys are refused (and never reach Object.prototype), damaged plan, result and
 * reference files are one line naming the file (exit 2 from the CLI, no stack trace), and an axis that lists a
 * value twice is refused at plan time. No job is trained here: the files are written as a careless user or an
 * attacker would.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expandSweep } from "../../src/experiments/sweep.js";
import { jobDir, planSweep, readPlan, sweepStatus, PLAN_FILE } from "../../src/experiments/sweep-dir.js";
import { readResults, RESULT_FILE } from "../../src/experiments/sweep-job.js";
import { sharedReferences } from "../../src/experiments/sweep-cache.js";
import { runCli, userErrorLine } from "../cli/run-cli.js";

const SWEEP = {
  name: "t",
  base: { train: { steps: 5 }, eval: { episodes: 1 } },
  axes: { task: [{ id: "cp", envId: "CartPole-v1", policy: "expert", episodes: 10 }], model: [{ name: "S", kind: "strl" }, { name: "D", kind: "dt" }], seed: [0] },
};
let root: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), "strl-sweep-state-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

/** A planned sweep in a fresh folder `root/<name>/a/b/sweep` (deep, so `../../../x` stays inside root). */
function planned(name: string): { dir: string; plan: Record<string, unknown> & { jobs: Array<Record<string, unknown>> } } {
  const dir = join(root, name, "a", "b", "sweep");
  mkdirSync(dir, { recursive: true });
  planSweep(structuredClone(SWEEP), dir);
  return { dir, plan: JSON.parse(readFileSync(join(dir, PLAN_FILE), "utf8")) };
}

const rewrite = (dir: string, plan: unknown): void => writeFileSync(join(dir, PLAN_FILE), typeof plan === "string" ? plan : JSON.stringify(plan));

describe("sweep state read back from disk", () => {
  it("refuses a forged job id (../../../x) in plan.json in one line naming the file; nothing is written outside", () => {
    const { dir, plan } = planned("forged-id");
    plan.jobs[0]!.id = "../../../x";
    rewrite(dir, plan);
    assert.throws(() => readPlan(dir), (e: Error) => e.name === "ConfigError" && e.message === `${join(dir, PLAN_FILE)}: damaged sweep plan (job 0 is not what its sweep plans); plan the sweep again into a new folder`);
    for (const args of [["sweep", "status", dir], ["sweep", "run", dir, "--index", "0"]]) {
      assert.match(userErrorLine(runCli(args)), /plan\.json: damaged sweep plan \(job 0 is not what its sweep plans\)/, args.join(" "));
    }
    assert.equal(existsSync(join(root, "forged-id", "x")), false, "the forged job wrote outside the sweep folder");
    assert.throws(() => jobDir(dir, { id: "../x" } as never), /job id "\.\.\/x" is not a job id/);
    assert.throws(() => jobDir(dir, { id: "a/b" } as never), /is not a job id/);
  });

  it("refuses a plan whose job is empty, a job too many, a wrong name, a truncated file or another format", () => {
    const { dir, plan } = planned("damaged-plan");
    const path = join(dir, PLAN_FILE);
    const cases: Array<[unknown, string | RegExp]> = [
      [{ ...plan, jobs: [{}, plan.jobs[1]] }, `${path}: damaged sweep plan (job 0 is not what its sweep plans); plan the sweep again into a new folder`],
      [{ ...plan, jobs: [...plan.jobs, plan.jobs[1]] }, `${path}: damaged sweep plan (3 jobs where its sweep plans 2 is not what its sweep plans); plan the sweep again into a new folder`],
      [{ ...plan, name: "other" }, `${path}: damaged sweep plan (name "other" is not its sweep's)`],
      [{ ...plan, jobs: "all" }, `${path}: damaged sweep plan (jobs is not a list)`],
      [{ ...plan, format: "strl-sweep-plan/9" }, `${path}: not a sweep plan (format "strl-sweep-plan/9", expected 'strl-sweep-plan/1')`],
      [[], `${path}: not a sweep plan (not a JSON object)`],
      [{ ...plan, sweep: { ...SWEEP, axes: { ...SWEEP.axes, seed: [-1] } } }, /^\S+plan\.json: damaged sweep plan: its sweep: job 0 \(.*seed=-1\): seed must be an integer >= 0, got -1$/],
    ];
    for (const [bad, message] of cases) {
      rewrite(dir, bad);
      const fits = (m: string): boolean => (typeof message === "string" ? m === message : message.test(m));
      assert.throws(() => readPlan(dir), (e: Error) => e.name === "ConfigError" && fits(e.message), String(message));
    }
    rewrite(dir, JSON.stringify(plan).slice(0, 40));
    assert.match(userErrorLine(runCli(["sweep", "status", dir])), /plan\.json: not a sweep plan \(.*JSON/);
    rewrite(dir, plan);
    assert.equal(readPlan(dir).jobs.length, 2, "the intact plan still reads");
  });

  it("refuses prototype keys in a sweep (axis keys, exclude keys, nested in base) and leaves Object.prototype alone", () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ ...SWEEP, axes: { ...SWEEP.axes, "__proto__.polluted": [1] } }, /key 'axes\.__proto__\.polluted' is not allowed/],
      [{ ...SWEEP, axes: { ...SWEEP.axes, "constructor.prototype.polluted": [1] } }, /key 'axes\.constructor\.prototype\.polluted' is not allowed/],
      [JSON.parse(`{"name":"t","base":{"train":{"steps":5,"__proto__":{"polluted":1}}},"axes":${JSON.stringify(SWEEP.axes)}}`), /key 'base\.train\.__proto__' is not allowed/],
      [{ ...SWEEP, exclude: [{ "__proto__.x": 1 }] }, /key 'exclude\[0\]\.__proto__\.x' is not allowed/],
      [JSON.parse(`{"name":"t","base":{"train":{"steps":5}},"axes":{"__proto__":[{"polluted":1}],"seed":[0]}}`), /key 'axes\.__proto__' is not allowed/],
    ];
    for (const [s, re] of bad) assert.throws(() => expandSweep(s), (e: Error) => e.name === "ConfigError" && re.test(e.message), String(re));
    assert.equal(({} as Record<string, unknown>).polluted, undefined, "Object.prototype was polluted");
    const { dir, plan } = planned("proto-plan");
    rewrite(dir, { ...plan, sweep: { ...SWEEP, axes: { ...SWEEP.axes, "__proto__.polluted": [1] } } });
    assert.match(userErrorLine(runCli(["sweep", "status", dir])), /plan\.json: damaged sweep plan: its sweep: key 'axes\.__proto__\.polluted' is not allowed/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("refuses an axis that lists a value twice at plan time, writing nothing", () => {
    assert.throws(() => expandSweep({ ...SWEEP, axes: { ...SWEEP.axes, seed: [0, 1, 0] } }), /axis 'seed' lists 0 twice/);
    assert.throws(() => expandSweep({ ...SWEEP, axes: { ...SWEEP.axes, model: [{ name: "S", kind: "strl" }, { name: "S", kind: "strl" }] } }), /axis 'model' lists \{"name":"S","kind":"strl"\} twice/);
    const file = join(root, "dup.json");
    writeFileSync(file, JSON.stringify({ ...SWEEP, axes: { ...SWEEP.axes, seed: [2, 2] } }));
    const out = join(root, "dup");
    assert.match(userErrorLine(runCli(["sweep", "plan", file, "--out", out])), /axis 'seed' lists 2 twice/);
    assert.equal(existsSync(join(out, PLAN_FILE)), false);
  });

  it("refuses a truncated result.json, one without its outcome and one of another job, naming the file", () => {
    const { dir } = planned("results");
    const plan = readPlan(dir);
    const p = join(jobDir(dir, plan.jobs[0]!), RESULT_FILE);
    const ok = { index: 0, id: plan.jobs[0]!.id, outcome: { name: "S", kind: "strl", offline: { accuracy: 0.5 }, history: [] } };
    const cases: Array<[string, string]> = [
      [JSON.stringify(ok).slice(0, 30), "Unterminated string in JSON|Expected|Unexpected end"],
      [JSON.stringify({ index: 0, id: ok.id }), "no outcome"],
      [JSON.stringify({ ...ok, index: 1 }), `it is job 1 "${ok.id}"'s, not 0 ${ok.id}'s`],
      [JSON.stringify({ ...ok, outcome: { ...ok.outcome, name: "D" } }), "its outcome is not of model 'S' \\(strl\\)"],
      [JSON.stringify({ ...ok, outcome: { name: "S", kind: "strl" } }), "its outcome lacks the held-out metrics or the history"],
      ["null", "not a JSON object"],
    ];
    for (const [text, why] of cases) {
      writeFileSync(p, text);
      assert.throws(() => readResults(dir), (e: Error) => e.name === "ConfigError" && new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: damaged job result \\((${why})`).test(e.message), text);
    }
    writeFileSync(p, JSON.stringify(ok));
    assert.equal(readResults(dir).get(0)!.outcome.name, "S");
    assert.equal(sweepStatus(dir).counts.done, 1);
  });

  it("names a failed job's error.json without a message, and refuses damaged reference returns in one line", async () => {
    const { dir } = planned("errors");
    const plan = readPlan(dir);
    writeFileSync(join(jobDir(dir, plan.jobs[1]!), "error.json"), '{"message":{"x":1}}');
    assert.equal(sweepStatus(dir).jobs[1]!.error, "unknown error (error.json holds no message)");
    const spec = { envId: "CartPole-v1", episodes: 1, seeds: [777] };
    const { cacheKey } = await import("../../src/experiments/sweep-cache.js");
    const folder = join(dir, "cache", cacheKey("ref", spec));
    mkdirSync(folder, { recursive: true });
    for (const text of ["{", '{"random":"0","expert":1,"source":"x"}', "[]"]) {
      writeFileSync(join(folder, "references.json"), text);
      await assert.rejects(sharedReferences(dir, spec), (e: Error) => e.name === "ConfigError" && e.message === `${join(folder, "references.json")}: damaged reference returns (expected { random, expert, source }); remove its folder to measure them again`);
    }
  });
});
