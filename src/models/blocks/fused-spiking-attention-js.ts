/**
 * The JS loops of the fused spiking self-attention between its LIFs: the wasm / browser engine's path (the native
 * engine runs the same passes in native/src/ssa_*_kernels.cc). One function per pass, each backward beside its forward:
 *
 *   scoresForward          scores = scale · (q spikes · k spikes) on the allowed cells        [T, nCells]
 *   "strl":
 *     (score LIF)          score spikes = LIF(scores)                                         [T, nCells]
 *     softmaxValueForward  out = mean over T of softmax(score spikes) · v spikes              [B, K, d]
 *   "spike-driven":
 *     drivenValueForward   y = scores · v spikes (no softmax), then the output LIF's mean     [T, B, K, d]
 *
 * What "softmax · V" computes: the score spikes are 0 or 1, so exp gives each allowed key a weight of 1 (no spike)
 * or e (spike) and Z = (allowed keys) + (e - 1)·(spiking keys). Each output row is therefore
 * (Σ_allowed v_j + (e - 1)·Σ_spiking v_j) / Z: a running sum of the v spikes of every allowed key plus the extra
 * weight of the keys whose score spiked. The forward keeps 1/Z per (t, b, h, i) for the backward.
 *
 * Layouts: q, k, v spikes and their gradients are [T, B, K, d] (query row r = b·K + i; head h in columns
 * [h·dh, (h+1)·dh)); the spikes are read through their indexes (`SpikeRows`). Score cells are [T, nCells], laid
 * out by the key lists (`KeyLists`): the cell of (t, b, h, query i, m-th allowed key) is `cellBase(t, b, h) + m`.
 */
import type { KeyLists } from "./key-lists.js";
import { popcount, type SpikeRows } from "./spike-index.js";

/** The shape of one call and which keys each query may attend. */
export interface SsaGeometry {
  T: number;
  B: number;
  K: number;
  /** width of q, k, v and the output */
  d: number;
  nHeads: number;
  /** head width d / nHeads */
  dh: number;
  causal: boolean;
  /** [B, K] 1 = real step, 0 = padding */
  keyMask: Uint8Array;
  /** the allowed keys of each query (key j real, and j <= i when causal) and where their score cells sit */
  allowed: KeyLists;
}

/** The extra softmax weight of a key whose score spiked: e^1 - e^0. */
const E_MINUS_1 = Math.E - 1;

/** Index of the score cells of (t, b, h): the cell of the m-th allowed key (m from `allowed.start`) is this + m. */
function cellBase(g: SsaGeometry, t: number, b: number, h: number): number {
  const { allowed: kl, K } = g;
  return t * kl.nCells + kl.base[b]! + h * kl.perHead[b]! - kl.start[b * K]!;
}

/** Adds the spikes of (row, head h) of `spikes` into acc[0 .. dh). */
function addHeadSpikes(spikes: SpikeRows, row: number, h: number, acc: Float64Array): void {
  const off = h * spikes.dh;
  const end = spikes.start[row * spikes.H + h + 1]!;
  for (let p = spikes.start[row * spikes.H + h]!; p < end; p++) acc[spikes.col[p]! - off]! += 1;
}

/**
 * scores [T, nCells] = scale · (number of columns of the head where q and k both spiked), on the allowed cells:
 * popcounts of the packed spike bits of the query and key rows.
 */
export function scoresForward(g: SsaGeometry, qSpikes: SpikeRows, kSpikes: SpikeRows, scale: number): Float32Array {
  const { T, B, K, nHeads, allowed } = g;
  const scores = new Float32Array(T * allowed.nCells); // [T, nCells]
  const W = qSpikes.W; // 32-bit words per (row, head)
  const qBits = qSpikes.bits;
  const kBits = kSpikes.bits;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const tb = t * B + b;
      for (let h = 0; h < nHeads; h++) {
        const c0 = cellBase(g, t, b, h);
        for (let i = 0; i < K; i++) {
          const qo = ((tb * K + i) * nHeads + h) * W;
          const mEnd = allowed.start[b * K + i + 1]!;
          for (let m = allowed.start[b * K + i]!; m < mEnd; m++) {
            const ko = ((tb * K + allowed.keys[m]!) * nHeads + h) * W;
            let both = 0;
            for (let w = 0; w < W; w++) both += popcount(qBits[qo + w]! & kBits[ko + w]!);
            scores[c0 + m] = both * scale;
          }
        }
      }
    }
  }
  return scores;
}

