/** The tensor engine: the only module that touches tfjs. */
export { tf, type Tensor, type Variable } from "./tf.js";
export { ready, backendName, memoryStats, nativeKernels, type BackendName } from "./backend.js";
export { loadAddon, type NativeAddon } from "./native/addon.js";
export { linear, embeddingLookup, jsKernel, toFloat32 } from "./ops.js";
export { Module, init } from "./module.js";
export { Linear, Embedding, LayerNorm, dropout, type LinearOptions } from "./layers.js";
export { Rng, assertSeed, hashString, type RngState } from "./rng.js";
