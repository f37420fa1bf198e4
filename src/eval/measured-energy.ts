/**
 * Energy per decision of a model on real evaluation inputs, with its firing rates per layer.
 *
 * How: a `FiringRateMonitor` is attached to the model's LIFs (found by walking its modules) while the model
 * makes decisions (either offline windows, or the forward passes of a closed-loop evaluation); the measured
 * rate of each layer is then passed to `model.opRecords(tokens, rates)` once per distinct context size (a
 * decision at step t < K sees t + 1 real tokens), weighted by how many decisions had that size, and turned into
 * energy with `energyReport` (src/energy). Rates are measured over the real tokens only (the monitor's token mask), the same
 * tokens the op counts charge: padding positions are neither charged nor counted in a rate.
 *
 * Two quantities, never mixed: `measureEnergy` = offline, the full forward pass per window; `evaluateWithEnergy`
 * = closed loop, per decision, counting the path that ran (`forwardLast` for STRL, ANN-STRL and the DT: the last
 * block's attention over every row, what follows it on the decision's row). Models without spiking layers (ANN-STRL, DT) get
 * their MAC counts the same way, with no rates. Every result also carries the energy under the int8 profile, the
 * energy of the extra ops (LayerNorm, softmax, LIF updates / activations, adds) and, for models that list their
 * memory traffic, the memory-access energy (src/energy/memory.ts) with the all-in sum: compute + extras + memory.
 */
import { CMOS_45NM, INT8_45NM, SRAM_45NM, energyReport, memoryReport, type DeviceProfile, type EnergyReport, type LayerEnergy, type MemoryProfile, type MemoryReport } from "../energy/index.js";
import type { OpOptions } from "../models/blocks/op-counts.js";
import type { ModelBatch, ModelKind, PolicyModel } from "../models/types.js";
import { FiringRateMonitor } from "../snn/index.js";
import { tidy } from "../tensor/index.js";
import { evaluateClosedLoop, type ClosedLoopOptions, type ClosedLoopResult } from "./rollout.js";
import { std } from "./stats.js";

export interface ModelEnergy {
  kind: ModelKind;
  /** Which forward pass was charged: "full" (offline windows, or a model without `forwardLast`) or "last". */
  path: "full" | "last";
  /** Energy per decision of the same operations under the 45 nm int8 profile (a quantised deployment). */
  int8PerDecisionPj: number;
  /** Decisions measured. */
  decisions: number;
  /** Mean real tokens per decision. */
  meanTokens: number;
  /** Firing rate per spiking layer (spikes / neuron-steps), in module order; {} for ANN models. */
  rates: Record<string, number>;
  /** Totals over all decisions per layer; `energyPerDecisionPj` = total / decisions. */
  report: EnergyReport;
  energyPerDecisionPj: number;
  macsPerDecision: number;
  sopsPerDecision: number;
  /** Closed loop only: the spread over decisions, each priced with its own context size and firing rates. */
  perDecision?: DecisionSpread;
  /**
   * Energy of the extra ops alone (LayerNorm, softmax, LIF updates or ANN activations, sums and residuals) per
   * decision, under the same profile; part of `energyPerDecisionPj` only when the count asked for `extras`
   * (absent in results saved before it existed).
   */
  extrasPerDecisionPj?: number;
  /** Memory-access energy per decision (weights, activations, membranes) under `memory.profile`; absent for a
   *  model that does not list its memory traffic. Never part of `energyPerDecisionPj`. */
  memoryPerDecisionPj?: number;
  /** The memory energy per decision by what is moved (words and pJ per decision). */
  memory?: MemoryReport;
  /** Compute with the extras plus memory, per decision: the all-in number (with `memoryPerDecisionPj`). */
  allInPerDecisionPj?: number;
}

/** Spread over the decisions of a closed-loop evaluation (see `evaluateWithEnergy`). */
export interface DecisionSpread {
  /** Sample std (n - 1) of the per-decision energy, pJ. */
  energyStdPj: number;
  energyMinPj: number;
  energyMaxPj: number;
  /** Per layer (same keys as `rates`): min and max of the decision's own rate over the decisions it ran in. */
  rates: Record<string, { min: number; max: number; std: number }>;
}

