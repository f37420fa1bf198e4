/**
 * Config of the Decision Transformer baseline (Chen et al. 2021): interleaved (R_t, s_t, a_t) tokens, GPT-2
 * causal pre-norm blocks. Defaults are the kzl gym settings: K 20, d 128, 3 blocks, 1 head, relu, dropout 0.1.
 */
import { ConfigError, enumField, intField, parseConfig, type ConfigOf } from "../../config/index.js";
import { commonSpec, copyHead, finishStats, takeKind } from "./common.js";

const DT_SPEC = {
  ...commonSpec({ contextLength: 20, dropout: 0.1 }),
  maxTimestep: intField({ min: 1, default: 1000, doc: "size of the timestep embedding table" }),
  dModel: intField({ min: 1, default: 128 }),
  nBlocks: intField({ min: 1, default: 3 }),
  nHeads: intField({ min: 1, default: 1 }),
  mlpRatio: intField({ min: 1, default: 4 }),
  activation: enumField(["relu", "gelu"] as const, { default: "relu" }),
};

type Stats = { stateMean: number[]; stateStd: number[] };
type DtFields = Omit<ConfigOf<typeof DT_SPEC>, keyof Stats> & Stats;
export type DtConfigInit = Partial<DtFields> & Pick<DtFields, "obsDim" | "head"> & { stateMean?: number[] | null; stateStd?: number[] | null };

export interface DtConfig extends Readonly<DtFields> {}
export class DtConfig {
  static readonly kind = "dt" as const;

  constructor(init: DtConfigInit) {
    const c = parseConfig("DtConfig", init, DT_SPEC);
    if (c.dModel % c.nHeads !== 0) throw new ConfigError(`DtConfig.dModel (${c.dModel}) must be divisible by nHeads (${c.nHeads})`);
    Object.assign(this, c, finishStats("DtConfig", c), { head: copyHead(c.head) });
    Object.freeze(this);
  }

  get headDim(): number {
    return this.dModel / this.nHeads;
  }

  /** The DT is always causal. */
  get causal(): true {
    return true;
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { kind: DtConfig.kind };
    for (const k of Object.keys(DT_SPEC)) out[k] = structuredClone((this as unknown as Record<string, unknown>)[k]);
    return out;
  }

  static fromJSON(json: unknown): DtConfig {
    return new DtConfig(takeKind("DtConfig", json, DtConfig.kind) as DtConfigInit);
  }
}
