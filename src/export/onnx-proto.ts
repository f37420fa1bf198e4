/**
 * The ONNX messages strl writes, encoded with protobuf.ts. Field numbers from onnx/onnx.proto (IR version 8):
 *
 *   ModelProto          ir_version 1, producer_name 2, producer_version 3, doc_string 6, graph 7, opset_import 8,
 *                       metadata_props 14
 *   OperatorSetIdProto  domain 1, version 2
 *   StringStringEntry   key 1, value 2
 *   GraphProto          node 1, name 2, initializer 5, doc_string 10, input 11, output 12
 *   NodeProto           input 1, output 2, name 3, op_type 4, attribute 5
 *   AttributeProto      name 1, f 2, i 3, s 4, ints 8, type 20 (FLOAT 1, INT 2, STRING 3, INTS 7)
 *   TensorProto         dims 1, data_type 2, name 8, raw_data 9 (little-endian)
 *   ValueInfoProto      name 1, type 2 -> TypeProto.tensor_type 1 -> elem_type 1, shape 2 -> dim 1 ->
 *                       dim_value 1 | dim_param 2
 *
 * Repeated scalars (dims, ints) are written unpacked, one field per value, as proto2 declares them.
 */
import { ProtoWriter, readFields } from "./protobuf.js";

/** Element types strl's graphs use, with their TensorProto.DataType numbers. */
export const ELEM_TYPES = { float32: 1, int64: 7, bool: 9, float64: 11 } as const;
export type ElemType = keyof typeof ELEM_TYPES;

export type TensorValues = Float32Array | Float64Array | BigInt64Array | Uint8Array;

/** A constant tensor (an initializer). */
export interface TensorInit {
  name: string;
  type: ElemType;
  dims: readonly number[];
  /** row-major values; bool as one byte (0 / 1) per element */
  data: TensorValues;
}

/** A node attribute. */
export type AttrValue = { int: number } | { float: number } | { string: string } | { ints: readonly number[] };

export interface NodeSpec {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  attrs?: Readonly<Record<string, AttrValue>>;
}

/** A graph input or output: a tensor type and its shape (a number, or a name for a free dimension). */
export interface ValueInfo {
  name: string;
  type: ElemType;
  shape: ReadonlyArray<number | string>;
}

export interface GraphSpec {
  name: string;
  nodes: readonly NodeSpec[];
  initializers: readonly TensorInit[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
  doc?: string;
}

export interface ModelSpec {
  irVersion: number;
  /** Version of the default ("ai.onnx") operator set. */
  opset: number;
  producerName: string;
  producerVersion: string;
  graph: GraphSpec;
  metadata: Readonly<Record<string, string>>;
  doc?: string;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The little-endian bytes of typed values. */
function rawBytes(data: TensorValues): Uint8Array {
  if (!LITTLE_ENDIAN) throw new Error("onnx: writing tensors needs a little-endian host");
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export function encodeTensor(t: TensorInit): ProtoWriter {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== count) throw new RangeError(`onnx: tensor '${t.name}' has ${t.data.length} values for dims [${t.dims.join(", ")}]`);
  const w = new ProtoWriter();
  for (const d of t.dims) w.varint(1, d);
  w.varint(2, ELEM_TYPES[t.type]);
  w.string(8, t.name);
  w.bytes(9, rawBytes(t.data));
  return w;
}

function encodeAttribute(name: string, a: AttrValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if ("int" in a) w.varint(3, a.int).varint(20, 2);
  else if ("float" in a) w.float(2, a.float).varint(20, 1);
  else if ("string" in a) w.string(4, a.string).varint(20, 3);
  else {
    for (const v of a.ints) w.varint(8, v);
    w.varint(20, 7);
  }
  return w;
}

export function encodeNode(n: NodeSpec): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.op);
  for (const [k, v] of Object.entries(n.attrs ?? {})) w.message(5, encodeAttribute(k, v));
  return w;
}

export function encodeValueInfo(v: ValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) shape.message(1, typeof d === "number" ? new ProtoWriter().varint(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().varint(1, ELEM_TYPES[v.type]).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

export function encodeGraph(g: GraphSpec): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, encodeNode(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, encodeTensor(t));
  if (g.doc) w.string(10, g.doc);
  for (const i of g.inputs) w.message(11, encodeValueInfo(i));
  for (const o of g.outputs) w.message(12, encodeValueInfo(o));
  return w;
}

/** The bytes of an .onnx file. */
export function encodeModel(m: ModelSpec): Uint8Array {
  const w = new ProtoWriter().varint(1, m.irVersion).string(2, m.producerName).string(3, m.producerVersion);
  if (m.doc) w.string(6, m.doc);
  w.message(7, encodeGraph(m.graph));
  w.message(8, new ProtoWriter().string(1, "").varint(2, m.opset));
  for (const [k, v] of Object.entries(m.metadata)) w.message(14, new ProtoWriter().string(1, k).string(2, v));
  return w.finish();
}

/** What `readModelInfo` finds in an .onnx file: the opset, the producer and the metadata. */
export interface ModelInfo {
  irVersion: number;
  opset: number | undefined;
  producerName: string;
  metadata: Record<string, string>;
}

/** Reads a ModelProto's header fields and metadata_props (a RangeError when the bytes are not one). */
export function readModelInfo(bytes: Uint8Array): ModelInfo {
  const text = new TextDecoder("utf-8", { fatal: true });
  const info: ModelInfo = { irVersion: 0, opset: undefined, producerName: "", metadata: {} };
  let graph = false;
  let fields: ReturnType<typeof readFields>;
  try {
    fields = readFields(bytes);
  } catch (e) {
    throw new RangeError(`not an ONNX model (${(e as Error).message})`);
  }
  for (const f of fields) {
    if (f.field === 1 && f.value !== undefined) info.irVersion = Number(f.value);
    else if (f.field === 2 && f.bytes) info.producerName = text.decode(f.bytes);
    else if (f.field === 7 && f.bytes) graph = true;
    else if (f.field === 8 && f.bytes) {
      const fs = readFields(f.bytes);
      const domain = fs.find((x) => x.field === 1)?.bytes;
      const version = fs.find((x) => x.field === 2)?.value;
      if ((!domain || domain.length === 0 || text.decode(domain) === "ai.onnx") && version !== undefined) info.opset = Number(version);
    } else if (f.field === 14 && f.bytes) {
      const fs = readFields(f.bytes);
      const k = fs.find((x) => x.field === 1)?.bytes;
      const v = fs.find((x) => x.field === 2)?.bytes;
      if (k) info.metadata[text.decode(k)] = v ? text.decode(v) : "";
    }
  }
  if (info.irVersion < 1 || !graph) throw new RangeError("not an ONNX model (no ir_version or graph)");
  return info;
}
