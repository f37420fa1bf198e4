import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { command } from "../../../src/cli/commands/bench.js";
import { UsageError } from "../../../src/cli/usage-error.js";

async function capture(argv: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  try {
    return { code: await command.run(argv), out };
  } finally {
    console.log = orig;
  }
}

describe("strl bench", () => {
  it("times batch-1 decisions and prints { model, config, mode, ms_median, ms_min, ms_max, peak_rss_mb, engine } as JSON", async () => {
    const { code, out } = await capture(["--model", "strl", "--config", "small", "--mode", "infer", "--runs", "3", "--warmup", "1", "--json"]);
    assert.equal(code, 0);
    assert.equal(out.length, 1);
    const r = JSON.parse(out[0]!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(r), ["model", "config", "mode", "ms_median", "ms_min", "ms_max", "peak_rss_mb", "engine"]);
    assert.deepEqual([r.model, r.config, r.mode], ["strl", "small", "infer"]);
    const [med, min, max, rss] = [r.ms_median, r.ms_min, r.ms_max, r.peak_rss_mb] as number[];
    assert.ok(min! > 0 && min! <= med! && med! <= max!, `min ${min} median ${med} max ${max}`);
    assert.ok(rss! > 10, `peak RSS ${rss} MB`);
  });

  it("rejects unknown or missing choices with a one-line usage error naming the flag", async () => {
    await assert.rejects(command.run(["--model", "bc", "--config", "small", "--mode", "train"]), (e: Error) => e instanceof UsageError && /--model must be one of strl, ann-strl, dt, got 'bc'/.test(e.message));
    await assert.rejects(command.run(["--model", "dt", "--config", "small"]), (e: Error) => e instanceof UsageError && /--mode is required/.test(e.message));
    await assert.rejects(command.run(["--model", "dt", "--config", "huge", "--mode", "infer"]), (e: Error) => e instanceof UsageError && /--config must be one of small, paper/.test(e.message));
    await assert.rejects(command.run(["--model", "dt", "--config", "small", "--mode", "infer", "--micro-batches", "2"]), (e: Error) => e instanceof UsageError && /applies to --mode train only/.test(e.message));
    await assert.rejects(command.run(["--model", "dt", "--config", "small", "--mode", "train", "--runs", "0"]), (e: Error) => e instanceof UsageError && /--runs must be >= 1, got 0/.test(e.message));
  });
});
