import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensors,
  writeSafetensors,
  SafetensorsError,
  type TensorData,
} from "../../src/io/safetensors.js";

/** Builds a file by hand from a header object and raw data bytes (no padding), as the format describes. */
function handmade(header: unknown, data: number[] = [], headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** The little-endian bytes of float32 values, via DataView (independent of the writer). */
function f32Bytes(values: number[]): number[] {
  const b = new Uint8Array(values.length * 4);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => v.setFloat32(i * 4, x, true));
  return Array.from(b);
}

const sample = (): Array<[string, TensorData]> => [
  ["head.weight", { dtype: "F32", shape: [2, 3], data: new Float32Array([1, 2, 3, 4.5, -5, 1e-30]) }],
  ["head.bias", { dtype: "F32", shape: [2], data: new Float32Array([0.25, -0.5]) }],
  ["steps", { dtype: "I32", shape: [], data: new Int32Array([7]) }],
  ["flags", { dtype: "BOOL", shape: [3], data: new Uint8Array([1, 0, 1]) }],
  ["big", { dtype: "I64", shape: [1], data: new BigInt64Array([-(2n ** 40n)]) }],
  ["f64", { dtype: "F64", shape: [1, 1], data: new Float64Array([Math.PI]) }],
  ["empty", { dtype: "F32", shape: [0, 4], data: new Float32Array(0) }],
];

describe("safetensors writer", () => {
  it("writes the header length, a space-padded JSON header and the data in the documented layout", () => {
    const bytes = encodeSafetensors([["a", { dtype: "F32", shape: [2], data: new Float32Array([1, -2]) }]], { format: "pt" });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal((8 + n) % 8, 0, "data starts on an 8-byte boundary");
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    assert.equal(header.trimEnd(), '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}');
    assert.match(header, /^[^ ]+ *$/, "only trailing spaces pad the header");
    assert.deepEqual(Array.from(bytes.subarray(8 + n)), f32Bytes([1, -2]));
  });

  it("refuses data whose length does not match the shape", () => {
    assert.throws(() => encodeSafetensors([["x", { dtype: "F32", shape: [3], data: new Float32Array(2) }]]), /'x' has shape \[3\] \(3 values\) but 2 values/);
    assert.throws(() => encodeSafetensors([["x", { dtype: "I32", shape: [2], data: new Float32Array(2) }]]), /'x' is I32 but its data is a Float32Array/);
  });
});

