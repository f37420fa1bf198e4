/**
 * Soft Actor-Critic (Haarnoja et al. 2018, with the learned temperature of the 2018 follow-up), the algorithm D4RL
 * trained its locomotion behaviour policies with, written on `DenseMlp` with hand-derived gradients:
 *
 * critic: y = r + γ (1 - terminated) (min_i Q̄_i(s', a') - α log π(a'|s')), a' ~ π(·|s');
 *         L_Q = Σ_i mean_b (Q_i(s, a) - y)²                        (Q̄: Polyak-averaged target critics)
 * actor:  L_π = mean_b (α log π(ã|s) - min_i Q_i(s, ã)), ã = tanh(μ + σ ε) (reparameterised)
 * α:      L_α = -mean_b log α · (log π(ã|s) + H̄), H̄ = -actDim
 *
 * Gradients of the squashed Gaussian: with u = μ + σ ε, a = tanh u and log π = Σ_j (-ε²/2 - log σ_j - log √(2π)
 * - log(1 - tanh² u_j)): ∂L/∂u_j = ∂L/∂a_j (1 - a_j²) + ∂L/∂log π · 2 a_j, ∂L/∂μ_j = ∂L/∂u_j,
 * ∂L/∂log σ_j = ∂L/∂u_j σ_j ε_j - ∂L/∂log π (zero where the clamp of log σ is active).
 */
import { ACTOR_PREFIX, LOG_STD_MAX, LOG_STD_MIN, sampleSquashedRow, SquashedGaussianPolicy } from "../envs/mujoco/gaussian-policy.js";
import { Adam, DenseMlp, MlpWorkspace, type Rng } from "../tensor/index.js";

export interface SacConfig {
  hidden: number[];
  batchSize: number;
  gamma: number;
  tau: number;
  actorLr: number;
  criticLr: number;
  alphaLr: number;
  initialAlpha: number;
}

export const SAC_DEFAULTS: SacConfig = {
  hidden: [256, 256],
  batchSize: 256,
  gamma: 0.99,
  tau: 0.005,
  actorLr: 3e-4,
  criticLr: 3e-4,
  alphaLr: 3e-4,
  initialAlpha: 1,
};

/** A batch of transitions: obs/nextObs [B, obsDim], act [B, actDim], rew/done [B]. */
export interface SacBatch {
  obs: Float32Array;
  act: Float32Array;
  rew: Float32Array;
  nextObs: Float32Array;
  done: Float32Array;
}

export interface SacLosses {
  critic: number;
  actor: number;
  alpha: number;
  entropy: number;
  q: number;
}

export class SacAgent {
  readonly actor: DenseMlp;
  readonly critics: [DenseMlp, DenseMlp];
  readonly targets: [DenseMlp, DenseMlp];
  readonly actorOpt: Adam;
  readonly criticOpts: [Adam, Adam];
  readonly logAlpha: Float32Array; // [1]
  readonly alphaOpt: Adam;
  private readonly targetEntropy: number;
  private readonly actorWs: MlpWorkspace;
  private readonly nextActorWs: MlpWorkspace;
  private readonly criticWs: [MlpWorkspace, MlpWorkspace];
  private readonly targetWs: [MlpWorkspace, MlpWorkspace];
  private readonly eps: Float32Array; // [B, actDim]
  private readonly logProb: Float32Array; // [B]
  private readonly sampled: Float32Array; // [B, actDim] tanh(u)

