/**
 * One energy unit family for every table, CLI line, figure axis and the browser page: values are kept in pJ
 * (what the energy model computes) and shown in pJ, nJ, µJ or mJ, with 3 significant digits.
 *
 * - `pickEnergyUnit(values)`: one unit for a whole table column or axis, the largest unit in which the largest
 *   magnitude is at least 1 (a column from 65 nJ to 14 143 nJ is shown in µJ: 0.0650 ... 14.1).
 * - `formatEnergy(pj)`: a single value in its own unit, e.g. "14.1 µJ", "230 pJ".
 * - `energyDigits(x)`: the decimals that give 3 significant digits (for mean ± std cells).
 */

export type EnergyUnit = "pJ" | "nJ" | "µJ" | "mJ";

/** pJ per unit. */
export const PJ_PER: Readonly<Record<EnergyUnit, number>> = { pJ: 1, nJ: 1e3, "µJ": 1e6, mJ: 1e9 };

const UNITS: readonly EnergyUnit[] = ["mJ", "µJ", "nJ", "pJ"];

function checkPj(what: string, pj: number): number {
  if (typeof pj !== "number" || !Number.isFinite(pj)) throw new RangeError(`${what}: energy must be a finite number of pJ, got ${String(pj)}`);
  return pj;
}

/** The unit for a set of values (pJ): the largest unit in which the largest magnitude is >= 1 (pJ for all zeros). */
export function pickEnergyUnit(pjValues: Iterable<number>): EnergyUnit {
  let max = 0;
  for (const v of pjValues) max = Math.max(max, Math.abs(checkPj("pickEnergyUnit", v)));
  return UNITS.find((u) => max >= PJ_PER[u]) ?? "pJ";
}

/** `pj` expressed in `unit`. */
export function inUnit(pj: number, unit: EnergyUnit): number {
  return checkPj("inUnit", pj) / PJ_PER[unit];
}

/** Decimals that show `x` with `sig` significant digits (0 for |x| >= 10^(sig-1); `sig` - 1 for 0). */
export function energyDigits(x: number, sig = 3): number {
  if (!Number.isInteger(sig) || sig < 1) throw new RangeError(`energyDigits: sig must be an integer >= 1, got ${sig}`);
  const a = Math.abs(checkPj("energyDigits", x));
  if (a === 0) return sig - 1;
  // Rounding may carry into a new digit (999.6 -> 1000): measure the magnitude after rounding.
  const mag = Math.floor(Math.log10(Number(a.toPrecision(sig))));
  return Math.max(0, sig - 1 - mag);
}

/** A number (already in its unit) with 3 significant digits and no exponent: 14.143 -> "14.1", 0.06537 -> "0.0654". */
export function formatSig(x: number, sig = 3): string {
  const t = x.toFixed(energyDigits(x, sig));
  return /^-0(\.0*)?$/.test(t) ? t.slice(1) : t;
}

/** One energy value in its own unit: 13611.28 nJ -> "13.6 µJ", 230 pJ -> "230 pJ"; `unit` forces one. */
export function formatEnergy(pj: number, unit: EnergyUnit = pickEnergyUnit([pj])): string {
  return `${formatSig(inUnit(pj, unit))} ${unit}`;
}

/** A column header or axis title with its unit: `energyLabel("energy / decision", "µJ")` = "energy / decision (µJ)". */
export function energyLabel(what: string, unit: EnergyUnit): string {
  return `${what} (${unit})`;
}
