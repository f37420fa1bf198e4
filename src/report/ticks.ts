/**
 * Axis ticks for figures whose scale domain is fixed (`nice: false`), where Vega's own `tickCount` can leave two
 * ticks (a firing-rate axis over [0, 0.06] got 0.00 and 0.05 only): round values 1, 2, 2.5 or 5 x 10^k apart, the
 * widest spacing that still puts at least `min` ticks inside [lo, hi].
 */
import { finite } from "./check.js";

const STEPS = [5, 2.5, 2, 1];

/** Tick values inside [lo, hi], at least `min` of them (lo < hi, both finite), evenly spaced by a round step. */
export function axisTicks(lo: number, hi: number, min = 4): number[] {
  return tickAxis(lo, hi, min).values;
}

/** A Vega-Lite axis with those ticks, a d3 format with the decimals they need (trailing zeros trimmed), labels hidden only where two would overlap ("greedy"), and a tick count that keeps them all (Vega halves `values` down to `tickCount`). */
export function tickAxis(lo: number, hi: number, min = 4): { values: number[]; format: string; tickCount: number; labelOverlap: "greedy" } {
  finite("axisTicks: lo", lo);
  finite("axisTicks: hi", hi);
  if (!(hi > lo)) throw new RangeError(`axisTicks: hi must be above lo, got [${lo}, ${hi}]`);
  if (!(Number.isInteger(min) && min >= 2)) throw new RangeError(`axisTicks: min must be a whole number >= 2, got ${min}`);
  // start at a decade above the span and walk down through the round steps until enough ticks fit
  let exp = Math.ceil(Math.log10(hi - lo));
  for (let guard = 0; guard < 40; guard++, exp--) {
    for (const m of STEPS) {
      const step = m * 10 ** exp;
      const first = Math.ceil(lo / step - 1e-9);
      const last = Math.floor(hi / step + 1e-9);
      if (last - first + 1 >= min) {
        const decimals = Math.max(0, -exp + (m === 2.5 ? 1 : 0));
        const values = Array.from({ length: last - first + 1 }, (_, i) => Number(((first + i) * step).toFixed(decimals + 2)));
        return { values, format: `.${decimals}~f`, tickCount: values.length, labelOverlap: "greedy" };
      }
    }
  }
  throw new RangeError(`axisTicks: no round step fits [${lo}, ${hi}]`);
}
