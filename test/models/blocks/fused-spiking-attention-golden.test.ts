/**
 * The JS loops of the fused spiking attention (the wasm / browser engine's path), bit for bit: SHA-256 of the
 * forward output, the saved score cells and 1/Z, the qkv gradient and every neuron's spike count, for seeded inputs.
 * The digests were recorded on main at 9c06a00, before the loops were split into one function per pass (issue 14),
 * so any change in what they compute (even a reordered float sum) fails here. `ssaKernel(undefined, ...)` runs the
 * JS loops on either engine.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Rng } from "../../../src/tensor/rng.js";
import { ssaKernel, type SsaNeurons } from "../../../src/models/blocks/fused-spiking-attention.js";
import { LIF } from "../../../src/snn/index.js";
import type { AttentionKind } from "../../../src/models/config/strl-config.js";

interface Case {
  T: number;
  B: number;
  K: number;
  d: number;
  H: number;
  /** [B, K] 1 = real step, 0 = padding */
  keyMask: number[];
}

const CASES: Record<string, Case> = {
  // two heads of dh = 4 (one 32-bit word per head); row 0 starts with two padding steps
  small: { T: 3, B: 2, K: 5, d: 8, H: 2, keyMask: [0, 0, 1, 1, 1, 1, 1, 1, 1, 1] },
  // one head of dh = 72 (three words); row 0 all padding (queries with no allowed key), row 1 one padding step
  wide: { T: 2, B: 2, K: 4, d: 72, H: 1, keyMask: [0, 0, 0, 0, 0, 1, 1, 1] },
};

function digest(c: Case, kind: AttentionKind, causal: boolean): string {
  const rng = new Rng(41);
  const x = rng.fillNormal(new Float32Array(c.B * c.K * 3 * c.d), 0.3, 1); // qkv [B, K, 3d]
  const dOut = rng.fillNormal(new Float32Array(c.B * c.K * c.d)); // [B, K, d]
  const opts = { vThreshold: 0.4 }; // low threshold: spikes everywhere, the score LIF included
  const nr: SsaNeurons = {
    q: new LIF(opts, "q"),
    k: new LIF(opts, "k"),
    v: new LIF(opts, "v"),
    attn: new LIF(opts, kind === "strl" ? "score" : "out"),
  };
  const counts: number[] = [];
  for (const l of [nr.q, nr.k, nr.v, nr.attn]) l.addListener((s, steps) => counts.push(s, steps));
  const keyMask = Uint8Array.from(c.keyMask);
  const k = ssaKernel(undefined, c.B, c.K, 3 * c.d, nr, { T: c.T, nHeads: c.H, causal, scale: 0.5, attention: kind, keyMask });
  const f = k.forward(x);
  const dx = k.backward(dOut, f.state);
  assert.ok(f.y.some((v) => v !== 0) && dx.some((v) => v !== 0), "all-zero output or gradient: the digest would prove little");
  const h = createHash("sha256");
  for (const a of [f.y, f.state.cells, f.state.invZ, dx]) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  h.update(JSON.stringify(counts));
  return h.digest("hex");
}

const GOLDEN: [string, AttentionKind, boolean, string][] = [
  ["small", "strl", true, "80a1a7bf864387d8e163b3a4a585c317cf582abeada56583b637670a3ef74702"],
  ["small", "strl", false, "711e4bfd33ebdf4d995cc522556ce9580570679e0c3f3cdc7b074d3a93bbdb3e"],
  ["small", "spike-driven", true, "c161e06805d2952a898942a67a2b7cabf93e0240d92c4b67bf1b695981c6c1d6"],
  ["small", "spike-driven", false, "a02fc9091c17673491412fa2754b2d7526d425642c78513472587f90dc6a056b"],
  ["wide", "strl", true, "8e355ca4d84e4fde3d3ee84dbdf0b752a745a45bc462c3018fe985ef9d8076eb"],
  ["wide", "strl", false, "e23fe7417ef17ff27530a0789ec94efd72f5795a2e925296dbec28ffeded8644"],
  ["wide", "spike-driven", true, "ba1a9e9c9ebff25a0db02eef975615deceaeecc7d41482a71d058f3b64817919"],
  ["wide", "spike-driven", false, "14688a8a62eaaedfbb909820690fb57a40753742e5fa9e98429162bcc7d91e5d"],
];

for (const [name, kind, causal, expected] of GOLDEN) {
  test(`fused spiking attention JS loops (${name}, ${kind}, ${causal ? "causal" : "paper mode"}): the recorded output, state and gradient bits`, () => {
    assert.equal(digest(CASES[name]!, kind, causal), expected);
  });
}
