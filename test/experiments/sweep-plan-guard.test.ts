/**
 * What planning refuses before it writes anything: a grid over the job limit (from the axes' lengths, before
 * any job is made), seeds outside 32 bits, and a folder that is another sweep's (another name, other jobs, a
 * damaged plan, foreign job folders, a reproduce folder), for `strl sweep plan` and `strl reproduce --out`.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expandSweep, MAX_JOBS } from "../../src/experiments/sweep.js";
import { planSweep, PLAN_FILE } from "../../src/experiments/sweep-dir.js";
import { acquireRunLock, RunLockedError } from "../../src/io/run-lock.js";
import { runCli, userErrorLine } from "../cli/run-cli.js";

const SWEEP = {
  name: "g",
  base: { train: { steps: 5 }, eval: { episodes: 1 } },
  axes: { task: [{ id: "cp", envId: "CartPole-v1", policy: "expert", episodes: 10 }], model: [{ name: "S", kind: "strl" }, { name: "D", kind: "dt" }], seed: [0, 1, 2] },
};
let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), "strl-plan-guard-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

describe("plan-time bounds", () => {
  it("refuses a grid over the job limit from the axes' lengths, before making any job", () => {
    assert.equal(MAX_JOBS, 100_000);
    const big = { ...SWEEP, axes: { ...SWEEP.axes, seed: Array.from({ length: 400 }, (_, i) => i), "train.lr": Array.from({ length: 400 }, (_, i) => (i + 1) / 1e4) } };
    const t0 = performance.now();
    assert.throws(
      () => expandSweep(big),
      (e: Error) => e.name === "ConfigError" && e.message === "sweep: its axes give 1 x 2 x 400 x 400 = 320,000 jobs (before exclude), over the limit of 100,000 jobs per sweep; split it into smaller sweeps",
    );
    assert.ok(performance.now() - t0 < 1000, "the refusal took as long as expanding the grid");
    // At the limit it plans; one combination over, it does not (a small limit: 1 x 2 x 3 = 6).
    assert.equal(expandSweep(SWEEP, "sweep", 6).length, 6);
    assert.throws(() => expandSweep(SWEEP, "sweep", 5), /its axes give 1 x 2 x 3 = 6 jobs \(before exclude\), over the limit of 5 jobs per sweep/);
  });

  it("refuses seeds outside 0..4294967295 at plan time and plans the last one", () => {
    const withSeed = (seed: unknown) => ({ ...SWEEP, axes: { ...SWEEP.axes, seed: [seed] } });
    assert.throws(() => expandSweep(withSeed(2 ** 32)), /job 0 \(.*seed=4294967296\): seed must be an integer <= 4294967295 \(32 bits, as every --seed\), got 4294967296$/);
    assert.throws(() => expandSweep(withSeed(-1)), /seed must be an integer >= 0, got -1$/);
    assert.throws(() => expandSweep(withSeed(2 ** 53)), /seed must be an integer >= 0, got 9007199254740992$/);
    assert.equal(expandSweep(withSeed(0xffffffff))[0]!.id, "0000-cp-s-s4294967295");
    const file = join(root, "seed.json");
    writeFileSync(file, JSON.stringify(withSeed(2 ** 32)));
    assert.match(userErrorLine(runCli(["sweep", "plan", file, "--out", join(root, "seed")])), /seed must be an integer <= 4294967295/);
    assert.equal(existsSync(join(root, "seed", PLAN_FILE)), false);
  });
});

describe("planning into another sweep's folder", () => {
  it("is a no-op for the same sweep (even with another description) and refuses another name or other jobs", () => {
    const dir = join(root, "same");
    assert.equal(planSweep(structuredClone(SWEEP), dir).jobs.length, 6);
    const before = readFileSync(join(dir, PLAN_FILE), "utf8");
    assert.equal(planSweep({ ...structuredClone(SWEEP), description: "the same jobs" }, dir).jobs.length, 6);
    assert.equal(readFileSync(join(dir, PLAN_FILE), "utf8"), before, "the plan was rewritten");
    assert.throws(() => planSweep({ ...SWEEP, name: "h" }, dir), (e: Error) => e.name === "ConfigError" && e.message === `${dir} already holds the plan of sweep 'g' (6 jobs), not of 'h'; choose another --out`);
    assert.throws(
      () => planSweep({ ...SWEEP, axes: { ...SWEEP.axes, seed: [0, 1] } }, dir),
      (e: Error) => e.message === `${dir} already holds another plan of sweep 'g' (6 jobs; this one plans 4 jobs, job 2 differs); choose another --out`,
    );
    assert.throws(() => planSweep({ ...SWEEP, base: { ...SWEEP.base, train: { steps: 6 } } }, dir), /already holds another plan of sweep 'g' \(6 jobs; this one plans 6 jobs, job 0 differs\)/);
    assert.equal(readFileSync(join(dir, PLAN_FILE), "utf8"), before);
    writeFileSync(join(dir, PLAN_FILE), "{");
    assert.throws(
      () => planSweep(SWEEP, dir),
      (e: Error) => e.message.startsWith(`${dir} already holds a sweep plan that does not read (${join(dir, PLAN_FILE)}: not a sweep plan (`) && e.message.endsWith("); choose another --out"),
    );
  });

  it("refuses job folders that are not this sweep's, a reproduce folder, and a plan while another plans", () => {
    const foreign = join(root, "foreign");
    mkdirSync(join(foreign, "jobs", "0000-x-y-s0"), { recursive: true });
    assert.throws(() => planSweep(SWEEP, foreign), (e: Error) => e.message === `${join(foreign, "jobs")} holds '0000-x-y-s0', which is not a job of sweep 'g' (another sweep's, or not a sweep's); choose another --out`);
    assert.deepEqual(readdirSync(join(foreign, "jobs")), ["0000-x-y-s0"], "a job folder was written beside another's");
    const rep = join(root, "rep");
    planSweep({ ...SWEEP, name: "reproduce-small" }, join(rep, "sweep"));
    assert.throws(() => planSweep(SWEEP, rep), (e: Error) => e.message === `${rep} holds a strl reproduce report whose sweep is ${join(rep, "sweep")} (sweep 'reproduce-small', 6 jobs); choose another --out`);
    assert.equal(existsSync(join(rep, PLAN_FILE)), false);
    const busy = join(root, "busy");
    const lock = acquireRunLock(busy);
    try {
      assert.throws(() => planSweep(SWEEP, busy), (e: unknown) => e instanceof RunLockedError && e.pid === process.pid);
    } finally {
      lock.release();
    }
    assert.equal(planSweep(SWEEP, busy).jobs.length, 6);
  });

  it("strl sweep plan and strl reproduce --out refuse another sweep's folder in one line, writing nothing", () => {
    const file = join(root, "other.json");
    writeFileSync(file, JSON.stringify({ ...SWEEP, name: "other" }));
    const planned = join(root, "planned");
    planSweep(SWEEP, planned);
    assert.equal(userErrorLine(runCli(["sweep", "plan", file, "--out", planned])), `strl sweep: ${planned} already holds the plan of sweep 'g' (6 jobs), not of 'other'; choose another --out`);
    assert.equal(
      userErrorLine(runCli(["reproduce", "--out", planned, "--only", "cartpole-expert", "--seeds", "0"])),
      `strl reproduce: --out: ${planned} is the folder of a planned sweep (sweep 'g', 6 jobs); strl reproduce plans into OUT/sweep of its own --out: choose another --out`,
    );
    assert.equal(existsSync(join(planned, "sweep")), false, "reproduce planned inside another sweep's folder");
    // A reproduce folder whose sweep has other seeds: refused by the plan check, prefixed with --out.
    const rep = join(root, "rep2");
    planSweep({ ...SWEEP, name: "reproduce-small" }, join(rep, "sweep"));
    assert.match(userErrorLine(runCli(["reproduce", "--out", rep, "--only", "cartpole-expert", "--seeds", "0"])), /^strl reproduce: --out: .*rep2\/sweep already holds another plan of sweep 'reproduce-small' \(6 jobs; this one plans 3 jobs, job 0 differs\); choose another --out$/);
  });
});
