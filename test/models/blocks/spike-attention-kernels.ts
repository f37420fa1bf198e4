/**
 * The attention products of spiking self-attention as separate differentiable ops on Float32Arrays (tfjs-wasm's
 * batched matmul runs at ~1-2 GFLOP/s, and these products have spikes on at least one side). The models run the
 * fused `fusedSpikingAttention` instead; these stay, under test/, as its tested reference (each is checked against dense tfjs
 * ops, and the fused op against their composition with `LIF`):
 *
 * - `spikeScores`: scores = scale · Q_t K_tᵀ per (t, b, head) from binary Q, K; popcount dot products.
 * - `spikeSoftmaxValue` ("strl" attention): softmax over the binary score spikes of the allowed keys, times the
 *   binary V, averaged over T. With binary inputs each softmax row holds only two values (1/Z and e/Z), so the
 *   product is a running sum of V plus a sparse correction.
 * - `spikeScoreValue` ("spike-driven" attention): (scores ⊙ mask) · V, no softmax.
 *
 * Allowed keys of query i in batch row b: key j is real (keyMask[b, j] = 1) and, when causal, j <= i. Padding keys
 * are never attended, so outputs at real positions do not depend on padding. A query with no allowed key
 * (a padding position in causal mode) outputs 0. Masked score cells are 0 and carry no gradient.
 *
 * Layouts: spikes [T, B, K, d] with head h in columns [h·dh, (h+1)·dh); scores [T, B, H, K, K].
 */
import type { Tensor } from "../../../src/tensor/index.js";
import { jsOp2 } from "./js-op.js";
import { indexSpikes, popcount, type SpikeRows } from "../../../src/models/blocks/spike-index.js";

export interface SpikeAttnGeom {
  T: number;
  B: number;
  K: number;
  H: number;
  d: number;
  causal: boolean;
  /** [B, K] 1 = real step, 0 = padding */
  keyMask: Uint8Array;
}

const E1 = Math.E - 1;

function checkGeom(name: string, g: SpikeAttnGeom, x: Tensor, want: number[]): void {
  if (x.shape.length !== want.length || x.shape.some((v, i) => v !== want[i])) {
    throw new RangeError(`${name}: expected shape [${want.join(", ")}], got [${x.shape.join(", ")}]`);
  }
  if (g.d % g.H !== 0) throw new RangeError(`${name}: d ${g.d} is not divisible by H ${g.H}`);
  if (g.keyMask.length !== g.B * g.K) throw new RangeError(`${name}: keyMask has ${g.keyMask.length} entries, expected B·K = ${g.B * g.K}`);
}

/** Adds the spikes of (row, head) of `ix` into acc[0 .. dh) (acc indexed by column - head offset). */
function addRow(ix: SpikeRows, row: number, h: number, acc: Float64Array): void {
  const off = h * ix.dh;
  const end = ix.start[row * ix.H + h + 1]!;
  for (let p = ix.start[row * ix.H + h]!; p < end; p++) acc[ix.col[p]! - off]! += 1;
}

/**
 * scores = scale · Q Kᵀ per (t, b, head), masked cells 0.
 * qs, ks [T, B, K, d] (binary) -> [T, B, H, K, K]
 */
export function spikeScores(qs: Tensor, ks: Tensor, g: SpikeAttnGeom, scale: number): Tensor {
  const { T, B, K, H, d, causal, keyMask } = g;
  checkGeom("spikeScores: q", g, qs, [T, B, K, d]);
  checkGeom("spikeScores: k", g, ks, [T, B, K, d]);
  const rows = T * B * K;
  return jsOp2(
    qs,
    ks,
    [T, B, H, K, K],
    (q, k) => {
      const qi = indexSpikes(q, rows, d, H, true);
      const ki = indexSpikes(k, rows, d, H, true);
      const W = qi.W;
      const out = new Float32Array(T * B * H * K * K); // [T, B, H, K, K]
      for (let tb = 0; tb < T * B; tb++) {
        const b = tb % B;
        for (let h = 0; h < H; h++) {
          for (let i = 0; i < K; i++) {
            const qo = ((tb * K + i) * H + h) * W;
            const so = ((tb * H + h) * K + i) * K;
            const jEnd = causal ? i + 1 : K;
            for (let j = 0; j < jEnd; j++) {
              if (keyMask[b * K + j] === 0) continue;
              const ko = ((tb * K + j) * H + h) * W;
              let cnt = 0;
              for (let w = 0; w < W; w++) cnt += popcount(qi.bits[qo + w]! & ki.bits[ko + w]!);
              out[so + j] = cnt * scale;
            }
          }
        }
      }
      return { y: out, state: { qi, ki } };
    },
    (dS, { qi, ki }) => {
      const dq = new Float32Array(rows * d); // [T, B, K, d]
      const dk = new Float32Array(rows * d); // [T, B, K, d]
      for (let tb = 0; tb < T * B; tb++) {
        const b = tb % B;
        for (let h = 0; h < H; h++) {
          for (let i = 0; i < K; i++) {
            const qRow = tb * K + i;
            const qs0 = qi.start[qRow * H + h]!;
            const qs1 = qi.start[qRow * H + h + 1]!;
            const so = ((tb * H + h) * K + i) * K;
            const jEnd = causal ? i + 1 : K;
            for (let j = 0; j < jEnd; j++) {
              if (keyMask[b * K + j] === 0) continue;
              const gij = dS[so + j]! * scale;
              if (gij === 0) continue;
              const kRow = tb * K + j;
              const dqo = qRow * d;
              const ke = ki.start[kRow * H + h + 1]!;
              for (let p = ki.start[kRow * H + h]!; p < ke; p++) dq[dqo + ki.col[p]!]! += gij;
              const dko = kRow * d;
              for (let p = qs0; p < qs1; p++) dk[dko + qi.col[p]!]! += gij;
            }
          }
        }
      }
      return [dq, dk];
    },
  );
}

