import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { energyTable, offlineTable, returnsTable } from "../../src/report/tables.js";
import type { ClosedLoopResult, TargetResult } from "../../src/eval/rollout.js";
import type { ModelEnergy } from "../../src/eval/measured-energy.js";

const target = (t: number, mean: number, std: number, success: number | null, extra: Partial<TargetResult> = {}): TargetResult => ({
  targetReturn: t, returnMean: mean, returnStd: std, returnStdErr: 0, returnMeanPerSeed: [mean], successRate: success, lengthMean: 12.25, episodes: [], ...extra,
});
const result = (targets: TargetResult[], refs = false): ClosedLoopResult => ({
  envId: "x", policy: "p", seeds: [0, 1], episodesPerSeed: 5, rtgScale: 1, successRule: null, targets,
  ...(refs ? { references: { random: 0, expert: 1, source: "t" } } : {}),
});

describe("report tables", () => {
  it("lists one returns row per model and target with mean ± std, success and normalised score", () => {
    const t = returnsTable([
      { model: "STRL", result: result([target(0.4, 0.3512, 0.1, 0.5, { normalizedMean: 35.12, normalizedStd: 10 }), target(0.8, 0.2, 0, 1, { normalizedMean: 20, normalizedStd: 0 })], true) },
      { model: "Pendulum-ish", result: result([target(-100, -150, 20, null)]) },
    ]);
    assert.deepEqual(t.columns, ["model", "target return", "return (mean ± std)", "success [95% Wilson CI] (k/n)", "episode length", "normalised score", "episodes"]);
    assert.deepEqual(t.rows, [
      ["STRL", 0.4, "0.35 ± 0.10", "50.0%", "12.3", "35.1 ± 10.0", "5 x 2 seeds"],
      ["STRL", 0.8, "0.20 ± 0.00", "100.0%", "12.3", "20.0 ± 0.0", "5 x 2 seeds"],
      ["Pendulum-ish", -100, "-150.00 ± 20.00", "n/a", "12.3", "n/a", "5 x 2 seeds"],
    ]);
  });

  it("gives the success rate of recorded episodes a Wilson interval: 7 of 20 is 35.0% [18.1, 56.7]", () => {
    // Wilson, z = 1.959964: centre 0.374172, half-width 0.192977 (test/eval/intervals.test.ts works it by hand)
    const episodes = Array.from({ length: 20 }, (_, i) => ({ return: 1, length: 3, terminated: true, truncated: false, success: i < 7, seed: 0, episode: i }));
    const t = returnsTable([{ model: "STRL", result: result([target(1, 1, 0, 0.35, { episodes })]) }]);
    assert.equal(t.rows[0]![3], "35.0% [18.1, 56.7] (7/20)");
  });

  it("lists offline accuracy or MSE per model", () => {
    const t = offlineTable([
      { model: "STRL", metrics: { loss: 0.1234567, accuracy: 0.9964, steps: 100 } },
      { model: "DT", metrics: { loss: 0.5, mse: 0.5, steps: 10 } },
    ]);
    assert.deepEqual(t.rows, [
      ["STRL", "99.6%", "0.1235", 100],
      ["DT", "MSE 0.5000", "0.5000", 10],
    ]);
  });

  it("lists energy per decision with the ratios, and names a model missing from the comparison", () => {
    const e = { macsPerDecision: 1000.4, sopsPerDecision: 20.6, energyPerDecisionPj: 4620, decisions: 7 } as ModelEnergy;
    const t = energyTable([{ model: "STRL", energy: e }], [{ name: "STRL", kind: "strl", energyPerDecisionPj: 4620, ratioToAnn: 0.25 }]);
    assert.deepEqual(t.columns[3], "energy / decision (nJ)");
    // no extras, memory or all-in numbers (a result saved before them): "n/a"
    assert.deepEqual(t.rows, [["STRL", 1000, 21, "4.62", "0.250x", "n/a", "n/a", "n/a", "n/a", "n/a", 7]]);
    // a column over 1000 nJ is in µJ, with the spread over decisions where measured
    const big = { ...e, energyPerDecisionPj: 13_611_280, perDecision: { energyStdPj: 352_000, energyMinPj: 0, energyMaxPj: 0, rates: {} } } as ModelEnergy;
    const t2 = energyTable([{ model: "DT", energy: big }, { model: "STRL", energy: e }], [{ name: "DT", kind: "dt", energyPerDecisionPj: 1 }, { name: "STRL", kind: "strl", energyPerDecisionPj: 1 }]);
    assert.equal(t2.columns[3], "energy / decision, mean ± sample std over decisions (µJ)");
    assert.deepEqual(t2.rows.map((r) => r[3]), ["13.6 ± 0.352", "0.00462 ± n/a"]);
    assert.throws(() => energyTable([{ model: "DT", energy: e }], []), /model 'DT' is not in the comparison/);
  });

  it("shows the extras, the memory energy and the all-in ratios, each energy column in its own unit", () => {
    const strl = { macsPerDecision: 10, sopsPerDecision: 2, energyPerDecisionPj: 4620, extrasPerDecisionPj: 950, memoryPerDecisionPj: 20_831, decisions: 3 } as ModelEnergy;
    const ann = { ...strl, sopsPerDecision: 0, energyPerDecisionPj: 6000, extrasPerDecisionPj: 420, memoryPerDecisionPj: 30_000 } as ModelEnergy;
    const t = energyTable([{ model: "STRL", energy: strl }, { model: "ANN-STRL", energy: ann }], [
      { name: "STRL", kind: "strl", energyPerDecisionPj: 4620, ratioToAnn: 0.77, allInRatioToAnn: 26_401 / 36_420 },
      { name: "ANN-STRL", kind: "ann-strl", energyPerDecisionPj: 6000, ratioToAnn: 1, allInRatioToAnn: 1 },
    ]);
    assert.deepEqual(t.columns.slice(6, 10), ["extras / decision (pJ)", "memory / decision (nJ)", "all-in vs ANN-STRL", "all-in vs DT"]);
    // all-in: STRL 4620 + 950 + 20,831 = 26,401 pJ, ANN-STRL 6000 + 420 + 30,000 = 36,420 pJ -> 0.725x
    assert.deepEqual(t.rows.map((r) => r.slice(6, 10)), [
      ["950", "20.8", "0.725x", "n/a"],
      ["420", "30.0", "1.000x", "n/a"],
    ]);
  });
});
