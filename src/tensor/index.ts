/** The tensor engine: the only module that touches tfjs. */
export { type Tensor, type Variable } from "./tf.js";
export { add, sub, mul, div, addN, neg, square, sqrt, pow, tanh, relu, softmax, logSoftmax, sum, mean, matMul } from "./math.js";
export { reshape, slice, transpose, tile, stack, expandDims } from "./shape.js";
export { tensor, scalar, zeros, ones, zerosLike, oneHot, variable, type Scalar, type DataType, type TensorValues } from "./create.js";
export { tidy, keep, dispose, grad, grads, variableGrads, customGrad, type GradFn, type TensorContainer } from "./autodiff.js";
export { ready, backendName, engineInfo, memoryStats, nativeEngine, parseEngine, ENGINES, type BackendName, type EngineName } from "./backend.js";
export { loadAddon, type NativeAddon } from "./native/addon.js";
export { timeNativeCalls, type NativeCallTime, type NativeCallTimer } from "./native/call-timer.js";
export {
  nativeEngineOf,
  type NativeEngine,
  type LifConstants,
  type SsaGeometry,
  type SsaKeyLists,
  type LifForwardCall,
  type GemmCall,
  type EventLinearCall,
  type EventLinearWeightGradCall,
  type LayerNormCall,
  type SoftmaxCall,
  type SsaScoresCall,
  type SsaStrlForwardCall,
  type SsaDrivenForwardCall,
  type AttentionSpec,
  type AttentionForwardCall,
  type AttentionBackwardCall,
  type LinearForwardCall,
  type LinearBackwardCall,
} from "./native/engine.js";
export { linear, linearAct, activation, gelu, type Activation, spikeLinear, spikeRate, EVENT_LINEAR_MAX_RATE, embeddingLookup, jsKernel, toFloat32, bmm, BMM_LOOP_MIN_MACS } from "./ops.js";
export { Module, init } from "./module.js";
export { Linear, Embedding, LayerNorm, dropout, type LinearOptions } from "./layers.js";
export { DenseMlp, MlpWorkspace, Adam } from "./dense-mlp.js";
export { Rng, assertSeed, hashString, type RngState } from "./rng.js";
export { adamwStep, type AdamWStepOptions, type AdamWState, type NamedArray } from "./optim.js";
