/**
 * Reads an offline-RL HDF5 file into a `Dataset`. Two layouts are accepted:
 *
 * - flat (D4RL, and what `writeDatasetHdf5` writes): `observations` [N, obs], `actions` [N] or [N, act],
 *   `rewards` [N] (or [N, 1]), `terminals` [N], optional `timeouts` [N]. Episodes end after every row with
 *   terminals | timeouts; rows after the last such row form one more episode, marked truncated.
 * - Minari: groups `episode_<i>` each holding `observations` [len + 1, obs] (the extra row is the final
 *   observation, dropped here), `actions` [len, ...], `rewards` [len], `terminations` [len], `truncations` [len].
 *
 * The env id comes from `options.envId`, else the file (`env_id`, Minari's `env_spec`, `dataset_id`), else the
 * file name (D4RL's `hopper-medium-v2.hdf5` -> `Hopper-v5`, env-of-file.ts; recorded as `env_id_source`).
 * Minari's `metadata.json` beside the file supplies the same keys as root attributes (which win).
 *
 * Flags may be HDF5 booleans (h5py's enum), int8, uint8 or any integer/float (non-zero = true). `infos/*` and any
 * other keys are ignored. Every problem is reported as a `DatasetFileError` naming the file, the key and, for
 * bad values, the first bad row.
 */
import { statSync } from "node:fs";
import { hasHdf5Signature, truncation } from "./hdf5-check.js";
import type { Space } from "../envs/core.js";
import { inferSpace, keyBytesProblem, parseSpace, widthProblem } from "./hdf5-space.js";
import { h5ErrorLine, loadH5, type H5File } from "./hdf5-h5wasm.js";
import { RESERVED_ATTRS } from "./hdf5-write.js";
import { envIdOf, MetadataJsonError, minariMetadataBeside } from "./env-of-file.js";
import { Dataset, type MetaValue, type Trajectory } from "./trajectory.js";

