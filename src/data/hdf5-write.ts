/**
 * Writes a `Dataset` as one HDF5 file in the flat D4RL layout (the same keys D4RL and `minari`'s flat export use):
 *
 *   observations  [N, obsDim]  float32
 *   actions       [N]          int32    (Discrete: the action index)   -- our choice for Discrete spaces
 *                 [N, actDim]  float32  (Box)
 *   rewards       [N]          float32
 *   terminals     [N]          int8 0/1 (1 on the last step of an episode that ended in a terminal state)
 *   timeouts      [N]          int8 0/1 (1 on the last step of an episode that was truncated)
 *
 * N is the total number of steps; episodes are concatenated and recovered on read by splitting after every row
 * with terminals | timeouts. An episode with neither flag is written with timeouts = 1 (it did not end in a
 * terminal state, so it is a truncation). Booleans are int8 because h5wasm cannot create HDF5's enum boolean;
 * h5py reads them as int8 too, and our reader accepts both.
 *
 * Root attributes: `env_id`, `observation_dim`, `action_space` (JSON of the space), `num_episodes`,
 * `strl_version`, `format`, and every key of `dataset.metadata` (policy, seed, ...) under its own name; numbers
 * are float64 so seeds up to 2^32 stay exact.
 *
 * The file is written to a temporary name in the same folder, its object-header times are zeroed (so the same
 * dataset gives the same bytes) and it is renamed into place, so readers never see a half-written file.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, statfsSync, writeSync } from "node:fs";
import { checkWritableFolder, cleanStaleTemps, explainFsError, FileSystemError, syncFolder, tempPath } from "../io/fs-safe.js";
import { dirname } from "node:path";
import { VERSION } from "../version.js";
import { h5ErrorLine, loadH5 } from "./hdf5-h5wasm.js";
import { zeroHeaderTimes } from "./hdf5-times.js";
import type { Dataset, MetaValue } from "./trajectory.js";

export const FORMAT = "strl-d4rl/1";

/** Attribute names the writer owns; metadata keys may not use them. */
export const RESERVED_ATTRS = ["env_id", "observation_dim", "action_space", "num_episodes", "strl_version", "format"] as const;

/** The arrays of the flat layout, concatenated over episodes. */
export interface FlatArrays {
  /** [N, obsDim] */
  observations: Float32Array;
  /** [N] int32 (Discrete) or [N, actDim] float32 (Box) */
  actions: Int32Array | Float32Array;
  /** [N] */
  rewards: Float32Array;
  /** [N] 0/1 */
  terminals: Int8Array;
  /** [N] 0/1 */
  timeouts: Int8Array;
  /** infos/<name> [N, width], present when every episode has the key */
  infos: Record<string, { width: number; data: Float64Array }>;
}

/** Concatenates the episodes of `ds` into the flat D4RL arrays. */
export function flatten(ds: Dataset): FlatArrays {
  const n = ds.numSteps;
  const obsDim = ds.obsDim;
  const actDim = ds.actDim;
  const observations = new Float32Array(n * obsDim); // [N, obsDim]
  const actions = ds.actionSpace.kind === "discrete" ? new Int32Array(n) : new Float32Array(n * actDim); // [N] | [N, actDim]
  const rewards = new Float32Array(n); // [N]
  const terminals = new Int8Array(n); // [N]
  const timeouts = new Int8Array(n); // [N]
  let row = 0;
  for (const t of ds.trajectories) {
    const len = t.rewards.length;
    observations.set(t.observations, row * obsDim);
    actions.set(t.actions, row * actDim);
    rewards.set(t.rewards, row);
    const last = row + len - 1;
    if (t.terminated) terminals[last] = 1;
    if (t.truncated || !t.terminated) timeouts[last] = 1;
    row += len;
  }
  return { observations, actions, rewards, terminals, timeouts, infos: flattenInfos(ds, n) };
}

/** Concatenates the per-step infos that every episode has, checking each is [len, width] with one width. */
function flattenInfos(ds: Dataset, n: number): FlatArrays["infos"] {
  const out: FlatArrays["infos"] = {};
  const first = ds.trajectories[0]?.infos;
  if (!first) return out;
  for (const key of Object.keys(first)) {
    if (!/^[A-Za-z0-9_]{1,64}$/.test(key)) throw new RangeError(`dataset infos key '${key}' must be 1-64 letters, digits or _`);
    if (!ds.trajectories.every((t) => t.infos?.[key] !== undefined)) continue;
    const width = first[key]!.length / ds.trajectories[0]!.rewards.length;
    const data = new Float64Array(n * width); // [N, width]
    let row = 0;
    for (const t of ds.trajectories) {
      const a = t.infos![key]!;
      if (a.length !== t.rewards.length * width) throw new RangeError(`dataset infos '${key}': every episode needs [len, ${width}] values`);
      data.set(a, row * width);
      row += t.rewards.length;
    }
    out[key] = { width, data };
  }
  return out;
}

function existsAsFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function openForWrite(h5: Awaited<ReturnType<typeof loadH5>>, tmp: string, path: string): InstanceType<Awaited<ReturnType<typeof loadH5>>["File"]> {
  try {
    return new h5.File(tmp, "w");
  } catch (e) {
    throw new FileSystemError(path, "EIO", `cannot create the file: ${h5ErrorLine(e)}`);
  }
}

/**
 * An HDF5 write failure as one line: "no space left" when the folder's free space is below the data's size
 * (HDF5 itself only says "can't write data"), else HDF5's own first line.
 */
function h5WriteError(e: unknown, path: string, flat: FlatArrays): Error {
  const arrays: ArrayBufferView[] = [flat.observations, flat.actions, flat.rewards, flat.terminals, flat.timeouts, ...Object.values(flat.infos).map((i) => i.data)];
  const need = arrays.reduce((n, a) => n + a.byteLength, 0);
  try {
    const st = statfsSync(dirname(path));
    const free = st.bavail * st.bsize;
    if (free < need + 65536) {
      return new FileSystemError(path, "ENOSPC", `cannot write: no space left on the device (the file needs about ${(need / 1e6).toFixed(1)} MB, ${(free / 1e6).toFixed(1)} MB are free)`);
    }
  } catch {
    /* no statfs here: report HDF5's line */
  }
  return new FileSystemError(path, "EIO", `the HDF5 library could not write it: ${h5ErrorLine(e)}`);
}

/** Writes `ds` to `path` (atomically: temp file in the same folder, then rename). */
export async function writeDatasetHdf5(path: string, ds: Dataset): Promise<void> {
  for (const key of Object.keys(ds.metadata)) {
    if ((RESERVED_ATTRS as readonly string[]).includes(key)) {
      throw new RangeError(`writeDatasetHdf5: metadata key '${key}' is reserved for the file format`);
    }
  }
  const h5 = await loadH5();
  const flat = flatten(ds);
  const n = flat.rewards.length;
  if (existsAsFolder(path)) throw new FileSystemError(path, "EISDIR", "cannot write: is a folder, expected a file (EISDIR)");
  checkWritableFolder(dirname(path));
  cleanStaleTemps(path);
  const tmp = tempPath(path); // strl's marked temp name: clean-up after a crash removes only such names
  try {
    const f = openForWrite(h5, tmp, path);
    try {
      f.create_dataset({ name: "observations", data: flat.observations, shape: [n, ds.obsDim], dtype: "<f4" });
      if (flat.actions instanceof Int32Array) {
        f.create_dataset({ name: "actions", data: flat.actions, shape: [n], dtype: "<i4" });
      } else {
        f.create_dataset({ name: "actions", data: flat.actions, shape: [n, ds.actDim], dtype: "<f4" });
      }
      f.create_dataset({ name: "rewards", data: flat.rewards, shape: [n], dtype: "<f4" });
      f.create_dataset({ name: "terminals", data: flat.terminals, shape: [n], dtype: "|b1" });
      f.create_dataset({ name: "timeouts", data: flat.timeouts, shape: [n], dtype: "|b1" });
      const infoKeys = Object.keys(flat.infos);
      if (infoKeys.length > 0) {
        f.create_group("infos");
        for (const key of infoKeys) {
          const { width, data } = flat.infos[key]!;
          f.create_dataset({ name: `infos/${key}`, data, shape: [n, width], dtype: "<d" });
        }
      }
      const attrs: Record<string, MetaValue> = {
        ...ds.metadata,
        env_id: ds.envId,
        observation_dim: ds.obsDim,
        action_space: JSON.stringify(ds.actionSpace),
        num_episodes: ds.numEpisodes,
        strl_version: VERSION,
        format: FORMAT,
      };
      for (const key of Object.keys(attrs).sort()) {
        const v = attrs[key]!;
        if (typeof v === "number") f.create_attribute(key, new Float64Array([v]), [], "<d");
        else f.create_attribute(key, String(v));
      }
    } catch (e) {
      throw h5WriteError(e, path, flat);
    } finally {
      try {
        f.close();
      } catch {
        /* the first error is the one to report */
      }
    }
    const bytes = readFileSync(tmp);
    zeroHeaderTimes(bytes);
    const fd = openSync(tmp, "r+");
    try {
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    syncFolder(dirname(path));
  } catch (e) {
    rmSync(tmp, { force: true });
    throw explainFsError(e, path);
  }
}
