import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { make } from "../../../src/envs/core.js";
import "../../../src/envs/control/register.js";
import { Maze2DEnv } from "../../../src/envs/control/maze2d.js";
import { U_MAZE, bfsPath, cellCentre, cellOf, parseMaze } from "../../../src/envs/control/maze2d-layout.js";
import { maze2dExpert } from "../../../src/envs/control/maze2d-expert.js";
import { Rng } from "../../../src/tensor/rng.js";

function assertClose(actual: readonly number[], expected: readonly number[], tol: number): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= tol, `entry ${i}: ${a} vs ${expected[i]} (tol ${tol})`));
}

const MASS = (4 / 3) * Math.PI * 0.001 * 1000; // sphere r = 0.1, density 1000
const H = 0.01;

/** Distance from (x, y) to the nearest point of the wall box of cell (r, c): cell (r, c) spans [r-0.7, r+0.3]. */
function distanceToWallCell(x: number, y: number, r: number, c: number): number {
  const dx = Math.max(r - 0.7 - x, 0, x - (r + 0.3));
  const dy = Math.max(c - 0.7 - y, 0, y - (c + 0.3));
  return Math.hypot(dx, dy);
}

describe("maze2d layout", () => {
  it("parses D4RL's U maze with the goal at row 1, column 1 and seven free cells", () => {
    const m = parseMaze(U_MAZE);
    assert.equal(m.rows, 5);
    assert.equal(m.cols, 5);
    assert.deepEqual(m.goal, [1, 1]);
    assert.deepEqual(m.freeCells, [[1, 1], [1, 2], [1, 3], [2, 3], [3, 1], [3, 2], [3, 3]]);
    assert.equal(m.wallBoxes.length, 25 - 7);
    const b = m.wallBoxes[0]!;
    assertClose([b.xMin, b.xMax, b.yMin, b.yMax], [-0.7, 0.3, -0.7, 0.3], 1e-12);
  });

  it("finds the shortest path around the U by breadth-first search", () => {
    const m = parseMaze(U_MAZE);
    assert.deepEqual(bfsPath(m, [3, 1], [1, 1]), [[3, 1], [3, 2], [3, 3], [2, 3], [1, 3], [1, 2], [1, 1]]);
    assert.deepEqual(bfsPath(m, [1, 2], [1, 2]), [[1, 2]]);
    assert.deepEqual(bfsPath(m, [2, 1], [1, 1]), [], "no path from a wall cell");
  });

  it("maps cell centres back to their cells, 0.2 below D4RL's integer points", () => {
    assert.deepEqual(cellCentre(3, 2), [2.8, 1.8]);
    assert.deepEqual(cellOf(...cellCentre(3, 2)), [3, 2]);
    assert.deepEqual(cellOf(0.29, 1.31), [0, 2]);
    assert.deepEqual(cellOf(1, 1), [1, 1]);
  });

  it("rejects unknown tiles, ragged rows and a missing goal", () => {
    assert.throws(() => parseMaze("#####\\#GOX#\\#####"), /unknown tile 'X' at row 1, column 3/);
    assert.throws(() => parseMaze("#####\\#GO#\\#####"), /row 1 has 4 tiles, expected 5/);
    assert.throws(() => parseMaze("#####\\#OOO#\\#####"), /exactly one goal/);
  });
});

