/**
 * One SAC update (two critics, the actor and the temperature; src/online/sac-agent.ts) on Hopper's shapes
 * (obs 11, action 3) from a filled replay buffer, at the two network sizes `strl expert train` uses: 256x256 with
 * batch 256 (SAC's and D4RL's default) and 128x128 with batch 128 (what the shipped experts were trained with).
 * The median over the timed updates, in ms; the engine is this process's (native when built).
 */
import type { Bench, BenchResult } from "./types.js";
import { median, timeRuns } from "./types.js";
import { SAC_DEFAULTS, SacAgent, type SacBatch } from "../src/online/sac-agent.js";
import { ReplayBuffer } from "../src/online/replay-buffer.js";
import { Rng, engineInfo } from "../src/tensor/index.js";

const OBS = 11;
const ACT = 3;

function filledBuffer(rng: Rng, n: number): ReplayBuffer {
  const buf = new ReplayBuffer(n, OBS, ACT);
  const v = (k: number): number[] => Array.from({ length: k }, () => rng.float() * 2 - 1);
  for (let i = 0; i < n; i++) buf.add(v(OBS), v(ACT), rng.float(), v(OBS), rng.float() < 0.01);
  return buf;
}

export const bench: Bench = {
  name: "sac",
  async run({ quick }) {
    const out: BenchResult[] = [];
    for (const [hidden, batchSize] of [[[256, 256], 256], [[128, 128], 128]] as const) {
      const rng = new Rng(7);
      const agent = new SacAgent(OBS, ACT, { ...SAC_DEFAULTS, hidden: [...hidden], batchSize }, rng);
      const buf = filledBuffer(rng, 10_000);
      const batch: SacBatch = { obs: new Float32Array(batchSize * OBS), act: new Float32Array(batchSize * ACT), rew: new Float32Array(batchSize), nextObs: new Float32Array(batchSize * OBS), done: new Float32Array(batchSize) };
      const times = await timeRuns(() => {
        buf.sample(batch, rng);
        agent.update(batch, rng);
      }, quick ? 10 : 100, quick ? 2 : 10);
      out.push({ case: `SAC update, hidden ${hidden.join("x")}, batch ${batchSize} (ms)`, value: median(times), unit: "ms", extra: { min: Math.min(...times), max: Math.max(...times), runs: times.length, engine: engineInfo() } });
    }
    return out;
  },
};
