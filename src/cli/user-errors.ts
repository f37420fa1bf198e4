/**
 * Turning library errors caused by user input (a bad file, an unknown env, an invalid config value) into
 * `UsageError`s, so the CLI prints one line and exits with code 2 instead of a stack trace.
 */
import { existsSync, readFileSync } from "node:fs";
import { UsageError } from "./errors.js";
import { DatasetFileError } from "../data/index.js";
import { CheckpointError, ConfigError, SafetensorsError } from "../io/index.js";

const USER_ERRORS = [DatasetFileError, CheckpointError, ConfigError, SafetensorsError, RangeError];

/** Runs `fn`; errors that describe bad user input become `UsageError`s (prefixed with `what` when given). */
export async function asUserError<R>(fn: () => R | Promise<R>, what?: string): Promise<R> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (USER_ERRORS.some((C) => e instanceof C)) {
      throw new UsageError(`${what ? `${what}: ` : ""}${(e as Error).message.split("\n")[0]}`);
    }
    throw e;
  }
}

/** Reads a JSON file given on the command line, or throws a `UsageError` naming the flag. */
export function readJsonFlag(flag: string, path: string): unknown {
  if (!existsSync(path)) throw new UsageError(`--${flag}: no such file '${path}'`);
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new UsageError(`--${flag}: '${path}' is not valid JSON (${(e as Error).message})`);
  }
}

/** Requires a flag's value. */
export function required<T>(flag: string, v: T | undefined): T {
  if (v === undefined) throw new UsageError(`--${flag} is required`);
  return v;
}
