import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadH5 } from "../../src/data/hdf5-h5wasm.js";
import { readDatasetHdf5, writeDatasetHdf5 } from "../../src/data/hdf5.js";
import { lookup3 } from "../../src/data/hdf5-times.js";
import { Dataset } from "../../src/data/trajectory.js";
import { VERSION } from "../../src/version.js";
import { make } from "../../src/envs/index.js";
import type { MazeEnv } from "../../src/envs/grid/index.js";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "strl-hdf5-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function discreteDataset(): Dataset {
  return new Dataset({
    envId: "Maze-v0",
    obsDim: 2,
    actionSpace: { kind: "discrete", n: 4 },
    metadata: { policy: "expert", seed: 4294967295 },
    trajectories: [
      { observations: new Float32Array([0, 1, 1, 1, 1, 2]), actions: new Int32Array([1, 3, 2]), rewards: new Float32Array([-0.1, -0.1, 0.9]), terminated: true, truncated: false },
      { observations: new Float32Array([0, 1, 0.5, 0.25]), actions: new Int32Array([0, 1]), rewards: new Float32Array([-0.1, -0.1]), terminated: false, truncated: true },
    ],
  });
}

function boxDataset(): Dataset {
  return new Dataset({
    envId: "Pendulum-v1",
    obsDim: 3,
    actionSpace: { kind: "box", shape: [1], low: [-2], high: [2] },
    trajectories: [
      { observations: new Float32Array([1, 0, 0.5, 0.9, 0.1, 0.4]), actions: new Float32Array([1.5, -2]), rewards: new Float32Array([-1.25, -3.5]), terminated: false, truncated: true },
    ],
  });
}

type H5 = Awaited<ReturnType<typeof loadH5>>;
type Writer = (f: InstanceType<H5["File"]>) => void;

/** Writes a file by hand with h5wasm (for the malformed-file cases). */
async function handWritten(name: string, write: Writer): Promise<string> {
  const h5 = await loadH5();
  const path = join(dir, name);
  const f = new h5.File(path, "w");
  try {
    write(f);
  } finally {
    f.close();
  }
  return path;
}

/** A valid flat file with 4 rows, obsDim 2; `change` edits the arrays before writing. */
function flatWriter(change: (a: Record<string, { data: Float32Array | Int8Array | Int32Array | Uint8Array; shape: number[]; dtype: string } | undefined>) => void = () => {}): Writer {
  return (f) => {
    const arrays: Record<string, { data: Float32Array | Int8Array | Int32Array | Uint8Array; shape: number[]; dtype: string } | undefined> = {
      observations: { data: new Float32Array([0, 0, 1, 0, 2, 0, 3, 0]), shape: [4, 2], dtype: "<f4" },
      actions: { data: new Int32Array([0, 1, 1, 0]), shape: [4], dtype: "<i4" },
      rewards: { data: new Float32Array([1, 2, 3, 4]), shape: [4], dtype: "<f4" },
      terminals: { data: new Int8Array([0, 1, 0, 0]), shape: [4], dtype: "|b1" },
      timeouts: { data: new Int8Array([0, 0, 0, 0]), shape: [4], dtype: "|b1" },
    };
    change(arrays);
    for (const [name, a] of Object.entries(arrays)) if (a) f.create_dataset({ name, data: a.data, shape: a.shape, dtype: a.dtype });
  };
}

describe("lookup3 (the HDF5 metadata checksum)", () => {
  it("matches the reference values of Jenkins' lookup3.c self-test", () => {
    const text = new TextEncoder().encode("Four score and seven years ago");
    assert.equal(lookup3(new Uint8Array(0)), 0xdeadbeef);
    assert.equal(lookup3(text, 0, text.length, 0), 0x17770551);
    assert.equal(lookup3(text, 0, text.length, 1), 0xcd628161);
  });
});

