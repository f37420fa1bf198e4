/**
 * Backend set-up: tfjs with the wasm backend (SIMD, single thread in Node), prod mode, once per process.
 * `await ready()` before any tensor work. A backend that cannot start is a clear error, not a silent fallback.
 */
import { tf } from "./tf.js";
import "@tensorflow/tfjs-backend-wasm";
import { loadAddon, type NativeAddon } from "./native/addon.js";

/** The engine computing tensors: "native" (the C++ addon) or "wasm" (tfjs-wasm). Set by `ready()`. */
let activeEngine: "native" | "wasm" | undefined;

export type BackendName = "wasm" | "cpu" | "webgl";

let started: Promise<BackendName> | undefined;

async function start(name: BackendName): Promise<BackendName> {
  tf.enableProdMode();
  let ok = false;
  let cause: unknown;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    cause = e;
  }
  if (!ok) {
    const why = cause instanceof Error ? `: ${cause.message}` : "";
    throw new Error(`strl: the tfjs '${name}' backend could not start${why}. strl needs @tensorflow/tfjs-backend-wasm 4.22 (installed by npm ci).`);
  }
  await tf.ready();
  return name;
}

/**
 * Starts the backend (default "wasm") once; later calls return the same promise. Asking for a different
 * backend after one started is an error (tensors cannot move between backends).
 */
export function ready(opts: { backend?: BackendName } = {}): Promise<BackendName> {
  const want = opts.backend ?? "wasm";
  if (started) {
    return started.then((have) => {
      if (have !== want) throw new Error(`strl: backend '${have}' already started; cannot switch to '${want}'`);
      return have;
    });
  }
  started = start(want);
  started.catch(() => {
    started = undefined;
  });
  return started;
}

/** The active tfjs backend's name ("none" before `ready()`). */
export function backendName(): string {
  return started ? tf.getBackend() : "none";
}

/** Live tensor count and bytes, for leak checks. */
export function memoryStats(): { numTensors: number; numBytes: number } {
  const m = tf.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes };
}

/**
 * The native addon when the native engine is the active one, else undefined: the fused kernels (LIF, spiking
 * attention) call it directly on Float32Arrays and fall back to their JS twins otherwise.
 */
export function nativeKernels(): NativeAddon | undefined {
  return activeEngine === "native" ? loadAddon().addon : undefined;
}
