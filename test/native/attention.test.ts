import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadAddon } from "../../src/tensor/native/addon.js";
import { nativeEngineOf, type AttentionSpec } from "../../src/tensor/native/engine.js";
import { Rng } from "../../src/tensor/rng.js";
import { keepMask, referenceForward, referenceGrad } from "./attention-reference.js";
import { assertClose } from "../helpers.js";

const { addon, why } = loadAddon();
const skip = addon ? false : `native addon not available: ${why}`;
const engine = addon ? nativeEngineOf(addon) : undefined;
const threads0 = addon ? addon.threads() : 1;

/** Key masks with whole padded rows: batch row 1 left-padded by `pad` steps, the last batch row all padding. */
function keyMaskOf(B: number, L: number, pad: number, emptyLast: boolean): Uint8Array {
  const m = new Uint8Array(B * L).fill(1); // [B, L]
  if (B > 1) m.fill(0, L, L + Math.min(pad, L));
  if (emptyLast && B > 2) m.fill(0, (B - 1) * L, B * L);
  return m;
}

interface Case {
  B: number;
  L: number;
  H: number;
  dh: number;
  causal: boolean;
  act: AttentionSpec["act"];
  p: number;
  pad: number;
  emptyLast: boolean;
}

const CASES: Case[] = [
  { B: 1, L: 1, H: 2, dh: 3, causal: true, act: "none", p: 0, pad: 0, emptyLast: false },
  { B: 3, L: 1, H: 1, dh: 4, causal: false, act: "relu", p: 0, pad: 1, emptyLast: true },
  { B: 3, L: 7, H: 2, dh: 5, causal: true, act: "none", p: 0, pad: 3, emptyLast: true },
  { B: 3, L: 7, H: 3, dh: 4, causal: false, act: "relu", p: 0.3, pad: 2, emptyLast: true },
  { B: 2, L: 7, H: 2, dh: 3, causal: true, act: "gelu", p: 0.5, pad: 4, emptyLast: false },
  { B: 2, L: 100, H: 2, dh: 8, causal: true, act: "none", p: 0, pad: 10, emptyLast: false },
  { B: 3, L: 100, H: 3, dh: 4, causal: true, act: "gelu", p: 0.1, pad: 70, emptyLast: true },
  { B: 2, L: 100, H: 2, dh: 6, causal: false, act: "relu", p: 0.2, pad: 5, emptyLast: false },
];

function name(c: Case): string {
  return `B ${c.B}, L ${c.L}, H ${c.H}, dh ${c.dh}, ${c.causal ? "causal" : "non-causal"}, act ${c.act}, dropout ${c.p}, padding ${c.pad}${c.emptyLast ? " + an all-padding row" : ""}`;
}

function setup(c: Case, seed = 1) {
  const rng = new Rng(seed);
  const d = c.H * c.dh;
  const spec: AttentionSpec = {
    B: c.B, L: c.L, H: c.H, dh: c.dh, keyMask: keyMaskOf(c.B, c.L, c.pad, c.emptyLast), causal: c.causal,
    scale: 1 / Math.sqrt(c.dh), act: c.act, p: c.p, seed: [rng.nextU32(), rng.nextU32()],
  };
  const qkv = rng.fillNormal(new Float32Array(c.B * c.L * 3 * d)); // [B, L, 3d]
  const w = rng.fillNormal(new Float32Array(c.B * c.L * d)); // [B, L, d]: loss = Σ w ⊙ out
  return { spec, qkv, w, d };
}

function run(spec: AttentionSpec, qkv: Float32Array, dOut: Float32Array) {
  const d = spec.H * spec.dh;
  const out = new Float32Array(spec.B * spec.L * d); // [B, L, d]
  const lse = new Float32Array(spec.B * spec.H * spec.L); // [B, H, L]
  engine!.attentionForward({ ...spec, qkv, out, lse });
  const dqkv = new Float32Array(qkv.length).fill(NaN); // [B, L, 3d]: every element must be written
  engine!.attentionBackward({ ...spec, qkv, out, lse, dOut, dqkv });
  return { out, lse, dqkv };
}

function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) assert.fail(`${what}[${i}]: ${a[i]} != ${b[i]}`);
}