/** Counts how many decisions saw each number of real tokens. */
export class TokenHistogram {
  readonly counts = new Map<number, number>();

  add(tokens: number, times = 1): void {
    if (!Number.isInteger(tokens) || tokens < 1) throw new RangeError(`TokenHistogram: tokens must be an integer >= 1, got ${tokens}`);
    this.counts.set(tokens, (this.counts.get(tokens) ?? 0) + times);
  }

  get decisions(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }
}

/**
 * Combines the op records of every decision (grouped by context size) into one report over all decisions, with
 * the int8 energy, the extras' energy and (when the model lists it) the memory traffic priced with
 * `profile.memory` (default `SRAM_45NM`).
 */
export function energyOfDecisions(
  model: Pick<PolicyModel, "kind" | "opRecords" | "memoryRecords">,
  tokens: TokenHistogram,
  rates: Record<string, number>,
  profile: DeviceProfile = CMOS_45NM,
  ops: OpOptions = {},
): ModelEnergy {
  const main = sumDecisions(model, tokens, rates, profile, ops);
  const int8 = sumDecisions(model, tokens, rates, INT8_45NM, ops);
  const withExtras = ops.extras ? main : sumDecisions(model, tokens, rates, profile, { ...ops, extras: true });
  const without = ops.extras ? sumDecisions(model, tokens, rates, profile, { ...ops, extras: false }) : main;
  const out: ModelEnergy = {
    ...main,
    path: ops.path ?? "full",
    int8PerDecisionPj: int8.energyPerDecisionPj,
    extrasPerDecisionPj: withExtras.energyPerDecisionPj - without.energyPerDecisionPj,
  };
  const memory = memoryOfDecisions(model, tokens, rates, profile.memory ?? SRAM_45NM, ops);
  if (memory) {
    out.memory = memory;
    out.memoryPerDecisionPj = memory.totalPj;
    out.allInPerDecisionPj = withExtras.energyPerDecisionPj + memory.totalPj;
  }
  return out;
}

/** Memory traffic per decision (words and pJ), weighted over the context sizes as the compute; undefined without `memoryRecords`. */
function memoryOfDecisions(
  model: Pick<PolicyModel, "memoryRecords">,
  tokens: TokenHistogram,
  rates: Record<string, number>,
  profile: MemoryProfile,
  ops: OpOptions,
): MemoryReport | undefined {
  if (typeof model.memoryRecords !== "function") return undefined;
  const decisions = tokens.decisions;
  const sum: MemoryReport = { profile, readWords: 0, writeWords: 0, weightsPj: 0, activationsPj: 0, membranePj: 0, totalPj: 0 };
  for (const [c, m] of tokens.counts) {
    const one = memoryReport(model.memoryRecords(c, rates, ops), profile);
    for (const k of ["readWords", "writeWords", "weightsPj", "activationsPj", "membranePj", "totalPj"] as const) sum[k] += (one[k] * m) / decisions;
  }
  return sum;
}

function sumDecisions(
  model: Pick<PolicyModel, "kind" | "opRecords">,
  tokens: TokenHistogram,
  rates: Record<string, number>,
  profile: DeviceProfile,
  ops: OpOptions,
): Omit<ModelEnergy, "path" | "int8PerDecisionPj" | "extrasPerDecisionPj"> {
  const decisions = tokens.decisions;
  if (decisions === 0) throw new RangeError("energyOfDecisions: no decision was recorded");
  const byLayer = new Map<string, LayerEnergy>();
  let tokenSum = 0;
  for (const [c, m] of [...tokens.counts].sort((a, b) => a[0] - b[0])) {
    tokenSum += c * m;
    const one = energyReport(model.opRecords(c, rates, ops), profile, 1);
    for (const l of one.layers) {
      const acc = byLayer.get(l.layer);
      if (!acc) {
        byLayer.set(l.layer, { ...l, macs: l.macs * m, sops: l.sops * m, energyPj: l.energyPj * m });
      } else {
        if (acc.input !== l.input) throw new RangeError(`energyOfDecisions: layer '${l.layer}' is both real- and spike-input`);
        acc.macs += l.macs * m;
        acc.sops += l.sops * m;
        acc.energyPj += l.energyPj * m;
      }
    }
  }
  const layers = [...byLayer.values()];
  const totalEnergyPj = layers.reduce((a, l) => a + l.energyPj, 0);
  const totalMacs = layers.reduce((a, l) => a + l.macs, 0);
  const totalSops = layers.reduce((a, l) => a + l.sops, 0);
  const report: EnergyReport = { profile, layers, totalMacs, totalSops, totalEnergyPj, energyPerDecisionPj: totalEnergyPj / decisions, decisions };
  return {
    kind: model.kind,
    decisions,
    meanTokens: tokenSum / decisions,
    rates: { ...rates },
    report,
    energyPerDecisionPj: report.energyPerDecisionPj,
    macsPerDecision: totalMacs / decisions,
    sopsPerDecision: totalSops / decisions,
  };
}

