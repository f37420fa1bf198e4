/**
 * The MuJoCo envs before and after `ready()`: `make` on a MuJoCo id before the simulator has loaded is a one-line
 * error that says what to call; other envs never need it; `readyFor` loads the simulator only for MuJoCo ids.
 * (Its own file: node --test runs each file in a fresh process, so nothing has loaded the simulator yet.)
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { make, ready, readyFor } from "../../../src/envs/index.js";
import { mujocoLoaded } from "../../../src/envs/mujoco/index.js";

describe("MuJoCo envs before ready()", () => {
  it("make('Hopper-v5') is a one-line error naming envs.ready(); after readyFor('Hopper-v5') it builds", async () => {
    assert.equal(mujocoLoaded(), false);
    assert.throws(() => make("Hopper-v5"), (e: Error) => {
      assert.equal(e.message, "Hopper-v5 runs on the MuJoCo simulator, which loads asynchronously: call 'await envs.ready()' (strl.envs.ready() from the package) before make('Hopper-v5')");
      return true;
    });
    assert.equal(make("CartPole-v1").id, "CartPole-v1", "other envs need no loading");
    await readyFor("CartPole-v1");
    await readyFor("Maze-v0");
    assert.equal(mujocoLoaded(), false, "readyFor loads nothing for a non-MuJoCo id");
    await readyFor("Hopper-v5");
    assert.equal(mujocoLoaded(), true);
    assert.deepEqual(make("Hopper-v5").observationSpace.shape, [11]);
    await ready(); // a second load returns at once
    assert.deepEqual(make("Walker2d-v5").actionSpace, { kind: "box", shape: [6], low: [-1, -1, -1, -1, -1, -1], high: [1, 1, 1, 1, 1, 1] });
  });
});
