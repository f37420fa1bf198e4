/**
 * Reader and writer of the safetensors format (as Hugging Face's `safetensors` library defines it), written
 * from the format's public description:
 *
 *   bytes [0, 8)        N, the header length, unsigned 64-bit little-endian
 *   bytes [8, 8 + N)    the header: UTF-8 JSON object
 *                         { "<tensor name>": { "dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end] },
 *                           ..., "__metadata__": { "<key>": "<string value>" } (optional) }
 *                       padded at the end with spaces (0x20); strl pads so that 8 + N is a multiple of 8
 *   bytes [8 + N, end)  the data section: each tensor's raw little-endian row-major (C order) values at
 *                       [begin, end) relative to the start of the data section
 *
 * The reader checks everything the format promises and reports the first violation as a `SafetensorsError`
 * naming the source: a file shorter than 8 bytes, a header length past the end of the file, a header that is
 * not JSON or not an object, a bad `__metadata__`, an unknown dtype, a bad shape, offsets out of range,
 * overlapping or leaving gaps, and a shape whose element count x dtype size differs from the byte span.
 */
import { open, readFile } from "node:fs/promises";
import { errorLine } from "../config/index.js";

/** Header-length cap (the reference implementation refuses headers over 100 MB as well). */
export const MAX_HEADER_BYTES = 100_000_000;

export type TypedArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | BigInt64Array
  | BigUint64Array;

type ArrayCtor = { new (n: number): TypedArray; readonly BYTES_PER_ELEMENT: number };

/** The dtypes strl reads and writes, with their element types. (F16, BF16 and F8 are refused with a clear error.) */
const DTYPES = {
  F64: Float64Array,
  F32: Float32Array,
  I64: BigInt64Array,
  U64: BigUint64Array,
  I32: Int32Array,
  U32: Uint32Array,
  I16: Int16Array,
  U16: Uint16Array,
  I8: Int8Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
} satisfies Record<string, ArrayCtor>;

