/**
 * Wall time spent inside each function of the native addon while a piece of work runs. V8's CPU profiler cannot
 * say it: it books the time of every addon call under one arbitrary native frame, so `strl bench --profile` showed
 * the small STRL training step as 80% "attnBackward", a function STRL never calls. This wraps the addon's
 * functions (the object every caller in src/tensor reads them from at call time) with a clock and a counter,
 * and puts the originals back when stopped.
 */
import { loadAddon, type NativeAddon } from "./addon.js";

export interface NativeCallTime {
  /** The addon function's name, e.g. "gemm", "lifBackward". */
  name: string;
  /** Wall milliseconds spent inside it, summed over its calls. */
  ms: number;
  calls: number;
}

export interface NativeCallTimer {
  /** Puts the addon's functions back and returns the times, longest first (functions never called left out). */
  stop(): NativeCallTime[];
}

let active = false;

/**
 * Starts timing every call into the native addon. Throws when the addon is not loaded or a timer already runs
 * (nested timers would time each call twice).
 */
export function timeNativeCalls(): NativeCallTimer {
  const { addon, why } = loadAddon();
  if (!addon) throw new Error(`timeNativeCalls: the native engine is not available (${why})`);
  if (active) throw new Error("timeNativeCalls: a timer is already running; stop it first");
  active = true;
  const table = addon as unknown as Record<string, unknown>;
  const originals = new Map<string, (...args: unknown[]) => unknown>();
  const totals = new Map<string, { ns: bigint; calls: number }>();
  for (const name of Object.keys(table)) {
    const fn = table[name];
    if (typeof fn !== "function") continue;
    const original = fn as (...args: unknown[]) => unknown;
    originals.set(name, original);
    const total = { ns: 0n, calls: 0 };
    totals.set(name, total);
    table[name] = function timed(this: NativeAddon, ...args: unknown[]): unknown {
      const t0 = process.hrtime.bigint();
      try {
        return original.apply(this, args);
      } finally {
        total.ns += process.hrtime.bigint() - t0;
        total.calls++;
      }
    };
  }
  let stopped = false;
  return {
    stop(): NativeCallTime[] {
      if (!stopped) {
        for (const [name, original] of originals) table[name] = original;
        stopped = true;
        active = false;
      }
      return [...totals]
        .filter(([, t]) => t.calls > 0)
        .map(([name, t]) => ({ name, ms: Number(t.ns) / 1e6, calls: t.calls }))
        .sort((a, b) => b.ms - a.ms);
    },
  };
}
