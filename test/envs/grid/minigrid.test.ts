import { test } from "node:test";
import assert from "node:assert/strict";
import { type Env, make } from "../../../src/envs/index.js";
import {
  MiniGridDoorKeyEnv,
  type MiniGridEnvBase,
  OBJECT_TO_IDX,
  STATE_TO_IDX,
  epsilonExpertPolicy,
  expertAction,
} from "../../../src/envs/grid/index.js";
import { Rng } from "../../../src/tensor/rng.js";

const EMPTY = "MiniGrid-Empty-8x8-v0";
const FOUR = "MiniGrid-FourRooms-v0";
const DOORKEY = "MiniGrid-DoorKey-8x8-v0";
const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);
const mg = (id: string, o?: Record<string, unknown>): MiniGridEnvBase => make(id, o) as MiniGridEnvBase;

/** View cell (vx, vy) of a flattened 7x7x3 image: index (vx * 7 + vy) * 3. */
const view = (img: number[], vx: number, vy: number): number[] => img.slice((vx * 7 + vy) * 3, (vx * 7 + vy) * 3 + 3);

/** Locate the (single) object of a type. */
function find(env: MiniGridEnvBase, type: number): [number, number] {
  for (let y = 0; y < env.height; y++) for (let x = 0; x < env.width; x++) if (env.cellAt(x, y)[0] === type) return [x, y];
  throw new Error(`no object ${type}`);
}

test("MiniGrid: registered sizes, max_steps and spaces", () => {
  const e = mg(EMPTY);
  assert.equal(e.width, 8);
  assert.equal(e.maxEpisodeSteps, 256); // 4 * 8 * 8
  assert.equal(mg(FOUR).width, 19);
  assert.equal(mg(FOUR).maxEpisodeSteps, 100);
  assert.equal(mg(DOORKEY).width, 8);
  assert.equal(mg(DOORKEY).maxEpisodeSteps, 640); // 10 * 8 * 8
  assert.deepEqual(e.actionSpace, { kind: "discrete", n: 7 });
  assert.deepEqual(e.observationSpace.shape, [3]);
  assert.deepEqual(mg(EMPTY, { observation: "xy" }).observationSpace.shape, [2]);
  assert.deepEqual(mg(EMPTY, { observation: "image" }).observationSpace.shape, [7, 7, 3]);
  assert.throws(() => mg(EMPTY, { observation: "rgb" }), /observation/);
  assert.throws(() => mg(FOUR, { size: 9 }), /unknown option 'size'/);
});

test("Empty-8x8: layout, turning and forward moves by hand", () => {
  const env = mg(EMPTY);
  assert.deepEqual(env.reset({ seed: 0 }).observation, [1, 1, 0]); // (x, y, dir): facing right
  assert.deepEqual(env.cellAt(6, 6), [OBJECT_TO_IDX.goal, 1, 0]);
  assert.equal(env.render().split("\n")[1], "#>.....#");
  const steps: [number, number[]][] = [
    [1, [1, 1, 1]], // turn right: down
    [1, [1, 1, 2]], // left-facing
    [2, [1, 1, 2]], // forward into the wall at (0, 1): stay
    [0, [1, 1, 1]], // turn left: down
    [0, [1, 1, 0]], // right
    [0, [1, 1, 3]], // up (wraps 0 -> 3)
    [2, [1, 1, 3]], // forward into the wall at (1, 0): stay
    [1, [1, 1, 0]],
    [2, [2, 1, 0]], // forward: x + 1
    [1, [2, 1, 1]],
    [2, [2, 2, 1]], // forward: y + 1
    [3, [2, 2, 1]], // pickup / drop / toggle / done change nothing here
    [4, [2, 2, 1]],
    [5, [2, 2, 1]],
    [6, [2, 2, 1]],
  ];
  for (const [a, obs] of steps) {
    const s = env.step(a);
    assert.deepEqual(s.observation, obs);
    assert.equal(s.reward, 0);
    assert.equal(s.terminated, false);
  }
  assert.deepEqual(mg(EMPTY, { observation: "xy" }).reset().observation, [1, 1]);
});

