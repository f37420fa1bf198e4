/**
 * Renders a Vega-Lite spec to an SVG string in Node, without a browser or a canvas package:
 * Vega-Lite compiles the spec to Vega, Vega renders it headless (`renderer: "none"`) and serialises the scene
 * graph with `toSVG()`. Text is measured with Vega's built-in estimate (no canvas), which is good enough for
 * axis layout. Every figure of src/report goes through here.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

export type { TopLevelSpec };

/** Figure defaults shared by every chart: white background, readable font sizes. */
export const FIGURE_CONFIG = {
  background: "white",
  font: "sans-serif",
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14 },
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
