/**
 * Memory check of the MuJoCo envs (not a timed benchmark, and not run by `npm run bench`): 1,000,000 steps with
 * seeded random actions spread over Hopper-v5, Walker2d-v5 and HalfCheetah-v5, every episode cut at 100 steps or
 * ended by termination (so at least 10,000 resets), then 2,000 envs made and closed, then (with --expose-gc) 2,000
 * made and dropped without close, 10 at a time with a collection between (freed by the FinalizationRegistry).
 * Prints one JSON object: the process RSS and the size of MuJoCo's WASM heap (MiB) at the start, the middle and the
 * end of the steps and after each make/drop phase, and a progress line on stderr every 100,000 steps. A leak shows
 * as RSS or WASM heap growing between the middle and the end.
 *
 *   npx tsc -p . && nice -n 10 node --expose-gc dist/bench/mujoco-rss.js [--steps N]
 *
 * (--steps N for a shorter run; without --expose-gc the dropped-envs phase is skipped.)
 */
import { make, ready } from "../src/envs/index.js";
import { LOCOMOTION_SPECS, LocomotionEnv, liveEnvCount } from "../src/envs/mujoco/index.js";
import { compiledModel } from "../src/envs/mujoco/runtime.js";
import { Rng } from "../src/tensor/rng.js";

const MiB = 1024 * 1024;

interface Sample {
  rssMiB: number;
  wasmHeapMiB: number;
}

/** RSS and the WASM memory's size (every MuJoCo array is a view of that one buffer). */
function sample(): Sample {
  (globalThis as { gc?: () => void }).gc?.();
  const spec = LOCOMOTION_SPECS[0]!;
  const heap = compiledModel(spec.id, spec.xml).qpos0.buffer.byteLength;
  return { rssMiB: +(process.memoryUsage().rss / MiB).toFixed(1), wasmHeapMiB: +(heap / MiB).toFixed(1) };
}

function stepsFlag(argv: string[]): number {
  const i = argv.indexOf("--steps");
  if (i < 0) return 1_000_000;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 2) {
    process.stderr.write(`mujoco-rss: --steps must be an integer >= 2, got ${argv[i + 1] ?? "nothing"}\n`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const total = stepsFlag(process.argv.slice(2));
  await ready();
  const rng = new Rng(0);
  const envs = LOCOMOTION_SPECS.map((s) => make(s.id));
  const out: Record<string, unknown> = { steps: total };
  let resets = 0;
  let steps = 0;
  const t0 = Date.now();
  out.start = sample();
  for (let e = 0; steps < total; e = (e + 1) % envs.length) {
    const env = envs[e]!;
    const width = env.actionSpace.kind === "box" ? env.actionSpace.shape[0]! : 1;
    env.reset({ seed: resets++ });
    for (let t = 0; t < 100 && steps < total; t++) {
      const a = new Array<number>(width); // [nu]
      for (let i = 0; i < width; i++) a[i] = rng.uniform(-1, 1);
      const r = env.step(a);
      steps++;
      if (steps === Math.floor(total / 2)) out.middle = sample();
      if (steps % 100_000 === 0) process.stderr.write(`${JSON.stringify({ steps, resets, ...sample() })}\n`);
      if (r.terminated || r.truncated) break;
    }
  }
  out.end = sample();
  for (const env of envs) env.close!();
  out.resets = resets;
  out.stepSeconds = (Date.now() - t0) / 1000;
  for (let i = 0; i < 2000; i++) {
    const env = make(LOCOMOTION_SPECS[i % 3]!.id) as LocomotionEnv;
    env.reset({ seed: i });
    env.close();
  }
  out.after2000Closed = { ...sample(), liveEnvs: liveEnvCount() };
  // Dropped envs are freed only after a collection and a turn of the event loop (the FinalizationRegistry), and
  // at most ~150 fit in the 2 GiB WASM heap at once: drop them 10 at a time, collecting in between.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    for (let i = 0; i < 2000; i++) {
      make(LOCOMOTION_SPECS[i % 3]!.id).reset({ seed: i });
      if (i % 10 === 9) {
        gc();
        await new Promise((r) => setTimeout(r, 10)); // lets the FinalizationRegistry run its callbacks
      }
    }
    out.after2000Dropped = { ...sample(), liveEnvs: liveEnvCount() };
  }
  console.log(JSON.stringify(out));
}

void main();
