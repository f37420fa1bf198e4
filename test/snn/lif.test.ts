import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng, grad, mul, ready, scalar, sum, tensor, zeros, type Tensor } from "../../src/tensor/index.js";
import { LIF, lifForward, lifConfig, makeSurrogate, FiringRateMonitor, directEncode, meanOverT, poissonEncode, type LIFOptions } from "../../src/snn/index.js";
import { assertClose } from "../helpers.js";

before(async () => {
  await ready();
});

const X = [1.2, 2.0, 0.4, 3.0, 1.0, 2.0]; // one neuron, six steps

function trace(opts: LIFOptions) {
  const cfg = lifConfig(opts);
  const p = { ...cfg, surrogateGrad: makeSurrogate(cfg.surrogate).grad };
  const r = lifForward(new Float32Array(X), X.length, 1, p, { repeated: false, mean: false, recordMembrane: true });
  return { s: Array.from(r.y), h: Array.from(r.hTrace!), v: Array.from(r.v!) };
}

describe("LIF traces by hand (tau 2, v_th 1)", () => {
  it("hard reset, decayInput: H = (V + X)/2, V = 0 after a spike", () => {
    const t = trace({});
    assert.deepEqual(t.s, [0, 1, 0, 1, 0, 1]);
    assertClose(t.h, [0.6, 1.3, 0.2, 1.6, 0.5, 1.25]);
    assertClose(t.v, [0.6, 0, 0.2, 0, 0.5, 0]);
  });

  it("soft reset, decayInput: V = H - 1 after a spike", () => {
    const t = trace({ vReset: null });
    assert.deepEqual(t.s, [0, 1, 0, 1, 0, 1]);
    assertClose(t.h, [0.6, 1.3, 0.35, 1.675, 0.8375, 1.41875]);
    assertClose(t.v, [0.6, 0.3, 0.35, 0.675, 0.8375, 0.41875]);
  });

  it("hard reset, no decayInput: H = V/2 + X, and H exactly at threshold fires (Θ(0) = 1)", () => {
    const t = trace({ decayInput: false });
    assert.deepEqual(t.s, [1, 1, 0, 1, 1, 1]);
    assertClose(t.h, [1.2, 2.0, 0.4, 3.2, 1.0, 2.0]);
    assertClose(t.v, [0, 0, 0.4, 0, 0, 0]);
  });

  it("soft reset, no decayInput", () => {
    const t = trace({ decayInput: false, vReset: null });
    assert.deepEqual(t.s, [1, 1, 0, 1, 1, 1]);
    assertClose(t.h, [1.2, 2.1, 0.95, 3.475, 2.2375, 2.61875]);
    assertClose(t.v, [0.2, 1.1, 0.95, 2.475, 1.2375, 1.61875]);
  });

  it("hard reset to a non-zero vReset decays towards it", () => {
    // v_r = -0.5: H = V + (X - (V + 0.5))/2; V_0 = -0.5
    const t = trace({ vReset: -0.5 });
    // t1: H = -0.5 + (1.2 - 0)/2 = 0.1; t2: H = 0.1 + (2.0 - 0.6)/2 = 0.8; t3: H = 0.8 + (0.4 - 1.3)/2 = 0.35
    // t4: H = 0.35 + (3.0 - 0.85)/2 = 1.425 -> spike, V = -0.5; t5: H = -0.5 + 1.0/2 = 0; t6: H = 0 + (2 - 0.5)/2 = 0.75
    assertClose(t.h, [0.1, 0.8, 0.35, 1.425, 0, 0.75]);
    assert.deepEqual(t.s, [0, 0, 0, 1, 0, 0]);
  });
});

