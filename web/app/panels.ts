/** The decision panels: action probabilities, energy meter, firing rates, spike raster (DOM + small canvases). */
import type { DecisionTrace } from "../../src/eval/decision.js";
import { layerLabel } from "../../src/models/layer-names.js";

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export interface BarRow {
  name: string;
  value: number;
  /** Shown in the right column. */
  label: string;
  cls?: string;
  /** Tooltip of the name (e.g. a layer's code name). */
  title?: string;
}

/** Rows of name | bar | number; bars scaled to `max` (default the largest value). */
export function bars(box: HTMLElement, rows: BarRow[], max?: number): void {
  box.replaceChildren();
  const m = max ?? Math.max(1e-12, ...rows.map((r) => r.value));
  for (const r of rows) {
    const name = el("span", "name", r.name);
    if (r.title) name.title = r.title;
    box.append(name);
    const cell = el("span");
    const bar = el("div", `bar ${r.cls ?? ""}`);
    bar.style.width = `${Math.max(0, Math.min(100, (100 * r.value) / m))}%`;
    cell.append(bar);
    box.append(cell, el("span", "num", r.label));
  }
}

/** Softmax of logits (discrete) for the probability bars. */
export function softmax(z: ArrayLike<number>): number[] {
  let mx = -Infinity;
  for (let i = 0; i < z.length; i++) mx = Math.max(mx, z[i]!);
  const e = Array.from(z, (v) => Math.exp(v - mx));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** The neuron picked in a raster (its layer and its column). */
export interface PickedNeuron {
  layer: string;
  neuron: number;
}

export const PICKED_COLOUR = "#ffcf9e";

/**
 * One small heatmap per LIF layer: neurons across, time steps down; a spike is a dark cell. A click on a column
 * picks that neuron (`onPick`); the picked neuron's column is shaded.
 */
export function raster(box: HTMLElement, trace: DecisionTrace, picked?: PickedNeuron, onPick?: (p: PickedNeuron) => void): void {
  box.replaceChildren();
  for (const l of trace.spikes) {
    const T = l.spikes.length;
    const n = l.spikes[0]?.length ?? 0;
    const cv = el("canvas");
    cv.width = Math.max(1, n);
    cv.height = Math.max(1, T);
    cv.style.height = `${Math.max(40, T * 12)}px`;
    const ctx = cv.getContext("2d")!;
    ctx.fillStyle = "#eef1f6";
    ctx.fillRect(0, 0, n, T);
    if (picked?.layer === l.layer && picked.neuron < n) {
      ctx.fillStyle = PICKED_COLOUR;
      ctx.fillRect(picked.neuron, 0, 1, T);
    }
    ctx.fillStyle = "#1d2330";
    let count = 0;
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < n; i++) {
        if (l.spikes[t]![i]! > 0) {
          ctx.fillRect(i, t, 1, 1);
          count++;
        }
      }
    }
    const fig = el("figure");
    fig.dataset.layer = l.layer;
    fig.dataset.spikes = String(count);
    const rate = trace.rates[l.layer];
    fig.append(cv, el("figcaption", undefined, `${layerLabel(l.layer)} · ${count} spikes${rate === undefined ? "" : ` · rate ${rate.toFixed(3)}`}`));
    fig.title = `${l.layer}: ${n} neurons x ${T} steps, ${count} spikes${onPick ? "; click a neuron for its membrane" : ""}`;
    if (onPick) {
      cv.classList.add("pickable");
      cv.onclick = (e) => {
        const r = cv.getBoundingClientRect();
        onPick({ layer: l.layer, neuron: Math.max(0, Math.min(n - 1, Math.floor(((e.clientX - r.left) / r.width) * n))) });
      };
    }
    box.append(fig);
  }
}
