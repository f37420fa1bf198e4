/**
 * The same seed on both engines: the first 20 training losses of the small STRL (d 128, 3 blocks, context 20,
 * T 4; batches of 16 rows here to keep the test short, 64 in bench/engines.bench.ts) agree to 1e-4 relative.
 * Each engine runs in its own process (`strl bench --losses`). The engines' matmuls add in different orders, so
 * a LIF input can differ in its last bit; a neuron sitting exactly at threshold then fires on one engine only.
 * With 8 rows one such flip moved the first loss by 2e-4; with 16 and 64 rows the traces agree to ~1e-5.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../cli/run-cli.js";
import { loadAddon } from "../../src/tensor/index.js";

function losses(engine: string): number[] {
  const r = runCli(["bench", "--model", "strl", "--config", "small", "--losses", "20", "--batch", "16", "--engine", engine, "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { losses: number[]; engine: string };
  assert.ok(out.engine.startsWith(engine), out.engine);
  return out.losses;
}

describe("engines", { skip: loadAddon().addon ? false : "the native addon is not built" }, () => {
  it("give the small STRL the same first 20 training losses to 1e-4 relative", () => {
    const native = losses("native");
    const wasm = losses("wasm");
    assert.equal(native.length, 20);
    for (let i = 0; i < 20; i++) {
      const rel = Math.abs(native[i]! - wasm[i]!) / Math.abs(wasm[i]!);
      assert.ok(rel <= 1e-4, `step ${i}: native ${native[i]} vs wasm ${wasm[i]} (relative ${rel.toExponential(2)})`);
    }
    // The losses move (training happens), so agreement is not that of two constant traces.
    assert.ok(Math.abs(native[0]! - native[19]!) > 1e-3, `losses did not move: ${native[0]} -> ${native[19]}`);
  });
});
