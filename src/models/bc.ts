/**
 * Behaviour cloning MLP: a_t from s_t and, optionally, the `pastStates` states before it in the window (zeros -
 * the normalised mean - where there is none). Hidden layers Linear -> activation -> dropout, then the action head;
 * applied at every position of a window so it trains on the same batches as the sequence models.
 */
import type { MemoryRecord, OpRecord } from "../energy/index.js";
import { linearMacs } from "../energy/index.js";
import { Linear, dropout, tensor, tidy, type NativeEngine, type Tensor } from "../tensor/index.js";
import { ActionHeadLayer } from "./blocks/action-head.js";
import { checkBatch } from "./blocks/batch.js";
import { checkTokens } from "./blocks/op-counts.js";
import { executedOps, Traffic } from "./blocks/memory-counts.js";
import { ModuleList } from "./blocks/module-list.js";
import { BcConfig, type BcConfigInit } from "./config/bc-config.js";
import { PolicyBase } from "./policy-base.js";
import type { InferencePlan } from "./infer/plan.js";
import { bcPlan } from "./infer/bc-plan.js";
import type { ModelBatch, ModelOutput, PolicyModel } from "./types.js";

export class BcModel extends PolicyBase<BcConfig> implements PolicyModel {
  readonly kind = "bc" as const;
  readonly layers: ModuleList<Linear>;
  readonly actionHead: ActionHeadLayer;

  constructor(config: BcConfig | BcConfigInit) {
    const c = config instanceof BcConfig ? config : new BcConfig(config);
    super(c);
    const rng = this.initRng;
    const sizes = [this.inputSize, ...c.hidden];
    this.layers = this.addModule("mlp", new ModuleList(c.hidden.map((h, i) => new Linear(rng, sizes[i]!, h))));
    this.actionHead = this.addModule("head", new ActionHeadLayer(rng, sizes[sizes.length - 1]!, c.head));
  }

  /** Width of one input row: (pastStates + 1) states. */
  get inputSize(): number {
    return (this.config.pastStates + 1) * this.config.obsDim;
  }

  /** Per position k: states k - m .. k of the window, oldest first. -> [B, K, (m + 1) · obsDim] */
  private inputs(batch: ModelBatch): Float32Array {
    const { B, K } = batch;
    const m = this.config.pastStates;
    const o = this.config.obsDim;
    const x = new Float32Array(B * K * (m + 1) * o); // [B, K, (m + 1) · obsDim]
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < K; k++) {
        for (let back = 0; back <= m; back++) {
          const src = k - m + back;
          if (src < 0) continue;
          const from = (b * K + src) * o;
          const to = ((b * K + k) * (m + 1) + back) * o;
          for (let c = 0; c < o; c++) x[to + c] = batch.mask[b * K + src]! > 0 ? batch.states[from + c]! : 0;
        }
      }
    }
    return x;
  }

  forward(batch: ModelBatch): ModelOutput {
    checkBatch("BcModel", batch, this.config);
    const x0 = this.inputs(batch);
    const preds = tidy(() => {
      let x: Tensor = tensor(x0, [batch.B, batch.K, this.inputSize]); // [B, K, in]
      for (const layer of this.layers.items) {
        x = dropout(layer.applyAct(x, this.config.activation), this.config.dropout, this.dropoutRng, this.training); // [B, K, h]
      }
      return this.actionHead.apply(x); // [B, K, out]
    });
    return { preds };
  }

  /** Operations of one decision: the forward pass over a context of `tokens` real steps, batch 1, all MACs. */
  opRecords(tokens: number, _rates: Record<string, number> = {}, _opts: object = {}): OpRecord[] {
    const c = this.config;
    const L = checkTokens(tokens, c.contextLength);
    const sizes = [this.inputSize, ...c.hidden];
    const out: OpRecord[] = c.hidden.map((h, i) => ({ layer: `mlp.${i}`, input: "real" as const, macs: linearMacs(L, sizes[i]!, h) }));
    out.push({ layer: "head", input: "real", macs: linearMacs(L, sizes[sizes.length - 1]!, c.head.kind === "discrete" ? c.head.n : c.head.dim) });
    return out;
  }

  /** Memory traffic of the same pass (rules in src/models/blocks/memory-counts.ts): weights and activations. */
  memoryRecords(tokens: number, rates: Record<string, number> = {}): MemoryRecord[] {
    const c = this.config;
    const L = checkTokens(tokens, c.contextLength);
    const sizes = [this.inputSize, ...c.hidden];
    const m = new Traffic(executedOps(this.opRecords(L, rates)));
    c.hidden.forEach((h, i) => m.product(`mlp.${i}`, L * sizes[i]!, L * h));
    m.product("head", L * sizes[sizes.length - 1]!, L * (c.head.kind === "discrete" ? c.head.n : c.head.dim));
    return m.records;
  }

  /** The decision path without the autodiff tape (src/models/infer/bc-plan.ts). */
  protected override buildInference(engine: NativeEngine): InferencePlan {
    return bcPlan(engine, this);
  }
}
