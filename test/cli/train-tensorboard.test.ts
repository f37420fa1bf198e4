/**
 * `strl train --tensorboard DIR`: a tiny seeded run writes one event file whose scalar events hold, at the same
 * steps, the numbers of log.jsonl under the same keys (read back by the tests' own reader, CRCs checked); a
 * --tensorboard that names a file is a one-line usage error.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, userErrorLine } from "./run-cli.js";
import { readEventFile } from "../io/tfevents-reader.js";

let dir = "";
const train = (extra: string[]): string[] => [
  "train", "--env", "CartPole-v1", "--data", join(dir, "d.h5"), "--model", "strl", "--preset", "tiny",
  "--steps", "6", "--batch-size", "8", "--eval-every", "3", "--seed", "1", ...extra,
];

before(() => {
  dir = mkdtempSync(join(tmpdir(), "strl-cli-tb-"));
  const r = runCli(["collect", "--env", "CartPole-v1", "--policy", "expert", "--episodes", "20", "--seed", "0", "--out", join(dir, "d.h5")]);
  assert.equal(r.status, 0, r.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("strl train --tensorboard", () => {
  it("writes the log's numbers as scalars at the log's steps, with closed-loop return and firing rates", () => {
    const r = runCli(train(["--eval-episodes", "1", "--out", join(dir, "run"), "--tensorboard", join(dir, "tb", "strl"), "--quiet"]));
    assert.equal(r.status, 0, r.stderr);
    const files = readdirSync(join(dir, "tb", "strl"));
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^events\.out\.tfevents\.\d{10}\.\S+$/);
    const events = readEventFile(join(dir, "tb", "strl", files[0]!));
    assert.equal(events[0]!.fileVersion, "brain.Event:2");
    const scalars = events.slice(1);
    const log = readFileSync(join(dir, "run", "log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, number>);
    assert.deepEqual(scalars.map((e) => e.step), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(scalars.map((e) => e.step), log.map((l) => l.step));
    for (const [i, e] of scalars.entries()) {
      const { step: _step, ...numbers } = log[i]!;
      assert.deepEqual(e.values.map((v) => v.tag), Object.keys(numbers), `tags at step ${e.step}`);
      for (const v of e.values) assert.equal(v.value, Math.fround(numbers[v.tag]!), `${v.tag} at step ${e.step}`);
      assert.ok(Math.abs(e.wallTime - Date.now() / 1000) < 600, `wall time ${e.wallTime}`);
    }
    const tags = new Set(scalars.flatMap((e) => e.values.map((v) => v.tag)));
    for (const t of ["training/loss", "training/lr", "training/grad_norm", "evaluation/loss", "evaluation/accuracy", "evaluation/return", "firing/blocks.0.attn.q_lif", "firing/blocks.1.mlp.lif1"]) {
      assert.ok(tags.has(t), `tag ${t} missing from ${[...tags].join(", ")}`);
    }
    // evaluation at steps 3 and 6 only; the first lr is the warm-up's full 1e-3 (6 steps: warm-up of 0 steps)
    assert.deepEqual(scalars.filter((e) => e.values.some((v) => v.tag === "evaluation/return")).map((e) => e.step), [3, 6]);
    assert.equal(scalars[0]!.values.find((v) => v.tag === "training/lr")!.value, Math.fround(1e-3));
  });

  it("refuses a --tensorboard that is a file: one line, exit 2, and the file is left alone", () => {
    const file = join(dir, "not-a-folder");
    writeFileSync(file, "mine\n");
    const line = userErrorLine(runCli(train(["--out", join(dir, "run2"), "--tensorboard", file])));
    assert.match(line, /--tensorboard .*not-a-folder is a file, not a folder/);
    assert.equal(readFileSync(file, "utf8"), "mine\n");
  });
});