describe("writeDatasetHdf5 / readDatasetHdf5", () => {
  it("round-trips a Discrete dataset: values, flags, env id, space and metadata", async () => {
    const path = join(dir, "discrete.h5");
    const ds = discreteDataset();
    await writeDatasetHdf5(path, ds);
    const back = await readDatasetHdf5(path);
    assert.equal(back.envId, "Maze-v0");
    assert.deepEqual(back.actionSpace, { kind: "discrete", n: 4 });
    assert.equal(back.metadata.policy, "expert");
    assert.equal(back.metadata.seed, 4294967295);
    assert.equal(back.metadata.file_strl_version, VERSION);
    assert.equal(back.numEpisodes, 2);
    for (let i = 0; i < 2; i++) {
      const a = ds.trajectories[i]!;
      const b = back.trajectories[i]!;
      assert.deepEqual(b.observations, a.observations);
      assert.deepEqual(b.actions, a.actions);
      assert.deepEqual(b.rewards, a.rewards);
      assert.equal(b.terminated, a.terminated);
      assert.equal(b.truncated, a.truncated);
    }
  });

  it("loads a file written under the older id MazeLocal-21x21-v0 (a 15x15 maze) as MazeLocal-v0 with its size", async () => {
    const path = join(dir, "old-id.h5");
    const ds = new Dataset({ ...discreteDataset(), obsDim: 2, metadata: { env_options: '{"size":15}' } });
    (ds as { envId: string }).envId = "MazeLocal-21x21-v0"; // what strl wrote before the maze ids stopped naming a size
    await writeDatasetHdf5(path, ds);
    const h5 = await loadH5();
    const f = new h5.File(path, "r");
    assert.equal(f.attrs.env_id!.value, "MazeLocal-21x21-v0");
    f.close();
    const back = await readDatasetHdf5(path);
    assert.equal(back.envId, "MazeLocal-v0");
    assert.equal(back.metadata.env_options, '{"size":15}');
    assert.equal((make(back.envId, JSON.parse(back.metadata.env_options as string) as Record<string, unknown>) as MazeEnv).size, 15);
  });

  it("round-trips a Box dataset with float actions", async () => {
    const path = join(dir, "box.h5");
    await writeDatasetHdf5(path, boxDataset());
    const back = await readDatasetHdf5(path);
    assert.deepEqual(back.actionSpace, { kind: "box", shape: [1], low: [-2], high: [2] });
    assert.deepEqual(back.trajectories[0]!.actions, new Float32Array([1.5, -2]));
    assert.deepEqual(back.trajectories[0]!.observations, new Float32Array([1, 0, 0.5, 0.9, 0.1, 0.4]));
  });

  it("writes the same bytes for the same dataset even seconds apart", async () => {
    const a = join(dir, "same-a.h5");
    const b = join(dir, "same-b.h5");
    await writeDatasetHdf5(a, discreteDataset());
    await new Promise((r) => setTimeout(r, 1100)); // HDF5 stamps headers with whole seconds
    await writeDatasetHdf5(b, discreteDataset());
    assert.ok(readFileSync(a).equals(readFileSync(b)));
  });

  it("leaves no temporary file behind and replaces an existing file", async () => {
    const path = join(dir, "replace.h5");
    writeFileSync(path, "old contents");
    await writeDatasetHdf5(path, boxDataset());
    const back = await readDatasetHdf5(path);
    assert.equal(back.envId, "Pendulum-v1");
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes("tmp-")), []);
  });

  it("refuses metadata keys that the format reserves", async () => {
    const ds = discreteDataset();
    ds.metadata.env_id = "other";
    await assert.rejects(writeDatasetHdf5(join(dir, "reserved.h5"), ds), /metadata key 'env_id' is reserved/);
  });
});

