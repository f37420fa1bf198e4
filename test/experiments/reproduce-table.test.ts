import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { summaryTable, targetText, type RowResult } from "../../src/experiments/reproduce.js";
import type { ModelOutcome } from "../../src/experiments/compare.js";
import type { ModelEnergy } from "../../src/eval/measured-energy.js";

const energy = (pj: number, int8: number): ModelEnergy => ({ energyPerDecisionPj: pj, int8PerDecisionPj: int8, rates: {} }) as unknown as ModelEnergy;
const outcome = (name: string, kind: ModelOutcome["kind"], offlinePj: number): ModelOutcome =>
  ({ name, kind, mode: "causal", offline: { accuracy: 0.5, loss: 1, steps: 1 }, offlineEnergy: energy(offlinePj, offlinePj / 20) }) as unknown as ModelOutcome;

describe("reproduce summary table", () => {
  it("shows each energy column in one unit picked by its largest value, 3 significant digits per cell", () => {
    const row = { id: "r", group: "1", title: "t", envId: "Maze-21x21-v0", policy: "expert", models: [{ name: "STRL", kind: "strl" }, { name: "DT", kind: "dt" }], closedLoop: false } as RowResult["row"];
    // two seeds: STRL 2787.8 and 2769.7 nJ, DT 13543.8 and 13611.2 nJ offline
    const perSeed = [
      { outcomes: [outcome("STRL", "strl", 2_787_800), outcome("DT", "dt", 13_543_800)] },
      { outcomes: [outcome("STRL", "strl", 2_769_700), outcome("DT", "dt", 13_611_200)] },
    ];
    const t = summaryTable([{ row, perSeed }]);
    const col = (name: string) => t.columns.indexOf(name);
    assert.ok(col("offline energy / window (µJ)") > 0, t.columns.join(" | "));
    assert.ok(col("int8 energy / decision (nJ)") > 0, t.columns.join(" | ")); // 677 nJ at most: stays in nJ
    assert.ok(col("closed-loop energy / decision (pJ)") > 0); // no values: pJ, every cell n/a
    // STRL: mean 2.77875 µJ -> 2 decimals; sample std 0.0128 µJ; 95% CI mean ± 12.706 x 0.0128 / sqrt 2
    assert.equal(t.rows[0]![col("offline energy / window (µJ)")], "2.78 ± 0.01 [2.66, 2.89]");
    assert.equal(t.rows[1]![col("offline energy / window (µJ)")], "13.6 ± 0.0 [13.1, 14.0]");
    assert.equal(t.rows[1]![col("int8 energy / decision (nJ)")], "679 ± 2 [657, 700]");
    assert.equal(t.rows[0]![col("closed-loop energy / decision (pJ)")], "n/a");
  });

  it("scores locomotion rows with D4RL's references in their own column, and other rows n/a there", () => {
    const closed = (name: string, ret: number): ModelOutcome =>
      ({ name, kind: "strl", mode: "causal", offline: { mse: 0.1, loss: 0.1, steps: 1 }, closedLoop: { targets: [{ returnMean: ret, normalizedMean: 1 }] } }) as unknown as ModelOutcome;
    const row = (envId: string) => ({ id: envId, group: "6", title: envId, envId, policy: "medium", models: [{ name: "STRL", kind: "strl" }], closedLoop: true }) as RowResult["row"];
    const t = summaryTable([
      { row: row("Hopper-v5"), perSeed: [{ outcomes: [closed("STRL", 1000)] }, { outcomes: [closed("STRL", 1600)] }] },
      { row: row("Pendulum-v1"), perSeed: [{ outcomes: [closed("STRL", -300)] }] },
    ]);
    const col = t.columns.indexOf("D4RL-normalised (D4RL's v2 references on v5 envs)");
    assert.ok(col > 0, t.columns.join(" | "));
    // hopper: 100 (R + 20.272305) / (3234.3 + 20.272305): 1000 -> 31.3523, 1600 -> 49.7877; mean 40.570, sample std
    // 13.0358, 95% t CI 40.570 ± 12.706 x 13.0358 / sqrt 2 = [-76.55, 157.69]
    assert.equal(t.rows[0]![col], "40.6 ± 13.0 [-76.6, 157.7]");
    assert.equal(t.rows[1]![col], "n/a");
  });

  it("says where a row's target comes from: the expert's return, or a target the row sets", () => {
    const refs = { random: 11.7, expert: 2766.5, source: "strl's shipped policies" };
    assert.equal(targetText(2766.5, refs), "Target return 2766.5 = the expert's mean return (strl's shipped policies); random policy 11.70.");
    assert.equal(targetText(3600, refs), "Target return 3600, set by the row (not the expert's return); references: expert 2766.50, random 11.70 (strl's shipped policies).");
  });
});

