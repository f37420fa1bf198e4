/**
 * The one place strl loads ONNX Runtime (npm `onnxruntime-node`, a dev dependency: a plain install of strl does
 * not pull its ~110 MB of binaries). Loaded with `require` on first use, so strl runs without it everywhere
 * else; where it is absent, `loadOnnxRuntime` throws `OnnxRuntimeMissing`, whose message is one line saying how
 * to install it. Only the few members strl calls are typed here.
 */
import { createRequire } from "node:module";

export interface OrtTensor {
  readonly data: Float32Array | BigInt64Array | Float64Array | Int32Array | Uint8Array;
  readonly dims: readonly number[];
  readonly type: string;
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

export interface OrtSessionOptions {
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  graphOptimizationLevel?: "disabled" | "basic" | "extended" | "all";
}

export interface OnnxRuntime {
  Tensor: new (type: "float32" | "int64", data: Float32Array | BigInt64Array, dims: readonly number[]) => OrtTensor;
  InferenceSession: { create(model: Uint8Array, options?: OrtSessionOptions): Promise<OrtSession> };
  env: { versions: { node?: string; common?: string } };
}

/** The ONNX Runtime version strl is tested with (package.json's devDependency). */
export const ORT_VERSION = "1.31.1";

export class OnnxRuntimeMissing extends Error {
  constructor(cause: string) {
    super(
      `ONNX Runtime is not installed (${cause}); install it with: ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node@${ORT_VERSION}`,
    );
    this.name = "OnnxRuntimeMissing";
  }
}

let cached: OnnxRuntime | undefined;

/** onnxruntime-node, loaded once (`moduleName`: another package name, for tests of the missing case). */
export function loadOnnxRuntime(moduleName = "onnxruntime-node"): OnnxRuntime {
  if (cached && moduleName === "onnxruntime-node") return cached;
  const require = createRequire(import.meta.url);
  try {
    const ort = require(moduleName) as OnnxRuntime;
    if (moduleName === "onnxruntime-node") cached = ort;
    return ort;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const first = String((e as Error).message).split("\n")[0]!;
    throw new OnnxRuntimeMissing(code === "MODULE_NOT_FOUND" ? `cannot find module '${moduleName}'` : first);
  }
}
