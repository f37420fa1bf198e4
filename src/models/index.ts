/** The models of strl: STRL, ANN-STRL, the Decision Transformer and BC-MLP, their configs and `getAction`. */
export type { ActionHead, ModelBatch, ModelKind, ModelOutput, PolicyModel } from "./types.js";
export { StrlConfig, AnnStrlConfig, ATTENTION_KINDS, type AttentionKind, type AttentionMode, type StrlConfigInit, type AnnStrlConfigInit } from "./config/strl-config.js";
export { DtConfig, type DtConfigInit } from "./config/dt-config.js";
export { BcConfig, type BcConfigInit } from "./config/bc-config.js";
export { StrlModel } from "./strl.js";
export { AnnStrlModel } from "./ann-strl.js";
export { DtModel } from "./dt.js";
export { BcModel } from "./bc.js";
export { configFromJSON, createModel, modelFromJSON, MODEL_KINDS, type AnyModel, type AnyModelConfig } from "./factory.js";
export { historyToBatch, actWith, type History, type ActOptions, type NormSpec } from "./policy.js";
export { PolicyBase, type PolicyConfig } from "./policy-base.js";
export { actionLoss, actionAccuracy, argmaxRows } from "./blocks/action-head.js";
export { checkBatch } from "./blocks/batch.js";
export { layerLabel, LIF_ROLES } from "./layer-names.js";
