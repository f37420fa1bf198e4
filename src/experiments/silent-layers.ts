/**
 * The spiking layers of a report row that never fired or fired almost always, over every seed of the row, from
 * the firing rates its energy measurement saw (closed-loop decisions where the row ran closed-loop, else held-out
 * windows; real tokens only). Coincidence rates (`.qk` keys) are products of two layers, not layers, and are left
 * out. A silent score layer is named with what it does to attention: every score spike 0 makes the softmax over
 * the allowed keys uniform, so that block attends to the causal mean of the value spikes, whatever their content.
 */
import { SATURATED_RATE } from "../train/index.js";
import { SILENT_SCORE_MEANING } from "../eval/index.js";
import type { ModelOutcome } from "./compare.js";
import type { RowResult } from "./reproduce.js";

/** Per model: layer -> seeds (indices into `perSeed`) at which it was silent / saturated. */
export interface RowSpikeHealth {
  model: string;
  seeds: number;
  silent: Map<string, number>;
  saturated: Map<string, number>;
}

const ratesOf = (o: ModelOutcome): Record<string, number> | undefined => (o.closedLoopEnergy ?? o.offlineEnergy)?.rates;

/** The silent (rate 0) and saturated (rate >= SATURATED_RATE) layers of each spiking model of a row, counted over seeds. */
export function rowSpikeHealth(res: RowResult): RowSpikeHealth[] {
  const out: RowSpikeHealth[] = [];
  for (const m of res.row.models) {
    const h: RowSpikeHealth = { model: m.name, seeds: 0, silent: new Map(), saturated: new Map() };
    for (const r of res.perSeed) {
      const o = r.outcomes.find((x) => x.name === m.name);
      const rates = o ? ratesOf(o) : undefined;
      if (!rates || Object.keys(rates).length === 0) continue;
      h.seeds++;
      for (const [layer, rate] of Object.entries(rates)) {
        if (layer.endsWith(".qk")) continue;
        if (rate === 0) h.silent.set(layer, (h.silent.get(layer) ?? 0) + 1);
        else if (rate >= SATURATED_RATE) h.saturated.set(layer, (h.saturated.get(layer) ?? 0) + 1);
      }
    }
    if (h.seeds > 0) out.push(h);
  }
  return out;
}

const list = (m: Map<string, number>, seeds: number): string =>
  m.size === 0 ? "none" : [...m].map(([layer, k]) => `\`${layer}\` (${k} of ${seeds} seed${seeds === 1 ? "" : "s"})`).join(", ");

/** A paragraph for a row's section: each spiking model's silent and saturated layers, and what a silent score layer means. */
export function spikeHealthParagraph(res: RowResult): string | undefined {
  const hs = rowSpikeHealth(res);
  if (hs.length === 0) return undefined;
  const lines = hs.map((h) => `${h.model}: silent ${list(h.silent, h.seeds)}; saturated ${list(h.saturated, h.seeds)}.`);
  const score = hs.some((h) => [...h.silent.keys()].some((l) => l.endsWith("score_lif")));
  return [
    `Spiking layers that never fired (rate 0) or fired at rate >= ${SATURATED_RATE} on the real tokens of the decisions measured for energy:`,
    ...lines,
    ...(score ? [`A silent \`score_lif\` layer means ${SILENT_SCORE_MEANING}.`] : []),
  ].join(" ");
}
