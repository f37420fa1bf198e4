/**
 * The native engine's typed calls: the one door into the addon for code outside `src/tensor/native/`. Each call
 * takes one parameter object (names instead of up to 18 positional arguments) and passes it to the addon's
 * function of the same name (native/src/*_napi.cc); arrays are used in place, outputs are overwritten.
 * The house test test/house/native-boundary.test.ts keeps every other file of src/ away from the raw addon.
 */
import type { NativeAddon } from "./addon.js";
import { eventEngineOf, type EventEngine } from "./event-engine.js";
import { linearEngineOf, type LinearEngine } from "./linear-engine.js";

export type { EventLinearCall, EventLinearWeightGradCall } from "./event-engine.js";
export type { LinearActivation, LinearBackwardCall, LinearForwardCall } from "./linear-engine.js";

/** The LIF neuron's constants, as the kernels take them (docs/lif.md). */
export interface LifConstants {
  tau: number;
  vThreshold: number;
  /** a number: hard reset to it; null: soft reset */
  vReset: number | null;
  decayInput: boolean;
}

export interface LifForwardCall extends LifConstants {
  /** input [T, n], or [n] when `repeated` */
  x: Float32Array;
  T: number;
  n: number;
  repeated: boolean;
  /** y holds the mean of the spikes over T [n] instead of the spikes [T, n] */
  mean: boolean;
  /** out: spikes [T, n] or their mean [n] */
  y: Float32Array;
  /** out: H - v_th [T, n] */
  d: Float32Array;
}

export interface LifBackwardCall extends LifConstants {
  /** gradient of y: [T, n], or [n] when `mean` */
  dy: Float32Array;
  /** the forward's H - v_th [T, n] */
  d: Float32Array;
  T: number;
  n: number;
  repeated: boolean;
  mean: boolean;
  detachReset: boolean;
  /** a SurrogateName ("sigmoid", "atan", "rectangular", ...) */
  surrogate: string;
  /** its alpha (or width for "rectangular") */
  param: number;
  /** out: gradient of x, [T, n] or [n] when `repeated` */
  gx: Float32Array;
}

/** Which score cells a query may attend: the key lists of the fused spiking attention (models/blocks/key-lists.ts). */
export interface SsaKeyLists {
  /** [B·K + 1] offsets of each query row's allowed keys in `keys` */
  start: Int32Array;
  /** the allowed key indices, row after row */
  keys: Int32Array;
  /** [B] cells per head of batch row b */
  perHead: Int32Array;
  /** [B] first cell of batch row b */
  base: Int32Array;
  /** score cells per time step */
  nCells: number;
}

/** The geometry every spiking-attention call takes first: spikes are [T, B, K, d], score cells [T, nCells]. */
export interface SsaGeometry {
  T: number;
  B: number;
  K: number;
  /** heads (d divides by H) */
  H: number;
  d: number;
  allowed: SsaKeyLists;
}

export interface SsaScoresCall extends SsaGeometry {
  /** q, k spikes [T, B, K, d] */
  qs: Float32Array;
  ks: Float32Array;
  scale: number;
  /** out: scaled scores [T, nCells] */
  sc: Float32Array;
}

export interface SsaDrivenForwardCall extends SsaGeometry {
  /** scores [T, nCells] */
  sc: Float32Array;
  /** v spikes [T, B, K, d] */
  vs: Float32Array;
  /** out: scores · v [T, B, K, d] */
  y: Float32Array;
}

export interface SsaStrlForwardCall extends SsaGeometry {
  /** score spikes [T, nCells] */
  ss: Float32Array;
  /** v spikes [T, B, K, d] */
  vs: Float32Array;
  /** [B, K] 1 = real step */
  keyMask: Uint8Array;
  causal: boolean;
  /** out: mean over T of softmax · v [B, K, d] */
  out: Float32Array;
  /** out: 1/Z [T, B, H, K] */
  a: Float32Array;
}

export interface SsaStrlBackwardCall extends SsaGeometry {
  /** [B, K, d] */
  dOut: Float32Array;
  /** the score spikes [T, nCells] */
  cells: Float32Array;
  /** the forward's 1/Z [T, B, H, K] */
  a: Float32Array;
  /** v spikes [T, B, K, d] */
  vs: Float32Array;
  keyMask: Uint8Array;
  causal: boolean;
  /** out: [T, nCells] */
  dCells: Float32Array;
  /** out: [T, B, K, d] */
  dvs: Float32Array;
}

export interface SsaDrivenBackwardCall extends SsaGeometry {
  /** [T, B, K, d] */
  dy: Float32Array;
  /** the scaled scores [T, nCells] */
  cells: Float32Array;
  /** v spikes [T, B, K, d] */
  vs: Float32Array;
  /** out: [T, nCells] */
  dCells: Float32Array;
  /** out: [T, B, K, d] */
  dvs: Float32Array;
}

export interface SsaScoresBackwardCall extends SsaGeometry {
  /** [T, nCells] */
  dCells: Float32Array;
  /** q, k spikes [T, B, K, d] */
  qs: Float32Array;
  ks: Float32Array;
  scale: number;
  /** out: [T, B, K, d] each */
  dqs: Float32Array;
  dks: Float32Array;
}