  constructor(readonly obsDim: number, readonly actDim: number, readonly config: SacConfig, rng: Rng) {
    const c = config;
    const B = c.batchSize;
    this.actor = new DenseMlp([obsDim, ...c.hidden, 2 * actDim], rng);
    const criticSizes = [obsDim + actDim, ...c.hidden, 1];
    this.critics = [new DenseMlp(criticSizes, rng), new DenseMlp(criticSizes, rng)];
    this.targets = [new DenseMlp(criticSizes), new DenseMlp(criticSizes)];
    this.targets[0].copyFrom(this.critics[0]);
    this.targets[1].copyFrom(this.critics[1]);
    this.actorOpt = new Adam(this.actor.params(), c.actorLr);
    this.criticOpts = [new Adam(this.critics[0].params(), c.criticLr), new Adam(this.critics[1].params(), c.criticLr)];
    this.logAlpha = Float32Array.of(Math.log(c.initialAlpha));
    this.alphaOpt = new Adam([this.logAlpha], c.alphaLr);
    this.targetEntropy = -actDim;
    this.actorWs = new MlpWorkspace(this.actor.sizes, B);
    this.nextActorWs = new MlpWorkspace(this.actor.sizes, B);
    this.criticWs = [new MlpWorkspace(criticSizes, B), new MlpWorkspace(criticSizes, B)];
    this.targetWs = [new MlpWorkspace(criticSizes, B), new MlpWorkspace(criticSizes, B)];
    this.eps = new Float32Array(B * actDim);
    this.logProb = new Float32Array(B);
    this.sampled = new Float32Array(B * actDim);
  }

  get alpha(): number {
    return Math.exp(this.logAlpha[0]!);
  }

  /** The current actor as a policy (shares the weights: copy with `toSafetensors` to keep a snapshot). */
  policy(metadata: Record<string, string> = {}): SquashedGaussianPolicy {
    return new SquashedGaussianPolicy(this.actor, metadata);
  }

  /** Samples actions for ws.acts[0]'s observations into this.sampled / this.eps / this.logProb. */
  private sampleActions(ws: MlpWorkspace, rng: Rng): void {
    const out = this.actor.forward(ws); // [B, 2 · actDim]
    const A = this.actDim;
    for (let b = 0; b < ws.batch; b++) this.logProb[b] = sampleSquashedRow(out, b * 2 * A, A, rng, this.sampled, b * A, this.eps);
  }

  /** Writes [obs, act] rows into a critic workspace's input [B, obsDim + actDim]. */
  private critInput(ws: MlpWorkspace, obs: Float32Array, act: Float32Array): void {
    const x = ws.acts[0]!;
    const O = this.obsDim;
    const A = this.actDim;
    for (let b = 0; b < ws.batch; b++) {
      x.set(obs.subarray(b * O, b * O + O), b * (O + A));
      x.set(act.subarray(b * A, b * A + A), b * (O + A) + O);
    }
  }

