/**
 * The action space of a dataset file, and the bounds on what a file may declare. A file's `action_space`
 * attribute (JSON) is taken when it parses, else the space is inferred from the actions; sizes beyond strl's
 * limits are refused before anything that large is allocated, with the limit and the memory it would take:
 *
 * - a Discrete space of at most `MAX_DISCRETE_ACTIONS` actions;
 * - at most `MAX_ROW_WIDTH` values per row (an observation, a Box action);
 * - at most `MAX_KEY_BYTES` per dataset key, judged from its declared shape before it is read (a chunked dataset
 *   can declare a shape far larger than the file).
 */
import { bytesText } from "../config/index.js";
import { box, discrete, type Space } from "../envs/core.js";

/** The most actions of a Discrete action space strl reads. */
export const MAX_DISCRETE_ACTIONS = 65_536;
/** The most values per row (observation width, Box action size) strl reads. */
export const MAX_ROW_WIDTH = 65_536;
/** The most bytes one dataset key may hold (the HDF5 reader runs in WebAssembly memory of at most 2 GiB). */
export const MAX_KEY_BYTES = 1e9;
/** The model width the memory estimates assume (the small preset's dModel). */
const ESTIMATE_WIDTH = 128;

/** Why a Discrete(n) action space is refused, or undefined. */
export function discreteProblem(n: number): string | undefined {
  if (n <= MAX_DISCRETE_ACTIONS) return undefined;
  return `a Discrete(${n}) action space, above strl's limit of ${MAX_DISCRETE_ACTIONS} actions (a model's action table and output layer would take ${bytesText(2 * n * ESTIMATE_WIDTH * 4)} at width ${ESTIMATE_WIDTH})`;
}

/** Why `width` values per row are refused, or undefined. */
export function widthProblem(width: number): string | undefined {
  if (width <= MAX_ROW_WIDTH) return undefined;
  return `${width} values per row, above strl's limit of ${MAX_ROW_WIDTH} (one model layer reading or writing rows this wide would take ${bytesText(width * ESTIMATE_WIDTH * 4)} at width ${ESTIMATE_WIDTH})`;
}

/** Why a dataset of `shape` with `elementBytes`-byte values is too large to read, or undefined. */
export function keyBytesProblem(shape: readonly number[], elementBytes: number): string | undefined {
  const bytes = shape.reduce((a, b) => a * b, 1) * elementBytes;
  if (bytes <= MAX_KEY_BYTES) return undefined;
  return `declares shape [${shape.join(", ")}] of ${elementBytes}-byte values, ${bytesText(bytes)}, above strl's limit of ${bytesText(MAX_KEY_BYTES)} per key (the HDF5 reader's memory)`;
}

/**
 * The space an `action_space` attribute declares (strl's `{ kind, n }` / `{ kind, shape, low, high }` or Gymnasium's
 * `{ type: "Discrete", n }`), undefined when it does not parse; `fail` is called with the reason when it declares
 * a size out of bounds.
 */
export function parseSpace(text: string, fail: (detail: string) => never): Space | undefined {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof j !== "object" || j === null) return undefined;
  const kind = String(j.kind ?? j.type ?? "").toLowerCase();
  if (kind === "discrete" && typeof j.n === "number") {
    if (!Number.isInteger(j.n) || j.n < 1) fail(`attribute 'action_space' declares Discrete(${j.n}); n must be a positive integer`);
    const tooMany = discreteProblem(j.n);
    if (tooMany) fail(`attribute 'action_space' declares ${tooMany}`);
    return discrete(j.n);
  }
  if (kind === "box" && Array.isArray(j.shape)) {
    const shape = j.shape as unknown[];
    if (!shape.every((d) => typeof d === "number" && Number.isInteger(d) && d >= 1)) fail(`attribute 'action_space' declares a Box of shape ${JSON.stringify(shape).slice(0, 80)}; every size must be a positive integer`);
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    const tooWide = widthProblem(size);
    if (tooWide) fail(`attribute 'action_space' declares a Box of shape [${shape.join(", ")}]: ${tooWide}`);
    const bound = (v: unknown, inf: number): number[] => {
      const arr = Array.isArray(v) ? (v as unknown[]).flat(8) : new Array<unknown>(size).fill(v);
      return arr.map((x) => (typeof x === "number" ? x : inf));
    };
    try {
      return box(bound(j.low, -Infinity), bound(j.high, Infinity), shape as number[]);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** A Discrete space of max + 1 actions for integer actions [N], a Box spanning the data's range otherwise. */
export function inferSpace(data: ArrayLike<number>, isFloat: boolean, rank: number, actDim: number, fail: (detail: string) => never): Space {
  if (!isFloat && rank === 1) {
    let max = 0;
    for (let i = 0; i < data.length; i++) max = Math.max(max, data[i]!);
    const tooMany = discreteProblem(max + 1);
    if (tooMany) fail(`key 'actions' holds action ${max}, which makes ${tooMany}`);
    return discrete(max + 1);
  }
  const low = new Array<number>(actDim).fill(Infinity);
  const high = new Array<number>(actDim).fill(-Infinity);
  for (let i = 0; i < data.length; i++) {
    const d = i % actDim;
    low[d] = Math.min(low[d]!, data[i]!);
    high[d] = Math.max(high[d]!, data[i]!);
  }
  return box(low.map((v) => (Number.isFinite(v) ? v : 0)), high.map((v) => (Number.isFinite(v) ? v : 0)), [actDim]);
}
