/**
 * Behaviour cloning (src/models/bc.ts) as one ONNX graph for one decision: the MLP on the current state and the
 * `pastStates` states before it in the window (zeros, the normalised mean, where there is none or on padding),
 * oldest first; hidden Linear -> activation layers, then the head.
 */
import type { ActivationName } from "../models/blocks/activation.js";
import type { GraphBuilder } from "./graph.js";
import { stateInputs, type WindowSpec } from "./inputs.js";
import { actionHead, activate, linear } from "./layers-graph.js";

export interface BcGraphConfig extends WindowSpec {
  hidden: readonly number[];
  activation: ActivationName;
  pastStates: number;
}

/** Builds the graph's body; returns the prediction for the last step [B, 1, out]. */
export function bcGraph(g: GraphBuilder, c: BcGraphConfig): string {
  const K = c.contextLength;
  const m = c.pastStates;
  const o = c.obsDim;
  const p = stateInputs(g, c);
  // m zero rows before the window, then the last m + 1 rows: states K-1-m .. K-1, oldest first
  const padded = m > 0 ? g.op("Pad", [p.states, g.i64([0, m, 0, 0, 0, 0])]) : p.states; // [B, K + m, o]
  let x = g.reshape(g.slice(padded, [K - 1], [K + m], [1]), [0, 1, (m + 1) * o]); // [B, 1, (m + 1) · o]
  c.hidden.forEach((_, i) => {
    x = activate(g, linear(g, x, `mlp.${i}`), c.activation); // [B, 1, h]
  });
  return actionHead(g, x, c.head); // [B, 1, out]
}
