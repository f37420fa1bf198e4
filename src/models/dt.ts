/**
 * The Decision Transformer baseline (Chen et al. 2021): per step three tokens (R_t, s_t, a_t), each with its own
 * embedding plus the timestep embedding, interleaved into 3K tokens, LayerNorm, dropout, GPT-2 causal pre-norm
 * blocks, a final LayerNorm, and the action a_t predicted from the state token s_t (which sees R_<=t, s_<=t and
 * a_<t only). Padding steps are masked out as keys.
 */
import type { MemoryRecord, OpRecord } from "../energy/index.js";
import { linearMacs } from "../energy/index.js";
import {
  Embedding,
  LayerNorm,
  Linear,
  add,
  dropout,
  reshape,
  slice,
  stack,
  tensor,
  tidy,
  type NativeEngine,
  type Tensor,
} from "../tensor/index.js";
import { ActionHeadLayer } from "./blocks/action-head.js";
import { checkBatch, keyMaskOf, rtgTensor, statesTensor } from "./blocks/batch.js";
import { attentionPairs, checkTokens, type OpOptions } from "./blocks/op-counts.js";
import { executedOps, Traffic } from "./blocks/memory-counts.js";
import { GptBlock } from "./blocks/gpt-block.js";
import { ModuleList } from "./blocks/module-list.js";
import { attentionMask, type AttentionMask } from "./blocks/real-attention.js";
import { DtConfig, type DtConfigInit } from "./config/dt-config.js";
import { PolicyBase } from "./policy-base.js";
import type { InferencePlan } from "./infer/plan.js";
import { dtPlan } from "./infer/dt-plan.js";
import type { ModelBatch, ModelOutput, PolicyModel } from "./types.js";

export class DtModel extends PolicyBase<DtConfig> implements PolicyModel {
  readonly kind = "dt" as const;
  readonly embedRtg: Linear;
  readonly embedState: Linear;
  readonly embedAction: Embedding | Linear;
  readonly embedTimestep: Embedding;
  readonly embedLn: LayerNorm;
  readonly blocks: ModuleList<GptBlock>;
  readonly lnF: LayerNorm;
  readonly actionHead: ActionHeadLayer;

  constructor(config: DtConfig | DtConfigInit) {
    const c = config instanceof DtConfig ? config : new DtConfig(config);
    super(c);
    const rng = this.initRng;
    const d = c.dModel;
    this.embedRtg = this.addModule("embed.rtg", new Linear(rng, 1, d));
    this.embedState = this.addModule("embed.state", new Linear(rng, c.obsDim, d));
    this.embedAction = this.addModule("embed.action", c.head.kind === "discrete" ? new Embedding(rng, c.head.n, d) : new Linear(rng, c.head.dim, d));
    this.embedTimestep = this.addModule("embed.timestep", new Embedding(rng, c.maxTimestep, d));
    this.embedLn = this.addModule("embed.ln", new LayerNorm(d));
    const opts = { dModel: d, nHeads: c.nHeads, mlpRatio: c.mlpRatio, nBlocks: c.nBlocks, activation: c.activation, dropout: c.dropout };
    this.blocks = this.addModule("blocks", new ModuleList(Array.from({ length: c.nBlocks }, () => new GptBlock(rng, opts))));
    this.lnF = this.addModule("ln_f", new LayerNorm(d));
    this.actionHead = this.addModule("head", new ActionHeadLayer(rng, d, c.head));
  }

  /** The 3K interleaved tokens (R_t, s_t, a_t) of a batch: [B, 3K, d] */
  private tokens(batch: ModelBatch): Tensor {
    const { B, K } = batch;
    const d = this.config.dModel;
    const t = this.embedTimestep.apply(batch.timesteps, [B, K]); // [B, K, d]
    const r = add(this.embedRtg.apply(rtgTensor(batch)), t); // [B, K, d]
    const s = add(this.embedState.apply(statesTensor(batch, this.config.obsDim)), t); // [B, K, d]
    const aRaw =
      this.embedAction instanceof Embedding
        ? this.embedAction.apply(batch.actions as Int32Array, [B, K]) // [B, K, d]
        : this.embedAction.apply(tensor(batch.actions as Float32Array, [B, K, this.embedAction.inFeatures])); // [B, K, d]
    const a = add(aRaw, t); // [B, K, d]
    return reshape(stack([r, s, a], 2), [B, 3 * K, d]); // [B, K, 3, d] -> [B, 3K, d]
  }