/**
 * "strl" attention core: mean over T of softmax(score spikes over the allowed keys) · V.
 * ss [T, B, H, K, K] (binary), vs [T, B, K, d] (binary) -> [B, K, d]
 */
export function spikeSoftmaxValue(ss: Tensor, vs: Tensor, g: SpikeAttnGeom): Tensor {
  const { T, B, K, H, d, causal, keyMask } = g;
  checkGeom("spikeSoftmaxValue: scores", g, ss, [T, B, H, K, K]);
  checkGeom("spikeSoftmaxValue: v", g, vs, [T, B, K, d]);
  const dh = d / H;
  const rows = T * B * K;
  const invT = 1 / T;
  return jsOp2(
    ss,
    vs,
    [B, K, d],
    (s, v) => {
      const vi = indexSpikes(v, rows, d, H, false);
      const out = new Float32Array(B * K * d); // [B, K, d]
      const a = new Float32Array(T * B * H * K); // [T, B, H, K] 1/Z of each softmax row (0: no allowed key)
      const run = new Float64Array(dh); // sum of V over the allowed keys
      const extra = new Float64Array(dh); // sum of V over the allowed keys whose score spiked
      for (let tb = 0; tb < T * B; tb++) {
        const b = tb % B;
        for (let h = 0; h < H; h++) {
          run.fill(0);
          let nKeys = 0;
          if (!causal) {
            for (let j = 0; j < K; j++) {
              if (keyMask[b * K + j] === 0) continue;
              addRow(vi, tb * K + j, h, run);
              nKeys++;
            }
          }
          for (let i = 0; i < K; i++) {
            if (causal && keyMask[b * K + i] === 1) {
              addRow(vi, tb * K + i, h, run);
              nKeys++;
            }
            const so = ((tb * H + h) * K + i) * K;
            const jEnd = causal ? i + 1 : K;
            extra.fill(0);
            let n1 = 0;
            for (let j = 0; j < jEnd; j++) {
              if (keyMask[b * K + j] === 0 || s[so + j] === 0) continue;
              n1++;
              addRow(vi, tb * K + j, h, extra);
            }
            const ai = nKeys === 0 ? 0 : 1 / (nKeys + E1 * n1);
            a[(tb * H + h) * K + i] = ai;
            if (ai === 0) continue;
            const w = ai * invT;
            const oo = (b * K + i) * d + h * dh;
            for (let c = 0; c < dh; c++) out[oo + c]! += w * (run[c]! + E1 * extra[c]!);
          }
        }
      }
      return { y: out, state: { s, vi, a } };
    },
    (dOut, { s, vi, a }) => {
      const dss = new Float32Array(T * B * H * K * K); // [T, B, H, K, K]
      const dv = new Float32Array(rows * d); // [T, B, K, d]
      const dp = new Float64Array(K); // dO_i · v_j for the allowed j
      const acc = new Float64Array(dh); // Σ a_i dO_i over the queries that see key j
      for (let tb = 0; tb < T * B; tb++) {
        const b = tb % B;
        for (let h = 0; h < H; h++) {
          const off = h * dh;
          // Softmax gradient per query row, and the e-weighted part of dV from the spiking scores.
          for (let i = 0; i < K; i++) {
            const ai = a[(tb * H + h) * K + i]!;
            if (ai === 0) continue;
            const dRow = (b * K + i) * d; // row of dOut [B, K, d]
            const so = ((tb * H + h) * K + i) * K;
            const jEnd = causal ? i + 1 : K;
            let m = 0;
            for (let j = 0; j < jEnd; j++) {
              if (keyMask[b * K + j] === 0) continue;
              const r = tb * K + j;
              let sum = 0;
              const pe = vi.start[r * H + h + 1]!;
              for (let p = vi.start[r * H + h]!; p < pe; p++) sum += dOut[dRow + vi.col[p]!]!;
              sum *= invT;
              dp[j] = sum;
              m += ai * (s[so + j] !== 0 ? Math.E : 1) * sum;
            }
            const coef = E1 * ai * invT;
            for (let j = 0; j < jEnd; j++) {
              if (keyMask[b * K + j] === 0) continue;
              const spiked = s[so + j] !== 0;
              const pij = ai * (spiked ? Math.E : 1);
              dss[so + j] = pij * (dp[j]! - m);
              if (spiked) {
                const vo = (tb * K + j) * d + off;
                for (let c = 0; c < dh; c++) dv[vo + c]! += coef * dOut[dRow + off + c]!;
              }
            }
          }
          // The 1/Z part of dV: key j collects a_i dO_i from every query i that may see it.
          acc.fill(0);
          if (causal) {
            for (let i = K - 1; i >= 0; i--) {
              const ai = a[(tb * H + h) * K + i]! * invT;
              if (ai !== 0) {
                const dRow = (b * K + i) * d + off;
                for (let c = 0; c < dh; c++) acc[c]! += ai * dOut[dRow + c]!;
              }
              if (keyMask[b * K + i] === 1) {
                const vo = (tb * K + i) * d + off;
                for (let c = 0; c < dh; c++) dv[vo + c]! += acc[c]!;
              }
            }
          } else {
            for (let i = 0; i < K; i++) {
              const ai = a[(tb * H + h) * K + i]! * invT;
              if (ai === 0) continue;
              const dRow = (b * K + i) * d + off;
              for (let c = 0; c < dh; c++) acc[c]! += ai * dOut[dRow + c]!;
            }
            for (let j = 0; j < K; j++) {
              if (keyMask[b * K + j] === 0) continue;
              const vo = (tb * K + j) * d + off;
              for (let c = 0; c < dh; c++) dv[vo + c]! += acc[c]!;
            }
          }
        }
      }
      return [dss, dv];
    },
  );
}

