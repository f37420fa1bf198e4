/**
 * The README's benchmark table is the rendering of the committed record it names (bench/published-table.ts), so
 * no speed number in it can drift from a JSON the repository keeps.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readmeBenchBlock, renderBenchBlock, updateReadme, type BenchRecord } from "../../bench/published-table.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url)); // from dist/test/bench/

const RECORD: BenchRecord = {
  date: "2026-12-07T04:00:00.000Z",
  cpu: "Test CPU",
  cores: 2,
  node: "v20.0.0",
  commit: "0123456789abcdef",
  load: { start: 0.31, end: 0.87 },
  results: {
    models: [
      { case: "native: strl small train (ms per training step)", value: 231.46, unit: "ms", extra: { target_ms: 150, peak_rss_mb: 301.2, micro_batches: 1 } },
      { case: "native: strl small infer (ms per batch-1 decision)", value: 3.456, unit: "ms", extra: { target_ms: 1, peak_rss_mb: 180.7 } },
      { case: "wasm: strl small train (ms per training step)", value: 2034.2, unit: "ms", extra: { micro_batches: 1 } },
      { case: "wasm: dt paper train (ms per training step)", value: 22595, unit: "ms", extra: { micro_batches: 4 } },
      { case: "native: dt paper train (ms per training step)", value: 5877.4, unit: "ms", extra: { target_ms: 3000, peak_rss_mb: 9500.4, micro_batches: 1 } },
    ],
    demo: [{ case: "on the native engine", value: 51.74, unit: "s" }],
    sac: [{ case: "SAC update, hidden 256x256, batch 256 (ms)", value: 12.345, unit: "ms" }],
    gemm: [
      { case: "gemm a 2T", value: 181.2, unit: "GFLOP/s", extra: { threads: 2, shape: { M: 3200, N: 1024, K: 256 } } },
      { case: "gemm a 1T", value: 95.4, unit: "GFLOP/s", extra: { threads: 1, shape: { M: 3200, N: 1024, K: 256 } } },
      { case: "gemm b 2T", value: 140.6, unit: "GFLOP/s", extra: { threads: 2, shape: { M: 12800, N: 256, K: 1024 } } },
      { case: "gemm b 1T", value: 90.1, unit: "GFLOP/s", extra: { threads: 1, shape: { M: 12800, N: 256, K: 1024 } } },
      { case: "gemm small 2T", value: 20, unit: "GFLOP/s", extra: { threads: 2, shape: { M: 80, N: 128, K: 128 } } },
    ],
    engines: [{ case: "small STRL: max relative difference of the first 20 training losses, native vs wasm", value: 0.0000143, unit: "" }],
  },
};

describe("the README's benchmark table", () => {
  it("renders a record as its provenance line, one row per case with both engines, and the demo's wall-clock", () => {
    assert.equal(
      renderBenchBlock(RECORD, "docs/bench/x.json"),
      [
        "Generated from [docs/bench/x.json](docs/bench/x.json) (`npm run bench -- models demo sac gemm engines --publish`, 2026-12-07, commit 0123456, Test CPU, 2 cores, Node v20.0.0, load 0.31 at the start and 0.87 at the end): median ms, each case in a fresh process.",
        "",
        "| case | native | wasm | native target | native peak RSS (MB) |",
        "|---|---|---|---|---|",
        "| STRL small training step | 231 | 2034 | 150 | 301 |",
        "| STRL small batch-1 decision | 3.46 | n/a | 1 | 181 |",
        "| DT paper training step | 5877 | 22595 (4 micro-batches) | 3000 | 9500 |",
        "",
        "`strl demo` (default flags), wall-clock: 51.7 s on the native engine.",
        "",
        "sgemm on the models' shapes with every dimension >= 256 (`npm run bench -- gemm`, 2 shapes): 141-181 GFLOP/s on 2 threads, 90-95 GFLOP/s on 1 thread.",
        "",
        "small STRL: max relative difference of the first 20 training losses, native vs wasm: 1.4e-5 (`npm run bench -- engines`).",
        "",
        "One SAC update of `strl expert train` on Hopper's shapes (`npm run bench -- sac`, median ms): hidden 256x256, batch 256: 12.3.",
      ].join("\n"),
    );
  });

  it("rewrites only the block between the markers", () => {
    const readme = "# x\n\nbefore\n<!-- bench:start docs/bench/old.json -->\nold table\n<!-- bench:end -->\nafter\n";
    const next = updateReadme(readme, RECORD, "docs/bench/x.json");
    assert.ok(next.startsWith("# x\n\nbefore\n<!-- bench:start docs/bench/x.json -->\nGenerated from [docs/bench/x.json]"));
    assert.ok(next.endsWith("batch 256: 12.3.\n<!-- bench:end -->\nafter\n"));
    assert.deepEqual(readmeBenchBlock(next), { file: "docs/bench/x.json", body: renderBenchBlock(RECORD, "docs/bench/x.json") });
  });

  it("is in the README exactly as the committed record it names renders", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const block = readmeBenchBlock(readme);
    assert.ok(block, "the README has a '<!-- bench:start FILE -->' block");
    assert.ok(existsSync(join(ROOT, block.file)), `${block.file} is committed`);
    const record = JSON.parse(readFileSync(join(ROOT, block.file), "utf8")) as BenchRecord;
    assert.equal(block.body, renderBenchBlock(record, block.file));
  });
});
