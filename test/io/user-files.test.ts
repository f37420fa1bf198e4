/**
 * strl deletes only what it created. Files and folders a user keeps beside an output, named like strl's temp or
 * old-version names of earlier releases (`data.h5.old-2024`, `data.h5.link-4242`, `data.h5.tmp-31337/notes.txt`,
 * `.data.h5.tmp-99999999-0`, `checkpoint.v9/`), survive every kind of output: `collect --out`, `train --out`
 * (checkpoint and log), repeated checkpoint saves (which remove old versions), atomic JSON writes (sweep state),
 * reports and run locks. Leftovers that do carry strl's mark (pid + random token, and for a folder the same mark
 * in its marker file) of a dead writer are removed, so the clean-up demonstrably ran.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ready } from "../../src/tensor/index.js";
import { saveCheckpoint } from "../../src/checkpoint/index.js";
import { acquireRunLock, LOCK_FILE } from "../../src/io/run-lock.js";
import { cleanStaleTemps, MARKER_FILE, writeFileAtomic } from "../../src/io/fs-safe.js";
import { writeReport } from "../../src/report/write.js";
import { runCli } from "../cli/run-cli.js";
import { TinyModel } from "../train/tiny-model.js";

const DEAD = "99999999"; // above any pid_max: a process that cannot be alive
const TOKEN = "0123456789ab";
let root: string;

before(async () => {
  await ready();
  root = mkdtempSync(join(tmpdir(), "strl-user-files-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

/** Plants a user's look-alikes of `base`'s temp and old-version names in `folder`; returns them (relative paths). */
function plant(folder: string, base: string, extra: string[] = []): string[] {
  const names = [`${base}.old-2024`, `${base}.link-4242`, `${base}.tmp-31337/notes.txt`, `.${base}.tmp-${DEAD}-0`, `${base}.tmp-${DEAD}`, ...extra];
  for (const n of names) {
    mkdirSync(dirname(join(folder, n)), { recursive: true });
    writeFileSync(join(folder, n), `the user's ${n}`);
  }
  return names;
}

/** Plants what a dead strl writer leaves (a temp file, a temp folder with its marker); returns their names. */
function plantStrlLeftovers(folder: string, base: string): string[] {
  const file = `.${base}.strl-tmp-${DEAD}-${TOKEN}-0`;
  const dir = `.${base}.strl-tmp-${DEAD}-${TOKEN}-1`;
  writeFileSync(join(folder, file), "half-written");
  mkdirSync(join(folder, dir));
  writeFileSync(join(folder, dir, MARKER_FILE), `strl ${DEAD}-${TOKEN}\n`);
  writeFileSync(join(folder, dir, "config.json"), "{");
  return [file, dir];
}

function assertSurvived(folder: string, names: string[], what: string): void {
  for (const n of names) {
    assert.ok(existsSync(join(folder, n)), `${what}: the user's ${n} was removed`);
    assert.equal(readFileSync(join(folder, n), "utf8"), `the user's ${n}`, `${what}: the user's ${n} was changed`);
  }
}

function assertGone(folder: string, names: string[], what: string): void {
  for (const n of names) assert.equal(existsSync(join(folder, n)), false, `${what}: strl's own leftover ${n} was not cleaned up`);
}

