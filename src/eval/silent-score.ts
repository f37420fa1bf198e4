/**
 * What a silent attention score layer means, said the same way by the reports and the page: when every score
 * spike of a block is 0, the softmax over the allowed keys is uniform, so the block attends to the causal mean of
 * the value spikes, whatever their content.
 */

export const SILENT_SCORE_MEANING =
  "every attention score spike is 0: the softmax over the allowed keys is then uniform, so that block's attention is the causal mean of the value spikes and ignores their content";

/** The blocks ("blocks.0") whose `attn.score_lif` fired at rate exactly 0 in `rates` (layer -> rate), in key order. */
export function silentScoreBlocks(rates: Readonly<Record<string, number>>): string[] {
  return Object.entries(rates)
    .filter(([layer, rate]) => layer.endsWith(".attn.score_lif") && rate === 0)
    .map(([layer]) => layer.slice(0, -".attn.score_lif".length));
}
