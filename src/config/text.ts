/** Message text shared by every layer: sizes in bytes for people, and error texts flattened to one line. */

/** `n` bytes for a person: "512 B", "3.2 KB", "16.0 GB", "1.2 TB" (decimal units, one decimal). */
export function bytesText(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB", "PB", "EB"];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u += 1;
  }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[u]}`;
}

/**
 * An error's message as one line: line breaks and the spaces around them become one space (V8's JSON.parse
 * messages quote the text they failed on, line breaks included), cut to `max` characters.
 */
export function oneLine(message: string, max = 300): string {
  const flat = message.replace(/\s*[\r\n]+\s*/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

/** `e`'s message (or `String(e)`) as one line (see `oneLine`). */
export function errorLine(e: unknown, max?: number): string {
  return oneLine(e instanceof Error ? e.message : String(e), max);
}
