import { test } from "node:test";
import assert from "node:assert/strict";
import { canonicalEnvId, isEnvId, make, registeredIds, resolveEnvId } from "../../../src/envs/index.js";
import {
  MazeEnv,
  MazeLocalEnv,
  MiniGridDoorKeyEnv,
  MiniGridEmptyEnv,
  countAdjacencies,
  countOpen,
  countReachable,
  expertAction,
  generateMaze,
  isPerfectMaze,
  mazeDistances,
  parseMaze,
  solveMazeAStar,
  solveMazeBfs,
} from "../../../src/envs/grid/index.js";
import { Rng } from "../../../src/tensor/rng.js";

/** A hand-built perfect 5x5 maze: entrance (0, 1), exit (4, 3). */
const SMALL = ["#####", "..#.#", "#.#.#", "#....", "#####"];

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test("maze generator: same seed gives the same maze, different seeds differ", () => {
  const a = generateMaze(123);
  const b = generateMaze(123);
  const c = generateMaze(124);
  assert.equal(a.size, 21);
  assert.deepEqual(a.cells, b.cells);
  assert.notDeepEqual(a.cells, c.cells);
});

test("maze generator: perfect mazes (all open cells reachable, a tree) for several seeds and sizes", () => {
  for (const size of [5, 7, 9, 21, 31, 51]) {
    for (let seed = 0; seed < 20; seed++) {
      const g = generateMaze(seed * 7919 + size, size);
      const open = countOpen(g);
      const r = (size - 1) / 2;
      // rooms + carved walls (rooms - 1) + entrance + exit
      assert.equal(open, 2 * r * r + 1, `open cells for size ${size}`);
      assert.equal(countReachable(g), open, `every open cell reachable (size ${size}, seed ${seed})`);
      assert.equal(countAdjacencies(g), open - 1, `a tree: adjacencies == open - 1 (size ${size}, seed ${seed})`);
      assert.ok(isPerfectMaze(g));
      // entrance and exit opened in the outer wall
      assert.equal(g.cells[1 * size + 0], 0);
      assert.equal(g.cells[(size - 2) * size + size - 1], 0);
      // the rest of the border is wall
      let borderOpen = 0;
      for (let i = 0; i < size; i++) {
        borderOpen += 1 - g.cells[i]! + (1 - g.cells[(size - 1) * size + i]!) + (1 - g.cells[i * size]!) + (1 - g.cells[i * size + size - 1]!);
      }
      assert.equal(borderOpen, 2);
    }
  }
});

test("maze generator: large sizes do not overflow (iterative stack)", () => {
  const g = generateMaze(5, 401);
  assert.ok(isPerfectMaze(g));
});

test("maze generator: bad sizes give a clear error", () => {
  assert.throws(() => generateMaze(1, 20), /odd integer in \[5, 1001\], got 20$/);
  assert.throws(() => generateMaze(1, 3), /odd integer in \[5, 1001\], got 3$/);
  assert.throws(() => make("Maze-v0", { size: 8 }), /odd integer in \[5, 1001\]/);
  // a huge size is refused by range with the memory it would take, not by a failed allocation
  assert.throws(() => make("Maze-v0", { size: 1000001 }), { name: "RangeError", message: "Maze-v0: option 'size' must be an odd integer in [5, 1001], got 1000001 (a 1000001x1000001 maze would take 5.0 TB)" });
});

test("A* length equals BFS length (perfect mazes, random endpoints, and a maze with loops)", () => {
  const rng = new Rng(7);
  for (let seed = 0; seed < 200; seed++) {
    const g = generateMaze(seed);
    const a = solveMazeAStar(g)!;
    const b = solveMazeBfs(g)!;
    assert.equal(a.length, b.length);
    assert.equal(a.length, mazeDistances(g)[1 * 21 + 0]);
    // random open endpoints
    const open: [number, number][] = [];
    for (let y = 0; y < 21; y++) for (let x = 0; x < 21; x++) if (g.cells[y * 21 + x] === 0) open.push([x, y]);
    const s = rng.choice(open);
    const t = rng.choice(open);
    assert.equal(solveMazeAStar(g, s, t)!.length, solveMazeBfs(g, s, t)!.length);
  }
  // An open room with pillars: many shortest paths, A* must still be optimal.
  const rows: string[] = [];
  for (let y = 0; y < 11; y++) {
    let r = "";
    for (let x = 0; x < 11; x++) {
      const border = x === 0 || y === 0 || x === 10 || y === 10;
      const pillar = x % 2 === 0 && y % 2 === 0;
      r += (border && !(x === 0 && y === 1) && !(x === 10 && y === 9)) || (pillar && !border) ? "#" : ".";
    }
    rows.push(r);
  }
  const loops = parseMaze(rows);
  assert.ok(!isPerfectMaze(loops));
  const a = solveMazeAStar(loops)!;
  assert.equal(a.length, solveMazeBfs(loops)!.length);
  assert.equal(a.length, 10 + 8); // Manhattan distance from (0,1) to (10,9)
});

