/**
 * TensorBoard event files, written without TensorFlow: the TFRecord framing, CRC-32C, and the few protobuf
 * fields of `tensorflow.Event` that carry scalars. The format (docs/tensorboard.md):
 *
 * A file is a sequence of records, each `uint64 length | uint32 masked_crc32c(length bytes) | data[length] |
 * uint32 masked_crc32c(data)`, all little-endian, where masked(crc) = ((crc >>> 15) | (crc << 17)) + 0xa282ead8
 * (mod 2^32) and CRC-32C is the Castagnoli CRC (reflected polynomial 0x82F63B78, initial value and final xor
 * 0xFFFFFFFF). Each record's data is one protobuf `Event`: wall_time (field 1, double), step (field 2, int64
 * varint), and either file_version (field 3, string; "brain.Event:2", the first record of every file) or summary
 * (field 5, a `Summary` whose repeated field 1 holds `Value { tag: field 1 string, simple_value: field 2 float }`).
 *
 * Crash safety: a record goes to the file in one write of its whole bytes; a file is only ever appended to by
 * the writer that created it (opened with O_EXCL, so nothing existing is replaced), and a new writer starts a new
 * file. A run killed mid-write can leave at most a torn last record, which readers detect by its length and CRCs
 * and skip; nothing is ever written after it.
 */
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { explainFsError, makeFolders } from "./fs-safe.js";

/** The CRC-32C (Castagnoli) lookup table of the reflected polynomial 0x82F63B78. */
const CRC32C_TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32C of `bytes` (crc32c("123456789") = 0xE3069283). */
export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC32C_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC: the CRC rotated right by 15 bits plus 0xa282ead8, modulo 2^32. */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** One TFRecord: the 8-byte length, its masked CRC, the data, the data's masked CRC. */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskCrc(crc32c(out.subarray(0, 8))), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskCrc(crc32c(data)), true);
  return out;
}

/** Protobuf bytes built field by field (only the wire types the Event needs). */
class ProtoBytes {
  private readonly parts: number[] = [];

  /** A base-128 varint of a non-negative safe integer. */
  varint(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`protobuf varint: ${v} is not a non-negative safe integer`);
    while (v >= 0x80) {
      this.parts.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.parts.push(v);
    return this;
  }

  private key(field: number, wireType: 0 | 1 | 2 | 5): this {
    return this.varint(field * 8 + wireType);
  }

  /** A varint field (wire type 0), e.g. int64 step. */
  uint(field: number, v: number): this {
    return this.key(field, 0).varint(v);
  }

  /** A double field (wire type 1: fixed64, little-endian). */
  double(field: number, v: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.key(field, 1).parts.push(...b);
    return this;
  }

  /** A float field (wire type 5: fixed32, little-endian); the value is rounded to float32. */
  float(field: number, v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.key(field, 5).parts.push(...b);
    return this;
  }

  /** A length-delimited field (wire type 2): a string (UTF-8) or an embedded message. */
  bytes(field: number, v: string | Uint8Array): this {
    const b = typeof v === "string" ? new TextEncoder().encode(v) : v;
    this.key(field, 2).varint(b.length);
    for (const x of b) this.parts.push(x);
    return this;
  }

  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** The version string of the first event of every file. */
export const EVENT_FILE_VERSION = "brain.Event:2";

/** An `Event` with wall_time and file_version (the first record of a file). */
export function fileVersionEvent(wallTime: number): Uint8Array {
  return new ProtoBytes().double(1, wallTime).bytes(3, EVENT_FILE_VERSION).done();
}

/** An `Event` with wall_time, step and a `Summary` of one simple_value per tag, in the order given. */
export function scalarsEvent(wallTime: number, step: number, scalars: ReadonlyArray<readonly [string, number]>): Uint8Array {
  const summary = new ProtoBytes();
  for (const [tag, value] of scalars) summary.bytes(1, new ProtoBytes().bytes(1, tag).float(2, value).done());
  return new ProtoBytes().double(1, wallTime).uint(2, step).bytes(5, summary.done()).done();
}

/** The prefix every event file's name starts with (TensorBoard reads the files whose names contain "tfevents"). */
export const EVENT_FILE_PREFIX = "events.out.tfevents.";

/**
 * Appends events to a new file `events.out.tfevents.<unix seconds>.<hostname>` in `dir` (made when missing); when
 * that name is taken (a second writer in the same second), `.1`, `.2`, ... is added. Existing files are never
 * opened for writing.
 */
export class EventFileWriter {
  readonly path: string;
  private fd: number | undefined;
  private broken = false;
  private readonly now: () => number;

  constructor(dir: string, o: { now?: () => number; host?: string } = {}) {
    const now = o.now ?? Date.now;
    makeFolders(dir);
    const base = join(dir, `${EVENT_FILE_PREFIX}${Math.floor(now() / 1000)}.${(o.host ?? hostname()).replace(/[/\\\0]/g, "_")}`);
    let path = base;
    for (let n = 1; ; n++) {
      try {
        this.fd = openSync(path, "wx");
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST" || n > 1000) throw explainFsError(e, path);
        path = `${base}.${n}`;
      }
    }
    this.path = path;
    this.now = now;
    this.writeRecord(fileVersionEvent(now() / 1000));
  }

  /** Appends one event holding `scalars` at `step` (wall time: now). */
  writeScalars(step: number, scalars: ReadonlyArray<readonly [string, number]>): void {
    if (scalars.length === 0) return;
    this.writeRecord(scalarsEvent(this.now() / 1000, step, scalars));
  }

  /** The whole record in one write; after a failed write the file takes nothing more (a torn record stays last). */
  private writeRecord(data: Uint8Array): void {
    if (this.fd === undefined) throw new Error(`${this.path}: the event file is closed`);
    if (this.broken) throw new Error(`${this.path}: an earlier write failed; the event file takes no more records`);
    const rec = frameRecord(data);
    try {
      let off = 0;
      while (off < rec.length) off += writeSync(this.fd, rec, off, rec.length - off);
    } catch (e) {
      this.broken = true;
      throw explainFsError(e, this.path);
    }
  }

  /** Flushes to disk and closes the file (idempotent). */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