describe("silent and saturated layers of a report row", () => {
  it("counts each layer's silent / saturated seeds per model, leaves out .qk coincidence rates and says what a silent score layer means", async () => {
    const { rowSpikeHealth, spikeHealthParagraph } = await import("../../src/experiments/silent-layers.js");
    const withRates = (name: string, rates: Record<string, number>): ModelOutcome => ({ name, kind: "strl", closedLoopEnergy: { rates } }) as unknown as ModelOutcome;
    const row = { id: "r", group: "2", title: "t", envId: "MazeLocal-v0", policy: "mixed", models: [{ name: "STRL", kind: "strl" }, { name: "DT", kind: "dt" }], closedLoop: true } as RowResult["row"];
    const perSeed = [
      { outcomes: [withRates("STRL", { "blocks.0.attn.score_lif": 0, "blocks.0.attn.q_lif": 0.2, "blocks.0.attn.qk": 0, "blocks.1.mlp.lif1": 0.97 }), withRates("DT", {})] },
      { outcomes: [withRates("STRL", { "blocks.0.attn.score_lif": 0, "blocks.0.attn.q_lif": 0, "blocks.0.attn.qk": 0, "blocks.1.mlp.lif1": 0.5 }), withRates("DT", {})] },
    ];
    const [h, ...rest] = rowSpikeHealth({ row, perSeed });
    assert.equal(rest.length, 0); // the DT has no spiking layers
    assert.deepEqual([h!.seeds, [...h!.silent], [...h!.saturated]], [2, [["blocks.0.attn.score_lif", 2], ["blocks.0.attn.q_lif", 1]], [["blocks.1.mlp.lif1", 1]]]);
    assert.equal(
      spikeHealthParagraph({ row, perSeed }),
      "Spiking layers that never fired (rate 0) or fired at rate >= 0.95 on the real tokens of the decisions measured for energy: STRL: silent `blocks.0.attn.score_lif` (2 of 2 seeds), `blocks.0.attn.q_lif` (1 of 2 seeds); saturated `blocks.1.mlp.lif1` (1 of 2 seeds). A silent `score_lif` layer means every attention score spike is 0: the softmax over the allowed keys is then uniform, so that block's attention is the causal mean of the value spikes and ignores their content.",
    );
    const healthy = [{ outcomes: [withRates("STRL", { "blocks.0.attn.score_lif": 0.05 })] }];
    assert.equal(spikeHealthParagraph({ row, perSeed: healthy }), "Spiking layers that never fired (rate 0) or fired at rate >= 0.95 on the real tokens of the decisions measured for energy: STRL: silent none; saturated none.");
  });
});

describe("silent score blocks (the page's note)", () => {
  it("names the blocks whose score layer fired at rate exactly 0, and no other layer", async () => {
    const { silentScoreBlocks } = await import("../../src/eval/silent-score.js");
    assert.deepEqual(silentScoreBlocks({ "blocks.0.attn.score_lif": 0, "blocks.0.attn.q_lif": 0, "blocks.1.attn.score_lif": 1e-6, "blocks.2.attn.score_lif": 0, "blocks.2.attn.qk": 0 }), ["blocks.0", "blocks.2"]);
    assert.deepEqual(silentScoreBlocks({}), []);
  });
});

describe("decision path of the energy columns", () => {
  it("says one path when every model was charged it, and names each model's path when they differ", async () => {
    const { decisionPathText } = await import("../../src/experiments/report.js");
    const o = (name: string, path?: "full" | "last") => ({ name, energy: path ? { path } : {} });
    assert.match(decisionPathText([o("STRL", "last"), o("DT", "last")]), /^every model charged the same decision path \(forwardLast/);
    assert.equal(decisionPathText([o("STRL", "full"), o("DT")]), "every model charged its full forward pass");
    assert.equal(
      decisionPathText([o("STRL", "last"), o("ANN-STRL", "last"), o("DT", "full")]),
      "models charged different paths (STRL forwardLast, ANN-STRL forwardLast, DT its full forward pass): ratios between a forwardLast model and a full-pass model are not like for like",
    );
  });
});
