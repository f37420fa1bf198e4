/**
 * The attention panel: for each "strl" attention block and head, the decision token's softmax weights over the
 * window's real steps (columns) at each of the T time steps (rows) and their mean over T (last row), as the model
 * used them; an orange dot marks a key whose score spiked. A block whose score LIF did not fire in that row says
 * so: its weights are uniform, 1 / keys, and its attention is the plain mean of the value spikes.
 */
import type { AttentionRow } from "../../src/eval/attention-row.js";
import { layerLabel } from "../../src/models/layer-names.js";
import { showLegend } from "./legend.js";

const SVG = "http://www.w3.org/2000/svg";
export const SPIKE_DOT = "#e8833a";

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The most weight one key can get among `keys`: it alone spiked (e over keys - 1 + e). */
export function maxWeight(keys: number): number {
  return Math.E / (keys - 1 + Math.E);
}

/** White (0) to dark blue (the most one key can get). */
export function weightColour(w: number, keys: number): string {
  const f = Math.max(0, Math.min(1, w / maxWeight(keys)));
  const mix = (a: number, b: number): number => Math.round(a + (b - a) * f);
  return `rgb(${mix(255, 29)},${mix(255, 64)},${mix(255, 160)})`;
}

/** One head's map: T rows of weights and a mean row over `keys` columns labelled with episode steps. */
function headMap(row: AttentionRow, h: number, firstStep: number): SVGSVGElement {
  const T = row.weights[h]!.length;
  const n = row.keys;
  const cw = Math.max(8, Math.min(22, Math.floor(120 / n)));
  const ch = 13;
  const left = 42;
  const top = 16;
  const W = left + n * cw + 4;
  const Hgt = top + (T + 1) * ch + 4 + 28;
  const root = svg("svg", { width: W, height: Hgt, viewBox: `0 0 ${W} ${Hgt}`, class: "attn-map", "data-head": h });
  root.append(svg("text", { x: left, y: 11, class: "label" }, `head ${h + 1}`));
  const rows = [...row.weights[h]!, row.mean[h]!];
  rows.forEach((ws, t) => {
    const y = top + t * ch + (t === T ? 4 : 0);
    root.append(svg("text", { x: left - 4, y: y + ch - 3, "text-anchor": "end" }, t === T ? "mean" : `t${t + 1}`));
    ws.forEach((w, m) => {
      const cell = svg("rect", { x: left + m * cw, y, width: cw - 1, height: ch - 1, fill: weightColour(w, n), "data-t": t === T ? "mean" : t, "data-key": m, "data-w": w });
      cell.append(svg("title", {}, `${t === T ? "mean over T" : `t = ${t + 1}`}, key step ${firstStep + m}: weight ${w.toFixed(3)}`));
      root.append(cell);
      if (t < T && row.spikes[h]![t]![m]! > 0) root.append(svg("circle", { cx: left + m * cw + (cw - 1) / 2, cy: y + (ch - 1) / 2, r: 2.5, fill: SPIKE_DOT, class: "score-spike" }));
    });
  });
  const yAxis = top + (T + 1) * ch + 4;
  const every = Math.ceil(n / Math.max(1, Math.floor((n * cw) / 26)));
  for (let m = 0; m < n; m += every) root.append(svg("text", { x: left + m * cw + cw / 2, y: yAxis + 11, "text-anchor": "middle" }, String(firstStep + m)));
  root.append(svg("text", { x: left + (n * cw) / 2, y: yAxis + 24, "text-anchor": "middle", class: "label" }, "key: episode step"));
  return root;
}

/**
 * Fills `box` with the maps of every block (`rows`), for the decision taken at episode step `step` (0-based); `kind`
 * is the model's attention, for the note when it has no score spikes to show.
 */
export function attentionPanel(box: HTMLElement, rows: AttentionRow[] | undefined, step: number, kind: string): void {
  box.replaceChildren();
  if (!rows || rows.length === 0) {
    const p = document.createElement("p");
    p.className = "note";
    p.textContent =
      kind === "strl" ? "Press Step or Play: the maps show the decision just taken."
      : kind === "spike-driven" ? "This model's attention is spike-driven (no softmax): it has no score spikes to show."
      : "This model has no spiking attention: no score spikes to show.";
    box.append(p);
    return;
  }
  for (const r of rows) {
    const fig = document.createElement("figure");
    fig.dataset.layer = r.layer;
    fig.dataset.silent = String(r.silent);
    const maps = document.createElement("div");
    maps.className = "maps";
    const first = step - r.keys + 1; // the keys are the window's real steps, the decision's own last
    for (let h = 0; h < r.heads; h++) maps.append(headMap(r, h, first));
    const cap = document.createElement("figcaption");
    const name = layerLabel(r.layer).replace(/: score$/, "");
    cap.textContent = r.silent
      ? `${name}: silent — no score spike in this row, so every key weighs 1/${r.keys} = ${(1 / r.keys).toFixed(3)} (uniform; the attention is the mean of the value spikes)`
      : `${name}: ${r.spikes.flat(2).reduce((a, b) => a + b, 0)} score spikes over ${r.heads} head(s) x ${r.weights[0]!.length} steps x ${r.keys} keys`;
    fig.append(maps, cap);
    box.append(fig);
  }
  const legend = document.createElement("div");
  legend.className = "legend";
  const n = rows[0]!.keys;
  showLegend(legend, [
    { colour: weightColour(0, n), text: "weight 0" },
    { colour: weightColour(1 / n, n), text: `1/${n} (uniform)` },
    { colour: weightColour(maxWeight(n), n), text: `${maxWeight(n).toFixed(3)} (one key alone spiked)` },
    { colour: SPIKE_DOT, text: "dot: the key's score spiked (weight e, else 1, over their sum)" },
  ]);
  box.append(legend);
}