/** A dataset file that cannot be read as asked; the message names the file and the key or row at fault. */
export class DatasetFileError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path}: ${detail}`);
    this.name = "DatasetFileError";
  }
}

export interface ReadOptions {
  /** Env id to record when the file names none (D4RL files do not); overrides the file's when given. */
  envId?: string;
  /** Action space to use instead of the file's `action_space` attribute or the one inferred from the data. */
  actionSpace?: Space;
}

type Numeric = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

interface Array2 {
  key: string;
  /** row-major values */
  data: Numeric;
  shape: number[];
  isFloat: boolean;
}

class Reader {
  constructor(
    readonly path: string,
    readonly file: H5File,
  ) {}

  fail(detail: string): never {
    throw new DatasetFileError(this.path, detail);
  }

  has(key: string): boolean {
    try {
      return this.file.get(key) !== null;
    } catch {
      return false;
    }
  }

  /** A numeric dataset with its shape; `required` false returns undefined when the key is absent. */
  array(key: string, required = true): Array2 | undefined {
    let entity;
    try {
      entity = this.file.get(key);
    } catch {
      entity = null;
    }
    if (entity === null || entity === undefined) {
      if (required) this.fail(`missing key '${key}'`);
      return undefined;
    }
    if (!("shape" in entity) || !("value" in entity) || (entity as { type: string }).type !== "Dataset") {
      this.fail(`key '${key}' is a ${(entity as { type?: string }).type ?? "non-dataset"}, expected a numeric dataset`);
    }
    const shape = entity.shape ?? [];
    const meta = entity.metadata;
    const tooLarge = keyBytesProblem(shape, meta.size); // before reading: a chunked dataset may declare any shape
    if (tooLarge) this.fail(`key '${key}' ${tooLarge}`);
    let value;
    try {
      value = entity.value;
    } catch (e) {
      const filters = (entity as { filters?: Array<{ id: number; name?: string }> }).filters ?? [];
      const unsupported = filters.find((f) => f.id !== 1 && f.id !== 2 && f.id !== 3); // deflate, shuffle, fletcher32 are built in
      if (unsupported) this.fail(`key '${key}' is compressed with HDF5 filter ${unsupported.id}${unsupported.id === 32000 ? " (LZF, h5py's compression='lzf')" : unsupported.name ? ` (${unsupported.name})` : ""}, which strl cannot decode; re-save it with gzip or without compression`);
      const short = truncation(this.path);
      this.fail(`key '${key}' could not be read: the file is damaged${short ? ` (${short})` : ""}: ${h5ErrorLine(e)}`);
    }
    let data: Numeric;
    if (value instanceof BigInt64Array || value instanceof BigUint64Array) {
      data = Float64Array.from(value as ArrayLike<bigint> & Iterable<bigint>, (v) => Number(v));
    } else if (ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof Uint8ClampedArray)) {
      data = value as Numeric;
    } else if (typeof value === "number") {
      data = new Float64Array([value]);
    } else {
      this.fail(`key '${key}' holds ${typeof value === "string" ? "strings" : "non-numeric values"} (dtype ${JSON.stringify(entity.dtype)}), expected numbers`);
    }
    return { key, data, shape, isFloat: meta.type === 1 /* H5T_FLOAT */ };
  }

  /** Checks that a float array holds only finite values; names the key and the first bad row. */
  finite(a: Array2): void {
    if (!a.isFloat) return;
    const cols = a.shape.slice(1).reduce((x, y) => x * y, 1);
    for (let i = 0; i < a.data.length; i++) {
      const v = a.data[i]!;
      if (!Number.isFinite(v)) this.fail(`key '${a.key}' has a non-finite value (${v}) at row ${Math.floor(i / cols)}`);
    }
  }

  /** Requires rank `ranks` (one of), returning the row width (product of the trailing dims). */
  rank(a: Array2, ranks: number[], what: string): number {
    if (!ranks.includes(a.shape.length)) {
      this.fail(`key '${a.key}' must have rank ${ranks.join(" or ")} (${what}), got rank ${a.shape.length} with shape [${a.shape.join(", ")}]`);
    }
    const width = a.shape.slice(1).reduce((x, y) => x * y, 1);
    const tooWide = widthProblem(width);
    if (tooWide) this.fail(`key '${a.key}' has ${tooWide}`);
    return width;
  }

  /** A [N] or [N, 1] vector (rewards, flags). */
  vector(a: Array2): number {
    this.rank(a, [1, 2], "[N] or [N, 1]");
    if (a.shape.length === 2 && a.shape[1] !== 1) this.fail(`key '${a.key}' must have shape [N] or [N, 1], got [${a.shape.join(", ")}]`);
    return a.shape[0]!;
  }

  sameLength(pairs: Array<[string, number]>, expected: number, expectedKey: string): void {
    for (const [key, n] of pairs) {
      if (n !== expected) this.fail(`length mismatch: '${expectedKey}' has ${expected} rows but '${key}' has ${n}`);
    }
  }

  rootAttrs(): Record<string, MetaValue> {
    const out: Record<string, MetaValue> = {};
    let attrs: Record<string, { value: unknown }>;
    try {
      attrs = this.file.attrs as unknown as Record<string, { value: unknown }>;
    } catch {
      return out;
    }
    for (const name of Object.keys(attrs).sort()) {
      let v: unknown;
      try {
        v = attrs[name]!.value;
      } catch {
        continue;
      }
      if (ArrayBuffer.isView(v) && (v as unknown as ArrayLike<unknown>).length === 1) v = (v as unknown as ArrayLike<unknown>)[0];
      if (typeof v === "bigint") v = Number(v);
      if (typeof v === "string" || (typeof v === "number" && Number.isFinite(v))) out[name] = v;
    }
    return out;
  }
}

/** Converts one action array to the Dataset's typed layout, checking it against the space. */
function convertActions(r: Reader, a: Array2, space: Space, rows: number): Int32Array | Float32Array {
  const width = a.shape.slice(1).reduce((x, y) => x * y, 1);
  if (space.kind === "discrete") {
    if (width !== 1) r.fail(`key '${a.key}' has ${width} values per row, but the action space is Discrete(${space.n})`);
    const out = new Int32Array(rows); // [N]
    for (let i = 0; i < rows; i++) {
      const v = a.data[i]!;
      if (!Number.isInteger(v) || v < 0 || v >= space.n) r.fail(`key '${a.key}' row ${i}: action ${v} is not an integer in [0, ${space.n - 1}]`);
      out[i] = v;
    }
    return out;
  }
  const actDim = space.shape.reduce((x, y) => x * y, 1);
  if (width !== actDim) r.fail(`key '${a.key}' has ${width} values per row, but the Box action space has ${actDim}`);
  return a.data instanceof Float32Array ? a.data : Float32Array.from(a.data); // [N, actDim]
}

function toFloat32(a: Array2): Float32Array {
  return a.data instanceof Float32Array ? a.data : Float32Array.from(a.data);
}

function chooseSpace(r: Reader, attrs: Record<string, MetaValue>, actions: Array2, actDim: number, options: ReadOptions): [Space, string] {
  if (options.actionSpace) return [options.actionSpace, "option"];
  const text = attrs.action_space;
  const fail = (detail: string): never => r.fail(detail);
  if (typeof text === "string") {
    const s = parseSpace(text, fail);
    if (s) return [s, "file"];
  }
  return [inferSpace(actions.data, actions.isFloat, actions.shape.length, actDim, fail), "inferred"];
}

function metadataOf(attrs: Record<string, MetaValue>, layout: string, spaceSource: string): Record<string, MetaValue> {
  const meta: Record<string, MetaValue> = {};
  for (const [k, v] of Object.entries(attrs)) if (!(RESERVED_ATTRS as readonly string[]).includes(k)) meta[k] = v;
  if (typeof attrs.strl_version === "string") meta.file_strl_version = attrs.strl_version;
  meta.source_layout = layout;
  if (spaceSource !== "file") meta.action_space_source = spaceSource;
  return meta;
}

function readFlat(r: Reader, options: ReadOptions): Dataset {
  const obs = r.array("observations")!;
  const act = r.array("actions")!;
  const rew = r.array("rewards")!;
  const term = r.array("terminals")!;
  const tout = r.array("timeouts", false);
  const obsDim = r.rank(obs, [2], "[N, obsDim]");
  const actDim = r.rank(act, [1, 2], "[N] or [N, actDim]");
  const n = obs.shape[0]!;
  const lens: Array<[string, number]> = [["actions", act.shape[0]!], ["rewards", r.vector(rew)], ["terminals", r.vector(term)]];
  if (tout) lens.push(["timeouts", r.vector(tout)]);
  r.sameLength(lens, n, "observations");
  for (const a of [obs, act, rew]) r.finite(a);
  const attrs = r.rootAttrs();
  const [space, spaceSource] = chooseSpace(r, attrs, act, actDim, options);
  const actions = convertActions(r, act, space, n); // [N] | [N, actDim]
  const observations = toFloat32(obs); // [N, obsDim]
  const rewards = toFloat32(rew); // [N]
  const trajectories: Trajectory[] = [];
  let start = 0;
  const cut = (end: number, terminated: boolean, truncated: boolean): void => {
    trajectories.push({
      observations: observations.slice(start * obsDim, end * obsDim),
      actions: actions.slice(start * actDim, end * actDim),
      rewards: rewards.slice(start, end),
      terminated,
      truncated,
    });
    start = end;
  };
  for (let i = 0; i < n; i++) {
    const isTerm = term.data[i] !== 0;
    const isTimeout = tout ? tout.data[i] !== 0 : false;
    if (isTerm || isTimeout) cut(i + 1, isTerm, isTimeout);
  }
  if (start < n) cut(n, false, true);
  const { envId, meta } = envIdOf(attrs, options.envId, r.path);
  return new Dataset({ envId, obsDim, actionSpace: space, trajectories, metadata: { ...metadataOf(attrs, "d4rl", spaceSource), ...meta } });
}

function episodeGroups(r: Reader, file: H5File): string[] {
  let keys: string[];
  try {
    keys = file.keys();
  } catch (e) {
    r.fail(`the file's group structure is damaged (cannot list the root group: ${h5ErrorLine(e)})`);
  }
  return keys
    .filter((k) => /^episode_\d+$/.test(k))
    .sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)));
}