test("solvers: the action sequence really walks from the entrance to the exit", () => {
  const env = new MazeEnv({ mazeSeed: 99 });
  env.reset();
  const plan = solveMazeAStar(env.getMaze())!;
  let last = env.step(plan[0]!);
  for (const a of plan.slice(1)) last = env.step(a);
  assert.deepEqual(last.observation, [20, 19]);
  assert.equal(last.terminated, true);
});

test("solvers: unreachable goal gives null; a wall endpoint gives a clear error", () => {
  const g = parseMaze(["#####", "..#.#", "###.#", "#....", "#####"]);
  assert.equal(solveMazeAStar(g), null);
  assert.equal(solveMazeBfs(g), null);
  assert.throws(() => solveMazeAStar(g, [2, 1]), /is a wall/);
});

test("Maze env: hand-checked steps (wall bump, -0.1 per step, +0.9 on the exit step)", () => {
  const env = make("Maze-v0", { maze: SMALL });
  const r = env.reset({ seed: 0 });
  assert.deepEqual(r.observation, [0, 1]);
  assert.equal(env.maxEpisodeSteps, 4 * 9);
  // left from the entrance leaves the grid: stay
  let s = env.step(0);
  assert.deepEqual(s.observation, [0, 1]);
  close(s.reward, -0.1);
  assert.equal(s.terminated, false);
  // up into the wall: stay
  s = env.step(2);
  assert.deepEqual(s.observation, [0, 1]);
  close(s.reward, -0.1);
  // right, down, down, right, right
  const path: [number, [number, number]][] = [
    [1, [1, 1]],
    [3, [1, 2]],
    [3, [1, 3]],
    [2, [1, 2]],
    [3, [1, 3]],
    [1, [2, 3]],
    [1, [3, 3]],
  ];
  for (const [a, pos] of path) {
    s = env.step(a);
    assert.deepEqual(s.observation, pos);
    close(s.reward, -0.1);
    assert.equal(s.terminated, false);
  }
  s = env.step(1);
  assert.deepEqual(s.observation, [4, 3]);
  close(s.reward, 0.9); // -0.1 + 1.0
  assert.equal(s.terminated, true);
  assert.equal(s.truncated, false);
  assert.throws(() => env.step(0), /call reset\(\)/);
});

test("Maze env: truncation at maxSteps", () => {
  const env = make("Maze-v0", { maze: SMALL, maxSteps: 3 });
  env.reset();
  assert.equal(env.step(0).truncated, false);
  assert.equal(env.step(0).truncated, false);
  const s = env.step(0);
  assert.equal(s.truncated, true);
  assert.equal(s.terminated, false);
  // default: 4 x open cells = 4 x 201 for a 21x21 perfect maze
  assert.equal(make("Maze-v0").maxEpisodeSteps, 804);
});

test("Maze env: same seed gives the same maze and the same episode; new seeds give new mazes", () => {
  const run = (seed: number): { maze: string; obs: number[][]; rewards: number[]; info: unknown } => {
    const env = make("Maze-v0") as MazeEnv;
    const r = env.reset({ seed });
    const act = new Rng(seed + 1);
    const obs: number[][] = [];
    const rewards: number[] = [];
    for (let t = 0; t < 300; t++) {
      const s = env.step(act.int(4));
      obs.push(s.observation);
      rewards.push(s.reward);
      if (s.terminated || s.truncated) break;
    }
    return { maze: env.render(), obs, rewards, info: r.info };
  };
  assert.deepEqual(run(5), run(5));
  assert.notEqual(run(5).maze, run(6).maze);
  // info.mazeSeed is reported and reproduces the maze
  const env = make("Maze-v0") as MazeEnv;
  const { info } = env.reset({ seed: 42 });
  assert.equal(typeof info.mazeSeed, "number");
  assert.deepEqual(env.getMaze().cells, generateMaze(info.mazeSeed as number).cells);
  // reset() without a seed continues the stream: a new maze each episode
  const first = env.render();
  env.reset();
  assert.notEqual(env.render(), first);
});

