/**
 * The protobuf wire format, only what an ONNX file needs: varints (wire type 0), length-delimited fields (wire
 * type 2: strings, bytes, embedded messages, packed repeated numbers) and 32-bit floats (wire type 5). A field is
 * its key varint (field number << 3 | wire type) followed by its value; a message is the concatenation of its
 * fields, so the writer only appends. Unsigned varints take 7 bits per byte, low bits first, the top bit of each
 * byte saying "more follows"; a negative int64 is written as its 64-bit two's complement (10 bytes).
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH = 2;
const WIRE_FIXED32 = 5;

/** The varint bytes of an integer (a negative one as its 64-bit two's complement). */
export function varintBytes(value: number | bigint): Uint8Array {
  let v = typeof value === "bigint" ? value : BigInt(checkInteger(value));
  if (v < 0n) v += 1n << 64n;
  if (v >= 1n << 64n) throw new RangeError(`protobuf: ${value} does not fit 64 bits`);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Uint8Array.from(out);
}

function checkInteger(v: number): number {
  if (!Number.isSafeInteger(v)) throw new RangeError(`protobuf: varint value must be a safe integer, got ${v}`);
  return v;
}

/** Appends fields of one message; `finish()` joins them into its bytes. */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.parts.push(b);
    this.size += b.length;
  }

  private key(field: number, wire: number): void {
    if (!Number.isInteger(field) || field < 1) throw new RangeError(`protobuf: field number must be an integer >= 1, got ${field}`);
    this.push(varintBytes(field * 8 + wire));
  }

  /** An int32 / int64 / enum / bool field. */
  varint(field: number, value: number | bigint | boolean): this {
    this.key(field, WIRE_VARINT);
    this.push(varintBytes(typeof value === "boolean" ? (value ? 1 : 0) : value));
    return this;
  }

  /** A bytes field (also an embedded message's bytes). */
  bytes(field: number, data: Uint8Array): this {
    this.key(field, WIRE_LENGTH);
    this.push(varintBytes(data.length));
    this.push(data);
    return this;
  }

  /** A string field (UTF-8). */
  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  /** An embedded message. */
  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  /** A float field (fixed32, little-endian IEEE 754 single). */
  float(field: number, value: number): this {
    this.key(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
    return this;
  }

  /** A packed repeated int64 field: one length-delimited field holding the varints back to back. */
  packedVarints(field: number, values: ReadonlyArray<number | bigint>): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.push(varintBytes(v));
    return this.bytes(field, inner.finish());
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let off = 0;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
}

/** One field read back: its number and, for wire type 2, its bytes (other wire types are skipped over). */
export interface ReadField {
  field: number;
  wire: number;
  bytes?: Uint8Array;
  value?: bigint;
}

/** Reads a varint at `pos`; returns the value and the next position (RangeError past the end). */
export function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let v = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new RangeError("protobuf: truncated varint");
    const b = buf[pos++]!;
    v |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [v, pos];
    shift += 7n;
  }
  throw new RangeError("protobuf: varint longer than 10 bytes");
}

/** The top-level fields of a message (a RangeError where the bytes are not a well-formed message). */
export function readFields(buf: Uint8Array): ReadField[] {
  const out: ReadField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, p] = readVarint(buf, pos);
    pos = p;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field < 1) throw new RangeError("protobuf: field number 0");
    if (wire === WIRE_VARINT) {
      const [v, q] = readVarint(buf, pos);
      out.push({ field, wire, value: v });
      pos = q;
    } else if (wire === WIRE_LENGTH) {
      const [len, q] = readVarint(buf, pos);
      const end = q + Number(len);
      if (end > buf.length) throw new RangeError("protobuf: a field runs past the end");
      out.push({ field, wire, bytes: buf.subarray(q, end) });
      pos = end;
    } else if (wire === WIRE_FIXED32 || wire === 1) {
      pos += wire === 1 ? 8 : 4;
      if (pos > buf.length) throw new RangeError("protobuf: a fixed-width field runs past the end");
      out.push({ field, wire });
    } else {
      throw new RangeError(`protobuf: unsupported wire type ${wire}`);
    }
  }
  return out;
}
