/**
 * A float64 reference of the fused softmax attention (native/src/attention_kernels.h), loop by loop, with the
 * kernel's dropout hash redone in BigInt: the tests check the kernel's forward against it and its gradients
 * against the reference's central finite differences.
 */
import type { AttentionSpec } from "../../src/tensor/native/engine.js";

const M64 = (1n << 64n) - 1n;

/** The kernel's keep decision of one cell: SplitMix64's finaliser of seed + cell · golden ratio. */
export function keepCell(seed: readonly [number, number], cell: number, p: number): boolean {
  let z = ((BigInt(seed[1]) << 32n) | BigInt(seed[0])) + BigInt(cell) * 0x9e3779b97f4a7c15n;
  z &= M64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
  z ^= z >> 31n;
  return Number(z >> 40n) / 16777216 >= p;
}

/** The keep mask of a call, 1 / 0 per cell [B, H, L, L] (all 1 when p = 0). */
export function keepMask(s: AttentionSpec): Uint8Array {
  const n = s.B * s.H * s.L * s.L;
  const m = new Uint8Array(n).fill(1);
  if (s.p > 0) for (let c = 0; c < n; c++) m[c] = keepCell(s.seed, c, s.p) ? 1 : 0;
  return m;
}

const GELU_C = Math.sqrt(2 / Math.PI);

function act(name: AttentionSpec["act"], x: number): number {
  if (name === "relu") return x > 0 ? x : 0;
  if (name === "gelu") return 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
  return x;
}

/** qkv [B, L, 3d] -> out [B, L, d] in float64; `keep` [B, H, L, L] from keepMask. */
export function referenceForward(s: AttentionSpec, qkv: ArrayLike<number>, keep: Uint8Array): Float64Array {
  const { B, L, H, dh } = s;
  const d = H * dh;
  const out = new Float64Array(B * L * d); // [B, L, d]
  const a = new Float64Array(L);
  const kf = 1 / (1 - s.p);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < L; i++) {
        let mx = -Infinity;
        for (let j = 0; j < L; j++) {
          if (s.keyMask[b * L + j] !== 1 || (s.causal && j > i)) {
            a[j] = -Infinity;
            continue;
          }
          let dot = 0;
          for (let c = 0; c < dh; c++) dot += qkv[(b * L + i) * 3 * d + h * dh + c]! * qkv[(b * L + j) * 3 * d + d + h * dh + c]!;
          a[j] = act(s.act, s.scale * dot);
          mx = Math.max(mx, a[j]!);
        }
        if (mx === -Infinity) continue; // no allowed key: 0
        let z = 0;
        for (let j = 0; j < L; j++) z += a[j] === -Infinity ? 0 : Math.exp(a[j]! - mx);
        for (let j = 0; j < L; j++) {
          if (a[j] === -Infinity || keep[((b * H + h) * L + i) * L + j] === 0) continue;
          const w = (Math.exp(a[j]! - mx) / z) * kf;
          for (let c = 0; c < dh; c++) out[(b * L + i) * d + h * dh + c] += w * qkv[(b * L + j) * 3 * d + 2 * d + h * dh + c]!;
        }
      }
    }
  }
  return out;
}

/** Central differences of Σ w ⊙ referenceForward(qkv) at the coordinates `at` (step eps, float64). */
export function referenceGrad(s: AttentionSpec, qkv: Float32Array, w: ArrayLike<number>, at: number[], eps = 1e-6): Map<number, number> {
  const keep = keepMask(s);
  const x = Float64Array.from(qkv);
  const loss = () => {
    const y = referenceForward(s, x, keep);
    let t = 0;
    for (let i = 0; i < y.length; i++) t += y[i]! * w[i]!;
    return t;
  };
  const g = new Map<number, number>();
  for (const c of at) {
    const x0 = x[c]!;
    x[c] = x0 + eps;
    const up = loss();
    x[c] = x0 - eps;
    const down = loss();
    x[c] = x0;
    g.set(c, (up - down) / (2 * eps));
  }
  return g;
}