describe("Maze2D-UMaze-v0", () => {
  it("integrates one step like MuJoCo's Euler with implicit damping", () => {
    const env = make("Maze2D-UMaze-v0");
    env.reset({ options: { initialState: [1, 2, 0.5, -0.25] } });
    const r = env.step([0.3, -0.6]);
    // (m + h b) v' = m v + h gear u  (the damping force -b v' taken at the new velocity)
    const vx = (MASS * 0.5 + H * 100 * 0.3) / (MASS + H);
    const vy = (MASS * -0.25 + H * 100 * -0.6) / (MASS + H);
    assertClose(r.observation, [1 + H * vx, 2 + H * vy, vx, vy], 1e-12);
    assert.equal(r.terminated, false);
  });

  it("clips the velocity to 5 before the step, as D4RL does", () => {
    const env = make("Maze2D-UMaze-v0");
    env.reset({ options: { initialState: [1, 2, 7, -9] } });
    env.step([0, 0]);
    const v = (MASS * 5) / (MASS + H);
    assertClose(env.getState(), [1 + H * v, 2 - H * v, v, -v], 1e-12);
  });

  it("stops the ball on the wall faces of the goal cell", () => {
    const env = new Maze2DEnv();
    const pushes: [number[], number, number][] = [
      [[1, 0], 0, 1.2], // wall (2, 1) starts at x = 1.3
      [[-1, 0], 0, 0.4], // wall (0, 1) ends at x = 0.3
      [[0, -1], 1, 0.4], // wall (1, 0) ends at y = 0.3
    ];
    for (const [action, axis, face] of pushes) {
      env.reset({ options: { initialState: [1, 1, 0, 0] } });
      for (let t = 0; t < 100; t++) {
        const s = env.step(action).observation;
        const p = s[axis]!;
        assert.ok(face > 1 ? p <= face + 1e-12 : p >= face - 1e-12, `step ${t}: ${s}`);
      }
      const s = env.getState();
      assert.ok(Math.abs(s[axis]! - face) < 1e-12, `rests on the face for push ${action}: ${s}`);
      assert.equal(s[axis + 2], 0, "velocity into the wall is zeroed");
    }
  });

  it("never lets the ball overlap a wall under random forces", () => {
    const env = new Maze2DEnv();
    const layout = parseMaze(U_MAZE);
    const rng = new Rng(99);
    env.reset({ seed: 4 });
    let touched = 0;
    for (let t = 0; t < 6000; t++) {
      const r = env.step([rng.uniform(-1, 1), rng.uniform(-1, 1)]);
      const [x, y] = r.observation as [number, number];
      let nearest = Infinity;
      for (let row = 0; row < layout.rows; row++) {
        for (let col = 0; col < layout.cols; col++) {
          if (layout.wall[row]![col]) nearest = Math.min(nearest, distanceToWallCell(x, y, row, col));
        }
      }
      assert.ok(nearest >= 0.1 - 1e-12, `step ${t}: ball at (${x}, ${y}) is ${nearest} from a wall`);
      if (nearest < 0.1 + 1e-9) touched++;
      if (r.truncated) env.reset();
    }
    assert.ok(touched > 50, `the random walk reached the walls (${touched} contacts)`);
  });

  it("pays 1 within 0.5 of the goal (1, 1) and 0 outside; exp(-distance) when dense", () => {
    const sparse = make("Maze2D-UMaze-v0");
    const dense = make("Maze2D-UMaze-v0", { reward: "dense" });
    const cases: [number, number, number][] = [
      [1, 1, 1],
      [1.2, 1.45, 1], // distance 0.4924
      [1, 1.6, 0], // distance 0.6
    ];
    for (const [x, y, expected] of cases) {
      sparse.reset({ options: { initialState: [x, y, 0, 0] } });
      dense.reset({ options: { initialState: [x, y, 0, 0] } });
      assert.equal(sparse.step([0, 0]).reward, expected, `sparse at (${x}, ${y})`);
      const d = dense.step([0, 0]).reward;
      assert.ok(Math.abs(d - Math.exp(-Math.hypot(x - 1, y - 1))) < 1e-12, `dense at (${x}, ${y}): ${d}`);
    }
  });

  it("never terminates and truncates after 300 steps", () => {
    const env = make("Maze2D-UMaze-v0");
    env.reset({ seed: 2 });
    for (let t = 1; t <= 300; t++) {
      const r = env.step([0, 0]);
      assert.equal(r.terminated, false);
      assert.equal(r.truncated, t === 300);
    }
  });

  it("resets near a free cell's integer point with N(0, 0.1) velocity, reproducibly per seed", () => {
    const env = make("Maze2D-UMaze-v0");
    const first = env.reset({ seed: 8 }).observation;
    assert.deepEqual(make("Maze2D-UMaze-v0").reset({ seed: 8 }).observation, first);
    const free = parseMaze(U_MAZE).freeCells;
    const hits = new Set<string>();
    const velocities: number[] = [];
    for (let k = 0; k < 400; k++) {
      const [x, y, vx, vy] = env.reset().observation as [number, number, number, number];
      const cell = free.find(([r, c]) => Math.abs(x - r) <= 0.1 && Math.abs(y - c) <= 0.1);
      assert.ok(cell, `start (${x}, ${y}) is within 0.1 of a free cell's point`);
      hits.add(cell.join(","));
      velocities.push(vx, vy);
    }
    assert.equal(hits.size, 7, "every free cell, the goal included, is a start cell");
    const std = Math.sqrt(velocities.reduce((a, v) => a + v * v, 0) / velocities.length);
    assert.ok(std > 0.09 && std < 0.11, `velocity std ${std}`);
  });

  it("rejects bad options, forces beyond 1 and a start inside a wall", () => {
    assert.throws(() => make("Maze2D-UMaze-v0", { reward: "shaped" }), /reward must be "sparse" or "dense", got "shaped"/);
    assert.throws(() => make("Maze2D-UMaze-v0", { goal: [1, 1] }), /unknown option 'goal' \(accepted: reward\)/);
    const env = make("Maze2D-UMaze-v0");
    assert.throws(() => env.reset({ options: { initialState: [2, 1, 0, 0] } }), /inside a wall/);
    env.reset({ seed: 0 });
    assert.throws(() => env.step([2, 0]), /action\[0\] = 2 is outside \[-1, 1\]/);
  });

  it("draws the maze with the ball and the goal", () => {
    const env = make("Maze2D-UMaze-v0");
    env.reset({ options: { initialState: [3, 3, 0, 0] } });
    assert.equal(env.render().split("\n").slice(0, 5).join("\n"), "#####\n#G..#\n###.#\n#..o#\n#####");
  });
});

