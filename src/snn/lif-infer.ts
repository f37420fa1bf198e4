/**
 * The LIF of an inference path (src/models/infer): one native call on buffers allocated once, and the same
 * report to the neuron's listeners (the firing-rate monitor, the energy count, the spike rasters) as
 * `LIF.forward` and the fused attention send, built only when someone listens.
 */
import type { LifForwardCall, NativeEngine } from "../tensor/index.js";
import type { LIF, SpikeDetail } from "./lif.js";
import { throwNonFinite } from "./lif-kernel.js";

/** A preallocated LIF call: `x` [T, n] or [n] (repeated), `y` [T, n] or [n] (mean), `d` [T, n]. */
export type LifRunCall = LifForwardCall;

/** The call object of `lif` on these buffers (built once per plan, reused by every decision). */
export function lifCall(lif: LIF, T: number, n: number, o: { repeated: boolean; mean: boolean }, x: Float32Array, y: Float32Array): LifRunCall {
  const { tau, vThreshold, vReset, decayInput } = lif.config;
  return { x, T, n, repeated: o.repeated, mean: o.mean, tau, vThreshold, vReset, decayInput, y, d: new Float32Array(T * n) };
}

/**
 * Runs the call; tells `lif`'s listeners (spikes, T·n neuron-steps, T, and the layout: `rows` token rows of
 * n / rows neurons each, or `detail()` where the layout is not that) as `LIF.forward` does. Returns the spike count.
 */
export function runLif(engine: NativeEngine, lif: LIF, c: LifRunCall, rows: number, detail?: () => SpikeDetail): number {
  const r = engine.lifForward(c);
  if (r < 0) throwNonFinite(c.x, { repeated: c.repeated, name: lif.name }, -r - 1, c.n);
  if (lif.observed) lif.report(r, c.T * c.n, c.T, detail ? detail() : { d: c.d, n: c.n, rows });
  return r;
}
