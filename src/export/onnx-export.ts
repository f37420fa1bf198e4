/**
 * `exportOnnx`: a model's config and weights (as the checkpoint API loads them) -> the bytes of an .onnx file
 * (opset 17, IR 8) that computes one decision on a fixed context window (inputs.ts), for every model kind and
 * head. Outputs: discrete heads `action_logits` float32 [batch, n] and `action` int64 [batch] (the arg-max, the
 * first on ties as strl's); continuous heads `action` float32 [batch, dim]; STRL also `spikes/<LIF name>`,
 * float32 scalars: the spikes of each LIF layer during the decision (every neuron-step of the window; the
 * score LIF over the allowed cells). The metadata (`metadata_props`) say what the graph was made from.
 */
import { configFromJSON, type AnyModelConfig } from "../models/factory.js";
import { AnnStrlConfig, StrlConfig } from "../models/config/strl-config.js";
import { DtConfig } from "../models/config/dt-config.js";
import { VERSION } from "../version.js";
import { bcGraph } from "./bc-graph.js";
import { dtGraph } from "./dt-graph.js";
import { GraphBuilder, IR_VERSION, OPSET, type Weights } from "./graph.js";
import { BATCH } from "./inputs.js";
import type { SpikeCounter } from "./lif-graph.js";
import { encodeModel } from "./onnx-proto.js";
import { stepTransformerGraph } from "./step-graph.js";

export interface ExportSource {
  /** the model config as checkpoints store it (`config.toJSON()`, with `kind`) */
  modelConfig: Record<string, unknown>;
  /** weights by parameter name, in strl's layout */
  weights: Weights;
  envId: string;
  envOptions?: Record<string, unknown>;
}

export interface ExportOptions {
  /** STRL: add the per-layer spike counts as outputs (default true). */
  spikeCounts?: boolean;
}

/** The metadata keys strl writes (all values are strings; lists and objects as JSON). */
export const METADATA_KEYS = [
  "strl_version", "model_kind", "env_id", "env_options", "context_length", "obs_dim", "action_head", "rtg_scale",
  "state_mean", "state_std", "max_timestep", "normalisation", "model_config",
] as const;

/** The prefix of the spike-count outputs. */
export const SPIKES_PREFIX = "spikes/";

/** The .onnx bytes of one decision of the model (see the module comment). */
export function exportOnnx(src: ExportSource, opts: ExportOptions = {}): Uint8Array {
  const config = configFromJSON(src.modelConfig);
  const g = new GraphBuilder(src.weights);
  const counts: Array<[string, string]> = [];
  const counter: SpikeCounter | undefined = opts.spikeCounts === false ? undefined : { add: (name, value) => void counts.push([name, value]) };
  const pred = body(g, config, counter); // [B, 1, out]
  const head = config.head;
  const width = head.kind === "discrete" ? head.n : head.dim;
  const last = g.reshape(pred, [0, width]); // [B, out]
  if (head.kind === "discrete") {
    g.output(last, "action_logits", "float32", [BATCH, width]);
    g.output(g.op("ArgMax", [last], { axis: { int: 1 }, keepdims: { int: 0 } }), "action", "int64", [BATCH]);
  } else {
    g.output(last, "action", "float32", [BATCH, width]);
  }
  for (const [name, value] of counts) g.output(value, SPIKES_PREFIX + name, "float32", []);
  const doc = `strl ${config.toJSON().kind} policy: one decision on a window of ${config.contextLength} steps (docs/onnx.md)`;
  return encodeModel({
    irVersion: IR_VERSION,
    opset: OPSET,
    producerName: "strl",
    producerVersion: VERSION,
    graph: g.spec(`strl_${String(config.toJSON().kind).replace("-", "_")}`, doc),
    metadata: metadata(src, config),
    doc,
  });
}

function body(g: GraphBuilder, c: AnyModelConfig, counter?: SpikeCounter): string {
  if (c instanceof StrlConfig) return stepTransformerGraph(g, { ...c, kind: "strl", scale: c.scale, T: c.T, neuron: c.neuron }, counter);
  if (c instanceof AnnStrlConfig) return stepTransformerGraph(g, { ...c, kind: "ann-strl", scale: c.scale, activation: c.activation });
  if (c instanceof DtConfig) return dtGraph(g, c);
  return bcGraph(g, c);
}

function metadata(src: ExportSource, c: AnyModelConfig): Record<string, string> {
  const json = c.toJSON();
  const maxT = (c as { maxTimestep?: number }).maxTimestep;
  const m: Record<string, string> = {
    strl_version: VERSION,
    model_kind: String(json.kind),
    env_id: src.envId,
    env_options: JSON.stringify(src.envOptions ?? {}),
    context_length: String(c.contextLength),
    obs_dim: String(c.obsDim),
    action_head: JSON.stringify(c.head),
    rtg_scale: String(c.rtgScale),
    state_mean: JSON.stringify(c.stateMean),
    state_std: JSON.stringify(c.stateStd),
    max_timestep: maxT === undefined ? "" : String(maxT),
    normalisation: "in the graph: pass raw states and unscaled returns-to-go",
    model_config: JSON.stringify(json),
  };
  return m;
}
