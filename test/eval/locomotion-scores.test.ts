import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { D4RL_ON_V5_LABEL, D4RL_REFERENCES, d4rlReference, normalizedScore } from "../../src/eval/normalized.js";
import {
  checkOwnReferences,
  formatLocomotionScores,
  locomotionScores,
  measuredReturn,
  ownLocomotionReferences,
  ownNormalizedScore,
  type OwnReferences,
} from "../../src/eval/locomotion-scores.js";

const close = (a: number, b: number, tol = 1e-9): void => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);
const LABEL = "D4RL's references for its v2 envs, measured here on v5 envs";

describe("D4RL's references on the v5 locomotion envs", () => {
  it("score the midpoint of random and expert as 50 with D4RL's numbers", () => {
    close(normalizedScore("Hopper-v5", (-20.272305 + 3234.3) / 2), 50);
    close(normalizedScore("Walker2d-v5", (1.629008 + 4592.3) / 2), 50);
    close(normalizedScore("HalfCheetah-v5", 12135.0), 100);
    close(normalizedScore("HalfCheetah-v5", -280.178953), 0);
    // 100 x (1000 + 20.272305) / (3234.3 + 20.272305) = 31.3488...
    close(normalizedScore("Hopper-v5", 1000), (100 * 1020.272305) / 3254.572305);
  });

  it("carry the label 'D4RL's references for its v2 envs, measured here on v5 envs', not D4RL's plain one", () => {
    assert.equal(D4RL_ON_V5_LABEL, LABEL);
    for (const id of ["Hopper-v5", "Walker2d-v5", "HalfCheetah-v5"]) assert.equal(d4rlReference(id)!.source, LABEL);
    assert.deepEqual(d4rlReference("Walker2d-v5"), { random: 1.629008, expert: 4592.3, source: LABEL });
    // the table itself keeps D4RL's own label, and D4RL dataset ids still map to it
    assert.equal(D4RL_REFERENCES.hopper!.source, "D4RL reference (hopper)");
    assert.equal(d4rlReference("hopper-medium-v2")!.source, "D4RL reference (hopper)");
  });

  it("never reach a v5 id by its prefix alone", () => {
    assert.equal(d4rlReference("hopper-v5"), undefined);
    assert.equal(d4rlReference("Ant-v5"), undefined);
  });
});

