/**
 * Text widths for Vega's layout in Node, where there is no canvas to measure text: Vega's own estimate is
 * 0.8 em per character, about 1.5 x the width of sans-serif text. Layout with it leaves blank space
 * wherever text sets a size: a rotated 22-character y-axis title is placed as if 190 px long, so the figure
 * title above is pushed up by the overflow (the "blank band under the subtitle"), and legends and labels are
 * spaced for text half again as wide as drawn. Here: the Helvetica / Arial advance widths (1000 units per em,
 * the AFM metrics chromium's default sans-serif font matches), bold 8% wider, 0.6 em for characters not listed.
 */

const WIDTHS: Readonly<Record<string, number>> = (() => {
  const w: Record<string, number> = {};
  const set = (chars: string, v: number) => {
    for (const c of chars) w[c] = v;
  };
  set("0123456789abdeghnopqu_$#?L", 556);
  set("cksvxyzJ", 500);
  set("fjt/ilI.,:;!'[]| ", 278);
  set("ijl'", 222);
  set("r-()`{}", 333);
  set("mM", 833);
  set("w", 722);
  set("ABEKPSVXY", 667);
  set("CDHNRUw", 722);
  set("FTZ", 611);
  set("GOQ", 778);
  set("W", 944);
  set("%", 889);
  set("+=<>±×~^", 584);
  set("µ", 556);
  set("@", 1015);
  set('"', 355);
  set("*", 389);
  set("&", 667);
  set("…", 1000);
  set("–", 556);
  set("—", 1000);
  return w;
})();

/** Width in px of `text` at `fontSize` px, regular or bold. */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let units = 0;
  for (const c of text) units += WIDTHS[c] ?? 600;
  return (units / 1000) * fontSize * (bold ? 1.08 : 1);
}

/** A Vega text item's width: `textMetrics.width`'s signature; truncated text (`limit`) is at most the limit. */
export function vegaTextWidth(item: { fontSize?: number | string; fontWeight?: number | string; limit?: number }, text: unknown): number {
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
  const weight = item.fontWeight;
  const bold = weight === "bold" || weight === "bolder" || (typeof weight === "number" && weight >= 600) || (typeof weight === "string" && Number(weight) >= 600);
  const w = textWidth(text == null ? "" : String(text).trim(), size, bold);
  return item.limit && item.limit > 0 ? Math.min(w, item.limit) : w;
}
