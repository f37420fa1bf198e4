/**
 * Small SVG charts for the page's episode and neuron panels: points and lines over x, reference lines, axes with
 * ticks and labels. Drawn at the box's width in pixels (text stays 11 px), with an HTML legend below (it wraps,
 * so no legend text is ever cut). Each point is a <circle> or marker with data-x / data-y, for tests.
 */
import { showLegend, type LegendItem } from "./legend.js";

const SVG = "http://www.w3.org/2000/svg";

export interface Series {
  name: string;
  colour: string;
  /** [x, y] pairs, in x order. */
  points: Array<[number, number]>;
  /** Join the points with a line (default true). */
  line?: boolean;
  /** Dot each point (default true). */
  dots?: boolean;
  /** Draw each point as a bar from 0 (default false). */
  bars?: boolean;
  /** Marker shape of the dots (default circle). */
  marker?: "circle" | "triangle";
  /** Class of the series' group (tests find it by it). */
  cls: string;
}

export interface RefLine {
  name: string;
  colour: string;
  y: number;
  cls: string;
}

export interface ChartSpec {
  xLabel: string;
  yLabel: string;
  series: Series[];
  refs?: RefLine[];
  /** x ticks at integers only. */
  xInteger?: boolean;
  /** At least this x range (e.g. [0, 1] before two points exist). */
  xMin?: [number, number];
  /** What the empty chart says. */
  empty?: string;
  height?: number;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The tick values of [lo, hi] at multiples of `step`. */
function ticksAt(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(k === 0 ? 0 : k * step);
  return out;
}

/**
 * Round tick values covering [lo, hi], as close to `n` of them as steps of 1, 2, 2.5 or 5 times a power of ten
 * allow (the finer step on a tie; whole steps only when `integer`).
 */
export function ticks(lo: number, hi: number, n: number, integer = false): number[] {
  if (!(hi > lo)) return [lo];
  const p = 10 ** Math.floor(Math.log10((hi - lo) / n));
  let best: number[] = [];
  for (const step of [0.5, 1, 2, 2.5, 5, 10, 20].map((m) => m * p)) {
    if (integer && (step < 1 || !Number.isInteger(step))) continue;
    const t = ticksAt(lo, hi, step);
    if (best.length === 0 || Math.abs(t.length - n) < Math.abs(best.length - n)) best = t;
  }
  return best.length ? best : ticksAt(lo, hi, Math.max(1, Math.ceil((hi - lo) / n)));
}

/** A tick label: up to 4 significant digits, no trailing zeros. */
export function tickLabel(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

/** A value shown on a bar: 3 decimals at most (a return of 1e-16 from summed rewards reads 0). */
export function valueLabel(v: number): string {
  const r = Number(v.toFixed(3));
  return String(r === 0 ? 0 : r);
}

/** Draws the chart into `box` (an <svg> and a legend); returns the <svg>. */
export function chart(box: HTMLElement, spec: ChartSpec): SVGSVGElement {
  box.replaceChildren();
  const W = Math.max(240, Math.floor(box.clientWidth || 360));
  const H = spec.height ?? 170;
  const m = { l: 54, r: 10, t: 8, b: 34 };
  const root = svg("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img" });
  const pts = [...spec.series.flatMap((s) => s.points)];
  const ys = [...pts.map((p) => p[1]), ...(spec.refs ?? []).map((r) => r.y)];
  if (spec.series.some((s) => s.bars)) ys.push(0);
  const xs = pts.map((p) => p[0]).concat(spec.xMin ?? []);
  let [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  let [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0) [y0, y1] = [y0 - Math.max(0.5, Math.abs(y0) * 0.1), y1 + Math.max(0.5, Math.abs(y1) * 0.1)];
  const pad = (y1 - y0) * 0.06;
  [y0, y1] = [y0 - pad, y1 + pad];
  const spanX = spec.series.some((s) => s.bars) ? 0.5 : 0; // bars sit on their x with room either side
  const X = (x: number): number => m.l + ((x - x0 + spanX) / (x1 - x0 + 2 * spanX)) * (W - m.l - m.r);
  const Y = (y: number): number => m.t + ((y1 - y) / (y1 - y0)) * (H - m.t - m.b);
  const axes = svg("g", { class: "axes" });
  for (const v of ticks(y0, y1, 5)) {
    axes.append(svg("line", { x1: m.l, x2: W - m.r, y1: Y(v), y2: Y(v), class: "grid" }));
    axes.append(svg("text", { x: m.l - 4, y: Y(v) + 4, "text-anchor": "end" }, tickLabel(v)));
  }
  for (const v of ticks(x0, x1, Math.max(2, Math.floor((W - m.l) / 60)), spec.xInteger)) {
    axes.append(svg("line", { x1: X(v), x2: X(v), y1: H - m.b, y2: H - m.b + 4, class: "tick" }));
    axes.append(svg("text", { x: X(v), y: H - m.b + 15, "text-anchor": "middle" }, tickLabel(v)));
  }
  axes.append(svg("line", { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, class: "axis" }));
  axes.append(svg("line", { x1: m.l, x2: m.l, y1: m.t, y2: H - m.b, class: "axis" }));
  axes.append(svg("text", { x: (m.l + W - m.r) / 2, y: H - 3, "text-anchor": "middle", class: "label" }, spec.xLabel));
  const yMid = (m.t + H - m.b) / 2;
  axes.append(svg("text", { x: 12, y: yMid, "text-anchor": "middle", transform: `rotate(-90 12 ${yMid})`, class: "label" }, spec.yLabel));
  root.append(axes);
  for (const r of spec.refs ?? []) {
    root.append(svg("line", { x1: m.l, x2: W - m.r, y1: Y(r.y), y2: Y(r.y), stroke: r.colour, "stroke-dasharray": "6 4", "stroke-width": 1.5, class: r.cls, "data-y": r.y }));
  }
  for (const s of spec.series) {
    const g = svg("g", { class: s.cls, "data-ys": s.points.map((p) => p[1]).join(",") }); // every y, for tests
    if (s.bars) {
      const bw = Math.max(2, Math.min(24, ((W - m.l - m.r) / (x1 - x0 + 1)) * 0.6));
      for (const [x, y] of s.points) {
        const top = Math.min(Y(y), Y(0));
        g.append(svg("rect", { x: X(x) - bw / 2, y: top, width: bw, height: Math.max(1, Math.abs(Y(y) - Y(0))), fill: s.colour, "data-x": x, "data-y": y }));
        // the value above the bar (a negative one hangs from 0: above the zero line), while there is room for it
        if (s.points.length <= 12) g.append(svg("text", { x: X(x), y: Y(Math.max(0, y)) - 3, "text-anchor": "middle", class: "value" }, valueLabel(y)));
      }
    } else if (s.line !== false && s.points.length > 1) {
      g.append(svg("polyline", { points: s.points.map(([x, y]) => `${X(x)},${Y(y)}`).join(" "), fill: "none", stroke: s.colour, "stroke-width": 1.8 }));
    }
    if (!s.bars && s.dots !== false) {
      for (const [x, y] of s.points) {
        const at = { fill: s.colour, "data-x": x, "data-y": y };
        if (s.marker === "triangle") {
          const [cx, cy] = [X(x), Y(y)];
          g.append(svg("polygon", { ...at, points: `${cx},${cy - 6} ${cx - 5},${cy + 3} ${cx + 5},${cy + 3}` }));
        } else g.append(svg("circle", { ...at, cx: X(x), cy: Y(y), r: 3 }));
      }
    }
    root.append(g);
  }
  if (pts.length === 0 && spec.empty) root.append(svg("text", { x: (m.l + W - m.r) / 2, y: yMid, "text-anchor": "middle", class: "empty" }, spec.empty));
  const legend = document.createElement("div");
  legend.className = "legend";
  const items: LegendItem[] = [...spec.series.map((s) => ({ colour: s.colour, text: s.name })), ...(spec.refs ?? []).map((r) => ({ colour: r.colour, text: r.name }))];
  showLegend(legend, items);
  box.append(root, legend);
  return root;
}