test("Empty-8x8: BFS expert solves it in the hand-counted optimal 11 steps; reward formula", () => {
  // From (1, 1) facing right to (6, 6): 5 forwards, one right turn, 5 forwards = 11 actions.
  const env = mg(EMPTY);
  env.reset({ seed: 0 });
  const plan = env.solve()!;
  assert.equal(plan.length, 11);
  assert.equal(plan.filter((a) => a === 2).length, 10);
  let last;
  for (let t = 0; t < 11; t++) last = env.step(expertAction(env));
  assert.equal(last!.terminated, true);
  assert.deepEqual(last!.observation, [6, 6, 1]);
  close(last!.reward, 1 - 0.9 * (11 / 256));
  // a known longer route: 2 useless turns first, then the plan (13 steps)
  env.reset();
  env.step(0);
  env.step(1);
  for (const a of plan.slice(0, -1)) assert.equal(env.step(a).reward, 0);
  const s = env.step(plan[plan.length - 1]!);
  close(s.reward, 1 - 0.9 * (13 / 256));
  assert.equal(s.info.isSuccess, true);
});

test("MiniGrid: truncation at max_steps", () => {
  const env = mg(EMPTY);
  env.reset();
  for (let t = 1; t < 256; t++) assert.equal(env.step(6).truncated, false, `step ${t}`);
  const s = env.step(6);
  assert.equal(s.truncated, true);
  assert.equal(s.terminated, false);
  assert.throws(() => env.step(6), /call reset\(\)/);
  const short = mg(FOUR, { maxSteps: 5 });
  short.reset({ seed: 1 });
  for (let t = 1; t < 5; t++) assert.equal(short.step(0).truncated, false);
  assert.equal(short.step(0).truncated, true);
  // reaching the goal on the last allowed step: terminated with reward 1 - 0.9 * 1 = 0.1
  const tight = mg(EMPTY, { maxSteps: 11 });
  tight.reset();
  let last;
  for (let t = 0; t < 11; t++) last = tight.step(expertAction(tight));
  assert.equal(last!.terminated, true);
  assert.equal(last!.truncated, false);
  close(last!.reward, 0.1);
});

test("MiniGrid: actions outside the space give a clear error", () => {
  const env = mg(DOORKEY);
  env.reset({ seed: 0 });
  for (const bad of [7, -1, 2.5, "2", null]) {
    assert.throws(() => env.step(bad as unknown as number), /action must be an integer in \[0, 6\]/);
  }
});

test("MiniGrid: same seed gives the same layout and the same episode", () => {
  for (const id of [FOUR, DOORKEY]) {
    const run = (seed: number): unknown[] => {
      const env = mg(id);
      const out: unknown[] = [env.reset({ seed }).observation, env.render()];
      const rng = new Rng(99);
      for (let t = 0; t < 200; t++) {
        const s = env.step(rng.int(7));
        out.push(s.observation, s.reward);
        if (s.terminated || s.truncated) break;
      }
      return out;
    };
    assert.deepEqual(run(3), run(3));
    assert.notDeepEqual(run(3).slice(0, 2), run(4).slice(0, 2));
  }
  // reset() without a seed continues the stream
  const env = mg(FOUR);
  env.reset({ seed: 8 });
  const a = env.render();
  env.reset();
  assert.notEqual(env.render(), a);
});

test("FourRooms: MiniGrid's layout rules", () => {
  const env = mg(FOUR);
  for (let seed = 0; seed < 30; seed++) {
    env.reset({ seed });
    const g = env.render().split("\n");
    assert.equal(g.length, 19);
    // outer walls, and the inner walls at x = 9 and y = 9 with exactly 4 gaps
    let gaps = 0;
    for (let i = 0; i < 19; i++) {
      assert.equal(g[0]![i], "#");
      assert.equal(g[18]![i], "#");
      assert.equal(g[i]![0], "#");
      assert.equal(g[i]![18], "#");
      if (i > 0 && i < 18 && i !== 9) {
        if (g[i]![9] !== "#") gaps++;
        if (g[9]![i] !== "#") gaps++;
      }
    }
    assert.equal(g[9]![9], "#");
    assert.equal(gaps, 4);
    const [x, y, d] = env.getState() as [number, number, number];
    assert.ok(d >= 0 && d < 4);
    assert.equal(env.cellAt(x, y)[0], OBJECT_TO_IDX.empty);
    assert.equal(env.render().split("G").length, 2);
  }
});