describe("LIF on tensors", () => {
  it("emits exactly 0 or 1 and matches the kernel for [T, B, N] input", () => {
    const r = new Rng(2);
    const x = tensor(r.fillNormal(new Float32Array(4 * 3 * 5), 1, 1), [4, 3, 5]); // [T, B, N]
    const s = new LIF().forward(x);
    assert.deepEqual(s.shape, [4, 3, 5]);
    assert.ok(s.dataSync().every((v) => v === 0 || v === 1));
    // the equations by hand per neuron: H = V + (X - V) / 2, S = [H >= 1], V = H (1 - S), V_0 = 0
    const xs = x.dataSync();
    const want: number[] = new Array(60).fill(0);
    for (let j = 0; j < 15; j++) {
      let v = 0;
      for (let t = 0; t < 4; t++) {
        const h = v + (xs[t * 15 + j]! - v) / 2;
        const spike = h >= 1 ? 1 : 0;
        want[t * 15 + j] = spike;
        v = h * (1 - spike);
      }
    }
    assert.deepEqual(Array.from(s.dataSync()), want);
    assert.ok(want.some((v) => v === 1) && want.some((v) => v === 0), "the input exercises both outcomes");
  });

  it("starts from vReset on every forward pass (no state between calls)", () => {
    const lif = new LIF();
    const x = tensor([[1.4], [1.4], [1.4]]); // [T=3, 1]
    const a = Array.from(lif.forward(x).dataSync());
    const b = Array.from(lif.forward(x).dataSync());
    // H = 0.7 (no spike), (0.7 + 1.4)/2 = 1.05 (spike, V = 0), 0.7 (no spike); the second call starts again at V = 0.
    assert.deepEqual(a, [0, 1, 0]);
    assert.deepEqual(b, a);
  });

  it("forwardRepeated equals forward on a repeated input, values and gradients", () => {
    const r = new Rng(3);
    const x = tensor(r.fillNormal(new Float32Array(2 * 6), 1, 1), [2, 6]); // [B, N]
    const w = tensor(r.fillNormal(new Float32Array(4 * 2 * 6)), [4, 2, 6]); // [T, B, N]
    const lif = new LIF({ surrogate: "atan" });
    const a = lif.forwardRepeated(x, 4);
    const b = lif.forward(directEncode(x, 4));
    assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
    const ga = grad((xx: Tensor) => sum(mul(lif.forwardRepeated(xx, 4), w)))(x);
    const gb = grad((xx: Tensor) => sum(mul(lif.forward(directEncode(xx, 4)), w)))(x);
    assertClose(ga.dataSync(), gb.dataSync(), 1e-6);
    // mean over T fused in: same as meanOverT of the spikes, same gradient as meanOverT
    const m = lif.forwardRepeated(x, 4, { mean: true });
    assertClose(m.dataSync(), meanOverT(a).dataSync());
    const w2 = tensor(r.fillNormal(new Float32Array(2 * 6)), [2, 6]);
    const gm = grad((xx: Tensor) => sum(mul(lif.forwardRepeated(xx, 4, { mean: true }), w2)))(x);
    const gr = grad((xx: Tensor) => sum(mul(meanOverT(lif.forwardRepeated(xx, 4)), w2)))(x);
    assertClose(gm.dataSync(), gr.dataSync(), 1e-6);
  });

  it("back-propagates through T steps; detachReset true and false differ exactly as the equations say", () => {
    // One neuron, X = [1.2, 1.0], loss = S_2. Forward: H1 = 0.6 (no spike, V1 = 0.6), H2 = 0.8.
    // σ'_t = 4σ(4(H_t - 1))(1 - σ(4(H_t - 1))).
    // gH2 = σ'_2, gX2 = σ'_2/2, gV1 = σ'_2/2.
    // detach:    dV1/dH1 = 1 - S1 = 1               -> gX1 = σ'_2/4
    // no detach: dV1/dH1 = 1 - S1 + (0 - H1) σ'_1   -> gX1 = σ'_2/4 · (1 - 0.6 σ'_1)
    const sg = (h: number) => {
      const q = 1 / (1 + Math.exp(-4 * (h - 1)));
      return 4 * q * (1 - q);
    };
    const x = tensor([[1.2], [1.0]]); // [T=2, 1]
    const pick = tensor([[0], [1]]);
    const gradFor = (detachReset: boolean) => Array.from(grad((xx: Tensor) => sum(mul(new LIF({ detachReset }).forward(xx), pick)))(x).dataSync());
    const s1 = sg(0.6);
    const s2 = sg(0.8);
    assertClose(gradFor(true), [s2 / 4, s2 / 2], 1e-6);
    assertClose(gradFor(false), [(s2 / 4) * (1 - 0.6 * s1), s2 / 2], 1e-6);
  });

  it("matches an independent float64 back-propagation through time (soft reset, detachReset false)", () => {
    // Reference: forward with Θ, backward with σ' (sigmoid, alpha 4), dV/dH = 1 - v_th σ' for the soft reset
    // when the reset is not detached, loss = Σ_t (t + 1) S_t.
    const sur = makeSurrogate({ name: "sigmoid", alpha: 4 });
    const xs = [0.9, 1.7, 0.2, 1.1];
    const g = Array.from(
      grad((xx: Tensor) => sum(mul(new LIF({ detachReset: false, vReset: null }).forward(xx), tensor([[1], [2], [3], [4]]))))(
        tensor(xs, [4, 1]),
      ).dataSync(),
    );
    const T = xs.length;
    const H: number[] = [];
    const S: number[] = [];
    let v = 0;
    for (let t = 0; t < T; t++) {
      const h = v + (xs[t]! - v) / 2;
      const s = h >= 1 ? 1 : 0;
      H.push(h);
      S.push(s);
      v = h - s;
    }
    const ref = new Array<number>(T).fill(0);
    let gv = 0;
    for (let t = T - 1; t >= 0; t--) {
      const d = sur.grad(H[t]! - 1);
      const gh = (t + 1) * d + gv * (1 - d);
      ref[t] = gh / 2;
      gv = gh / 2;
    }
    assertClose(g, ref, 1e-5);
    assert.deepEqual(S, [0, 1, 0, 0]); // H = 0.45, 1.075, 0.1375, 0.61875
  });

  it("rejects bad options and inputs with errors naming the argument and value", () => {
    assert.throws(() => new LIF({ tau: 1 }), /tau must be > 1, got 1/);
    assert.throws(() => new LIF({ tau: 0.5 }), /tau must be > 1, got 0.5/);
    assert.throws(() => new LIF({ vThreshold: Number.NaN }), /vThreshold must be a finite number, got NaN/);
    assert.throws(() => new LIF({ vReset: 2 }), /vReset \(2\) must be below vThreshold \(1\)/);
    assert.throws(() => new LIF().forwardRepeated(zeros([2]), 0), /T \(time steps\) must be an integer >= 1, got 0/);
    assert.throws(() => new LIF({}, "blocks.0.q").forward(tensor([[1], [Number.NaN]])), /LIF 'blocks.0.q': input is not finite \(NaN\) at step 1, element 0/);
    assert.throws(() => new LIF().forward(scalar(1)), /leading time axis/);
  });
});

