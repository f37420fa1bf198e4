/** Reading rendered SVG in tests: items of a Vega mark group, and text content. */

/** Number of items (`<path>` / `<line>`) in every mark group whose class starts with `mark-<type> role-mark`. */
export function countMarks(svg: string, type: string): number {
  let n = 0;
  const re = new RegExp(`<g class="mark-${type} role-mark[^"]*"[^>]*>`, "g");
  for (const m of svg.matchAll(re)) {
    const start = m.index! + m[0].length;
    const body = svg.slice(start, svg.indexOf("</g>", start));
    n += (body.match(/<(path|line)\b/g) ?? []).length;
  }
  return n;
}

/** Every `<text>` content of the SVG. */
export function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
}
