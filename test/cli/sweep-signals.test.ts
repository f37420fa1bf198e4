/**
 * Two runners and signals, end to end with real processes on a tiny CartPole sweep: a runner beside another
 * skips the other's job and exits 0, and SIGTERM to `sweep run` is forwarded to its worker, which saves a
 * checkpoint and exits; the runner exits 143 after it, leaving no worker behind.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAIN, runCli } from "./run-cli.js";
import { acquireRunLock, LOCK_FILE } from "../../src/io/run-lock.js";
import { processAlive } from "../../src/io/fs-safe.js";
import { planTiny } from "./sweep-fixture.js";

const root = mkdtempSync(join(tmpdir(), "strl-sweep-signals-"));
after(() => rmSync(root, { recursive: true, force: true }));

describe("strl sweep runners and signals", () => {
  it("a runner beside another skips the job the other holds, counts it as no failure and exits 0", () => {
    const { dir, jd } = planTiny(root, "beside", 3, [0, 1]);
    const held = acquireRunLock(jd(0)); // the other runner (this test process) holds job 0
    try {
      const r = runCli(["sweep", "run", dir, "--jobs", "1", "--json"], undefined, { STRL_THREADS: "1" });
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.deepEqual([out.ran, out.failed, out.elsewhere, out.stopped], [[1], [], [0], []]);
      assert.match(r.stderr, /job 0 \(0000-cp-s-s0\) skipped \(running elsewhere: pid \d+ on host /);
      const one = runCli(["sweep", "run", dir, "--index", "0"]);
      assert.equal(one.status, 0, one.stderr);
      assert.match(one.stderr, /job 0 \(0000-cp-s-s0\) skipped \(running elsewhere: pid \d+ on host /);
      assert.equal(existsSync(join(jd(0), "result.json")), false);
    } finally {
      held.release();
    }
  });

  it("SIGTERM to sweep run reaches its worker, which saves a checkpoint and exits; the runner exits 143 after it", async () => {
    const { dir, jd } = planTiny(root, "signal", 1_000_000, [0]);
    const runner = spawn(process.execPath, [MAIN, "sweep", "run", dir, "--jobs", "1"], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, STRL_THREADS: "1" } });
    let stderr = "";
    runner.stderr.on("data", (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((r) => runner.on("exit", (code) => r(code)));
    const log = join(jd(0), "run", "log.jsonl");
    let worker = 0;
    for (let i = 0; i < 6000 && !(existsSync(log) && readFileSync(log, "utf8").split("\n").length > 3); i++) await new Promise((r) => setTimeout(r, 10));
    worker = (JSON.parse(readFileSync(join(jd(0), LOCK_FILE), "utf8")) as { pid: number }).pid;
    assert.notEqual(worker, runner.pid, "the job runs in a worker process");
    runner.kill("SIGTERM");
    assert.equal(await exited, 143, stderr);
    assert.equal(processAlive(worker), false, "the worker outlived its runner");
    assert.match(stderr, /SIGTERM: forwarded to 1 worker\(s\) \(pid \d+\); no new job starts/);
    assert.match(stderr, /job 0 \(0000-cp-s-s0\) stopped \(exit code 143\); the next run resumes it/);
    // The worker saved at the update it stopped after (checkpointEvery is the whole run: only the stop saves).
    const steps = readFileSync(log, "utf8").trim().split("\n").length;
    const ck = JSON.parse(readFileSync(join(jd(0), "run", "checkpoint", "trainer.json"), "utf8")) as { step: number };
    assert.equal(ck.step, steps);
    assert.ok(steps >= 3 && steps < 1_000_000);
    assert.match(readFileSync(join(jd(0), "output.log"), "utf8"), /SIGTERM: saving a checkpoint after this update[\s\S]*stopped at step \d+\/1000000/);
    assert.equal(existsSync(join(jd(0), "result.json")), false);
    assert.equal(existsSync(join(jd(0), "error.json")), false, "a stopped job is not a failure");
    assert.deepEqual((JSON.parse(runCli(["sweep", "status", dir, "--json"]).stdout) as { counts: unknown }).counts, { done: 0, running: 0, stale: 0, failed: 0, pending: 1 });
  });
});