export interface GemmCall {
  batch: number;
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
  /** [batch, M, K] ([batch, K, M] when transA); A_i starts at i·strideA (0 broadcasts one matrix) */
  A: Float32Array;
  strideA: number;
  /** [batch, K, N] ([batch, N, K] when transB); B_i starts at i·strideB */
  B: Float32Array;
  strideB: number;
  /** out: [batch, M, N] */
  C: Float32Array;
}

export interface DenseForwardCall {
  /** [B, nIn] */
  x: Float32Array;
  /** [nOut, nIn] */
  W: Float32Array;
  /** [nOut] */
  b: Float32Array;
  /** out: [B, nOut] */
  y: Float32Array;
  B: number;
  nIn: number;
  nOut: number;
  relu: boolean;
}

export interface DenseBackwardCall {
  /** [B, nOut] */
  dy: Float32Array;
  /** the layer input [B, nIn] */
  x: Float32Array;
  /** [nOut, nIn] */
  W: Float32Array;
  /** out (when params): [nOut, nIn], [nOut] */
  gW: Float32Array;
  gb: Float32Array;
  /** out (when input): [B, nIn] */
  dx: Float32Array;
  B: number;
  nIn: number;
  nOut: number;
  params: boolean;
  input: boolean;
  /** zero dx where x <= 0 (the input came out of a ReLU) */
  reluInput: boolean;
}

export interface LayerNormCall {
  /** [rows, n] */
  x: Float32Array;
  rows: number;
  n: number;
  /** [n] */
  gamma: Float32Array;
  beta: Float32Array;
  eps: number;
  /** out: [rows, n] */
  y: Float32Array;
  /** out: [rows] each, kept for the backward pass */
  mean: Float32Array;
  rstd: Float32Array;
}

export interface LayerNormBackwardCall {
  /** [rows, n] */
  dy: Float32Array;
  x: Float32Array;
  rows: number;
  n: number;
  /** [n] */
  gamma: Float32Array;
  /** the forward's [rows] statistics */
  mean: Float32Array;
  rstd: Float32Array;
  /** out: [rows, n], [n], [n] */
  dx: Float32Array;
  dgamma: Float32Array;
  dbeta: Float32Array;
}

export interface SoftmaxCall {
  /** [rows, n] */
  x: Float32Array;
  rows: number;
  n: number;
  /** out: softmax over the last axis [rows, n] (may be x itself) */
  y: Float32Array;
}

export interface AdamwCall {
  /** parameter, gradient and moments [n]; the outputs [n] may be the inputs themselves */
  p: Float32Array;
  g: Float32Array;
  m: Float32Array;
  v: Float32Array;
  pOut: Float32Array;
  mOut: Float32Array;
  vOut: Float32Array;
  beta1: number;
  beta2: number;
  eps: number;
  /** factor on p before the step (1: no weight decay) */
  decay: number;
  stepSize: number;
  /** sqrt(1 - beta2^t) */
  sqrtBc2: number;
}

export interface DropoutMaskCall {
  /** the Rng's four words, advanced in place */
  state: Uint32Array;
  p: number;
  /** the value of a kept element (1 / (1 - p)) */
  keep: number;
  /** out: [n] 0 or keep */
  mask: Float32Array;
}

/** The shape and options of the fused softmax attention (native/src/attention_kernels.h). */
export interface AttentionSpec {
  B: number;
  L: number;
  /** heads (the H of the shape comments) and head width: d = H·dh */
  H: number;
  dh: number;
  /** [B, L] 1 = real key */
  keyMask: Uint8Array;
  /** query i attends keys j <= i only */
  causal: boolean;
  /** factor on q·k */
  scale: number;
  /** activation on the scaled scores before the softmax */
  act: "none" | "relu" | "gelu";
  /** dropout probability on the attention weights (0: none) */
  p: number;
  /** the 64-bit seed of the keep mask as two 32-bit words (ignored when p = 0) */
  seed: readonly [number, number];
}

export interface AttentionForwardCall extends AttentionSpec {
  /** [B, L, 3d]: q | k | v */
  qkv: Float32Array;
  /** out: [B, L, d], and the log-sum-exp of each row's weights [B, H, L] (+inf for a row with no allowed key) */
  out: Float32Array;
  lse: Float32Array;
}

export interface AttentionBackwardCall extends AttentionSpec {
  /** the forward's input [B, L, 3d], output [B, L, d] and lse [B, H, L] */
  qkv: Float32Array;
  out: Float32Array;
  lse: Float32Array;
  /** [B, L, d] */
  dOut: Float32Array;
  /** out: [B, L, 3d] */
  dqkv: Float32Array;
}

