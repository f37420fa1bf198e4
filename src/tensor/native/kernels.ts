/**
 * tfjs kernels of the native backend that call the C++ addon. Each works on float32 tensors whose values are
 * Float32Arrays in the backend's storage, and falls back to tfjs-backend-cpu's kernel for anything else
 * (other dtypes, shapes the addon does not take).
 */
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { tf } from "../tf.js";
import type { NativeAddon } from "./addon.js";

type KernelConfig = tf.KernelConfig;
type TensorInfo = tf.TensorInfo;
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: MathBackendCPU; attrs?: tf.NamedAttrMap };

/** The values of a float32 tensor, or undefined when it is not a float32 tensor stored as a Float32Array. */
export function f32(backend: MathBackendCPU, t: TensorInfo): Float32Array | undefined {
  if (t.dtype !== "float32") return undefined;
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : undefined;
}

function cpuKernel(name: string): tf.KernelFunc {
  const k = tf.getKernel(name, "cpu");
  if (!k) throw new Error(`strl native backend: tfjs-backend-cpu has no kernel '${name}'`);
  return k.kernelFunc;
}

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** BatchMatMul: a [..., M, K] (or [..., K, M] transposed) · b [..., K, N] (or [..., N, K]) -> [..., M, N]. */
function batchMatMul(addon: NativeAddon): tf.KernelFunc {
  const fallback = cpuKernel("BatchMatMul");
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as KernelArgs;
    const a = inputs.a as TensorInfo;
    const b = inputs.b as TensorInfo;
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const av = f32(backend, a);
    const bv = f32(backend, b);
    if (!av || !bv || a.shape.length < 2 || b.shape.length < 2) return fallback(args);
    const ra = a.shape.length;
    const rb = b.shape.length;
    const M = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const Ka = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const Kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
    const N = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    if (Ka !== Kb) {
      throw new Error(`matMul: inner shapes ${Ka} and ${Kb} of [${a.shape}] and [${b.shape}] (transposeA=${transposeA}, transposeB=${transposeB}) must match`);
    }
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const batchA = size(outerA);
    const batchB = size(outerB);
    const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
    const batch = size(outer);
    // Only whole-matrix broadcasting (one side a single matrix, or equal batches) maps onto strides.
    if (!((batchA === batch || batchA === 1) && (batchB === batch || batchB === 1))) return fallback(args);
    const out = new Float32Array(batch * M * N);
    addon.gemm(batch, M, N, Ka, transposeA, transposeB, av, batchA === 1 ? 0 : M * Ka, bv, batchB === 1 ? 0 : Ka * N, out);
    return backend.makeTensorInfo([...outer, M, N], "float32", out);
  };
}

const BINARY_OPS: Record<string, number> = {
  Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Maximum: 4, Minimum: 5, SquaredDifference: 6, Pow: 7,
};
const UNARY_OPS: Record<string, number> = {
  Exp: 0, Log: 1, Sqrt: 2, Rsqrt: 3, Neg: 4, Square: 5, Tanh: 6, Relu: 7, Sigmoid: 8, Abs: 9, Reciprocal: 10,
};
const STEP_OP = 11;
const REDUCE_OPS: Record<string, number> = { Sum: 0, Mean: 1, Max: 2, Min: 3 };

/** a op b with numpy broadcasting: [..a] , [..b] -> broadcast shape. */
function binary(addon: NativeAddon, name: string): tf.KernelFunc {
  const fallback = cpuKernel(name);
  const op = BINARY_OPS[name]!;
  return (args) => {
    const { inputs, backend } = args as unknown as KernelArgs;
    const a = inputs.a as TensorInfo;
    const b = inputs.b as TensorInfo;
    const av = f32(backend, a);
    const bv = f32(backend, b);
    if (!av || !bv || a.shape.length > 8 || b.shape.length > 8) return fallback(args);
    const shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const out = new Float32Array(size(shape));
    addon.binary(op, shape, av, a.shape, bv, b.shape, out);
    return backend.makeTensorInfo(shape, "float32", out);
  };
}

/** f(x) element-wise, same shape. */
function unary(addon: NativeAddon, name: string): tf.KernelFunc {
  const fallback = cpuKernel(name);
  const op = UNARY_OPS[name]!;
  return (args) => {
    const { inputs, backend } = args as unknown as KernelArgs;
    const x = inputs.x as TensorInfo;
    const xv = f32(backend, x);
    if (!xv) return fallback(args);
    const out = new Float32Array(xv.length);
    addon.unary(op, xv, out);
    return backend.makeTensorInfo(x.shape.slice(), "float32", out);
  };
}

