/**
 * Numeric helpers shared by the continuous-state environments: clamping, Gymnasium's angle wrapping
 * conventions, one classic Runge-Kutta step. (Option checks: ./option-checks.ts; text rendering: ./text-canvas.ts.)
 */

/** Largest finite float32, the bound Gymnasium uses for "unbounded" observation entries. */
export const FLOAT32_MAX = 3.4028234663852886e38;

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/**
 * Gymnasium's `wrap(x, m, M)` (Acrobot): shifts `x` by whole periods `M - m` until `m <= x <= M`. Unlike a modulo,
 * values already inside the closed interval (including both ends) are returned unchanged.
 */
export function wrap(x: number, lo: number, hi: number): number {
  const period = hi - lo;
  while (x > hi) x -= period;
  while (x < lo) x += period;
  return x;
}

/** Gymnasium's Pendulum `angle_normalize`: `((x + π) mod 2π) - π` with a non-negative modulo, in [-π, π). */
export function angleNormalize(x: number): number {
  const twoPi = 2 * Math.PI;
  let m = (x + Math.PI) % twoPi;
  if (m < 0) m += twoPi;
  return m - Math.PI;
}

/**
 * One classic fourth-order Runge-Kutta step of `dy/dt = f(y)` (autonomous) over `dt`, as Gymnasium's `rk4` does for
 * the time grid `[0, dt]`. `y0`: [n]; returns [n].
 */
export function rk4Step(f: (y: readonly number[]) => number[], y0: readonly number[], dt: number): number[] {
  const n = y0.length;
  const k1 = f(y0); // [n]
  const y1 = new Array<number>(n);
  for (let i = 0; i < n; i++) y1[i] = y0[i]! + (dt / 2) * k1[i]!;
  const k2 = f(y1); // [n]
  const y2 = new Array<number>(n);
  for (let i = 0; i < n; i++) y2[i] = y0[i]! + (dt / 2) * k2[i]!;
  const k3 = f(y2); // [n]
  const y3 = new Array<number>(n);
  for (let i = 0; i < n; i++) y3[i] = y0[i]! + dt * k3[i]!;
  const k4 = f(y3); // [n]
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = y0[i]! + (dt / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
  return out;
}
