/**
 * Fast primitives on tfjs-wasm, written around the engine's traps (docs/engine.md, "tfjs-wasm's traps"):
 * - `linear`: x·W + b whose gradient transposes explicitly (wasm's transposeA/B matmul path is ~10x slower);
 * - `linearAct`: `linear` and its activation (relu, GELU) as one fused op on the native engine;
 * - `spikeLinear`: `linear` for spike inputs, event-driven on the native engine below a firing rate;
 * - `embeddingLookup`: a gather whose gradient is a scatter-add in JS (wasm has no UnsortedSegmentSum);
 * - `jsKernel`: wrap a forward/backward pair written on Float32Arrays as one differentiable op, for fused
 *   element-wise work (LIF neurons) that would otherwise launch dozens of small kernels.
 */
import { tf, type Tensor } from "./tf.js";
import { nativeEngine } from "./backend.js";
import { linearFused } from "./native/fused.js";
import type { LinearActivation } from "./native/engine.js";

type GradFn = (dy: Tensor, saved: Tensor[]) => Tensor | Tensor[];
// tfjs's customGrad typing mixes inputs and the save function into one rest parameter; this typed view keeps
// call sites readable. Semantics are tfjs's: the last argument of `f` is the save function.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const customGrad = tf.customGrad as unknown as (f: (...args: any[]) => { value: Tensor; gradFunc: GradFn }) => (...xs: Tensor[]) => Tensor;

function assertRank(name: string, t: Tensor, rank: number): void {
  if (t.rank !== rank) throw new RangeError(`${name}: expected rank ${rank}, got shape [${t.shape.join(", ")}]`);
}

/**
 * dx [N, I] = dy [N, O] · Wᵀ [O, I] and dW [I, O] = xᵀ [I, N] · dy [N, O] on the wasm engine (the native engine's
 * Linear is `linearFused`): an explicit transpose then a plain matMul is ~10x faster than wasm's flagged path.
 */
function linearGrads(x: tf.Tensor2D, w: tf.Tensor2D, dy: tf.Tensor2D): [Tensor, Tensor] {
  // no rows: dW sums nothing (tfjs-wasm's product over an inner size of 0 leaves its output uninitialised)
  if (x.shape[0] === 0) return [tf.zeros(x.shape), tf.zeros(w.shape)];
  return [tf.matMul(dy, tf.transpose(w)), tf.matMul(tf.transpose(x), dy)];
}

const matmul2dNoBias = customGrad((x: Tensor, w: Tensor, save: (ts: Tensor[]) => void) => {
  // x [N, I], w [I, O] -> [N, O]
  save([x, w]);
  return {
    value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return linearGrads(xs, ws, dy as tf.Tensor2D);
    },
  };
});

const matmul2dBias = customGrad((x: Tensor, w: Tensor, b: Tensor, save: (ts: Tensor[]) => void) => {
  // x [N, I], w [I, O], b [O] -> [N, O]
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b),
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [...linearGrads(xs, ws, dy as tf.Tensor2D), tf.sum(dy, 0)];
    },
  };
});

/** Checks x [..., I], w [I, O], b [O] for linear and spikeLinear; returns [I, O]. */
function checkLinear(x: Tensor, w: Tensor, b?: Tensor): [number, number] {
  assertRank("linear: weight", w, 2);
  const [inF, outF] = w.shape as [number, number];
  if (x.shape[x.rank - 1] !== inF) {
    throw new RangeError(`linear: input last dim ${x.shape[x.rank - 1]} does not match weight [${inF}, ${outF}]`);
  }
  if (b && (b.rank !== 1 || b.shape[0] !== outF)) throw new RangeError(`linear: bias shape [${b.shape}] must be [${outF}]`);
  return [inF, outF];
}

/**
 * A 2-D product over the last axis of x: checks the shapes, flattens x [..., I] to [N, I], applies `withBias` or
 * `noBias` ([N, I] x [I, O] (+ [O]) -> [N, O]) and restores the leading axes: [..., O].
 */
