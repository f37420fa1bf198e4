/**
 * The one flag parser of the CLI, shared by every command.
 *
 * - `--name value` and `--name=value`; a value may start with "-" when it is a number or "-" itself, so
 *   `--target-return -5` and `--data -` work (a token such as `--x` or `-h` is never taken as a value).
 * - Boolean flags take no value (`--json`; `--json=1` is refused).
 * - List flags (`list: true`) take one or more values in either form, the same everywhere:
 *   `--seeds 0 1 2`, `--seeds 0,1,2`, `--seeds 0 --seeds 1,2`; they end at the next flag.
 * - An unknown flag, a missing value or a repeated single-valued flag is a one-line `UsageError` that lists
 *   the known flags.
 */
import { readFileSync, statSync } from "node:fs";
import { UsageError } from "./usage-error.js";
import { errorLine } from "../config/index.js";

export interface FlagSpec {
  type: "string" | "boolean";
  /** Several values: following non-flag tokens and comma-separated items are all collected. */
  list?: boolean;
  /** @deprecated alias of `list` (node:util.parseArgs' name). */
  multiple?: boolean;
}

export type FlagSpecs = Record<string, FlagSpec>;

export type FlagValues<O extends FlagSpecs> = {
  [K in keyof O]?: O[K] extends { type: "boolean" } ? boolean : O[K] extends { list: true } | { multiple: true } ? string[] : string;
};

export interface ParsedFlags<O extends FlagSpecs> {
  values: FlagValues<O>;
  positionals: string[];
}

/** "unknown model 'x'; known: a, b, c" — the one wording of every unknown-name error. */
export function unknownMessage(what: string, value: string, known: readonly string[]): string {
  return `unknown ${what} '${value}'; known: ${known.join(", ")}`;
}

/** Returns `value` when it is one of `known`, else throws the one-line `UsageError` of `unknownMessage`. */
export function oneOf<T extends string>(what: string, value: string, known: readonly T[]): T {
  if (!(known as readonly string[]).includes(value)) throw new UsageError(unknownMessage(what, value, known));
  return value as T;
}

const NUMBER_LIKE = /^-(\d|\.\d|Infinity$)/;

/** True for tokens that start a flag (`--x`, `-h`), false for values such as `-5`, `-0.5`, `-`. */
function isFlagToken(tok: string): boolean {
  if (tok === "-" || !tok.startsWith("-")) return false;
  return !NUMBER_LIKE.test(tok);
}

/** Splits `argv` by `specs`; see the module comment. Everything after a bare `--` is positional. */
export function parseFlagList<O extends FlagSpecs>(argv: readonly string[], specs: O, allowPositionals = false): ParsedFlags<O> {
  const values: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  const known = Object.keys(specs).map((k) => `--${k}`);
  const push = (name: string, value: string): void => {
    const spec = specs[name]!;
    if (spec.list || spec.multiple) {
      const items = value.split(",").map((s) => s.trim());
      if (items.some((s) => s === "")) throw new UsageError(`--${name} has an empty item in '${value}'`);
      const list = (values[name] as string[] | undefined) ?? [];
      list.push(...items);
      values[name] = list;
      return;
    }
    if (values[name] !== undefined) throw new UsageError(`--${name} is given twice`);
    values[name] = value;
  };
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!isFlagToken(tok)) {
      positionals.push(tok);
      continue;
    }
    if (!tok.startsWith("--")) throw new UsageError(`unknown option '${tok}'; known: ${known.join(", ")}`);
    const eq = tok.indexOf("=");
    const name = eq < 0 ? tok.slice(2) : tok.slice(2, eq);
    const spec = Object.prototype.hasOwnProperty.call(specs, name) ? specs[name] : undefined;
    if (!spec) throw new UsageError(unknownMessage("option", `--${name}`, known));
    if (spec.type === "boolean") {
      if (eq >= 0) throw new UsageError(`--${name} takes no value, got '${tok.slice(eq + 1)}'`);
      values[name] = true;
      continue;
    }
    if (eq >= 0) {
      push(name, tok.slice(eq + 1));
      continue;
    }
    const next = argv[i + 1];
    if (next === undefined || isFlagToken(next)) throw new UsageError(`--${name} needs a value`);
    push(name, next);
    i += 1;
    if (spec.list || spec.multiple) {
      while (i + 1 < argv.length && argv[i + 1] !== "--" && !isFlagToken(argv[i + 1]!)) push(name, argv[++i]!);
    }
  }
  if (!allowPositionals && positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (values belong to a flag: --name value)`);
  return { values: values as FlagValues<O>, positionals };
}

/** Reads a JSON file given on the command line, or throws a `UsageError` naming the flag. */
export function readJsonFlag(flag: string, path: string): unknown {
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`--${flag}: '${path}' is a folder, expected a JSON file`);
    text = readFileSync(path, "utf8");
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UsageError(`--${flag}: no such file '${path}'`);
    throw new UsageError(`--${flag}: cannot read '${path}' (${code ?? (e as Error).message.split("\n")[0]})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--${flag}: '${path}' is not valid JSON (${errorLine(e)})`);
  }
}

/** Requires a flag's value. */
export function required<T>(flag: string, v: T | undefined): T {
  if (v === undefined) throw new UsageError(`--${flag} is required`);
  return v;
}
