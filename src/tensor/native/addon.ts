/**
 * Loads the native engine's addon (native/, built by node-gyp at `npm ci`) and types its functions. Only
 * `src/tensor` touches it. In a browser, or where the build failed, `loadAddon()` says why it is missing.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The addon's functions. Arrays are used in place (no copies); sizes are element counts. */
export interface NativeAddon {
  /** Threads the kernels use (the calling thread included). */
  threads(): number;
  /** Sets the thread count (1..256); results do not depend on it. */
  setThreads(n: number): void;
  /**
   * Batched sgemm, row-major: for each i < batch, C_i [M, N] = op(A_i) · op(B_i), op = transpose when the flag
   * is set (A_i is [M, K], or [K, M] when transA; B_i is [K, N], or [N, K] when transB). A_i starts at
   * i·strideA (0 broadcasts one matrix), B_i at i·strideB; C is [batch, M, N] and is overwritten.
   */
  gemm(
    batch: number, M: number, N: number, K: number, transA: boolean, transB: boolean,
    A: Float32Array, strideA: number, B: Float32Array, strideB: number, C: Float32Array,
  ): void;
  /** Which sgemm micro-kernel runs on this CPU: "avx512", "avx2" or "generic". */
  gemmKernel(): string;
}

let cached: { addon?: NativeAddon; why?: string } | undefined;

function addonPath(): string | undefined {
  // dist/src/tensor/native/addon.js and src/tensor/native/addon.ts both sit 3-4 levels below the package root.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, "native", "build", "Release", "strl_native.node");
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  return undefined;
}

/** The addon, or why it cannot be had (not built, failed to load). Loaded once per process. */
export function loadAddon(): { addon?: NativeAddon; why?: string } {
  if (cached) return cached;
  if (typeof process === "undefined" || !process.versions?.node) return (cached = { why: "not running in Node" });
  const path = addonPath();
  if (!path) return (cached = { why: "the addon was not built (npm ci builds it with node-gyp; see native/build.mjs)" });
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    return (cached = { addon });
  } catch (e) {
    return (cached = { why: `the addon failed to load: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}` });
  }
}
