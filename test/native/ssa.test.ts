import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadAddon } from "../../src/tensor/native/addon.js";
import { nativeEngineOf, type NativeEngine } from "../../src/tensor/native/engine.js";
import { Rng } from "../../src/tensor/rng.js";
import { ssaKernel, type SsaNeurons } from "../../src/models/blocks/fused-spiking-attention.js";
import type { AttentionKind } from "../../src/models/config/strl-config.js";
import { LIF, type LIFOptions } from "../../src/snn/lif.js";
import { assertClose } from "../helpers.js";

const { addon, why } = loadAddon();
const skip = addon ? false : `native addon not available: ${why}`;
const engine = addon ? nativeEngineOf(addon) : undefined;

function neurons(kind: AttentionKind, attnOpts: LIFOptions = {}): { nr: SsaNeurons; counts: Map<string, number> } {
  const opts = { vThreshold: 0.4 }; // low threshold: plenty of spikes everywhere, including the score LIF
  const nr: SsaNeurons = {
    q: new LIF(opts, "q"),
    k: new LIF(opts, "k"),
    v: new LIF(opts, "v"),
    attn: new LIF({ ...opts, ...attnOpts }, kind === "strl" ? "score" : "out"),
  };
  const counts = new Map<string, number>();
  for (const l of [nr.q, nr.k, nr.v, nr.attn]) l.addListener((s) => counts.set(l.name, (counts.get(l.name) ?? 0) + s));
  return { nr, counts };
}

function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) assert.fail(`${what}[${i}]: ${a[i]} != ${b[i]}`);
}

interface Case {
  T: number;
  B: number;
  K: number;
  d: number;
  H: number;
}

function run(
  nk: NativeEngine | undefined, c: Case, kind: AttentionKind, causal: boolean, keyMask: Uint8Array, seed: number, attnOpts: LIFOptions = {},
  silent?: (row: number, part: number) => boolean,
) {
  const rng = new Rng(seed);
  const x = rng.fillNormal(new Float32Array(c.B * c.K * 3 * c.d), 0.3, 1);
  // rows whose q (part 0), k (1) or v (2) never spike: all-zero rows of a head, skipped by the native products
  if (silent)
    for (let r = 0; r < c.B * c.K; r++)
      for (let p = 0; p < 3; p++) if (silent(r, p)) x.fill(-10, (r * 3 + p) * c.d, (r * 3 + p + 1) * c.d);
  const dOut = rng.fillNormal(new Float32Array(c.B * c.K * c.d));
  const { nr, counts } = neurons(kind, attnOpts);
  const k = ssaKernel(nk, c.B, c.K, 3 * c.d, nr, { T: c.T, nHeads: c.H, causal, scale: 0.5, attention: kind, keyMask });
  const f = k.forward(x);
  const dx = k.backward(dOut, f.state);
  return { y: f.y, dx, counts };
}

