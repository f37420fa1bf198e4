/**
 * Renders a Vega-Lite spec to an SVG string in Node, without a browser or a canvas package:
 * Vega-Lite compiles the spec to Vega, Vega renders it headless (`renderer: "none"`) and serialises the scene
 * graph with `toSVG()`. Text is measured with Helvetica's advance widths (text-width.ts), not Vega's generous
 * no-canvas estimate. Every figure of src/report goes through here.
 *
 * Figures are sized for one column of a paper: at most `COLUMN_PX` = 3.5 in x 96 dpi = 336 px wide, with 11 px
 * (8.25 pt) labels and 12 px (9 pt) titles.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { vegaTextWidth } from "./text-width.js";

// Vega calls a user-set width function for every text item (as vl-convert sets one); set once per process.
(vega as unknown as { textMetrics: { width: typeof vegaTextWidth } }).textMetrics.width = vegaTextWidth;

export type { TopLevelSpec };

/** One paper column at 96 dpi: 3.5 in. */
export const COLUMN_PX = 336;

/** Figure defaults shared by every chart: white background, paper-column font sizes. */
export const FIGURE_CONFIG = {
  background: "white",
  font: "sans-serif",
  padding: 4,
  axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: "normal", tickCount: 5 },
  legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: "normal", orient: "bottom", direction: "horizontal", symbolSize: 60 },
  header: { labelFontSize: 11, titleFontSize: 11 },
  title: { fontSize: 12, subtitleFontSize: 10, anchor: "start", offset: 4 },
  concat: { spacing: 8 },
  view: { stroke: "#ccc" },
} as const;

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const withConfig = { ...spec, config: { ...FIGURE_CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(withConfig).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Characters of a 12 px bold title that fit one paper column (Vega's width estimate, with slack). */
const TITLE_CHARS = 46;

/**
 * A figure's title with the task it shows: "Energy per decision, 45 nm: CartPole-v1, expert data" on one line
 * when it fits a paper column, else the task on a second line; just `text` without a task.
 */
export function figureTitle(text: string, task?: string): string | string[] {
  if (task === undefined || task === "") return text;
  const one = `${text}: ${task}`;
  return one.length <= TITLE_CHARS ? one : [text, task];
}
