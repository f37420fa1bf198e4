/**
 * A Linear layer whose input is spikes (STRL's fc2 after the MLP's hidden LIF) on the inference path: event-driven
 * (the native `eventLinear` adds the weight rows of the inputs that fired) when the input's firing rate, known
 * exactly from the LIF's spike count at each decision, is below the crossover measured against the dense sgemm,
 * else the dense `LinearStep`. Both add the bias after the product, in float32; the sums differ only in order.
 */
import { EVENT_LINEAR_MAX_RATE, type EventLinearCall, type Linear, type NativeEngine } from "../../tensor/index.js";
import { LinearStep, type WeightCopies } from "./plan.js";

export class SpikeLinearStep {
  readonly dense: LinearStep;
  readonly event: EventLinearCall;
  readonly y: Float32Array; // [rows, out]
  /** Which product ran last: "event" or "dense" (for tests and profiles). */
  last: "event" | "dense" = "dense";

  constructor(w: WeightCopies, lin: Linear, readonly rows: number, x: Float32Array) {
    this.dense = new LinearStep(w, lin, rows, x);
    this.y = this.dense.y;
    const c = this.dense.call;
    this.event = { x, W: c.W, b: c.b, y: this.y, rows, Din: lin.inFeatures, Dout: lin.outFeatures };
  }

  /** y = x W + b for spikes x [rows, in] of which `fired` are 1. */
  run(e: NativeEngine, fired: number, maxRate = EVENT_LINEAR_MAX_RATE): Float32Array {
    const rate = fired / (this.rows * this.event.Din);
    if (rate < maxRate) {
      this.last = "event";
      e.eventLinear(this.event);
      return this.y;
    }
    this.last = "dense";
    return this.dense.run(e);
  }
}