  /** One gradient step of critics, actor and temperature on `batch`, then the target update. */
  update(batch: SacBatch, rng: Rng): SacLosses {
    const B = this.config.batchSize;
    const A = this.actDim;
    const alpha = this.alpha;
    const { gamma, tau } = this.config;

    // Critic targets: y [B]
    this.nextActorWs.acts[0]!.set(batch.nextObs);
    this.sampleActions(this.nextActorWs, rng);
    const y = new Float32Array(B);
    for (let i = 0; i < 2; i++) this.critInput(this.targetWs[i]!, batch.nextObs, this.sampled);
    const tq0 = this.targets[0].forward(this.targetWs[0]);
    const tq1 = this.targets[1].forward(this.targetWs[1]);
    for (let b = 0; b < B; b++) {
      const v = Math.min(tq0[b]!, tq1[b]!) - alpha * this.logProb[b]!;
      y[b] = batch.rew[b]! + gamma * (1 - batch.done[b]!) * v;
    }

    // Critic step: dL/dQ_i = 2 (Q_i - y) / B
    let criticLoss = 0;
    let qMean = 0;
    for (let i = 0; i < 2; i++) {
      const ws = this.criticWs[i]!;
      this.critInput(ws, batch.obs, batch.act);
      const q = this.critics[i]!.forward(ws);
      const dq = ws.grads[ws.grads.length - 1]!;
      for (let b = 0; b < B; b++) {
        const diff = q[b]! - y[b]!;
        criticLoss += (diff * diff) / B;
        if (i === 0) qMean += q[b]! / B;
        dq[b] = (2 * diff) / B;
      }
      this.critics[i]!.backward(ws, { params: true, input: false });
      this.criticOpts[i]!.update(this.critics[i]!.paramGrads());
    }

    // Actor step through the (just updated) critics, whose parameters stay fixed here.
    this.actorWs.acts[0]!.set(batch.obs);
    this.sampleActions(this.actorWs, rng);
    const qs: Float32Array[] = [];
    for (let i = 0; i < 2; i++) {
      const ws = this.criticWs[i]!;
      this.critInput(ws, batch.obs, this.sampled);
      qs.push(Float32Array.from(this.critics[i]!.forward(ws)));
    }
    let actorLoss = 0;
    let entropy = 0;
    for (let i = 0; i < 2; i++) {
      const dq = this.criticWs[i]!.grads[this.criticWs[i]!.grads.length - 1]!;
      for (let b = 0; b < B; b++) {
        const pick = qs[0]![b]! <= qs[1]![b]! ? 0 : 1;
        dq[b] = pick === i ? -1 / B : 0;
      }
      this.critics[i]!.backward(this.criticWs[i]!, { params: false, input: true });
    }
    const out = this.actorWs.output; // [B, 2 · actDim]
    const dOut = this.actorWs.grads[this.actorWs.grads.length - 1]!;
    const dLogProb = alpha / B;
    const O = this.obsDim;
    for (let b = 0; b < B; b++) {
      actorLoss += (alpha * this.logProb[b]! - Math.min(qs[0]![b]!, qs[1]![b]!)) / B;
      entropy -= this.logProb[b]! / B;
      for (let j = 0; j < A; j++) {
        const k = b * A + j;
        const a = this.sampled[k]!;
        let dA = 0;
        for (let i = 0; i < 2; i++) dA += this.criticWs[i]!.grads[0]![b * (O + A) + O + j]!;
        const dU = dA * (1 - a * a) + dLogProb * 2 * a;
        const rawLogStd = out[b * 2 * A + A + j]!;
        const logStd = Math.min(LOG_STD_MAX, Math.max(LOG_STD_MIN, rawLogStd));
        dOut[b * 2 * A + j] = dU;
        dOut[b * 2 * A + A + j] = rawLogStd > LOG_STD_MIN && rawLogStd < LOG_STD_MAX ? dU * Math.exp(logStd) * this.eps[k]! - dLogProb : 0;
      }
    }
    this.actor.backward(this.actorWs, { params: true, input: false });
    this.actorOpt.update(this.actor.paramGrads());

    // Temperature step: dL/dlog α = -mean(log π + H̄)
    let g = 0;
    for (let b = 0; b < B; b++) g -= (this.logProb[b]! + this.targetEntropy) / B;
    this.alphaOpt.update([Float32Array.of(g)]);

    this.targets[0].softUpdate(this.critics[0], tau);
    this.targets[1].softUpdate(this.critics[1], tau);
    return { critic: criticLoss, actor: actorLoss, alpha, entropy, q: qMean };
  }

  /** Names and arrays of everything a checkpoint needs (networks, optimiser moments, log α). */
  stateArrays(): Array<[string, Float32Array]> {
    const out: Array<[string, Float32Array]> = [];
    const add = (prefix: string, net: DenseMlp, opt?: Adam): void => {
      const names = net.paramNames(prefix);
      net.params().forEach((p, i) => out.push([names[i]!, p]));
      if (opt) {
        opt.m.forEach((m, i) => out.push([`${names[i]}.adam_m`, m]));
        opt.v.forEach((v, i) => out.push([`${names[i]}.adam_v`, v]));
      }
    };
    add(ACTOR_PREFIX, this.actor, this.actorOpt);
    add("critic1", this.critics[0], this.criticOpts[0]);
    add("critic2", this.critics[1], this.criticOpts[1]);
    add("target1", this.targets[0]);
    add("target2", this.targets[1]);
    out.push(["log_alpha", this.logAlpha], ["log_alpha.adam_m", this.alphaOpt.m[0]!], ["log_alpha.adam_v", this.alphaOpt.v[0]!]);
    return out;
  }

  /** Adam step counts, in the order actor, critic1, critic2, alpha. */
  optimizerSteps(): number[] {
    return [this.actorOpt.step, this.criticOpts[0].step, this.criticOpts[1].step, this.alphaOpt.step];
  }

  setOptimizerSteps(steps: number[]): void {
    [this.actorOpt, this.criticOpts[0], this.criticOpts[1], this.alphaOpt].forEach((o, i) => (o.step = steps[i]!));
  }
}