/** Sum / Mean / Max / Min over a contiguous block of axes: [..., reduced..., ...] -> [..., ...] (or keepDims). */
function reduce(addon: NativeAddon, name: string): tf.KernelFunc {
  const fallback = cpuKernel(name);
  const op = REDUCE_OPS[name]!;
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as KernelArgs;
    const x = inputs.x as TensorInfo;
    const xv = f32(backend, x);
    // Max names its axes `reductionIndices`; Sum, Mean and Min name them `axis`.
    const a = attrs as { axis?: number | number[]; reductionIndices?: number | number[]; keepDims: boolean };
    const axis = a.axis ?? a.reductionIndices!;
    const keepDims = a.keepDims;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const contiguous = axes.every((ax, i) => i === 0 || ax === axes[i - 1]! + 1);
    if (!xv || axes.length === 0 || !contiguous || (op >= 2 && axes.some((ax) => x.shape[ax] === 0))) return fallback(args);
    const a0 = axes[0]!;
    const a1 = axes[axes.length - 1]!;
    const outer = size(x.shape.slice(0, a0));
    const red = size(x.shape.slice(a0, a1 + 1));
    const inner = size(x.shape.slice(a1 + 1));
    const out = new Float32Array(outer * inner);
    addon.reduce(op, xv, outer, red, inner, out);
    const outShape = keepDims ? x.shape.map((d, i) => (i >= a0 && i <= a1 ? 1 : d)) : x.shape.filter((_, i) => i < a0 || i > a1);
    return backend.makeTensorInfo(outShape, "float32", out);
  };
}

/** Softmax over the last axis (tfjs's Softmax kernel takes dim = -1 / rank-1 only). */
function softmax(addon: NativeAddon): tf.KernelFunc {
  const fallback = cpuKernel("Softmax");
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as KernelArgs;
    const x = inputs.logits as TensorInfo;
    const xv = f32(backend, x);
    const { dim } = attrs as { dim: number };
    const rank = x.shape.length;
    const n = x.shape[rank - 1] ?? 1;
    if (!xv || rank === 0 || (dim !== -1 && dim !== rank - 1) || n === 0) return fallback(args);
    const out = new Float32Array(xv.length);
    addon.softmax(xv, xv.length / n, n, out);
    return backend.makeTensorInfo(x.shape.slice(), "float32", out);
  };
}

/** Transpose by a permutation of the axes (rank <= 8). */
function transpose(addon: NativeAddon): tf.KernelFunc {
  const fallback = cpuKernel("Transpose");
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as KernelArgs;
    const x = inputs.x as TensorInfo;
    const xv = f32(backend, x);
    const { perm } = attrs as { perm: number[] };
    if (!xv || x.shape.length > 8) return fallback(args);
    const out = new Float32Array(xv.length);
    addon.transpose(xv, x.shape, perm, out);
    return backend.makeTensorInfo(perm.map((p) => x.shape[p]!), "float32", out);
  };
}

/**
 * GatherV2 along one axis with batchDims 0 (embedding lookups): x viewed as [outer, dimAxis, inner], indices
 * flat -> [outer, nIdx, inner]; rows are copied whole (tfjs-backend-cpu indexes every element through
 * N-d index arithmetic, ~1 µs each). Out-of-range indices throw, as tfjs does.
 */
function gather(): tf.KernelFunc {
  const fallback = cpuKernel("GatherV2");
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as KernelArgs;
    const x = inputs.x as TensorInfo;
    const idx = inputs.indices as TensorInfo;
    const { axis, batchDims } = attrs as { axis: number; batchDims: number };
    const xv = f32(backend, x);
    const iv = backend.data.get(idx.dataId).values;
    if (!xv || batchDims !== 0 || idx.dtype !== "int32" || !(iv instanceof Int32Array)) return fallback(args);
    const ax = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const outer = size(x.shape.slice(0, ax));
    const dim = x.shape[ax]!;
    const inner = size(x.shape.slice(ax + 1));
    const n = iv.length;
    const out = new Float32Array(outer * n * inner);
    for (let k = 0; k < n; k++) {
      const j = iv[k]!;
      if (!(j >= 0 && j < dim)) throw new Error(`GatherV2: index ${j} at position ${k} is not in [0, ${dim - 1}]`);
    }
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < n; k++) {
        const src = (o * dim + iv[k]!) * inner;
        out.set(xv.subarray(src, src + inner), (o * n + k) * inner);
      }
    }
    return backend.makeTensorInfo([...x.shape.slice(0, ax), ...idx.shape, ...x.shape.slice(ax + 1)], "float32", out);
  };
}

/**
 * Copies the box of `x` [shape] starting at `begin` with extent `box` into `out` [outShape] at `at`, one
 * contiguous innermost run at a time (Slice reads a box, PadV2 writes one; tfjs-backend-cpu moves elements one
 * by one through N-d index arithmetic).
 */