function overLastAxis(
  x: Tensor,
  w: Tensor,
  b: Tensor | undefined,
  withBias: (x2: Tensor, w: Tensor, b: Tensor) => Tensor,
  noBias: (x2: Tensor, w: Tensor) => Tensor,
): Tensor {
  const [inF, outF] = checkLinear(x, w, b);
  const lead = x.shape.slice(0, -1);
  const n = lead.reduce((a, c) => a * c, 1);
  const x2 = x.rank === 2 ? x : tf.reshape(x, [n, inF]); // [N, I]
  const y2 = b ? withBias(x2, w, b) : noBias(x2, w); // [N, O]
  return x.rank === 2 ? y2 : tf.reshape(y2, [...lead, outF]);
}

/**
 * y = x·W (+ b) over the last axis. x [..., I], w [I, O], b [O] -> [..., O]. On the native engine one fused op
 * (native/fused.ts: the composed reshapes, product and bias add's bits, in one native call each way).
 */
export function linear(x: Tensor, w: Tensor, b?: Tensor): Tensor {
  return linearAct(x, w, b, "none");
}

/** The real activations a Linear layer can fuse: none, relu, or GELU in GPT-2's tanh form (`gelu`). */
export type Activation = LinearActivation;

const GELU_C = Math.sqrt(2 / Math.PI);

/** GPT-2's tanh GELU, 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))), composed in float32 ops. x [...] -> [...] */
export function gelu(x: Tensor): Tensor {
  return tf.tidy(() => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), GELU_C); // [...]
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
  });
}

/** The activation alone: x [...] -> [...]. */
export function activation(x: Tensor, act: Activation): Tensor {
  if (act === "relu") return tf.relu(x);
  return act === "gelu" ? gelu(x) : x;
}

/**
 * y = act(x·W (+ b)) over the last axis: x [..., I], w [I, O], b [O] -> [..., O]. On the native engine one fused
 * op (one native call forward, one backward: native/src/linear_kernels.h); on wasm `linear` then `activation`.
 */
export function linearAct(x: Tensor, w: Tensor, b: Tensor | undefined, act: Activation): Tensor {
  const engine = nativeEngine();
  if (engine) {
    checkLinear(x, w, b);
    return linearFused(engine, x, w, b, act); // any rank: no reshapes on the tape
  }
  const y = overLastAxis(x, w, b, matmul2dBias, matmul2dNoBias);
  if (act === "none") return y;
  return tf.tidy(() => activation(y, act));
}

/**
 * Firing rate below which `spikeLinear` (and the decision path's SpikeLinearStep) use the event-driven product.
 * Measured against the dense sgemm (docs/engine.md, "Event-driven spike layers": `node dist/bench/run.js
 * event-linear`, 2 cores, AVX2, load 9): the event product wins at every rate up to 0.4 and loses from 0.6 on, at
 * the small and paper decision shapes and a training batch, on 1 and 2 threads; 0.3 keeps a margin (1.75-2x
 * faster there). STRL's fc2 inputs fire at 0.11-0.16 (reports/reproduce-locomotion).
 */
export const EVENT_LINEAR_MAX_RATE = 0.3;

/**
 * The event-driven product on the native engine: y [N, O] = x [N, I] · w [I, O] (+ b [O]) for spikes x by adding
 * the weight rows of the inputs that fired; dW [I, O] = xᵀ · dy by adding, for each input, dy's rows where it
 * fired (native, no multiplies); dx [N, I] = dy · Wᵀ and db [O] = Σ_rows dy stay dense, as in matmul2dBias.
 */
