/**
 * `strl sweep` with locks, end to end with real processes on a tiny CartPole sweep: status shows a job killed on
 * another node as stale, unlock removes locks (refusing fresh ones unless --force), slurm submits stale jobs
 * again, and the next run takes a stale job over and resumes it from its checkpoint.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAIN, runCli, userErrorLine } from "./run-cli.js";
import { LOCK_FILE } from "../../src/io/run-lock.js";
import { otherNodeLock as otherNode, planTiny } from "./sweep-fixture.js";

const root = mkdtempSync(join(tmpdir(), "strl-sweep-locks-"));
after(() => rmSync(root, { recursive: true, force: true }));

describe("strl sweep locks", () => {
  it("status shows stale and running jobs; unlock refuses a fresh lock unless --force; slurm resubmits stale jobs", () => {
    const { dir, jd } = planTiny(root, "status", 3, [0, 1, 2]);
    otherNode(jd(0), 5);
    otherNode(jd(1), 300);
    const st = runCli(["sweep", "status", dir]);
    assert.equal(st.status, 0, st.stderr);
    const lines = st.stdout.split("\n");
    assert.equal(lines[0], "done 0, running 1, stale 1, failed 0, pending 1 (of 3)");
    assert.match(lines[1]!, /^job 0 \(0000-cp-s-s0\): running: pid 4242 on host node7, started 2025-01-02T03:04:05Z, heartbeat \d+s ago$/);
    assert.match(lines[2]!, /^job 1 \(0001-cp-s-s1\): stale \(heartbeat 3\d\ds ago, over the 120s timeout\): pid 4242 on host node7, started 2025-01-02T03:04:05Z$/);
    assert.equal(lines[3], `stale jobs are taken over by the next run (strl sweep run ${dir}); strl sweep unlock ${dir} --all-stale frees them now`);
    const js = JSON.parse(runCli(["sweep", "status", dir, "--json"]).stdout) as { counts: Record<string, number>; locks: { stale: Array<{ index: number; pid: number; host: string }> } };
    assert.deepEqual(js.counts, { done: 0, running: 1, stale: 1, failed: 0, pending: 1 });
    assert.deepEqual(js.locks.stale.map((l) => [l.index, l.pid, l.host]), [[1, 4242, "node7"]]);
    assert.equal(userErrorLine(runCli(["sweep", "status", dir], undefined, { STRL_LOCK_TIMEOUT_S: "soon" })), "strl sweep: STRL_LOCK_TIMEOUT_S must be a number of seconds > 0 and <= 604800 (default 120), got 'soon'");

    // slurm: the stale job and the pending one, not the running one.
    assert.match(runCli(["sweep", "slurm", dir, "--print"]).stdout, /#SBATCH --array=1-2\n/);

    assert.match(userErrorLine(runCli(["sweep", "unlock", dir, "--index", "0"])), /^strl sweep: job 0 \(0000-cp-s-s0\) is held by pid 4242 on host node7, .*: it may be running; --force removes the lock anyway$/);
    assert.ok(existsSync(join(jd(0), LOCK_FILE)));
    const all = runCli(["sweep", "unlock", dir, "--all-stale"]);
    assert.match(all.stdout, /^job 1 \(0001-cp-s-s1\): removed \S+\/0001-cp-s-s1\/\.strl-lock of pid 4242 on host node7, started 2025-01-02T03:04:05Z, heartbeat (3\d\d)s ago \(stale: heartbeat \1s ago, over the 120s timeout\)\n$/);
    assert.equal(existsSync(join(jd(1), LOCK_FILE)), false);
    const forced = runCli(["sweep", "unlock", dir, "--index", "0", "--force"]);
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(forced.stdout, /^job 0 \(0000-cp-s-s0\): removed .* of pid 4242 on host node7, .*\(its heartbeat was fresh: removed by --force\)\n$/);
    assert.equal(runCli(["sweep", "unlock", dir, "--index", "2"]).stdout, "job 2 holds no lock; nothing to remove\n");
    assert.match(userErrorLine(runCli(["sweep", "unlock", dir])), /needs --index K \(one job's locks\) or --all-stale/);
    assert.match(runCli(["sweep", "--help"]).stdout, /strl sweep unlock DIR --index K \[--force\] \| --all-stale/);
  });

  it("a job killed on another node is taken over once its heartbeat is stale and resumes from its checkpoint", async () => {
    const { dir, jd: job } = planTiny(root, "takeover", 40, [0], 5);
    const jd = job(0);
    const child = spawn(process.execPath, [MAIN, "sweep", "run", dir, "--index", "0"], { stdio: "ignore", env: { ...process.env, STRL_THREADS: "1" } });
    const exited = new Promise((r) => child.on("exit", r));
    const log = join(jd, "run", "log.jsonl");
    for (let i = 0; i < 6000 && !(existsSync(log) && readFileSync(log, "utf8").split("\n").length > 8); i++) await new Promise((r) => setTimeout(r, 10));
    child.kill("SIGKILL");
    await exited;
    assert.equal(existsSync(join(jd, "result.json")), false, "the job finished before it was killed");
    // As if it had run on node7: its job lock's last heartbeat 300 s ago, its run lock's (another thread) 100 s ago.
    otherNode(jd, 300);
    otherNode(join(jd, "run"), 100);
    const r = runCli(["sweep", "run", dir, "--index", "0"], undefined, { STRL_THREADS: "1" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /job 0 \(0000-cp-s-s0\): \S+\/\.strl-lock: took over a stale lock \(heartbeat 3\d\ds ago, over the 120s timeout; pid 4242 on host node7, /);
    assert.match(r.stderr, /job 0 \(0000-cp-s-s0\): removed the training run's lock of the same process \(pid 4242 on host node7, .*heartbeat 1\d\ds ago\)/);
    assert.match(r.stderr, /resuming S \(40 steps\)/);
    assert.ok(existsSync(join(jd, "result.json")));
    assert.equal(existsSync(join(jd, LOCK_FILE)) || existsSync(join(jd, "run", LOCK_FILE)), false, "a lock outlived the job");
  });
});
