/**
 * A sweep's job locks: status tells running (a live holder) from stale (heartbeat too old, process gone);
 * unlock removes a job's locks after saying whose they were and refuses fresh ones unless forced; the local
 * runner skips jobs another process holds ("running elsewhere", not failed) and forwards signals to its
 * workers. The runner's children here are a fake CLI script (no training): the real ones are in
 * test/cli/sweep-signals.test.ts.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { jobDir, lockLine, planSweep, readPlan, sweepStatus, unfinishedJobs } from "../../src/experiments/sweep-dir.js";
import { unlockedLine, unlockJob, unlockStale } from "../../src/experiments/sweep-unlock.js";
import { forwardSignal, runPool, signalExitCode, type Signalable } from "../../src/experiments/sweep-pool.js";
import { acquireRunLock, LOCK_FILE } from "../../src/io/run-lock.js";

const SWEEP = {
  name: "l",
  base: { train: { steps: 5 }, eval: { episodes: 1 } },
  axes: { task: [{ id: "cp", envId: "CartPole-v1", policy: "expert", episodes: 10 }], model: [{ name: "S", kind: "strl" }, { name: "D", kind: "dt" }], seed: [0, 1, 2] },
};
let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), "strl-sweep-locks-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

const STARTED = Date.parse("2025-01-02T03:04:05Z");
/** Another node's lock on `dir` whose heartbeat was `agoS` seconds ago. */
function otherNode(dir: string, agoS: number, pid = 4242): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, host: "node7", started: STARTED, heartbeat: Date.now() - agoS * 1000, token: "ab12" }));
}

function planned(name: string): { dir: string; jd: (i: number) => string } {
  const dir = join(root, name);
  planSweep(structuredClone(SWEEP), dir);
  const plan = readPlan(dir);
  return { dir, jd: (i) => jobDir(dir, plan.jobs[i]!) };
}

describe("sweep job locks", () => {
  it("status: a fresh lock is running, an old heartbeat or a gone process is stale, and stale jobs are unfinished", () => {
    const { dir, jd } = planned("status");
    otherNode(jd(0), 5);
    otherNode(jd(1), 300);
    writeFileSync(join(jd(2), LOCK_FILE), JSON.stringify({ pid: 99999999, host: hostname(), started: STARTED, heartbeat: Date.now(), token: "cd" }));
    writeFileSync(join(jd(3), LOCK_FILE), "{garbage");
    const old = (Date.now() - 400_000) / 1000;
    writeFileSync(join(jd(4), LOCK_FILE), "{garbage");
    utimesSync(join(jd(4), LOCK_FILE), old, old);
    const st = sweepStatus(dir, { timeoutS: 120 });
    assert.deepEqual(st.counts, { done: 0, running: 2, stale: 3, failed: 0, pending: 1 });
    assert.deepEqual(st.jobs.map((j) => j.state), ["running", "stale", "stale", "running", "stale", "pending"]);
    assert.match(lockLine(st.jobs[0]!), /^running: pid 4242 on host node7, started 2025-01-02T03:04:05Z, heartbeat [56]s ago$/);
    assert.match(lockLine(st.jobs[1]!), /^stale \(heartbeat 30[01]s ago, over the 120s timeout\): pid 4242 on host node7, started 2025-01-02T03:04:05Z$/);
    assert.equal(lockLine(st.jobs[2]!), `stale (process 99999999 on this host is gone): pid 99999999 on host ${hostname()}, started 2025-01-02T03:04:05Z`);
    assert.match(lockLine(st.jobs[3]!), /^running: .*\.strl-lock is not a strl lock \(not JSON\), written [01]s ago; it counts as held until it is 120s old$/);
    assert.match(lockLine(st.jobs[4]!), /^stale \(.*\.strl-lock is not a strl lock \(not JSON\), written 40[01]s ago\)$/);
    assert.deepEqual(unfinishedJobs(dir).map((j) => j.index), [1, 2, 4, 5]);
  });

  it("unlock --index refuses a fresh lock unless forced, removes the job's and its run's locks and says whose", () => {
    const { dir, jd } = planned("unlock");
    otherNode(jd(0), 5);
    assert.throws(
      () => unlockJob(dir, 0, false, { timeoutS: 120 }),
      (e: Error) => e.name === "ConfigError" && /^job 0 \(0000-cp-s-s0\) is held by pid 4242 on host node7, started 2025-01-02T03:04:05Z, heartbeat [56]s ago \(a live process, or a heartbeat under the 120s timeout\): it may be running; --force removes the lock anyway$/.test(e.message),
    );
    assert.ok(existsSync(join(jd(0), LOCK_FILE)), "a refused unlock removed the lock");
    const forced = unlockJob(dir, 0, true, { timeoutS: 120 });
    assert.equal(forced.length, 1);
    assert.match(unlockedLine(forced[0]!), /^job 0 \(0000-cp-s-s0\): removed .*0000-cp-s-s0\/\.strl-lock of pid 4242 on host node7, started 2025-01-02T03:04:05Z, heartbeat [56]s ago \(its heartbeat was fresh: removed by --force\)$/);
    assert.equal(existsSync(join(jd(0), LOCK_FILE)), false);
    // A job killed on another node leaves its lock and its training run's lock: both go.
    otherNode(jd(1), 300);
    otherNode(join(jd(1), "run"), 290);
    const both = unlockJob(dir, 1, false, { timeoutS: 120 });
    assert.deepEqual(both.map((u) => u.lock.path), [join(jd(1), LOCK_FILE), join(jd(1), "run", LOCK_FILE)]);
    assert.match(unlockedLine(both[0]!), /\(stale: heartbeat 30[01]s ago, over the 120s timeout\)$/);
    assert.equal(existsSync(join(jd(1), "run", LOCK_FILE)), false);
    assert.deepEqual(unlockJob(dir, 2, false), [], "a job without a lock");
    assert.throws(() => unlockJob(dir, 6, true), (e: Error) => e instanceof RangeError && e.message === `--index 6: the plan in ${dir} has jobs 0..5`);
    mkdirSync(join(jd(3), LOCK_FILE));
    assert.throws(() => unlockJob(dir, 3, true), (e: Error) => e.message === `job 3 (0003-cp-d-s0): ${join(jd(3), LOCK_FILE)} is a folder, not a lock strl wrote; move it away`);
    assert.ok(existsSync(join(jd(3), LOCK_FILE)), "a folder in a lock's place was removed");
  });

  it("unlock --all-stale removes stale locks only", () => {
    const { dir, jd } = planned("all-stale");
    otherNode(jd(0), 5);
    otherNode(jd(2), 300);
    otherNode(join(jd(4), "run"), 500, 77);
    const removed = unlockStale(dir, { timeoutS: 120 });
    assert.deepEqual(removed.map((u) => [u.job.index, u.lock.owner!.pid]), [[2, 4242], [4, 77]]);
    assert.ok(existsSync(join(jd(0), LOCK_FILE)), "a fresh lock was removed");
    assert.deepEqual(unlockStale(dir, { timeoutS: 120 }), []);
  });
});

