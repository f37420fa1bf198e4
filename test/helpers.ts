/** Shared test helpers: element-wise closeness with a message naming the first differing index. */
import assert from "node:assert/strict";

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-6, what = "values"): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) {
      assert.fail(`${what}[${i}]: ${a} != ${e} (tol ${tol})`);
    }
  }
}

/** Spikes [n]: 1 with probability `rate`, else 0, drawn from `rng` in order (rng: strl's seeded Rng). */
export function spikes(rng: { float(): number }, n: number, rate: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.float() < rate ? 1 : 0;
  return x;
}