describe("encoders", () => {
  it("direct-encodes by repeating and decodes by the mean over T", () => {
    const x = tensor([[1, 2], [3, 4]]);
    const e = directEncode(x, 3);
    assert.deepEqual(e.shape, [3, 2, 2]);
    assertClose(meanOverT(e).dataSync(), [1, 2, 3, 4]);
  });

  it("Poisson-encodes with firing probability equal to the input, seeded", () => {
    const x = tensor([0, 0.25, 1]);
    const s = poissonEncode(x, 4000, new Rng(8));
    const m = meanOverT(s).dataSync();
    assert.equal(m[0], 0);
    assert.equal(m[2], 1);
    assert.ok(Math.abs(m[1]! - 0.25) < 0.025, `rate ${m[1]}`);
    assert.deepEqual(Array.from(poissonEncode(x, 50, new Rng(8)).dataSync()), Array.from(poissonEncode(x, 50, new Rng(8)).dataSync()));
    assert.throws(() => poissonEncode(tensor([1.5]), 2, new Rng(0)), /must be in \[0, 1\], got 1.5/);
  });
});

describe("FiringRateMonitor", () => {
  it("records per-layer spike counts and rates over T, tokens and batch; enable/disable/clear", () => {
    const a = new LIF({}, "a");
    const b = new LIF({}, "b");
    const mon = new FiringRateMonitor().attach([["a", a], ["b", b]]);
    // a: input 2.5 fires every step; 1.5 fires at steps 2 and 4; 0.3 never -> 6 spikes of 12
    a.forwardRepeated(tensor([[2.5, 1.5, 0.3]]), 4);
    b.forwardRepeated(tensor([[0.1, 0.1]]), 4);
    assert.equal(mon.rates().a!.spikes, 6);
    assert.equal(mon.rates().a!.neuronSteps, 12);
    assert.equal(mon.rate("a"), 0.5);
    assert.equal(mon.rate("b"), 0);
    mon.disable();
    a.forwardRepeated(tensor([[2.5]]), 4);
    assert.equal(mon.rates().a!.calls, 1);
    mon.enable();
    a.forwardRepeated(tensor([[2.5]]), 4);
    assert.equal(mon.rates().a!.spikes, 10);
    assert.equal(mon.rates().a!.neuronSteps, 16);
    mon.clear();
    assert.equal(mon.rates().a!.spikes, 0);
    assert.throws(() => mon.rate("c"), /no layer named 'c'; attached: a, b/);
    mon.detach();
    a.forwardRepeated(tensor([[2.5]]), 4);
    assert.deepEqual(mon.rates(), {});
  });
});
