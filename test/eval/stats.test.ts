import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { describe as summarise, formatMeanStd, formatSample, mean, sampleSummary, std, stdErr, tQuantile975 } from "../../src/eval/stats.js";

describe("stats", () => {
  it("computes the mean and the population std of [2, 4, 4, 4, 5, 5, 7, 9] as 5 and 2", () => {
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    assert.equal(mean(xs), 5);
    // squared deviations 9 1 1 1 0 0 4 16 = 32; 32 / 8 = 4
    assert.equal(std(xs), 2);
  });

  it("computes the sample std (ddof 1) and the standard error from it", () => {
    const xs = [1, 2, 3, 4];
    // mean 2.5, squared deviations 2.25 0.25 0.25 2.25 = 5; 5 / 3
    assert.ok(Math.abs(std(xs, 1) - Math.sqrt(5 / 3)) < 1e-12);
    assert.ok(Math.abs(stdErr(xs) - Math.sqrt(5 / 3) / 2) < 1e-12);
    assert.equal(stdErr([7]), 0);
  });

  it("describes a list with min, max and count", () => {
    const d = summarise([3, -1, 4]);
    assert.deepEqual({ n: d.n, min: d.min, max: d.max, mean: d.mean }, { n: 3, min: -1, max: 4, mean: 2 });
  });

  it("formats mean ± std with the given decimals and no negative zero", () => {
    assert.equal(formatMeanStd(12.34, 0.44), "12.3 ± 0.4");
    assert.equal(formatMeanStd(-0.04, 0.123, 2), "-0.04 ± 0.12");
    assert.equal(formatMeanStd(-0.004, 0, 2), "0.00 ± 0.00");
    assert.equal(formatMeanStd(99.5, 1, 0), "100 ± 1");
  });

  it("rejects empty lists and non-finite values with the argument named", () => {
    assert.throws(() => mean([]), /mean: needs at least one value/);
    assert.throws(() => std([1, NaN]), /std: value \[1\] must be a finite number, got NaN/);
    assert.throws(() => std([1], 1), /ddof = 1 needs at least 2 values/);
    assert.throws(() => formatMeanStd(1, -1), /std must be a finite number >= 0, got -1/);
  });

  it("sample std (n - 1) and the 95% t interval: [1, 2, 3] -> 2 ± 1, half-width 4.303 / sqrt(3)", () => {
    const s = sampleSummary([1, 2, 3]);
    assert.equal(s.mean, 2);
    assert.equal(s.sampleStd, 1); // sqrt((1 + 0 + 1) / 2), not the population sqrt(2/3)
    const h = 4.303 / Math.sqrt(3);
    assert.ok(Math.abs(s.ci95[0] - (2 - h)) < 1e-12 && Math.abs(s.ci95[1] - (2 + h)) < 1e-12);
    assert.equal(formatSample(s, 2), "2.00 ± 1.00 [-0.48, 4.48]");
    assert.equal(formatSample(sampleSummary([5]), 1), "5.0 ± 0.0");
  });

  it("clips the t interval to the range of what is measured, and leaves it alone inside the range", () => {
    // per-seed rates 0.05, 0, 0.1: mean 0.05, sample std 0.05, half-width 4.303 x 0.05 / sqrt(3) = 0.124217:
    // [-0.074217, 0.174217] unclipped; a rate cannot be below 0, so [0, 0.174217]
    const s = sampleSummary([0.05, 0, 0.1], [0, 1]);
    assert.equal(s.ci95[0], 0);
    assert.ok(Math.abs(s.ci95[1] - 0.174217) < 1e-6, String(s.ci95[1]));
    assert.deepEqual(s.range, [0, 1]);
    assert.ok(sampleSummary([0.05, 0, 0.1]).ci95[0] < -0.07);
    // far from the bounds nothing changes: [1, 2, 3] in [-10, 10] is 2 ± 4.303 / sqrt(3)
    assert.ok(Math.abs(sampleSummary([1, 2, 3], [-10, 10]).ci95[0] - (2 - 4.303 / Math.sqrt(3))) < 1e-12);
    assert.throws(() => sampleSummary([1], [1, 0]), /range must be \[lo, hi\] with lo < hi/);
  });

  it("t quantiles: the table, and the expansion past df 30 within 1e-3 of published values", () => {
    assert.equal(tQuantile975(1), 12.706);
    assert.equal(tQuantile975(2), 4.303);
    assert.ok(Math.abs(tQuantile975(40) - 2.021) < 1e-3);
    assert.ok(Math.abs(tQuantile975(60) - 2.0) < 1e-3);
    assert.ok(Math.abs(tQuantile975(120) - 1.98) < 1e-3);
    assert.throws(() => tQuantile975(0), /degrees of freedom must be an integer >= 1, got 0/);
  });
});
