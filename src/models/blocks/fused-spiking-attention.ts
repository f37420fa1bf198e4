/**
 * Spiking self-attention from the fused q|k|v pre-activations to the output, as ONE op on Float32Arrays: the
 * q, k, v LIFs (direct encoding: the same input at each of T steps), the score product, the score LIF (or, for
 * "spike-driven", the product with V and the output LIF), the softmax over the allowed keys, the product with V
 * and the mean over T. The same equations as composing `LIF.forwardRepeated`, `spikeScores`, `LIF.forward` and
 * `spikeSoftmaxValue` / `spikeScoreValue` (tested against that composition), without copying every
 * intermediate spike tensor in and out of the wasm heap.
 *
 * The score LIF runs only on the cells a query may attend (key j real, and j <= i when causal), so its firing
 * rate is over those cells; a masked cell is not a neuron of the causal model.
 *
 * With the native engine active, the products between the LIFs run in native/src/ssa_*_kernels.cc as small dense matrix
 * products per (t, b, h) (the engine's sgemm, masked through the key lists): the forward outputs and spike counts
 * are bit-identical to the JS loops (sums of 0/1 spike products are exact), gradients agree to float32 rounding;
 * the LIFs run in native/src/lif_kernels.cc. The JS loops, one function per pass, are in fused-spiking-attention-js.ts
 * (the wasm / browser engine's path); this file runs the LIFs and picks the native or the JS passes.
 */
import type { LIF } from "../../snn/index.js";
import { lifBackwardJs, lifBackwardNative, lifForwardJs, lifForwardNative, type LifForwardOptions, type LifParams, type LifSaved } from "../../snn/lif-kernel.js";
import { jsKernel, nativeEngine, type NativeEngine, type SsaGeometry as NativeSsaGeometry, type Tensor } from "../../tensor/index.js";
import type { AttentionKind } from "../config/strl-config.js";
import { indexSpikes, type SpikeRows } from "./spike-index.js";
import { keyLists, scoreDetail, type KeyLists } from "./key-lists.js";
import {
  type SsaGeometry,
  drivenValueBackward,
  drivenValueForward,
  scoresBackward,
  scoresForward,
  softmaxValueBackward,
  softmaxValueForward,
} from "./fused-spiking-attention-js.js";

export interface FusedSsaOptions {
  /** time steps of the LIFs */
  T: number;
  /** number of heads (d must divide by it): the H of the shape comments */
  nHeads: number;
  /** query i may attend keys j <= i only */
  causal: boolean;
  /** factor on the q·k coincidence counts */
  scale: number;
  /** "strl": score LIF, softmax, · V; "spike-driven": · V (no softmax), output LIF */
  attention: AttentionKind;
  /** [B, K] 1 = real step, 0 = padding */
  keyMask: Uint8Array;
}

export interface SsaNeurons {
  q: LIF;
  k: LIF;
  v: LIF;
  /** The score LIF ("strl") or the output LIF ("spike-driven"). */
  attn: LIF;
}

export interface SsaSaved {
  /** query rows B·K */
  N: number;
  /** the saved states of the q, k, v LIFs and of the score ("strl") or output ("spike-driven") LIF */
  qLif: LifSaved;
  kLif: LifSaved;
  vLif: LifSaved;
  attnLif: LifSaved;
  /** JS path: the q, k, v spike indexes; native path: the dense spikes [T, B, K, d] */
  qIndex?: SpikeRows;
  kIndex?: SpikeRows;
  vIndex?: SpikeRows;
  qSpikes?: Float32Array;
  kSpikes?: Float32Array;
  vSpikes?: Float32Array;
  /** the allowed keys of each query and where their score cells sit */
  allowed: KeyLists;
  /** "strl": the score spikes [T, nCells]; "spike-driven": the scaled scores [T, nCells] */
  cells: Float32Array;
  /** "strl": 1/Z of the softmax per (t, b, h, i) [T, B, H, K]; "spike-driven": empty */
  invZ: Float32Array;
}

/**
 * qkv [B, K, 3d] (real; q | k | v along the last axis) -> [B, K, d], the mean over T of the spiking attention.
 */
export function fusedSpikingAttention(qkv: Tensor, lifs: SsaNeurons, o: FusedSsaOptions): Tensor {
  const [B, K, d3] = qkv.shape as [number, number, number];
  const k = ssaKernel(nativeEngine(), B, K, d3, lifs, o);
  return jsKernel<SsaSaved>(qkv, [B, K, d3 / 3], k.forward, k.backward);
}

type LifRun = { y: Float32Array; saved: LifSaved };

/**
 * The fused op on Float32Arrays: forward qkv [B, K, 3d] -> [B, K, d] (and the state it keeps), backward
 * dOut [B, K, d] -> d qkv [B, K, 3d]. `engine`: the native engine's calls, or undefined for the JS loops.
 */