function eventProduct(x: Tensor, w: Tensor, b: Tensor | undefined, save: (ts: Tensor[]) => void) {
  const engine = nativeEngine()!;
  const [rows, Din] = x.shape as [number, number];
  const Dout = w.shape[1]!;
  save([x, w]);
  const y = new Float32Array(rows * Dout); // [N, O]
  const W = w.dataSync() as Float32Array; // [I, O]
  engine.eventLinear({ x: x.dataSync() as Float32Array, W, b: b?.dataSync() as Float32Array | undefined, y, rows, Din, Dout });
  return {
    value: tf.tensor2d(y, [rows, Dout]),
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const gW = new Float32Array(Din * Dout); // [I, O]
      engine.eventLinearWeightGrad({ x: xs.dataSync() as Float32Array, dy: dy.dataSync() as Float32Array, gW, rows, Din, Dout });
      const dx = tf.matMul(dy as tf.Tensor2D, ws, false, true); // [N, I]
      const grads = [dx, tf.tensor2d(gW, [Din, Dout])];
      return b ? [...grads, tf.sum(dy, 0)] : grads;
    },
  };
}

const eventMatmulNoBias = customGrad((x: Tensor, w: Tensor, save: (ts: Tensor[]) => void) => eventProduct(x, w, undefined, save));
const eventMatmulBias = customGrad((x: Tensor, w: Tensor, b: Tensor, save: (ts: Tensor[]) => void) => eventProduct(x, w, b, save));

/**
 * The share of x's values that are 1, or NaN when x holds a value other than 0 and 1 (not spikes). Counted by
 * the native engine when it is active (~0.5 ms for [5120, 512] instead of ~9 ms in this loop).
 */
export function spikeRate(x: Float32Array): number {
  const engine = nativeEngine();
  if (engine) {
    const ones = engine.countSpikes({ x });
    return ones < 0 ? Number.NaN : ones / x.length;
  }
  let ones = 0;
  let other = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    ones += v === 1 ? 1 : 0;
    other += v !== 0 && v !== 1 ? 1 : 0;
  }
  return other > 0 ? Number.NaN : ones / x.length;
}

/**
 * `linear` for an input that holds spikes (0 or 1, e.g. the LIF output feeding STRL's fc2): on the native engine,
 * when x's firing rate (its ones over its size, counted on the array) is below `maxRate`, the event-driven product
 * and weight gradient (eventProduct); otherwise (the wasm engine, a high rate, a value other than 0 and 1) exactly
 * `linear`. Both equal the dense product to float rounding (the same terms, summed in another order).
 * x [..., I], w [I, O], b [O] -> [..., O].
 */
export function spikeLinear(x: Tensor, w: Tensor, b?: Tensor, maxRate = EVENT_LINEAR_MAX_RATE): Tensor {
  if (!nativeEngine() || x.size === 0) return linear(x, w, b);
  if (!(spikeRate(x.dataSync() as Float32Array) < maxRate)) return linear(x, w, b);
  return overLastAxis(x, w, b, eventMatmulBias, eventMatmulNoBias);
}

/**
 * Embedding lookup: table [V, D], indices (any shape, integers in [0, V)) -> [...indices.shape, D].
 * The gradient scatter-adds rows in JS (wasm has no UnsortedSegmentSum, and a one-hot matmul costs N·V·D).
 */
export function embeddingLookup(table: Tensor, indices: Int32Array, indexShape: number[]): Tensor {
  assertRank("embeddingLookup: table", table, 2);
  const [v, d] = table.shape as [number, number];
  const n = indexShape.reduce((a, c) => a * c, 1);
  if (indices.length !== n) throw new RangeError(`embeddingLookup: ${indices.length} indices for shape [${indexShape}]`);
  for (let i = 0; i < n; i++) {
    const k = indices[i]!;
    if (!(k >= 0 && k < v)) throw new RangeError(`embeddingLookup: index ${k} at position ${i} is outside [0, ${v - 1}]`);
  }
  const op = customGrad((tbl: Tensor, save: (ts: Tensor[]) => void) => {
    save([]);
    const idx = tf.tensor1d(indices, "int32");
    const value = tf.reshape(tf.gather(tbl, idx), [...indexShape, d]);
    idx.dispose();
    return {
      value,
      gradFunc: (dy: Tensor) => {
        const g = dy.dataSync() as Float32Array; // [N, D]
        const out = new Float32Array(v * d); // [V, D]
        for (let i = 0; i < n; i++) {
          const row = indices[i]! * d;
          const src = i * d;
          for (let j = 0; j < d; j++) out[row + j]! += g[src + j]!;
        }
        return tf.tensor2d(out, [v, d]);
      },
    };
  });
  return op(table);
}

