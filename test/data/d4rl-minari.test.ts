/**
 * Real-world dataset layouts: a D4RL locomotion file (flat keys, no env id, float32 + bool, infos/*) and a Minari
 * MuJoCo dataset (data/main_data.hdf5 with one group per episode, data/metadata.json beside it), written here
 * with h5wasm from made-up numbers in exactly those layouts.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadH5 } from "../../src/data/hdf5-h5wasm.js";
import { readDatasetHdf5 } from "../../src/data/hdf5.js";
import { envIdFromDatasetName } from "../../src/data/env-of-file.js";
import { checkDatasetFitsEnv, readyForEnv } from "../../src/experiments/env-check.js";

let dir = "";
before(() => (dir = mkdtempSync(join(tmpdir(), "strl-d4rl-"))));
after(() => rmSync(dir, { recursive: true, force: true }));

type H5File = InstanceType<Awaited<ReturnType<typeof loadH5>>["File"]>;

async function writeH5(path: string, write: (f: H5File) => void): Promise<string> {
  const h5 = await loadH5();
  const f = new h5.File(path, "w");
  try {
    write(f);
  } finally {
    f.close();
  }
  return path;
}

/** Row r, column c of a made-up observation: r * 100 + c. */
function obsRows(rows: number, width: number): Float32Array; // [rows, width]
function obsRows(rows: number, width: number, f64: true): Float64Array; // [rows, width]
function obsRows(rows: number, width: number, f64 = false): Float32Array | Float64Array {
  const v = Float64Array.from({ length: rows * width }, (_, i) => Math.floor(i / width) * 100 + (i % width));
  return f64 ? v : Float32Array.from(v);
}

/**
 * A D4RL locomotion file of 7 rows: a terminal at row 1, a timeout at row 4, rows 5-6 unfinished; rewards 1..7.
 * So episodes [0, 1] (terminated, return 3), [2, 3, 4] (timed out, return 12), [5, 6] (tail, return 13).
 */
function d4rlWriter(obsDim: number, actDim: number): (f: H5File) => void {
  const n = 7;
  return (f) => {
    f.create_dataset({ name: "observations", data: obsRows(n, obsDim), shape: [n, obsDim], dtype: "<f4" }); // [N, obsDim]
    f.create_dataset({ name: "actions", data: Float32Array.from({ length: n * actDim }, (_, i) => ((i % 5) - 2) / 2), shape: [n, actDim], dtype: "<f4" }); // [N, actDim]
    f.create_dataset({ name: "rewards", data: Float32Array.from([1, 2, 3, 4, 5, 6, 7]), shape: [n], dtype: "<f4" }); // [N]
    f.create_dataset({ name: "terminals", data: Int8Array.from([0, 1, 0, 0, 0, 0, 0]), shape: [n], dtype: "|b1" }); // [N]
    f.create_dataset({ name: "timeouts", data: Int8Array.from([0, 0, 0, 0, 1, 0, 0]), shape: [n], dtype: "|b1" }); // [N]
    const infos = f.create_group("infos");
    infos.create_dataset({ name: "qpos", data: obsRows(n, 6), shape: [n, 6], dtype: "<f4" }); // [N, 6]
    infos.create_dataset({ name: "qvel", data: obsRows(n, 6), shape: [n, 6], dtype: "<f4" }); // [N, 6]
    infos.create_dataset({ name: "action_log_probs", data: new Float32Array(n).fill(-1.5), shape: [n], dtype: "<f4" }); // [N]
    infos.create_dataset({ name: "action_mean", data: new Float32Array(n * actDim), shape: [n, actDim], dtype: "<f4" }); // [N, actDim]
  };
}

