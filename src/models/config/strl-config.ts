/**
 * Configs of the STRL family. `StrlConfig`: the spiking transformer (LIF neurons, T time steps of direct
 * encoding). `AnnStrlConfig`: the same architecture with the LIF neurons replaced by a real activation and T = 1.
 *
 * `causal` (default true): position t attends only to positions <= t. `causal: false` is "paper mode", the
 * published non-causal setting, kept only to measure its leak: token t+1 carries E_a(a_t), the label at t.
 */
import { ConfigError, boolField, enumField, intField, parseConfig, type ConfigOf } from "../../config/index.js";
import type { LIFConfig, LIFOptions } from "../../snn/index.js";
import type { ActionHead } from "../types.js";
import { commonSpec, copyHead, finishStats, nullablePositiveField, takeKind } from "./common.js";
import { copyNeuron, neuronField } from "./neuron.js";

export const ATTENTION_KINDS = ["strl", "spike-driven"] as const;
/**
 * "strl": LIF on Q, K, V and on the scaled scores, softmax, x V (the paper's).
 * "spike-driven": no softmax; Q·Kᵀ·scale with the causal mask applied multiplicatively, x V, then a LIF
 * (Spikformer / DSFormer).
 */
export type AttentionKind = (typeof ATTENTION_KINDS)[number];

/** "causal" (default) or "paper" (causal: false, the published non-causal setting). */
export type AttentionMode = "causal" | "paper";

function transformerSpec() {
  return {
    ...commonSpec({ contextLength: 100, dropout: 0.1 }),
    maxTimestep: intField({ min: 1, default: 1000, doc: "size of the timestep embedding table" }),
    dModel: intField({ min: 1, default: 256 }),
    nBlocks: intField({ min: 1, default: 6 }),
    nHeads: intField({ min: 1, default: 8 }),
    mlpRatio: intField({ min: 1, default: 4 }),
    attention: enumField(ATTENTION_KINDS, { default: "strl" }),
    causal: boolField({ default: true, doc: "false = paper mode (non-causal, leaks the next action)" }),
    attnScale: nullablePositiveField("score scale (null = 1/sqrt(dModel/nHeads))"),
  };
}

const STRL_SPEC = { ...transformerSpec(), T: intField({ min: 1, default: 4, doc: "time steps of direct encoding" }), neuron: neuronField() };
const ANN_STRL_SPEC = { ...transformerSpec(), activation: enumField(["relu", "gelu"] as const, { default: "relu" }) };

type Stats = { stateMean: number[]; stateStd: number[] };
type StrlFields = Omit<ConfigOf<typeof STRL_SPEC>, keyof Stats> & Stats;
type AnnStrlFields = Omit<ConfigOf<typeof ANN_STRL_SPEC>, keyof Stats> & Stats;

type Init<F, Required extends keyof F> = Partial<F> & Pick<F, Required>;
export type StrlConfigInit = Init<Omit<StrlFields, "neuron">, "obsDim" | "head"> & { neuron?: LIFOptions; stateMean?: number[] | null; stateStd?: number[] | null };
export type AnnStrlConfigInit = Init<AnnStrlFields, "obsDim" | "head"> & { stateMean?: number[] | null; stateStd?: number[] | null };

function checkTransformer(where: string, c: { dModel: number; nHeads: number }): void {
  if (c.dModel % c.nHeads !== 0) throw new ConfigError(`${where}.dModel (${c.dModel}) must be divisible by nHeads (${c.nHeads})`);
}

function jsonOf(kind: string, spec: object, c: object): Record<string, unknown> {
  const out: Record<string, unknown> = { kind };
  for (const k of Object.keys(spec)) out[k] = structuredClone((c as Record<string, unknown>)[k]);
  return out;
}

/** What STRL and ANN-STRL derive the same way from their fields: the attention mode, head size and score scale. */
abstract class TransformerConfigBase {
  declare readonly causal: boolean;
  declare readonly dModel: number;
  declare readonly nHeads: number;
  declare readonly attnScale: number | null;

  /** "causal", or "paper" for the published non-causal setting. */
  get mode(): AttentionMode {
    return this.causal ? "causal" : "paper";
  }

  get headDim(): number {
    return this.dModel / this.nHeads;
  }

  /** The score scale: `attnScale`, or 1/sqrt(head size). */
  get scale(): number {
    return this.attnScale ?? 1 / Math.sqrt(this.headDim);
  }
}

export interface StrlConfig extends Readonly<StrlFields> {}
/** The validated config of an STRL model (paper-scale defaults: d 256, 6 blocks, 8 heads, T 4, context 100). */
export class StrlConfig extends TransformerConfigBase {
  static readonly kind = "strl" as const;

  constructor(init: StrlConfigInit) {
    super();
    const c = parseConfig("StrlConfig", init, STRL_SPEC);
    checkTransformer("StrlConfig", c);
    Object.assign(this, c, finishStats("StrlConfig", c), { head: copyHead(c.head), neuron: copyNeuron(c.neuron as LIFConfig) });
    Object.freeze(this);
  }

  toJSON(): Record<string, unknown> {
    return jsonOf(StrlConfig.kind, STRL_SPEC, this);
  }

  /** Rebuilds a config from `toJSON` output; unknown keys and bad values are errors naming the key. */
  static fromJSON(json: unknown): StrlConfig {
    return new StrlConfig(takeKind("StrlConfig", json, StrlConfig.kind) as StrlConfigInit);
  }
}

export interface AnnStrlConfig extends Readonly<AnnStrlFields> {}
/** The validated config of ANN-STRL: STRL's architecture with a real activation in place of every LIF, T = 1. */
export class AnnStrlConfig extends TransformerConfigBase {
  static readonly kind = "ann-strl" as const;

  constructor(init: AnnStrlConfigInit) {
    super();
    const c = parseConfig("AnnStrlConfig", init, ANN_STRL_SPEC);
    checkTransformer("AnnStrlConfig", c);
    Object.assign(this, c, finishStats("AnnStrlConfig", c), { head: copyHead(c.head) });
    Object.freeze(this);
  }

  /** Always 1: an ANN has no time axis. */
  get T(): number {
    return 1;
  }

  toJSON(): Record<string, unknown> {
    return jsonOf(AnnStrlConfig.kind, ANN_STRL_SPEC, this);
  }

  static fromJSON(json: unknown): AnnStrlConfig {
    return new AnnStrlConfig(takeKind("AnnStrlConfig", json, AnnStrlConfig.kind) as AnnStrlConfigInit);
  }
}

export type { ActionHead };