describe("native fused spiking attention vs the JS loops", { skip }, () => {
  const c: Case = { T: 3, B: 3, K: 6, d: 16, H: 2 };
  // row 0 starts with 2 padding steps, row 1 is all real, row 2 is all padding (no key to attend)
  const keyMask = Uint8Array.from({ length: c.B * c.K }, (_, i) => (i < 2 || i >= 2 * c.K ? 0 : 1));
  for (const kind of ["strl", "spike-driven"] as const) {
    for (const causal of [true, false]) {
      for (const attnOpts of [{}, { vReset: null, detachReset: false, surrogate: "atan" as const }]) {
        it(`${kind}, ${causal ? "causal" : "paper mode"}, padding, attn LIF ${JSON.stringify(attnOpts)}: same output, spike counts and gradient`, () => {
          const js = run(undefined, c, kind, causal, keyMask, 5, attnOpts);
          const nat = run(engine, c, kind, causal, keyMask, 5, attnOpts);
          assert.ok(js.y.some((v) => v !== 0), "the JS output is all zeros: the test would prove nothing");
          assert.ok(js.dx.some((v) => v !== 0));
          sameBits(nat.y, js.y, "output");
          assert.deepEqual([...nat.counts], [...js.counts], "spike counts");
          assertClose(nat.dx, js.dx, 1e-6, "d qkv");
        });
      }
    }
  }

  it("bit-identical for 1 and 2 threads on a larger shape", () => {
    const big: Case = { T: 4, B: 4, K: 20, d: 64, H: 4 };
    const km = Uint8Array.from({ length: big.B * big.K }, (_, i) => (i % big.K < (i / big.K) * 3 ? 0 : 1));
    const before = addon!.threads();
    try {
      for (const kind of ["strl", "spike-driven"] as const) {
        addon!.setThreads(1);
        const a = run(engine, big, kind, true, km, 9);
        addon!.setThreads(2);
        const b = run(engine, big, kind, true, km, 9);
        sameBits(a.y, b.y, `${kind} output`);
        sameBits(a.dx, b.dx, `${kind} d qkv`);
        const js = run(undefined, big, kind, true, km, 9);
        sameBits(a.y, js.y, `${kind} output vs JS`);
        assertClose(a.dx, js.dx, 1e-6, `${kind} d qkv vs JS`);
      }
    } finally {
      addon!.setThreads(before);
    }
  });

  it("a bigger shape with several heads (K not a multiple of the gemm tiles, padding, silent rows): matches JS", () => {
    const big: Case = { T: 2, B: 3, K: 37, d: 96, H: 6 };
    // row 0: 5 padding steps at the start, row 1: all real, row 2: padding at every 7th step
    const km = Uint8Array.from({ length: big.B * big.K }, (_, r) => {
      const b = Math.floor(r / big.K), i = r % big.K;
      return b === 0 ? (i < 5 ? 0 : 1) : b === 1 ? 1 : i % 7 === 3 ? 0 : 1;
    });
    const silent = (r: number, p: number) => (r * 7 + p * 3) % (4 + p) === 0;
    for (const kind of ["strl", "spike-driven"] as const) {
      for (const causal of [true, false]) {
        const js = run(undefined, big, kind, causal, km, 11, {}, silent);
        const nat = run(engine, big, kind, causal, km, 11, {}, silent);
        assert.ok(js.y.some((v) => v !== 0) && js.dx.some((v) => v !== 0));
        sameBits(nat.y, js.y, `${kind} ${causal} output`);
        assert.deepEqual([...nat.counts], [...js.counts], `${kind} ${causal} spike counts`);
        assertClose(nat.dx, js.dx, 1e-6, `${kind} ${causal} d qkv`);
      }
    }
  });

  it("inconsistent key lists are RangeErrors, not crashes", () => {
    const i32 = (a: number[]) => Int32Array.from(a);
    const f = (len: number) => new Float32Array(len);
    // T 1, B 1, K 2, H 1, d 2; keys of query 0: [0], query 1: [0, 1] -> 3 cells
    const ok = [1, 1, 2, 1, 2, i32([0, 1, 3]), i32([0, 0, 1]), i32([3]), i32([0]), 3] as const;
    addon!.ssaScores(...ok, f(4), f(4), 1, f(3));
    assert.throws(() => addon!.ssaScores(1, 1, 2, 1, 2, i32([0, 1, 3]), i32([0, 0, 5]), i32([3]), i32([0]), 3, f(4), f(4), 1, f(3)), RangeError);
    assert.throws(() => addon!.ssaScores(1, 1, 2, 1, 2, i32([0, 1, 9]), i32([0, 0, 1]), i32([3]), i32([0]), 3, f(4), f(4), 1, f(3)), RangeError);
    assert.throws(() => addon!.ssaScores(1, 1, 2, 1, 2, i32([0, 1, 3]), i32([0, 0, 1]), i32([3]), i32([0]), 4, f(4), f(4), 1, f(4)), RangeError);
    assert.throws(() => addon!.ssaScores(...ok, f(4), f(3), 1, f(3)), RangeError);
    // keys of a query must strictly increase (query 1: [1, 0], then [0, 0])
    assert.throws(() => addon!.ssaScores(1, 1, 2, 1, 2, i32([0, 1, 3]), i32([0, 1, 0]), i32([3]), i32([0]), 3, f(4), f(4), 1, f(3)), RangeError);
    assert.throws(() => addon!.ssaScores(1, 1, 2, 1, 2, i32([0, 1, 3]), i32([0, 0, 0]), i32([3]), i32([0]), 3, f(4), f(4), 1, f(3)), RangeError);
    assert.throws(() => addon!.ssaStrlForward(...ok, f(3), f(4), new Uint8Array(3), true, f(4), f(2)), RangeError);
  });
});