test("DoorKey: MiniGrid's layout rules", () => {
  const env = mg(DOORKEY);
  for (let seed = 0; seed < 30; seed++) {
    env.reset({ seed });
    const [dx, dy] = find(env, OBJECT_TO_IDX.door);
    assert.ok(dx >= 2 && dx <= 5, `wall column ${dx}`);
    assert.ok(dy >= 1 && dy <= 5, `door row ${dy}`);
    assert.deepEqual(env.cellAt(dx, dy), [OBJECT_TO_IDX.door, 4, STATE_TO_IDX.locked]); // yellow, locked
    for (let y = 0; y < 8; y++) if (y !== dy) assert.equal(env.cellAt(dx, y)[0], OBJECT_TO_IDX.wall);
    const [kx] = find(env, OBJECT_TO_IDX.key);
    assert.ok(kx < dx);
    assert.ok(env.getState()[0]! < dx);
    assert.deepEqual(env.cellAt(6, 6), [OBJECT_TO_IDX.goal, 1, 0]);
  }
});

test("DoorKey: the locked door needs the key (pickup + toggle)", () => {
  // Find a seed where the cell left of the door is free, stand there facing the door.
  let env!: MiniGridEnvBase;
  let door!: [number, number];
  for (let seed = 0; ; seed++) {
    env = mg(DOORKEY);
    env.reset({ seed });
    door = find(env, OBJECT_TO_IDX.door);
    if (env.cellAt(door[0] - 1, door[1])[0] === OBJECT_TO_IDX.empty) {
      env.reset({ seed, options: { initialState: [door[0] - 1, door[1], 0] } });
      break;
    }
  }
  // forward into the locked door: blocked; toggle without the key: still locked
  assert.deepEqual(env.step(2).observation, [door[0] - 1, door[1], 0]);
  env.step(5);
  assert.equal(env.cellAt(door[0], door[1])[2], STATE_TO_IDX.locked);
  assert.equal(env.carrying(), null);
  // the expert's plan picks the key up, then toggles the door open, then reaches the goal
  const plan = env.solve()!;
  const pick = plan.indexOf(3);
  const tog = plan.indexOf(5);
  assert.ok(pick >= 0 && tog > pick, `plan ${plan}`);
  let s;
  for (let t = 0; t < plan.length; t++) {
    s = env.step(plan[t]!);
    if (t === pick) assert.deepEqual(env.carrying(), [OBJECT_TO_IDX.key, 4]);
    if (t === tog) assert.equal(env.cellAt(door[0], door[1])[2], STATE_TO_IDX.open);
  }
  assert.equal(s!.terminated, true);
  assert.ok(s!.reward > 0);
});

test("DoorKey: drop puts the key down in front; toggling an unlocked door closes and reopens it", () => {
  const env = mg(DOORKEY) as MiniGridDoorKeyEnv;
  env.reset({ seed: 3 });
  // follow the expert until it holds the key and has opened the door
  const door = find(env, OBJECT_TO_IDX.door);
  while (env.cellAt(door[0], door[1])[2] !== STATE_TO_IDX.open) env.step(expertAction(env));
  assert.notEqual(env.carrying(), null);
  // facing the open door now: toggle closes (unlocked), toggle opens again
  env.step(5);
  assert.equal(env.cellAt(door[0], door[1])[2], STATE_TO_IDX.closed);
  env.step(5);
  assert.equal(env.cellAt(door[0], door[1])[2], STATE_TO_IDX.open);
  // drop onto the door cell is refused (not empty); turn around and drop
  env.step(4);
  assert.notEqual(env.carrying(), null);
  env.step(0);
  env.step(0);
  const [x, y, d] = env.getState() as [number, number, number];
  const fx = x + [1, 0, -1, 0][d]!;
  const fy = y + [0, 1, 0, -1][d]!;
  env.step(4);
  assert.equal(env.carrying(), null);
  assert.deepEqual(env.cellAt(fx, fy), [OBJECT_TO_IDX.key, 4, 0]);
  // the expert still finishes from here
  let s;
  do s = env.step(expertAction(env));
  while (!s.terminated && !s.truncated);
  assert.equal(s.terminated, true);
});

