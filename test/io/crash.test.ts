/**
 * Crash safety: a writer killed (SIGKILL) after every step of a checkpoint switch leaves a checkpoint that loads
 * as the old or the new version, never a mix, and the next save cleans the leftovers. Also: non-finite weights,
 * weights-only loads, the run-folder lock and stale temp files of dead processes.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ready } from "../../src/tensor/index.js";
import { loadCheckpoint, loadModel, saveCheckpoint } from "../../src/checkpoint/index.js";
import { SWITCH_STEPS } from "../../src/checkpoint/switch.js";
import { acquireRunLock, LOCK_FILE, RunLockedError } from "../../src/io/run-lock.js";
import { cleanStaleTemps, tempPath, writeFileAtomic } from "../../src/io/fs-safe.js";
import { encodeSafetensors, decodeSafetensors } from "../../src/io/safetensors.js";
import { TinyModel } from "../train/tiny-model.js";

const WRITER = fileURLToPath(new URL("./switch-writer.js", import.meta.url));
const NORM = { stateMean: [0, 0, 0], stateStd: [1, 1, 1], rtgScale: 1 };
let root: string;

before(async () => {
  await ready();
  root = mkdtempSync(join(tmpdir(), "strl-crash-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

/** Saves a TinyModel of `seed` here, or in a child process killed after step `killAt` (returns -1 then). */
async function write(dir: string, seed: number, killAt?: string): Promise<number> {
  if (killAt === undefined) {
    const model = new TinyModel({ obsDim: 3, actions: 3, d: 8, K: 4, dropout: 0.1, seed });
    await saveCheckpoint(dir, { model, envId: "strl/Toy-v0", normalisation: NORM });
    model.dispose();
    return 0;
  }
  const r = spawnSync(process.execPath, [WRITER, dir, String(seed), killAt], { encoding: "utf8", timeout: 60_000 });
  return r.status === null ? -1 : r.status;
}

/** The first value of tensor 'pos' as the checkpoint holds it. */
async function posOf(dir: string): Promise<number> {
  const ck = await loadCheckpoint(dir);
  return ck.weights.get("pos")!.data[0]!;
}

describe("checkpoint switch killed at every step", () => {
  it("loads the old or the new version after a kill, and the next save cleans up", async () => {
    const fresh = (seed: number): number => new TinyModel({ obsDim: 3, actions: 3, d: 8, K: 4, dropout: 0.1, seed }).namedParameters().find(([n]) => n === "pos")![1].dataSync()[0]!;
    const oldPos = fresh(1);
    const newPos = fresh(2);
    assert.notEqual(oldPos, newPos);
    for (const step of SWITCH_STEPS) {
      const dir = join(root, `kill-${step}`, "checkpoint");
      await write(dir, 1);
      const status = await write(dir, 2, step);
      assert.equal(status, -1, `the writer was killed after '${step}'`);
      const pos = await posOf(dir);
      const expected = step === "written" || step === "versioned" || step === "linked" ? oldPos : newPos;
      assert.equal(pos, expected, `after a kill at '${step}' the checkpoint is the ${expected === oldPos ? "old" : "new"} one`);
      await write(dir, 3);
      assert.equal(await posOf(dir), fresh(3));
      const left = readdirSync(join(root, `kill-${step}`)).sort();
      assert.ok(left.every((f) => /^checkpoint(\.v\d+)?$/.test(f)), `no temp leftovers after the next save: ${left.join(", ")}`);
      assert.ok(readdirSync(join(root, `kill-${step}`, "checkpoint")).includes(".strl-marker"), "the version holds strl's marker");
      assert.ok(left.length <= 3, `at most the pointer, the current and the previous version: ${left.join(", ")}`);
    }
  });

  it("recovers when the pointer of an unversioned checkpoint was moved aside and not replaced", async () => {
    const parent = join(root, "legacy");
    mkdirSync(parent);
    const dir = join(parent, "checkpoint");
    await write(dir, 1);
    rmSync(dir); // the pointer is gone (as after a kill between moving a legacy folder and linking)
    const ck = await loadCheckpoint(dir);
    assert.match(ck.recoveredFrom!, /checkpoint\.v1$/);
  });
});

