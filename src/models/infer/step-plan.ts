/**
 * The inference path of STRL and ANN-STRL (`StepTransformer`): the summed per-step token, the blocks (every
 * block but the last on every row, the last one's attention on every row and the rest on the last row, as
 * `forwardLast`), and the head, for batch-1 windows of the model's context K.
 */
import type { NativeEngine } from "../../tensor/index.js";
import { Embedding, type GemmCall } from "../../tensor/index.js";
import { AnnSelfAttention, type AnnMlp } from "../blocks/ann-strl-blocks.js";
import { SpikingSelfAttention } from "../blocks/spiking-attention.js";
import type { SpikingMlp } from "../blocks/spiking-mlp.js";
import type { StepTokenEmbedding } from "../blocks/token-embedding.js";
import type { PreNormBlock, StepTransformer, StepTransformerConfig, SubLayer } from "../step-transformer.js";
import type { ModelBatch } from "../types.js";
import { AnnBlockStep } from "./ann-block-plan.js";
import { HeadStep, LayerNormStep, LinearStep, readMask, WeightCopies, type InferencePlan } from "./plan.js";
import { ScoreCellCache, SpikingBlockStep } from "./spiking-block-plan.js";

/** x_k = ((W_r G_k + W_s s_k) + E_a(a_{k-1})) + E_t(t_k) + p_k, then LayerNorm: batch -> [K, d] */
class TokenStep {
  readonly out: Float32Array; // [K, d]
  private readonly rtg: GemmCall; // [K, 1] · [1, d]
  private readonly rtgBias: Float32Array; // [d]
  private readonly state: LinearStep; // [K, obsDim] -> [K, d]
  private readonly actTable: Float32Array | undefined; // [n + 1, d]
  private readonly act: LinearStep | undefined; // [K, dim] -> [K, d]
  private readonly timeTable: Float32Array; // [maxTimestep, d]
  private readonly pos: Float32Array; // [K, d]
  private readonly sum: Float32Array; // [K, d]
  private readonly ln: LayerNormStep;

  constructor(w: WeightCopies, emb: StepTokenEmbedding, readonly K: number) {
    const d = emb.opts.dModel;
    const r = new Float32Array(K * d);
    this.rtg = { batch: 1, M: K, N: d, K: 1, transA: false, transB: false, A: new Float32Array(K), strideA: 0, B: w.of(emb.rtg.weight), strideB: 0, C: r };
    this.rtgBias = w.of(emb.rtg.bias!);
    this.state = new LinearStep(w, emb.state, K, new Float32Array(K * emb.opts.obsDim));
    if (emb.prevAction instanceof Embedding) this.actTable = w.of(emb.prevAction.weight);
    else this.act = new LinearStep(w, emb.prevAction, K, new Float32Array(K * emb.prevAction.inFeatures));
    this.timeTable = w.of(emb.timestep.weight);
    this.pos = w.of(emb.pos).subarray(0, K * d);
    this.sum = new Float32Array(K * d);
    this.ln = new LayerNormStep(w, emb.ln, K, this.sum);
    this.out = this.ln.y;
  }

  run(e: NativeEngine, batch: ModelBatch): Float32Array {
    const { K, sum, pos, rtgBias, timeTable } = this;
    const d = rtgBias.length;
    const f = Math.fround;
    this.rtg.A = batch.rtg;
    e.gemm(this.rtg);
    this.state.call.x = batch.states;
    const s = this.state.run(e);
    let a: Float32Array | undefined;
    if (this.act) {
      this.act.call.x = batch.prevActions as Float32Array;
      a = this.act.run(e);
    }
    const r = this.rtg.C;
    const table = this.actTable;
    const prev = batch.prevActions;
    for (let k = 0; k < K; k++) {
      const aOff = a ? k * d : prev[k]! * d;
      const av = a ?? table!;
      const tOff = batch.timesteps[k]! * d;
      for (let j = 0; j < d; j++) {
        const i = k * d + j;
        const rk = f(r[i]! + rtgBias[j]!);
        sum[i] = f(f(f(rk + s[i]!) + av[aOff + j]!) + timeTable[tOff + j]!) + pos[i]!;
      }
    }
    return this.ln.run(e);
  }
}

type AnyBlock = PreNormBlock<SubLayer, SubLayer>;

class StepTransformerPlan implements InferencePlan {
  private readonly w = new WeightCopies();
  private readonly tokens: TokenStep;
  private readonly blocks: Array<{ run(e: NativeEngine, km: Uint8Array): Float32Array } | SpikingBlockStep>;
  private readonly cells: ScoreCellCache | undefined;
  private readonly head: HeadStep;
  private readonly km: Uint8Array; // [K]

  constructor(readonly engine: NativeEngine, model: StepTransformer<SubLayer, SubLayer, StepTransformerConfig>, readonly K: number) {
    const w = this.w;
    this.km = new Uint8Array(K);
    this.tokens = new TokenStep(w, model.embed, K);
    let x = this.tokens.out;
    const items = model.blocks.items as AnyBlock[];
    this.blocks = items.map((b, i) => {
      const last = i === items.length - 1;
      let step: SpikingBlockStep | AnnBlockStep;
      if (b.attn instanceof SpikingSelfAttention) step = new SpikingBlockStep(w, b as unknown as PreNormBlock<SpikingSelfAttention, SpikingMlp>, K, last, x);
      else if (b.attn instanceof AnnSelfAttention) step = new AnnBlockStep(w, b as unknown as PreNormBlock<AnnSelfAttention, AnnMlp>, K, last, x);
      else throw new Error("inference path: unknown block kind");
      x = step.out;
      return step;
    });
    const a = items[0]?.attn;
    this.cells = a instanceof SpikingSelfAttention ? new ScoreCellCache(K, a.opts.nHeads, a.opts.T, a.opts.causal) : undefined;
    this.head = new HeadStep(w, model.actionHead, model.head, x);
  }

  stale(): boolean {
    return this.w.stale();
  }

  run(batch: ModelBatch): Float32Array {
    const e = this.engine;
    const real = readMask(batch, this.km);
    this.tokens.run(e, batch);
    const cells = this.cells?.get(this.km, real);
    for (const b of this.blocks) {
      if (b instanceof SpikingBlockStep) b.run(e, this.km, cells!);
      else b.run(e, this.km);
    }
    return this.head.run(e);
  }
}

/** The inference plan of an STRL or ANN-STRL model for batch-1 windows of its context length. */
export function stepTransformerPlan(engine: NativeEngine, model: StepTransformer<SubLayer, SubLayer, StepTransformerConfig>): InferencePlan {
  return new StepTransformerPlan(engine, model, model.contextLength);
}
