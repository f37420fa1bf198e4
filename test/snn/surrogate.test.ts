import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeSurrogate, heaviside, SURROGATE_NAMES } from "../../src/snn/index.js";

describe("surrogates", () => {
  it("fire with the exact Heaviside, Θ(0) = 1", () => {
    assert.equal(heaviside(0), 1);
    assert.equal(heaviside(-1e-12), 0);
    assert.equal(heaviside(3), 1);
  });

  it("equal their formulas at chosen points", () => {
    const sig = (z: number) => 1 / (1 + Math.exp(-z));
    // sigmoid, alpha 4: a σ(a x)(1 - σ(a x))
    assert.equal(makeSurrogate("sigmoid").grad(0), 1);
    assert.ok(Math.abs(makeSurrogate("sigmoid").grad(0.5) - 4 * sig(2) * (1 - sig(2))) < 1e-15);
    // atan, alpha 2: a / (2 (1 + (π/2 a x)²)); at x = 1: 1 / (1 + π²)
    assert.equal(makeSurrogate("atan").grad(0), 1);
    assert.ok(Math.abs(makeSurrogate("atan").grad(1) - 1 / (1 + Math.PI ** 2)) < 1e-15);
    // fast-sigmoid, alpha 2: a / (2 (1 + |a x|)²); at x = 0.5: 2 / (2 * 4) = 0.25
    assert.equal(makeSurrogate("fast-sigmoid").grad(0.5), 0.25);
    assert.equal(makeSurrogate("softsign").grad(-0.5), 0.25);
    // piecewise-quadratic, alpha 1: 1 - |x| inside [-1, 1], 0 outside
    assert.equal(makeSurrogate("piecewise-quadratic").grad(0.5), 0.5);
    assert.equal(makeSurrogate("piecewise-quadratic").grad(-1.5), 0);
    // rectangular, width 1: 1 inside (-0.5, 0.5), 0 outside
    assert.equal(makeSurrogate("rectangular").grad(0.4), 1);
    assert.equal(makeSurrogate("rectangular").grad(0.6), 0);
    assert.equal(makeSurrogate({ name: "rectangular", width: 0.5 }).grad(0.2), 2);
    assert.equal(makeSurrogate({ name: "sigmoid", alpha: 2 }).grad(0), 0.5);
  });

  it("match a finite-difference derivative of their smooth primitive", () => {
    const points = [-1.3, -0.7, -0.2, 0.05, 0.3, 0.8, 1.6];
    const h = 1e-6;
    for (const name of SURROGATE_NAMES) {
      const s = makeSurrogate(name);
      for (const x of points) {
        const fd = (s.primitive(x + h) - s.primitive(x - h)) / (2 * h);
        assert.ok(Math.abs(fd - s.grad(x)) < 1e-6, `${name} at ${x}: fd ${fd} vs grad ${s.grad(x)}`);
      }
      // The primitive goes from 0 to 1 like the step it stands in for.
      assert.ok(s.primitive(-50) < 0.01 && s.primitive(50) > 0.99, `${name} primitive limits`);
    }
  });

  it("stays finite for huge inputs (no NaN)", () => {
    for (const name of SURROGATE_NAMES) {
      const s = makeSurrogate(name);
      for (const x of [-1e30, 1e30, -800, 800]) assert.ok(Number.isFinite(s.grad(x)), `${name} at ${x}`);
    }
  });

  it("rejects unknown names and non-positive parameters", () => {
    assert.throws(() => makeSurrogate("tanh" as never), /unknown surrogate 'tanh'; known: sigmoid/);
    assert.throws(() => makeSurrogate({ name: "atan", alpha: 0 }), /alpha must be a positive finite number, got 0/);
    assert.throws(() => makeSurrogate({ name: "sigmoid", alpha: -2 }), /alpha must be a positive/);
    assert.throws(() => makeSurrogate({ name: "rectangular", width: -1 }), /width must be a positive/);
    assert.throws(() => makeSurrogate({ name: "rectangular", alpha: 1 }), /takes 'width', not 'alpha'/);
  });
});