function runExpert(env: Env, seed: number): { steps: number; reward: number; planned: number } {
  env.reset({ seed });
  const planned = (env as MiniGridEnvBase).solve()!.length;
  let steps = 0;
  for (;;) {
    const s = env.step(expertAction(env));
    steps++;
    if (s.terminated || s.truncated) return { steps, reward: s.reward, planned };
  }
}

test("expert succeeds on many seeds of FourRooms and DoorKey, in the planned (optimal) number of steps", () => {
  for (const id of [FOUR, DOORKEY]) {
    const env = make(id);
    for (let seed = 0; seed < 100; seed++) {
      const r = runExpert(env, seed);
      assert.equal(r.steps, r.planned, `${id} seed ${seed}`);
      close(r.reward, 1 - 0.9 * (r.steps / env.maxEpisodeSteps));
    }
  }
});

test("epsilon-noisy expert still reaches the goal (the expert replans after off-plan actions)", () => {
  const rng = new Rng(5);
  const policy = epsilonExpertPolicy(0.3, rng);
  for (const id of [FOUR, DOORKEY]) {
    const env = make(id);
    let successes = 0;
    for (let seed = 0; seed < 20; seed++) {
      let obs = env.reset({ seed }).observation;
      for (;;) {
        const s = env.step(policy.act(obs, env));
        obs = s.observation;
        if (s.terminated || s.truncated) {
          if (s.reward > 0) successes++;
          break;
        }
      }
    }
    assert.ok(successes >= 18, `${id}: ${successes}/20`);
  }
});

test("initialState: [x, y, dir], must be an empty cell", () => {
  const env = mg(EMPTY);
  assert.deepEqual(env.reset({ options: { initialState: [3, 4, 2] } }).observation, [3, 4, 2]);
  assert.deepEqual(env.getState(), [3, 4, 2]);
  assert.throws(() => env.reset({ options: { initialState: [0, 4, 2] } }), /not an empty cell/);
  assert.throws(() => env.reset({ options: { initialState: [6, 6, 0] } }), /not an empty cell/);
  assert.throws(() => env.reset({ options: { initialState: [3, 4, 4] } }), /direction/);
  assert.throws(() => env.reset({ options: { initialState: [3, 4] } }), /\[x, y, direction\]/);
  assert.throws(() => env.reset({ options: { initialState: [30, 4, 0] } }), /outside/);
});

