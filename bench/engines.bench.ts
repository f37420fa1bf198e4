/**
 * Engine agreement: the first 20 training losses of the small STRL (batch 64, seed 42) on the native engine and
 * on tfjs-wasm, each in its own process, and their largest relative difference (the issue asks <= 1e-4).
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Bench, BenchResult } from "./types.js";
import { loadAddon } from "../src/tensor/index.js";

const cli = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "cli", "main.js");

function trace(engine: string, steps: number): number[] {
  const args = [cli, "bench", "--model", "strl", "--config", "small", "--losses", String(steps), "--engine", engine, "--json"];
  const out = execFileSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  return (JSON.parse(out.trim()) as { losses: number[] }).losses;
}

export const bench: Bench = {
  name: "engines",
  async run({ quick }) {
    if (!loadAddon().addon) return [];
    const steps = quick ? 5 : 20;
    const native = trace("native", steps);
    const wasm = trace("wasm", steps);
    const rel = native.map((l, i) => Math.abs(l - wasm[i]!) / Math.abs(wasm[i]!));
    const worst = rel.indexOf(Math.max(...rel));
    const result: BenchResult = {
      case: `small STRL: max relative difference of the first ${steps} training losses, native vs wasm`,
      value: rel[worst]!,
      unit: "relative",
      extra: { worst_step: worst, native, wasm, target: 1e-4, met: rel[worst]! <= 1e-4 },
    };
    return [result];
  },
};
