/**
 * Size and batch-1 latency of an exported STRL (the paper size by default: d 256, 6 blocks, 8 heads, T 4, K 100)
 * in ONNX Runtime against strl's own decision path (`getAction`, `forwardLast`), on one full-context window; also
 * the largest difference of their logits and whether every LIF layer's spike count agrees. A command, not a test:
 *
 *   npm run build && node dist/bench/onnx-latency.js [--size paper|small] [--runs N] [--threads N]
 *
 * Needs onnxruntime-node (a dev dependency). Wall times are medians over --runs decisions after 3 warm-up ones;
 * CPU times are the process's CPU (all threads) per decision, which a loaded machine inflates less.
 */
import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { ready, engineInfo } from "../src/tensor/backend.js";
import { benchHistory, benchModel, BENCH_SIZES, type BenchSize } from "../src/bench/model-cases.js";
import { modelWeights } from "../src/checkpoint/index.js";
import { exportOnnx, OnnxPolicyRunner, SPIKES_PREFIX } from "../src/export/index.js";
import { namedNeurons } from "../src/snn/index.js";
import type { StrlModel } from "../src/models/strl.js";

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** Median wall time and mean process CPU time (every thread of the process) per call, in ms. */
async function timed(runs: number, fn: () => unknown): Promise<{ wall: number; cpu: number }> {
  for (let i = 0; i < 3; i++) await fn();
  const ts: number[] = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  const c = process.cpuUsage(c0);
  ts.sort((a, b) => a - b);
  return { wall: ts[Math.floor(runs / 2)]!, cpu: (c.user + c.system) / 1000 / runs };
}

const ms = (t: { wall: number; cpu: number }): string => `${t.wall.toFixed(1)} ms wall (median), ${t.cpu.toFixed(1)} ms CPU (mean)`;

async function main(): Promise<void> {
  const size = flag("size", "paper") as BenchSize;
  if (!BENCH_SIZES.includes(size)) throw new RangeError(`--size must be one of ${BENCH_SIZES.join(", ")}`);
  const runs = Number(flag("runs", "20"));
  const threads = Number(flag("threads", "1"));
  await ready();
  const model = benchModel("strl", size) as StrlModel;
  model.eval();
  const t0 = performance.now();
  const bytes = exportOnnx({ modelConfig: model.config.toJSON(), weights: modelWeights(model), envId: "bench" });
  const exportMs = performance.now() - t0;
  const t1 = performance.now();
  const runner = await OnnxPolicyRunner.open(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const openMs = performance.now() - t1;
  const h = benchHistory(size);
  const spikes: Record<string, number> = {};
  const offs = namedNeurons(model).map(([n, lif]) => lif.addListener((s) => void (spikes[n] = (spikes[n] ?? 0) + s)));
  let logits: Float32Array | undefined;
  model.getAction(h, { onPredictions: (l) => void (logits = Float32Array.from(l)) });
  offs.forEach((off) => off());
  const got = await runner.decide(h);
  const ort = got.outputs.action_logits!.data as Float32Array;
  const maxDiff = Math.max(...Array.from(ort, (v, i) => Math.abs(v - logits![i]!)));
  const spikeLayers = Object.keys(spikes).length;
  const spikeEqual = Object.entries(spikes).filter(([n, s]) => (got.outputs[SPIKES_PREFIX + n]!.data as Float32Array)[0] === s).length;
  const feeds = runner.feeds(h);
  const ortMs = await timed(runs, () => runner.session.run(feeds));
  const strlMs = await timed(runs, () => model.getAction(h));
  const cfg = model.config;
  console.log(`STRL ${size}: d ${cfg.dModel}, ${cfg.nBlocks} blocks, ${cfg.nHeads} heads, T ${cfg.T}, K ${cfg.contextLength}, ${model.numParams()} parameters`);
  console.log(`machine: ${cpus()[0]?.model ?? "?"} x ${cpus().length}, node ${process.version}, strl engine ${engineInfo()}`);
  console.log(`onnx file: ${(bytes.length / 1e6).toFixed(2)} MB (opset 17), export ${exportMs.toFixed(0)} ms, session create ${openMs.toFixed(0)} ms`);
  console.log(`batch-1 decision over ${runs} runs: ONNX Runtime (${threads} intra-op thread(s), ${runner.session.outputNames.length} outputs): ${ms(ortMs)}`);
  console.log(`                            strl getAction (forwardLast): ${ms(strlMs)}`);
  console.log(`agreement on the window: max |logit difference| ${maxDiff.toExponential(2)}, spike counts equal in ${spikeEqual} of ${spikeLayers} LIF layers`);
  await runner.release();
  model.dispose();
}

main().catch((e) => {
  console.error(`onnx-latency: ${(e as Error).message}`);
  process.exit(1);
});
