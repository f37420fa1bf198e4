/**
 * The provenance block at the top of every report: the command that produced it, the seeds, the git commit
 * (marked when the working tree had uncommitted changes to tracked files), the machine and the tensor engine.
 */
import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { engineInfo } from "../tensor/index.js";

export interface ReportHeader {
  /** The exact command line that wrote the report. */
  command: string;
  seeds: readonly number[] | string;
  gitCommit: string;
  machine: string;
  /** The tensor engine that computed the results, e.g. "native (avx512, 2 threads)" or "wasm". */
  engine?: string;
  /** ISO 8601 date and time. */
  date: string;
}

/** `abc1234... (+ uncommitted changes)`, or "unknown (not a git checkout)". */
export function gitCommit(cwd = process.cwd()): string {
  try {
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return dirty.length > 0 ? `${head} (+ uncommitted changes)` : head;
  } catch {
    return "unknown (not a git checkout)";
  }
}

/** CPU model and cores, memory, OS and Node version. */
export function machineDescription(): string {
  const c = cpus();
  const model = c[0]?.model.trim() || "unknown CPU";
  return `${model} (${c.length} cores), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${process.platform}-${process.arch}, Node ${process.version}`;
}

/** A header for a run started now (on the engine already started by `ready()`). */
export function collectHeader(command: string, seeds: readonly number[] | string, cwd?: string): ReportHeader {
  return { command, seeds, gitCommit: gitCommit(cwd), machine: machineDescription(), engine: engineInfo(), date: new Date().toISOString() };
}
