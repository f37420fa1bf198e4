import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ready } from "../../src/envs/index.js";
import { decodeSafetensors } from "../../src/io/safetensors.js";
import { runSac } from "../../src/online/sac-run.js";

let dir = "";
before(async () => {
  await ready();
  dir = mkdtempSync(join(tmpdir(), "strl-sac-run-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const tiny = (out: string, steps: number) => ({
  envId: "Hopper-v5", steps, seed: 3, out, startSteps: 100, evalEvery: 150, evalEpisodes: 1, checkpointEvery: 10_000,
  sac: { hidden: [8, 8], batchSize: 16 },
});
const replay = (out: string): Map<string, Float32Array> => {
  const st = decodeSafetensors(readFileSync(join(out, "state", "replay.safetensors")));
  return new Map([...st.tensors].map(([k, t]) => [k, t.data as Float32Array]));
};

describe("runSac", () => {
  it("is deterministic: a shorter run's buffer is the first steps of a longer run's, bit for bit (how medium-replay is regenerated)", async () => {
    const a = await runSac(tiny(join(dir, "a"), 300));
    const b = await runSac(tiny(join(dir, "b"), 450));
    assert.equal(a.step, 300);
    assert.equal(b.step, 450);
    const ra = replay(join(dir, "a"));
    const rb = replay(join(dir, "b"));
    for (const k of ["obs", "act", "rew", "next_obs", "done"]) {
      const x = ra.get(k)!;
      assert.equal(rb.get(k)!.length, (x.length / 300) * 450, k);
      assert.deepEqual(rb.get(k)!.subarray(0, x.length), x, k);
    }
    // evaluations at 150 and 300 equal too: the same actor at the same steps
    assert.deepEqual(a.evaluations.map((e) => e.mean), b.evaluations.slice(0, 2).map((e) => e.mean));
    // random actions until startSteps are inside the action space
    assert.ok([...ra.get("act")!].every((v) => v >= -1 && v <= 1));
  });

  it("stops on request with a checkpoint, and resumes from it to the full length", async () => {
    const out = join(dir, "c");
    let polls = 0;
    const stopped = await runSac({ ...tiny(out, 300), shouldStop: () => ++polls > 200 });
    assert.equal(stopped.stopped, true);
    assert.equal(stopped.step, 200);
    const resumed = await runSac({ ...tiny(out, 300), resume: true });
    assert.equal(resumed.step, 300);
    assert.equal(replay(out).get("rew")!.length, 300);
    const log = readFileSync(join(out, "log.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(log.filter((l) => "start" in l).map((l) => [l.start, l.resume]), [[0, false], [200, true]]);
    assert.deepEqual(log.filter((l) => "eval_mean" in l).map((l) => l.step), [150, 300]);
  });
});
