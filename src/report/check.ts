/** Input checks for the figure functions: empty data, non-finite numbers and blank labels are clear errors. */

export function nonEmpty<T>(what: string, xs: readonly T[] | undefined): readonly T[] {
  if (!Array.isArray(xs) || xs.length === 0) throw new RangeError(`${what}: needs at least one entry, got ${Array.isArray(xs) ? "an empty list" : String(xs)}`);
  return xs;
}

export function finite(what: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new RangeError(`${what} must be a finite number, got ${String(v)}`);
  return v;
}

export function label(what: string, v: unknown): string {
  if (typeof v !== "string" || v.trim().length === 0) throw new RangeError(`${what} must be a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}
