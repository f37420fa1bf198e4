/**
 * A small builder of ONNX graphs (opset 17): nodes with generated value names, constants and weights as
 * initializers, graph inputs and outputs, and the handful of ops strl's models need as one-line helpers. Values
 * are names (strings); every helper returns the name of its output.
 */
import type { AttrValue, ElemType, GraphSpec, NodeSpec, TensorInit, ValueInfo } from "./onnx-proto.js";

/** The operator set every graph of strl is written for. */
export const OPSET = 17;
/** The IR version that goes with opset 17 (ONNX 1.12). */
export const IR_VERSION = 8;

/** A weight in strl's layout (Linear weights [in, out]), as the checkpoint API hands them out. */
export interface WeightArray {
  shape: readonly number[];
  data: Float32Array;
}

export type Weights = ReadonlyMap<string, WeightArray>;

export class GraphBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly inits: TensorInit[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly constants = new Map<string, string>();
  private readonly weightNames = new Set<string>();
  private count = 0;

  constructor(private readonly weights: Weights = new Map()) {}

  /** A fresh value name. */
  fresh(hint: string): string {
    return `${hint}_${this.count++}`;
  }

  /** One node with one output. */
  op(op: string, inputs: readonly string[], attrs?: Record<string, AttrValue>, hint = op): string {
    const out = this.fresh(hint);
    this.nodes.push({ op, inputs, outputs: [out], attrs });
    return out;
  }

  /** A graph input. */
  input(name: string, type: ElemType, shape: ReadonlyArray<number | string>): string {
    this.inputs.push({ name, type, shape });
    return name;
  }

  /** Makes `value` a graph output named `name`. */
  output(value: string, name: string, type: ElemType, shape: ReadonlyArray<number | string>): void {
    this.nodes.push({ op: "Identity", inputs: [value], outputs: [name] });
    this.outputs.push({ name, type, shape });
  }

  /** A constant tensor, shared between uses of equal values. */
  constant(type: ElemType, dims: readonly number[], values: ArrayLike<number>, hint = "const"): string {
    const key = `${type}|${dims.join(",")}|${Array.from(values).join(",")}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = this.fresh(hint);
    const data =
      type === "float32" ? Float32Array.from(values)
      : type === "float64" ? Float64Array.from(values)
      : type === "int64" ? BigInt64Array.from(Array.from(values), (v) => BigInt(v))
      : Uint8Array.from(values);
    this.inits.push({ name, type, dims: [...dims], data });
    this.constants.set(key, name);
    return name;
  }

  /** A float32 scalar (the value rounded to float32, as a tensor engine holds it). */
  f32(v: number): string {
    return this.constant("float32", [], [v], "f32");
  }

  /** A float64 scalar. */
  f64(v: number): string {
    return this.constant("float64", [], [v], "f64");
  }

  /** An int64 vector (shapes, axes, starts). */
  i64(values: readonly number[]): string {
    return this.constant("int64", [values.length], values, "i64");
  }

  /** The checkpoint weight `name` as an initializer of the same name (added once). */
  weight(name: string): string {
    const w = this.weights.get(name);
    if (!w) throw new RangeError(`onnx export: the checkpoint has no weight '${name}'`);
    if (!this.weightNames.has(name)) {
      this.inits.push({ name, type: "float32", dims: [...w.shape], data: w.data });
      this.weightNames.add(name);
    }
    return name;
  }

  hasWeight(name: string): boolean {
    return this.weights.has(name);
  }

  add(a: string, b: string): string {
    return this.op("Add", [a, b]);
  }

  sub(a: string, b: string): string {
    return this.op("Sub", [a, b]);
  }

  mul(a: string, b: string): string {
    return this.op("Mul", [a, b]);
  }

  div(a: string, b: string): string {
    return this.op("Div", [a, b]);
  }

  matmul(a: string, b: string): string {
    return this.op("MatMul", [a, b]);
  }

  cast(x: string, to: ElemType): string {
    const code = { float32: 1, int64: 7, bool: 9, float64: 11 }[to];
    return this.op("Cast", [x], { to: { int: code } });
  }

  /** Reshape with ONNX's rules: 0 copies the input's dimension, -1 is inferred. */
  reshape(x: string, dims: readonly number[]): string {
    return this.op("Reshape", [x, this.i64(dims)]);
  }

  transpose(x: string, perm: readonly number[]): string {
    return this.op("Transpose", [x], { perm: { ints: perm } });
  }

  /** x[starts:ends] along `axes`. */
  slice(x: string, starts: readonly number[], ends: readonly number[], axes: readonly number[]): string {
    return this.op("Slice", [x, this.i64(starts), this.i64(ends), this.i64(axes)]);
  }

  concat(xs: readonly string[], axis: number): string {
    return xs.length === 1 ? xs[0]! : this.op("Concat", xs, { axis: { int: axis } });
  }

  unsqueeze(x: string, axes: readonly number[]): string {
    return this.op("Unsqueeze", [x, this.i64(axes)]);
  }

  where(cond: string, a: string, b: string): string {
    return this.op("Where", [cond, a, b]);
  }

  /** The sum of every element: a scalar. */
  sumAll(x: string): string {
    return this.op("ReduceSum", [x], { keepdims: { int: 0 } });
  }

  /** Sums a list of tensors left to right: ((a + b) + c) + ... */
  addAll(xs: readonly string[]): string {
    return xs.slice(1).reduce((acc, x) => this.add(acc, x), xs[0]!);
  }

  spec(name: string, doc?: string): GraphSpec {
    return { name, nodes: this.nodes, initializers: this.inits, inputs: this.inputs, outputs: this.outputs, doc };
  }
}