/**
 * "spike-driven" attention core: (scores ⊙ mask) · V per (t, b, head), no softmax.
 * scores [T, B, H, K, K] (real), vs [T, B, K, d] (binary) -> [T, B, K, d]
 */
export function spikeScoreValue(scores: Tensor, vs: Tensor, g: SpikeAttnGeom): Tensor {
  const { T, B, K, H, d, causal, keyMask } = g;
  checkGeom("spikeScoreValue: scores", g, scores, [T, B, H, K, K]);
  checkGeom("spikeScoreValue: v", g, vs, [T, B, K, d]);
  const dh = d / H;
  const rows = T * B * K;
  return jsOp2(
    scores,
    vs,
    [T, B, K, d],
    (s, v) => {
      const vi = indexSpikes(v, rows, d, H, false);
      const y = new Float32Array(rows * d); // [T, B, K, d]
      for (let tb = 0; tb < T * B; tb++) {
        const b = tb % B;
        for (let h = 0; h < H; h++) {
          for (let i = 0; i < K; i++) {
            const so = ((tb * H + h) * K + i) * K;
            const yo = (tb * K + i) * d;
            const jEnd = causal ? i + 1 : K;
            for (let j = 0; j < jEnd; j++) {
              const sij = s[so + j]!;
              if (sij === 0 || keyMask[b * K + j] === 0) continue;
              const r = tb * K + j;
              const pe = vi.start[r * H + h + 1]!;
              for (let p = vi.start[r * H + h]!; p < pe; p++) y[yo + vi.col[p]!]! += sij;
            }
          }
        }
      }
      return { y, state: { s, vi } };
    },
    (dy, { s, vi }) => {
      const dS = new Float32Array(T * B * H * K * K); // [T, B, H, K, K]
      const dv = new Float32Array(rows * d); // [T, B, K, d]
      for (let tb = 0; tb < T * B; tb++) {
        const b = tb % B;
        for (let h = 0; h < H; h++) {
          const off = h * dh;
          for (let i = 0; i < K; i++) {
            const so = ((tb * H + h) * K + i) * K;
            const yo = (tb * K + i) * d;
            const jEnd = causal ? i + 1 : K;
            for (let j = 0; j < jEnd; j++) {
              if (keyMask[b * K + j] === 0) continue;
              const r = tb * K + j;
              let sum = 0;
              const pe = vi.start[r * H + h + 1]!;
              for (let p = vi.start[r * H + h]!; p < pe; p++) sum += dy[yo + vi.col[p]!]!;
              dS[so + j] = sum;
              const sij = s[so + j]!;
              if (sij !== 0) {
                const vo = r * d + off;
                for (let c = 0; c < dh; c++) dv[vo + c]! += sij * dy[yo + off + c]!;
              }
            }
          }
        }
      }
      return [dS, dv];
    },
  );
}