/** A stand-in for `strl sweep run DIR --index K`: does what acts.json says for job K. */
const FAKE_CLI = `
import { readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
const dir = process.argv[4], index = process.argv[6];
const job = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")).jobs[Number(index)];
const jd = join(dir, "jobs", job.id);
const act = JSON.parse(readFileSync(join(dir, "acts.json"), "utf8"))[index];
writeFileSync(join(dir, "ran-" + index), "");
if (act === "done") { writeFileSync(join(jd, "result.json"), "{}"); process.exit(0); }
if (act === "fail") { writeFileSync(join(jd, "error.json"), JSON.stringify({ message: "boom" })); process.exit(1); }
// "lose": another process took the job's lock first (the test process, alive on this host).
writeFileSync(join(jd, ".strl-lock"), JSON.stringify({ pid: process.ppid, host: hostname(), started: Date.now(), heartbeat: Date.now(), token: "beef" }));
process.exit(2);
`;

describe("the local runner beside another runner", () => {
  it("skips jobs another process holds or takes while it runs, runs stale ones, and fails only real failures", async () => {
    const { dir, jd } = planned("pool");
    const cli = join(root, "fake-cli.mjs");
    writeFileSync(cli, FAKE_CLI);
    writeFileSync(join(dir, "acts.json"), JSON.stringify({ 1: "fail", 2: "done", 3: "fail", 4: "lose", 5: "done" }));
    writeFileSync(join(jd(0), "result.json"), "{}"); // done before
    const held = acquireRunLock(jd(1)); // another runner holds job 1
    otherNode(jd(2), 300); // job 2 was killed on another node
    const lines: string[] = [];
    try {
      const r = await runPool({ dir, cli, jobs: 1, log: (l) => lines.push(l), forwardSignals: false });
      assert.deepEqual(r, { ran: [2, 5], failed: [{ index: 3, error: "boom" }], skipped: 1, elsewhere: [1, 4], stopped: [] });
    } finally {
      held.release();
    }
    assert.equal(existsSync(join(dir, "ran-1")), false, "a job held by another runner was started");
    assert.equal(existsSync(join(dir, "ran-0")), false, "a finished job was started");
    assert.ok(lines.includes("job 2 (0002-cp-s-s2) taken over and started"), lines.join("\n"));
    assert.ok(lines.some((l) => /^job 1 \(0001-cp-s-s1\) skipped \(running elsewhere: pid \d+ on host .*heartbeat \d+s ago\)$/.test(l)), lines.join("\n"));
    assert.ok(lines.some((l) => /^job 4 \(0004-cp-d-s1\) skipped \(running elsewhere: pid \d+ on host /.test(l)), lines.join("\n"));
    assert.equal(readFileSync(join(jd(4), LOCK_FILE), "utf8").includes('"token":"beef"'), true);
  });

  it("forwards a signal to the workers still running, and exits 128 + its number", () => {
    const sent: Array<[number, string]> = [];
    const child = (pid: number, exitCode: number | null, signalCode: NodeJS.Signals | null): Signalable => ({
      pid,
      exitCode,
      signalCode,
      kill: (s) => (sent.push([pid, s]), true),
    });
    const children = [child(11, null, null), child(12, 0, null), child(13, null, "SIGKILL"), child(14, null, null)];
    assert.deepEqual(forwardSignal(children, "SIGINT"), [11, 14]);
    assert.deepEqual(sent, [[11, "SIGINT"], [14, "SIGINT"]]);
    assert.equal(signalExitCode("SIGINT"), 130);
    assert.equal(signalExitCode("SIGTERM"), 143);
  });
});
