/**
 * The native engine's typed calls of the fused Linear layer of the tape (native/src/linear_*.cc): y = act(x·W + b)
 * in one call and its whole backward in another, each taking one parameter object. Part of `NativeEngine`
 * (engine.ts); split from it by topic.
 */
import type { NativeAddon } from "./addon.js";

/** The activation fused after the product: none, relu, or GPT-2's tanh GELU. */
export type LinearActivation = "none" | "relu" | "gelu";

export interface LinearForwardCall {
  /** [rows, Din] */
  x: Float32Array;
  /** [Din, Dout] */
  W: Float32Array;
  /** [Dout]; absent: no bias */
  b?: Float32Array;
  act: LinearActivation;
  /** out: act(x · W + b) [rows, Dout] */
  y: Float32Array;
  /** out, gelu only: the pre-activation x · W + b [rows, Dout] (its backward needs it) */
  z?: Float32Array;
  rows: number;
  Din: number;
  Dout: number;
}

export interface LinearBackwardCall {
  /** the gradient of the output y [rows, Dout] */
  dy: Float32Array;
  /** the forward's input [rows, Din] and weight [Din, Dout] */
  x: Float32Array;
  W: Float32Array;
  act: LinearActivation;
  /** what act's gradient needs: the forward's y for relu, its z for gelu; absent for none */
  saved?: Float32Array;
  /** out: [rows, Din]; absent: not computed */
  dx?: Float32Array;
  /** out: [Din, Dout] */
  dW: Float32Array;
  /** out: [Dout]; absent: not computed (no bias) */
  db?: Float32Array;
  rows: number;
  Din: number;
  Dout: number;
}

/** The fused Linear calls of `NativeEngine`. */
export interface LinearEngine {
  /** y = act(x · W + b) over rows; for gelu the pre-activation also goes to z. */
  linearForward(c: LinearForwardCall): void;
  /** dz = dy ⊙ act'; dx = dz · Wᵀ, dW = xᵀ · dz, db = Σ_rows dz (the products as the composed ops make them). */
  linearBackward(c: LinearBackwardCall): void;
}

const EMPTY = new Float32Array(0);
const ACT: Record<LinearActivation, number> = { none: 0, relu: 1, gelu: 2 };

/** The fused Linear calls over one loaded addon. */
export function linearEngineOf(addon: NativeAddon): LinearEngine {
  return {
    linearForward: (c) => addon.linearForward(c.x, c.W, c.b ?? EMPTY, ACT[c.act], c.y, c.z ?? EMPTY, c.rows, c.Din, c.Dout),
    linearBackward: (c) =>
      addon.linearBackward(c.dy, c.x, c.W, c.saved ?? EMPTY, ACT[c.act], c.dx ?? EMPTY, c.dW, c.db ?? EMPTY, c.rows, c.Din, c.Dout),
  };
}
