/**
 * A tiny PolicyModel for the trainer and checkpoint tests (independent of src/models): per step
 * h = LN(relu(W_s s + W_r G + E(a_{t-1}) + P)), dropout, then a Linear head. Discrete heads use a masked
 * cross-entropy, continuous heads tanh-bounded actions with a masked MSE. Dropout draws from its own Rng,
 * exposed through `randomStreams()` so the trainer can save it.
 */
import {
  Embedding,
  LayerNorm,
  Linear,
  Module,
  Rng,
  add,
  div,
  dropout,
  init,
  logSoftmax,
  mean,
  mul,
  neg,
  oneHot,
  relu,
  square,
  sub,
  sum,
  tanh,
  tensor,
  tidy,
  type Tensor,
  type Variable,
} from "../../src/tensor/index.js";
import type { ActionHead, ModelBatch, ModelOutput, PolicyModel } from "../../src/models/types.js";
import type { OpRecord } from "../../src/energy/index.js";

export interface TinyConfig {
  obsDim: number;
  /** discrete: number of actions; continuous: action size */
  actions: number;
  continuous?: boolean;
  d: number;
  K: number;
  dropout: number;
  seed: number;
}

export class TinyModel extends Module implements PolicyModel {
  readonly kind = "bc" as const;
  readonly head: ActionHead;
  readonly contextLength: number;
  readonly config: { toJSON(): Record<string, unknown> };
  private readonly stateProj: Linear;
  private readonly rtgProj: Linear;
  private readonly prevEmb: Embedding | Linear;
  private readonly ln: LayerNorm;
  private readonly out: Linear;
  private readonly pos: Variable; // [K, d]
  private readonly dropRng: Rng;

  constructor(readonly cfg: TinyConfig) {
    super();
    const rng = new Rng(cfg.seed);
    this.config = { toJSON: () => ({ ...cfg }) };
    this.contextLength = cfg.K;
    this.head = cfg.continuous
      ? { kind: "continuous", dim: cfg.actions, low: new Array<number>(cfg.actions).fill(-1), high: new Array<number>(cfg.actions).fill(1) }
      : { kind: "discrete", n: cfg.actions };
    this.stateProj = this.addModule("state", new Linear(rng, cfg.obsDim, cfg.d));
    this.rtgProj = this.addModule("rtg", new Linear(rng, 1, cfg.d, { bias: false }));
    this.prevEmb = this.addModule("prev_action", cfg.continuous ? new Linear(rng, cfg.actions, cfg.d) : new Embedding(rng, cfg.actions + 1, cfg.d, { std: 0.5 }));
    this.pos = this.addParam("pos", init.normal(rng, cfg.K * cfg.d, 0.02), [cfg.K, cfg.d]);
    this.ln = this.addModule("ln", new LayerNorm(cfg.d));
    this.out = this.addModule("head", new Linear(rng, cfg.d, cfg.actions));
    this.dropRng = rng.fork("dropout");
  }

  randomStreams(): Array<[string, Rng]> {
    return [["dropout", this.dropRng]];
  }

  forward(b: ModelBatch): ModelOutput {
    const { B, K } = b;
    const { obsDim } = this.cfg;
    if (K !== this.cfg.K) throw new RangeError(`TinyModel: batch K ${K} != context length ${this.cfg.K}`);
    const preds = tidy(() => {
      const s = this.stateProj.apply(tensor(b.states, [B, K, obsDim])); // [B, K, d]
      const g = this.rtgProj.apply(tensor(b.rtg, [B, K, 1])); // [B, K, d]
      const a =
        this.prevEmb instanceof Embedding
          ? this.prevEmb.apply(b.prevActions as Int32Array, [B, K]) // [B, K, d]
          : this.prevEmb.apply(tensor(b.prevActions as Float32Array, [B, K, this.cfg.actions])); // [B, K, d]
      let h = add(add(add(s, g), a), this.pos); // [B, K, d]
      h = this.ln.apply(relu(h)); // [B, K, d]
      h = dropout(h, this.cfg.dropout, this.dropRng, this.training); // [B, K, d]
      const y = this.out.apply(h); // [B, K, actions]
      return this.cfg.continuous ? tanh(y) : y;
    });
    return { preds };
  }

  loss(b: ModelBatch): Tensor {
    const { B, K } = b;
    return tidy(() => {
      const preds = this.forward(b).preds; // [B, K, n] | [B, K, dim]
      const mask = tensor(b.mask, [B, K]); // [B, K]
      let perStep: Tensor; // [B, K]
      if (this.head.kind === "discrete") {
        const logp = logSoftmax(preds); // [B, K, n]
        const onehot = oneHot(tensor(b.actions as Int32Array, [B, K], "int32"), this.head.n); // [B, K, n]
        perStep = neg(sum(mul(logp, onehot), -1));
      } else {
        const target = tensor(b.actions as Float32Array, [B, K, this.head.dim]); // [B, K, dim]
        perStep = mean(square(sub(preds, target)), -1);
      }
      return div(sum(mul(perStep, mask)), sum(mask)); // []
    });
  }

  opRecords(): OpRecord[] {
    return [];
  }
}

/**
 * A learnable toy task, sampled only from `rng`: random states in [-1, 1]^obsDim, the target action is the
 * index of the largest state coordinate (discrete; needs actions = obsDim) or the clipped state itself
 * (continuous), with a random amount of left padding per row.
 */
export function toyBatch(rng: Rng, B: number, cfg: TinyConfig): ModelBatch {
  const { K, obsDim, actions } = cfg;
  const states = new Float32Array(B * K * obsDim); // [B, K, obsDim]
  const rtg = new Float32Array(B * K); // [B, K]
  const timesteps = new Int32Array(B * K); // [B, K]
  const mask = new Float32Array(B * K); // [B, K]
  const cont = cfg.continuous === true;
  const acts = cont ? new Float32Array(B * K * actions) : new Int32Array(B * K); // [B, K] | [B, K, actions]
  const prev = cont ? new Float32Array(B * K * actions) : new Int32Array(B * K).fill(actions); // [B, K] | [B, K, actions]
  for (let b = 0; b < B; b++) {
    const pad = rng.int(K); // at least one real step per row
    for (let k = pad; k < K; k++) {
      const i = b * K + k;
      mask[i] = 1;
      timesteps[i] = k - pad;
      rtg[i] = rng.uniform(0, 1);
      let best = 0;
      for (let j = 0; j < obsDim; j++) {
        const v = rng.uniform(-1, 1);
        states[i * obsDim + j] = v;
        if (v > states[i * obsDim + best]!) best = j;
      }
      if (cont) for (let j = 0; j < actions; j++) acts[i * actions + j] = Math.max(-0.9, Math.min(0.9, states[i * obsDim + (j % obsDim)]!));
      else acts[i] = best;
      if (k > pad) {
        if (cont) for (let j = 0; j < actions; j++) prev[i * actions + j] = acts[(i - 1) * actions + j]!;
        else prev[i] = acts[i - 1]!;
      }
    }
  }
  return { B, K, states, rtg, timesteps, actions: acts, prevActions: prev, mask };
}
