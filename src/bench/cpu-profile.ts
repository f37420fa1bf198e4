/**
 * Where the time of one benchmark step goes: samples the step with V8's CPU profiler (node:inspector) and sums
 * self time per function and per category (wasm kernels such as matmul, the JS LIF kernel, the JS spike-attention
 * kernels, tfjs's JS engine, garbage collection, ...). Node only; not exported from the package index.
 */
import { Session } from "node:inspector/promises";
import type { NativeCallTime } from "../tensor/index.js";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileEntry {
  name: string;
  ms: number;
  share: number;
}

export interface StepProfile {
  /** Wall time of the profiled run (the entries' ms are sampled self times within it). */
  totalMs: number;
  byCategory: ProfileEntry[];
  /** The functions with the most self time. */
  topFunctions: ProfileEntry[];
}

/** The category of a profiled function (by its script and name). */
export function categoryOf(f: CallFrame): string {
  const url = f.url;
  const name = f.functionName;
  if (name === "(garbage collector)") return "garbage collection";
  if (name === "(program)" || name === "(idle)" || name === "(root)") return "runtime (program, idle)";
  if (url.startsWith("wasm://") || /^\$?(wasm-function|xnn_|func\d)/.test(name)) return "wasm kernels (matmul, element-wise, ...)";
  if (url.endsWith("snn/lif-kernel.js") || url.endsWith("snn/surrogate.js")) return "LIF neurons: kernel and surrogate (JS)";
  if (/models\/blocks\/(spike-|fused-)/.test(url)) return "spike-attention kernels (JS)";
  if (/tensor\/(ops|layers|rng)\.js$/.test(url)) return "embedding scatter-add, dropout masks, rng (JS)";
  if (url.includes("@tensorflow")) return "tfjs engine and backend glue (JS)";
  if (url === "" || url.startsWith("node:")) return "native addon calls and V8 built-ins (the addon per function: below)";
  return "other JS";
}

function shortUrl(url: string): string {
  const i = url.lastIndexOf("/");
  return i >= 0 ? url.slice(i + 1) : url;
}

/**
 * Sums self time per function and category from a V8 CPU profile, counting only samples taken inside
 * [fromUs, toUs] (the profiler's monotonic microsecond clock, as `process.hrtime`).
 */
export function summariseProfile(p: CpuProfile, top = 15, fromUs = -Infinity, toUs = Infinity): StepProfile {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const cat = new Map<string, number>();
  let total = 0;
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    const node = byId.get(p.samples[i]!);
    const dtUs = p.timeDeltas[i] ?? 0;
    t += dtUs;
    const dt = dtUs / 1000; // µs -> ms
    if (!node || t < fromUs || t > toUs) continue;
    total += dt;
    const f = node.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${shortUrl(f.url)}${f.url ? `:${f.lineNumber + 1}` : ""}`;
    fn.set(key, (fn.get(key) ?? 0) + dt);
    const c = categoryOf(f);
    cat.set(c, (cat.get(c) ?? 0) + dt);
  }
  const entries = (m: Map<string, number>): ProfileEntry[] =>
    [...m].map(([name, ms]) => ({ name, ms, share: total > 0 ? ms / total : 0 })).sort((a, b) => b.ms - a.ms);
  return { totalMs: total, byCategory: entries(cat), topFunctions: entries(fn).slice(0, top) };
}

/** Runs `fn` once under the CPU profiler (sampling every `intervalUs`) and summarises where its time went. */
export async function profileRun(fn: () => void, intervalUs = 200): Promise<{ summary: StepProfile; raw: CpuProfile }> {
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: intervalUs });
    await session.post("Profiler.start");
    const from = Number(process.hrtime.bigint() / 1000n);
    fn();
    const to = Number(process.hrtime.bigint() / 1000n);
    const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: CpuProfile };
    const summary = summariseProfile(profile, 15, from, to);
    return { summary: { ...summary, totalMs: (to - from) / 1000 }, raw: profile };
  } finally {
    session.disconnect();
  }
}

/** The summary as aligned text lines. */
export function formatProfile(s: StepProfile): string {
  const line = (e: ProfileEntry) => `  ${e.ms.toFixed(1).padStart(9)} ms ${(100 * e.share).toFixed(1).padStart(5)}%  ${e.name}`;
  return [
    `profile of one run: ${s.totalMs.toFixed(1)} ms sampled`,
    "by category (self time):",
    ...s.byCategory.map(line),
    "top functions (self time):",
    ...s.topFunctions.map(line),
  ].join("\n");
}

/**
 * The time inside each native addon function over `runs` runs (`timeNativeCalls`), per run, as aligned text lines,
 * with the share of a run's mean wall time each took and what was left outside the addon. `totalMs` is the wall
 * time of all the runs together.
 */
export function formatNativeCalls(calls: NativeCallTime[], totalMs: number, runs = 1): string {
  const per = (x: number) => x / runs;
  const inside = calls.reduce((a, c) => a + c.ms, 0);
  const share = (ms: number) => (totalMs > 0 ? ((100 * ms) / totalMs).toFixed(1) : "n/a").padStart(5);
  const digits = per(totalMs) < 10 ? 3 : 1;
  const ms = (x: number) => per(x).toFixed(digits).padStart(9);
  const count = (n: number) => (Number.isInteger(per(n)) ? String(per(n)) : per(n).toFixed(1));
  const head =
    runs === 1
      ? `inside the native addon, one more run of ${totalMs.toFixed(1)} ms (wall time per function, timed call by call):`
      : `inside the native addon, ${runs} more runs of ${ms(totalMs).trim()} ms on average (wall time per function and run, timed call by call):`;
  return [
    head,
    ...calls.map((c) => `  ${ms(c.ms)} ms ${share(c.ms)}%  ${c.name} (${count(c.calls)} call${per(c.calls) === 1 ? "" : "s"})`),
    `  ${ms(totalMs - inside)} ms ${share(totalMs - inside)}%  outside the addon (JS, tfjs, allocation, GC)`,
  ].join("\n");
}
