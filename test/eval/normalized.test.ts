import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkReferences, D4RL_REFERENCES, d4rlReference, formatReferences, isD4rlEnv, normalizedScore, scoreReferenceStdErr } from "../../src/eval/normalized.js";

const close = (a: number, b: number, tol = 1e-9): void => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

describe("normalizedScore", () => {
  it("scores maze2d-umaze's midpoint return (23.85 + 161.86) / 2 = 92.855 as 50", () => {
    close(normalizedScore("maze2d-umaze-v1", 92.855), 50);
    close(normalizedScore("maze2d-umaze-v1", 161.86), 100);
    close(normalizedScore("maze2d-umaze", 23.85), 0);
  });

  it("finds the D4RL locomotion references from dataset ids", () => {
    close(normalizedScore("hopper-medium-replay-v2", 3234.3), 100);
    close(normalizedScore("walker2d-medium-v2", 1.629008), 0);
    // 100 x (6000 + 280.178953) / (12135 + 280.178953)
    close(normalizedScore("halfcheetah-medium-expert-v2", 6000), (100 * 6280.178953) / 12415.178953);
    assert.equal(d4rlReference("CartPole-v1"), undefined);
  });

  it("never scores strl's Maze2D (point-mass physics, not D4RL's MuJoCo env) with D4RL's references", () => {
    assert.equal(d4rlReference("Maze2D-UMaze-v0"), undefined);
    assert.equal(isD4rlEnv("Maze2D-UMaze-v0"), false);
    assert.equal(isD4rlEnv("maze2d-umaze-v1"), true);
    assert.throws(() => normalizedScore("Maze2D-UMaze-v0", 100), /no reference returns for 'Maze2D-UMaze-v0'/);
    // its own measured references: random ~0, expert ~238 -> 119 scores 50
    close(normalizedScore("Maze2D-UMaze-v0", 119, { random: 0, expert: 238, source: "measured" }), 50);
  });

  it("uses explicit references: 100 x (5 - (-10)) / (10 - (-10)) = 75", () => {
    close(normalizedScore("CartPole-v1", 5, { random: -10, expert: 10, source: "test" }), 75);
  });

  it("keeps the D4RL constants labelled as D4RL's", () => {
    for (const r of Object.values(D4RL_REFERENCES)) assert.match(r.source, /^D4RL reference/);
  });

  it("explains a missing reference and rejects bad input", () => {
    assert.throws(() => normalizedScore("CartPole-v1", 1), /no reference returns for 'CartPole-v1'.*measureReferenceReturns/);
    assert.throws(() => normalizedScore("hopper", NaN), /return must be a finite number, got NaN/);
    assert.throws(() => normalizedScore("x", 1, { random: 1, expert: 1, source: "t" }), /expert and random returns are equal/);
  });
});

describe("the error a normalised score inherits from its references", () => {
  it("propagates the references' standard errors to first order", () => {
    // random 0 ± 3, expert 100 ± 4, d = 100; a score of 50 (R = 50): d s / d random = (50 - 100) / 100 = -0.5,
    // d s / d expert = -50 / 100 = -0.5; se = sqrt((0.5 x 3)^2 + (0.5 x 4)^2) = sqrt(2.25 + 4) = 2.5
    const refs = { random: 0, expert: 100, source: "t", randomStdErr: 3, expertStdErr: 4 };
    close(scoreReferenceStdErr(50, refs), 2.5);
    // at the expert's own return (s = 100) only the expert's error counts: 4; at the random policy's, the random's: 3
    close(scoreReferenceStdErr(100, refs), 4);
    close(scoreReferenceStdErr(0, refs), 3);
    // Pendulum-like references: random -1250 ± 30, expert -150 ± 10, R = -800: s = 100 x 450 / 1100 = 40.909;
    // d s / d random = 100 (R - expert) / d^2 = -65000 / 1210000 = -0.053719 (x 30 = 1.611570),
    // d s / d expert = -100 (R - random) / d^2 = -45000 / 1210000 = -0.037190 (x 10 = 0.371901); se = 1.653925
    const pend = { random: -1250, expert: -150, source: "t", randomStdErr: 30, expertStdErr: 10 };
    close(scoreReferenceStdErr(normalizedScore("Pendulum-v1", -800, pend), pend), 1.653925, 1e-6);
    // references without errors (D4RL's) add none
    assert.equal(scoreReferenceStdErr(50, { random: 0, expert: 100, source: "D4RL" }), 0);
  });

  it("refuses a negative standard error and prints references with theirs", () => {
    assert.throws(() => checkReferences({ random: 0, expert: 1, source: "t", randomStdErr: -1 }), /'randomStdErr' must be a finite number >= 0, got -1/);
    assert.equal(formatReferences({ random: -1250.084, expert: -155.16, source: "t", randomStdErr: 26.789, expertStdErr: 10.4312, episodes: 100 }), "random -1250.08 ± 26.79, expert -155.16 ± 10.43 (s.e.; 100 episodes each)");
    assert.equal(formatReferences({ random: 1.5, expert: 3, source: "t" }), "random 1.50, expert 3.00");
  });
});