/**
 * In the forward pass the scores were scale · Σ_c q_ic k_jc on the allowed cells, so now dScores (d loss / d
 * score, [T, nCells]) gives dq_ic += scale · dScore_ij · k_jc and dk_jc += scale · dScore_ij · q_ic.
 * Returns the spike gradients of q and k, [T, B, K, d] each.
 */
export function scoresBackward(
  g: SsaGeometry, dScores: Float32Array, qSpikes: SpikeRows, kSpikes: SpikeRows, scale: number,
): { dq: Float32Array; dk: Float32Array } {
  const { T, B, K, d, nHeads, allowed } = g;
  const dq = new Float32Array(T * B * K * d); // [T, B, K, d]
  const dk = new Float32Array(T * B * K * d); // [T, B, K, d]
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const tb = t * B + b;
      for (let h = 0; h < nHeads; h++) {
        const c0 = cellBase(g, t, b, h);
        for (let i = 0; i < K; i++) {
          const qRow = tb * K + i;
          const qStart = qSpikes.start[qRow * nHeads + h]!;
          const qEnd = qSpikes.start[qRow * nHeads + h + 1]!;
          const mEnd = allowed.start[b * K + i + 1]!;
          for (let m = allowed.start[b * K + i]!; m < mEnd; m++) {
            const gScore = dScores[c0 + m]! * scale;
            if (gScore === 0) continue;
            const kRow = tb * K + allowed.keys[m]!;
            const kEnd = kSpikes.start[kRow * nHeads + h + 1]!;
            for (let p = kSpikes.start[kRow * nHeads + h]!; p < kEnd; p++) dq[qRow * d + kSpikes.col[p]!]! += gScore;
            for (let p = qStart; p < qEnd; p++) dk[kRow * d + qSpikes.col[p]!]! += gScore;
          }
        }
      }
    }
  }
  return { dq, dk };
}

/** "spike-driven": y [T, B, K, d] = the scores (on the allowed cells) times the v spikes, per head. */
export function drivenValueForward(g: SsaGeometry, scores: Float32Array, vSpikes: SpikeRows): Float32Array {
  const { T, B, K, d, nHeads, allowed } = g;
  const y = new Float32Array(T * B * K * d); // [T, B, K, d]
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const tb = t * B + b;
      for (let h = 0; h < nHeads; h++) {
        const c0 = cellBase(g, t, b, h);
        for (let i = 0; i < K; i++) {
          const yo = (tb * K + i) * d;
          const mEnd = allowed.start[b * K + i + 1]!;
          for (let m = allowed.start[b * K + i]!; m < mEnd; m++) {
            const score = scores[c0 + m]!;
            if (score === 0) continue;
            const row = (tb * K + allowed.keys[m]!) * nHeads + h;
            const pEnd = vSpikes.start[row + 1]!;
            for (let p = vSpikes.start[row]!; p < pEnd; p++) y[yo + vSpikes.col[p]!]! += score;
          }
        }
      }
    }
  }
  return y;
}

/**
 * In the forward pass y_ic = Σ_j score_ij v_jc (per head, allowed cells), so now dy (the output LIF's input
 * gradient, [T, B, K, d]) gives dScore_ij = Σ_c dy_ic v_jc and dv_jc += score_ij dy_ic.
 * Returns dScores [T, nCells] and the v spike gradient [T, B, K, d].
 */
