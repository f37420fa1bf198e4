/**
 * Validated config objects: small checkers (a number in a range, an integer, one of a set of strings, a
 * boolean, an array of numbers) and `parseConfig`, which applies a spec of such fields to a plain object,
 * fills defaults and rejects unknown keys. Every error is a `ConfigError` that names the config, the key and
 * the offending value, e.g. `StrlConfig.dModel must be an integer >= 1, got 0.5`.
 *
 * Usage (a model config):
 *
 *   const STRL_SPEC = {
 *     dModel: intField({ min: 1, default: 128 }),
 *     dropout: numField({ min: 0, max: 1, maxExclusive: true, default: 0.1 }),
 *     surrogate: enumField(["sigmoid", "atan"] as const, { default: "sigmoid" }),
 *   };
 *   const cfg = parseConfig("StrlConfig", userInput, STRL_SPEC); // { dModel: number, dropout: number, surrogate: "sigmoid" | "atan" }
 */

/** A config value that is the wrong type, out of range, missing or unknown. */
export class ConfigError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Formats a value for an error message: strings quoted, objects as JSON, long values cut. */
export function showValue(v: unknown): string {
  let s: string;
  if (typeof v === "string") s = `'${v}'`;
  else if (typeof v === "number" || typeof v === "boolean" || v === undefined || v === null || typeof v === "bigint") s = String(v);
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function label(where: string, key: string): string {
  return where ? `${where}.${key}` : key;
}

export interface NumberRange {
  /** Smallest allowed value (inclusive unless `minExclusive`). */
  min?: number;
  /** Largest allowed value (inclusive unless `maxExclusive`). */
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

function rangeText(r: NumberRange): string {
  const parts: string[] = [];
  if (r.min !== undefined && r.max !== undefined) {
    return `in ${r.minExclusive ? "(" : "["}${r.min}, ${r.max}${r.maxExclusive ? ")" : "]"}`;
  }
  if (r.min !== undefined) parts.push(`${r.minExclusive ? ">" : ">="} ${r.min}`);
  if (r.max !== undefined) parts.push(`${r.maxExclusive ? "<" : "<="} ${r.max}`);
  return parts.join(" and ");
}

function inRange(v: number, r: NumberRange): boolean {
  if (r.min !== undefined && (r.minExclusive ? !(v > r.min) : !(v >= r.min))) return false;
  if (r.max !== undefined && (r.maxExclusive ? !(v < r.max) : !(v <= r.max))) return false;
  return true;
}

/** A finite number within `range`; `where` names the config ("" for none), `key` the field. */
export function checkNumber(where: string, key: string, value: unknown, range: NumberRange = {}): number {
  const r = rangeText(range);
  const want = `a finite number${r ? ` ${r}` : ""}`;
  if (typeof value !== "number" || !Number.isFinite(value) || !inRange(value, range)) {
    throw new ConfigError(`${label(where, key)} must be ${want}, got ${showValue(value)}`);
  }
  return value;
}

/** An integer within `range`. */
export function checkInt(where: string, key: string, value: unknown, range: NumberRange = {}): number {
  const r = rangeText(range);
  const want = `an integer${r ? ` ${r}` : ""}`;
  if (typeof value !== "number" || !Number.isInteger(value) || !inRange(value, range)) {
    throw new ConfigError(`${label(where, key)} must be ${want}, got ${showValue(value)}`);
  }
  return value;
}

/** One of `allowed` (strings compared exactly). */
export function checkEnum<T extends string>(where: string, key: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${label(where, key)} must be one of ${allowed.map((a) => `'${a}'`).join(", ")}, got ${showValue(value)}`);
  }
  return value as T;
}

export function checkBool(where: string, key: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new ConfigError(`${label(where, key)} must be true or false, got ${showValue(value)}`);
  return value;
}

/** A string (non-empty unless `allowEmpty`). */
export function checkString(where: string, key: string, value: unknown, opts: { allowEmpty?: boolean } = {}): string {
  if (typeof value !== "string" || (!opts.allowEmpty && value.length === 0)) {
    throw new ConfigError(`${label(where, key)} must be a ${opts.allowEmpty ? "" : "non-empty "}string, got ${showValue(value)}`);
  }
  return value;
}

/** An array of finite numbers, each within `range`, of length `length` when given. */
export function checkNumberArray(
  where: string,
  key: string,
  value: unknown,
  opts: NumberRange & { length?: number; integer?: boolean } = {},
): number[] {
  const what = `${label(where, key)} must be an array of ${opts.integer ? "integers" : "finite numbers"}${opts.length !== undefined ? ` of length ${opts.length}` : ""}`;
  if (!Array.isArray(value)) throw new ConfigError(`${what}, got ${showValue(value)}`);
  if (opts.length !== undefined && value.length !== opts.length) {
    throw new ConfigError(`${what}, got length ${value.length}`);
  }
  return value.map((v, i) =>
    opts.integer ? checkInt(where, `${key}[${i}]`, v, opts) : checkNumber(where, `${key}[${i}]`, v, opts),
  );
}

/** Edit distance, for "did you mean" hints on unknown keys. */
function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The closest known key to `key` (case-insensitive equality or edit distance <= 2), if any. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

/** Throws if `obj` has a key outside `known`, naming the key and suggesting the closest known one. */
export function rejectUnknownKeys(where: string, obj: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) {
      const hint = closest(key, known);
      throw new ConfigError(
        `${where ? `${where}: ` : ""}unknown key '${key}'${hint ? ` (did you mean '${hint}'?)` : ""}; known keys: ${known.join(", ")}`,
      );
    }
  }
}

/** A plain object (not null, not an array). */
export function checkObject(where: string, value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(`${where || "config"} must be an object, got ${showValue(value)}`);
  }
  return value as Record<string, unknown>;
}

/** One field of a config spec: a checker, an optional default, and a doc string. */
export interface Field<T> {
  check(where: string, key: string, value: unknown): T;
  /** When absent, the field is required. */
  default?: T;
  doc?: string;
}

export type Spec = Record<string, Field<unknown>>;
/** The object type a spec produces. */
export type ConfigOf<S extends Spec> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

type FieldOpts<T> = { default?: T; doc?: string };

export function numField(opts: NumberRange & FieldOpts<number> = {}): Field<number> {
  return { check: (w, k, v) => checkNumber(w, k, v, opts), default: opts.default, doc: opts.doc };
}

export function intField(opts: NumberRange & FieldOpts<number> = {}): Field<number> {
  return { check: (w, k, v) => checkInt(w, k, v, opts), default: opts.default, doc: opts.doc };
}

export function enumField<T extends string>(allowed: readonly T[], opts: FieldOpts<T> = {}): Field<T> {
  return { check: (w, k, v) => checkEnum(w, k, v, allowed), default: opts.default, doc: opts.doc };
}

export function boolField(opts: FieldOpts<boolean> = {}): Field<boolean> {
  return { check: checkBool, default: opts.default, doc: opts.doc };
}

export function stringField(opts: FieldOpts<string> & { allowEmpty?: boolean } = {}): Field<string> {
  return { check: (w, k, v) => checkString(w, k, v, opts), default: opts.default, doc: opts.doc };
}

export function numArrayField(opts: NumberRange & FieldOpts<number[]> & { length?: number; integer?: boolean } = {}): Field<number[]> {
  return { check: (w, k, v) => checkNumberArray(w, k, v, opts), default: opts.default, doc: opts.doc };
}

/**
 * Validates `input` against `spec`: rejects unknown keys, fills defaults for absent (or undefined) keys,
 * requires fields without a default, and checks every value. Returns a fresh object with exactly the spec's
 * keys, in the spec's order (so its JSON form is stable).
 */
export function parseConfig<S extends Spec>(where: string, input: unknown, spec: S): ConfigOf<S> {
  const obj = input === undefined ? {} : checkObject(where, input);
  const known = Object.keys(spec);
  rejectUnknownKeys(where, obj, known);
  const out: Record<string, unknown> = {};
  for (const key of known) {
    const field = spec[key]!;
    const raw = obj[key];
    if (raw === undefined) {
      if (field.default === undefined) throw new ConfigError(`${label(where, key)} is required${field.doc ? ` (${field.doc})` : ""}`);
      out[key] = Array.isArray(field.default) ? [...field.default] : field.default;
    } else {
      out[key] = field.check(where, key, raw);
    }
  }
  return out as ConfigOf<S>;
}

/** The defaults of a spec (fields without a default are left out). */
export function specDefaults<S extends Spec>(spec: S): Partial<ConfigOf<S>> {
  const out: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(spec)) if (f.default !== undefined) out[k] = f.default;
  return out as Partial<ConfigOf<S>>;
}