test("Maze env: options mazeSeed (fixed maze), per-episode mazeSeed, size, initialState", () => {
  const env = make("Maze-v0", { mazeSeed: 77 }) as MazeEnv;
  env.reset({ seed: 1 });
  const m1 = env.render();
  env.reset({ seed: 2 });
  assert.equal(env.render(), m1);
  assert.deepEqual(env.getMaze().cells, generateMaze(77).cells);
  env.reset({ options: { mazeSeed: 78 } });
  assert.deepEqual(env.getMaze().cells, generateMaze(78).cells);

  const small = make("Maze-v0", { size: 7 }) as MazeEnv;
  small.reset({ seed: 3 });
  assert.equal(small.getMaze().size, 7);
  assert.ok(isPerfectMaze(small.getMaze()));
  assert.deepEqual(small.observationSpace.high, [6, 6]);

  const e = make("Maze-v0", { maze: SMALL });
  assert.deepEqual(e.reset({ options: { initialState: [3, 1] } }).observation, [3, 1]);
  assert.deepEqual(e.getState(), [3, 1]);
  assert.throws(() => e.reset({ options: { initialState: [2, 1] } }), /is a wall/);
  assert.throws(() => e.reset({ options: { initialState: [9, 1] } }), /outside/);
  assert.throws(() => e.reset({ options: { initialState: [1] } }), /\[x, y\]/);
  assert.throws(() => make("Maze-v0", { mazeseed: 3 }), /unknown option 'mazeseed'/);
});

test("Maze env: actions outside the space give a clear error", () => {
  const env = make("Maze-v0");
  env.reset({ seed: 0 });
  assert.throws(() => env.step(4), /action must be an integer in \[0, 3\]/);
  assert.throws(() => env.step(-1), /action must be an integer in \[0, 3\]/);
  assert.throws(() => env.step(1.5), /action must be an integer in \[0, 3\]/);
});

test("Maze env: render and renderRgb", () => {
  const env = make("Maze-v0", { maze: SMALL });
  env.reset();
  assert.equal(env.render(), ["#####", "A.#.#", "#.#.#", "#...E", "#####"].join("\n"));
  const f = env.renderRgb!();
  assert.equal(f.width, 40);
  assert.equal(f.height, 40);
  assert.equal(f.data.length, 40 * 40 * 3);
  const px = (x: number, y: number): number[] => [...f.data.slice((y * 40 + x) * 3, (y * 40 + x) * 3 + 3)];
  assert.deepEqual(px(4, 12), [220, 0, 0]); // agent cell (0, 1), centre
  assert.deepEqual(px(12, 12), [255, 255, 255]); // open (1, 1)
  assert.deepEqual(px(20, 4), [40, 40, 40]); // wall (2, 0)
  assert.deepEqual(px(36, 28), [0, 200, 0]); // exit (4, 3)
});

test("Maze expert: follows the A* path and reaches the exit on many mazes", () => {
  const env = make("Maze-v0") as MazeEnv;
  for (let seed = 0; seed < 30; seed++) {
    env.reset({ seed });
    const plan = env.solve()!;
    let ret = 0;
    for (let t = 0; t < plan.length; t++) {
      const a = expertAction(env);
      assert.equal(a, plan[t]);
      const s = env.step(a);
      ret += s.reward;
      assert.equal(s.terminated, t === plan.length - 1);
    }
    close(ret, -0.1 * (plan.length - 1) + 0.9, 1e-9);
  }
  // from a random mid-maze cell too
  env.reset({ seed: 3 });
  const rng = new Rng(0);
  for (let t = 0; t < 40; t++) env.step(rng.int(4));
  const rest = env.solve()!;
  for (const a of rest) {
    assert.equal(expertAction(env), a);
    env.step(a);
  }
});

test("MazeLocal: wall bits on a hand-built maze", () => {
  const env = make("MazeLocal-v0", { maze: SMALL });
  // [x, y, left, right, up, down], 1 = blocked (wall or outside)
  assert.deepEqual(env.reset().observation, [0, 1, 1, 0, 1, 1]);
  assert.deepEqual(env.step(1).observation, [1, 1, 0, 1, 1, 0]);
  assert.deepEqual(env.step(3).observation, [1, 2, 1, 1, 0, 0]);
  assert.deepEqual(env.reset({ options: { initialState: [3, 3] } }).observation, [3, 3, 0, 0, 0, 1]);
  assert.deepEqual(env.reset({ options: { initialState: [3, 1] } }).observation, [3, 1, 1, 1, 1, 0]);
  assert.deepEqual(env.observationSpace.shape, [6]);
  assert.deepEqual(env.observationSpace.high, [4, 4, 1, 1, 1, 1]);
});