function attach(model: PolicyModel): FiringRateMonitor {
  const monitor = new FiringRateMonitor();
  monitor.attach(model); // every LIF registered in the model
  return monitor;
}

/**
 * Per-layer rates, plus `<attn>.qk` for each score LIF that reported its input events: the q·k coincidence rate
 * (coincidences / (score neuron-steps x head size)), what the binary score product accumulated.
 */
export function readRates(monitor: FiringRateMonitor): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [n, r] of Object.entries(monitor.rates())) {
    out[n] = r.rate;
    if (r.eventCapacity !== undefined && n.endsWith(".score_lif")) out[`${n.slice(0, -".score_lif".length)}.qk`] = r.eventCapacity > 0 ? r.events! / r.eventCapacity : 0;
  }
  return out;
}

/** What `measureEnergy` / `evaluateWithEnergy` count besides the path (docs/energy.md). */
export type CountOptions = Omit<OpOptions, "path">;

/**
 * Energy on offline windows (e.g. `testSampler.allWindows(32)` of held-out episodes): every window row is one
 * decision with as many tokens as it has real (mask = 1) steps. Runs in eval mode; restores the flag.
 */
export function measureEnergy(model: PolicyModel, windows: Iterable<ModelBatch>, opts: { profile?: DeviceProfile; maxDecisions?: number; count?: CountOptions } = {}): ModelEnergy {
  const monitor = attach(model);
  const tokens = new TokenHistogram();
  const wasTraining = model.training;
  let rates: Record<string, number>;
  model.eval();
  try {
    for (const batch of windows) {
      if (opts.maxDecisions !== undefined && tokens.decisions >= opts.maxDecisions) break;
      for (let b = 0; b < batch.B; b++) {
        let n = 0;
        for (let k = 0; k < batch.K; k++) if (batch.mask[b * batch.K + k]! > 0) n++;
        if (n > 0) tokens.add(n);
      }
      monitor.setTokens(batch.mask, batch.B, batch.K);
      tidy(() => {
        model.forward(batch);
      });
    }
  } finally {
    model.train(wasTraining);
    rates = readRates(monitor);
    monitor.detach();
  }
  return energyOfDecisions(model, tokens, rates, opts.profile, { ...opts.count, path: "full" });
}

/**
 * Closed-loop evaluation of `model` with the monitor attached: returns, success rates and the energy of the very
 * decisions those episodes made.
 */
export async function evaluateWithEnergy(
  model: PolicyModel,
  options: Omit<ClosedLoopOptions, "model" | "policyFactory" | "onForward">,
  profile: DeviceProfile = CMOS_45NM,
  count: CountOptions = {},
): Promise<{ closedLoop: ClosedLoopResult; energy: ModelEnergy }> {
  const monitor = attach(model);
  const tokens = new TokenHistogram();
  const K = model.contextLength;
  let closedLoop: ClosedLoopResult;
  let rates: Record<string, number>;
  // Per decision: its real tokens and the counters the monitor added during its pass (a snapshot at each boundary).
  const sizes: number[] = [];
  const deltas: Array<Record<string, Counts>> = [];
  let last = snapshot(monitor);
  const closeDecision = (): void => {
    if (sizes.length === deltas.length) return;
    const now = snapshot(monitor);
    deltas.push(diff(now, last));
    last = now;
  };
  const onForward = (n: number): void => {
    closeDecision();
    tokens.add(n);
    sizes.push(n);
    const mask = new Float32Array(K); // the batch-1 window is left-padded: its last n positions are real
    mask.fill(1, K - n);
    monitor.setTokens(mask, 1, K);
  };
  try {
    closedLoop = await evaluateClosedLoop({ ...options, model, onForward });
    closeDecision();
  } finally {
    rates = readRates(monitor);
    monitor.detach();
  }
  const path = typeof model.forwardLast === "function" ? "last" : "full";
  const energy = energyOfDecisions(model, tokens, rates, profile, { ...count, path });
  energy.perDecision = decisionSpread(model, sizes, deltas, rates, profile, { ...count, path });
  return { closedLoop, energy };
}

