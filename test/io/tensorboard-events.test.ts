/**
 * TensorBoard event files: the CRC-32C check value, one record byte for byte as computed by hand, and files read
 * back by the tests' own reader (tfevents-reader.ts) with both CRCs of every record checked.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32c, EventFileWriter, frameRecord, maskCrc, scalarsEvent } from "../../src/io/tensorboard-events.js";
import { bitwiseCrc32c, decodeEvent, readEventFile, readRecords } from "./tfevents-reader.js";

const dir = mkdtempSync(join(tmpdir(), "strl-tfevents-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

describe("CRC-32C and the TFRecord mask", () => {
  it("gives the standard check value 0xE3069283 for '123456789', as the tests' bitwise CRC does", () => {
    const digits = new TextEncoder().encode("123456789");
    assert.equal(bitwiseCrc32c(digits), 0xe3069283);
    assert.equal(crc32c(digits), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(0)), 0);
  });

  it("masks by rotating right 15 bits and adding 0xa282ead8 modulo 2^32", () => {
    assert.equal(maskCrc(0), 0xa282ead8);
    assert.equal(maskCrc(0x00008000), 0xa282ead9); // bit 15 rotates to bit 0
    assert.equal(maskCrc(0x00000001), (0x00020000 + 0xa282ead8) >>> 0); // bit 0 rotates to bit 17
    assert.equal(maskCrc(0xffffffff), 0xa282ead7); // 0xffffffff + 0xa282ead8 wraps
  });
});

describe("one scalar event, byte for byte", () => {
  it("frames Event{wall_time 1.5, step 3, summary{value{tag 'a', simple_value 1}}} as computed by hand", () => {
    // 09 <1.5 as LE double> | 10 03 | 2a 0a (summary, 10 bytes) 0a 08 (value, 8 bytes) 0a 01 'a' 15 <1.0f LE>
    const event = "09000000000000f83f" + "1003" + "2a0a" + "0a08" + "0a0161" + "150000803f";
    assert.equal(hex(scalarsEvent(1.5, 3, [["a", 1]])), event);
    // length 23 (uint64 LE), masked CRC-32C of those 8 bytes, the event, masked CRC-32C of the event
    const record = "1700000000000000" + "e7cef81e" + event + "59859981";
    assert.equal(hex(frameRecord(scalarsEvent(1.5, 3, [["a", 1]]))), record);
    const [data] = readRecords(Buffer.from(record, "hex"));
    assert.deepEqual(decodeEvent(data!), { wallTime: 1.5, step: 3, values: [{ tag: "a", value: 1 }] });
  });

  it("encodes steps above 2^31 and values rounded to float32", () => {
    const ev = decodeEvent(scalarsEvent(0, 2 ** 40 + 5, [["training/loss", 0.1]]));
    assert.equal(ev.step, 2 ** 40 + 5);
    assert.equal(ev.values[0]!.value, Math.fround(0.1));
    assert.notEqual(ev.values[0]!.value, 0.1);
  });
});

describe("EventFileWriter", () => {
  const now = () => 1_700_000_000_250;

  it("writes events.out.tfevents.<seconds>.<host>: the file version first, then one event per call", () => {
    const w = new EventFileWriter(join(dir, "a", "b"), { now, host: "node7" });
    w.writeScalars(1, [["training/loss", 0.5], ["training/lr", 0.001]]);
    w.writeScalars(2, [["training/loss", 0.25]]);
    w.writeScalars(3, []); // nothing to write: no event
    w.close();
    assert.equal(w.path, join(dir, "a", "b", "events.out.tfevents.1700000000.node7"));
    const events = readEventFile(w.path);
    assert.deepEqual(events, [
      { wallTime: 1_700_000_000.25, step: 0, fileVersion: "brain.Event:2", values: [] },
      { wallTime: 1_700_000_000.25, step: 1, values: [{ tag: "training/loss", value: 0.5 }, { tag: "training/lr", value: Math.fround(0.001) }] },
      { wallTime: 1_700_000_000.25, step: 2, values: [{ tag: "training/loss", value: 0.25 }] },
    ]);
  });

  it("never reopens an existing file: a second writer in the same second gets the name with .1", () => {
    const d = join(dir, "same-second");
    const first = new EventFileWriter(d, { now, host: "h" });
    first.writeScalars(1, [["x", 1]]);
    first.close();
    const before = readFileSync(first.path);
    const second = new EventFileWriter(d, { now, host: "h" });
    second.writeScalars(2, [["x", 2]]);
    second.close();
    assert.equal(second.path, `${first.path}.1`);
    assert.deepEqual(readFileSync(first.path), before);
    assert.deepEqual(readdirSync(d).sort(), ["events.out.tfevents.1700000000.h", "events.out.tfevents.1700000000.h.1"]);
    assert.deepEqual(readEventFile(second.path).map((e) => e.step), [0, 2]);
  });

  it("the reader refuses a torn last record and a flipped data byte (what the CRCs are for)", () => {
    const w = new EventFileWriter(join(dir, "torn"), { now, host: "h" });
    w.writeScalars(1, [["x", 1]]);
    w.close();
    const bytes = readFileSync(w.path);
    const torn = join(dir, "torn", "cut");
    writeFileSync(torn, bytes.subarray(0, bytes.length - 3));
    assert.throws(() => readEventFile(torn), /torn record data/);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 6] = flipped[flipped.length - 6]! ^ 1; // a byte of the value
    writeFileSync(torn, flipped);
    assert.throws(() => readEventFile(torn), /data CRC mismatch/);
  });

  it("refuses a folder path that is a file", () => {
    const file = join(dir, "plain-file");
    writeFileSync(file, "x");
    assert.throws(() => new EventFileWriter(file, { now }), /is a file, not a folder/);
  });
});
