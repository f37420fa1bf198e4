/**
 * `npm run bench [-- name ...] [-- --quick] [-- --publish]`: runs the benchmarks in bench/*.bench.ts and writes
 * bench/results/<timestamp>.json with the machine's CPU model, Node version, the commit, the load average at the
 * start and the end, and the engine of this process (model cases run each engine in their own processes and
 * record it per case). `--publish` also writes docs/bench/<date>.json, the committed record the README's table
 * is rendered from (bench/published-table.ts).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Bench, BenchResult } from "./types.js";
import { ready, engineInfo } from "../src/tensor/backend.js";
import { VERSION } from "../src/version.js";

const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const publish = args.includes("--publish");
  const loadStart = loadavg()[0]!;
  const only = args.filter((a) => !a.startsWith("--"));
  await ready();
  const files = readdirSync(here).filter((f) => f.endsWith(".bench.js")).sort();
  const results: Record<string, BenchResult[]> = {};
  for (const f of files) {
    const name = f.slice(0, -".bench.js".length);
    if (only.length > 0 && !only.includes(name)) continue;
    const mod = (await import(join(here, f))) as { bench: Bench };
    process.stderr.write(`bench ${name}...\n`);
    const rs = await mod.bench.run({ quick });
    for (const r of rs) process.stderr.write(`  ${r.case}: ${r.value.toFixed(3)} ${r.unit}\n`);
    results[name] = rs;
  }
  const record = {
    date: new Date().toISOString(),
    strl: VERSION,
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    node: process.version,
    commit: gitCommit(),
    load: { start: loadStart, end: loadavg()[0]! },
    engine: engineInfo(),
    quick,
    results,
  };
  // Results go to bench/results under the directory npm runs scripts from (the package root).
  const outDir = join(process.cwd(), "bench", "results");
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${record.date.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file + ".tmp", JSON.stringify(record, null, 2));
  renameSync(file + ".tmp", file);
  console.log(file);
  if (publish) {
    const dir = join(process.cwd(), "docs", "bench");
    mkdirSync(dir, { recursive: true });
    let name = `${record.date.slice(0, 10)}.json`;
    for (let i = 2; existsSync(join(dir, name)); i++) name = `${record.date.slice(0, 10)}-${i}.json`;
    writeFileSync(join(dir, name + ".tmp"), `${JSON.stringify(record, null, 2)}\n`);
    renameSync(join(dir, name + ".tmp"), join(dir, name));
    console.log(`docs/bench/${name}: render it into the README with node dist/bench/published-table.js docs/bench/${name} --update README.md`);
  }
}

/** The commit of the working tree, with "-dirty" when it has uncommitted changes; "unknown" outside git. */
function gitCommit(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() !== "";
    return dirty ? `${head}-dirty` : head;
  } catch {
    return "unknown";
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