describe("weights", () => {
  it("refuses NaN or Inf weights naming the tensor; weights-only loads survive a damaged training state", async () => {
    const dir = join(root, "nan", "checkpoint");
    const model = new TinyModel({ obsDim: 3, actions: 3, d: 8, K: 4, dropout: 0.1, seed: 4 });
    const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [n, p] of model.namedParameters()) {
      for (const s of [".exp_avg", ".exp_avg_sq"]) tensors.set(n + s, { shape: [...p.shape], data: new Float32Array(p.size) });
    }
    const opt = { step: 0, tensors };
    await saveCheckpoint(dir, { model, envId: "strl/Toy-v0", normalisation: NORM, optimizer: opt, trainer: { step: 0 } });
    writeFileSync(join(dir, "trainer.json"), "{ truncated");
    const warnings: string[] = [];
    const build = (): TinyModel => new TinyModel({ obsDim: 3, actions: 3, d: 8, K: 4, dropout: 0.1, seed: 9 });
    const { model: loaded } = await loadModel(dir, { build, warn: (m) => warnings.push(m) });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /trainer\.json is not valid JSON .*going on without the training state/);
    await assert.rejects(loadCheckpoint(dir), /trainer\.json is not valid JSON/);
    loaded.dispose();

    const file = join(dir, "model.safetensors");
    const st = decodeSafetensors(readFileSync(file));
    const pos = st.tensors.get("pos")!;
    (pos.data as Float32Array)[5] = Number.NaN;
    writeFileSync(file, encodeSafetensors(st.tensors, st.metadata));
    await assert.rejects(loadCheckpoint(dir), /model\.safetensors: tensor 'pos' holds a non-finite value \(NaN\) at flat index 5/);
    model.dispose();
  });
});

describe("run lock and temp files", () => {
  it("refuses a second lock while the first is held, takes over a dead process's lock", () => {
    const dir = join(root, "run");
    const lock = acquireRunLock(dir);
    assert.throws(() => acquireRunLock(dir), (e: unknown) => e instanceof RunLockedError && /pid \d+\) is using this run folder/.test(e.message));
    lock.release();
    assert.equal(existsSync(join(dir, LOCK_FILE)), false);
    // A lock left by a process that no longer exists (pid far above pid_max) is stale.
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 99999999, host: hostname() }));
    const again = acquireRunLock(dir);
    assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")).pid, process.pid);
    again.release();
  });

  it("removes temp files of dead writers, keeps those of live ones, and writes atomically", () => {
    const dir = join(root, "temps");
    mkdirSync(dir);
    const target = join(dir, "data.h5");
    const live = tempPath(target);
    assert.match(live, new RegExp(`/\\.data\\.h5\\.strl-tmp-${process.pid}-[0-9a-f]{12}-\\d+$`));
    writeFileSync(join(dir, ".data.h5.strl-tmp-99999999-0123456789ab-0"), "stale");
    writeFileSync(live, "mine");
    writeFileSync(join(dir, ".other.h5.strl-tmp-99999999-0123456789ab-0"), "another file's");
    assert.deepEqual(cleanStaleTemps(target), [".data.h5.strl-tmp-99999999-0123456789ab-0"]);
    rmSync(live);
    writeFileAtomic(target, "hello");
    assert.equal(readFileSync(target, "utf8"), "hello");
    assert.deepEqual(readdirSync(dir).sort(), [".other.h5.strl-tmp-99999999-0123456789ab-0", "data.h5"]);
    assert.throws(() => writeFileAtomic(dir, "x"), /temps: cannot write: is a folder, expected a file \(EISDIR\)/);
  });
});