export type DType = keyof typeof DTYPES;
export const DTYPE_NAMES = Object.keys(DTYPES) as DType[];
/** Dtypes that exist in the format but that strl cannot hold in a typed array. */
const KNOWN_UNSUPPORTED = ["F16", "BF16", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64"];

/** One tensor: a dtype, a shape and its row-major values. */
export interface TensorData {
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

export interface Safetensors {
  /** In the file's data order. */
  tensors: Map<string, TensorData>;
  metadata: Record<string, string>;
}

export class SafetensorsError extends Error {
  constructor(source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = "SafetensorsError";
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the bytes of every element in place (for big-endian hosts). */
function swapBytes(bytes: Uint8Array, width: number): void {
  if (width === 1) return;
  for (let i = 0; i < bytes.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function checkDtypeData(name: string, t: TensorData): void {
  const ctor = (DTYPES as Record<string, ArrayCtor>)[t.dtype];
  if (!ctor) throw new RangeError(`safetensors: tensor '${name}' has unsupported dtype ${String(t.dtype)} (supported: ${DTYPE_NAMES.join(", ")})`);
  if (!(t.data instanceof ctor)) throw new TypeError(`safetensors: tensor '${name}' is ${t.dtype} but its data is a ${t.data.constructor.name}`);
  if (!Array.isArray(t.shape) || t.shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new RangeError(`safetensors: tensor '${name}' has a bad shape ${JSON.stringify(t.shape)}`);
  }
  if (elementCount(t.shape) !== t.data.length) {
    throw new RangeError(`safetensors: tensor '${name}' has shape [${t.shape.join(", ")}] (${elementCount(t.shape)} values) but ${t.data.length} values`);
  }
}

/**
 * Serialises tensors (written in the given order) and string metadata to safetensors bytes.
 * Names must be non-empty and not `__metadata__`.
 */
export function encodeSafetensors(
  tensors: Iterable<[string, TensorData]>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") throw new TypeError(`safetensors: metadata '${k}' must be a string, got ${typeof v}`);
    meta[k] = v;
  }
  if (Object.keys(meta).length > 0) header.__metadata__ = meta;
  const entries: Array<[string, TensorData]> = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    if (!name || name === "__metadata__") throw new RangeError(`safetensors: bad tensor name '${name}'`);
    if (Object.prototype.hasOwnProperty.call(header, name)) throw new RangeError(`safetensors: duplicate tensor name '${name}'`);
    checkDtypeData(name, t);
    const end = offset + t.data.byteLength;
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, end] };
    entries.push([name, t]);
    offset = end;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8; // 8 + padded is a multiple of 8
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let pos = 8 + padded;
  for (const [, t] of entries) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.set(bytes, pos);
    if (!LITTLE_ENDIAN) swapBytes(out.subarray(pos, pos + bytes.length), t.data.BYTES_PER_ELEMENT);
    pos += bytes.length;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parses and validates safetensors bytes; `source` (a path) prefixes every error. Values are copied out. */
export function decodeSafetensors(bytes: Uint8Array, source = "safetensors data"): Safetensors {
  const fail = (msg: string): never => {
    throw new SafetensorsError(source, msg);
  };
  if (bytes.length < 8) fail(`truncated: ${bytes.length} bytes, shorter than the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) fail(`header length ${n} runs past the end of the file (${bytes.length} bytes): truncated or not a safetensors file`);
  if (n > BigInt(MAX_HEADER_BYTES)) fail(`header length ${n} is over the ${MAX_HEADER_BYTES}-byte limit`);
  const headerLen = Number(n);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    return fail("header is not valid UTF-8 (corrupt file)");
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid JSON (corrupt file): ${errorLine(e)}`);
  }
  if (!isPlainObject(header)) return fail("header must be a JSON object");

  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const spans: Array<{ name: string; begin: number; end: number; dtype: DType; shape: number[] }> = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      if (!isPlainObject(entry) || Object.values(entry).some((v) => typeof v !== "string")) {
        fail("__metadata__ must be an object of string values");
      }
      metadata = { ...(entry as Record<string, string>) };
      continue;
    }
    if (!isPlainObject(entry)) return fail(`tensor '${name}': entry must be an object with dtype, shape and data_offsets`);
    const { dtype, shape, data_offsets: offs } = entry;
    if (typeof dtype !== "string" || !(dtype in DTYPES)) {
      const why = typeof dtype === "string" && KNOWN_UNSUPPORTED.includes(dtype) ? "is not supported by strl" : "is unknown";
      return fail(`tensor '${name}': dtype ${JSON.stringify(dtype)} ${why} (supported: ${DTYPE_NAMES.join(", ")})`);
    }
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || (d as number) < 0)) {
      return fail(`tensor '${name}': shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offs) || offs.length !== 2 || offs.some((o) => !Number.isSafeInteger(o) || (o as number) < 0)) {
      return fail(`tensor '${name}': data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    if (begin > end) fail(`tensor '${name}': data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLen) fail(`truncated: tensor '${name}' needs data bytes [${begin}, ${end}) but the data section has ${dataLen} bytes`);
    const width = (DTYPES[dtype as DType] as ArrayCtor).BYTES_PER_ELEMENT;
    const want = elementCount(shape as number[]) * width;
    if (want !== end - begin) {
      fail(`tensor '${name}': shape [${shape.join(", ")}] x ${dtype} (${width} bytes) = ${want} bytes, but data_offsets span ${end - begin} bytes`);
    }
    spans.push({ name, begin, end, dtype: dtype as DType, shape: [...(shape as number[])] });
  }
  // The spans must tile the data section exactly: sorted by begin, no overlap, no gap, nothing left over.
  const sorted = [...spans].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const s of sorted) {
    if (s.begin < cursor) fail(`tensor '${s.name}': data_offsets [${s.begin}, ${s.end}) overlap the previous tensor (which ends at ${cursor})`);
    if (s.begin > cursor) fail(`tensor '${s.name}': data_offsets [${s.begin}, ${s.end}) leave a gap after byte ${cursor}`);
    cursor = s.end;
  }
  if (cursor !== dataLen) fail(`the data section has ${dataLen} bytes but the tensors cover ${cursor}`);

  const tensors = new Map<string, TensorData>();
  for (const s of sorted) {
    const ctor = DTYPES[s.dtype] as ArrayCtor;
    const copy = new Uint8Array(bytes.subarray(dataStart + s.begin, dataStart + s.end)); // a copy in a fresh, aligned buffer
    if (!LITTLE_ENDIAN) swapBytes(copy, ctor.BYTES_PER_ELEMENT);
    const data = new (ctor as unknown as { new (b: ArrayBuffer): TypedArray })(copy.buffer);
    tensors.set(s.name, { dtype: s.dtype, shape: s.shape, data });
  }
  return { tensors, metadata };
}

/** Writes a safetensors file (and fsyncs it). */
export async function writeSafetensors(
  path: string,
  tensors: Iterable<[string, TensorData]>,
  metadata: Record<string, string> = {},
): Promise<void> {
  const bytes = encodeSafetensors(tensors, metadata);
  const fh = await open(path, "w");
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Reads and validates a safetensors file; a missing file is a `SafetensorsError` naming the path. */
export async function readSafetensors(path: string): Promise<Safetensors> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SafetensorsError(path, code === "ENOENT" ? "file not found" : `cannot read: ${(e as Error).message}`);
  }
  return decodeSafetensors(bytes, path);
}
