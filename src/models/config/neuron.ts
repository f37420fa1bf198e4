/**
 * The neuron options of a spiking model (tau, threshold, reset, surrogate, ...), validated by the spiking core's
 * own `lifConfig` so a model config and a bare `LIF` accept exactly the same values.
 */
import { ConfigError, checkObject, rejectUnknownKeys, type Field } from "../../config/index.js";
import { lifConfig, type LIFConfig, type LIFOptions } from "../../snn/index.js";

const NEURON_KEYS = ["tau", "vThreshold", "vReset", "decayInput", "detachReset", "surrogate"] as const;

/** Validates neuron options under `where.key` and fills the LIF defaults (tau 2, v_th 1, hard reset 0, sigmoid 4). */
export function checkNeuron(where: string, key: string, value: unknown): LIFConfig {
  const o = checkObject(`${where}.${key}`, value);
  rejectUnknownKeys(`${where}.${key}`, o, NEURON_KEYS);
  try {
    return lifConfig(o as LIFOptions);
  } catch (e) {
    throw new ConfigError(`${where}.${key}: ${(e as Error).message}`);
  }
}

export function neuronField(): Field<LIFConfig> {
  return { check: checkNeuron, default: lifConfig({}), doc: "LIF options: tau, vThreshold, vReset, decayInput, detachReset, surrogate" };
}

export function copyNeuron(n: LIFConfig): LIFConfig {
  return { ...n, surrogate: { ...n.surrogate } };
}
