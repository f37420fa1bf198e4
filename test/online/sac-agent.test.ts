import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SacAgent, SAC_DEFAULTS, type SacConfig } from "../../src/online/sac-agent.js";
import { ReplayBuffer } from "../../src/online/replay-buffer.js";
import { SquashedGaussianPolicy, tanhLogDet } from "../../src/envs/mujoco/gaussian-policy.js";
import { DenseMlp, Rng } from "../../src/tensor/index.js";

/** An agent whose optimisers do not move (lr 0), so `update` only computes losses and leaves gradients behind. */
function frozenAgent(): { agent: SacAgent; batch: ReturnType<typeof ReplayBuffer.emptyBatch> } {
  const config: SacConfig = { ...SAC_DEFAULTS, hidden: [8, 8], batchSize: 6, actorLr: 0, criticLr: 0, alphaLr: 0, initialAlpha: 0.3 };
  const agent = new SacAgent(3, 2, config, new Rng(5));
  const rng = new Rng(9);
  const batch = ReplayBuffer.emptyBatch(6, 3, 2);
  for (const k of ["obs", "nextObs"] as const) batch[k].forEach((_, i) => (batch[k][i] = rng.normal()));
  batch.act.forEach((_, i) => (batch.act[i] = rng.uniform(-0.9, 0.9)));
  batch.rew.forEach((_, i) => (batch.rew[i] = rng.normal()));
  batch.done[2] = 1;
  return { agent, batch };
}

/**
 * Central differences of a loss over `count` entries of `param`. The network computes in float32, so the tolerance
 * is 2% of the difference plus 4 float32 ulps of the loss over the step 2h.
 */
function checkGradient(param: Float32Array, grad: Float32Array, loss: () => number, count: number): void {
  const g = Float32Array.from(grad);
  let checked = 0;
  for (let k = 0; k < param.length && checked < count; k += Math.max(1, Math.floor(param.length / count))) {
    const keep = param[k]!;
    const h = 1e-3;
    param[k] = keep + h;
    const up = loss();
    param[k] = keep - h;
    const down = loss();
    param[k] = keep;
    const fd = (up - down) / (2 * h);
    const resolution = (4 * 2 ** -23 * Math.max(Math.abs(up), Math.abs(down))) / (2 * h);
    assert.ok(Math.abs(fd - g[k]!) <= 0.02 * Math.abs(fd) + resolution, `entry ${k}: analytic ${g[k]} vs finite difference ${fd}`);
    checked++;
  }
  assert.equal(checked, count);
}

describe("SacAgent gradients", () => {
  it("the actor's gradient equals central differences of the actor loss (same noise draws)", () => {
    const { agent, batch } = frozenAgent();
    const loss = (): number => agent.update(batch, new Rng(77)).actor;
    loss();
    for (let l = 0; l < agent.actor.layers; l++) {
      checkGradient(agent.actor.weights[l]!, agent.actor.gradWeights[l]!, loss, 6);
      loss();
      checkGradient(agent.actor.biases[l]!, agent.actor.gradBiases[l]!, loss, 4);
      loss();
    }
  });

  it("each critic's gradient equals central differences of the critic loss, terminal rows not bootstrapped", () => {
    const { agent, batch } = frozenAgent();
    const loss = (): number => agent.update(batch, new Rng(78)).critic;
    for (const critic of agent.critics) {
      loss();
      for (let l = 0; l < critic.layers; l++) {
        checkGradient(critic.weights[l]!, critic.gradWeights[l]!, loss, 5);
        loss();
      }
    }
  });

  it("the temperature's gradient is -mean(log pi + target entropy): alpha grows when the entropy is below -actDim", () => {
    const config: SacConfig = { ...SAC_DEFAULTS, hidden: [8], batchSize: 4, actorLr: 0, criticLr: 0, alphaLr: 0.1, initialAlpha: 1 };
    const agent = new SacAgent(2, 1, config, new Rng(1));
    // A policy with log std pinned at -5 (tiny spread) has entropy far below the target -1: log alpha must rise.
    agent.actor.weights[agent.actor.layers - 1]!.fill(0);
    agent.actor.biases[agent.actor.layers - 1]!.set([0, -5]);
    const batch = ReplayBuffer.emptyBatch(4, 2, 1);
    const before = agent.logAlpha[0]!;
    const losses = agent.update(batch, new Rng(2));
    // entropy = -E[log pi]; log pi = -e²/2 - (-5) - log sqrt(2 pi) - log(1 - tanh² u) with u ≈ 0: about 4.08
    assert.ok(Math.abs(losses.entropy - -(5 - 0.5 * Math.log(2 * Math.PI) - 0.5)) < 0.7, `entropy ${losses.entropy}`);
    // Adam's first step moves by lr in the direction of -grad: +0.1 exactly (to float32 rounding).
    assert.ok(Math.abs(agent.logAlpha[0]! - before - 0.1) < 1e-6, `log alpha moved by ${agent.logAlpha[0]! - before}`);
  });
});

describe("SquashedGaussianPolicy", () => {
  it("log-probability equals the density of tanh(N(mean, std)) by change of variables", () => {
    const net = new DenseMlp([1, 2]);
    net.biases[0]!.set([0.3, Math.log(0.5)]); // mean 0.3, std 0.5, weights 0
    const policy = new SquashedGaussianPolicy(net);
    const rng = new Rng(4);
    const { action, logProb } = policy.act([0], rng);
    const a = action[0]!;
    const u = Math.atanh(a);
    const mean = Math.fround(0.3); // the bias is float32
    const std = Math.exp(Math.fround(Math.log(0.5)));
    const z = (u - mean) / std;
    const density = Math.exp(-0.5 * z * z) / (std * Math.sqrt(2 * Math.PI)) / (1 - a * a);
    assert.ok(Math.abs(logProb - Math.log(density)) < 1e-6, `${logProb} vs ${Math.log(density)}`);
    assert.deepEqual(policy.act([0]).action, [Math.tanh(Math.fround(0.3))]);
  });

  it("tanhLogDet is log(1 - tanh²u) and stays finite where the direct form underflows", () => {
    assert.ok(Math.abs(tanhLogDet(0.7) - Math.log(1 - Math.tanh(0.7) ** 2)) < 1e-12);
    assert.equal(tanhLogDet(0), 0);
    // At u = 30, 1 - tanh² u is 4 e^-60 (the direct form rounds to 0): log = log 4 - 60.
    assert.ok(Math.abs(tanhLogDet(30) - (Math.log(4) - 60)) < 1e-9, `${tanhLogDet(30)}`);
  });

  it("round-trips through safetensors and refuses a file that is not an actor", () => {
    const net = new DenseMlp([3, 4, 2], new Rng(3));
    const policy = new SquashedGaussianPolicy(net, { env_id: "Hopper-v5" });
    const back = SquashedGaussianPolicy.fromSafetensors(policy.toSafetensors(), "p.safetensors");
    assert.deepEqual(back.act([0.1, -0.2, 0.3]).action, policy.act([0.1, -0.2, 0.3]).action);
    assert.equal(back.metadata.env_id, "Hopper-v5");
    assert.throws(() => SquashedGaussianPolicy.fromSafetensors(new Uint8Array(3), "x.safetensors"), /x\.safetensors/);
  });
});