test("MazeLocal: 3x3 view on a hand-built maze", () => {
  const env = make("MazeLocal-v0", { maze: SMALL, view: "3x3" }) as MazeLocalEnv;
  assert.equal(env.view, "3x3");
  // rows y-1, y, y+1; columns x-1, x, x+1
  assert.deepEqual(env.reset().observation, [0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0]);
  assert.deepEqual(env.step(1).observation, [1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1]);
  assert.deepEqual(env.observationSpace.shape, [11]);
  assert.throws(() => make("MazeLocal-v0", { view: "5x5" }), /view/);
});

test("MazeLocal: same dynamics and rewards as Maze; the expert solves it", () => {
  const a = make("Maze-v0");
  const b = make("MazeLocal-v0");
  a.reset({ seed: 11 });
  b.reset({ seed: 11 });
  assert.equal(a.render(), b.render());
  for (;;) {
    const act = expertAction(b);
    assert.equal(act, expertAction(a));
    const sa = a.step(act);
    const sb = b.step(act);
    assert.deepEqual(sb.observation.slice(0, 2), sa.observation);
    assert.equal(sb.reward, sa.reward);
    assert.equal(sb.terminated, sa.terminated);
    if (sa.terminated) break;
  }
});

test("older ids Maze-21x21-v0 / MazeLocal-21x21-v0: 21x21 mazes only, built under the current id", () => {
  const old = make("MazeLocal-21x21-v0", { mazeSeed: 5 }) as MazeLocalEnv;
  const now = make("MazeLocal-v0", { mazeSeed: 5 }) as MazeLocalEnv;
  assert.equal(old.id, "MazeLocal-v0");
  assert.equal(old.size, 21);
  assert.deepEqual(old.reset({ seed: 1 }).observation, now.reset({ seed: 1 }).observation);
  assert.deepEqual(old.getMaze().cells, now.getMaze().cells);
  assert.equal(make("Maze-21x21-v0", { size: 21 }).id, "Maze-v0");
  assert.throws(
    () => make("MazeLocal-21x21-v0", { size: 15 }),
    { name: "RangeError", message: "MazeLocal-21x21-v0 names a 21x21 grid, but option 'size' asks for 15x15; use MazeLocal-v0 with the option size: 15" },
  );
  assert.throws(
    () => make("Maze-21x21-v0", { maze: SMALL }),
    { message: "Maze-21x21-v0 names a 21x21 grid, but the given maze is 5x5; use Maze-v0 with the option size: 5" },
  );
  assert.deepEqual(registeredIds().filter((id) => id.startsWith("Maze")), ["Maze-v0", "Maze2D-UMaze-v0", "MazeLocal-v0"]);
  assert.equal(isEnvId("Maze-21x21-v0"), true);
  assert.equal(canonicalEnvId("MazeLocal-21x21-v0"), "MazeLocal-v0");
  assert.equal(canonicalEnvId("CartPole-v1"), "CartPole-v1");
  assert.equal(resolveEnvId("Maze-21x21-v0"), "Maze-v0");
  assert.throws(() => resolveEnvId("Maze-21x21-v0", { size: 7 }), /^RangeError: Maze-21x21-v0 names a 21x21 grid, but option 'size' asks for 7x7/);
});

test("MiniGrid ids that name 8x8 refuse another size; the classes name their own size", () => {
  assert.equal(make("MiniGrid-Empty-8x8-v0", { size: 8 }).id, "MiniGrid-Empty-8x8-v0");
  assert.throws(
    () => make("MiniGrid-Empty-8x8-v0", { size: 5 }),
    { message: "MiniGrid-Empty-8x8-v0 names an 8x8 grid, but option 'size' asks for 5x5; leave the option 'size' out (the id fixes it)" },
  );
  assert.throws(() => make("MiniGrid-DoorKey-8x8-v0", { size: 6 }), /^RangeError: MiniGrid-DoorKey-8x8-v0 names an 8x8 grid, but option 'size' asks for 6x6/);
  const e5 = new MiniGridEmptyEnv({ size: 5 });
  assert.equal(e5.id, "MiniGrid-Empty-5x5-v0");
  assert.equal(e5.maxEpisodeSteps, 100); // 4 * 5 * 5
  assert.equal(new MiniGridDoorKeyEnv({ size: 6 }).id, "MiniGrid-DoorKey-6x6-v0");
});
