/**
 * Every long loop can be stopped: SIGINT or SIGTERM during `strl train`'s closed-loop evaluation (--eval-episodes)
 * ends the run within 2 s with exit code 130 (SIGTERM: 143), the update logged without its evaluation, a complete checkpoint
 * that --resume continues, and the run lock released; SIGINT during `strl collect` ends it at once and leaves no
 * file. The evaluation is far longer than the test (100,000 episodes), so a run that ignores the signal fails it.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCheckpoint } from "../../src/checkpoint/index.js";
import { MAIN, runCli } from "./run-cli.js";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "strl-cli-signals-"));
  const c = runCli(["collect", "--env", "CartPole-v1", "--policy", "random", "--episodes", "12", "--out", join(dir, "d.h5")]);
  assert.equal(c.status, 0, c.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Stopped {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** Milliseconds from the signal to the process's end. */
  ms: number;
}

/** Runs the CLI and sends `sig` `delayMs` after `ready` first matches its stderr (or at once when there is none). */
function runAndSignal(args: string[], sig: NodeJS.Signals, ready: RegExp | undefined, delayMs: number): Promise<Stopped> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let sentAt: number | undefined;
    const send = (): void => {
      if (sentAt !== undefined) return;
      setTimeout(() => {
        sentAt = performance.now();
        child.kill(sig);
      }, delayMs);
    };
    const guard = setTimeout(() => child.kill("SIGKILL"), 240_000);
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (ready && ready.test(stderr)) send();
    });
    if (!ready) send();
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stderr, ms: sentAt === undefined ? Number.NaN : performance.now() - sentAt });
    });
  });
}

const train = (out: string): string[] => [
  "train", "--env", "CartPole-v1", "--data", "d.h5", "--model", "strl", "--preset", "tiny", "--batch-size", "4",
  "--steps", "3", "--checkpoint-every", "1", "--eval-every", "2", "--eval-episodes", "100000", "--out", out,
];

describe("signals during long loops", () => {
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    it(`${sig} during train's closed-loop evaluation stops it within 2 s: exit 128 + the signal's number, checkpoint complete, lock released`, async () => {
      const out = `eval-${sig}`;
      const r = await runAndSignal(train(out), sig, /step 2: closed-loop evaluation, 100000 episodes/, 300);
      assert.equal(r.code, sig === "SIGINT" ? 130 : 143, r.stderr);
      assert.ok(r.ms < 2000, `ended ${r.ms.toFixed(0)} ms after ${sig}`);
      assert.match(r.stderr, new RegExp(`${sig}: saving a checkpoint`));
      assert.match(r.stderr, new RegExp(`${sig} at step 2/3; checkpoint in ${out}/checkpoint`));
      const records = readFileSync(join(dir, out, "log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, number>);
      assert.deepEqual(records.map((x) => x.step), [1, 2]);
      assert.equal(records[1]!["evaluation/return"], undefined, "the cut evaluation is not logged");
      assert.equal(typeof records[1]!["evaluation/accuracy"], "number", "the validation before it is");
      assert.deepEqual(readdirSync(join(dir, out)).sort(), ["checkpoint", "checkpoint.v1", "checkpoint.v2", "log.jsonl"], "no lock, no temp file");
      const ck = await loadCheckpoint(join(dir, out, "checkpoint"), { requireTrainingState: true });
      assert.equal((ck.trainer as { step: number }).step, 2);
      // The resumed run would restore --eval-episodes 100000: the flag turns the closed loop off, and says so.
      const resumed = runCli(["train", "--data", join(dir, "d.h5"), "--out", join(dir, out), "--resume", "--quiet", "--eval-episodes", "0"]);
      assert.equal(resumed.status, 0, resumed.stderr);
      assert.match(resumed.stdout, /for 3 steps/);
      assert.match(resumed.stderr, /--resume: overriding the run's saved settings: --eval-episodes 0 \(the run had 100000\), output quiet \(the run had default\)/);
    });
  }

  it("SIGINT during collect ends it at once and leaves no file", async () => {
    // 500,000 CartPole episodes take minutes: the signal comes long before the file would be written
    const r = await runAndSignal(["collect", "--env", "CartPole-v1", "--policy", "random", "--episodes", "500000", "--out", "big.h5"], "SIGINT", undefined, 1500);
    assert.ok(r.signal === "SIGINT" || r.code === 130, `ended with ${r.signal ?? r.code}`);
    assert.ok(r.ms < 2000, `ended ${r.ms.toFixed(0)} ms after SIGINT`);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes("big")), []);
  });
});
