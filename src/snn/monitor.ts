/**
 * Firing-rate monitor: attach to named LIF layers; every forward pass adds its spike count and neuron-steps
 * (T x tokens x batch x features). Costs one counter update per forward call (the kernel counts spikes anyway),
 * so it can stay on during evaluation. enable / disable / clear / detach.
 */
import type { LIF } from "./lif.js";

export interface LayerRate {
  /** Mean firing rate: spikes / neuron-steps, in [0, 1]. */
  rate: number;
  spikes: number;
  neuronSteps: number;
  /** Forward passes recorded. */
  calls: number;
  T: number;
}

export class FiringRateMonitor {
  private readonly stats = new Map<string, LayerRate>();
  private readonly unsubscribe = new Map<string, () => void>();
  enabled = true;

  /** Attach to one LIF (under `name`, default the LIF's own name) or a list of [name, LIF] pairs. */
  attach(lif: LIF, name?: string): this;
  attach(layers: Iterable<[string, LIF]>): this;
  attach(a: LIF | Iterable<[string, LIF]>, name?: string): this {
    const pairs: Array<[string, LIF]> = Symbol.iterator in Object(a) ? [...(a as Iterable<[string, LIF]>)] : [[name ?? (a as LIF).name, a as LIF]];
    for (const [n, lif] of pairs) {
      if (this.unsubscribe.has(n)) throw new Error(`FiringRateMonitor: a layer named '${n}' is already attached`);
      this.stats.set(n, { rate: 0, spikes: 0, neuronSteps: 0, calls: 0, T: 0 });
      this.unsubscribe.set(
        n,
        lif.addListener((spikes, steps, T) => {
          if (!this.enabled) return;
          const s = this.stats.get(n)!;
          s.spikes += spikes;
          s.neuronSteps += steps;
          s.calls += 1;
          s.T = T;
          s.rate = s.spikes / s.neuronSteps;
        }),
      );
    }
    return this;
  }

  enable(): this {
    this.enabled = true;
    return this;
  }

  disable(): this {
    this.enabled = false;
    return this;
  }

  /** Zero every counter (layers stay attached). */
  clear(): this {
    for (const s of this.stats.values()) Object.assign(s, { rate: 0, spikes: 0, neuronSteps: 0, calls: 0, T: 0 });
    return this;
  }

  /** Detach from every layer and forget them. */
  detach(): void {
    for (const off of this.unsubscribe.values()) off();
    this.unsubscribe.clear();
    this.stats.clear();
  }

  /** Per-layer rates, in attachment order. */
  rates(): Record<string, LayerRate> {
    const out: Record<string, LayerRate> = {};
    for (const [n, s] of this.stats) out[n] = { ...s };
    return out;
  }

  /** The rate of one layer (0 if it never fired or never ran). */
  rate(name: string): number {
    const s = this.stats.get(name);
    if (!s) throw new RangeError(`FiringRateMonitor: no layer named '${name}'; attached: ${[...this.stats.keys()].join(", ")}`);
    return s.rate;
  }
}
