import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { memoryStats, ready, variableGrads, type Scalar } from "../../src/tensor/index.js";
import { AnnStrlModel, BcModel, DtModel, StrlModel, type ActionHead, type PolicyModel } from "../../src/models/index.js";
import { CONTINUOUS, DISCRETE, OBS, allWindows, tinyDataset } from "./fixtures.js";

const K = 4;
const tiny = { obsDim: OBS, contextLength: K, dropout: 0.1, seed: 1 };
const tr = { ...tiny, maxTimestep: 16, dModel: 8, nBlocks: 1, nHeads: 2 };

type Maker = (head: ActionHead) => PolicyModel;
// Parameter counts by hand (d 8, 1 block, mlp x4, obs 3, 3 actions or dim 2, K 4, 16 timesteps):
//  STRL / ANN-STRL: embed rtg 16 + state 32 + prev_action 32 (4x8 table) | 24 (Linear 2->8) + timestep 128 + pos 32
//    + ln 16; block ln1 16 + qkv 192 + ln2 16 + fc1 288 + fc2 264; head 27 | 18  -> 1059 | 1042
//  DT: embed rtg 16 + state 32 + action 24 (3x8) | 24 + timestep 128 + ln 16; block ln1 16 + qkv 216 + proj 72
//    + ln2 16 + fc1 288 + fc2 264; ln_f 16; head 27 | 18  -> 1131 | 1122
//  BC (hidden [5], 1 past state: input 6): 35 + head 18 | 12  -> 53 | 47
const MODELS: Array<[string, Maker, number, number]> = [
  ["STRL", (head) => new StrlModel({ ...tr, head }), 1059, 1042],
  ["STRL spike-driven", (head) => new StrlModel({ ...tr, head, attention: "spike-driven" }), 1059, 1042],
  ["ANN-STRL", (head) => new AnnStrlModel({ ...tr, head }), 1059, 1042],
  ["DT", (head) => new DtModel({ ...tr, head }), 1131, 1122],
  ["BC", (head) => new BcModel({ ...tiny, head, hidden: [5], pastStates: 1 }), 53, 47],
];

describe("model shapes", () => {
  before(async () => {
    await ready();
  });

  for (const [name, make, nDiscrete, nContinuous] of MODELS) {
    for (const kind of ["discrete", "continuous"] as const) {
      const head = kind === "discrete" ? DISCRETE : CONTINUOUS;
      const batch = allWindows(tinyDataset(kind), K);

      it(`${name} (${kind}): preds [B, K, ${kind === "discrete" ? "n" : "dim"}], a finite scalar loss and a gradient per parameter`, () => {
        const model = make(head);
        assert.equal(model.numParams(), kind === "discrete" ? nDiscrete : nContinuous);
        const before = memoryStats().numTensors;
        const preds = model.forward(batch).preds;
        assert.deepEqual(preds.shape, [batch.B, K, kind === "discrete" ? 3 : 2]);
        if (kind === "continuous") {
          const v = preds.dataSync();
          for (let i = 0; i < v.length; i++) {
            const [lo, hi] = i % 2 === 0 ? [-1, 1] : [-2, 2];
            assert.ok(v[i]! >= lo && v[i]! <= hi, `pred ${v[i]} outside [${lo}, ${hi}]`);
          }
        }
        preds.dispose();
        const { value, grads } = variableGrads(() => model.loss(batch) as Scalar);
        assert.deepEqual(value.shape, []);
        assert.ok(Number.isFinite(value.dataSync()[0]!));
        for (const [pname, p] of model.namedParameters()) {
          const g = grads[p.name];
          assert.ok(g, `no gradient for ${pname}`);
          assert.deepEqual(g.shape, p.shape, `gradient shape of ${pname}`);
        }
        value.dispose();
        for (const g of Object.values(grads)) g.dispose();
        assert.equal(memoryStats().numTensors, before, "forward + loss + gradients leaked tensors");
        model.dispose();
      });
    }
  }

  it("rejects a batch that does not fit the model, naming the field", () => {
    const model = new StrlModel({ ...tr, head: DISCRETE });
    const batch = allWindows(tinyDataset("discrete"), K);
    assert.throws(() => model.forward({ ...batch, states: batch.states.subarray(1) }), /StrlModel: batch states has 191 values, expected 192 for \[B 16, K 4, obsDim 3\]/);
    const bad = Int32Array.from(batch.actions as Int32Array);
    bad[2] = 3;
    assert.throws(() => model.forward({ ...batch, actions: bad }), /action 3 at 2 is outside \[0, 2\]/);
    assert.throws(() => model.forward({ ...batch, timesteps: batch.timesteps.map(() => 16) }), /timestep 16 at 0 is outside the timestep table/);
    assert.throws(() => new DtModel({ ...tr, head: DISCRETE, contextLength: 2 }).forward(batch), /K \(4\) exceeds the model's context length 2/);
    model.dispose();
  });

  it("names parameters with dotted paths the energy counter and checkpoints share", () => {
    const names = new StrlModel({ ...tr, head: DISCRETE }).namedParameters().map(([n]) => n);
    assert.deepEqual(names, [
      "embed.pos", "embed.rtg.weight", "embed.rtg.bias", "embed.state.weight", "embed.state.bias", "embed.prev_action.weight",
      "embed.timestep.weight", "embed.ln.weight", "embed.ln.bias",
      "blocks.0.ln1.weight", "blocks.0.ln1.bias", "blocks.0.attn.qkv.weight", "blocks.0.ln2.weight", "blocks.0.ln2.bias",
      "blocks.0.mlp.fc1.weight", "blocks.0.mlp.fc1.bias", "blocks.0.mlp.fc2.weight", "blocks.0.mlp.fc2.bias",
      "head.weight", "head.bias",
    ]);
  });
});
