import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, readdir, rename, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ready, Rng } from "../../src/tensor/index.js";
import {
  CHECKPOINT_FORMAT,
  loadCheckpoint,
  loadModel,
  saveCheckpoint,
  transposedNames,
  type Normalisation,
} from "../../src/checkpoint/index.js";
import { decodeSafetensors, encodeSafetensors } from "../../src/io/safetensors.js";
import type { PolicyModel } from "../../src/models/types.js";
import { TinyModel, toyBatch, type TinyConfig } from "../train/tiny-model.js";

const CFG: TinyConfig = { obsDim: 3, actions: 3, d: 8, K: 4, dropout: 0.1, seed: 5 };
const NORM: Normalisation = { stateMean: [0.5, -1, 2], stateStd: [1, 0.25, 3], rtgScale: 10 };
let root: string;

before(async () => {
  await ready();
  root = await mkdtemp(join(tmpdir(), "strl-ck-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A parameter's shape in strl's layout. */
const p0 = (e: readonly [string, { shape: number[] }]): number[] => [...e[1].shape];

/** Runs the model in eval mode on a fixed batch and returns its outputs. */
function outputs(model: PolicyModel): Float32Array {
  model.eval();
  const t = model.forward(toyBatch(new Rng(99), 5, CFG)).preds;
  const v = t.dataSync() as Float32Array;
  t.dispose();
  return v;
}

async function saved(name: string, cfg: TinyConfig = CFG): Promise<{ dir: string; model: TinyModel }> {
  const model = new TinyModel(cfg);
  const dir = join(root, name);
  await saveCheckpoint(dir, { model, envId: "strl/Toy-v0", normalisation: NORM });
  return { dir, model };
}

describe("saveCheckpoint / loadCheckpoint", () => {
  it("stores the env options the data were collected with, and none when not given", async () => {
    const model = new TinyModel(CFG);
    const dir = join(root, "env-options");
    await saveCheckpoint(dir, { model, envId: "strl/Toy-v0", envOptions: { size: 9 }, normalisation: NORM });
    assert.deepEqual((await loadCheckpoint(dir)).config.env, { id: "strl/Toy-v0", obs_dim: 3, options: { size: 9 } });
    const { dir: plain } = await saved("env-options-none");
    assert.deepEqual((await loadCheckpoint(plain)).config.env, { id: "strl/Toy-v0", obs_dim: 3 });
    model.dispose();
  });

  it("loads a checkpoint written under the older id MazeLocal-21x21-v0 as MazeLocal-v0, options kept", async () => {
    const model = new TinyModel(CFG);
    const dir = join(root, "old-env-id");
    await saveCheckpoint(dir, { model, envId: "MazeLocal-21x21-v0", envOptions: { size: 7 }, normalisation: NORM });
    assert.equal((JSON.parse(await readFile(join(dir, "config.json"), "utf8")) as { env: { id: string } }).env.id, "MazeLocal-21x21-v0");
    assert.deepEqual((await loadCheckpoint(dir)).config.env, { id: "MazeLocal-v0", obs_dim: 3, options: { size: 7 } });
    model.dispose();
  });

  it("gives bit-identical outputs after save and load", async () => {
    const { dir, model } = await saved("roundtrip");
    const build = (_kind: string, config: Record<string, unknown>): TinyModel => new TinyModel({ ...(config as unknown as TinyConfig), seed: 1234 });
    const { model: loaded, checkpoint } = await loadModel(dir, { build });
    assert.deepEqual(outputs(loaded), outputs(model));
    assert.notDeepEqual(outputs(new TinyModel({ ...CFG, seed: 1234 })), outputs(model), "a fresh model with another seed differs");
    assert.equal(checkpoint.config.env.id, "strl/Toy-v0");
    assert.deepEqual(checkpoint.config.normalisation, NORM);
    assert.equal(checkpoint.config.format_version, CHECKPOINT_FORMAT);
    assert.equal(checkpoint.config.model.num_params, model.numParams());
    model.dispose();
    loaded.dispose();
  });

  it("writes the folder's files and leaves no temporary folder", async () => {
    const { dir, model } = await saved("files");
    assert.deepEqual((await readdir(dir)).sort(), [".strl-marker", "config.json", "model.safetensors"]);
    assert.deepEqual((await readdir(root)).filter((f) => f.includes(".strl-tmp-") || f.includes(".strl-link-") || f.includes(".tmp-") || f.includes(".old-")), []);
    model.dispose();
  });

  it("stores Linear weights transposed to PyTorch's [out, in] and other tensors as they are", async () => {
    const { dir, model } = await saved("layout");
    assert.deepEqual(transposedNames(model), ["state.weight", "rtg.weight", "head.weight"]);
    const st = decodeSafetensors(await readFile(join(dir, "model.safetensors")));
    assert.equal(st.metadata.format, "pt");
    const w = model.namedParameters().find(([n]) => n === "state.weight")![1]; // [3, 8] = [in, out]
    const fileW = st.tensors.get("state.weight")!; // [8, 3] = [out, in]
    assert.deepEqual(fileW.shape, [8, 3]);
    const mem = w.dataSync();
    for (let i = 0; i < 3; i++) for (let o = 0; o < 8; o++) assert.equal(fileW.data[o * 3 + i], mem[i * 8 + o]);
    assert.deepEqual(st.tensors.get("prev_action.weight")!.shape, [4, 8], "an embedding table keeps [num, dim]");
    assert.deepEqual(st.tensors.get("pos")!.shape, [4, 8]);
    model.dispose();
  });

  it("replaces an existing checkpoint in place", async () => {
    const { dir, model } = await saved("replace");
    const other = new TinyModel({ ...CFG, seed: 77 });
    await saveCheckpoint(dir, { model: other, envId: "strl/Toy-v0", normalisation: NORM });
    const ck = await loadCheckpoint(dir, { model });
    assert.deepEqual(ck.weights.get("pos")!.data, other.namedParameters().find(([n]) => n === "pos")![1].dataSync());
    model.dispose();
    other.dispose();
  });

  it("keeps the previous checkpoint intact when a save fails half-way", async () => {
    const { dir, model } = await saved("failed-save");
    const before = await readFile(join(dir, "model.safetensors"));
    const other = new TinyModel({ ...CFG, seed: 77 });
    // config.json and model.safetensors get written, then the optimizer state is refused (a moment of the wrong size)
    const broken = { step: 1, tensors: new Map([["pos.exp_avg", { shape: [4, 8], data: new Float32Array(3) }]]) };
    await assert.rejects(saveCheckpoint(dir, { model: other, envId: "strl/Toy-v0", normalisation: NORM, optimizer: broken, trainer: { step: 1 } }), /'pos\.exp_avg' has shape \[4, 8\] \(32 values\) but 3 values/);
    assert.deepEqual(await readFile(join(dir, "model.safetensors")), before);
    assert.deepEqual((await readdir(root)).filter((f) => f.startsWith("failed-save.")), ["failed-save.v1"], "only the current version, no temporary folder");
    await loadCheckpoint(dir, { model });
    model.dispose();
    other.dispose();
  });

  it("refuses to replace a folder that is not a checkpoint", async () => {
    const dir = join(root, "not-a-checkpoint");
    await mkdir(dir);
    await writeFile(join(dir, "notes.txt"), "mine");
    const model = new TinyModel(CFG);
    await assert.rejects(saveCheckpoint(dir, { model, envId: "e", normalisation: NORM }), /refusing to replace this folder: it exists and is not a strl checkpoint/);
    assert.equal(await readFile(join(dir, "notes.txt"), "utf8"), "mine");
    model.dispose();
  });

  it("refuses normalisation that does not fit the observation size", async () => {
    const model = new TinyModel(CFG);
    await assert.rejects(
      saveCheckpoint(join(root, "badnorm"), { model, envId: "e", normalisation: NORM, obsDim: 4 }),
      /normalisation\.stateMean has 3 entries but the observation size is 4/,
    );
    model.dispose();
  });
});

describe("loadCheckpoint validation", () => {
  it("names a missing folder, and recovers a previous checkpoint left by an interrupted save", async () => {
    await assert.rejects(loadCheckpoint(join(root, "nope")), /checkpoint .*nope: folder not found$/);
    await mkdir(join(root, "crashed.old-123"));
    await assert.rejects(loadCheckpoint(join(root, "crashed")), /checkpoint .*crashed: folder not found$/, "an empty leftover is not a checkpoint");
    const { dir, model } = await saved("crashed-src");
    await rename(join(root, "crashed-src.v1"), join(root, "crashed.old-99999999"));
    const ck = await loadCheckpoint(join(root, "crashed"), { model });
    assert.match(ck.recoveredFrom!, /crashed\.old-99999999$/);
    assert.deepEqual(ck.weights.get("pos")!.data, model.namedParameters().find(([n]) => n === "pos")![1].dataSync());
    void dir;
    model.dispose();
  });

  it("names a missing file", async () => {
    const { dir, model } = await saved("missing");
    await rm(join(dir, "model.safetensors"));
    await assert.rejects(loadCheckpoint(dir), /: model\.safetensors: is missing$/);
    await rm(join(dir, "config.json"));
    await assert.rejects(loadCheckpoint(dir), /: config\.json is missing$/);
    model.dispose();
  });

  it("reports a truncated weights file", async () => {
    const { dir, model } = await saved("truncated");
    const n = Number((await readFile(join(dir, "model.safetensors"))).readBigUInt64LE(0));
    await truncate(join(dir, "model.safetensors"), 8 + n + 100); // the header and 100 data bytes
    await assert.rejects(loadCheckpoint(dir), /model\.safetensors: truncated: tensor '.*' needs data bytes/);
    await truncate(join(dir, "model.safetensors"), 4);
    await assert.rejects(loadCheckpoint(dir), /model\.safetensors: truncated: 4 bytes/);
    model.dispose();
  });

  it("reports a corrupt safetensors header", async () => {
    const { dir, model } = await saved("corrupt");
    const bytes = await readFile(join(dir, "model.safetensors"));
    bytes[12] = 0x00;
    await writeFile(join(dir, "model.safetensors"), bytes);
    await assert.rejects(loadCheckpoint(dir), /model\.safetensors: header is not valid JSON \(corrupt file\)/);
    model.dispose();
  });

  it("reports a corrupt config.json and an unknown format version", async () => {
    const { dir, model } = await saved("version");
    const cfgPath = join(dir, "config.json");
    const text = await readFile(cfgPath, "utf8");
    await writeFile(cfgPath, text.replace('"format_version": 1', '"format_version": 2'));
    await assert.rejects(loadCheckpoint(dir), /config\.json: unknown format version 2: this strl \(.*\) reads version 1; it was written by a newer strl/);
    await writeFile(cfgPath, text.slice(0, 50));
    await assert.rejects(loadCheckpoint(dir), /config\.json is not valid JSON \(truncated or corrupt\)/);
    model.dispose();
  });

  it("reports a weight whose shape differs from the model's", async () => {
    const { dir, model } = await saved("shapes", { ...CFG, d: 6 });
    const wide = new TinyModel(CFG); // d = 8
    await assert.rejects(loadCheckpoint(dir, { model: wide }), /model\.safetensors: tensor 'pos' has shape \[4, 6\] but the model expects \[4, 8\]/);
    model.dispose();
    wide.dispose();
  });

  it("names an optimizer moment's wrong shape in the file's layout, and strl's only for a transposed weight", async () => {
    const model = new TinyModel(CFG);
    const names = new Set(transposedNames(model));
    const linear = model.namedParameters().find(([n]) => names.has(n))!;
    const plain = model.namedParameters().find(([n, p]) => !names.has(n) && p.rank === 2)!;
    for (const [[name, p], expect] of [
      [plain, new RegExp(`tensor '${plain[0]}\\.exp_avg' has shape \\[${[...p0(plain)].reverse().join(", ")}\\], its parameter \\[${p0(plain).join(", ")}\\]$`)],
      [linear, new RegExp(`tensor '${linear[0]}\\.exp_avg' has shape \\[${p0(linear).join(", ")}\\], its parameter \\[${[...p0(linear)].reverse().join(", ")}\\] \\(\\[${p0(linear).join(", ")}\\] in strl's layout\\)$`)],
    ] as const) {
      const dir = join(root, `moment-${name.replace(/\./g, "-")}`);
      const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
      for (const [n, q] of model.namedParameters()) for (const sfx of [".exp_avg", ".exp_avg_sq"]) tensors.set(n + sfx, { shape: [...q.shape], data: new Float32Array(q.size) });
      await saveCheckpoint(dir, { model, envId: "strl/Toy-v0", normalisation: NORM, optimizer: { step: 1, tensors }, trainer: { step: 1 } });
      // rewrite the file with this parameter's moment stored the other way round (same values, swapped shape)
      const file = join(dir, "optimizer.safetensors");
      const raw = decodeSafetensors(new Uint8Array(await readFile(file)));
      const t = raw.tensors.get(`${name}.exp_avg`)!;
      raw.tensors.set(`${name}.exp_avg`, { ...t, shape: [...t.shape].reverse() });
      await writeFile(file, encodeSafetensors(raw.tensors, raw.metadata));
      await assert.rejects(loadCheckpoint(dir), (e: Error) => {
        assert.match(e.message, expect);
        return true;
      });
      void p;
    }
    model.dispose();
  });

  it("reports a checkpoint for another observation or action size, naming both sizes", async () => {
    const { dir, model } = await saved("sizes");
    await assert.rejects(loadCheckpoint(dir, { expect: { obsDim: 4 } }), /trained for observations of size 3 \(strl\/Toy-v0\), but the environment has observations of size 4/);
    await assert.rejects(loadCheckpoint(dir, { expect: { action: { kind: "discrete", n: 7 } } }), /trained for 3 discrete actions \(strl\/Toy-v0\), but the environment has 7 discrete actions/);
    await assert.rejects(
      loadCheckpoint(dir, { expect: { action: { kind: "continuous", dim: 3, low: [-1, -1, -1], high: [1, 1, 1] } } }),
      /trained for 3 discrete actions .* but the environment has a continuous action of size 3/,
    );
    const ok = await loadCheckpoint(dir, { expect: { obsDim: 3, action: { kind: "discrete", n: 3 }, envId: "strl/Toy-v0", kind: "bc" } });
    assert.equal(ok.weights.size, model.namedParameters().length);
    model.dispose();
  });

  it("reports weights that disagree with config.json's parameter count", async () => {
    const { dir, model } = await saved("count");
    const cfgPath = join(dir, "config.json");
    const c = JSON.parse(await readFile(cfgPath, "utf8"));
    c.model.num_params += 1;
    await writeFile(cfgPath, JSON.stringify(c));
    await assert.rejects(loadCheckpoint(dir), new RegExp(`model\\.safetensors holds ${model.numParams()} values but config\\.json says the model has ${model.numParams() + 1}`));
    model.dispose();
  });

  it("says a weights-only checkpoint cannot resume training", async () => {
    const { dir, model } = await saved("weights-only");
    await assert.rejects(loadCheckpoint(dir, { requireTrainingState: true }), /optimizer\.safetensors and trainer\.json are missing: this checkpoint holds weights only/);
    await writeFile(join(dir, "trainer.json"), "{}");
    await assert.rejects(loadCheckpoint(dir), /optimizer\.safetensors is missing \(the training state needs both/);
    model.dispose();
  });
});