describe("readDatasetHdf5 on files a user brings", () => {
  it("splits at terminals and timeouts and keeps the unterminated tail as a truncated episode", async () => {
    const path = await handWritten("tail.h5", flatWriter((a) => (a.timeouts!.data = new Int8Array([0, 0, 1, 0]))));
    const ds = await readDatasetHdf5(path, { envId: "d4rl-like" });
    assert.equal(ds.envId, "d4rl-like");
    assert.deepEqual([...ds.lengths()], [2, 1, 1]);
    assert.deepEqual(ds.trajectories.map((t) => [t.terminated, t.truncated]), [[true, false], [false, true], [false, true]]);
    assert.deepEqual([...ds.returns()], [3, 3, 4]);
    // no action_space attribute: Discrete(max + 1) inferred from the int actions
    assert.deepEqual(ds.actionSpace, { kind: "discrete", n: 2 });
    assert.equal(ds.metadata.action_space_source, "inferred");
  });

  it("accepts uint8 flags, a missing timeouts key, [N, 1] rewards and ignores infos/*", async () => {
    const path = await handWritten("uint8.h5", (f) => {
      flatWriter((a) => {
        a.terminals = { data: new Uint8Array([1, 0, 0, 1]), shape: [4], dtype: "<B" };
        a.timeouts = undefined;
        a.rewards!.shape = [4, 1];
      })(f);
      f.create_group("infos").create_dataset({ name: "qpos", data: new Float64Array([NaN, 0, 0, 0]), shape: [4], dtype: "<d" });
    });
    const ds = await readDatasetHdf5(path);
    assert.equal(ds.envId, "unknown");
    assert.deepEqual([...ds.lengths()], [1, 3]);
    assert.deepEqual(ds.trajectories.map((t) => t.terminated), [true, true]);
  });

  it("infers a Box space from float actions without an action_space attribute", async () => {
    const path = await handWritten("floatact.h5", flatWriter((a) => (a.actions = { data: new Float32Array([-1, 0.5, 0, 2, 1, 1, 0.25, -3]), shape: [4, 2], dtype: "<f4" })));
    const ds = await readDatasetHdf5(path);
    assert.deepEqual(ds.actionSpace, { kind: "box", shape: [2], low: [-1, -3], high: [1, 2] });
  });

  it("reads the Minari layout, dropping the extra final observation of each episode", async () => {
    const path = await handWritten("minari.h5", (f) => {
      f.create_attribute("action_space", JSON.stringify({ type: "Discrete", dtype: "int64", start: 0, n: 3 }));
      f.create_attribute("env_spec", JSON.stringify({ id: "CartPole-v1", max_episode_steps: 500 }));
      const ep = (name: string, len: number, term: boolean): void => {
        const g = f.create_group(name);
        const obs = Float32Array.from({ length: (len + 1) * 2 }, (_, i) => i);
        g.create_dataset({ name: "observations", data: obs, shape: [len + 1, 2], dtype: "<f4" });
        g.create_dataset({ name: "actions", data: BigInt64Array.from({ length: len }, (_, i) => BigInt(i % 3)), shape: [len], dtype: "<q" });
        g.create_dataset({ name: "rewards", data: new Float64Array(len).fill(1), shape: [len], dtype: "<d" });
        const flags = (on: boolean): Int8Array => Int8Array.from({ length: len }, (_, i) => (on && i === len - 1 ? 1 : 0));
        g.create_dataset({ name: "terminations", data: flags(term), shape: [len], dtype: "|b1" });
        g.create_dataset({ name: "truncations", data: flags(!term), shape: [len], dtype: "|b1" });
      };
      ep("episode_10", 2, false);
      ep("episode_2", 3, true);
    });
    const ds = await readDatasetHdf5(path);
    assert.equal(ds.envId, "CartPole-v1");
    assert.deepEqual(ds.actionSpace, { kind: "discrete", n: 3 });
    assert.equal(ds.metadata.source_layout, "minari");
    // episode_2 comes before episode_10 (numeric order)
    assert.deepEqual([...ds.lengths()], [3, 2]);
    assert.deepEqual(ds.trajectories[0]!.observations, new Float32Array([0, 1, 2, 3, 4, 5]));
    assert.deepEqual(ds.trajectories[0]!.actions, new Int32Array([0, 1, 2]));
    assert.deepEqual(ds.trajectories.map((t) => [t.terminated, t.truncated]), [[true, false], [false, true]]);
  });
});