/** A Minari dataset folder `<name>/data` with main_data.hdf5 (episodes of `lens` steps) and metadata.json. */
async function minariDataset(name: string, obsDim: number, lens: Array<[number, "term" | "trunc"]>, metadata: Record<string, unknown>): Promise<string> {
  const data = join(dir, name, "data");
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, "metadata.json"), JSON.stringify(metadata));
  return writeH5(join(data, "main_data.hdf5"), (f) => {
    lens.forEach(([len, end], e) => {
      const g = f.create_group(`episode_${e}`);
      g.create_attribute("id", e);
      g.create_dataset({ name: "observations", data: obsRows(len + 1, obsDim, true), shape: [len + 1, obsDim], dtype: "<d" }); // [len + 1, obsDim]
      g.create_dataset({ name: "actions", data: new Float32Array(len * 3).fill(0.5), shape: [len, 3], dtype: "<f4" }); // [len, 3]
      g.create_dataset({ name: "rewards", data: Float64Array.from({ length: len }, (_, t) => 10 * (e + 1) + t), shape: [len], dtype: "<d" }); // [len]
      const last = (on: boolean) => Int8Array.from({ length: len }, (_, t) => (on && t === len - 1 ? 1 : 0));
      g.create_dataset({ name: "terminations", data: last(end === "term"), shape: [len], dtype: "|b1" }); // [len]
      g.create_dataset({ name: "truncations", data: last(end === "trunc"), shape: [len], dtype: "|b1" }); // [len]
      const infos = g.create_group("infos");
      infos.create_dataset({ name: "x_position", data: new Float64Array(len + 1), shape: [len + 1], dtype: "<d" }); // [len + 1]
      infos.create_dataset({ name: "qpos", data: new Float64Array((len + 1) * 6), shape: [len + 1, 6], dtype: "<d" }); // [len + 1, 6]
    });
  });
}

const HOPPER_META = {
  dataset_id: "mujoco/hopper/medium-v0",
  env_spec: JSON.stringify({ id: "Hopper-v5", entry_point: "gymnasium.envs.mujoco.hopper_v5:HopperEnv", max_episode_steps: 1000, kwargs: {} }),
  action_space: JSON.stringify({ type: "Box", dtype: "float32", shape: [3], low: [-1, -1, -1], high: [1, 1, 1] }),
  total_episodes: 2,
  total_steps: 5,
  data_format: "hdf5",
  requirements: ["mujoco>=3.1.6"],
};

describe("D4RL locomotion files", () => {
  it("cut episodes at terminals and at timeouts, keep the unfinished tail, ignore infos/* and take the env from the file name", async () => {
    const path = await writeH5(join(dir, "hopper-medium-v2.hdf5"), d4rlWriter(11, 3));
    const ds = await readDatasetHdf5(path);
    assert.equal(ds.envId, "Hopper-v5");
    assert.equal(ds.metadata.env_id_source, "file name");
    assert.equal(ds.metadata.source_layout, "d4rl");
    assert.equal(ds.obsDim, 11);
    assert.equal(ds.actDim, 3);
    assert.deepEqual([...ds.lengths()], [2, 3, 2]);
    assert.deepEqual([...ds.returns()], [1 + 2, 3 + 4 + 5, 6 + 7]);
    assert.deepEqual(ds.trajectories.map((t) => [t.terminated, t.truncated]), [[true, false], [false, true], [false, true]]);
    // episode 1 starts at row 2: its first observation is [200, 201, ..., 210]
    assert.deepEqual([...ds.trajectories[1]!.observations.slice(0, 3)], [200, 201, 202]);
    assert.equal(ds.trajectories[1]!.observations.length, 3 * 11);
  });

  it("map walker2d-* and halfcheetah-* names to the v5 envs, and Minari ids too", () => {
    assert.equal(envIdFromDatasetName("/data/walker2d-medium-replay-v2.hdf5"), "Walker2d-v5");
    assert.equal(envIdFromDatasetName("halfcheetah-medium-expert-v2.hdf5"), "HalfCheetah-v5");
    assert.equal(envIdFromDatasetName("mujoco/walker2d/expert-v0"), "Walker2d-v5");
    assert.equal(envIdFromDatasetName("/home/u/.minari/datasets/mujoco/halfcheetah/simple-v0/data/main_data.hdf5"), "HalfCheetah-v5");
    assert.equal(envIdFromDatasetName("ant-medium-v2.hdf5"), undefined);
    assert.equal(envIdFromDatasetName("hoppers-medium-v2.hdf5"), undefined);
    assert.equal(envIdFromDatasetName("cartpole.h5"), undefined);
  });

  it("keep an env id given by the caller over the file name", async () => {
    const path = await writeH5(join(dir, "walker2d-expert-v2.hdf5"), d4rlWriter(17, 6));
    const ds = await readDatasetHdf5(path, { envId: "HalfCheetah-v5" });
    assert.equal(ds.envId, "HalfCheetah-v5");
    assert.equal(ds.metadata.env_id_source, undefined);
  });

  it("refuse, naming both widths, observations that do not fit the env", async () => {
    const path = await writeH5(join(dir, "walker2d-medium-v2.hdf5"), d4rlWriter(11, 6));
    const ds = await readDatasetHdf5(path);
    await readyForEnv("Walker2d-v5");
    assert.throws(() => checkDatasetFitsEnv("--data x", ds, "Walker2d-v5"), /^ConfigError: --data x: observations have 11 values per step but 'Walker2d-v5' gives 17$/);
    // a matching file passes
    const ok = await readDatasetHdf5(await writeH5(join(dir, "halfcheetah-random-v2.hdf5"), d4rlWriter(17, 6)));
    await readyForEnv("HalfCheetah-v5");
    assert.doesNotThrow(() => checkDatasetFitsEnv("--data y", ok, ok.envId));
  });
});

