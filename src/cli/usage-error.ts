/**
 * `UsageError`, the error the CLI prints as one line with exit code 2, and the turning of library errors caused
 * by user input (a bad file, an unknown env, an invalid config value) into one, instead of a stack trace.
 */
import { DatasetFileError } from "../data/index.js";
import { CheckpointError } from "../checkpoint/index.js";
import { ConfigError } from "../config/index.js";
import { explainFsError, FileSystemError, RunLockedError, SafetensorsError } from "../io/index.js";

/** A mistake by the user (bad flag, missing file, unknown env): printed as one line, exit code 2, no stack. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const USER_ERRORS = [DatasetFileError, CheckpointError, ConfigError, SafetensorsError, FileSystemError, RunLockedError, RangeError];

/**
 * RangeErrors thrown by the JS engine or the wasm runtime (an allocation too large, a heap overrun): these are
 * not messages about the user's input, so they are not reworded as one (the first size check missed them).
 */
const ENGINE_RANGE_ERRORS = /^(Invalid typed array length|Array buffer allocation failed|Invalid array length|Maximum call stack|memory access out of bounds|Out of memory|WebAssembly\.Memory)/i;

/** True when `e` describes bad user input (a bad file, value or folder) rather than a defect or a crash. */
export function isUserError(e: unknown): boolean {
  if (e instanceof RangeError && !(e instanceof ConfigError) && ENGINE_RANGE_ERRORS.test(e.message)) return false;
  return USER_ERRORS.some((C) => e instanceof C);
}

/** Runs `fn`; errors that describe bad user input become `UsageError`s (prefixed with `what` when given). */
export async function asUserError<R>(fn: () => R | Promise<R>, what?: string): Promise<R> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const err = explainFsError(e); // errno failures (disk full, permission denied) become FileSystemErrors
    if (isUserError(err)) {
      throw new UsageError(`${what ? `${what}: ` : ""}${(err as Error).message.split("\n")[0]}`);
    }
    throw err;
  }
}
