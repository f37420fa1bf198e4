/**
 * The demo's summary table (`summaryRows`) puts each model's energy beside ANN-STRL's fp32 and int8 energies and
 * the DT's, and the demo's setup says the structural bound of its shape and path with the break-even rates.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { summaryRows } from "../../src/experiments/report.js";
import { boundSentence } from "../../src/experiments/energy-bound.js";
import type { CompareResult, ModelOutcome } from "../../src/experiments/compare.js";
import type { ModelEnergy } from "../../src/eval/index.js";
import type { ModelKind } from "../../src/models/index.js";

function outcome(name: string, kind: ModelKind, pj: number, int8Pj: number): ModelOutcome {
  const energy = { kind, path: "last", int8PerDecisionPj: int8Pj, energyPerDecisionPj: pj } as ModelEnergy;
  return { name, kind, mode: "causal", params: 1000, trainSeconds: 1, history: [], offline: { accuracy: 0.5 } as ModelOutcome["offline"], energy };
}

describe("the demo's energy columns", () => {
  it("divides by ANN-STRL's fp32 energy, by its int8 energy and by the DT's", () => {
    const r: CompareResult = {
      outcomes: [outcome("STRL", "strl", 2000, 120), outcome("ANN-STRL", "ann-strl", 2800, 140), outcome("DT", "dt", 9000, 450)],
      energy: [
        { name: "STRL", kind: "strl", energyPerDecisionPj: 2000, ratioToAnn: 2000 / 2800, ratioToDt: 2000 / 9000 },
        { name: "ANN-STRL", kind: "ann-strl", energyPerDecisionPj: 2800, ratioToAnn: 1, ratioToDt: 2800 / 9000 },
        { name: "DT", kind: "dt", energyPerDecisionPj: 9000, ratioToAnn: 9000 / 2800, ratioToDt: 1 },
      ],
    };
    const t = summaryRows(r);
    assert.deepEqual(t.columns.slice(-3), ["vs ANN-STRL", "vs ANN-STRL-int8", "vs DT"]);
    // 2000 / 2800 = 0.714; 2000 / 140 = 14.286; 2000 / 9000 = 0.222; the DT: 9000 / 140 = 64.286
    assert.deepEqual(t.rows[0]!.slice(-3), ["0.714x", "14.286x", "0.222x"]);
    assert.deepEqual(t.rows[1]!.slice(-3), ["1.000x", "20.000x", "0.311x"]);
    assert.deepEqual(t.rows[2]!.slice(-3), ["3.214x", "64.286x", "1.000x"]);
  });

  it("says the bound of the demo's shape on the closed-loop path, and the break-even rates", () => {
    const s = boundSentence({ obsDim: 6, head: { kind: "discrete", n: 4 }, arch: { dModel: 64, nBlocks: 2, nHeads: 2, contextLength: 10 }, path: "last" }, 4);
    // hand counts in test/energy/op-energy.test.ts: [0.689, 0.932]; break-even 4.6 / 3.6 = 1.28, 0.23 / 3.6 = 0.064
    assert.match(s, /lies in \[0\.689, 0\.932\] for a closed-loop decision \(forwardLast\) of this shape \(obs 6, context 10, T = 4\)/);
    assert.match(s, /1\.28 against the fp32 ANN .*0\.064 against an int8 ANN/);
  });
});
