/**
 * Fused ops of the native engine: one differentiable op where tfjs would launch a chain of small kernels.
 * Each reads its inputs' Float32Arrays in place (the native backend stores tensor values as plain arrays) and
 * hands back fresh arrays; the wasm engine composes the same math from tfjs ops instead (layers.ts, optim.ts).
 */
import { tf, type Tensor } from "../tf.js";
import type { LinearActivation, NativeEngine } from "./engine.js";

type GradFn = (dy: Tensor, saved: Tensor[]) => Tensor | Tensor[];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const customGrad = tf.customGrad as unknown as (f: (...args: any[]) => { value: Tensor; gradFunc: GradFn }) => (...xs: Tensor[]) => Tensor;

const values = (t: Tensor): Float32Array => t.dataSync() as Float32Array;

/** LayerNorm over the last axis: x [..., n], gamma [n], beta [n] -> [..., n]; statistics in double. */
export function layerNormFused(engine: NativeEngine, x: Tensor, gamma: Tensor, beta: Tensor, eps: number): Tensor {
  const n = x.shape[x.rank - 1]!;
  const rows = x.size / n;
  const op = customGrad((xt: Tensor, g: Tensor, b: Tensor, save: (ts: Tensor[]) => void) => {
    save([]);
    const xv = values(xt);
    const gv = values(g);
    const y = new Float32Array(xv.length); // [rows, n]
    const mean = new Float32Array(rows); // [rows]
    const rstd = new Float32Array(rows); // [rows]
    engine.layerNorm({ x: xv, rows, n, gamma: gv, beta: values(b), eps, y, mean, rstd });
    return {
      value: tf.tensor(y, xt.shape, "float32"),
      gradFunc: (dy: Tensor) => {
        const dx = new Float32Array(xv.length); // [rows, n]
        const dg = new Float32Array(n); // [n]
        const db = new Float32Array(n); // [n]
        engine.layerNormBackward({ dy: values(dy), x: xv, rows, n, gamma: gv, mean, rstd, dx, dgamma: dg, dbeta: db });
        return [tf.tensor(dx, xt.shape, "float32"), tf.tensor(dg, [n], "float32"), tf.tensor(db, [n], "float32")];
      },
    };
  });
  return op(x, gamma, beta);
}

/** One AdamW step of one parameter: returns the new parameter, first and second moments (fresh tensors). */
export function adamwFused(
  engine: NativeEngine,
  p: Tensor, g: Tensor, m: Tensor, v: Tensor,
  o: { beta1: number; beta2: number; eps: number; decay: number; stepSize: number; sqrtBc2: number },
): { p: Tensor; m: Tensor; v: Tensor } {
  const n = p.size;
  const po = new Float32Array(n);
  const mo = new Float32Array(n);
  const vo = new Float32Array(n);
  engine.adamw({ p: values(p), g: values(g), m: values(m), v: values(v), pOut: po, mOut: mo, vOut: vo, ...o });
  return { p: tf.tensor(po, p.shape, "float32"), m: tf.tensor(mo, p.shape, "float32"), v: tf.tensor(vo, p.shape, "float32") };
}

/**
 * A Linear layer with its activation as one differentiable op over the last axis: x [..., I], w [I, O], b [O] (or
 * none) -> act(x·w + b) [..., O], one native call forward and one backward (native/src/linear_kernels.h) where the
 * composed ops launch a reshape, a product, a bias add, an activation and a reshape back, and going back an
 * activation gradient, a column sum, two products and the reshapes. Without an activation the values and
 * gradients are the composed ops' bits (the same sgemm calls, the bias added in float32, its gradient summed in
 * double in row order). Shapes are the caller's to check (ops.ts `linearAct`).
 */
export function linearFused(engine: NativeEngine, x: Tensor, w: Tensor, b: Tensor | undefined, act: LinearActivation): Tensor {
  const [Din, Dout] = w.shape as [number, number];
  const rows = x.size / Din;
  const yShape = [...x.shape.slice(0, -1), Dout];
  const forward = (xt: Tensor, wt: Tensor, bt: Tensor | undefined) => {
    const xv = values(xt);
    const W = values(wt);
    const y = new Float32Array(rows * Dout); // [N, O]
    const z = act === "gelu" ? new Float32Array(rows * Dout) : undefined; // [N, O] pre-activation
    engine.linearForward({ x: xv, W, b: bt ? values(bt) : undefined, act, y, z, rows, Din, Dout });
    const saved = act === "relu" ? y : z;
    return {
      value: tf.tensor(y, yShape, "float32"),
      gradFunc: (dy: Tensor) => {
        const dx = new Float32Array(rows * Din); // [N, I]
        const dW = new Float32Array(Din * Dout); // [I, O]
        const db = bt ? new Float32Array(Dout) : undefined; // [O]
        engine.linearBackward({ dy: values(dy), x: xv, W, act, saved, dx, dW, db, rows, Din, Dout });
        const grads = [tf.tensor(dx, xt.shape, "float32"), tf.tensor2d(dW, [Din, Dout])];
        return db ? [...grads, tf.tensor1d(db)] : grads;
      },
    };
  };
  if (b) {
    return customGrad((xt: Tensor, wt: Tensor, bt: Tensor, save: (ts: Tensor[]) => void) => {
      save([]);
      return forward(xt, wt, bt);
    })(x, w, b);
  }
  return customGrad((xt: Tensor, wt: Tensor, save: (ts: Tensor[]) => void) => {
    save([]);
    return forward(xt, wt, undefined);
  })(x, w);
}