describe("readDatasetHdf5 errors", () => {
  it("names a missing file", async () => {
    const path = join(dir, "nope.h5");
    await assert.rejects(readDatasetHdf5(path), { name: "DatasetFileError", message: `${path}: file not found` });
  });

  it("checks the HDF5 signature before opening", async () => {
    const path = join(dir, "text.h5");
    writeFileSync(path, "observations,actions\n1,2\n".repeat(100));
    await assert.rejects(readDatasetHdf5(path), /text\.h5: not an HDF5 file/);
  });

  it("names a missing key", async () => {
    const path = await handWritten("norewards.h5", flatWriter((a) => (a.rewards = undefined)));
    await assert.rejects(readDatasetHdf5(path), /norewards\.h5: missing key 'rewards'$/);
  });

  it("names both keys of a length mismatch", async () => {
    const path = await handWritten("mismatch.h5", flatWriter((a) => (a.rewards = { data: new Float32Array([1, 2, 3]), shape: [3], dtype: "<f4" })));
    await assert.rejects(readDatasetHdf5(path), /length mismatch: 'observations' has 4 rows but 'rewards' has 3/);
  });

  it("names the key and the first row holding NaN", async () => {
    const path = await handWritten("nan.h5", flatWriter((a) => (a.observations!.data[5] = NaN)));
    await assert.rejects(readDatasetHdf5(path), /key 'observations' has a non-finite value \(NaN\) at row 2/);
  });

  it("names the key and the first row holding Infinity", async () => {
    const path = await handWritten("inf.h5", flatWriter((a) => (a.rewards!.data[3] = -Infinity)));
    await assert.rejects(readDatasetHdf5(path), /key 'rewards' has a non-finite value \(-Infinity\) at row 3/);
  });

  it("rejects observations of the wrong rank", async () => {
    const path = await handWritten("rank.h5", flatWriter((a) => (a.observations = { data: new Float32Array([0, 1, 2, 3]), shape: [4], dtype: "<f4" })));
    await assert.rejects(readDatasetHdf5(path), /key 'observations' must have rank 2 \(\[N, obsDim\]\), got rank 1 with shape \[4\]/);
  });

  it("rejects a Minari episode whose observations lack the extra final row", async () => {
    const path = await handWritten("minari-bad.h5", (f) => {
      const g = f.create_group("episode_0");
      g.create_dataset({ name: "observations", data: new Float32Array(4), shape: [2, 2], dtype: "<f4" });
      g.create_dataset({ name: "actions", data: new Int32Array(2), shape: [2], dtype: "<i4" });
      g.create_dataset({ name: "rewards", data: new Float32Array(2), shape: [2], dtype: "<f4" });
      g.create_dataset({ name: "terminations", data: new Int8Array(2), shape: [2], dtype: "|b1" });
      g.create_dataset({ name: "truncations", data: new Int8Array(2), shape: [2], dtype: "|b1" });
    });
    await assert.rejects(readDatasetHdf5(path), /length mismatch: 'episode_0\/observations' has 2 rows, expected actions' 2 \+ 1/);
  });

  it("rejects a file with neither layout", async () => {
    const path = await handWritten("empty.h5", (f) => f.create_dataset({ name: "x", data: new Float32Array([1]), shape: [1], dtype: "<f4" }));
    await assert.rejects(readDatasetHdf5(path), /missing key 'observations' \(and no Minari 'episode_<i>' groups\)/);
  });
});

describe("readDatasetHdf5 bounds: sizes a file declares are refused before they are allocated", () => {
  it("refuses an action_space attribute declaring a 1e9-wide Box, with the limit and the memory", async () => {
    const path = await handWritten("wide-box.h5", (f) => {
      flatWriter((a) => (a.actions = { data: new Float32Array(4), shape: [4, 1], dtype: "<f4" }))(f);
      f.create_attribute("action_space", JSON.stringify({ kind: "box", shape: [1e9], low: -1, high: 1 }));
    });
    const t0 = performance.now();
    await assert.rejects(readDatasetHdf5(path), {
      name: "DatasetFileError",
      message: `${path}: attribute 'action_space' declares a Box of shape [1000000000]: 1000000000 values per row, above strl's limit of 65536 (one model layer reading or writing rows this wide would take 512.0 GB at width 128)`,
    });
    assert.ok(performance.now() - t0 < 5000);
  });

  it("refuses an action_space attribute declaring Discrete(1e9)", async () => {
    const path = await handWritten("wide-discrete.h5", (f) => {
      flatWriter()(f);
      f.create_attribute("action_space", JSON.stringify({ type: "Discrete", n: 1e9 }));
    });
    await assert.rejects(readDatasetHdf5(path), /wide-discrete\.h5: attribute 'action_space' declares a Discrete\(1000000000\) action space, above strl's limit of 65536 actions \(a model's action table and output layer would take 1\.0 TB at width 128\)$/);
  });

  it("refuses integer actions whose largest value would make a Discrete space over the limit", async () => {
    const path = await handWritten("big-action.h5", flatWriter((a) => (a.actions = { data: new Int32Array([0, 1, 99999, 0]), shape: [4], dtype: "<i4" })));
    await assert.rejects(readDatasetHdf5(path), /key 'actions' holds action 99999, which makes a Discrete\(100000\) action space, above strl's limit of 65536 actions \(a model's action table and output layer would take 102\.4 MB at width 128\)$/);
  });

  it("refuses a key whose declared shape needs more than 1 GB, without reading it (a chunked dataset may declare any shape)", async () => {
    const path = await handWritten("declared.h5", (f) => {
      flatWriter((a) => (a.observations = undefined))(f);
      const obs = f.create_dataset({ name: "observations", data: new Float32Array(8), shape: [4, 2], dtype: "<f4", maxshape: [null, null], chunks: [4, 2] });
      obs.resize([4, 1e9]); // 16 GB declared, a few KB on disk
    });
    await assert.rejects(readDatasetHdf5(path), {
      message: `${path}: key 'observations' declares shape [4, 1000000000] of 4-byte values, 16.0 GB, above strl's limit of 1.0 GB per key (the HDF5 reader's memory)`,
    });
  });

  it("refuses observations wider than 65536 values per row", async () => {
    const path = await handWritten("wide-obs.h5", flatWriter((a) => (a.observations = { data: new Float32Array(4 * 70000), shape: [4, 70000], dtype: "<f4" })));
    await assert.rejects(readDatasetHdf5(path), /key 'observations' has 70000 values per row, above strl's limit of 65536 \(one model layer reading or writing rows this wide would take 35\.8 MB at width 128\)$/);
  });
});