describe("strl deletes only what it created", () => {
  it("collect --out keeps look-alike user files beside data.h5, on a first write and an overwrite", () => {
    const dir = join(root, "collect");
    mkdirSync(dir);
    const mine = plant(dir, "data.h5");
    const ours = plantStrlLeftovers(dir, "data.h5");
    for (let i = 0; i < 2; i++) {
      const r = runCli(["collect", "--env", "Maze-v0", "--policy", "expert", "--episodes", "2", "--seed", "4", "--out", join(dir, "data.h5")]);
      assert.equal(r.status, 0, r.stderr);
    }
    assertSurvived(dir, mine, "collect");
    assertGone(dir, ours, "collect");
  });

  it("train --out keeps look-alikes beside the run's checkpoint and log", () => {
    const dir = join(root, "train");
    mkdirSync(dir);
    const data = join(dir, "d.h5");
    assert.equal(runCli(["collect", "--env", "Maze-v0", "--policy", "expert", "--episodes", "20", "--seed", "4", "--out", data]).status, 0);
    const run = join(dir, "run");
    mkdirSync(run);
    const mine = [...plant(run, "checkpoint", ["checkpoint.v9/notes.txt"]), ...plant(run, "log.jsonl"), `${LOCK_FILE}.tmp-31337`];
    writeFileSync(join(run, `${LOCK_FILE}.tmp-31337`), `the user's ${LOCK_FILE}.tmp-31337`);
    const r = runCli(["train", "--env", "Maze-v0", "--data", data, "--model", "strl", "--preset", "tiny", "--steps", "2", "--batch-size", "4", "--seed", "1", "--out", run, "--quiet"]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(join(run, "checkpoint", "config.json")), "the run wrote its checkpoint");
    assertSurvived(run, mine, "train");
  });

  it("repeated checkpoint saves remove only strl's own old versions and temps, never a user's folder", async () => {
    const dir = join(root, "saves");
    mkdirSync(dir);
    const mine = plant(dir, "checkpoint", ["checkpoint.v1/notes.txt", "checkpoint.tmp-31337-0/config.json"]);
    const ours = plantStrlLeftovers(dir, "checkpoint");
    // a folder named with strl's mark whose marker does not match is not strl's either
    const forged = `.checkpoint.strl-tmp-${DEAD}-${TOKEN}-9`;
    mkdirSync(join(dir, forged));
    writeFileSync(join(dir, forged, MARKER_FILE), `strl ${DEAD}-ffffffffffff\n`);
    for (let seed = 1; seed <= 4; seed++) {
      const model = new TinyModel({ obsDim: 3, actions: 3, d: 8, K: 4, dropout: 0.1, seed });
      await saveCheckpoint(join(dir, "checkpoint"), { model, envId: "strl/Toy-v0", normalisation: { stateMean: [0, 0, 0], stateStd: [1, 1, 1], rtgScale: 1 } });
      model.dispose();
    }
    assertSurvived(dir, mine, "checkpoint saves");
    assertGone(dir, ours, "checkpoint saves");
    assert.ok(existsSync(join(dir, forged, MARKER_FILE)), "a folder whose marker does not match its name stays");
    const versions = readdirSync(dir).filter((e) => /^checkpoint\.v\d+$/.test(e)).sort();
    // v1 is the user's (no marker): strl's versions are v2..v5, of which the current and the previous stay
    assert.deepEqual(versions, ["checkpoint.v1", "checkpoint.v4", "checkpoint.v5"]);
  });

  it("atomic JSON writes, reports and run locks keep look-alikes beside their files", async () => {
    const dir = join(root, "state");
    mkdirSync(dir);
    const mine = [...plant(dir, "result.json"), ...plant(dir, "report.md"), ...plant(dir, LOCK_FILE)];
    const ours = plantStrlLeftovers(dir, "result.json");
    writeFileAtomic(join(dir, "result.json"), "{}\n");
    writeFileAtomic(join(dir, "result.json"), '{"a":1}\n');
    const header = { command: "strl test", seeds: [1], gitCommit: "abc", machine: "test", date: "2025-01-01T00:00:00Z" };
    await writeReport(dir, { title: "t", header, sections: [{ title: "h", text: "x" }] });
    acquireRunLock(dir).release();
    assertSurvived(dir, mine, "state files");
    assertGone(dir, ours, "state files");
    assert.equal(readFileSync(join(dir, "result.json"), "utf8"), '{"a":1}\n');
    assert.deepEqual(cleanStaleTemps(join(dir, "result.json")), [], "nothing of the user's is ever a candidate");
  });
});
