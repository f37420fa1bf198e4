/**
 * The Decision Transformer's and ANN-STRL's training loss and every parameter gradient on the fused attention
 * path (native engine) equal the composed tfjs path's to float rounding (dropout 0, left-padded windows, so
 * whole padded query rows are in the batch).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { nativeEngine, ready, variableGrads, type Scalar } from "../../src/tensor/index.js";
import { AnnStrlModel, DtModel, type PolicyModel } from "../../src/models/index.js";
import { attentionPath, setAttentionPath, type AttentionPath } from "../../src/models/blocks/fused-attention.js";
import { CONTINUOUS, DISCRETE, OBS, allWindows, tinyDataset } from "./fixtures.js";
import { assertClose } from "../helpers.js";

const K = 5;
const base = { obsDim: OBS, contextLength: K, dropout: 0, seed: 4, maxTimestep: 16, dModel: 12, nBlocks: 2, nHeads: 3 };

const MODELS: Array<[string, () => PolicyModel]> = [
  ["DT (discrete)", () => new DtModel({ ...base, head: DISCRETE })],
  ["DT (continuous, gelu)", () => new DtModel({ ...base, head: CONTINUOUS, activation: "gelu" })],
  ["ANN-STRL (discrete)", () => new AnnStrlModel({ ...base, head: DISCRETE })],
  ["ANN-STRL (continuous, non-causal)", () => new AnnStrlModel({ ...base, head: CONTINUOUS, causal: false })],
];

function lossAndGrads(make: () => PolicyModel, path: AttentionPath, kind: "discrete" | "continuous") {
  setAttentionPath(path);
  const model = make();
  model.train();
  const batch = allWindows(tinyDataset(kind), K);
  const { value, grads } = variableGrads(() => model.loss(batch) as Scalar);
  const out = { loss: value.dataSync()[0]!, grads: new Map(model.namedParameters().map(([n, p]) => [n, grads[p.name]!.dataSync()])) };
  value.dispose();
  for (const g of Object.values(grads)) g.dispose();
  model.dispose();
  return out;
}

describe("DT and ANN-STRL: fused attention path equals the composed path", () => {
  let path0: AttentionPath;
  before(async () => {
    await ready();
    path0 = attentionPath();
  });
  after(() => setAttentionPath(path0));

  for (const [name, make] of MODELS) {
    it(`${name}: the same loss and gradients`, (t) => {
      if (!nativeEngine()) return t.skip("native engine not loaded");
      const kind = name.includes("continuous") ? "continuous" : "discrete";
      const f = lossAndGrads(make, "fused", kind);
      const c = lossAndGrads(make, "composed", kind);
      assert.ok(Math.abs(f.loss - c.loss) <= 1e-5 * Math.max(1, Math.abs(c.loss)), `loss ${f.loss} vs ${c.loss}`);
      assert.equal(f.grads.size, c.grads.size);
      for (const [n, g] of c.grads) assertClose(f.grads.get(n)!, g, 1e-5, `d ${n}`);
    });
  }
});