function readMinari(r: Reader, groups: string[], options: ReadOptions): Dataset {
  let beside: Record<string, MetaValue>;
  try {
    beside = minariMetadataBeside(r.path);
  } catch (e) {
    if (e instanceof MetadataJsonError) r.fail(e.message);
    throw e;
  }
  const attrs = { ...beside, ...r.rootAttrs() };
  let space: Space | undefined;
  let spaceSource = "file";
  let obsDim = 0;
  const trajectories: Trajectory[] = [];
  for (const g of groups) {
    const obs = r.array(`${g}/observations`)!;
    const act = r.array(`${g}/actions`)!;
    const rew = r.array(`${g}/rewards`)!;
    const term = r.array(`${g}/terminations`)!;
    const trunc = r.array(`${g}/truncations`)!;
    const width = r.rank(obs, [2], "[len + 1, obsDim]");
    if (obsDim === 0) obsDim = width;
    else if (width !== obsDim) r.fail(`key '${g}/observations' has ${width} values per row, but earlier episodes have ${obsDim}`);
    const actDim = r.rank(act, [1, 2], "[len] or [len, actDim]");
    const len = act.shape[0]!;
    if (obs.shape[0] !== len + 1) r.fail(`length mismatch: '${g}/observations' has ${obs.shape[0]} rows, expected actions' ${len} + 1`);
    r.sameLength([["rewards", r.vector(rew)], ["terminations", r.vector(term)], ["truncations", r.vector(trunc)]], len, `${g}/actions`);
    for (const a of [obs, act, rew]) r.finite(a);
    if (len === 0) continue;
    if (!space) [space, spaceSource] = chooseSpace(r, attrs, act, actDim, options);
    trajectories.push({
      observations: toFloat32(obs).slice(0, len * obsDim), // [len, obsDim]
      actions: convertActions(r, act, space, len),
      rewards: toFloat32(rew).slice(), // [len]
      terminated: term.data[len - 1] !== 0,
      truncated: trunc.data[len - 1] !== 0,
    });
  }
  if (!space) r.fail(`no episode in the Minari groups has any step`);
  const { envId, meta } = envIdOf(attrs, options.envId, r.path);
  return new Dataset({ envId, obsDim, actionSpace: space, trajectories, metadata: { ...metadataOf(attrs, "minari", spaceSource), ...meta } });
}