interface Counts {
  spikes: number;
  steps: number;
  events?: number;
  capacity?: number;
}

function snapshot(monitor: FiringRateMonitor): Record<string, Counts> {
  const out: Record<string, Counts> = {};
  for (const [n, r] of Object.entries(monitor.rates())) out[n] = { spikes: r.spikes, steps: r.neuronSteps, events: r.events, capacity: r.eventCapacity };
  return out;
}

function diff(now: Record<string, Counts>, before: Record<string, Counts>): Record<string, Counts> {
  const out: Record<string, Counts> = {};
  for (const [n, c] of Object.entries(now)) {
    const b = before[n];
    out[n] = { spikes: c.spikes - (b?.spikes ?? 0), steps: c.steps - (b?.steps ?? 0) };
    if (c.capacity !== undefined) Object.assign(out[n]!, { events: c.events! - (b?.events ?? 0), capacity: c.capacity - (b?.capacity ?? 0) });
  }
  return out;
}

/**
 * Each decision priced alone: its context size and the rates of its own pass (a layer that did not run in it
 * keeps the pooled rate), then the sample std, min and max over decisions; per layer, the min / max / std of
 * the rates of the decisions it ran in.
 */
export function decisionSpread(
  model: Pick<PolicyModel, "opRecords">,
  sizes: readonly number[],
  deltas: ReadonlyArray<Record<string, Counts>>,
  pooled: Record<string, number>,
  profile: DeviceProfile,
  ops: OpOptions,
): DecisionSpread | undefined {
  if (sizes.length === 0 || sizes.length !== deltas.length) return undefined;
  const energies: number[] = [];
  const perLayer = new Map<string, number[]>();
  for (const [i, n] of sizes.entries()) {
    const r: Record<string, number> = { ...pooled };
    for (const [name, c] of Object.entries(deltas[i]!)) {
      if (c.steps <= 0) continue;
      r[name] = c.spikes / c.steps;
      if (c.capacity !== undefined && name.endsWith(".score_lif")) r[`${name.slice(0, -".score_lif".length)}.qk`] = c.capacity > 0 ? c.events! / c.capacity : 0;
    }
    for (const [name, c] of Object.entries(deltas[i]!)) {
      if (c.steps <= 0) continue;
      const xs = perLayer.get(name) ?? [];
      xs.push(r[name]!);
      perLayer.set(name, xs);
    }
    energies.push(energyReport(model.opRecords(n, r, ops), profile, 1).energyPerDecisionPj);
  }
  const rates: DecisionSpread["rates"] = {};
  for (const [name, xs] of perLayer) rates[name] = { min: lowest(xs), max: highest(xs), std: sampleStd(xs) };
  return { energyStdPj: sampleStd(energies), energyMinPj: lowest(energies), energyMaxPj: highest(energies), rates };
}

/** Sample std (n - 1), 0 for one value; min and max without spreading a long list into arguments. */
const sampleStd = (xs: readonly number[]): number => (xs.length < 2 ? 0 : std(xs, 1));
const lowest = (xs: readonly number[]): number => xs.reduce((a, b) => Math.min(a, b), Infinity);
const highest = (xs: readonly number[]): number => xs.reduce((a, b) => Math.max(a, b), -Infinity);

export { compareEnergy, type EnergyComparison, type EnergyEntry } from "./energy-compare.js";
