/**
 * Engine set-up, once per process: `await ready()` before any tensor work.
 *
 * Two engines compute strl's tensors:
 * - "native": the C++ addon built at `npm ci` (native/), plugged into tfjs as its own backend (tensor values in
 *   JS memory, hot kernels in C++ on all cores). The default in Node when the addon loads.
 * - "wasm": tfjs-wasm (SIMD, one thread, 4 GiB heap). The browser's engine, and Node's fallback when the addon
 *   is missing (one line on stderr says so).
 * Chosen by `ready({ engine })`, else the STRL_ENGINE environment variable, else the default. Asking for the
 * native engine where it cannot load is an error that says why, never a silent switch.
 */
import { tf } from "./tf.js";
import "@tensorflow/tfjs-backend-wasm";
import { loadAddon } from "./native/addon.js";
import { nativeEngineOf, type NativeEngine } from "./native/engine.js";
import { NATIVE_BACKEND, registerNativeBackend } from "./native/native-backend.js";

export const ENGINES = ["native", "wasm"] as const;
export type EngineName = (typeof ENGINES)[number];
/** tfjs backends strl can start: its engines, and tfjs's own cpu/webgl/webgpu (tests, browsers: src/tensor/browser.ts). */
export type BackendName = EngineName | "cpu" | "webgl" | "webgpu";

let started: Promise<BackendName> | undefined;
let activeEngine: BackendName | undefined;
let noticed = false;

/** Validates an engine name (from a flag or STRL_ENGINE); an unknown name is an error listing the known ones. */
export function parseEngine(value: string, source = "engine"): EngineName {
  if ((ENGINES as readonly string[]).includes(value)) return value as EngineName;
  throw new RangeError(`unknown ${source} '${value}'; known: ${ENGINES.join(", ")}`);
}

/** The backend `ready()` would start for these options (no side effect but the one-line fallback notice). */
function choose(opts: { backend?: BackendName; engine?: EngineName }): BackendName {
  if (opts.backend) return opts.backend;
  if (opts.engine) return opts.engine;
  const env = typeof process !== "undefined" ? process.env?.STRL_ENGINE : undefined;
  if (env) return parseEngine(env, "STRL_ENGINE");
  if (loadAddon().addon) return "native";
  if (!noticed && typeof process !== "undefined" && process.versions?.node) {
    noticed = true;
    process.stderr.write(`strl: native engine unavailable (${loadAddon().why}); using tfjs-wasm\n`);
  }
  return "wasm";
}

async function start(name: BackendName): Promise<BackendName> {
  tf.enableProdMode();
  if (name === "native") {
    const threads = typeof process !== "undefined" ? process.env?.STRL_THREADS : undefined;
    if (threads !== undefined && threads !== "" && !(/^[0-9]+$/.test(threads) && Number(threads) >= 1 && Number(threads) <= 256)) {
      throw new RangeError(`STRL_THREADS must be an integer in [1, 256], got '${threads}'`);
    }
    const { addon, why } = loadAddon();
    if (!addon) throw new Error(`strl: the native engine is not available: ${why}. Use --engine wasm or STRL_ENGINE=wasm.`);
    registerNativeBackend(addon);
  }
  const tfName = name === "native" ? NATIVE_BACKEND : name;
  let ok = false;
  let cause: unknown;
  try {
    ok = await tf.setBackend(tfName);
  } catch (e) {
    cause = e;
  }
  if (!ok) {
    const why = cause instanceof Error ? `: ${cause.message}` : "";
    throw new Error(`strl: the '${name}' engine could not start${why}. strl needs @tensorflow/tfjs-backend-wasm 4.22 (installed by npm ci).`);
  }
  await tf.ready();
  activeEngine = name;
  return name;
}

/**
 * Starts the engine once; later calls return the same promise. Asking for a different one after one started is
 * an error (tensors cannot move between engines).
 */
export function ready(opts: { backend?: BackendName; engine?: EngineName } = {}): Promise<BackendName> {
  if (started) {
    const explicit = opts.backend ?? opts.engine;
    return started.then((have) => {
      if (explicit && have !== explicit) throw new Error(`strl: engine '${have}' already started; cannot switch to '${explicit}'`);
      return have;
    });
  }
  started = start(choose(opts));
  started.catch(() => {
    started = undefined;
  });
  return started;
}

/** The engine (or tfjs backend) in use: "native", "wasm", ... ("none" before `ready()`). */
export function backendName(): string {
  return activeEngine ?? "none";
}

/** A one-line description of the engine for report headers and benchmarks, e.g. "native (avx512, 2 threads)". */
export function engineInfo(): string {
  if (activeEngine !== "native") return activeEngine ?? "none";
  const a = loadAddon().addon!;
  const kernel = typeof a.gemmKernel === "function" ? `${a.gemmKernel()}, ` : "";
  return `native (${kernel}${a.threads()} threads)`;
}

/** Live tensor count and bytes, for leak checks. */
export function memoryStats(): { numTensors: number; numBytes: number } {
  const m = tf.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes };
}

let engineCache: NativeEngine | undefined;

/**
 * The native engine's typed calls (src/tensor/native/engine.ts) when the native engine is the active one, else
 * undefined: the fused kernels (LIF, spiking attention) call it on Float32Arrays and fall back to their JS twins
 * otherwise. The only way code outside src/tensor reaches the addon.
 */
export function nativeEngine(): NativeEngine | undefined {
  if (activeEngine !== "native") return undefined;
  return (engineCache ??= nativeEngineOf(loadAddon().addon!));
}