/** Reads a D4RL-style or Minari-style HDF5 file into a `Dataset`. Throws `DatasetFileError` on any problem. */
export async function readDatasetHdf5(path: string, options: ReadOptions = {}): Promise<Dataset> {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new DatasetFileError(path, "not a regular file");
    size = st.size;
  } catch (e) {
    if (e instanceof DatasetFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new DatasetFileError(path, code === "ENOENT" ? "file not found" : `cannot read it (${code ?? (e as Error).message.split("\n")[0]})`);
  }
  let signed: boolean;
  try {
    signed = hasHdf5Signature(path, size);
  } catch (e) {
    throw new DatasetFileError(path, `cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message.split("\n")[0]})`);
  }
  if (!signed) throw new DatasetFileError(path, "not an HDF5 file (no HDF5 signature at byte 0, 512, 1024, ...)");
  const h5 = await loadH5();
  let file: H5File;
  try {
    file = new h5.File(path, "r");
  } catch (e) {
    const short = truncation(path);
    throw new DatasetFileError(path, `${short ? `the file is damaged (${short})` : "the HDF5 library could not open it"}: ${h5ErrorLine(e)}`);
  }
  try {
    const r = new Reader(path, file);
    if (r.has("observations")) return readFlat(r, options);
    const groups = episodeGroups(r, file);
    if (groups.length > 0) return readMinari(r, groups, options);
    return r.fail(`unknown layout: missing key 'observations' (and no Minari 'episode_<i>' groups)${topKeys(file)}`);
  } finally {
    file.close();
  }
}

/** "; top-level keys: a, b" (at most 8), to show what an unknown layout holds. */
function topKeys(file: H5File): string {
  let keys: string[];
  try {
    keys = file.keys();
  } catch {
    return "";
  }
  if (keys.length === 0) return "; the file holds no keys";
  return `; top-level keys: ${keys.slice(0, 8).join(", ")}${keys.length > 8 ? `, ... (${keys.length})` : ""}`;
}