test("image observation: Empty-8x8 egocentric views by hand (all four directions)", () => {
  const env = mg(EMPTY, { observation: "image" });
  const WALL = [2, 5, 0];
  const FREE = [1, 0, 0];
  const GOAL = [8, 1, 0];
  // Facing right from (1, 1): view column vx = lateral offset -3..3 (y = -2..4), view row vy = 6 - forward
  // distance (x = 7 - vy). Empty sees through walls, so every cell is visible.
  let img = env.reset().observation;
  assert.equal(img.length, 147);
  for (let vx = 0; vx < 7; vx++) {
    for (let vy = 0; vy < 7; vy++) {
      const x = 7 - vy;
      const y = vx - 2;
      const wall = x <= 0 || x >= 7 || y <= 0 || y >= 7;
      assert.deepEqual(view(img, vx, vy), wall ? WALL : FREE, `(${vx}, ${vy})`);
    }
  }
  // Facing down from (1, 1): the agent's left is +x. View (2, 6) = world (2, 1); (4, 6) = world (0, 1).
  img = env.reset({ options: { initialState: [1, 1, 1] } }).observation;
  assert.deepEqual(view(img, 3, 6), FREE); // the agent's own cell shows what it carries: nothing
  assert.deepEqual(view(img, 2, 6), FREE);
  assert.deepEqual(view(img, 4, 6), WALL);
  assert.deepEqual(view(img, 3, 0), WALL); // six cells ahead: y = 7, the bottom wall
  assert.deepEqual(view(img, 3, 1), FREE); // five ahead: (1, 6)
  // Facing up from (1, 1): the agent's left is -x.
  img = env.reset({ options: { initialState: [1, 1, 3] } }).observation;
  assert.deepEqual(view(img, 2, 6), WALL);
  assert.deepEqual(view(img, 4, 6), FREE);
  assert.deepEqual(view(img, 3, 5), WALL); // straight ahead: (1, 0)
  // Facing left from (2, 1): straight ahead (1, 1) free, then the wall (0, 1).
  img = env.reset({ options: { initialState: [2, 1, 2] } }).observation;
  assert.deepEqual(view(img, 3, 5), FREE);
  assert.deepEqual(view(img, 3, 4), WALL);
  // The goal straight ahead, facing right from (5, 6) and facing down from (6, 5).
  img = env.reset({ options: { initialState: [5, 6, 0] } }).observation;
  assert.deepEqual(view(img, 3, 5), GOAL);
  img = env.reset({ options: { initialState: [6, 5, 1] } }).observation;
  assert.deepEqual(view(img, 3, 5), GOAL);
});

test("image observation: walls and locked doors occlude (DoorKey); the carried key shows at the agent's cell", () => {
  let env!: MiniGridEnvBase;
  let door!: [number, number];
  let seed = 0;
  for (; ; seed++) {
    env = mg(DOORKEY, { observation: "image" });
    env.reset({ seed });
    door = find(env, OBJECT_TO_IDX.door);
    if (env.cellAt(door[0] - 1, door[1])[0] === OBJECT_TO_IDX.empty) break;
  }
  // the same seed again, so the same layout, with the agent facing the door
  const img = env.reset({ seed, options: { initialState: [door[0] - 1, door[1], 0] } }).observation;
  assert.deepEqual(view(img, 3, 5), [4, 4, 2]); // the locked yellow door straight ahead
  assert.deepEqual(view(img, 3, 4), [0, 0, 0]); // behind it: unseen
  assert.deepEqual(view(img, 3, 0), [0, 0, 0]);
  // the wall cells beside the door are seen, what lies behind them is not
  assert.deepEqual(view(img, 2, 5), [2, 5, 0]); // the wall cell (door x, door y - 1)
  assert.deepEqual(view(img, 2, 4), [0, 0, 0]); // and the cell behind it
  // pick up the key with the expert, then the agent's view cell shows it
  const plan = env.solve()!;
  let obs = img;
  for (const a of plan.slice(0, plan.indexOf(3) + 1)) obs = env.step(a).observation;
  assert.deepEqual(view(obs, 3, 6), [5, 4, 0]);
});

test("MiniGrid: render and renderRgb", () => {
  const env = mg(EMPTY);
  env.reset();
  assert.equal(env.render(), ["########", "#>.....#", "#......#", "#......#", "#......#", "#......#", "#.....G#", "########"].join("\n"));
  const f = env.renderRgb!();
  assert.equal(f.width, 64);
  assert.equal(f.height, 64);
  const px = (x: number, y: number): number[] => [...f.data.slice((y * 64 + x) * 3, (y * 64 + x) * 3 + 3)];
  assert.deepEqual(px(2, 2), [100, 100, 100]); // wall
  assert.deepEqual(px(52, 52), [0, 255, 0]); // goal (6, 6)
  assert.deepEqual(px(12, 12), [255, 0, 0]); // the agent's triangle at (1, 1)
  assert.deepEqual(px(20, 20), [0, 0, 0]); // empty floor
  const dk = mg(DOORKEY);
  dk.reset({ seed: 1 });
  assert.match(dk.render(), /L/);
  assert.match(dk.render(), /K/);
  assert.equal(dk.renderRgb!(4).width, 32);
});
