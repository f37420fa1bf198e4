/**
 * An event-file reader written for the tests, independent of src/io/tensorboard-events.ts: CRC-32C computed bit
 * by bit (no table), the TFRecord framing read with both masked CRCs checked, and a generic protobuf decoder for
 * the fields of `Event`, `Summary` and `Summary.Value` that TensorBoard reads for scalars.
 */
import { readFileSync } from "node:fs";

/** CRC-32C, one bit at a time over the reflected Castagnoli polynomial. */
export function bitwiseCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const masked = (crc: number): number => (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;

/** The records of a TFRecord file; throws on a CRC mismatch or a torn record. */
export function readRecords(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 12 > bytes.length) throw new Error(`torn record header at byte ${at}`);
    const len = Number(view.getBigUint64(at, true));
    if (view.getUint32(at + 8, true) !== masked(bitwiseCrc32c(bytes.subarray(at, at + 8)))) throw new Error(`length CRC mismatch at byte ${at}`);
    if (at + 12 + len + 4 > bytes.length) throw new Error(`torn record data at byte ${at}`);
    const data = bytes.subarray(at + 12, at + 12 + len);
    if (view.getUint32(at + 12 + len, true) !== masked(bitwiseCrc32c(data))) throw new Error(`data CRC mismatch at byte ${at}`);
    out.push(data);
    at += 12 + len + 4;
  }
  return out;
}

type Field = { field: number; wire: number; int?: bigint; bytes?: Uint8Array; fixed?: DataView };

/** The fields of one protobuf message, in order. */
function fields(msg: Uint8Array): Field[] {
  const out: Field[] = [];
  let at = 0;
  const varint = (): bigint => {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = msg[at++];
      if (b === undefined) throw new Error("varint runs past the message");
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
  };
  while (at < msg.length) {
    const key = Number(varint());
    const f: Field = { field: key >> 3, wire: key & 7 };
    if (f.wire === 0) f.int = varint();
    else if (f.wire === 1 || f.wire === 5) {
      const n = f.wire === 1 ? 8 : 4;
      f.fixed = new DataView(msg.buffer, msg.byteOffset + at, n);
      at += n;
    } else if (f.wire === 2) {
      const n = Number(varint());
      f.bytes = msg.subarray(at, at + n);
      at += n;
    } else throw new Error(`unexpected wire type ${f.wire}`);
    if (at > msg.length) throw new Error("field runs past the message");
    out.push(f);
  }
  return out;
}

export interface DecodedEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  values: Array<{ tag: string; value: number }>;
}

/** Decodes an `Event`: wall_time 1 (double), step 2 (varint), file_version 3 (string), summary 5. */
export function decodeEvent(data: Uint8Array): DecodedEvent {
  const ev: DecodedEvent = { wallTime: NaN, step: 0, values: [] };
  const text = new TextDecoder("utf-8", { fatal: true });
  for (const f of fields(data)) {
    if (f.field === 1 && f.wire === 1) ev.wallTime = f.fixed!.getFloat64(0, true);
    else if (f.field === 2 && f.wire === 0) ev.step = Number(f.int!);
    else if (f.field === 3 && f.wire === 2) ev.fileVersion = text.decode(f.bytes!);
    else if (f.field === 5 && f.wire === 2) {
      for (const v of fields(f.bytes!)) {
        if (v.field !== 1 || v.wire !== 2) throw new Error(`Summary: unexpected field ${v.field}`);
        let tag = "";
        let value = NaN;
        for (const x of fields(v.bytes!)) {
          if (x.field === 1 && x.wire === 2) tag = text.decode(x.bytes!);
          else if (x.field === 2 && x.wire === 5) value = x.fixed!.getFloat32(0, true);
          else throw new Error(`Summary.Value: unexpected field ${x.field}`);
        }
        ev.values.push({ tag, value });
      }
    } else throw new Error(`Event: unexpected field ${f.field} (wire ${f.wire})`);
  }
  return ev;
}

/** Every event of an event file, CRCs checked. */
export function readEventFile(path: string): DecodedEvent[] {
  return readRecords(new Uint8Array(readFileSync(path))).map(decodeEvent);
}
