/**
 * Config of the behaviour-cloning MLP: predicts a_t from s_t and, optionally, the `pastStates` states before it
 * (zeros - the normalised mean state - where the window or the episode has none).
 */
import { enumField, intField, numArrayField, parseConfig, type ConfigOf } from "../../config/index.js";
import { commonSpec, copyHead, finishStats, takeKind } from "./common.js";

const BC_SPEC = {
  ...commonSpec({ contextLength: 20, dropout: 0.1 }),
  hidden: numArrayField({ min: 1, integer: true, default: [256, 256], doc: "hidden layer sizes" }),
  pastStates: intField({ min: 0, default: 0, doc: "number of past states fed besides the current one" }),
  activation: enumField(["relu", "gelu"] as const, { default: "relu" }),
};

type Stats = { stateMean: number[]; stateStd: number[] };
type BcFields = Omit<ConfigOf<typeof BC_SPEC>, keyof Stats> & Stats;
export type BcConfigInit = Partial<BcFields> & Pick<BcFields, "obsDim" | "head"> & { stateMean?: number[] | null; stateStd?: number[] | null };

export interface BcConfig extends Readonly<BcFields> {}
export class BcConfig {
  static readonly kind = "bc" as const;

  constructor(init: BcConfigInit) {
    const c = parseConfig("BcConfig", init, BC_SPEC);
    Object.assign(this, c, finishStats("BcConfig", c), { head: copyHead(c.head), hidden: [...c.hidden] });
    Object.freeze(this);
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { kind: BcConfig.kind };
    for (const k of Object.keys(BC_SPEC)) out[k] = structuredClone((this as unknown as Record<string, unknown>)[k]);
    return out;
  }

  static fromJSON(json: unknown): BcConfig {
    return new BcConfig(takeKind("BcConfig", json, BcConfig.kind) as BcConfigInit);
  }
}
