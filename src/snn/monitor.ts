/**
 * Firing-rate monitor: attach to a model (every LIF registered in it, found by walking its modules, under its
 * dotted name, as spikingjelly's monitor does) or to named LIF layers; every forward pass adds its spike count
 * and neuron-steps (T x tokens x batch x features). Costs one counter update per forward call (the kernel counts spikes anyway),
 * so it can stay on during evaluation. enable / disable / clear / detach.
 *
 * Real tokens only: `setTokens(mask, B, K)` before a forward pass over a left-padded [B, K] batch makes every
 * layer count only the neurons of real token rows (mask 1), so rates are over the same tokens the energy model
 * charges. A layer that ran on B rows (the last position of each window, as `forwardLast`'s last block) counts
 * the rows whose last position is real. `setTokens(null)` counts every neuron again.
 */
import type { Module } from "../tensor/index.js";
import { LIF, namedNeurons, type SpikeDetail } from "./lif.js";

export interface LayerRate {
  /** Mean firing rate: spikes / neuron-steps, in [0, 1]. */
  rate: number;
  spikes: number;
  neuronSteps: number;
  /** Forward passes recorded. */
  calls: number;
  T: number;
  /** Input events received (score LIF: q·k coincidences), when the layer reports them. */
  events?: number;
  /** The most events those neuron-steps could have received (neuron-steps x the per-step maximum). */
  eventCapacity?: number;
}

interface TokenMask {
  mask: ArrayLike<number>;
  B: number;
  K: number;
}

/** Spikes, neuron-steps and events of the neurons in counted rows. */
function countRows(detail: SpikeDetail, T: number, counted: (row: number) => boolean): { spikes: number; steps: number; events?: number; capacity?: number } {
  const { d, n, rows } = detail;
  const per = n / rows;
  const rowOf = detail.rowOf?.();
  const ev = detail.events?.perStep();
  let spikes = 0;
  let steps = 0;
  let events = 0;
  const keep = new Uint8Array(n);
  for (let j = 0; j < n; j++) keep[j] = counted(rowOf ? rowOf[j]! : Math.floor(j / per)) ? 1 : 0;
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < n; j++) {
      if (keep[j] === 0) continue;
      steps++;
      if (d[t * n + j]! >= 0) spikes++;
      if (ev) events += ev[t * n + j]!;
    }
  }
  return ev ? { spikes, steps, events, capacity: steps * detail.events!.max } : { spikes, steps };
}

export class FiringRateMonitor {
  private readonly stats = new Map<string, LayerRate>();
  private readonly unsubscribe = new Map<string, () => void>();
  enabled = true;
  private tokens: TokenMask | null = null;

  /** Count only real token rows of the next forward passes (see the module comment); null = every neuron. */
  setTokens(mask: ArrayLike<number> | null, B = 1, K = mask?.length ?? 0): this {
    if (mask && mask.length !== B * K) throw new RangeError(`FiringRateMonitor.setTokens: mask has ${mask.length} entries, expected B·K = ${B * K}`);
    this.tokens = mask ? { mask, B, K } : null;
    return this;
  }

  private count(name: string, spikes: number, steps: number, T: number, detail?: SpikeDetail): { spikes: number; steps: number; events?: number; capacity?: number } {
    const tm = this.tokens;
    if (!detail) {
      if (tm) throw new Error(`FiringRateMonitor: layer '${name}' reports no token layout, so its real-token rate cannot be measured`);
      return { spikes, steps };
    }
    if (!tm && !detail.events) return { spikes, steps };
    let counted: (row: number) => boolean = () => true;
    if (tm) {
      if (detail.rows === tm.B * tm.K) counted = (r) => tm.mask[r]! > 0;
      else if (detail.rows === tm.B) counted = (b) => tm.mask[b * tm.K + tm.K - 1]! > 0;
      else throw new Error(`FiringRateMonitor: layer '${name}' ran on ${detail.rows} token rows; the token mask is for B = ${tm.B} x K = ${tm.K}`);
    }
    return countRows(detail, T, counted);
  }

  /**
   * Attach to one LIF (under `name`, default the LIF's own name), to every LIF of a model (`namedNeurons`; none
   * for an ANN) or to a list of [name, LIF] pairs.
   */
  attach(lif: LIF, name?: string): this;
  attach(model: Module): this;
  attach(layers: Iterable<[string, LIF]>): this;
  attach(a: Module | Iterable<[string, LIF]>, name?: string): this {
    const pairs: Array<[string, LIF]> = a instanceof LIF ? [[name ?? a.name, a]] : Symbol.iterator in Object(a) ? [...(a as Iterable<[string, LIF]>)] : namedNeurons(a as Module);
    for (const [n, lif] of pairs) {
      if (this.unsubscribe.has(n)) throw new Error(`FiringRateMonitor: a layer named '${n}' is already attached`);
      this.stats.set(n, { rate: 0, spikes: 0, neuronSteps: 0, calls: 0, T: 0 });
      this.unsubscribe.set(
        n,
        lif.addListener((spikes, steps, T, detail) => {
          if (!this.enabled) return;
          const s = this.stats.get(n)!;
          const c = this.count(n, spikes, steps, T, detail);
          s.spikes += c.spikes;
          s.neuronSteps += c.steps;
          if (c.events !== undefined) {
            s.events = (s.events ?? 0) + c.events;
            s.eventCapacity = (s.eventCapacity ?? 0) + c.capacity!;
          }
          s.calls += 1;
          s.T = T;
          s.rate = s.neuronSteps > 0 ? s.spikes / s.neuronSteps : 0;
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
    for (const s of this.stats.values()) {
      Object.assign(s, { rate: 0, spikes: 0, neuronSteps: 0, calls: 0, T: 0 });
      delete s.events;
      delete s.eventCapacity;
    }
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
