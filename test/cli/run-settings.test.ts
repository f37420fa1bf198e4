/**
 * The run settings a resume restores: trainer.json's `settings` read back as untrusted input, and which flags
 * override which saved values (the lines `strl train --resume` prints).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readSavedSettings, resolveSettings, DEFAULT_SETTINGS } from "../../src/cli/run-settings.js";
import { parseConfig } from "../../src/config/index.js";
import { TRAIN_SPEC } from "../../src/train/index.js";

const good = { evalEpisodes: 5, keep: "best,last", output: "quiet", tensorboard: "/runs/tb/a" };

describe("readSavedSettings", () => {
  it("reads the four documented fields; absent settings (an older run) are undefined", () => {
    assert.deepEqual(readSavedSettings("t.json", good), good);
    assert.deepEqual(readSavedSettings("t.json", { ...good, tensorboard: null }), { ...good, tensorboard: null });
    assert.equal(readSavedSettings("t.json", undefined), undefined);
  });

  it("refuses anything else, naming the field", () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /settings must be a JSON object/],
      [[good], /settings must be a JSON object/],
      [{ ...good, extra: 1 }, /unknown field "extra"/],
      [{ ...good, evalEpisodes: 1.5 }, /evalEpisodes must be a whole number/],
      [{ ...good, evalEpisodes: -1 }, /evalEpisodes must be a whole number/],
      [{ ...good, evalEpisodes: 1e12 }, /evalEpisodes must be a whole number from 0 to the evaluation limit/],
      [{ ...good, evalEpisodes: "5" }, /evalEpisodes must be a whole number/],
      [{ ...good, keep: "best" }, /keep must be one of last \| best,last, got "best"/],
      [{ ...good, output: "progress" }, /output must be one of default \| json \| quiet/],
      [{ ...good, tensorboard: "" }, /tensorboard must be null or an absolute folder path/],
      [{ ...good, tensorboard: "/a\0b" }, /tensorboard must be null or an absolute folder path/],
      [{ ...good, tensorboard: 7 }, /tensorboard must be null or an absolute folder path/],
      [{ evalEpisodes: 5, keep: "last", output: "quiet" }, /tensorboard must be null/],
    ];
    for (const [raw, why] of cases) assert.throws(() => readSavedSettings("run/checkpoint/trainer.json", raw), (e: Error) => e.name === "UsageError" && why.test(e.message) && e.message.startsWith("--resume: run/checkpoint/trainer.json: settings "), JSON.stringify(raw));
  });
});

describe("resolveSettings", () => {
  const train = parseConfig("train", { steps: 100, evalEvery: 10, checkpointEvery: 50 }, TRAIN_SPEC);

  it("a fresh run: the flags over the defaults, nothing to say", () => {
    assert.deepEqual(resolveSettings({ evalEpisodes: 3 }, undefined), { settings: { ...DEFAULT_SETTINGS, evalEpisodes: 3 }, notes: [] });
  });

  it("a resume without flags keeps every saved setting and says nothing", () => {
    const saved = readSavedSettings("t", good)!;
    assert.deepEqual(resolveSettings({}, { settings: saved, train, resolvedTrain: train }), { settings: good, notes: [] });
  });

  it("names each flag that changes a saved value, cadences first; a flag equal to the saved value is not named", () => {
    const saved = readSavedSettings("t", good)!;
    const resolvedTrain = { ...train, steps: 200, evalEvery: 20 };
    const r = resolveSettings({ evalEpisodes: 5, output: "json", tensorboard: null }, { settings: saved, train, resolvedTrain });
    assert.deepEqual(r.settings, { ...good, output: "json", tensorboard: null });
    assert.deepEqual(r.notes, ["overriding the run's saved settings: --steps 200 (the run had 100), --eval-every 20 (the run had 10), output json (the run had quiet), --tensorboard none (the run had /runs/tb/a)"]);
  });
});
