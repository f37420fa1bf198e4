/**
 * Config fields every model shares: what it observes and predicts (obsDim, action head), the context it was built
 * for, the normalisation the data was given (state mean / std, RTG scale; carried in the config so checkpoints
 * and `getAction` use exactly the training statistics), the init seed and the dropout rate.
 */
import {
  ConfigError,
  checkEnum,
  checkInt,
  checkNumberArray,
  checkObject,
  intField,
  numField,
  rejectUnknownKeys,
  showValue,
  type Field,
} from "../../config/index.js";
import type { ActionHead } from "../types.js";

/** Validates an action head: `{ kind: "discrete", n }` or `{ kind: "continuous", dim, low, high }`. */
export function checkHead(where: string, key: string, value: unknown): ActionHead {
  const o = checkObject(`${where}.${key}`, value);
  const kind = checkEnum(where, `${key}.kind`, o.kind, ["discrete", "continuous"] as const);
  if (kind === "discrete") {
    rejectUnknownKeys(`${where}.${key}`, o, ["kind", "n"]);
    return { kind, n: checkInt(where, `${key}.n`, o.n, { min: 2 }) };
  }
  rejectUnknownKeys(`${where}.${key}`, o, ["kind", "dim", "low", "high"]);
  const dim = checkInt(where, `${key}.dim`, o.dim, { min: 1 });
  const low = checkNumberArray(where, `${key}.low`, o.low, { length: dim });
  const high = checkNumberArray(where, `${key}.high`, o.high, { length: dim });
  low.forEach((l, i) => {
    if (!(l < high[i]!)) throw new ConfigError(`${where}.${key}: low[${i}] (${l}) must be below high[${i}] (${high[i]})`);
  });
  return { kind, dim, low, high };
}

export function headField(): Field<ActionHead> {
  return { check: checkHead, doc: "{ kind: 'discrete', n } or { kind: 'continuous', dim, low, high }" };
}

/** An array of finite numbers or null (null = "not given"; the config fills it in after all fields are read). */
export function nullableArrayField(opts: { min?: number; minExclusive?: boolean; doc?: string } = {}): Field<number[] | null> {
  return {
    check: (w, k, v) => (v === null ? null : checkNumberArray(w, k, v, opts)),
    default: null,
    doc: opts.doc,
  };
}

/** A finite number > 0 or null. */
export function nullablePositiveField(doc?: string): Field<number | null> {
  return {
    check: (w, k, v) => {
      if (v === null) return null;
      if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw new ConfigError(`${w}.${k} must be a finite number > 0 or null, got ${showValue(v)}`);
      return v;
    },
    default: null,
    doc,
  };
}

/** Fields of every model; `defaults` sets the per-model context length. */
export function commonSpec(defaults: { contextLength: number; dropout: number }) {
  return {
    obsDim: intField({ min: 1, doc: "observation size" }),
    head: headField(),
    contextLength: intField({ min: 1, default: defaults.contextLength, doc: "context length K in steps" }),
    stateMean: nullableArrayField({ doc: "[obsDim] state mean used to normalise (null = zeros)" }),
    stateStd: nullableArrayField({ min: 0, minExclusive: true, doc: "[obsDim] state std (null = ones)" }),
    rtgScale: numField({ min: 0, minExclusive: true, default: 1, doc: "returns-to-go are divided by this" }),
    seed: intField({ min: 0, max: 0xffffffff, default: 42, doc: "parameter-init and dropout seed" }),
    dropout: numField({ min: 0, max: 1, maxExclusive: true, default: defaults.dropout }),
  };
}

/** The shared fields after validation (stats filled in). */
export interface CommonFields {
  obsDim: number;
  head: ActionHead;
  contextLength: number;
  stateMean: number[];
  stateStd: number[];
  rtgScale: number;
  seed: number;
  dropout: number;
}

/** Fills null stats with zeros / ones and checks their length against obsDim. */
export function finishStats(where: string, c: { obsDim: number; stateMean: number[] | null; stateStd: number[] | null }): {
  stateMean: number[];
  stateStd: number[];
} {
  const mean = c.stateMean ?? new Array<number>(c.obsDim).fill(0);
  const std = c.stateStd ?? new Array<number>(c.obsDim).fill(1);
  if (mean.length !== c.obsDim) throw new ConfigError(`${where}.stateMean must have obsDim = ${c.obsDim} entries, got ${mean.length}`);
  if (std.length !== c.obsDim) throw new ConfigError(`${where}.stateStd must have obsDim = ${c.obsDim} entries, got ${std.length}`);
  return { stateMean: [...mean], stateStd: [...std] };
}

/** Splits off and checks the optional `kind` key that `toJSON` writes. */
export function takeKind(where: string, json: unknown, kind: string): Record<string, unknown> {
  const o = { ...checkObject(where, json) };
  if ("kind" in o) {
    if (o.kind !== kind) throw new ConfigError(`${where}.kind must be '${kind}', got ${showValue(o.kind)}`);
    delete o.kind;
  }
  return o;
}

/** Deep copy of a head (configs hand out copies so nobody mutates a model's head). */
export function copyHead(h: ActionHead): ActionHead {
  return h.kind === "discrete" ? { kind: "discrete", n: h.n } : { kind: "continuous", dim: h.dim, low: [...h.low], high: [...h.high] };
}

/** Number of scalars per action: 1 (an index) for discrete, dim for continuous. */
export function actionSize(h: ActionHead): number {
  return h.kind === "discrete" ? 1 : h.dim;
}
