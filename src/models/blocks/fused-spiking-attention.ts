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
 * With the native engine active, the products between the LIFs run in native/src/ssa.cc as small dense matrix
 * products per (t, b, h) (the engine's sgemm, masked through the key lists): the forward outputs and spike counts
 * are bit-identical to the JS loops (sums of 0/1 spike products are exact), gradients agree to float32 rounding;
 * the LIFs run in native/src/lif.cc. The JS loops below are the wasm / browser engine's path.
 */
import { lifBackwardJs, lifBackwardNative, lifForwardJs, lifForwardNative, type LifForwardOptions, type LifParams, type LifSaved } from "../../snn/lif-kernel.js";
import { jsKernel, nativeKernels, type Tensor } from "../../tensor/index.js";
import type { NativeAddon } from "../../tensor/native/addon.js";
import type { AttentionKind } from "../config/strl-config.js";
import type { ReportingLIF } from "./reporting-lif.js";
import { indexSpikes, popcount, type SpikeRows } from "./spike-index.js";
import { keyLists, scoreDetail, type KeyLists } from "./key-lists.js";

export interface FusedSsaOptions {
  T: number;
  H: number;
  causal: boolean;
  scale: number;
  kind: AttentionKind;
  /** [B, K] 1 = real step, 0 = padding */
  keyMask: Uint8Array;
}

export interface SsaNeurons {
  q: ReportingLIF;
  k: ReportingLIF;
  v: ReportingLIF;
  /** The score LIF ("strl") or the output LIF ("spike-driven"). */
  attn: ReportingLIF;
}

const E1 = Math.E - 1;

/** Adds the spikes of (row, head) of `ix` into acc[0 .. dh). */
function addRow(ix: SpikeRows, row: number, h: number, acc: Float64Array): void {
  const off = h * ix.dh;
  const end = ix.start[row * ix.H + h + 1]!;
  for (let p = ix.start[row * ix.H + h]!; p < end; p++) acc[ix.col[p]! - off]! += 1;
}

export interface SsaSaved {
  N: number;
  lq: LifSaved;
  lk: LifSaved;
  lv: LifSaved;
  la: LifSaved;
  /** JS path: the spike indexes; native path: the dense spikes [T, N, d] (qs, ks, vs) */
  qi?: SpikeRows;
  ki?: SpikeRows;
  vi?: SpikeRows;
  qs?: Float32Array;
  ks?: Float32Array;
  vs?: Float32Array;
  kl: KeyLists;
  /** "strl": the score spikes [T, nCells]; "spike-driven": the scaled scores [T, nCells] */
  cells: Float32Array;
  /** "strl": 1/Z per (t, b, h, i) [T, B, H, K] */
  a: Float32Array;
}

/**
 * qkv [B, K, 3d] (real; q | k | v along the last axis) -> [B, K, d], the mean over T of the spiking attention.
 */
export function fusedSpikingAttention(qkv: Tensor, lifs: SsaNeurons, o: FusedSsaOptions): Tensor {
  const [B, K, d3] = qkv.shape as [number, number, number];
  const k = ssaKernel(nativeKernels(), B, K, d3, lifs, o);
  return jsKernel<SsaSaved>(qkv, [B, K, d3 / 3], k.forward, k.backward);
}

/**
 * The fused op on Float32Arrays: forward qkv [B, K, 3d] -> [B, K, d] (and the state it keeps), backward
 * dOut [B, K, d] -> d qkv [B, K, 3d]. `engine`: the native addon, or undefined for the JS loops.
 */
export function ssaKernel(
  engine: NativeAddon | undefined,
  B: number,
  K: number,
  d3: number,
  lifs: SsaNeurons,
  o: FusedSsaOptions,
): { forward: (x: Float32Array) => { y: Float32Array; state: SsaSaved }; backward: (dOut: Float32Array, s: SsaSaved) => Float32Array } {
  const d = d3 / 3;
  const { T, H, causal, scale, kind, keyMask: km } = o;
  if (!Number.isInteger(d) || d % H !== 0) throw new RangeError(`fusedSpikingAttention: last dim ${d3} must be 3·d with d divisible by H = ${H}`);
  if (km.length !== B * K) throw new RangeError(`fusedSpikingAttention: keyMask has ${km.length} entries, expected B·K = ${B * K}`);
  const dh = d / H;
  const N = B * K;
  const n = N * d;
  const invT = 1 / T;
  const nk = engine;
  const lifForward = (x: Float32Array, TT: number, nn: number, p: LifParams, opts: LifForwardOptions) =>
    nk ? lifForwardNative(nk, x, TT, nn, p, opts) : lifForwardJs(x, TT, nn, p, opts);
  const lifBackward = (dy: Float32Array, s: LifSaved, p: LifParams) => (nk ? lifBackwardNative(nk, dy, s, p) : lifBackwardJs(dy, s, p));
  return {
    forward: (x) => {
      // q, k, v pre-activations [N, d] each, then their spikes [T, N, d] (same input at every step)
      const parts = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
      for (let r = 0; r < N; r++) for (let p = 0; p < 3; p++) parts[p]!.set(x.subarray(r * d3 + p * d, r * d3 + (p + 1) * d), r * d);
      const run = (lif: ReportingLIF, input: Float32Array) => {
        const res = lifForward(input, T, n, lif.kernelParams, { repeated: true, mean: false, name: lif.name });
        lif.report(res.spikeCount, T * n, T, { d: res.saved.d, n, rows: N });
        return res;
      };
      const rq = run(lifs.q, parts[0]!);
      const rk = run(lifs.k, parts[1]!);
      const rv = run(lifs.v, parts[2]!);
      if (nk) return nativeForward(nk, rq, rk, rv);
      const qi = indexSpikes(rq.y, T * N, d, H, true);
      const ki = indexSpikes(rk.y, T * N, d, H, true);
      const vi = indexSpikes(rv.y, T * N, d, H, false);
      const kl = keyLists(B, K, H, causal, km);
      const nC = kl.nCells;
      // scaled scores of the allowed cells [T, nCells]
      const sc = new Float32Array(T * nC);
      const W = qi.W;
      const qb = qi.bits;
      const kb = ki.bits;
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          const tb = t * B + b;
          const r0 = kl.start[b * K]!;
          for (let h = 0; h < H; h++) {
            const cellBase = t * nC + kl.base[b]! + h * kl.perHead[b]! - r0;
            for (let i = 0; i < K; i++) {
              const qo = ((tb * K + i) * H + h) * W;
              const m1 = kl.start[b * K + i + 1]!;
              for (let m = kl.start[b * K + i]!; m < m1; m++) {
                const ko = ((tb * K + kl.keys[m]!) * H + h) * W;
                let cnt = 0;
                for (let w = 0; w < W; w++) cnt += popcount(qb[qo + w]! & kb[ko + w]!);
                sc[cellBase + m] = cnt * scale;
              }
            }
          }
        }
      }
      const out = new Float32Array(n); // [B, K, d]
      if (kind === "spike-driven") {
        // y_t = (scores ⊙ mask) · v_t  [T, N, d], then the output LIF, mean over T
        const y = new Float32Array(T * n);
        for (let t = 0; t < T; t++) {
          for (let b = 0; b < B; b++) {
            const tb = t * B + b;
            const r0 = kl.start[b * K]!;
            for (let h = 0; h < H; h++) {
              const cellBase = t * nC + kl.base[b]! + h * kl.perHead[b]! - r0;
              for (let i = 0; i < K; i++) {
                const yo = (tb * K + i) * d;
                const m1 = kl.start[b * K + i + 1]!;
                for (let m = kl.start[b * K + i]!; m < m1; m++) {
                  const s = sc[cellBase + m]!;
                  if (s === 0) continue;
                  const row = (tb * K + kl.keys[m]!) * H + h;
                  const pe = vi.start[row + 1]!;
                  for (let p = vi.start[row]!; p < pe; p++) y[yo + vi.col[p]!]! += s;
                }
              }
            }
          }
        }
        const ra = lifForward(y, T, n, lifs.attn.kernelParams, { repeated: false, mean: true, name: lifs.attn.name });
        lifs.attn.report(ra.spikeCount, T * n, T, { d: ra.saved.d, n, rows: N });
        return { y: ra.y, state: { N, lq: rq.saved, lk: rk.saved, lv: rv.saved, la: ra.saved, qi, ki, vi, kl, cells: sc, a: new Float32Array(0) } };
      }
      // "strl": score LIF on the allowed cells, softmax over them (two values per row: 1/Z, e/Z), · v_t, mean over T
      const rs = lifForward(sc, T, nC, lifs.attn.kernelParams, { repeated: false, mean: false, name: lifs.attn.name });
      lifs.attn.report(rs.spikeCount, T * nC, T, scoreDetail(rs.saved.d, sc, kl, { B, K, H, scale, dh }));
      const ss = rs.y; // [T, nCells] binary
      const a = new Float32Array(T * B * H * K); // [T, B, H, K]
      const runSum = new Float64Array(dh);
      const extra = new Float64Array(dh);
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          const tb = t * B + b;
          const r0 = kl.start[b * K]!;
          for (let h = 0; h < H; h++) {
            const cellBase = t * nC + kl.base[b]! + h * kl.perHead[b]! - r0;
            runSum.fill(0);
            if (!causal) for (let j = 0; j < K; j++) if (km[b * K + j] === 1) addRow(vi, tb * K + j, h, runSum);
            for (let i = 0; i < K; i++) {
              if (causal && km[b * K + i] === 1) addRow(vi, tb * K + i, h, runSum);
              const m0 = kl.start[b * K + i]!;
              const m1 = kl.start[b * K + i + 1]!;
              if (m1 === m0) continue; // no allowed key: output 0, a = 0
              extra.fill(0);
              let n1 = 0;
              for (let m = m0; m < m1; m++) {
                if (ss[cellBase + m] === 0) continue;
                n1++;
                addRow(vi, tb * K + kl.keys[m]!, h, extra);
              }
              const ai = 1 / (m1 - m0 + E1 * n1);
              a[(tb * H + h) * K + i] = ai;
              const w = ai * invT;
              const oo = (b * K + i) * d + h * dh;
              for (let c = 0; c < dh; c++) out[oo + c]! += w * (runSum[c]! + E1 * extra[c]!);
            }
          }
        }
      }
      return { y: out, state: { N, lq: rq.saved, lk: rk.saved, lv: rv.saved, la: rs.saved, qi, ki, vi, kl, cells: ss, a } };
    },
    backward: (dOut, s) => {
      if (s.qs) return nativeBackward(nk!, dOut, s);
      const { kl, cells, a } = s;
      const vi = s.vi!;
      const qi = s.qi!;
      const ki = s.ki!;
      const nC = kl.nCells;
      const dCells = new Float32Array(T * nC); // d loss / d (cells' LIF output or scaled score)
      const dvs = new Float32Array(T * n); // d loss / d v spikes [T, N, d]
      if (kind === "spike-driven") {
        const dy = lifBackward(dOut, s.la, lifs.attn.kernelParams); // [T, N, d]
        for (let t = 0; t < T; t++) {
          for (let b = 0; b < B; b++) {
            const tb = t * B + b;
            const r0 = kl.start[b * K]!;
            for (let h = 0; h < H; h++) {
              const cellBase = t * nC + kl.base[b]! + h * kl.perHead[b]! - r0;
              const off = h * dh;
              for (let i = 0; i < K; i++) {
                const yo = (tb * K + i) * d;
                const m1 = kl.start[b * K + i + 1]!;
                for (let m = kl.start[b * K + i]!; m < m1; m++) {
                  const jr = tb * K + kl.keys[m]!;
                  const row = jr * H + h;
                  let sum = 0;
                  const pe = vi.start[row + 1]!;
                  for (let p = vi.start[row]!; p < pe; p++) sum += dy[yo + vi.col[p]!]!;
                  dCells[cellBase + m] = sum;
                  const sv = cells[cellBase + m]!;
                  if (sv !== 0) {
                    const vo = jr * d + off;
                    for (let c = 0; c < dh; c++) dvs[vo + c]! += sv * dy[yo + off + c]!;
                  }
                }
              }
            }
          }
        }
      } else {
        const dp = new Float64Array(K);
        const acc = new Float64Array(dh);
        for (let t = 0; t < T; t++) {
          for (let b = 0; b < B; b++) {
            const tb = t * B + b;
            const r0 = kl.start[b * K]!;
            for (let h = 0; h < H; h++) {
              const cellBase = t * nC + kl.base[b]! + h * kl.perHead[b]! - r0;
              const off = h * dh;
              // softmax gradient per query row, and the e-weighted part of dV from the spiking scores
              for (let i = 0; i < K; i++) {
                const ai = a[(tb * H + h) * K + i]!;
                if (ai === 0) continue;
                const dRow = (b * K + i) * d;
                const m0 = kl.start[b * K + i]!;
                const m1 = kl.start[b * K + i + 1]!;
                let mean = 0;
                for (let m = m0; m < m1; m++) {
                  const row = (tb * K + kl.keys[m]!) * H + h;
                  let sum = 0;
                  const pe = vi.start[row + 1]!;
                  for (let p = vi.start[row]!; p < pe; p++) sum += dOut[dRow + vi.col[p]!]!;
                  sum *= invT;
                  dp[m - m0] = sum;
                  mean += ai * (cells[cellBase + m] !== 0 ? Math.E : 1) * sum;
                }
                const coef = E1 * ai * invT;
                for (let m = m0; m < m1; m++) {
                  const spiked = cells[cellBase + m] !== 0;
                  dCells[cellBase + m] = ai * (spiked ? Math.E : 1) * (dp[m - m0]! - mean);
                  if (spiked) {
                    const vo = (tb * K + kl.keys[m]!) * d + off;
                    for (let c = 0; c < dh; c++) dvs[vo + c]! += coef * dOut[dRow + off + c]!;
                  }
                }
              }
              // the 1/Z part of dV: key j collects a_i dO_i from every query i that may attend it
              acc.fill(0);
              if (causal) {
                for (let i = K - 1; i >= 0; i--) {
                  const ai = a[(tb * H + h) * K + i]! * invT;
                  if (ai !== 0) for (let c = 0; c < dh; c++) acc[c]! += ai * dOut[(b * K + i) * d + off + c]!;
                  if (km[b * K + i] === 1) {
                    const vo = (tb * K + i) * d + off;
                    for (let c = 0; c < dh; c++) dvs[vo + c]! += acc[c]!;
                  }
                }
              } else {
                for (let i = 0; i < K; i++) {
                  const ai = a[(tb * H + h) * K + i]! * invT;
                  if (ai !== 0) for (let c = 0; c < dh; c++) acc[c]! += ai * dOut[(b * K + i) * d + off + c]!;
                }
                for (let j = 0; j < K; j++) {
                  if (km[b * K + j] === 0) continue;
                  const vo = (tb * K + j) * d + off;
                  for (let c = 0; c < dh; c++) dvs[vo + c]! += acc[c]!;
                }
              }
            }
          }
        }
        const dsc = lifBackward(dCells, s.la, lifs.attn.kernelParams); // [T, nCells]
        dCells.set(dsc);
      }
      // scores = scale · q kᵀ on the allowed cells -> spike gradients of q and k
      const dqs = new Float32Array(T * n);
      const dks = new Float32Array(T * n);
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          const tb = t * B + b;
          const r0 = kl.start[b * K]!;
          for (let h = 0; h < H; h++) {
            const cellBase = t * nC + kl.base[b]! + h * kl.perHead[b]! - r0;
            for (let i = 0; i < K; i++) {
              const qRow = tb * K + i;
              const qs0 = qi.start[qRow * H + h]!;
              const qs1 = qi.start[qRow * H + h + 1]!;
              const dqo = qRow * d;
              const m1 = kl.start[b * K + i + 1]!;
              for (let m = kl.start[b * K + i]!; m < m1; m++) {
                const g = dCells[cellBase + m]! * scale;
                if (g === 0) continue;
                const kRow = tb * K + kl.keys[m]!;
                const ke = ki.start[kRow * H + h + 1]!;
                for (let p = ki.start[kRow * H + h]!; p < ke; p++) dqs[dqo + ki.col[p]!]! += g;
                const dko = kRow * d;
                for (let p = qs0; p < qs1; p++) dks[dko + qi.col[p]!]! += g;
              }
            }
          }
        }
      }
      return qkvGrad(s, dqs, dks, dvs);
    },
  };

  /** The q, k, v LIFs' backward -> d qkv [B, K, 3d]. */
  function qkvGrad(s: SsaSaved, dqs: Float32Array, dks: Float32Array, dvs: Float32Array): Float32Array {
    const gq = lifBackward(dqs, s.lq, lifs.q.kernelParams); // [N·d]
    const gk = lifBackward(dks, s.lk, lifs.k.kernelParams); // [N·d]
    const gv = lifBackward(dvs, s.lv, lifs.v.kernelParams); // [N·d]
    const dx = new Float32Array(N * d3); // [B, K, 3d]
    for (let r = 0; r < N; r++) {
      dx.set(gq.subarray(r * d, (r + 1) * d), r * d3);
      dx.set(gk.subarray(r * d, (r + 1) * d), r * d3 + d);
      dx.set(gv.subarray(r * d, (r + 1) * d), r * d3 + 2 * d);
    }
    return dx;
  }

  /** Everything after the q, k, v LIFs on the native addon (dense spikes, no index). */
  function nativeForward(
    nk: NativeAddon,
    rq: { y: Float32Array; saved: LifSaved },
    rk: { y: Float32Array; saved: LifSaved },
    rv: { y: Float32Array; saved: LifSaved },
  ): { y: Float32Array; state: SsaSaved } {
    const kl = keyLists(B, K, H, causal, km);
    const nC = kl.nCells;
    const g = [T, B, K, H, d, kl.start, kl.keys, kl.perHead, kl.base, nC] as const;
    const sc = new Float32Array(T * nC); // scaled scores of the allowed cells [T, nCells]
    nk.ssaScores(...g, rq.y, rk.y, scale, sc);
    const base = { N, lq: rq.saved, lk: rk.saved, lv: rv.saved, kl, qs: rq.y, ks: rk.y, vs: rv.y };
    if (kind === "spike-driven") {
      const y = new Float32Array(T * n);
      nk.ssaDrivenForward(...g, sc, rv.y, y);
      const ra = lifForward(y, T, n, lifs.attn.kernelParams, { repeated: false, mean: true, name: lifs.attn.name });
      lifs.attn.report(ra.spikeCount, T * n, T, { d: ra.saved.d, n, rows: N });
      return { y: ra.y, state: { ...base, la: ra.saved, cells: sc, a: new Float32Array(0) } };
    }
    const rs = lifForward(sc, T, nC, lifs.attn.kernelParams, { repeated: false, mean: false, name: lifs.attn.name });
    lifs.attn.report(rs.spikeCount, T * nC, T, scoreDetail(rs.saved.d, sc, kl, { B, K, H, scale, dh }));
    const out = new Float32Array(n);
    const a = new Float32Array(T * B * H * K);
    nk.ssaStrlForward(...g, rs.y, rv.y, km, causal, out, a);
    return { y: out, state: { ...base, la: rs.saved, cells: rs.y, a } };
  }

  function nativeBackward(nk: NativeAddon, dOut: Float32Array, s: SsaSaved): Float32Array {
    const kl = s.kl;
    const nC = kl.nCells;
    const g = [T, B, K, H, d, kl.start, kl.keys, kl.perHead, kl.base, nC] as const;
    const dCells = new Float32Array(T * nC);
    const dvs = new Float32Array(T * n);
    let dSc: Float32Array;
    if (kind === "spike-driven") {
      const dy = lifBackward(dOut, s.la, lifs.attn.kernelParams); // [T, N, d]
      nk.ssaDrivenBackward(...g, dy, s.cells, s.vs!, dCells, dvs);
      dSc = dCells;
    } else {
      nk.ssaStrlBackward(...g, dOut, s.cells, s.a, s.vs!, km, causal, dCells, dvs);
      dSc = lifBackward(dCells, s.la, lifs.attn.kernelParams); // [T, nCells]
    }
    const dqs = new Float32Array(T * n);
    const dks = new Float32Array(T * n);
    nk.ssaScoresBackward(...g, dSc, s.qs!, s.ks!, scale, dqs, dks);
    return qkvGrad(s, dqs, dks, dvs);
  }
}
