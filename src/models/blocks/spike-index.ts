/**
 * Index structures over a binary spike matrix [rows, d] split into H heads of dh = d / H columns, so attention
 * products on spikes cost work in proportion to the spikes, not to the dense size:
 * - `start`/`col`: the column of every spike, row by row and head by head (CSR);
 * - `bits` (optional): each (row, head) slice packed into W = ceil(dh / 32) 32-bit words, for popcount dot
 *   products of two spike vectors.
 */
export interface SpikeRows {
  rows: number;
  d: number;
  H: number;
  dh: number;
  /** [rows * H + 1] offsets into `col` of each (row, head) slice */
  start: Int32Array;
  /** [nnz] column (0 .. d-1) of each spike */
  col: Int32Array;
  /** words per (row, head) slice in `bits` */
  W: number;
  /** [rows * H * W] packed bits, or empty when not asked for */
  bits: Int32Array;
}

/** Indexes the spikes of s [rows, d] (values exactly 0 or 1). */
export function indexSpikes(s: Float32Array, rows: number, d: number, H: number, withBits: boolean): SpikeRows {
  const dh = d / H;
  let nnz = 0;
  for (let i = 0; i < rows * d; i++) if (s[i] !== 0) nnz++;
  const start = new Int32Array(rows * H + 1); // [rows * H + 1]
  const col = new Int32Array(nnz); // [nnz]
  const W = Math.ceil(dh / 32);
  const bits = new Int32Array(withBits ? rows * H * W : 0); // [rows * H * W]
  let p = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * d;
    for (let h = 0; h < H; h++) {
      const slot = r * H + h;
      start[slot] = p;
      const c0 = h * dh;
      for (let c = 0; c < dh; c++) {
        if (s[base + c0 + c] !== 0) {
          col[p++] = c0 + c;
          if (withBits) bits[slot * W + (c >>> 5)]! |= 1 << (c & 31);
        }
      }
    }
  }
  start[rows * H] = p;
  return { rows, d, H, dh, start, col, W, bits };
}

/** Number of set bits of a 32-bit integer. */
export function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
