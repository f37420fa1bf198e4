/**
 * Fixtures of the ONNX export tests: tiny randomly initialised models of every kind and head (seeded), their
 * export, random episode histories, and strl's own decision on a history with the spikes of each LIF layer and
 * the neuron-steps whose membrane sat within rounding of the threshold.
 */
import { modelFromJSON, type AnyModel } from "../../src/models/factory.js";
import { modelWeights } from "../../src/checkpoint/index.js";
import { exportOnnx } from "../../src/export/index.js";
import { historyToBatch, type History } from "../../src/models/policy.js";
import { namedNeurons } from "../../src/snn/index.js";
import { NEAR_THRESHOLD } from "../../src/eval/decision.js";
import { Rng } from "../../src/tensor/index.js";

export const OBS = 3;
export const DISCRETE = { kind: "discrete", n: 3 } as const;
export const CONTINUOUS = { kind: "continuous", dim: 2, low: [-1, -2], high: [1, 2] } as const;
const BASE = { obsDim: OBS, contextLength: 5, stateMean: [0.1, -0.2, 0.3], stateStd: [1.5, 0.7, 2], rtgScale: 10, seed: 7 };
const TABLE = { maxTimestep: 20 };

export interface Case {
  label: string;
  config: Record<string, unknown>;
}

/** Every model kind, both heads; STRL and ANN-STRL with both attention kinds in causal and paper mode. */
export function allCases(): Case[] {
  const out: Case[] = [];
  for (const head of [DISCRETE, CONTINUOUS]) {
    const h = head.kind;
    out.push({ label: `bc ${h}`, config: { kind: "bc", ...BASE, head, hidden: [16, 8], pastStates: 2, activation: h === "discrete" ? "relu" : "gelu" } });
    out.push({ label: `dt ${h}`, config: { kind: "dt", ...BASE, ...TABLE, head, dModel: 16, nBlocks: 2, nHeads: 2, activation: h === "discrete" ? "gelu" : "relu" } });
    for (const attention of ["strl", "spike-driven"] as const) {
      for (const causal of [true, false]) {
        const mode = causal ? "causal" : "paper";
        const shape = { ...BASE, ...TABLE, head, dModel: 16, nBlocks: 2, nHeads: 2, attention, causal };
        out.push({ label: `ann-strl ${h} ${attention} ${mode}`, config: { kind: "ann-strl", ...shape, activation: attention === "strl" ? "relu" : "gelu" } });
        // hard reset for "strl" (scores are whole numbers: scale 1), soft reset without decayed input for "spike-driven"
        const neuron = attention === "strl" ? { tau: 2, vThreshold: 0.25 } : { tau: 3, vThreshold: 0.4, vReset: null, decayInput: false };
        out.push({ label: `strl ${h} ${attention} ${mode}`, config: { kind: "strl", ...shape, T: 4, attnScale: attention === "strl" ? 1 : 0.5, neuron } });
      }
    }
  }
  return out;
}

export function makeModel(config: Record<string, unknown>): AnyModel {
  const m = modelFromJSON(config);
  m.eval();
  return m;
}

export function exportModel(m: AnyModel, envId = "test-env"): Uint8Array {
  return exportOnnx({ modelConfig: m.config.toJSON(), weights: modelWeights(m), envId });
}

/** A random episode so far of `n` steps (raw states around the normalisation, returns-to-go falling). */
export function randomHistory(rng: Rng, n: number, head: { kind: string }, t0 = 0): History {
  return {
    observations: Array.from({ length: n }, () => Array.from({ length: OBS }, () => 2 * rng.normal())),
    actions: Array.from({ length: n - 1 }, () => (head.kind === "discrete" ? rng.int(3) : [rng.normal(), rng.normal()])),
    returnsToGo: Array.from({ length: n }, (_, i) => 30 - 3 * i + rng.normal()),
    timesteps: Array.from({ length: n }, (_, i) => t0 + i),
  };
}

export interface StrlDecision {
  /** the predictions at the current position (logits or the continuous action) */
  preds: Float32Array;
  /** spikes of each LIF layer during the decision */
  spikes: Record<string, number>;
  /** neuron-steps of each LIF layer within NEAR_THRESHOLD of the threshold */
  near: Record<string, number>;
}

/** strl's decision on `h` (the path `getAction` runs), with what its LIF layers did. */
export function strlDecision(m: AnyModel, h: History): StrlDecision {
  const spikes: Record<string, number> = {};
  const near: Record<string, number> = {};
  const offs = namedNeurons(m).map(([name, lif]) => {
    const tol = NEAR_THRESHOLD * Math.max(1, Math.abs(lif.config.vThreshold));
    return lif.addListener((s, _n, _T, detail) => {
      spikes[name] = (spikes[name] ?? 0) + s;
      let k = 0;
      for (const d of detail?.d ?? []) if (Math.abs(d) <= tol) k++;
      near[name] = (near[name] ?? 0) + k;
    });
  });
  let preds: Float32Array | undefined;
  try {
    m.getAction(h, { onPredictions: (last) => void (preds = Float32Array.from(last)) });
  } finally {
    offs.forEach((off) => off());
  }
  return { preds: preds!, spikes, near };
}