describe("maze2d expert", () => {
  it("reaches the goal from every free cell and stays there", () => {
    const free = parseMaze(U_MAZE).freeCells;
    for (const [r, c] of free) {
      const env = make("Maze2D-UMaze-v0");
      env.reset({ options: { initialState: [r, c, 0, 0] } });
      let total = 0;
      let firstReward = -1;
      for (let t = 1; t <= 300; t++) {
        const s = env.step(maze2dExpert(env.getState()));
        total += s.reward;
        if (firstReward < 0 && s.reward > 0) firstReward = t;
      }
      const [x, y] = env.getState() as [number, number];
      assert.ok(firstReward > 0 && firstReward <= 120, `from (${r}, ${c}) first reward at step ${firstReward}`);
      assert.ok(Math.hypot(x - 1, y - 1) < 0.05, `from (${r}, ${c}) ends at (${x}, ${y})`);
      assert.equal(total, 300 - firstReward + 1, `from (${r}, ${c}) stays within 0.5 once there`);
    }
  });

  it("steers with D4RL's PD gains, saturated far from the waypoint", () => {
    // Ball in cell (3, 1): the next cell on the path is (3, 2), centre (2.8, 1.8).
    assert.deepEqual(maze2dExpert([2.8, 0.8, 0, 0]), [0, 1]);
    // In the goal cell the target is the goal point (1, 1) itself: unsaturated PD.
    assertClose(maze2dExpert([1.05, 0.97, 0.2, -0.1]), [10 * -0.05 - 0.2, 10 * 0.03 + 0.1], 1e-12);
  });
});
