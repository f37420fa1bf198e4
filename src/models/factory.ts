/** Builds any model from its config JSON (`config.toJSON()`, as checkpoints store it), dispatching on `kind`. */
import { ConfigError, checkEnum, checkObject } from "../config/index.js";
import { AnnStrlModel } from "./ann-strl.js";
import { BcModel } from "./bc.js";
import { BcConfig } from "./config/bc-config.js";
import { DtConfig } from "./config/dt-config.js";
import { AnnStrlConfig, StrlConfig } from "./config/strl-config.js";
import { DtModel } from "./dt.js";
import { StrlModel } from "./strl.js";
import type { ModelKind } from "./types.js";

export type AnyModel = StrlModel | AnnStrlModel | DtModel | BcModel;
export type AnyModelConfig = StrlConfig | AnnStrlConfig | DtConfig | BcConfig;

export const MODEL_KINDS: readonly ModelKind[] = ["strl", "ann-strl", "dt", "bc"];

/** The validated config of `json.kind`. */
export function configFromJSON(json: unknown): AnyModelConfig {
  const o = checkObject("model config", json);
  if (o.kind === undefined) throw new ConfigError(`model config.kind is required (one of ${MODEL_KINDS.map((k) => `'${k}'`).join(", ")})`);
  const kind = checkEnum("model config", "kind", o.kind, MODEL_KINDS);
  switch (kind) {
    case "strl":
      return StrlConfig.fromJSON(o);
    case "ann-strl":
      return AnnStrlConfig.fromJSON(o);
    case "dt":
      return DtConfig.fromJSON(o);
    case "bc":
      return BcConfig.fromJSON(o);
  }
}

/** A fresh model (parameters initialised from the config's seed) for a validated config. */
export function createModel(config: AnyModelConfig): AnyModel {
  if (config instanceof StrlConfig) return new StrlModel(config);
  if (config instanceof AnnStrlConfig) return new AnnStrlModel(config);
  if (config instanceof DtConfig) return new DtModel(config);
  return new BcModel(config);
}

/** `createModel(configFromJSON(json))`. */
export function modelFromJSON(json: unknown): AnyModel {
  return createModel(configFromJSON(json));
}
