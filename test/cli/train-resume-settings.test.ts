/**
 * `strl train --resume` restores every setting of the run (closed-loop --eval-episodes, --eval-every, --keep, the
 * output mode, --tensorboard) unless a flag overrides it, and names each override in one line on stderr. Saved
 * settings are checked when read back; a run saved without them resumes with the defaults and says so.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, userErrorLine } from "./run-cli.js";
import { readEventFile } from "../io/tfevents-reader.js";

let dir = "";
const data = (): string => join(dir, "d.h5");
type Rec = Record<string, number>;
const log = (out: string): Rec[] => readFileSync(join(dir, out, "log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Rec);
const trainerJson = (out: string): string => join(dir, out, "checkpoint", "trainer.json");
const returnSteps = (out: string): number[] => log(out).filter((r) => typeof r["evaluation/return"] === "number").map((r) => r.step);

before(() => {
  dir = mkdtempSync(join(tmpdir(), "strl-cli-settings-"));
  const c = runCli(["collect", "--env", "CartPole-v1", "--policy", "expert", "--episodes", "20", "--seed", "0", "--out", data()]);
  assert.equal(c.status, 0, c.stderr);
  // The run to resume: 4 updates, validation and 1 closed-loop episode every 2, TensorBoard, JSON output.
  const r = runCli(["train", "--env", "CartPole-v1", "--data", data(), "--model", "strl", "--preset", "tiny", "--steps", "4", "--batch-size", "8",
    "--eval-every", "2", "--eval-episodes", "1", "--out", join(dir, "run"), "--tensorboard", join(dir, "tb"), "--json"]);
  assert.equal(r.status, 0, r.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("strl train --resume: the run's settings", () => {
  it("saves the settings in trainer.json", () => {
    const t = JSON.parse(readFileSync(trainerJson("run"), "utf8")) as { settings: unknown; config: { evalEvery: number } };
    assert.deepEqual(t.settings, { evalEpisodes: 1, keep: "last", output: "json", tensorboard: join(dir, "tb") });
    assert.equal(t.config.evalEvery, 2);
  });

  it("a resumed run keeps logging closed-loop returns, to the same TensorBoard folder, in its output mode; an override is named", () => {
    assert.deepEqual(returnSteps("run"), [2, 4]);
    const r = runCli(["train", "--data", data(), "--out", join(dir, "run"), "--resume", "--steps", "8", "--keep", "best,last"]);
    assert.equal(r.status, 0, r.stderr);
    const notes = r.stderr.split("\n").filter((l) => l.includes("--resume:"));
    assert.deepEqual(notes, ["strl train: --resume: overriding the run's saved settings: --steps 8 (the run had 4), --keep best,last (the run had last)"]);
    assert.deepEqual(returnSteps("run"), [2, 4, 6, 8]);
    assert.deepEqual(log("run").map((x) => x.step), [1, 2, 3, 4, 5, 6, 7, 8]);
    // JSON output kept: one JSON line per update on stdout, then the summary line
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { step?: number; summary?: { steps: number } });
    assert.deepEqual(lines.map((l) => l.step ?? `summary ${l.summary!.steps}`), [5, 6, 7, 8, "summary 8"]);
    assert.ok(existsSync(join(dir, "run", "checkpoint-best")), "--keep best,last took effect");
    // TensorBoard: the first file holds steps 1..4, a second file (the resumed call's) 5..8
    const files = readdirSync(join(dir, "tb")).sort();
    assert.equal(files.length, 2);
    const steps = files.map((f) => readEventFile(join(dir, "tb", f)).slice(1).map((e) => e.step));
    assert.deepEqual(steps.sort((a, b) => a[0]! - b[0]!), [[1, 2, 3, 4], [5, 6, 7, 8]]);
    const saved = JSON.parse(readFileSync(trainerJson("run"), "utf8")) as { settings: { keep: string; evalEpisodes: number } };
    assert.equal(saved.settings.keep, "best,last");
    assert.equal(saved.settings.evalEpisodes, 1);
  });

  it("a run saved without settings (an older strl) resumes with the defaults and says so", () => {
    const t = JSON.parse(readFileSync(trainerJson("run"), "utf8")) as Record<string, unknown>;
    delete t.settings;
    writeFileSync(trainerJson("run"), JSON.stringify(t));
    const r = runCli(["train", "--data", data(), "--out", join(dir, "run"), "--resume", "--steps", "9", "--quiet"]);
    assert.equal(r.status, 0, r.stderr);
    const notes = r.stderr.split("\n").filter((l) => l.includes("--resume:"));
    assert.deepEqual(notes, [
      "strl train: --resume: the run's checkpoint saved no settings (an older strl): --eval-episodes 0, --keep last, --tensorboard none (today's defaults)",
      "strl train: --resume: overriding the run's saved settings: --steps 9 (the run had 8)",
    ]);
    assert.equal(typeof log("run").at(-1)!["evaluation/accuracy"], "number");
    assert.equal(log("run").at(-1)!["evaluation/return"], undefined);
  });

  it("refuses tampered settings in one line (the other checks: run-settings.test.ts)", () => {
    const t = JSON.parse(readFileSync(trainerJson("run"), "utf8")) as Record<string, unknown>;
    writeFileSync(trainerJson("run"), JSON.stringify({ ...t, settings: { evalEpisodes: 1, keep: "last", output: "json", tensorboard: "relative/tb" } }));
    const line = userErrorLine(runCli(["train", "--data", data(), "--out", join(dir, "run"), "--resume", "--steps", "12"]));
    assert.match(line, /--resume: .*trainer\.json: settings tensorboard must be null or an absolute folder path, got "relative\/tb"/);
  });
});
