/**
 * Runs that survive interruption: SIGINT at a random step, then --resume, gives the same losses as a run that
 * was never interrupted (bit for bit); --resume --steps extends a finished run; an existing run is not
 * overwritten without --force.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "../../src/tensor/rng.js";
import { learningRate } from "../../src/train/schedule.js";
import { MAIN, runCli, userErrorLine } from "./run-cli.js";

let dir = "";
const STEPS = 120;
const args = (out: string, extra: string[] = [], steps = STEPS): string[] => [
  "train", "--env", "CartPole-v1", "--data", join(dir, "d.h5"), "--model", "strl", "--preset", "tiny",
  "--steps", String(steps), "--batch-size", "8", "--eval-every", "40", "--out", join(dir, out), ...extra,
];

type Rec = Record<string, number>;
const log = (out: string): Rec[] => readFileSync(join(dir, out, "log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Rec);
/** The parts of a record that depend only on the computation (not on the clock). */
const exact = (r: Rec) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith("time/") && k !== "training/steps_per_s"));

before(() => {
  dir = mkdtempSync(join(tmpdir(), "strl-cli-resume-"));
  const r = runCli(["collect", "--env", "CartPole-v1", "--policy", "expert", "--episodes", "20", "--seed", "0", "--out", join(dir, "d.h5")]);
  assert.equal(r.status, 0, r.stderr);
  const a = runCli(args("whole", ["--quiet"]));
  assert.equal(a.status, 0, a.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `strl train --json`, sends SIGINT once the log line of `atStep` is printed; resolves with the exit code and output. */
function trainAndInterrupt(a: string[], atStep: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...a, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let sent = false;
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (!sent && stdout.split("\n").some((l) => l.startsWith(`{"step":${atStep},`))) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("strl train: interruption, resume, extension", () => {
  it("SIGINT at a random step saves a checkpoint; --resume then equals the uninterrupted run bit for bit", async () => {
    const at = 5 + new Rng(2024).int(60); // a seeded "random" step in [5, 65)
    const r = await trainAndInterrupt(args("cut"), at);
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /SIGINT: saving a checkpoint after this update/);
    const summary = (JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { summary: { steps: number; stopped: boolean } }).summary;
    assert.equal(summary.stopped, true);
    assert.ok(summary.steps >= at && summary.steps < STEPS, `stopped at ${summary.steps}`);
    const trainer = JSON.parse(readFileSync(join(dir, "cut", "checkpoint", "trainer.json"), "utf8")) as { step: number };
    assert.equal(trainer.step, summary.steps);

    const resumed = runCli(["train", "--data", join(dir, "d.h5"), "--out", join(dir, "cut"), "--resume", "--quiet"]);
    assert.equal(resumed.status, 0, resumed.stderr);
    const whole = log("whole").map(exact);
    const cut = log("cut").map(exact);
    assert.equal(cut.length, STEPS);
    assert.deepEqual(cut, whole);
    assert.equal(typeof whole[STEPS - 1]!["evaluation/accuracy"], "number");
  });

  it("--resume --steps M extends a finished run, the lr following the cosine planned for M steps", () => {
    const more = runCli(["train", "--data", join(dir, "d.h5"), "--out", join(dir, "whole"), "--resume", "--steps", "150", "--json"]);
    assert.equal(more.status, 0, more.stderr);
    const recs = log("whole");
    assert.deepEqual(recs.map((r) => r.step), Array.from({ length: 150 }, (_, i) => i + 1));
    const lr = learningRate(STEPS, { lr: 1e-3, minLr: 0, warmupSteps: STEPS / 10, totalSteps: 150, kind: "cosine" });
    assert.equal(recs[STEPS]!["training/lr"], lr);
    assert.ok(lr > recs[STEPS - 1]!["training/lr"]!);
    // --checkpoint takes the run folder as well as its checkpoint/ folder
    const ev = runCli(["eval", "--checkpoint", join(dir, "whole"), "--episodes", "1", "--target-return", "500", "--max-steps", "20", "--json"]);
    assert.equal(ev.status, 0, ev.stderr);
    assert.equal((JSON.parse(ev.stdout) as { closedLoop: { targets: Array<{ lengthMean: number }> } }).closedLoop.targets[0]!.lengthMean, 20);
    const again = runCli(["train", "--data", join(dir, "d.h5"), "--out", join(dir, "whole"), "--resume"]);
    assert.equal(again.status, 0);
    assert.match(again.stdout, /already at step 150 of 150; nothing to do/);
  });

  it("refuses to train into a folder that holds a run, unless --force", () => {
    const line = userErrorLine(runCli(args("whole")));
    assert.match(line, /--out .*whole already holds a run .*pass --resume to continue or extend it, or --force to replace it/);
    const forced = runCli(args("whole", ["--force", "--quiet"], 3));
    assert.equal(forced.status, 0, forced.stderr);
    assert.deepEqual(log("whole").map((r) => r.step), [1, 2, 3]);
    assert.match(userErrorLine(runCli(["train", "--data", join(dir, "d.h5"), "--out", join(dir, "none"), "--resume"])), /--resume: .*none.checkpoint.config\.json not found \(no run there\)/);
    assert.ok(!existsSync(join(dir, "none")));
  });
});
