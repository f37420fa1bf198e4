/**
 * The fused softmax attention op (src/models/blocks/fused-attention.ts) against the composed tfjs ops
 * (real-attention.ts): values and gradients of q, k and v, dropout off (the models' own composed path) and on
 * (the composed ops with the kernel's keep mask), on odd shapes with whole padded rows.
 */
import { after, before, describe, it } from "node:test";
import {
  Rng, activation, add, bmm, grads, mul, nativeEngine, ready, reshape, slice, softmax, sum, tensor, tidy, transpose, type AttentionSpec, type Tensor,
} from "../../../src/tensor/index.js";
import { fusedAttention, setAttentionPath, attentionPath } from "../../../src/models/blocks/fused-attention.js";
import { additiveMask, attentionMask, rowsWithKeys, softmaxAttention } from "../../../src/models/blocks/real-attention.js";
import { keepMask } from "../../native/attention-reference.js";
import { assertClose } from "../../helpers.js";

interface Case {
  B: number;
  L: number;
  H: number;
  dh: number;
  causal: boolean;
  act?: "relu" | "gelu";
  p: number;
}

const CASES: Case[] = [
  { B: 3, L: 1, H: 2, dh: 3, causal: true, p: 0 },
  { B: 3, L: 7, H: 2, dh: 5, causal: true, p: 0 },
  { B: 3, L: 7, H: 3, dh: 4, causal: false, act: "relu", p: 0 },
  { B: 3, L: 100, H: 2, dh: 8, causal: true, act: "gelu", p: 0 },
  { B: 3, L: 7, H: 2, dh: 4, causal: true, p: 0.3 },
  { B: 3, L: 100, H: 3, dh: 4, causal: true, act: "relu", p: 0.1 },
];

/** Batch row 1 left-padded by 3 steps (whole padded query rows when causal), the last row all padding. */
function keyMaskOf(B: number, L: number): Uint8Array {
  const m = new Uint8Array(B * L).fill(1); // [B, L]
  m.fill(0, L, L + Math.min(3, L));
  m.fill(0, (B - 1) * L, B * L);
  return m;
}

/** The composed ops with an explicit keep mask [B, H, L, L] (0 / 1): qkv [B, L, 3d] -> [B, L, d] */
function composedWithMask(qkv: Tensor, c: Case, keyMask: Uint8Array, keep: Uint8Array): Tensor {
  const { B, L, H, dh } = c;
  const d = H * dh;
  const split = (off: number, perm: number[]) => transpose(reshape(slice(qkv, [0, 0, off], [B, L, d]), [B, L, H, dh]), perm);
  const q = reshape(split(0, [0, 2, 1, 3]), [B * H, L, dh]); // [B·H, L, dh]
  const kT = reshape(split(d, [0, 2, 3, 1]), [B * H, dh, L]); // [B·H, dh, L]
  const v = reshape(split(2 * d, [0, 2, 1, 3]), [B * H, L, dh]); // [B·H, L, dh]
  let s = reshape(mul(bmm(q, kT), 1 / Math.sqrt(dh)), [B, H, L, L]); // [B, H, L, L]
  if (c.act) s = activation(s, c.act);
  const keepF = Float32Array.from(keep, (k) => (k ? 1 / (1 - c.p) : 0)); // [B, H, L, L]
  const att = mul(softmax(add(s, additiveMask(keyMask, B, L, c.causal)), -1), tensor(keepF, [B, H, L, L])); // [B, H, L, L]
  const y = reshape(transpose(reshape(bmm(reshape(att, [B * H, L, L]), v), [B, H, L, dh]), [0, 2, 1, 3]), [B, L, d]); // [B, L, d]
  const rows = rowsWithKeys(keyMask, B, L, c.causal); // [B, L, 1]
  return rows ? mul(y, rows) : y;
}

describe("fused softmax attention op vs the composed tfjs ops", () => {
  let engine: ReturnType<typeof nativeEngine>;
  let path0: ReturnType<typeof attentionPath>;
  before(async () => {
    await ready();
    engine = nativeEngine();
    path0 = attentionPath();
  });
  after(() => setAttentionPath(path0));

  for (const c of CASES) {
    const label = `B ${c.B}, L ${c.L}, H ${c.H}, dh ${c.dh}, ${c.causal ? "causal" : "non-causal"}, act ${c.act ?? "none"}, dropout ${c.p}`;
    it(`values and d qkv agree (${label})`, (t) => {
      if (!engine) return t.skip("native engine not loaded");
      const rng = new Rng(11);
      const d = c.H * c.dh;
      const x = tensor(rng.fillNormal(new Float32Array(c.B * c.L * 3 * d)), [c.B, c.L, 3 * d]); // [B, L, 3d]
      const w = tensor(rng.fillNormal(new Float32Array(c.B * c.L * d)), [c.B, c.L, d]); // [B, L, d]
      const keyMask = keyMaskOf(c.B, c.L);
      const scale = 1 / Math.sqrt(c.dh);
      const dropRng = new Rng(5);
      const drop = c.p > 0 ? { p: c.p, rng: dropRng, training: true } : undefined;
      let fused: (q: Tensor) => Tensor;
      let composed: (q: Tensor) => Tensor;
      if (c.p === 0) {
        // the models' own entry point on both paths
        const mask = { keyMask, causal: c.causal };
        const viaPath = (p: "fused" | "composed") => (q: Tensor) => {
          setAttentionPath(p);
          const m = p === "composed" ? attentionMask(keyMask, c.B, c.L, c.causal) : mask;
          return softmaxAttention(q, { nHeads: c.H, scale, scoreAct: c.act, mask: m });
        };
        fused = viaPath("fused");
        composed = viaPath("composed");
      } else {
        // the seed the op draws from the Rng, for the reference's keep mask
        const probe = new Rng(5);
        const seed = [probe.nextU32(), probe.nextU32()] as const;
        const spec = { B: c.B, L: c.L, H: c.H, dh: c.dh, p: c.p, seed } as AttentionSpec;
        const keep = keepMask(spec);
        fused = (q) => fusedAttention(engine!, q, { nHeads: c.H, scale, scoreAct: c.act, keyMask, causal: c.causal, dropout: drop });
        composed = (q) => composedWithMask(q, c, keyMask, keep);
      }
      const run = (f: (q: Tensor) => Tensor) => {
        if (drop) dropRng.setState(new Rng(5).getState());
        const y = tidy(() => f(x)).dataSync();
        if (drop) dropRng.setState(new Rng(5).getState());
        const [g] = grads((q: Tensor) => sum(mul(f(q), w)))([x]);
        return { y, g: g!.dataSync() };
      };
      const a = run(fused);
      const b = run(composed);
      assertClose(a.y, b.y, 2e-5, "out");
      assertClose(a.g, b.g, 2e-4, "d qkv");
    });
  }
});
