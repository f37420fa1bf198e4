/**
 * A LIF neuron unrolled over its T steps in ONNX ops, with the arithmetic of strl's kernel (src/snn/lif-kernel.ts:
 * the charge in double precision, the membrane stored as float32 after every step, Θ(0) = 1):
 *
 *   H_t = a V_{t-1} + b X_t + c        a = 1 - 1/tau, b = 1/tau (decayInput) or 1, c = v_r / tau   (float64)
 *   S_t = H_t >= v_th                                                                          (GreaterOrEqual)
 *   V_t = H_t - S_t (H_t - v_r)    (hard reset)      V_t = H_t - S_t v_th    (soft reset)        (then Cast to
 *                                                                                   float32 and back, as stored)
 *   V_0 = v_r (float32). Direct encoding feeds the same X at every step.
 *
 * A spike in the graph is a float32 1 in S_t (0 otherwise); the mean over T adds S_t / T into a float32 at
 * every step, as the kernel does. The neuron's spike count (every neuron-step, or only those where `countMask`
 * is 1) becomes a graph output `spikes/<dotted name>` when the builder collects them.
 */
import type { LIFConfig } from "../snn/index.js";
import type { GraphBuilder } from "./graph.js";

export interface LifRun {
  /** float32 spikes (0 / 1) of each step, each shaped like the input */
  spikes: string[];
  /** float32 mean of the spikes over T (only when asked) */
  mean?: string;
}

export interface SpikeCounter {
  /** Records a LIF's spike count (a float32 scalar value of the graph) under its dotted name. */
  add(name: string, count: string): void;
}

export interface LifGraphOptions {
  /** dotted name of the neuron in the model (`blocks.0.mlp.lif1`) */
  name: string;
  T: number;
  /** float32 inputs: one (direct encoding: the same input at every step) or T */
  inputs: readonly string[];
  mean?: boolean;
  /** float32 0 / 1, broadcast against the input: the neuron-steps counted (the score LIF counts allowed cells) */
  countMask?: string;
  counter?: SpikeCounter;
}

export function lifGraph(g: GraphBuilder, cfg: LIFConfig, o: LifGraphOptions): LifRun {
  const { T } = o;
  if (o.inputs.length !== 1 && o.inputs.length !== T) throw new RangeError(`lifGraph '${o.name}': ${o.inputs.length} inputs for T = ${T}`);
  const hard = cfg.vReset !== null;
  const vr = cfg.vReset ?? 0;
  const a = g.f64(1 - 1 / cfg.tau);
  const b = g.f64(cfg.decayInput ? 1 / cfg.tau : 1);
  const c = g.f64(vr / cfg.tau);
  const vth = g.f64(cfg.vThreshold);
  const vrD = g.f64(vr);
  const invT = g.f64(1 / T);
  const xs = o.inputs.map((x) => g.cast(x, "float64")); // [...] each
  let v = g.f64(Math.fround(vr)); // the membrane, a float32 value held in float64 (broadcast at t = 0)
  const spikes: string[] = [];
  let mean: string | undefined;
  for (let t = 0; t < T; t++) {
    const x = xs.length === 1 ? xs[0]! : xs[t]!;
    const h = g.add(g.add(g.mul(a, v), g.mul(b, x)), c); // [...] float64
    const fire = g.op("GreaterOrEqual", [h, vth]); // [...] bool
    const sD = g.cast(fire, "float64");
    spikes.push(g.cast(fire, "float32"));
    if (t < T - 1) {
      const drop = hard ? g.mul(sD, g.sub(h, vrD)) : g.mul(sD, vth);
      v = g.cast(g.cast(g.sub(h, drop), "float32"), "float64");
    }
    if (o.mean) {
      const step = g.mul(sD, invT);
      mean = g.cast(mean ? g.add(g.cast(mean, "float64"), step) : step, "float32");
    }
  }
  if (o.counter) {
    const total = g.addAll(spikes); // [...] spikes per neuron, exact small integers
    o.counter.add(o.name, g.sumAll(o.countMask ? g.mul(total, o.countMask) : total));
  }
  return { spikes, mean };
}