export function ssaKernel(
  engine: NativeEngine | undefined,
  B: number,
  K: number,
  d3: number,
  lifs: SsaNeurons,
  o: FusedSsaOptions,
): { forward: (x: Float32Array) => { y: Float32Array; state: SsaSaved }; backward: (dOut: Float32Array, s: SsaSaved) => Float32Array } {
  const d = d3 / 3;
  const { T, nHeads, causal, scale, attention, keyMask } = o;
  if (!Number.isInteger(d) || d % nHeads !== 0) throw new RangeError(`fusedSpikingAttention: last dim ${d3} must be 3·d with d divisible by H = ${nHeads}`);
  if (keyMask.length !== B * K) throw new RangeError(`fusedSpikingAttention: keyMask has ${keyMask.length} entries, expected B·K = ${B * K}`);
  const dh = d / nHeads;
  const N = B * K; // query rows
  const numel = N * d; // elements of q (k, v, the output) per time step
  const lifForward = (x: Float32Array, steps: number, size: number, p: LifParams, opts: LifForwardOptions) =>
    engine ? lifForwardNative(engine, x, steps, size, p, opts) : lifForwardJs(x, steps, size, p, opts);
  const lifBackward = (dy: Float32Array, s: LifSaved, p: LifParams) => (engine ? lifBackwardNative(engine, dy, s, p) : lifBackwardJs(dy, s, p));
  const geometry = (allowed: KeyLists): SsaGeometry => ({ T, B, K, d, nHeads, dh, causal, keyMask, allowed });
  /** The output LIF of "spike-driven": y [T, B, K, d] -> its mean over T [B, K, d]. */
  const outputLif = (y: Float32Array): LifRun => {
    const r = lifForward(y, T, numel, lifs.attn.kernelParams, { repeated: false, mean: true, name: lifs.attn.name });
    lifs.attn.report(r.spikeCount, T * numel, T, { d: r.saved.d, n: numel, rows: N });
    return r;
  };
  /** The score LIF of "strl": scores [T, nCells] -> score spikes [T, nCells]. */
  const scoreLif = (scores: Float32Array, allowed: KeyLists): LifRun => {
    const r = lifForward(scores, T, allowed.nCells, lifs.attn.kernelParams, { repeated: false, mean: false, name: lifs.attn.name });
    lifs.attn.report(r.spikeCount, T * allowed.nCells, T, scoreDetail(r.saved.d, scores, allowed, { B, K, H: nHeads, scale, dh }));
    return r;
  };
  return {
    forward: (x) => {
      // q, k, v pre-activations [N, d] each, then their spikes [T, N, d] (same input at every step)
      const parts = [new Float32Array(numel), new Float32Array(numel), new Float32Array(numel)];
      for (let r = 0; r < N; r++) for (let p = 0; p < 3; p++) parts[p]!.set(x.subarray(r * d3 + p * d, r * d3 + (p + 1) * d), r * d);
      const run = (lif: LIF, input: Float32Array) => {
        const res = lifForward(input, T, numel, lif.kernelParams, { repeated: true, mean: false, name: lif.name });
        lif.report(res.spikeCount, T * numel, T, { d: res.saved.d, n: numel, rows: N });
        return res;
      };
      const q = run(lifs.q, parts[0]!);
      const k = run(lifs.k, parts[1]!);
      const v = run(lifs.v, parts[2]!);
      if (engine) return nativeForward(engine, q, k, v);
      const qIndex = indexSpikes(q.y, T * N, d, nHeads, true);
      const kIndex = indexSpikes(k.y, T * N, d, nHeads, true);
      const vIndex = indexSpikes(v.y, T * N, d, nHeads, false);
      const allowed = keyLists(B, K, nHeads, causal, keyMask);
      const g = geometry(allowed);
      const saved = { N, qLif: q.saved, kLif: k.saved, vLif: v.saved, qIndex, kIndex, vIndex, allowed };
      const scores = scoresForward(g, qIndex, kIndex, scale); // [T, nCells]
      if (attention === "spike-driven") {
        const out = outputLif(drivenValueForward(g, scores, vIndex));
        return { y: out.y, state: { ...saved, attnLif: out.saved, cells: scores, invZ: new Float32Array(0) } };
      }
      const spikes = scoreLif(scores, allowed);
      const { out, invZ } = softmaxValueForward(g, spikes.y, vIndex);
      return { y: out, state: { ...saved, attnLif: spikes.saved, cells: spikes.y, invZ } };
    },
    backward: (dOut, s) => {
      if (s.qSpikes) return nativeBackward(engine!, dOut, s);
      const g = geometry(s.allowed);
      let dScores: Float32Array; // d loss / d scaled score [T, nCells]
      let dv: Float32Array; // d loss / d v spikes [T, B, K, d]
      if (attention === "spike-driven") {
        const dy = lifBackward(dOut, s.attnLif, lifs.attn.kernelParams); // [T, B, K, d]
        ({ dScores, dv } = drivenValueBackward(g, dy, s.cells, s.vIndex!));
      } else {
        const r = softmaxValueBackward(g, dOut, s.cells, s.invZ, s.vIndex!);
        dScores = lifBackward(r.dScoreSpikes, s.attnLif, lifs.attn.kernelParams); // [T, nCells]
        dv = r.dv;
      }
      const { dq, dk } = scoresBackward(g, dScores, s.qIndex!, s.kIndex!, scale);
      return qkvGrad(s, dq, dk, dv);
    },
  };

  /** The q, k, v LIFs' backward from their spike gradients [T, B, K, d] -> d qkv [B, K, 3d]. */
  function qkvGrad(s: SsaSaved, dq: Float32Array, dk: Float32Array, dv: Float32Array): Float32Array {
    const gq = lifBackward(dq, s.qLif, lifs.q.kernelParams); // [N·d]
    const gk = lifBackward(dk, s.kLif, lifs.k.kernelParams); // [N·d]
    const gv = lifBackward(dv, s.vLif, lifs.v.kernelParams); // [N·d]
    const dx = new Float32Array(N * d3); // [B, K, 3d]
    for (let r = 0; r < N; r++) {
      dx.set(gq.subarray(r * d, (r + 1) * d), r * d3);
      dx.set(gk.subarray(r * d, (r + 1) * d), r * d3 + d);
      dx.set(gv.subarray(r * d, (r + 1) * d), r * d3 + 2 * d);
    }
    return dx;
  }

  /** Everything after the q, k, v LIFs on the native engine (dense spikes, no index). */
  function nativeForward(nk: NativeEngine, q: LifRun, k: LifRun, v: LifRun): { y: Float32Array; state: SsaSaved } {
    const allowed = keyLists(B, K, nHeads, causal, keyMask);
    const nCells = allowed.nCells;
    const geo: NativeSsaGeometry = { T, B, K, H: nHeads, d, allowed };
    const scores = new Float32Array(T * nCells); // scaled scores of the allowed cells [T, nCells]
    nk.ssaScores({ ...geo, qs: q.y, ks: k.y, scale, sc: scores });
    const saved = { N, qLif: q.saved, kLif: k.saved, vLif: v.saved, allowed, qSpikes: q.y, kSpikes: k.y, vSpikes: v.y };
    if (attention === "spike-driven") {
      const y = new Float32Array(T * numel); // [T, B, K, d]
      nk.ssaDrivenForward({ ...geo, sc: scores, vs: v.y, y });
      const out = outputLif(y);
      return { y: out.y, state: { ...saved, attnLif: out.saved, cells: scores, invZ: new Float32Array(0) } };
    }
    const spikes = scoreLif(scores, allowed);
    const out = new Float32Array(numel); // [B, K, d]
    const invZ = new Float32Array(T * B * nHeads * K); // [T, B, H, K]
    nk.ssaStrlForward({ ...geo, ss: spikes.y, vs: v.y, keyMask, causal, out, a: invZ });
    return { y: out, state: { ...saved, attnLif: spikes.saved, cells: spikes.y, invZ } };
  }

  function nativeBackward(nk: NativeEngine, dOut: Float32Array, s: SsaSaved): Float32Array {
    const { allowed } = s;
    const geo: NativeSsaGeometry = { T, B, K, H: nHeads, d, allowed };
    const dCells = new Float32Array(T * allowed.nCells); // [T, nCells]
    const dv = new Float32Array(T * numel); // [T, B, K, d]
    let dScores: Float32Array;
    if (attention === "spike-driven") {
      const dy = lifBackward(dOut, s.attnLif, lifs.attn.kernelParams); // [T, B, K, d]
      nk.ssaDrivenBackward({ ...geo, dy, cells: s.cells, vs: s.vSpikes!, dCells, dvs: dv });
      dScores = dCells;
    } else {
      nk.ssaStrlBackward({ ...geo, dOut, cells: s.cells, a: s.invZ, vs: s.vSpikes!, keyMask, causal, dCells, dvs: dv });
      dScores = lifBackward(dCells, s.attnLif, lifs.attn.kernelParams); // [T, nCells]
    }
    const dq = new Float32Array(T * numel); // [T, B, K, d]
    const dk = new Float32Array(T * numel); // [T, B, K, d]
    nk.ssaScoresBackward({ ...geo, dCells: dScores, qs: s.qSpikes!, ks: s.kSpikes!, scale, dqs: dq, dks: dk });
    return qkvGrad(s, dq, dk, dv);
  }
}
