/**
 * The contract of a benchmark file: `bench/<name>.bench.ts` exports `bench: Bench`. `bench/run.ts` discovers
 * every such file, runs them in turn (or the ones named on its command line) and writes one JSON file per run
 * to `bench/results/` with the machine's CPU model, Node version and tfjs backend.
 */
export interface BenchResult {
  /** What was measured, e.g. "linear fwd+bwd [3840,128]x[128,512]". */
  case: string;
  /** The number, e.g. 17.3. */
  value: number;
  /** Its unit, e.g. "GFLOP/s", "ms", "steps/s". */
  unit: string;
  /** Anything else worth keeping (median/min/max, shapes, targets). */
  extra?: Record<string, unknown>;
}

export interface Bench {
  name: string;
  /** `quick` asks for fewer repetitions (used by a smoke test). */
  run(opts: { quick: boolean }): Promise<BenchResult[]>;
}

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Times `fn` `reps` times after `warmup` runs; returns milliseconds per run. */
export async function timeRuns(fn: () => unknown | Promise<unknown>, reps: number, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}
