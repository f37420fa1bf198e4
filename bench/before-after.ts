/**
 * `node dist/bench/before-after.js --base DIR [--out FILE] [--rounds N] [--only "strl small infer,...,demo"]`: the issue-19 table, before and after, on
 * one machine in one sitting. DIR is another built checkout of strl (e.g. a worktree of an older commit after
 * `npx tsc -p . && node native/build.mjs`). Each case is `strl bench --json` of the base and of this checkout,
 * alternated round by round (base, this, base, this, ...) so that both see the same load; each run is a fresh
 * process with its own timed repetitions, and the case's number is the median over its rounds of each run's
 * median. Records both commits, the CPU, the load average at the start and the end, and every run, as JSON
 * (stdout, or --out FILE written atomically). A load above 1 at the start is printed as a warning: the numbers
 * are then not a quiet machine's. The case "demo" (`strl demo` with its default flags, wall-clock, its printed table
 * kept) runs only when --only names it.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./types.js";

const here = dirname(fileURLToPath(import.meta.url));

/** The cases: model, config, mode, timed repetitions and warm-up runs per process. */
const CASES: Array<[string, string, string, number, number]> = [
  ["strl", "small", "train", 5, 1],
  ["strl", "small", "infer", 30, 5],
  ["strl", "paper", "infer", 10, 3],
  ["ann-strl", "paper", "train", 3, 1],
  ["dt", "paper", "train", 3, 1],
  ["strl", "paper", "train", 3, 1],
];

interface Run {
  ms_median: number;
  peak_rss_mb: number;
  engine: string;
}

/** One `strl demo` run: its wall-clock and the comparison table it printed. */
interface DemoRun {
  ms_median: number;
  engine: string;
  table: string;
}

/** `strl demo` with its default flags on the native engine, wall-clock of the whole process, its table kept. */
const DEMO_CASE = "demo";

function runDemo(cli: string): DemoRun {
  const dir = mkdtempSync(join(tmpdir(), "strl-before-after-demo-"));
  try {
    const t0 = performance.now();
    const table = execFileSync(process.execPath, [cli, "demo", "--engine", "native", "--out", join(dir, "report")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 1 << 20,
    });
    return { ms_median: performance.now() - t0, engine: "native", table: table.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function gitCommit(dir: string): string {
  try {
    return execFileSync("git", ["-C", dir, "rev-parse", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
}

function runCase(cli: string, c: (typeof CASES)[number]): Run {
  const [model, config, mode, runs, warmup] = c;
  const args = [cli, "bench", "--engine", "native", "--model", model, "--config", config, "--mode", mode, "--runs", String(runs), "--warmup", String(warmup), "--json"];
  const out = execFileSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split("\n").pop()!) as Run;
}

function main(): void {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const base = flag("--base");
  if (!base) {
    process.stderr.write("usage: node dist/bench/before-after.js --base DIR [--out FILE] [--rounds N] [--only CASES]\n");
    process.exit(2);
  }
  const rounds = Number(flag("--rounds") ?? "3");
  if (!Number.isInteger(rounds) || rounds < 1) {
    process.stderr.write(`before-after: --rounds must be an integer >= 1, got '${flag("--rounds")}'\n`);
    process.exit(2);
  }
  const root = resolve(here, "..", "..");
  const clis = { before: join(resolve(base), "dist", "src", "cli", "main.js"), after: join(here, "..", "src", "cli", "main.js") };
  const loadStart = loadavg()[0]!;
  if (loadStart > 1) process.stderr.write(`before-after: load average ${loadStart.toFixed(2)} at the start: not a quiet machine\n`);
  const only = flag("--only")?.split(",").map((x) => x.trim());
  const names = [...CASES.map((c) => `${c[0]} ${c[1]} ${c[2]}`), DEMO_CASE];
  const unknown = only?.filter((o) => !names.includes(o));
  if (unknown && unknown.length > 0) {
    process.stderr.write(`before-after: unknown case '${unknown[0]}' (cases: ${names.join(", ")})\n`);
    process.exit(2);
  }
  // Every case runs base, this, base, this, ... so that both sides see the same load.
  const alternate = <R>(run: (cli: string) => R): Record<"before" | "after", R[]> => {
    const runs: Record<"before" | "after", R[]> = { before: [], after: [] };
    for (let r = 0; r < rounds; r++) for (const side of ["before", "after"] as const) runs[side].push(run(clis[side]));
    return runs;
  };
  const cases: object[] = [];
  for (const c of CASES.filter((k) => !only || only.includes(`${k[0]} ${k[1]} ${k[2]}`))) {
    const runs = alternate((cli) => runCase(cli, c));
    const summary = (rs: Run[]) => ({ ms_median: median(rs.map((x) => x.ms_median)), peak_rss_mb: Math.max(...rs.map((x) => x.peak_rss_mb)), engine: rs[0]!.engine, runs: rs });
    const row = { case: `${c[0]} ${c[1]} ${c[2]}`, reps_per_run: c[3], warmup: c[4], before: summary(runs.before), after: summary(runs.after) };
    process.stderr.write(`${row.case}: before ${row.before.ms_median.toFixed(2)} ms, after ${row.after.ms_median.toFixed(2)} ms\n`);
    cases.push(row);
  }
  if (only?.includes(DEMO_CASE)) {
    // Opt-in (minutes per run): the demo's wall-clock, each run's table kept to compare the numbers.
    const runs = alternate(runDemo);
    const summary = (rs: DemoRun[]) => ({ ms_median: median(rs.map((x) => x.ms_median)), engine: "native", runs: rs });
    const row = { case: DEMO_CASE, before: summary(runs.before), after: summary(runs.after) };
    process.stderr.write(`${DEMO_CASE}: before ${(row.before.ms_median / 1000).toFixed(1)} s, after ${(row.after.ms_median / 1000).toFixed(1)} s\n`);
    cases.push(row);
  }
  const record = {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    node: process.version,
    before: { dir: resolve(base), commit: gitCommit(base) },
    after: { dir: root, commit: gitCommit(root) },
    rounds,
    load: { start: loadStart, end: loadavg()[0]! },
    cases,
  };
  const text = `${JSON.stringify(record, null, 1)}\n`;
  const out = flag("--out");
  if (!out) process.stdout.write(text);
  else {
    writeFileSync(`${out}.tmp`, text);
    renameSync(`${out}.tmp`, out);
  }
}

main();
