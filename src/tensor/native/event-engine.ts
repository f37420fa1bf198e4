/**
 * The native engine's typed calls of the event-driven Linear layer for spike inputs (native/src/event_linear_*.cc):
 * the forward product, its weight gradient and the spike count that chooses it, each taking one parameter
 * object. Part of `NativeEngine` (engine.ts); split from it by topic.
 */
import type { NativeAddon } from "./addon.js";

export interface EventLinearCall {
  /** spikes [rows, Din], only 0 and 1 (e.g. [T, N, Din] with rows = T·N) */
  x: Float32Array;
  /** [Din, Dout] (the sgemm's B: y = x · W) */
  W: Float32Array;
  /** [Dout], added after the sum; empty or absent: no bias */
  b?: Float32Array;
  /** out: [rows, Dout] */
  y: Float32Array;
  rows: number;
  Din: number;
  Dout: number;
}

export interface EventLinearWeightGradCall {
  /** the layer's input spikes [rows, Din], only 0 and 1 */
  x: Float32Array;
  /** gradient of the layer's output [rows, Dout] */
  dy: Float32Array;
  /** out: gradient of the weight [Din, Dout] = xᵀ · dy */
  gW: Float32Array;
  rows: number;
  Din: number;
  Dout: number;
}

/** The event-driven calls of `NativeEngine`. */
export interface EventEngine {
  /**
   * y = x · W (+ b) for spikes x by adding the weight rows of the inputs that fired (no multiplies); returns the
   * accumulates done, active inputs x Dout summed over the rows: the SOPs the energy model charges for this input.
   */
  eventLinear(c: EventLinearCall): number;
  /**
   * gW = xᵀ · dy for spikes x: for each input, the sum of dy's rows where it fired, in increasing row order (the
   * same bits on any thread count); returns the accumulates done, (ones in x) x Dout. A RangeError for a value
   * of x other than 0 and 1.
   */
  eventLinearWeightGrad(c: EventLinearWeightGradCall): number;
  /** The number of ones in x, or -1 when x holds a value other than 0 and 1 (not spikes). */
  countSpikes(c: { x: Float32Array }): number;
}

const EMPTY = new Float32Array(0);

/** The event-driven calls over one loaded addon. */
export function eventEngineOf(addon: NativeAddon): EventEngine {
  return {
    eventLinear: (c) => addon.eventLinear(c.x, c.W, c.b ?? EMPTY, c.y, c.rows, c.Din, c.Dout),
    eventLinearWeightGrad: (c) => addon.eventLinearWeightGrad(c.x, c.dy, c.gW, c.rows, c.Din, c.Dout),
    countSpikes: (c) => addon.countSpikes(c.x),
  };
}
