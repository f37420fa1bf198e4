/**
 * The Decision Transformer's inference path: the 3K interleaved tokens (R_k, s_k, a_k, each plus the timestep
 * embedding), LayerNorm, GPT-2 blocks (every block but the last on every token; the last one's attention on
 * every token and the rest on the last step's state token 3K - 2, as `forwardLast`), the final LayerNorm and
 * the head on that token.
 */
import { Embedding, type NativeEngine } from "../../tensor/index.js";
import type { GptBlock } from "../blocks/gpt-block.js";
import type { DtModel } from "../dt.js";
import type { ModelBatch } from "../types.js";
import { HeadStep, LayerNormStep, LinearStep, readMask, WeightCopies, type InferencePlan } from "./plan.js";
import { RealAttentionStep } from "./real-attention-plan.js";

/** One GPT-2 block over L tokens: x [L, d] -> [L, d], or [1, d] (token `row`) for the last block. */
class GptBlockStep {
  readonly out: Float32Array;
  private readonly ln1: LayerNormStep;
  private readonly qkv: LinearStep;
  private readonly attention: RealAttentionStep;
  private readonly proj: LinearStep;
  private readonly h: Float32Array; // [R, d]
  private readonly ln2: LayerNormStep;
  private readonly fc1: LinearStep;
  private readonly fc2: LinearStep;
  private readonly rows: number; // R
  private readonly first: number; // the first row that goes on past the attention

  constructor(w: WeightCopies, readonly block: GptBlock, L: number, row: number | undefined, readonly x: Float32Array) {
    const { dModel: d, nHeads: H } = block.opts;
    const R = (this.rows = row === undefined ? L : 1);
    this.first = row ?? 0;
    this.ln1 = new LayerNormStep(w, block.ln1, L, x);
    this.qkv = new LinearStep(w, block.qkv, L, this.ln1.y);
    this.attention = new RealAttentionStep({ L, d, H, scale: 1 / Math.sqrt(d / H), weights: "softmax", causal: true }, this.qkv.y);
    const att = this.attention.out.subarray(this.first * d, (this.first + R) * d); // [R, d]
    this.proj = new LinearStep(w, block.proj, R, att);
    this.h = new Float32Array(R * d);
    this.ln2 = new LayerNormStep(w, block.ln2, R, this.h);
    this.fc1 = new LinearStep(w, block.fc1, R, this.ln2.y, undefined, block.opts.activation);
    this.fc2 = new LinearStep(w, block.fc2, R, this.fc1.y);
    this.out = this.fc2.y;
  }

  run(e: NativeEngine, km: Uint8Array): Float32Array {
    const { x, h, rows: R } = this;
    const d = this.block.opts.dModel;
    this.ln1.run(e);
    this.qkv.run(e);
    this.attention.run(e, km);
    const p = this.proj.run(e); // [R, d]
    const off = this.first * d;
    for (let i = 0; i < R * d; i++) h[i] = x[off + i]! + p[i]!;
    this.ln2.run(e);
    this.fc1.run(e); // activated
    const out = this.fc2.run(e);
    for (let i = 0; i < R * d; i++) out[i] = h[i]! + out[i]!;
    return out;
  }
}

class DtPlan implements InferencePlan {
  private readonly w = new WeightCopies();
  private readonly rtg: LinearStep; // [K, 1] -> [K, d]
  private readonly state: LinearStep; // [K, obsDim] -> [K, d]
  private readonly actTable: Float32Array | undefined; // [n, d]
  private readonly act: LinearStep | undefined; // [K, dim] -> [K, d]
  private readonly timeTable: Float32Array; // [maxTimestep, d]
  private readonly tokens: Float32Array; // [3K, d]
  private readonly ln: LayerNormStep;
  private readonly blocks: GptBlockStep[];
  private readonly lnF: LayerNormStep;
  private readonly head: HeadStep;
  private readonly km: Uint8Array; // [K]
  private readonly km3: Uint8Array; // [3K]

  constructor(readonly engine: NativeEngine, model: DtModel, readonly K: number) {
    const w = this.w;
    const d = model.config.dModel;
    const L = 3 * K;
    this.rtg = new LinearStep(w, model.embedRtg, K, new Float32Array(K));
    this.state = new LinearStep(w, model.embedState, K, new Float32Array(K * model.config.obsDim));
    const ea = model.embedAction;
    if (ea instanceof Embedding) this.actTable = w.of(ea.weight);
    else this.act = new LinearStep(w, ea, K, new Float32Array(K * ea.inFeatures));
    this.timeTable = w.of(model.embedTimestep.weight);
    this.tokens = new Float32Array(L * d);
    this.ln = new LayerNormStep(w, model.embedLn, L, this.tokens);
    let x = this.ln.y;
    const items = model.blocks.items;
    this.blocks = items.map((b, i) => {
      const step = new GptBlockStep(w, b, L, i === items.length - 1 ? L - 2 : undefined, x);
      x = step.out;
      return step;
    });
    this.lnF = new LayerNormStep(w, model.lnF, 1, x);
    this.head = new HeadStep(w, model.actionHead, model.head, this.lnF.y);
    this.km = new Uint8Array(K);
    this.km3 = new Uint8Array(L);
  }

  stale(): boolean {
    return this.w.stale();
  }

  run(batch: ModelBatch): Float32Array {
    const e = this.engine;
    const { K, tokens, timeTable, km, km3 } = this;
    const d = tokens.length / (3 * K);
    readMask(batch, km);
    for (let i = 0; i < K; i++) km3[3 * i] = km3[3 * i + 1] = km3[3 * i + 2] = km[i]!;
    this.rtg.call.x = batch.rtg;
    const r = this.rtg.run(e);
    this.state.call.x = batch.states;
    const s = this.state.run(e);
    let a: Float32Array | undefined;
    if (this.act) {
      this.act.call.x = batch.actions as Float32Array;
      a = this.act.run(e);
    }
    const table = this.actTable;
    for (let k = 0; k < K; k++) {
      const tOff = batch.timesteps[k]! * d;
      const aSrc = a ?? table!;
      const aOff = a ? k * d : batch.actions[k]! * d;
      for (let j = 0; j < d; j++) {
        const t = timeTable[tOff + j]!;
        tokens[3 * k * d + j] = r[k * d + j]! + t;
        tokens[(3 * k + 1) * d + j] = s[k * d + j]! + t;
        tokens[(3 * k + 2) * d + j] = aSrc[aOff + j]! + t;
      }
    }
    this.ln.run(e);
    for (const b of this.blocks) b.run(e, km3);
    this.lnF.run(e);
    return this.head.run(e);
  }
}

/** The inference plan of a Decision Transformer for batch-1 windows of its context length. */
export function dtPlan(engine: NativeEngine, model: DtModel): InferencePlan {
  return new DtPlan(engine, model, model.contextLength);
}
