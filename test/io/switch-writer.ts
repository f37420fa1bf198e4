/**
 * Child process of the crash tests: saves a checkpoint of a TinyModel (seed argv[3]) to argv[2] and, when argv[4]
 * names a step of the switch, kills itself with SIGKILL right after that step.
 */
import { ready } from "../../src/tensor/index.js";
import { saveCheckpoint } from "../../src/checkpoint/index.js";
import { TinyModel } from "../train/tiny-model.js";

const [dir, seed, killAt] = process.argv.slice(2);
// `node --test dist/test` also runs this file, without arguments: nothing to do then.
if (dir !== undefined) await save(dir);

async function save(dir: string): Promise<void> {
  await ready({ engine: "wasm" });
  const model = new TinyModel({ obsDim: 3, actions: 3, d: 8, K: 4, dropout: 0.1, seed: Number(seed) });
  await saveCheckpoint(dir, {
    model,
    envId: "strl/Toy-v0",
    normalisation: { stateMean: [0, 0, 0], stateStd: [1, 1, 1], rtgScale: 1 },
    onStep: (step) => {
      if (step === killAt) process.kill(process.pid, "SIGKILL");
    },
  });
}