export function drivenValueBackward(
  g: SsaGeometry, dy: Float32Array, scores: Float32Array, vSpikes: SpikeRows,
): { dScores: Float32Array; dv: Float32Array } {
  const { T, B, K, d, nHeads, dh, allowed } = g;
  const dScores = new Float32Array(T * allowed.nCells); // [T, nCells]
  const dv = new Float32Array(T * B * K * d); // [T, B, K, d]
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const tb = t * B + b;
      for (let h = 0; h < nHeads; h++) {
        const c0 = cellBase(g, t, b, h);
        const off = h * dh;
        for (let i = 0; i < K; i++) {
          const yo = (tb * K + i) * d;
          const mEnd = allowed.start[b * K + i + 1]!;
          for (let m = allowed.start[b * K + i]!; m < mEnd; m++) {
            const keyRow = tb * K + allowed.keys[m]!;
            const row = keyRow * nHeads + h;
            let sum = 0;
            const pEnd = vSpikes.start[row + 1]!;
            for (let p = vSpikes.start[row]!; p < pEnd; p++) sum += dy[yo + vSpikes.col[p]!]!;
            dScores[c0 + m] = sum;
            const score = scores[c0 + m]!;
            if (score !== 0) {
              const vo = keyRow * d + off;
              for (let c = 0; c < dh; c++) dv[vo + c]! += score * dy[yo + off + c]!;
            }
          }
        }
      }
    }
  }
  return { dScores, dv };
}

/**
 * "strl": out [B, K, d] = the mean over T of softmax(score spikes) · v spikes over each query's allowed keys (see
 * the module comment), and invZ [T, B, H, K] = 1/Z per query (0 for a query with no allowed key, whose output is 0).
 */
export function softmaxValueForward(
  g: SsaGeometry, scoreSpikes: Float32Array, vSpikes: SpikeRows,
): { out: Float32Array; invZ: Float32Array } {
  const { T, B, K, d, nHeads, dh, causal, keyMask, allowed } = g;
  const invT = 1 / T;
  const out = new Float32Array(B * K * d); // [B, K, d]
  const invZ = new Float32Array(T * B * nHeads * K); // [T, B, H, K]
  const allKeys = new Float64Array(dh); // Σ v_j over the allowed keys (a running sum when causal)
  const spikingKeys = new Float64Array(dh); // Σ v_j over the keys whose score spiked
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const tb = t * B + b;
      for (let h = 0; h < nHeads; h++) {
        const c0 = cellBase(g, t, b, h);
        allKeys.fill(0);
        if (!causal) for (let j = 0; j < K; j++) if (keyMask[b * K + j] === 1) addHeadSpikes(vSpikes, tb * K + j, h, allKeys);
        for (let i = 0; i < K; i++) {
          if (causal && keyMask[b * K + i] === 1) addHeadSpikes(vSpikes, tb * K + i, h, allKeys);
          const mStart = allowed.start[b * K + i]!;
          const mEnd = allowed.start[b * K + i + 1]!;
          if (mEnd === mStart) continue; // no allowed key: output 0, invZ = 0
          spikingKeys.fill(0);
          let nSpiking = 0;
          for (let m = mStart; m < mEnd; m++) {
            if (scoreSpikes[c0 + m] === 0) continue;
            nSpiking++;
            addHeadSpikes(vSpikes, tb * K + allowed.keys[m]!, h, spikingKeys);
          }
          const iz = 1 / (mEnd - mStart + E_MINUS_1 * nSpiking);
          invZ[(tb * nHeads + h) * K + i] = iz;
          const w = iz * invT;
          const oo = (b * K + i) * d + h * dh;
          for (let c = 0; c < dh; c++) out[oo + c]! += w * (allKeys[c]! + E_MINUS_1 * spikingKeys[c]!);
        }
      }
    }
  }
  return { out, invZ };
}

/**
 * In the forward pass out_i = (1/T) Σ_t Σ_j P_ij v_j with P_ij = (e if the score spiked, else 1) / Z_i over the
 * allowed keys, so now, from dOut [B, K, d]:
 * - the softmax's gradient: with dP_ij = (1/T) Σ_c dOut_ic v_jc, dScoreSpike_ij = P_ij (dP_ij - Σ_j' P_ij' dP_ij');
 * - dv_j += Σ_i P_ij dOut_i / T, in two parts: the e-weighted extra ((e - 1)/Z_i on the spiked cells) per query,
 *   then the 1/Z part, which key j collects from every query that may attend it (a running sum when causal).
 * Returns dScoreSpikes [T, nCells] (before the score LIF's backward) and the v spike gradient [T, B, K, d].
 */
