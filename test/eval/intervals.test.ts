import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { iqm, mean, quantileSorted, stratifiedBootstrap, widenInterval, wilsonInterval, Z975 } from "../../src/eval/index.js";

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

describe("Wilson score interval", () => {
  it("gives [0.1812, 0.5671] for 7 successes of 20", () => {
    // By hand, z = 1.959964, z^2 = 3.841459, p = 0.35, n = 20:
    // denominator 1 + z^2/n = 1.192073; centre (0.35 + z^2/40) / 1.192073 = 0.446036 / 1.192073 = 0.374172;
    // half-width z / 1.192073 x sqrt(0.35 x 0.65 / 20 + z^2 / 1600) = 1.644166 x sqrt(0.011375 + 0.002401)
    //   = 1.644166 x 0.117371 = 0.192977; interval [0.181195, 0.567149] (the published Wilson interval for 7/20).
    const w = wilsonInterval(7, 20);
    assert.equal(w.rate, 0.35);
    close(w.lo, 0.181195);
    close(w.hi, 0.567149);
  });

  it("stays inside [0, 1] at 0 and n successes: 0 of 10 gives [0, z^2/10 / (1 + z^2/10)] = [0, 0.27753]", () => {
    const none = wilsonInterval(0, 10);
    assert.equal(none.lo, 0);
    close(none.hi, 0.3841459 / 1.3841459);
    const all = wilsonInterval(10, 10);
    assert.equal(all.hi, 1);
    close(all.lo, 1 - 0.3841459 / 1.3841459);
  });

  it("refuses counts that are not a proportion", () => {
    assert.throws(() => wilsonInterval(3, 2), /successes must be an integer in \[0, 2\], got 3/);
    assert.throws(() => wilsonInterval(0, 0), /n must be an integer >= 1, got 0/);
    assert.throws(() => wilsonInterval(1.5, 4), /successes must be an integer/);
  });
});

describe("interquartile mean", () => {
  it("drops floor(n / 4) values from each end, as scipy's trim_mean(x, 0.25)", () => {
    // sorted -50 1 2 3 4 5 6 100; n = 8 drops 2 per end: (2 + 3 + 4 + 5) / 4 = 3.5 (the mean would be 9.375)
    assert.equal(iqm([1, 2, 3, 4, 100, -50, 5, 6]), 3.5);
    // sorted 1 1 3 4 5; n = 5 drops 1 per end: (1 + 3 + 4) / 3
    close(iqm([3, 1, 4, 1, 5]), 8 / 3, 1e-12);
    // n < 4 drops nothing
    assert.equal(iqm([1, 2, 6]), 3);
  });
});

describe("quantiles of sorted values", () => {
  it("interpolate linearly between order statistics (numpy's default)", () => {
    // h = (5 - 1) x 0.3 = 1.2: 20 + 0.2 x (30 - 20) = 22
    close(quantileSorted([10, 20, 30, 40, 50], 0.3), 22, 1e-12);
    assert.equal(quantileSorted([10, 20, 30, 40, 50], 1), 50);
  });
});

describe("stratified bootstrap", () => {
  it("matches the exact bootstrap distribution of the mean, enumerated by hand", () => {
    // Seed A episodes [0, 0, 1], seed B [0, 1, 1]. A resample of A holds X ones, X ~ Binomial(3, 1/3):
    // P = 8, 12, 6, 1 (/27) for X = 0..3; of B, Y ~ Binomial(3, 2/3): P = 1, 6, 12, 8 (/27). The pooled mean is
    // (X + Y) / 6, T = X + Y has P = 8, 60, 174, 245, 174, 60, 8 (/729) for T = 0..6, so P(T <= 0) = 0.011 < 0.025
    // < P(T <= 1) = 0.093 and P(T <= 4) = 0.907 < 0.975 < P(T <= 5) = 0.989: the 95% percentile interval of the
    // mean is [1/6, 5/6]. The IQM of a resample with T ones (sorted, one value dropped per end) is 0 for T = 0,
    // (T - 1) / 4 for T = 1..5 and 1 for T = 6: its interval is [0, 1], its estimate on the data (T = 3) 0.5.
    const b = stratifiedBootstrap([[0, 0, 1], [0, 1, 1]], [mean, iqm], { resamples: 2000, seed: 0 });
    assert.equal(b.n, 6);
    assert.equal(b.strata, 2);
    const [m, q] = b.intervals;
    close(m!.estimate, 0.5, 1e-12);
    close(m!.lo, 1 / 6, 1e-12);
    close(m!.hi, 5 / 6, 1e-12);
    assert.deepEqual([q!.estimate, q!.lo, q!.hi], [0.5, 0, 1]);
  });

  it("resamples within each seed: seeds [0, 0, 0] and [1, 1, 1] keep the mean at 0.5 in every resample, pooled they do not", () => {
    const strat = stratifiedBootstrap([[0, 0, 0], [1, 1, 1]], [mean], { resamples: 500, seed: 3 });
    assert.deepEqual(strat.intervals[0], { estimate: 0.5, lo: 0.5, hi: 0.5 });
    // One stratum of the same six values: ones ~ Binomial(6, 1/2), P(<= 1) = 7/64 > 0.025, so lo <= 1/6 < 0.5.
    const pooled = stratifiedBootstrap([[0, 0, 0, 1, 1, 1]], [mean], { resamples: 500, seed: 3 });
    assert.ok(pooled.intervals[0]!.lo <= 1 / 6 + 1e-12 && pooled.intervals[0]!.hi >= 5 / 6 - 1e-12, JSON.stringify(pooled.intervals[0]));
  });

  it("with resampleStrata also draws the seeds: seeds [0, 0, 0] and [1, 1, 1] give means 0, 0.5 and 1, so [0, 1]", () => {
    // Two seeds drawn with replacement: both the first (p 1/4, mean 0), one of each (p 1/2, 0.5), both the second
    // (p 1/4, 1); P(mean = 0) = 0.25 > 0.025, so the 2.5% quantile is 0 and the 97.5% quantile 1.
    const b = stratifiedBootstrap([[0, 0, 0], [1, 1, 1]], [mean], { resamples: 500, seed: 3, resampleStrata: true });
    assert.deepEqual(b.intervals[0], { estimate: 0.5, lo: 0, hi: 1 });
    assert.equal(b.resampleStrata, true);
  });

  it("is deterministic for a seed and refuses empty strata", () => {
    const xs = [[3.1, -2, 7.5, 0.25], [10, 11.5, 9]];
    assert.deepEqual(stratifiedBootstrap(xs, [mean, iqm], { seed: 42 }), stratifiedBootstrap(xs, [mean, iqm], { seed: 42 }));
    assert.throws(() => stratifiedBootstrap([[1], []], [mean]), /stratum 1: needs at least one value/);
  });
});

describe("widening an interval by an independent error", () => {
  it("adds z x se to each half-width in quadrature, and leaves it alone for se 0", () => {
    // half-widths 3 and 5, se 2.5: z se = 4.899910; sqrt(9 + 24.009118) = 5.745356; sqrt(25 + 24.009118) = 7.000651
    const w = widenInterval(50, 47, 55, 2.5);
    close(w.lo, 50 - 5.745356);
    close(w.hi, 50 + 7.000651);
    assert.deepEqual(widenInterval(50, 47, 55, 0), { lo: 47, hi: 55 });
    close(Z975, 1.959964, 1e-6);
  });
});
