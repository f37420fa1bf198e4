/** The character canvas the control environments' `render()` draws on, and the number format of its captions. */

/** A text canvas of `rows` x `cols` characters, filled with `fill`. */
export function textCanvas(rows: number, cols: number, fill = " "): string[][] {
  return Array.from({ length: rows }, () => new Array<string>(cols).fill(fill));
}

/** Writes `ch` at (row, col) when inside the canvas. */
export function plot(canvas: string[][], row: number, col: number, ch: string): void {
  const r = canvas[row];
  if (r !== undefined && col >= 0 && col < r.length) r[col] = ch;
}

/** Joins a canvas into lines, trimming trailing spaces. */
export function canvasToString(canvas: string[][]): string {
  return canvas.map((r) => r.join("").replace(/\s+$/, "")).join("\n");
}

/** Fixed-point formatting with an explicit sign, for render() captions. */
export function fmt(x: number, digits = 3): string {
  return (x >= 0 ? "+" : "") + x.toFixed(digits);
}
