/**
 * One line per LIF layer that was silent (rate 0) or saturated (rate >= SATURATED_RATE, as after training) over
 * the episode so far, saying what that means for the policy. A silent attention score layer is named with what it
 * does to attention (src/eval/silent-score.ts). Coincidence rates (`.qk`) are products of two layers and are left out.
 */
import { SILENT_SCORE_MEANING } from "../../src/eval/silent-score.js";
import { layerLabel } from "../../src/models/layer-names.js";
import { SATURATED_RATE } from "../../src/train/spike-health.js";

export interface LayerWarning {
  layer: string;
  kind: "silent" | "saturated";
  text: string;
}

const isScore = (layer: string): boolean => layer.endsWith(".attn.score_lif");

/** Warnings for `rates` (layer -> mean firing rate over the episode so far), in key order. */
export function layerWarnings(rates: Readonly<Record<string, number>>): LayerWarning[] {
  const out: LayerWarning[] = [];
  for (const [layer, rate] of Object.entries(rates)) {
    if (layer.endsWith(".qk")) continue;
    const name = layerLabel(layer);
    if (rate === 0) {
      const meaning = isScore(layer) ? SILENT_SCORE_MEANING : "it passes nothing on: the layers after it see only zeros from it";
      out.push({ layer, kind: "silent", text: `${name} is silent (no spike this episode): ${meaning}.` });
    } else if (rate >= SATURATED_RATE) {
      const meaning = isScore(layer)
        ? "almost every allowed key scores 1, so that block's attention is close to uniform too and ignores the keys' content"
        : "it fires at almost every step, so its spikes carry almost no information";
      out.push({ layer, kind: "saturated", text: `${name} is saturated (rate ${rate.toFixed(3)} this episode): ${meaning}.` });
    }
  }
  return out;
}
