/**
 * Values that used to be quietly wrong: one strict decimal number parser for every numeric flag (no `0x10`, no
 * `Infinity`, no empty list item such as `1,,2`), config fields typed strictly (`"rtgScale": "5"` is text, not
 * a number), and `--resume` refusing a preset or model field that would give the run another model.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { numberFlag, numberItems, parseNumberFlag } from "../../src/cli/command.js";
import { numberList } from "../../src/cli/checkpoint-args.js";
import { refuseModelChangeOnResume, type SavedRunInfo } from "../../src/cli/train-run.js";
import { presetFields } from "../../src/experiments/presets.js";
import { runCli, userErrorLine } from "./run-cli.js";

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), "strl-strict-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

describe("one strict decimal number parser", () => {
  it("reads decimal text, with a fraction or a decimal exponent, and nothing else", () => {
    const ok: Array<[string, number]> = [["10", 10], ["-5", -5], ["0.5", 0.5], [".5", 0.5], ["3e-4", 3e-4], ["-1.5E2", -150], ["7.", 7]];
    for (const [text, v] of ok) assert.equal(parseNumberFlag("x", text), v, text);
    for (const text of ["0x10", "0X1f", "0b11", "0o17", "Infinity", "-Infinity", "NaN", "", " 5", "5 ", "+5", "1e", "1_000", "1,5", "--5", "e5", ".", "-"]) {
      assert.throws(() => parseNumberFlag("target-return", text), (e: Error) => e.name === "UsageError" && e.message === `--target-return must be a decimal number, got '${text}'`, JSON.stringify(text));
    }
    assert.throws(() => parseNumberFlag("lr", "1e999"), /--lr is out of range, got '1e999'/);
    assert.equal(numberFlag("lr", "3e-4", 1, { min: 0 }), 3e-4);
    assert.throws(() => numberFlag("lr", "0x10", 1), /--lr must be a decimal number, got '0x10'/);
    assert.throws(() => numberFlag("steps", "0x10", 1, { integer: true }), /--steps must be a decimal integer, got '0x10'/);
  });

  it("refuses an empty item in a comma-separated value (1,,2; a trailing comma) wherever numbers are listed", () => {
    assert.deepEqual(numberItems("input", "1.2, 2,-0.4"), [1.2, 2, -0.4]);
    for (const text of ["1,,2", "1,2,", ",1", ","]) assert.throws(() => numberItems("input", text), new RegExp(`--input has an empty item in '${text}'`), text);
    assert.throws(() => numberItems("input", "1,0x10"), /--input must be a decimal number, got '0x10'/);
    assert.throws(() => numberList("target-return", ["1", "0x10"], []), /--target-return must be a decimal number, got '0x10'/);
  });

  it("strl example lif --input 1,2,,3 and --tau 0x10 are one-line errors (exit 2)", () => {
    assert.match(userErrorLine(runCli(["example", "lif", "--input", "1,2,,3"])), /--input has an empty item in '1,2,,3'/);
    assert.match(userErrorLine(runCli(["example", "lif", "--tau", "0x10"])), /--tau must be a decimal number, got '0x10'/);
  });
});

describe("config fields typed strictly, --resume keeps the run's model", () => {
  const saved: SavedRunInfo = {
    envId: "Maze-v0",
    kind: "strl",
    model: { ...presetFields("strl", "tiny"), rtgScale: 13.6, neuron: { tau: 2, vThreshold: 1, vReset: 0 } },
    train: {} as SavedRunInfo["train"],
    step: 4,
  };

  it("refuses a preset, a model field or an rtgScale that differs from the run's, and passes ones that agree", () => {
    const tiny = { preset: "--preset", value: "tiny" as const };
    const paper = { preset: "--preset", value: "paper" as const };
    const none = { preset: undefined, value: "small" as const };
    assert.doesNotThrow(() => refuseModelChangeOnResume(saved, "strl", tiny, { neuron: { tau: 2 } }, 13.6, "c.json"));
    assert.doesNotThrow(() => refuseModelChangeOnResume(saved, "strl", none, {}, undefined, undefined), "the default preset is not a given one");
    const dModel = (presetFields("strl", "paper") as { dModel: number }).dModel;
    assert.throws(
      () => refuseModelChangeOnResume(saved, "strl", paper, {}, undefined, undefined),
      (e: Error) => e.name === "UsageError" && e.message === `--resume: --preset paper gives dModel ${dModel}, the run's model has ${saved.model.dModel}; a resumed run keeps its model (drop it, or train a new run with --force)`,
    );
    assert.throws(() => refuseModelChangeOnResume(saved, "strl", none, { neuron: { tau: 3 } }, undefined, "c.json"), /--config c\.json sets model\.neuron \{"tau":3\}, the run's model has \{"tau":2,/);
    assert.throws(() => refuseModelChangeOnResume(saved, "strl", none, { causal: false }, undefined, "c.json"), /sets model\.causal false, the run's model has unset/);
    assert.throws(() => refuseModelChangeOnResume(saved, "strl", none, {}, 5, "c.json"), /--config c\.json sets rtgScale 5, the run's model has 13\.6/);
  });

  it("strl train refuses \"rtgScale\": \"5\" and --resume --preset paper in one line, before reading any data", () => {
    const cfg = join(root, "cfg.json");
    writeFileSync(cfg, JSON.stringify({ rtgScale: "5" }));
    const args = ["train", "--env", "Maze-v0", "--model", "strl", "--data", join(root, "none.h5"), "--out", join(root, "fresh"), "--config", cfg];
    assert.match(userErrorLine(runCli(args)), /--config .*cfg\.json: rtgScale must be a number > 0 \(not text\), got "5"/);
    // a run folder as strl train leaves it (only what --resume reads)
    const ck = join(root, "run", "checkpoint");
    mkdirSync(ck, { recursive: true });
    writeFileSync(join(ck, "config.json"), JSON.stringify({ format: "strl-checkpoint", env: { id: "Maze-v0" }, model: { kind: "strl", config: saved.model } }));
    writeFileSync(join(ck, "trainer.json"), JSON.stringify({ step: 4, config: { steps: 4, seed: 1 } }));
    const r = runCli(["train", "--data", join(root, "none.h5"), "--out", join(root, "run"), "--resume", "--preset", "paper"]);
    assert.match(userErrorLine(r), /--resume: --preset paper gives dModel \d+, the run's model has \d+; a resumed run keeps its model/);
  });
});