/**
 * One differentiable op written on Float32Arrays. `forward` gets the input's values and returns the output
 * values plus whatever state the backward pass needs; `backward` gets dL/dy and that state and returns dL/dx.
 * State lives in JS memory, outside the 4 GiB wasm heap.
 */
export function jsKernel<S>(
  x: Tensor,
  outShape: number[],
  forward: (xs: Float32Array) => { y: Float32Array; state: S },
  backward: (dy: Float32Array, state: S) => Float32Array,
): Tensor {
  const inShape = x.shape;
  const op = customGrad((input: Tensor, save: (ts: Tensor[]) => void) => {
    save([]);
    const { y, state } = forward(input.dataSync() as Float32Array);
    return {
      value: tf.tensor(y, outShape, "float32"),
      gradFunc: (dy: Tensor) => tf.tensor(backward(dy.dataSync() as Float32Array, state), inShape, "float32"),
    };
  });
  return op(x);
}

/** Values of a tensor as a Float32Array copy (reads outside any tidy, see engine.md). */
export function toFloat32(t: Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}

/** Per-group products of at least this many multiply-adds run as 2-D matmuls on wasm (below, BatchMatMul's overhead wins). */
export const BMM_LOOP_MIN_MACS = 100_000;

/**
 * a [G, M, N] · b [G, N, P] -> [G, M, P] on wasm (no gradient of its own): wasm's BatchMatMul runs at ~2 GFLOP/s,
 * a 2-D matmul of a [60, 128] x [128, 60] group at ~12 (measured), so large groups run one 2-D matmul each.
 */
function batchedProductWasm(a: Tensor, b: Tensor): Tensor {
  const [G, M, N] = a.shape as [number, number, number];
  const P = b.shape[2]!;
  if (G === 1 || M * N * P < BMM_LOOP_MIN_MACS) return tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D);
  const av = a.dataSync() as Float32Array; // [G, M, N]
  const bv = b.dataSync() as Float32Array; // [G, N, P]
  const out = new Float32Array(G * M * P); // [G, M, P]
  for (let g = 0; g < G; g++) {
    const x = tf.tensor2d(av.subarray(g * M * N, (g + 1) * M * N), [M, N]); // [M, N]
    const y = tf.tensor2d(bv.subarray(g * N * P, (g + 1) * N * P), [N, P]); // [N, P]
    const z = tf.matMul(x, y); // [M, P]
    out.set(z.dataSync() as Float32Array, g * M * P);
    tf.dispose([x, y, z]);
  }
  return tf.tensor3d(out, [G, M, P]);
}

const bmmWasm = customGrad((a: Tensor, b: Tensor, save: (ts: Tensor[]) => void) => {
  // a [G, M, N], b [G, N, P] -> [G, M, P]
  save([a, b]);
  return {
    value: batchedProductWasm(a, b),
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const [as, bs] = saved as [Tensor, Tensor];
      return [
        batchedProductWasm(dy, tf.transpose(bs, [0, 2, 1])), // da [G, M, N] = dy [G, M, P] · bᵀ [G, P, N]
        batchedProductWasm(tf.transpose(as, [0, 2, 1]), dy), // db [G, N, P] = aᵀ [G, N, M] · dy [G, M, P]
      ];
    },
  };
});

/**
 * Batched matmul a [G, M, N] · b [G, N, P] -> [G, M, P]: one batched sgemm on the native engine (its gradient
 * passes transposes as flags); on wasm, per-group 2-D matmuls with an explicit-transpose gradient.
 */
export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.rank !== 3 || b.rank !== 3 || a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
    throw new RangeError(`bmm: shapes [${a.shape}] and [${b.shape}] do not multiply`);
  }
  return nativeEngine() ? tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D) : bmmWasm(a, b);
}
