/**
 * Human-readable names of the spiking (LIF) layers, for figures and the page: the dotted code names the models
 * register (`blocks.1.attn.score_lif`, spiking-attention.ts and spiking-mlp.ts) read as "block 2 attention: score".
 * Blocks are counted from 1. A name that is not a known LIF layer is returned unchanged, so a figure never drops
 * a layer it does not know; the code names stay in tables and SVG descriptions for people who grep.
 */

/** What each LIF layer of a block is, by its name inside the block. */
export const LIF_ROLES: Readonly<Record<string, string>> = Object.freeze({
  "attn.q_lif": "attention: query",
  "attn.k_lif": "attention: key",
  "attn.v_lif": "attention: value",
  "attn.score_lif": "attention: score",
  "attn.out_lif": "attention: output",
  "attn.qk": "attention: query-key coincidences",
  "mlp.lif1": "MLP: hidden",
  "mlp.lif2": "MLP: output",
});

/** "blocks.1.attn.score_lif" -> "block 2 attention: score"; unknown names unchanged. */
export function layerLabel(code: string): string {
  const m = /^blocks\.(\d+)\.(.+)$/.exec(code);
  const role = m ? LIF_ROLES[m[2]!] : undefined;
  return m && role ? `block ${Number(m[1]) + 1} ${role}` : code;
}