describe("Minari MuJoCo datasets", () => {
  it("read one episode per group, drop the final observation and take env and action space from metadata.json", async () => {
    const path = await minariDataset("hopper-medium", 11, [[3, "term"], [2, "trunc"]], HOPPER_META);
    const ds = await readDatasetHdf5(path);
    assert.equal(ds.envId, "Hopper-v5");
    assert.equal(ds.metadata.env_id_source, undefined);
    assert.equal(ds.metadata.source_layout, "minari");
    assert.equal(ds.metadata.dataset_id, "mujoco/hopper/medium-v0");
    assert.deepEqual(ds.actionSpace, { kind: "box", shape: [3], low: [-1, -1, -1], high: [1, 1, 1] });
    assert.deepEqual([...ds.lengths()], [3, 2]);
    // rewards 10, 11, 12 and 20, 21
    assert.deepEqual([...ds.returns()], [33, 41]);
    assert.deepEqual(ds.trajectories.map((t) => [t.terminated, t.truncated]), [[true, false], [false, true]]);
    // 3 observations of 11 kept (rows 0..2), the 4th (row 3, value 300) dropped
    assert.equal(ds.trajectories[0]!.observations.length, 33);
    assert.equal(ds.trajectories[0]!.observations[32], 210);
  });

  it("fall back to the Minari dataset id when env_spec is missing", async () => {
    const { env_spec: _, ...noSpec } = HOPPER_META;
    const path = await minariDataset("walker-no-spec", 17, [[2, "trunc"]], { ...noSpec, dataset_id: "mujoco/walker2d/expert-v0" });
    assert.equal((await readDatasetHdf5(path)).envId, "Walker2d-v5");
  });

  it("name a metadata.json that is not JSON", async () => {
    const path = await minariDataset("broken-meta", 11, [[2, "term"]], {});
    writeFileSync(join(dir, "broken-meta", "data", "metadata.json"), "{ not json");
    await assert.rejects(readDatasetHdf5(path), /metadata\.json is not valid JSON/);
  });
});

describe("an unknown layout", () => {
  it("is one line naming what the file holds", async () => {
    const path = await writeH5(join(dir, "other.h5"), (f) => {
      f.create_dataset({ name: "states", data: new Float32Array(4), shape: [2, 2], dtype: "<f4" });
      f.create_group("meta");
    });
    await assert.rejects(readDatasetHdf5(path), (e: Error) => {
      assert.match(e.message, /unknown layout: missing key 'observations' \(and no Minari 'episode_<i>' groups\); top-level keys: (meta, states|states, meta)$/);
      assert.ok(!e.message.includes("\n"));
      return true;
    });
  });
});
