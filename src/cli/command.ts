/**
 * The contract every `strl <command>` module fulfils. Commands live one per file in `src/cli/commands/` and are
 * discovered by file name, so adding a command never edits a shared table.
 */
import { UsageError } from "./usage-error.js";
import { parseFlagList, type FlagSpecs, type ParsedFlags } from "./flags.js";
export { oneOf, unknownMessage } from "./flags.js";
import { parseEngine, ready } from "../tensor/index.js";

export interface Command {
  /** One-line summary shown by `strl --help`. */
  summary: string;
  /** Full help text: usage, options, examples. */
  help: string;
  /** Runs the command; returns the process exit code. Throw `UsageError` for user mistakes. */
  run(argv: string[]): Promise<number>;
}

/** The one flag parser (see flags.ts): negative numbers as values, lists as `--seeds 0 1 2` or `--seeds 0,1,2`. */
export function parseFlags<O extends FlagSpecs>(argv: string[], options: O, allowPositionals = false): ParsedFlags<O> {
  return parseFlagList(argv, options, allowPositionals);
}

/** Decimal integers only: an optional minus sign and digits (no "0x10", "1e3", "1.0", spaces or empty text). */
const INTEGER_RE = /^-?[0-9]+$/;

/**
 * The one strict integer parser of the CLI (seeds, counts, sizes): decimal digits only, a safe integer, within
 * bounds; anything else is a `UsageError` naming the flag and the text.
 */
export function parseIntegerFlag(name: string, value: string, opts: { min?: number; max?: number } = {}): number {
  if (!INTEGER_RE.test(value)) throw new UsageError(`--${name} must be a decimal integer, got '${value}'`);
  const v = Number(value);
  if (!Number.isSafeInteger(v)) throw new UsageError(`--${name} is too large, got '${value}'`);
  if (opts.min !== undefined && v < opts.min) throw new UsageError(`--${name} must be >= ${opts.min}, got ${v}`);
  if (opts.max !== undefined && v > opts.max) throw new UsageError(`--${name} must be <= ${opts.max}, got ${v}`);
  return v;
}

/**
 * Decimal numbers only: an optional minus sign, digits with an optional fraction, an optional decimal exponent
 * (`3e-4`). No hexadecimal, octal or binary (`0x10`), no `Infinity`, no spaces or empty text.
 */
const DECIMAL_RE = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;

/** The one strict number parser of the CLI: decimal text only (see DECIMAL_RE), finite, within bounds. */
export function parseNumberFlag(name: string, value: string, opts: { min?: number; max?: number } = {}): number {
  if (!DECIMAL_RE.test(value)) throw new UsageError(`--${name} must be a decimal number, got '${value}'`);
  const v = Number(value);
  if (!Number.isFinite(v)) throw new UsageError(`--${name} is out of range, got '${value}'`);
  if (opts.min !== undefined && v < opts.min) throw new UsageError(`--${name} must be >= ${opts.min}, got ${v}`);
  if (opts.max !== undefined && v > opts.max) throw new UsageError(`--${name} must be <= ${opts.max}, got ${v}`);
  return v;
}

/**
 * Comma-separated numbers of one flag value (`--input 1.2,2,0.4`), each parsed strictly; an empty item (`1,,2`,
 * a trailing comma) is refused.
 */
export function numberItems(name: string, value: string, opts: { integer?: boolean; min?: number; max?: number } = {}): number[] {
  return value.split(",").map((s) => {
    if (s.trim() === "") throw new UsageError(`--${name} has an empty item in '${value}'`);
    return opts.integer ? parseIntegerFlag(name, s.trim(), opts) : parseNumberFlag(name, s.trim(), opts);
  });
}

/** Parse a flag value as a number with bounds, or throw a `UsageError` naming the flag. */
export function numberFlag(
  name: string,
  value: string | undefined,
  fallback: number,
  opts: { integer?: boolean; min?: number; max?: number } = {},
): number {
  if (value === undefined) return fallback;
  return opts.integer ? parseIntegerFlag(name, value, opts) : parseNumberFlag(name, value, opts);
}

/** The `--engine` flag of every command that computes tensors. */
export const ENGINE_FLAG = { engine: { type: "string" } } as const;

/** Its line in `--help`. */
export const ENGINE_HELP = "  --engine native|wasm   tensor engine (default: native when built, else wasm; also STRL_ENGINE)";

/**
 * Starts the tensor engine named by `--engine` (else STRL_ENGINE, else the default). An unknown name, or the
 * native engine where it cannot load, is a one-line `UsageError`.
 */
export async function startEngine(value: string | undefined): Promise<string> {
  try {
    return await ready(value === undefined ? {} : { engine: parseEngine(value, "--engine") });
  } catch (e) {
    throw new UsageError((e as Error).message.split("\n")[0] ?? String(e));
  }
}
