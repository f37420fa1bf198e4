/**
 * Model benchmarks (the standard set): for STRL, ANN-STRL and the Decision Transformer, the training step
 * (forward + backward + AdamW) and the batch-1 decision, at the small and the paper config. Each case runs in a
 * fresh `strl bench ... --json` process, so its peak RSS is its own and wasm memory (which never shrinks) starts
 * empty. `--quick` runs the small config only, with fewer repetitions.
 *
 * Targets (STRL, this 2-core machine; PyTorch 1.13 + OpenBLAS takes 370-560 ms / 7.4-8.6 s / 5.5 ms):
 * small training step <= 350 ms, paper training step <= 6 s, small batch-1 decision <= 4 ms.
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Bench, BenchResult } from "./types.js";
import { defaultMicroBatches, type BenchModelKind, type BenchSize } from "../src/models/benchmark.js";

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, "..", "src", "cli", "main.js");

const TARGETS_MS: Record<string, number> = {
  "strl small train": 350,
  "strl paper train": 6000,
  "strl small infer": 4,
};

interface Timing {
  model: string;
  config: string;
  mode: string;
  ms_median: number;
  ms_min: number;
  ms_max: number;
  peak_rss_mb: number;
}

function runCase(model: string, config: string, mode: string, runs: number, warmup: number): BenchResult {
  const args = [cli, "bench", "--model", model, "--config", config, "--mode", mode, "--runs", String(runs), "--warmup", String(warmup), "--json"];
  const out = execFileSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 20 });
  const t = JSON.parse(out.trim().split("\n").pop()!) as Timing;
  const name = `${model} ${config} ${mode}`;
  const target = TARGETS_MS[name];
  return {
    case: mode === "train" ? `${name} (ms per training step)` : `${name} (ms per batch-1 decision)`,
    value: t.ms_median,
    unit: "ms",
    extra: {
      ms_min: t.ms_min,
      ms_max: t.ms_max,
      peak_rss_mb: t.peak_rss_mb,
      runs,
      warmup,
      ...(mode === "train" ? { micro_batches: defaultMicroBatches(model as BenchModelKind, config as BenchSize) } : {}),
      ...(target ? { target_ms: target, met: t.ms_median <= target } : {}),
    },
  };
}

export const bench: Bench = {
  name: "models",
  async run({ quick }) {
    const out: BenchResult[] = [];
    for (const config of quick ? ["small"] : ["small", "paper"]) {
      for (const model of ["strl", "ann-strl", "dt"]) {
        const paper = config === "paper";
        out.push(runCase(model, config, "train", quick ? 2 : paper ? 3 : 5, 1));
        out.push(runCase(model, config, "infer", quick ? 5 : paper ? 10 : 30, quick ? 2 : 5));
      }
    }
    return out;
  },
};