describe("native fused softmax attention", { skip }, () => {
  after(() => addon?.setThreads(threads0));

  for (const c of CASES) {
    it(`forward equals the float64 reference, gradients equal its central differences (${name(c)})`, () => {
      const { spec, qkv, w } = setup(c);
      const { out, dqkv } = run(spec, qkv, w);
      const keep = keepMask(spec);
      assertClose(out, referenceForward(spec, qkv, keep), 2e-5, "out");
      // every coordinate for small shapes, a sample of 80 for L = 100
      const rng = new Rng(7);
      const at = qkv.length <= 600 ? Array.from(qkv, (_, i) => i) : Array.from({ length: 80 }, () => rng.int(qkv.length));
      const fd = referenceGrad(spec, qkv, w, at);
      assertClose(at.map((i) => dqkv[i]!), at.map((i) => fd.get(i)!), 1e-4, "dqkv vs finite differences");
    });
  }

  it("rows with no allowed key output 0 and pass no gradient", () => {
    const c = CASES[2]!; // batch row 1 left-padded by 3, batch row 2 all padding, causal
    const { spec, qkv, w, d } = setup(c);
    const { out, lse, dqkv } = run(spec, qkv, w);
    for (const [b, i] of [[1, 0], [1, 2], [2, 0], [2, 6]] as const) {
      for (let x = 0; x < d; x++) assert.equal(out[(b * c.L + i) * d + x], 0);
      for (let h = 0; h < c.H; h++) assert.equal(lse[(b * c.H + h) * c.L + i], Infinity);
      for (let x = 0; x < d; x++) assert.equal(dqkv[(b * c.L + i) * 3 * d + x], 0, "no gradient to the query");
    }
    // all-padding batch row: nothing at all
    for (let x = 2 * c.L * 3 * d; x < 3 * c.L * 3 * d; x++) assert.equal(dqkv[x], 0);
  });

  it("with dropout, the backward is the gradient of the same forward (float32 central differences of the kernel itself)", () => {
    const c: Case = { B: 2, L: 9, H: 2, dh: 3, causal: true, act: "none", p: 0.4, pad: 2, emptyLast: false };
    const { spec, qkv, w } = setup(c, 3);
    const { dqkv } = run(spec, qkv, w);
    const loss = (x: Float32Array) => {
      const { out } = run(spec, x, w);
      let t = 0;
      for (let i = 0; i < out.length; i++) t += out[i]! * w[i]!;
      return t;
    };
    const eps = 1e-2;
    for (let i = 0; i < qkv.length; i += 5) {
      const x = qkv.slice();
      x[i] = qkv[i]! + eps;
      const up = loss(x);
      x[i] = qkv[i]! - eps;
      const fd = (up - loss(x)) / (2 * eps);
      assert.ok(Math.abs(fd - dqkv[i]!) <= 5e-3 * Math.max(1, Math.abs(fd)), `dqkv[${i}]: ${dqkv[i]} vs ${fd}`);
    }
  });

  it("1 and 2 threads give the same bits", () => {
    for (const c of [CASES[4]!, CASES[6]!, { ...CASES[5]!, B: 4 }]) {
      const { spec, qkv, w } = setup(c, 5);
      addon!.setThreads(1);
      const one = run(spec, qkv, w);
      addon!.setThreads(2);
      const two = run(spec, qkv, w);
      sameBits(one.out, two.out, "out");
      sameBits(one.lse, two.lse, "lse");
      sameBits(one.dqkv, two.dqkv, "dqkv");
    }
  });

  it("bad arguments are RangeErrors", () => {
    const { spec, qkv, w } = setup(CASES[2]!);
    const d = spec.H * spec.dh;
    const out = new Float32Array(spec.B * spec.L * d);
    const lse = new Float32Array(spec.B * spec.H * spec.L);
    assert.throws(() => engine!.attentionForward({ ...spec, qkv: qkv.subarray(1), out, lse }), RangeError);
    assert.throws(() => engine!.attentionForward({ ...spec, keyMask: new Uint8Array(2), qkv, out, lse }), RangeError);
    assert.throws(() => engine!.attentionForward({ ...spec, p: 1, qkv, out, lse }), RangeError);
    assert.throws(() => engine!.attentionForward({ ...spec, H: 0, qkv, out, lse }), RangeError);
    assert.throws(() => engine!.attentionForward({ ...spec, seed: [-1, 0], qkv, out, lse }), RangeError);
    assert.throws(() => engine!.attentionBackward({ ...spec, qkv, out, lse: lse.subarray(1), dOut: w, dqkv: new Float32Array(qkv.length) }), RangeError);
    assert.throws(() => addon!.attnForward(1, 1, 1, 1, new Uint8Array(1), true, 1, 3, 0, 0, 0, new Float32Array(3), new Float32Array(1), new Float32Array(1)), RangeError);
  });
});
