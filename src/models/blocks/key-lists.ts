/**
 * The allowed score cells of spiking self-attention (which keys each query may attend) and where those cells
 * sit, for the firing-rate monitor and the spike raster.
 */
import type { SpikeDetail } from "../../snn/index.js";

/**
 * The keys each query row may attend, as lists: row r = b·K + i holds keys[start[r] .. start[r+1]). Score cells
 * of one time step are laid out by (b, h, i, key): cell(b, h, i, m) = base[b] + h·perHead[b] + (start[b·K+i] -
 * start[b·K]) + m.
 */
export interface KeyLists {
  start: Int32Array; // [B·K + 1]
  keys: Int32Array; // [cells of one head]
  perHead: Int32Array; // [B] cells of one head in batch row b
  base: Int32Array; // [B] first cell of batch row b
  nCells: number; // cells per time step (all heads)
}

export function keyLists(B: number, K: number, H: number, causal: boolean, km: Uint8Array): KeyLists {
  const start = new Int32Array(B * K + 1);
  const keys: number[] = [];
  const perHead = new Int32Array(B);
  const base = new Int32Array(B);
  let nCells = 0;
  for (let b = 0; b < B; b++) {
    const first = keys.length;
    for (let i = 0; i < K; i++) {
      start[b * K + i] = keys.length;
      const jEnd = causal ? i + 1 : K;
      for (let j = 0; j < jEnd; j++) if (km[b * K + j] === 1) keys.push(j);
    }
    perHead[b] = keys.length - first;
    base[b] = nCells;
    nCells += H * perHead[b]!;
  }
  start[B * K] = keys.length;
  return { start, keys: Int32Array.from(keys), perHead, base, nCells };
}

/**
 * Where the score LIF's cells sit: cell -> query row b·K + i (from the key lists), and its input events, the
 * q·k coincidences of the cell (its scaled score / scale; at most dh = d / H per cell and step).
 */
export function scoreDetail(d: Float32Array, sc: Float32Array, kl: KeyLists, o: { B: number; K: number; H: number; scale: number; dh: number }): SpikeDetail {
  const { B, K, H, scale, dh } = o;
  const rowOf = (): Int32Array => {
    const out = new Int32Array(kl.nCells);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < K; i++) {
          const r = b * K + i;
          const c0 = kl.base[b]! + h * kl.perHead[b]! + (kl.start[r]! - kl.start[b * K]!);
          out.fill(r, c0, c0 + (kl.start[r + 1]! - kl.start[r]!));
        }
      }
    }
    return out;
  };
  const perStep = (): Float32Array => sc.map((v) => Math.round(v / scale));
  return { d, n: kl.nCells, rows: B * K, rowOf, events: { perStep, max: dh } };
}
