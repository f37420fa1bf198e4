/**
 * The AdamW update of one parameter as one engine-level op: fused in C++ on the native engine, composed from
 * tfjs ops on wasm (the same float32 operations in the same order, so both engines agree to rounding).
 */
import { tf, type Tensor } from "./tf.js";
import { nativeEngine } from "./backend.js";
import { adamwFused } from "./native/fused.js";

/** A named float32 array with its shape (a parameter or one of its moments), host-side. */
export interface NamedArray {
  shape: number[];
  data: Float32Array;
}

/** AdamW's state as host arrays: what `AdamW.exportState()` returns and optimizer.safetensors holds. */
export interface AdamWState {
  /** Number of updates made so far. */
  step: number;
  /** `<param>.exp_avg` and `<param>.exp_avg_sq` for every parameter, in parameter order. */
  tensors: Map<string, NamedArray>;
}

export interface AdamWStepOptions {
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled weight decay factor applied to the parameter first: 1 - lr·wd, or 1 for none. */
  decay: number;
  /** lr / (1 - beta1^t) */
  stepSize: number;
  /** sqrt(1 - beta2^t) */
  sqrtBc2: number;
}

/**
 * m' = b1 m + (1 - b1) g;  v' = b2 v + (1 - b2) g²;  p' = p·decay - (m' / (sqrt(v') / sqrtBc2 + eps))·stepSize.
 * p, g, m, v [...shape] -> new tensors { p, m, v } [...shape] (the caller assigns and disposes).
 */
export function adamwStep(p: Tensor, g: Tensor, m: Tensor, v: Tensor, o: AdamWStepOptions): { p: Tensor; m: Tensor; v: Tensor } {
  const engine = nativeEngine();
  if (engine) return adamwFused(engine, p, g, m, v, o);
  return tf.tidy(() => {
    const m2 = tf.add(tf.mul(m, o.beta1), tf.mul(g, 1 - o.beta1));
    const v2 = tf.add(tf.mul(v, o.beta2), tf.mul(tf.square(g), 1 - o.beta2));
    const decayed = o.decay !== 1 ? tf.mul(p, o.decay) : p;
    const denom = tf.add(tf.div(tf.sqrt(v2), o.sqrtBc2), o.eps);
    const p2 = tf.sub(decayed, tf.mul(tf.div(m2, denom), o.stepSize));
    return { p: p2, m: m2, v: v2 };
  });
}
