/**
 * The protobuf / ONNX encoder against bytes worked out by hand from the wire format (varint keys
 * field << 3 | wire type, length-delimited fields) and onnx.proto's field numbers, and the smallest model it
 * writes run by ONNX Runtime.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProtoWriter, readFields, varintBytes } from "../../src/export/protobuf.js";
import { encodeModel, readModelInfo, type ModelSpec } from "../../src/export/onnx-proto.js";
import { loadOnnxRuntime, OnnxRuntimeMissing } from "../../src/export/onnx-runtime.js";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** y = Relu(x), x and y float32 [2], one metadata entry k = v. */
const TINY: ModelSpec = {
  irVersion: 8,
  opset: 17,
  producerName: "s",
  producerVersion: "1",
  graph: {
    name: "g",
    nodes: [{ op: "Relu", inputs: ["x"], outputs: ["y"] }],
    initializers: [],
    inputs: [{ name: "x", type: "float32", shape: [2] }],
    outputs: [{ name: "y", type: "float32", shape: [2] }],
  },
  metadata: { k: "v" },
};

// ValueInfoProto of a float32 [2] tensor named n: name (1), type (2) -> tensor_type (1) -> elem_type (1) = 1,
// shape (2) -> dim (1) -> dim_value (1) = 2
const valueInfo = (n: string): string => `0a01${n}` + "120a" + "0a08" + "0801" + "1204" + "0a02" + "0802";
const TINY_HEX =
  "0808" + // ir_version (1) = 8
  "120173" + // producer_name (2) = "s"
  "1a0131" + // producer_version (3) = "1"
  "3a33" + // graph (7), 51 bytes:
  "0a0c" + "0a0178" + "120179" + "220452656c75" + //   node (1), 12 bytes: input "x", output "y", op_type (4) "Relu"
  "120167" + //   name (2) = "g"
  "5a0f" + valueInfo("78") + //   input (11), 15 bytes
  "620f" + valueInfo("79") + //   output (12), 15 bytes
  "42040a001011" + // opset_import (8): domain (1) "", version (2) = 17
  "72060a016b120176"; // metadata_props (14): key (1) "k", value (2) "v"

describe("protobuf varints", () => {
  it("encode 7 bits per byte, low bits first, the top bit saying more follows", () => {
    assert.equal(hex(varintBytes(0)), "00");
    assert.equal(hex(varintBytes(1)), "01");
    assert.equal(hex(varintBytes(127)), "7f");
    assert.equal(hex(varintBytes(128)), "8001");
    assert.equal(hex(varintBytes(150)), "9601"); // the protobuf documentation's example
    assert.equal(hex(varintBytes(300)), "ac02");
    assert.equal(hex(varintBytes(2 ** 32)), "8080808010");
  });

  it("write a negative int64 as its 64-bit two's complement, ten bytes", () => {
    assert.equal(hex(varintBytes(-1)), "ffffffffffffffffff01");
    assert.equal(hex(varintBytes(-2n)), "feffffffffffffffff01");
  });

  it("refuse values that are not safe integers", () => {
    assert.throws(() => varintBytes(1.5), /safe integer/);
    assert.throws(() => varintBytes(2n ** 64n), /64 bits/);
  });

  it("write a float field as a fixed32 little-endian value", () => {
    assert.equal(hex(new ProtoWriter().float(2, 1).finish()), "150000803f"); // key 2 << 3 | 5 = 0x15, 1.0f = 0x3f800000
  });
});

describe("ONNX messages", () => {
  it("encode the tiny Relu model to the bytes worked out by hand", () => {
    assert.equal(hex(encodeModel(TINY)), TINY_HEX);
  });

  it("read the header, the opset and the metadata back from those bytes", () => {
    const info = readModelInfo(Buffer.from(TINY_HEX, "hex"));
    assert.deepEqual(info, { irVersion: 8, opset: 17, producerName: "s", metadata: { k: "v" } });
  });

  it("refuse bytes that are not a model: a truncated field, or no graph", () => {
    assert.throws(() => readModelInfo(Buffer.from(TINY_HEX.slice(0, 20), "hex")), /not an ONNX model \(protobuf: a field runs past the end\)/);
    assert.throws(() => readModelInfo(Buffer.from("0808", "hex")), /not an ONNX model/);
    assert.throws(() => readFields(Buffer.from("0b", "hex")), /wire type 3/);
  });

  it("run in ONNX Runtime: the hand-checked model computes Relu", async () => {
    const ort = loadOnnxRuntime();
    const session = await ort.InferenceSession.create(encodeModel(TINY));
    const out = await session.run({ x: new ort.Tensor("float32", Float32Array.from([-1.5, 2.25]), [2]) });
    assert.deepEqual(Array.from(out.y!.data as Float32Array), [0, 2.25]);
    await session.release();
  });
});

describe("loading ONNX Runtime", () => {
  it("says in one line how to install it when the package is absent", () => {
    assert.throws(
      () => loadOnnxRuntime("onnxruntime-node-not-installed-here"),
      (e: unknown) => e instanceof OnnxRuntimeMissing && !e.message.includes("\n") && /npm install onnxruntime-node@1\.31\.1/.test(e.message),
    );
  });
});
