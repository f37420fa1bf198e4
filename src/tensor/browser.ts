/**
 * The browser's engine: the page's entry into src/tensor (bundled by web/build.mjs; never imported in Node).
 * Picks the first tfjs backend in `order` that starts in this browser - wasm (SIMD when the browser has it; the
 * same kernels as Node's wasm engine, so the same actions as the CLI), WebGPU, WebGL, then plain JS - and says
 * which. The wasm binaries are fetched from `wasmPaths` (served locally by `strl serve`, no CDN).
 * The native addon is Node-only: the bundle stubs its Node imports and `ready({ backend })` never loads it.
 */
import "@tensorflow/tfjs-backend-webgpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { tf } from "./tf.js";
import { ready, type BackendName } from "./backend.js";

export const BROWSER_BACKENDS = ["wasm", "webgpu", "webgl", "cpu"] as const;
export type BrowserBackend = (typeof BROWSER_BACKENDS)[number];

export interface BrowserEngine {
  backend: BrowserBackend;
  /** wasm only: whether the SIMD build runs. */
  simd?: boolean;
  /** Backends that failed before this one, with why. */
  skipped: string[];
}

/** A one-line name for the page, e.g. "wasm (SIMD)". */
export function describeEngine(e: BrowserEngine): string {
  if (e.backend === "wasm") return `wasm${e.simd ? " (SIMD)" : " (no SIMD)"}`;
  return e.backend === "cpu" ? "cpu (plain JS)" : e.backend;
}

export async function startBrowserEngine(opts: { wasmPaths: string; order?: readonly BrowserBackend[] }): Promise<BrowserEngine> {
  setWasmPaths(opts.wasmPaths);
  // The page is cross-origin isolated (MuJoCo's WASM module needs shared memory), which would let tfjs-wasm pick
  // its multi-threaded build; Node's wasm engine never runs threads, and the page runs Node's kernels.
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  const skipped: string[] = [];
  for (const b of opts.order ?? BROWSER_BACKENDS) {
    if (b === "webgpu" && !(typeof navigator !== "undefined" && "gpu" in navigator)) {
      skipped.push("webgpu: not in this browser");
      continue;
    }
    try {
      await ready({ backend: b as BackendName });
      const simd = b === "wasm" ? Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) : undefined;
      return { backend: b, simd, skipped };
    } catch (e) {
      skipped.push(`${b}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new Error(`no tfjs backend could start in this browser (${skipped.join("; ")})`);
}