function copyBox(
  x: Float32Array, shape: number[], begin: number[], box: number[],
  out: Float32Array, outShape: number[], at: number[],
): void {
  const rank = shape.length;
  if (box.some((d) => d === 0)) return;
  if (rank === 0) {
    out[0] = x[0]!;
    return;
  }
  const xStr = tf.util.computeStrides(shape);
  const oStr = tf.util.computeStrides(outShape);
  const run = box[rank - 1]!;
  const rows = box.slice(0, -1).reduce((a, b) => a * b, 1);
  const idx = new Array<number>(rank - 1).fill(0);
  for (let r = 0; r < rows; r++) {
    let xo = begin[rank - 1]!;
    let oo = at[rank - 1]!;
    for (let d = 0; d < rank - 1; d++) {
      xo += (begin[d]! + idx[d]!) * xStr[d]!;
      oo += (at[d]! + idx[d]!) * oStr[d]!;
    }
    out.set(x.subarray(xo, xo + run), oo);
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d]! < box[d]!) break;
      idx[d] = 0;
    }
  }
}

/** Slice: x [...shape] -> the box at `begin` of extent `size` (-1: to the end). */
function slice(): tf.KernelFunc {
  const fallback = cpuKernel("Slice");
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as KernelArgs;
    const x = inputs.x as TensorInfo;
    const xv = f32(backend, x);
    if (!xv) return fallback(args);
    const { begin, size: sz } = attrs as { begin: number | number[]; size: number | number[] };
    const [b, box] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, sz);
    tf.slice_util.assertParamsValid(x as tf.Tensor, b, box);
    const out = new Float32Array(size(box));
    copyBox(xv, x.shape, b, box, out, box, box.map(() => 0));
    return backend.makeTensorInfo(box, "float32", out);
  };
}

/** PadV2: x placed inside a constant-filled tensor with paddings [[before, after], ...] per axis. */
function padV2(): tf.KernelFunc {
  const fallback = cpuKernel("PadV2");
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as KernelArgs;
    const x = inputs.x as TensorInfo;
    const xv = f32(backend, x);
    const { paddings, constantValue } = attrs as { paddings: Array<[number, number]>; constantValue: number };
    if (!xv || paddings.some(([p, q]) => p < 0 || q < 0)) return fallback(args);
    const outShape = x.shape.map((d, i) => paddings[i]![0] + d + paddings[i]![1]);
    const out = new Float32Array(size(outShape));
    if (constantValue !== 0) out.fill(constantValue);
    copyBox(xv, x.shape, x.shape.map(() => 0), x.shape, out, outShape, paddings.map(([p]) => p));
    return backend.makeTensorInfo(outShape, "float32", out);
  };
}

/** Unpack (unstack): x [..., n, ...] along `axis` -> n tensors without that axis, copied run by run. */
function unpack(): tf.KernelFunc {
  const fallback = cpuKernel("Unpack");
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as KernelArgs;
    const x = inputs.value as TensorInfo;
    const xv = f32(backend, x);
    if (!xv) return fallback(args);
    const axis = tf.util.parseAxisParam((attrs as { axis: number }).axis, x.shape)[0]!;
    const n = x.shape[axis]!;
    const outShape = x.shape.filter((_, i) => i !== axis);
    const box = x.shape.map((d, i) => (i === axis ? 1 : d));
    const zeros = x.shape.map(() => 0);
    const outs: TensorInfo[] = [];
    for (let k = 0; k < n; k++) {
      const out = new Float32Array(size(outShape));
      copyBox(xv, x.shape, x.shape.map((_, i) => (i === axis ? k : 0)), box, out, box, zeros);
      outs.push(backend.makeTensorInfo(outShape, "float32", out));
    }
    return outs;
  };
}

/** Step: 1 where x > 0, alpha elsewhere, NaN stays NaN (relu's gradient). */
function step(addon: NativeAddon): tf.KernelFunc {
  const fallback = cpuKernel("Step");
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as KernelArgs;
    const x = inputs.x as TensorInfo;
    const xv = f32(backend, x);
    if (!xv) return fallback(args);
    const out = new Float32Array(xv.length);
    addon.unary(STEP_OP, xv, out, (attrs as { alpha: number }).alpha);
    return backend.makeTensorInfo(x.shape.slice(), "float32", out);
  };
}

/** The kernels the addon provides, as tfjs kernel configs for `backendName`. */
export function nativeKernelConfigs(addon: NativeAddon, backendName: string): KernelConfig[] {
  const fns: Record<string, tf.KernelFunc> = {};
  if (typeof addon.gemm === "function") fns.BatchMatMul = batchMatMul(addon);
  for (const name of Object.keys(BINARY_OPS)) fns[name] = binary(addon, name);
  for (const name of Object.keys(UNARY_OPS)) fns[name] = unary(addon, name);
  for (const name of Object.keys(REDUCE_OPS)) fns[name] = reduce(addon, name);
  fns.Softmax = softmax(addon);
  fns.GatherV2 = gather();
  fns.Slice = slice();
  fns.PadV2 = padV2();
  fns.Step = step(addon);
  fns.Unpack = unpack();
  fns.Transpose = transpose(addon);
  return Object.entries(fns).map(([kernelName, kernelFunc]) => ({ kernelName, backendName, kernelFunc }));
}
