import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectDataset, collectSizeProblem } from "../../src/data/collect.js";
import { writeDatasetHdf5 } from "../../src/data/hdf5.js";
import { mazeExpertEpisode } from "../../src/data/maze-expert-dataset.js";
import { generateMaze } from "../../src/envs/grid/maze-gen.js";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "strl-collect-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("collectDataset", () => {
  it("writes the same file bytes for the same seed and different bytes for another seed", async () => {
    const paths = ["a", "b", "c"].map((n) => join(dir, `${n}.h5`));
    await writeDatasetHdf5(paths[0]!, collectDataset({ envId: "CartPole-v1", policy: "mixed", episodes: 6, seed: 5 }));
    await writeDatasetHdf5(paths[1]!, collectDataset({ envId: "CartPole-v1", policy: "mixed", episodes: 6, seed: 5 }));
    await writeDatasetHdf5(paths[2]!, collectDataset({ envId: "CartPole-v1", policy: "mixed", episodes: 6, seed: 6 }));
    const [a, b, c] = paths.map((p) => readFileSync(p));
    assert.ok(a!.equals(b!));
    assert.ok(!a!.equals(c!));
  });

  it("records each episode as the env produced it: s_t before a_t, rewards, and the end flags", () => {
    const ds = collectDataset({ envId: "CartPole-v1", policy: "random", episodes: 3, seed: 1 });
    assert.equal(ds.obsDim, 4);
    for (const t of ds.trajectories) {
      const len = t.rewards.length;
      // CartPole pays +1 per step and random play falls over well before 500 steps
      assert.ok(t.rewards.every((r) => r === 1));
      assert.equal(t.terminated, true);
      assert.equal(t.truncated, false);
      assert.ok(len < 500);
      assert.ok([...t.actions].every((a) => a === 0 || a === 1));
    }
  });

  it("marks time-limit ends as truncated (expert CartPole balances all 500 steps)", () => {
    const ds = collectDataset({ envId: "CartPole-v1", policy: "expert", episodes: 2, seed: 3 });
    assert.deepEqual([...ds.lengths()], [500, 500]);
    assert.ok(ds.trajectories.every((t) => t.truncated && !t.terminated));
  });

  it("keeps Box actions inside the bounds under medium noise", () => {
    const ds = collectDataset({ envId: "Pendulum-v1", policy: "medium", episodes: 2, seed: 2, eps: 0.9 });
    assert.equal(ds.actionSpace.kind, "box");
    const a = ds.trajectories[0]!.actions;
    assert.ok(a instanceof Float32Array);
    assert.ok([...a].every((v) => v >= -2 && v <= 2));
    assert.ok([...a].some((v) => v !== -2 && v !== 2)); // not only the expert's saturated torques
    assert.equal(ds.metadata.eps, 0.9);
  });

  it("rejects bad arguments naming the argument and the value", () => {
    assert.throws(() => collectDataset({ envId: "CartPole-v1", policy: "expert", episodes: 0, seed: 1 }), /episodes must be a positive integer, got 0/);
    assert.throws(() => collectDataset({ envId: "CartPole-v1", policy: "best" as "expert", episodes: 1, seed: 1 }), /policy must be one of random, medium, expert, mixed, medium-replay, medium-expert, got "best"/);
    assert.throws(() => collectDataset({ envId: "CartPole-v1", policy: "expert", episodes: 1, seed: -1 }), /seed must be an integer/);
    assert.throws(() => collectDataset({ envId: "Nope-v0", policy: "expert", episodes: 1, seed: 1 }), /unknown environment 'Nope-v0'/);
  });
});

describe("the maze fast path", () => {
  it("gives exactly the dataset of the generic env loop with the env's expert", () => {
    const fast = collectDataset({ envId: "Maze-v0", policy: "expert", episodes: 25, seed: 42 });
    const slow = collectDataset({ envId: "Maze-v0", policy: "expert", episodes: 25, seed: 42, fastPath: false });
    assert.deepEqual(fast.trajectories, slow.trajectories);
    assert.deepEqual(fast.metadata, slow.metadata);
  });

  it("walks from the entrance to the exit through open cells, -0.1 per step and +1 at the exit", () => {
    const t = mazeExpertEpisode(7);
    const grid = generateMaze(7, 21);
    const len = t.rewards.length;
    assert.deepEqual([t.observations[0], t.observations[1]], [0, 1]);
    for (let i = 0; i < len; i++) {
      const x = t.observations[2 * i]!;
      const y = t.observations[2 * i + 1]!;
      assert.equal(grid.cells[y * 21 + x], 0, `step ${i} at (${x}, ${y}) is a wall`);
    }
    // the last move enters the exit (20, 19) from its only open neighbour (19, 19)
    assert.deepEqual([t.observations[2 * len - 2], t.observations[2 * len - 1], t.actions[len - 1]], [19, 19, 1]);
    assert.ok(Math.abs(t.rewards.reduce((a, b) => a + b, 0) - (1 - 0.1 * len)) < 1e-5);
    assert.equal(t.terminated, true);
  });
});

describe("collection size bounds", () => {
  it("refuses a worst case over 16 GB or over 1,000,000 episodes, with the estimate, the step size and both limits", () => {
    // CartPole: 4 observation floats + 1 action + 1 reward (4 bytes each) + 2 flags = 26 bytes; 500 steps at most
    assert.equal(collectSizeProblem("CartPole-v1", undefined, 600_000), undefined); // 2 x 600000 x 500 x 26 = 15.6 GB
    assert.equal(
      collectSizeProblem("CartPole-v1", undefined, 700_000),
      "700000 episodes could need 18.2 GB of memory (up to 500 steps an episode x 26 bytes a step, held twice while the file is written); the limits are 1000000 episodes and 16.0 GB",
    );
    // Maze-v0 21x21: 2 + 1 + 1 floats + 2 flags = 18 bytes, 4 x 201 open cells = 804 steps; the count limit decides
    assert.match(collectSizeProblem("Maze-v0", undefined, 1_000_001)!, /^1000001 episodes could need 28\.9 GB of memory \(up to 804 steps an episode x 18 bytes a step/);
  });

  it("collectDataset refuses too many episodes before it plays one", () => {
    const t0 = performance.now();
    assert.throws(() => collectDataset({ envId: "CartPole-v1", policy: "random", episodes: 99_999_999_999, seed: 0 }), {
      name: "RangeError",
      message: /^collectDataset: 99999999999 episodes could need 2\.6 PB of memory/,
    });
    assert.ok(performance.now() - t0 < 2000);
  });
});