/** The addon's functions that code outside src/tensor/native may call, each with one parameter object. */
export interface NativeEngine extends EventEngine, LinearEngine {
  /** Spike count, or -(t + 1) when the membrane input was not finite at step t (the first such t). */
  lifForward(c: LifForwardCall): number;
  lifBackward(c: LifBackwardCall): void;
  ssaScores(c: SsaScoresCall): void;
  ssaDrivenForward(c: SsaDrivenForwardCall): void;
  ssaStrlForward(c: SsaStrlForwardCall): void;
  ssaStrlBackward(c: SsaStrlBackwardCall): void;
  ssaDrivenBackward(c: SsaDrivenBackwardCall): void;
  ssaScoresBackward(c: SsaScoresBackwardCall): void;
  gemm(c: GemmCall): void;
  denseForward(c: DenseForwardCall): void;
  denseBackward(c: DenseBackwardCall): void;
  layerNorm(c: LayerNormCall): void;
  layerNormBackward(c: LayerNormBackwardCall): void;
  softmax(c: SoftmaxCall): void;
  adamw(c: AdamwCall): void;
  dropoutMask(c: DropoutMaskCall): void;
  /** Fused softmax attention: qkv [B, L, 3d] -> out [B, L, d], lse [B, H, L]. */
  attentionForward(c: AttentionForwardCall): void;
  /** Its backward pass: dOut [B, L, d] -> dqkv [B, L, 3d]. */
  attentionBackward(c: AttentionBackwardCall): void;
}

/** The addon's geometry arguments, in the order every ssa* function takes them first. */
function geo(g: SsaGeometry) {
  const l = g.allowed;
  return [g.T, g.B, g.K, g.H, g.d, l.start, l.keys, l.perHead, l.base, l.nCells] as const;
}

const ACT = { none: 0, relu: 1, gelu: 2 } as const;

/** The attention calls' leading arguments, in the addon's order. */
function attnArgs(c: AttentionSpec) {
  return [c.B, c.L, c.H, c.dh, c.keyMask, c.causal, c.scale, ACT[c.act], c.p, c.seed[0], c.seed[1]] as const;
}

/** The typed calls over one loaded addon. */
export function nativeEngineOf(addon: NativeAddon): NativeEngine {
  return {
    lifForward: (c) => addon.lifForward(c.x, c.T, c.n, c.repeated, c.mean, c.tau, c.vThreshold, c.vReset, c.decayInput, c.y, c.d),
    lifBackward: (c) =>
      addon.lifBackward(
        c.dy, c.d, c.T, c.n, c.repeated, c.mean, c.tau, c.vThreshold, c.vReset, c.decayInput, c.detachReset, c.surrogate, c.param, c.gx,
      ),
    ssaScores: (c) => addon.ssaScores(...geo(c), c.qs, c.ks, c.scale, c.sc),
    ssaDrivenForward: (c) => addon.ssaDrivenForward(...geo(c), c.sc, c.vs, c.y),
    ssaStrlForward: (c) => addon.ssaStrlForward(...geo(c), c.ss, c.vs, c.keyMask, c.causal, c.out, c.a),
    ssaStrlBackward: (c) => addon.ssaStrlBackward(...geo(c), c.dOut, c.cells, c.a, c.vs, c.keyMask, c.causal, c.dCells, c.dvs),
    ssaDrivenBackward: (c) => addon.ssaDrivenBackward(...geo(c), c.dy, c.cells, c.vs, c.dCells, c.dvs),
    ssaScoresBackward: (c) => addon.ssaScoresBackward(...geo(c), c.dCells, c.qs, c.ks, c.scale, c.dqs, c.dks),
    gemm: (c) => addon.gemm(c.batch, c.M, c.N, c.K, c.transA, c.transB, c.A, c.strideA, c.B, c.strideB, c.C),
    denseForward: (c) => addon.denseForward(c.x, c.W, c.b, c.y, c.B, c.nIn, c.nOut, c.relu),
    denseBackward: (c) =>
      addon.denseBackward(c.dy, c.x, c.W, c.gW, c.gb, c.dx, c.B, c.nIn, c.nOut, c.params, c.input, c.reluInput),
    ...eventEngineOf(addon),
    ...linearEngineOf(addon),
    layerNorm: (c) => addon.layerNorm(c.x, c.rows, c.n, c.gamma, c.beta, c.eps, c.y, c.mean, c.rstd),
    layerNormBackward: (c) => addon.layerNormBackward(c.dy, c.x, c.rows, c.n, c.gamma, c.mean, c.rstd, c.dx, c.dgamma, c.dbeta),
    softmax: (c) => addon.softmax(c.x, c.rows, c.n, c.y),
    adamw: (c) =>
      addon.adamw(c.p, c.g, c.m, c.v, c.pOut, c.mOut, c.vOut, c.beta1, c.beta2, c.eps, c.decay, c.stepSize, c.sqrtBc2),
    dropoutMask: (c) => addon.dropoutMask(c.state, c.p, c.keep, c.mask),
    attentionForward: (c) => addon.attnForward(...attnArgs(c), c.qkv, c.out, c.lse),
    attentionBackward: (c) => addon.attnBackward(...attnArgs(c), c.qkv, c.out, c.lse, c.dOut, c.dqkv),
  };
}
