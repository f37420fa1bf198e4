/**
 * An `sbatch` array script for a planned sweep: one array task per unfinished job, the task id being the job
 * index, so each task runs `strl sweep run DIR` and picks its job from SLURM_ARRAY_TASK_ID. Paths are absolute
 * (tasks start on other nodes, in other folders); the engine uses the task's CPUs (STRL_THREADS).
 */
import { isAbsolute, resolve } from "node:path";

export interface SlurmOptions {
  /** The sweep folder (made absolute). */
  dir: string;
  name: string;
  /** Job indices to run. */
  indices: number[];
  partition?: string;
  /** Wall-clock limit per task, Slurm syntax ("01:00:00", "30"). */
  time?: string;
  cpus?: number;
  /** Memory per task, Slurm syntax ("4G"). */
  mem?: string;
  /** At most this many tasks at once (`%N`). */
  throttle?: number;
  /** Node binary and the strl CLI script the tasks run. */
  node: string;
  cli: string;
}

/** "0-3,5,7-9": sorted indices as Slurm ranges. */
export function arrayRanges(indices: number[]): string {
  const xs = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j++;
    parts.push(j === i ? String(xs[i]) : `${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** A shell word: single-quoted unless plainly safe. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

const SLURM_VALUE = /^[A-Za-z0-9_.:,+-]+$/;

/** Checks the option values that go into #SBATCH lines (no spaces, quotes or newlines). */
export function checkSlurmValue(flag: string, v: string | undefined): void {
  if (v !== undefined && !SLURM_VALUE.test(v)) throw new RangeError(`--${flag} must be letters, digits and . : , + - _ only, got '${v}'`);
}

export function slurmScript(o: SlurmOptions): string {
  if (o.indices.length === 0) throw new RangeError("slurmScript: no jobs to run");
  const dir = isAbsolute(o.dir) ? o.dir : resolve(o.dir);
  const lines = [
    "#!/bin/bash",
    `#SBATCH --job-name=${`strl-${o.name}`.replace(/[^A-Za-z0-9_.-]/g, "-")}`,
    `#SBATCH --array=${arrayRanges(o.indices)}${o.throttle ? `%${o.throttle}` : ""}`,
    `#SBATCH --cpus-per-task=${o.cpus ?? 1}`,
    ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
    ...(o.time ? [`#SBATCH --time=${o.time}`] : []),
    ...(o.mem ? [`#SBATCH --mem=${o.mem}`] : []),
    `#SBATCH --output=${dir}/logs/slurm-%A_%a.out`,
    "# Written by `strl sweep slurm`: one array task per unfinished job of the sweep; the task id is the job index.",
    "# A task of a finished job exits at once; a killed one resumes from its checkpoint when submitted again.",
    'export STRL_THREADS="${SLURM_CPUS_PER_TASK:-1}"',
    `exec ${shellQuote(o.node)} ${shellQuote(o.cli)} sweep run ${shellQuote(dir)} --index "$SLURM_ARRAY_TASK_ID"`,
    "",
  ];
  return lines.join("\n");
}
