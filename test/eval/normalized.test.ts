import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { D4RL_REFERENCES, d4rlReference, isD4rlEnv, normalizedScore } from "../../src/eval/normalized.js";

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
