/**
 * `strl sweep run DIR --jobs 2 --tensorboard TB`: one TensorBoard run per job (TB/<job id>, so seeds are separate
 * runs), holding the job's log.jsonl at its steps and, at the last step, the scores of its result.json.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, userErrorLine } from "./run-cli.js";
import { planTiny } from "./sweep-fixture.js";
import { readEventFile, type DecodedEvent } from "../io/tfevents-reader.js";

const root = mkdtempSync(join(tmpdir(), "strl-sweep-tb-"));
after(() => rmSync(root, { recursive: true, force: true }));

test("sweep run --tensorboard: a run per job with its log's steps and its result's scores at the last step", () => {
  const { dir, jd } = planTiny(root, "s", 4, [0, 1]);
  const tb = join(root, "tb");
  const r = runCli(["sweep", "run", dir, "--jobs", "2", "--tensorboard", tb, "--json"], undefined, { STRL_THREADS: "1" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readdirSync(tb).sort(), ["0000-cp-s-s0", "0001-cp-s-s1"]);
  for (const [i, id] of ["0000-cp-s-s0", "0001-cp-s-s1"].entries()) {
    const events: DecodedEvent[] = readdirSync(join(tb, id)).sort().flatMap((f) => readEventFile(join(tb, id, f)).filter((e) => e.fileVersion === undefined));
    const log = readFileSync(join(jd(i), "run", "log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, number>);
    const train = events.filter((e) => e.values.some((v) => v.tag === "training/loss"));
    assert.deepEqual(train.map((e) => e.step), log.map((l) => l.step));
    assert.deepEqual(train.map((e) => e.values.find((v) => v.tag === "training/loss")!.value), log.map((l) => Math.fround(l["training/loss"]!)));
    const final = events.filter((e) => e.values.some((v) => v.tag === "energy/per_decision_pj"));
    assert.equal(final.length, 1);
    assert.equal(final[0]!.step, 4);
    const outcome = (JSON.parse(readFileSync(join(jd(i), "result.json"), "utf8")) as { outcome: { offline: { accuracy: number }; energy: { energyPerDecisionPj: number } } }).outcome;
    const value = (tag: string) => final[0]!.values.find((v) => v.tag === tag)?.value;
    assert.equal(value("test/accuracy"), Math.fround(outcome.offline.accuracy));
    assert.equal(value("energy/per_decision_pj"), Math.fround(outcome.energy.energyPerDecisionPj));
    assert.ok(value("energy/per_decision_pj")! > 0);
  }
  const file = join(root, "a-file");
  writeFileSync(file, "");
  assert.match(userErrorLine(runCli(["sweep", "run", dir, "--tensorboard", file])), /--tensorboard .*a-file is a file, not a folder/);
});