describe("strl's own locomotion references", () => {
  it("are not measured where no manifest is shipped: the scores say so", () => {
    const saved = process.env.STRL_EXPERTS_DIR;
    process.env.STRL_EXPERTS_DIR = mkdtempSync(join(tmpdir(), "strl-noexperts-"));
    try {
      for (const id of ["Hopper-v5", "Walker2d-v5", "HalfCheetah-v5"]) assert.equal(ownLocomotionReferences(id), undefined);
      const s = locomotionScores("Hopper-v5", (-20.272305 + 3234.3) / 2)!;
      close(s.d4rl.score, 50);
      assert.equal(s.d4rl.label, LABEL);
      assert.deepEqual(s.own, { score: null, note: "strl's own random/expert references for Hopper-v5 are not measured yet" });
      assert.equal(
        formatLocomotionScores(s),
        "D4RL-normalised 50.0 (D4RL's references for its v2 envs, measured here on v5 envs); own-normalised: strl's own random/expert references for Hopper-v5 are not measured yet",
      );
      assert.equal(locomotionScores("CartPole-v1", 100), undefined);
    } finally {
      if (saved === undefined) delete process.env.STRL_EXPERTS_DIR;
      else process.env.STRL_EXPERTS_DIR = saved;
    }
  });

  it("come from the shipped manifest's sampled returns (s.e. = std / sqrt(n)), only with >= 100 episodes", () => {
    const saved = process.env.STRL_EXPERTS_DIR;
    const dir = mkdtempSync(join(tmpdir(), "strl-experts-"));
    process.env.STRL_EXPERTS_DIR = dir;
    try {
      mkdirSync(join(dir, "Walker2d-v5"));
      const manifest = (n: number) => JSON.stringify({ sampled_returns: { random: { mean: 2, std: 5, n }, medium: { mean: 900, std: 30, n }, expert: { mean: 4002, std: 40, n } } });
      writeFileSync(join(dir, "Walker2d-v5", "manifest.json"), manifest(100));
      const own = ownLocomotionReferences("Walker2d-v5")!;
      assert.deepEqual([own.random.mean, own.random.stdErr, own.random.episodes], [2, 0.5, 100]);
      assert.deepEqual([own.expert.mean, own.expert.stdErr], [4002, 4]);
      close(locomotionScores("Walker2d-v5", 2002)!.own.score!, 50);
      writeFileSync(join(dir, "Walker2d-v5", "manifest.json"), manifest(99));
      assert.equal(ownLocomotionReferences("Walker2d-v5"), undefined);
      assert.equal(ownLocomotionReferences("Hopper-v5"), undefined);
    } finally {
      if (saved === undefined) delete process.env.STRL_EXPERTS_DIR;
      else process.env.STRL_EXPERTS_DIR = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // made-up references for the formula only (no env's real numbers)
  const own: OwnReferences = { random: { mean: 0, stdErr: 1, episodes: 100 }, expert: { mean: 200, stdErr: 2, episodes: 120 }, source: "test" };

  it("score 100 (R - random) / (expert - random) with the standard error propagated from all three", () => {
    const r = ownNormalizedScore(50, own, 3);
    close(r.score, 25);
    // d = 200: (100/200 * 3)^2 + (100 * (50 - 200) / 200^2 * 1)^2 + (100 * 50 / 200^2 * 2)^2 = 2.25 + 0.140625 + 0.0625
    close(r.stdErr, Math.sqrt(2.453125));
    // at R = random and R = expert, with exact references, the score is exactly 0 and 100
    const exact: OwnReferences = { ...own, random: { ...own.random, stdErr: 0 }, expert: { ...own.expert, stdErr: 0 } };
    assert.deepEqual(ownNormalizedScore(0, exact), { score: 0, stdErr: 0 });
    assert.deepEqual(ownNormalizedScore(200, exact), { score: 100, stdErr: 0 });
  });

  it("appear beside D4RL's score once given, with their source", () => {
    const s = locomotionScores("Walker2d-v5", 50, 3, own)!;
    assert.equal(s.own.score, 25);
    // D4RL: 100 x (50 - 1.629008) / (4592.3 - 1.629008) = 1.0537...
    assert.equal(formatLocomotionScores(s), `D4RL-normalised 1.1 (${LABEL}); own-normalised 25.0 ± 1.6 (s.e.; test)`);
  });

  it("take the mean and standard error of at least 100 episodes", () => {
    // 50 episodes of 0 and 50 of 2: mean 1, sample variance 100 / 99, standard error sqrt(100 / 99) / 10
    const m = measuredReturn(Array.from({ length: 100 }, (_, i) => (i % 2) * 2));
    assert.equal(m.mean, 1);
    close(m.stdErr, Math.sqrt(100 / 99) / 10, 1e-12);
    assert.equal(m.episodes, 100);
    assert.throws(() => measuredReturn(new Array(99).fill(1)), /at least 100 episodes, got 99/);
  });

  it("refuse references from too few episodes or with equal means", () => {
    assert.throws(() => checkOwnReferences({ ...own, expert: { mean: 200, stdErr: 2, episodes: 50 } }), /'expert' was measured on 50 episodes; at least 100 are needed/);
    assert.throws(() => checkOwnReferences({ ...own, expert: { mean: 0, stdErr: 2, episodes: 100 } }), /expert and random means are equal \(0\)/);
    assert.throws(() => ownNormalizedScore(Number.NaN, own), /return must be a finite number, got NaN/);
  });
});