describe("safetensors reader", () => {
  it("reads a file built by hand from the format description", () => {
    const header = { __metadata__: { k: "v" }, w: { dtype: "F32", shape: [1, 2], data_offsets: [0, 8] }, i: { dtype: "I32", shape: [1], data_offsets: [8, 12] } };
    const st = decodeSafetensors(handmade(header, [...f32Bytes([0.5, -3]), 9, 0, 0, 0]));
    assert.deepEqual(st.metadata, { k: "v" });
    assert.deepEqual(st.tensors.get("w"), { dtype: "F32", shape: [1, 2], data: new Float32Array([0.5, -3]) });
    assert.deepEqual(st.tensors.get("i"), { dtype: "I32", shape: [1], data: new Int32Array([9]) });
  });

  it("reads a file written by the reference safetensors library (Python safetensors 0.8.0, numpy)", () => {
    // save({"w": float32 [[0.5, -1.25, 3], [1e-3, 0, -7.5]], "n": int32 [-3, 2], "d": float64 [2.5]}, metadata={"format": "np"})
    const b64 =
      "yAAAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJmb3JtYXQiOiJucCJ9LCJkIjp7ImR0eXBlIjoiRjY0Iiwic2hhcGUiOlsxXSwiZGF0YV9vZmZzZXRzIjpbMCw4XX0sInciOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzIsM10sImRhdGFfb2Zmc2V0cyI6WzgsMzJdfSwibiI6eyJkdHlwZSI6IkkzMiIsInNoYXBlIjpbMl0sImRhdGFfb2Zmc2V0cyI6WzMyLDQwXX19ICAgIAAAAAAAAARAAAAAPwAAoL8AAEBAbxKDOgAAAAAAAPDA/f///wIAAAA=";
    const st = decodeSafetensors(new Uint8Array(Buffer.from(b64, "base64")));
    assert.deepEqual(st.metadata, { format: "np" });
    assert.deepEqual(st.tensors.get("w"), { dtype: "F32", shape: [2, 3], data: new Float32Array([0.5, -1.25, 3, 1e-3, 0, -7.5]) });
    assert.deepEqual(st.tensors.get("n"), { dtype: "I32", shape: [2], data: new Int32Array([-3, 2]) });
    assert.deepEqual(st.tensors.get("d"), { dtype: "F64", shape: [1], data: new Float64Array([2.5]) });
  });

  it("round-trips every supported dtype bit for bit, through a file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "strl-st-"));
    try {
      const path = join(dir, "t.safetensors");
      await writeSafetensors(path, sample(), { note: "hello" });
      const st = await readSafetensors(path);
      assert.deepEqual([...st.tensors.keys()], sample().map(([n]) => n));
      for (const [name, t] of sample()) assert.deepEqual(st.tensors.get(name), t, name);
      assert.deepEqual(st.metadata, { note: "hello" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("says the file is missing, naming the path", async () => {
    await assert.rejects(readSafetensors("/nonexistent/x.safetensors"), { name: "SafetensorsError", message: "/nonexistent/x.safetensors: file not found" });
  });

  it("reports a file shorter than the length prefix as truncated", () => {
    assert.throws(() => decodeSafetensors(new Uint8Array(5), "m.safetensors"), { message: "m.safetensors: truncated: 5 bytes, shorter than the 8-byte header length" });
  });

  it("reports a header length past the end of the file", () => {
    const full = encodeSafetensors(sample());
    const cut = full.subarray(0, 40);
    assert.throws(() => decodeSafetensors(cut), /header length \d+ runs past the end of the file \(40 bytes\)/);
  });

  it("reports truncated data as the tensor that runs out", () => {
    const full = encodeSafetensors(sample());
    assert.throws(() => decodeSafetensors(full.subarray(0, full.length - 4)), SafetensorsError);
    assert.throws(() => decodeSafetensors(full.subarray(0, full.length - 4)), /truncated: tensor 'f64' needs data bytes \[\d+, \d+\) but the data section has \d+ bytes/);
  });

  it("reports a flipped header byte as invalid JSON", () => {
    const bytes = encodeSafetensors(sample());
    bytes[8] = 0x5b; // '{' -> '['
    assert.throws(() => decodeSafetensors(bytes), /header is not valid JSON \(corrupt file\)/);
    const bytes2 = encodeSafetensors(sample());
    bytes2[9] = 0xff; // not UTF-8
    assert.throws(() => decodeSafetensors(bytes2), /header is not valid UTF-8/);
  });

  it("rejects a header that is not an object or has bad metadata", () => {
    assert.throws(() => decodeSafetensors(handmade([1, 2])), /header must be a JSON object/);
    assert.throws(() => decodeSafetensors(handmade({ __metadata__: { a: 1 } })), /__metadata__ must be an object of string values/);
  });

  it("rejects a shape whose size does not match the byte span", () => {
    const h = { w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } };
    assert.throws(() => decodeSafetensors(handmade(h, f32Bytes([1, 2]))), { message: "safetensors data: tensor 'w': shape [3] x F32 (4 bytes) = 12 bytes, but data_offsets span 8 bytes" });
    assert.throws(() => decodeSafetensors(handmade({ w: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, f32Bytes([1]))), /shape must be an array of non-negative integers/);
  });

  it("rejects unknown and unsupported dtypes by name", () => {
    assert.throws(() => decodeSafetensors(handmade({ w: { dtype: "Q7", shape: [1], data_offsets: [0, 1] } }, [0])), /dtype "Q7" is unknown/);
    assert.throws(() => decodeSafetensors(handmade({ w: { dtype: "F16", shape: [1], data_offsets: [0, 2] } }, [0, 0])), /dtype "F16" is not supported by strl/);
  });

  it("rejects overlapping offsets, gaps and trailing bytes", () => {
    const overlap = { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [1], data_offsets: [4, 8] } };
    assert.throws(() => decodeSafetensors(handmade(overlap, f32Bytes([1, 2]))), /tensor 'b': data_offsets \[4, 8\) overlap the previous tensor/);
    const gap = { a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } };
    assert.throws(() => decodeSafetensors(handmade(gap, f32Bytes([1, 2]))), /leave a gap after byte 0/);
    const short = { a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } };
    assert.throws(() => decodeSafetensors(handmade(short, f32Bytes([1, 2]))), /the data section has 8 bytes but the tensors cover 4/);
    const backwards = { a: { dtype: "F32", shape: [0], data_offsets: [4, 0] } };
    assert.throws(() => decodeSafetensors(handmade(backwards, f32Bytes([1]))), /end before they begin/);
  });

  it("accepts a header padded with spaces but no other padding", () => {
    const text = `${JSON.stringify({ a: { dtype: "U8", shape: [1], data_offsets: [0, 1] } })}     `;
    assert.deepEqual(decodeSafetensors(handmade(null, [7], text)).tensors.get("a")?.data, new Uint8Array([7]));
  });
});
