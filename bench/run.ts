/**
 * `npm run bench [-- name ...] [-- --quick]`: runs the benchmarks in bench/*.bench.ts and writes
 * bench/results/<timestamp>.json with the machine's CPU model, Node version and the engine of this process
 * (model cases run each engine in their own processes and record it per case).
 */
import { mkdirSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Bench, BenchResult } from "./types.js";
import { ready, engineInfo } from "../src/tensor/backend.js";
import { VERSION } from "../src/version.js";

const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
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
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
