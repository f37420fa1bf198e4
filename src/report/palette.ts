/**
 * One colour per model in every figure (report figures and `strl plot`): the models of the comparison have
 * fixed colours, matched case-insensitively ("STRL" in a report and "strl" as a `strl plot` label are the same
 * orange); any other name gets one of the spare colours chosen by a hash of its name, so it keeps its colour
 * from figure to figure whatever else is plotted with it.
 */

export const FIXED: Readonly<Record<string, string>> = {
  strl: "#e4572e",
  "strl (paper mode)": "#f5a65b",
  "ann-strl": "#3b6fb6",
  dt: "#4f9a5b",
};

/** Spare colours, each at least 60 apart (RGB distance) from the fixed ones (test/report/figures.test.ts). */
export const SPARE = ["#8a63b5", "#8c6d4f", "#d279b6", "#7f7f7f", "#b5a33a", "#1b1b6b", "#222222", "#a6cee3"];

/** The colour of a model (or run label). */
export function modelColor(name: string): string {
  const key = name.trim().toLowerCase();
  const fixed = FIXED[key];
  if (fixed) return fixed;
  let h = 2166136261; // FNV-1a
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619) >>> 0;
  return SPARE[h % SPARE.length]!;
}

/** A Vega-Lite colour scale giving each of `names` its model colour (legend order = `names` order). */
export function modelColorScale(names: Iterable<string>): { domain: string[]; range: string[] } {
  const domain = [...new Set(names)];
  return { domain, range: domain.map(modelColor) };
}
