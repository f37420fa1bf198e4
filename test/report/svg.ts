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

/** Every `<text>` content of the SVG (each line of a multi-line text, `<tspan>`, on its own). */
export function texts(svg: string): string[] {
  return [...svg.matchAll(/<(?:text|tspan)[^>]*>([^<]*)<\/(?:text|tspan)>/g)].map((m) => m[1]!);
}

/** The items (`<path>`, `<line>`, `<text>`) of the mark group named `<name>_marks`, with their attributes. */
export function markItems(svg: string, name: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  for (const m of svg.matchAll(new RegExp(`<g class="mark-[a-z]+ role-mark ${name}_marks"[^>]*>`, "g"))) {
    if (m[0].endsWith("/>")) continue; // an empty group
    const start = m.index! + m[0].length;
    const body = svg.slice(start, svg.indexOf("</g>", start));
    for (const x of body.matchAll(/<(path|line|text)\b([^>]*)>/g)) out.push(Object.fromEntries([...x[2]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])));
  }
  return out;
}

/** [x, y] of an item's `transform="translate(x,y)"`. */
export function translate(item: Record<string, string>): [number, number] {
  const m = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(item.transform ?? "");
  if (!m) throw new Error(`no translate in ${JSON.stringify(item)}`);
  return [Number(m[1]), Number(m[2])];
}

/** The width attribute of the root <svg>. */
export function svgWidth(svg: string): number {
  return Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)![1]);
}
