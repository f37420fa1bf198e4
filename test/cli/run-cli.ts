/** Runs the compiled `strl` CLI of this build folder in a child process. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const MAIN = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], input?: string, env?: NodeJS.ProcessEnv): CliResult {
  const r = spawnSync(process.execPath, [MAIN, ...args], { input, encoding: "utf8", timeout: 60_000, env: env ? { ...process.env, ...env } : undefined });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Asserts the shape of a user error: exit code 2, exactly one line on stderr, no stack trace, nothing on stdout. */
export function userErrorLine(r: CliResult): string {
  const lines = r.stderr.split("\n").filter((l) => l.length > 0);
  if (r.status !== 2) throw new Error(`expected exit code 2, got ${r.status}; stderr: ${r.stderr}`);
  if (lines.length !== 1) throw new Error(`expected one line on stderr, got ${lines.length}: ${r.stderr}`);
  if (/\n\s+at /.test(r.stderr)) throw new Error(`stack trace on stderr: ${r.stderr}`);
  if (r.stdout !== "") throw new Error(`expected no stdout, got: ${r.stdout}`);
  return lines[0]!;
}