  /** The embedded tokens and the attention mask of a batch: x [B, 3K, d], mask over [B, 3K] keys */
  private embed(batch: ModelBatch): { x: Tensor; mask: AttentionMask } {
    const { B, K } = batch;
    const km = keyMaskOf(batch); // [B, K]
    const km3 = new Uint8Array(B * 3 * K); // [B, 3K] each step's three tokens share its mask
    for (let i = 0; i < B * K; i++) km3[3 * i] = km3[3 * i + 1] = km3[3 * i + 2] = km[i]!;
    const mask = attentionMask(km3, B, 3 * K, true); // [B, 3K] keys ([B, 1, 3K, 3K] additive on the composed path)
    const x = dropout(this.embedLn.apply(this.tokens(batch)), this.config.dropout, this.dropoutRng, this.training); // [B, 3K, d]
    return { x, mask };
  }

  /** batch -> preds [B, K, out], read at the state tokens */
  forward(batch: ModelBatch): ModelOutput {
    checkBatch("DtModel", batch, this.config);
    const { B, K } = batch;
    const d = this.config.dModel;
    const preds = tidy(() => {
      const { x: x0, mask } = this.embed(batch); // [B, 3K, d]
      let x = x0; // [B, 3K, d]
      for (const block of this.blocks.items) x = block.apply(x, mask, this.dropoutRng, this.training); // [B, 3K, d]
      x = this.lnF.apply(x); // [B, 3K, d]
      const states = reshape(slice(reshape(x, [B, K, 3, d]), [0, 0, 1, 0], [B, K, 1, d]), [B, K, d]); // [B, K, d]
      return this.actionHead.apply(states); // [B, K, out]
    });
    return { preds };
  }

  /**
   * The decision path: the prediction at the last step's state token (token 3K - 2) only. Every block but the last
   * runs in full; the last block's attention runs over every query row (its keys and values need every token),
   * then its output projection, residuals and MLP, the final LayerNorm and the head run on that one row: the same
   * cut as STRL's `forwardLast` (see `opRecords` with path "last"). batch -> [B, 1, out], equal to
   * `forward(batch).preds[:, K-1:]` in eval mode.
   */
  forwardLast(batch: ModelBatch): Tensor {
    checkBatch("DtModel", batch, this.config);
    const K = batch.K;
    return tidy(() => {
      const { x: x0, mask } = this.embed(batch); // [B, 3K, d]
      let x = x0; // [B, 3K, d]
      const blocks = this.blocks.items;
      for (let i = 0; i < blocks.length - 1; i++) x = blocks[i]!.apply(x, mask, this.dropoutRng, this.training); // [B, 3K, d]
      const row = blocks[blocks.length - 1]!.applyRow(x, mask, 3 * K - 2, this.dropoutRng, this.training); // [B, 1, d]
      return this.actionHead.apply(this.lnF.apply(row)); // [B, 1, out]
    });
  }

