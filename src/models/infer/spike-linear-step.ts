/**
 * A Linear layer whose input is spikes (STRL's fc2 after the MLP's hidden LIF) on the inference path: event-driven
 * (the native `eventLinear` adds the weight rows of the inputs that fired) when the input's firing rate, known
 * exactly from the LIF's spike count at each decision, is below the crossover measured against the dense sgemm,
 * else the dense `LinearStep`. Both add the bias after the product, in float32; the sums differ only in order.
 */
import type { EventLinearCall, Linear, NativeEngine } from "../../tensor/index.js";
import { LinearStep, type WeightCopies } from "./plan.js";

/**
 * Firing rate below which the event-driven product is used. Measured against the dense sgemm (docs/engine.md,
 * "Event-driven spike layers": `node dist/bench/run.js event-linear`, 2 cores, AVX2, load 9): the event product
 * wins at every rate up to 0.4 and loses from 0.6 on, at the small and paper decision shapes, on 1 and 2 threads;
 * 0.3 keeps a margin (1.75-2x faster there). STRL's fc2 inputs fire at 0.11-0.16 (reports/reproduce-locomotion).
 */
export const EVENT_LINEAR_MAX_RATE = 0.3;

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
    this.event = { x, W: c.B, b: this.dense.bias, y: this.y, rows, Din: lin.inFeatures, Dout: lin.outFeatures };
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
