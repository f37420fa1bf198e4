import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { summaryTable, targetText, type RowResult } from "../../src/experiments/reproduce.js";
import type { ModelOutcome } from "../../src/experiments/compare.js";
import type { ModelEnergy } from "../../src/eval/measured-energy.js";

const energy = (pj: number, int8: number): ModelEnergy => ({ energyPerDecisionPj: pj, int8PerDecisionPj: int8, rates: {} }) as unknown as ModelEnergy;
/** A closed-loop outcome: one episode per return (success per episode where given), with references where given. */
const closedOutcome = (name: string, returns: number[], success?: boolean[], references?: object): ModelOutcome =>
  ({
    name,
    kind: "strl",
    mode: "causal",
    offline: { mse: 0.1, loss: 0.1, steps: 1 },
    closedLoop: { references, targets: [{ returnMean: 0, successRate: success ? 0 : null, episodes: returns.map((r, i) => ({ return: r, success: success ? success[i] : null })) }] },
  }) as unknown as ModelOutcome;
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

  it("scores locomotion rows with D4RL's references per episode in their own column, and other rows n/a there", () => {
    const row = (envId: string) => ({ id: envId, group: "6", title: envId, envId, policy: "medium", models: [{ name: "STRL", kind: "strl" }], closedLoop: true }) as RowResult["row"];
    const t = summaryTable([
      { row: row("Hopper-v5"), perSeed: [{ outcomes: [closedOutcome("STRL", Array(20).fill(1000))] }, { outcomes: [closedOutcome("STRL", Array(20).fill(1600))] }] },
      { row: row("Pendulum-v1"), perSeed: [{ outcomes: [closedOutcome("STRL", [-300])] }] },
    ]);
    const col = t.columns.indexOf("D4RL-normalised (D4RL's v2 references on v5 envs): mean; IQM [95% bootstrap CI]");
    assert.ok(col > 0, t.columns.join(" | "));
    // hopper: 100 (R + 20.272305) / (3234.3 + 20.272305): 1000 -> 31.3489, 1600 -> 49.7845. A resample draws two
    // seeds with replacement: both the first (p 1/4, every value 31.3489), one of each (p 1/2, mean and IQM 40.567)
    // or both the second (p 1/4, 49.7845); the 2.5% and 97.5% quantiles are the two ends.
    assert.equal(t.rows[0]![col], "40.6 [31.3, 49.8]; IQM 40.6 [31.3, 49.8]");
    assert.equal(t.rows[1]![col], "n/a");
  });

  it("gives success a Wilson interval over episodes x seeds instead of a t interval over per-seed rates", () => {
    // 13, 3 and 10 successes of 20 per seed. Before: rates 65, 15, 50 % -> 43.3 ± 25.7 [-20.4, 107.1] (t over 3 seeds).
    // Now 26 of 60: p = 0.43333, z^2/n = 0.064024, centre (p + 0.032012) / 1.064024 = 0.437345, half-width
    // (1.959964 / 1.064024) x sqrt(p (1 - p) / 60 + z^2 / 14400) = 1.842032 x 0.066025 = 0.121620: [31.6, 55.9] %.
    const seed = (k: number) => ({ outcomes: [closedOutcome("STRL", Array(20).fill(-100), Array.from({ length: 20 }, (_, i) => i < k))] });
    const row = { id: "mc", group: "5", title: "mc", envId: "MountainCar-v0", policy: "medium", models: [{ name: "STRL", kind: "strl" }], closedLoop: true } as RowResult["row"];
    const t = summaryTable([{ row, perSeed: [seed(13), seed(3), seed(10)] }]);
    assert.equal(t.rows[0]![t.columns.indexOf("success % [95% Wilson CI] (successes/episodes; per seed)")], "43.3 [31.6, 55.9] (26/60; per seed 13, 3, 10)");
  });

  it("bootstraps returns over seeds and episodes (mean and IQM) and widens the normalised interval by the references' errors", () => {
    // Returns: seed A [0, 0, 0], seed B [1, 1, 1]. A resample draws two seeds with replacement (AA p 1/4, AB 1/2,
    // BB 1/4) and then their episodes: the mean (and IQM) is 0, 0.5 or 1, so the 95% interval is [0, 1].
    const refs = { random: 0, expert: 1, source: "measured", randomStdErr: 0.03, expertStdErr: 0.04, episodes: 100 };
    const row = { id: "r", group: "5", title: "r", envId: "CartPole-v1", policy: "expert", models: [{ name: "STRL", kind: "strl" }], closedLoop: true } as RowResult["row"];
    const t = summaryTable([{ row, perSeed: [{ outcomes: [closedOutcome("STRL", [0, 0, 0], undefined, refs)] }, { outcomes: [closedOutcome("STRL", [1, 1, 1], undefined, refs)] }], references: refs }]);
    assert.equal(t.rows[0]![t.columns.indexOf("return: mean; IQM [95% bootstrap CI]")], "0.50 [0.00, 1.00]; IQM 0.50 [0.00, 1.00]");
    // Scores 100 x return: 50 [0, 100]. References random 0 ± 0.03, expert 1 ± 0.04 (d = 1) give a score of 50
    // se_ref = sqrt((0.5 x 3)^2 + (0.5 x 4)^2) = 2.5 points; z x 2.5 = 4.89991; each half-width 50 becomes
    // sqrt(50^2 + 4.89991^2) = 50.2395: [-0.2, 100.2], for the mean and the IQM alike.
    const cell = t.rows[0]![t.columns.indexOf("normalised (measured random = 0, expert = 100): mean; IQM [95% bootstrap CI + reference s.e.]")];
    assert.equal(cell, "50.0 [-0.2, 100.2]; IQM 50.0 [-0.2, 100.2]");
  });

  it("clips the per-seed t intervals of accuracies and firing rates to their ranges", () => {
    const withAcc = (acc: number, rate: number): ModelOutcome => ({ name: "STRL", kind: "strl", mode: "causal", offline: { accuracy: acc, loss: 1, steps: 1 }, offlineEnergy: { energyPerDecisionPj: 1, int8PerDecisionPj: 1, rates: { "blocks.0.mlp.lif1": rate } } }) as unknown as ModelOutcome;
    const row = { id: "r", group: "1", title: "t", envId: "Maze-v0", policy: "expert", models: [{ name: "STRL", kind: "strl" }], closedLoop: false } as RowResult["row"];
    // accuracies 100, 100, 94 %: mean 98, sample std 3.4641, half-width 4.303 x 3.4641 / sqrt 3 = 8.606 -> [89.39, 106.61]
    // clipped to [89.39, 100.00]; rates 0.05, 0, 0.1: [-0.0742, 0.1742] clipped to [0.0000, 0.1742]
    const t = summaryTable([{ row, perSeed: [{ outcomes: [withAcc(1, 0.05)] }, { outcomes: [withAcc(1, 0)] }, { outcomes: [withAcc(0.94, 0.1)] }] }]);
    assert.equal(t.rows[0]![t.columns.indexOf("held-out acc. % / MSE")], "98.00 ± 3.46 [89.39, 100.00]");
    assert.equal(t.rows[0]![t.columns.indexOf("mean firing rate (real tokens)")], "0.0500 ± 0.0500 [0.0000, 0.1742]");
  });

  it("says where a row's target comes from: the expert's return, or a target the row sets", () => {
    const refs = { random: 11.7, expert: 2766.5, source: "strl's shipped policies" };
    assert.equal(targetText(2766.5, refs), "Target return 2766.5 = the expert's mean return (strl's shipped policies); references: random 11.70, expert 2766.50.");
    assert.equal(targetText(3600, refs), "Target return 3600, set by the row (not the expert's return); references: random 11.70, expert 2766.50 (strl's shipped policies).");
    const measured = { random: -1250.084, expert: -155.16, source: "measured", randomStdErr: 26.789, expertStdErr: 10.4312, episodes: 100 };
    assert.equal(targetText(-155.16, measured), "Target return -155.16 = the expert's mean return (measured); references: random -1250.08 ± 26.79, expert -155.16 ± 10.43 (s.e.; 100 episodes each).");
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