  /**
   * Operations of one decision over a context of `tokens` real steps (3 x tokens tokens), batch 1, all MACs.
   * Path "full": the whole forward pass (offline windows). Path "last": `forwardLast`, what a closed-loop decision
   * runs (the last block's attention over every row; its projection, MLP, the final LayerNorm and the head on the
   * decision's state token). With `extras`: the embedding sums (adds), every LayerNorm (embedding, two per block,
   * final; 4 MACs per feature), softmax (3 per score cell), the MLP activation (1 per feature) and residual adds.
   */
  opRecords(tokens: number, _rates: Record<string, number> = {}, opts: OpOptions = {}): OpRecord[] {
    const c = this.config;
    const L = checkTokens(tokens, c.contextLength);
    const n = 3 * L;
    const d = c.dModel;
    const cells = attentionPairs(n, true) * c.nHeads; // score cells of one block
    const pairs = cells * c.headDim;
    const last = opts.path === "last";
    const out: OpRecord[] = [
      { layer: "embed.rtg", input: "real", macs: linearMacs(L, 1, d) },
      { layer: "embed.state", input: "real", macs: linearMacs(L, c.obsDim, d) },
    ];
    if (c.head.kind === "continuous") out.push({ layer: "embed.action", input: "real", macs: linearMacs(L, c.head.dim, d) });
    const extra = (r: OpRecord): void => {
      if (opts.extras) out.push(r);
    };
    extra({ layer: "embed.sum", input: "add", adds: 3 * L * d }); // the timestep embedding added to R, s and a
    extra({ layer: "embed.ln", input: "real", macs: 4 * n * d });
    this.blocks.items.forEach((_, i) => {
      const p = `blocks.${i}`;
      const rows = last && i === c.nBlocks - 1 ? 1 : n; // rows after the attention
      extra({ layer: `${p}.ln1`, input: "real", macs: 4 * n * d });
      out.push(
        { layer: `${p}.attn.qkv`, input: "real", macs: linearMacs(n, d, 3 * d) },
        { layer: `${p}.attn.scores`, input: "real", macs: pairs },
        { layer: `${p}.attn.av`, input: "real", macs: pairs },
      );
      extra({ layer: `${p}.attn.softmax`, input: "real", macs: 3 * cells });
      out.push({ layer: `${p}.attn.proj`, input: "real", macs: linearMacs(rows, d, d) });
      extra({ layer: `${p}.ln2`, input: "real", macs: 4 * rows * d });
      out.push(
        { layer: `${p}.mlp.fc1`, input: "real", macs: linearMacs(rows, d, c.mlpRatio * d) },
        { layer: `${p}.mlp.fc2`, input: "real", macs: linearMacs(rows, c.mlpRatio * d, d) },
      );
      extra({ layer: `${p}.mlp.act`, input: "real", macs: rows * c.mlpRatio * d });
      extra({ layer: `${p}.residual`, input: "add", adds: 2 * rows * d });
    });
    extra({ layer: "ln_f", input: "real", macs: 4 * (last ? 1 : n) * d });
    out.push({ layer: "head", input: "real", macs: linearMacs(last ? 1 : L, d, c.head.kind === "discrete" ? c.head.n : c.head.dim) });
    return out;
  }

  /**
   * Memory traffic of the same decision (rules in src/models/blocks/memory-counts.ts): weights, activations, the
   * path `opts.path` as `opRecords`.
   */
  memoryRecords(tokens: number, rates: Record<string, number> = {}, opts: OpOptions = {}): MemoryRecord[] {
    const c = this.config;
    const L = checkTokens(tokens, c.contextLength);
    const n = 3 * L;
    const d = c.dModel;
    const cells = attentionPairs(n, true) * c.nHeads;
    const last = opts.path === "last";
    const m = new Traffic(executedOps(this.opRecords(L, rates, { ...opts, extras: false })));
    m.product("embed.rtg", L, L * d);
    m.product("embed.state", L * c.obsDim, L * d);
    if (c.head.kind === "continuous") m.product("embed.action", L * c.head.dim, L * d);
    else m.lookup("embed.action", L * d);
    m.lookup("embed.timestep", L * d);
    m.elementwise("embed.sum", 6 * L * d, n * d); // R + t, s + t, a + t
    m.layerNorm("embed.ln", n, d);
    for (let i = 0; i < c.nBlocks; i++) {
      const p = `blocks.${i}`;
      const rows = last && i === c.nBlocks - 1 ? 1 : n; // rows after the attention
      m.layerNorm(`${p}.ln1`, n, d);
      m.product(`${p}.attn.qkv`, n * d, 3 * n * d);
      m.product(`${p}.attn.scores`, n * d, cells); // q in, k read per MAC, scores out
      m.elementwise(`${p}.attn.softmax`, cells, cells);
      m.product(`${p}.attn.av`, cells, n * d); // attention weights in, v read per MAC
      m.product(`${p}.attn.proj`, rows * d, rows * d);
      m.elementwise(`${p}.residual1`, 2 * rows * d, rows * d);
      m.layerNorm(`${p}.ln2`, rows, d);
      m.product(`${p}.mlp.fc1`, rows * d, rows * c.mlpRatio * d);
      m.product(`${p}.mlp.fc2`, rows * c.mlpRatio * d, rows * d);
      m.elementwise(`${p}.residual2`, 2 * rows * d, rows * d);
    }
    const headRows = last ? 1 : L;
    m.layerNorm("ln_f", last ? 1 : n, d);
    m.product("head", headRows * d, headRows * (c.head.kind === "discrete" ? c.head.n : c.head.dim));
    return m.records;
  }

  /** The decision path without the autodiff tape (src/models/infer/dt-plan.ts). */
  protected override buildInference(engine: NativeEngine): InferencePlan {
    return dtPlan(engine, this);
  }
}