export function softmaxValueBackward(
  g: SsaGeometry, dOut: Float32Array, scoreSpikes: Float32Array, invZ: Float32Array, vSpikes: SpikeRows,
): { dScoreSpikes: Float32Array; dv: Float32Array } {
  const { T, B, K, d, nHeads, dh, causal, keyMask, allowed } = g;
  const invT = 1 / T;
  const dScoreSpikes = new Float32Array(T * allowed.nCells); // [T, nCells]
  const dv = new Float32Array(T * B * K * d); // [T, B, K, d]
  const dP = new Float64Array(K); // dP_ij of one query row, by allowed-key position
  const fromQueries = new Float64Array(dh); // Σ_i dOut_i / (T Z_i) over the queries that may attend the key
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const tb = t * B + b;
      for (let h = 0; h < nHeads; h++) {
        const c0 = cellBase(g, t, b, h);
        const off = h * dh;
        // the softmax's gradient per query row, and the e-weighted part of dV from the spiking scores
        for (let i = 0; i < K; i++) {
          const iz = invZ[(tb * nHeads + h) * K + i]!;
          if (iz === 0) continue;
          const dRow = (b * K + i) * d;
          const mStart = allowed.start[b * K + i]!;
          const mEnd = allowed.start[b * K + i + 1]!;
          let mean = 0;
          for (let m = mStart; m < mEnd; m++) {
            const row = (tb * K + allowed.keys[m]!) * nHeads + h;
            let sum = 0;
            const pEnd = vSpikes.start[row + 1]!;
            for (let p = vSpikes.start[row]!; p < pEnd; p++) sum += dOut[dRow + vSpikes.col[p]!]!;
            sum *= invT;
            dP[m - mStart] = sum;
            mean += iz * (scoreSpikes[c0 + m] !== 0 ? Math.E : 1) * sum;
          }
          const extraWeight = E_MINUS_1 * iz * invT;
          for (let m = mStart; m < mEnd; m++) {
            const spiked = scoreSpikes[c0 + m] !== 0;
            dScoreSpikes[c0 + m] = iz * (spiked ? Math.E : 1) * (dP[m - mStart]! - mean);
            if (spiked) {
              const vo = (tb * K + allowed.keys[m]!) * d + off;
              for (let c = 0; c < dh; c++) dv[vo + c]! += extraWeight * dOut[dRow + off + c]!;
            }
          }
        }
        // the 1/Z part of dV: key j collects invZ_i dOut_i / T from every query i that may attend it
        fromQueries.fill(0);
        if (causal) {
          for (let i = K - 1; i >= 0; i--) {
            const w = invZ[(tb * nHeads + h) * K + i]! * invT;
            if (w !== 0) for (let c = 0; c < dh; c++) fromQueries[c]! += w * dOut[(b * K + i) * d + off + c]!;
            if (keyMask[b * K + i] === 1) {
              const vo = (tb * K + i) * d + off;
              for (let c = 0; c < dh; c++) dv[vo + c]! += fromQueries[c]!;
            }
          }
        } else {
          for (let i = 0; i < K; i++) {
            const w = invZ[(tb * nHeads + h) * K + i]! * invT;
            if (w !== 0) for (let c = 0; c < dh; c++) fromQueries[c]! += w * dOut[(b * K + i) * d + off + c]!;
          }
          for (let j = 0; j < K; j++) {
            if (keyMask[b * K + j] === 0) continue;
            const vo = (tb * K + j) * d + off;
            for (let c = 0; c < dh; c++) dv[vo + c]! += fromQueries[c]!;
          }
        }
      }
    }
  }
  return { dScoreSpikes, dv };
}
