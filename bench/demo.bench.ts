/**
 * `strl demo` with its default flags, wall-clock, on each engine (native when built, then wasm), each in a fresh
 * process writing its report to a temporary folder. The README quotes it from the published record.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Bench, BenchResult } from "./types.js";
import { loadAddon } from "../src/tensor/index.js";

const cli = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "cli", "main.js");

export const bench: Bench = {
  name: "demo",
  async run({ quick }) {
    const out: BenchResult[] = [];
    for (const engine of loadAddon().addon ? ["native", "wasm"] : ["wasm"]) {
      const dir = mkdtempSync(join(tmpdir(), "strl-bench-demo-"));
      try {
        const t0 = performance.now();
        execFileSync(process.execPath, [cli, "demo", "--engine", engine, "--out", join(dir, "report"), ...(quick ? ["--tiny"] : [])], { stdio: ["ignore", "ignore", "inherit"] });
        out.push({ case: `on the ${engine} engine`, value: (performance.now() - t0) / 1000, unit: "s", extra: { engine, tiny: quick } });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return out;
  },
};
