/**
 * The attention of one decision's row, for displays (the browser page): for each STRL block whose attention is
 * "strl" (score LIF -> softmax over the allowed keys -> · V), the score spikes of the decision token's query
 * over its allowed keys at each of the T steps, and the softmax weights those spikes give: a key whose score
 * spiked weighs e, one that did not weighs 1, over Z = keys + (e - 1)·(spiking keys) (as
 * fused-spiking-attention-js.ts computes them). Read from the score LIF's report (its H - v_th per cell and the
 * cell -> query row map), only for the last token row, and only while `watchAttention` listens.
 *
 * Blocks whose attention has no score neurons ("spike-driven": the product with V goes to an output LIF; real
 * attention of ANN-STRL and the DT) give no row: `attentionKind` says which the model has.
 */
import { SpikingSelfAttention } from "../models/blocks/spiking-attention.js";
import type { PolicyModel } from "../models/types.js";

export interface AttentionRow {
  /** The score LIF's name (`blocks.0.attn.score_lif`). */
  layer: string;
  heads: number;
  /** Allowed keys of the decision row: the window's real steps, oldest first. */
  keys: number;
  /** [H][T][keys] score spikes (0/1) of the decision row. */
  spikes: number[][][];
  /** [H][T][keys] the softmax weights the spikes give (each [h][t] sums to 1). */
  weights: number[][][];
  /** [H][keys] the weights' mean over T. */
  mean: number[][];
  /** No score spike in the row: every weight is 1 / keys (the block's attention is the mean of the value spikes). */
  silent: boolean;
}

/** What attention the model's blocks have: "strl" (score spikes, shown), "spike-driven", or "none" (no spiking attention). */
export function attentionKind(model: PolicyModel): "strl" | "spike-driven" | "none" {
  for (const [, m] of model.namedModules()) if (m instanceof SpikingSelfAttention) return m.opts.attention;
  return "none";
}

/** The softmax weights of one step's score spikes over `keys` allowed keys: e or 1 over their sum. */
function weightsOf(spikes: number[]): number[] {
  const z = spikes.reduce((a, s) => a + (s > 0 ? Math.E : 1), 0);
  return spikes.map((s) => (s > 0 ? Math.E : 1) / z);
}

/**
 * Listens to the score LIF of every "strl" attention block of `model` and keeps, from each one's first report,
 * the decision row's attention. Returns the function that stops listening and gives the rows, in block order.
 */
export function watchAttention(model: PolicyModel): () => AttentionRow[] {
  const blocks = model.namedModules().filter((e): e is [string, SpikingSelfAttention] => e[1] instanceof SpikingSelfAttention && e[1].opts.attention === "strl");
  const rows = new Map<string, AttentionRow>();
  const offs = blocks.map(([, attn]) =>
    attn.attnLif.addListener((_s, _steps, T, detail) => {
      const layer = attn.attnLif.name;
      if (rows.has(layer) || !detail?.rowOf) return;
      const { d, n, rows: R } = detail;
      const rowOf = detail.rowOf();
      const cells: number[] = []; // the decision row's cells: H blocks of `keys` cells, head by head
      for (let c = 0; c < n; c++) if (rowOf[c] === R - 1) cells.push(c);
      const H = attn.opts.nHeads;
      const keys = cells.length / H;
      if (!Number.isInteger(keys)) throw new Error(`watchAttention: '${layer}' has ${cells.length} cells in its last row, not a multiple of ${H} heads`);
      const spikes: number[][][] = [];
      for (let h = 0; h < H; h++) {
        const perStep: number[][] = [];
        for (let t = 0; t < T; t++) perStep.push(cells.slice(h * keys, (h + 1) * keys).map((c) => (d[t * n + c]! >= 0 ? 1 : 0)));
        spikes.push(perStep);
      }
      const weights = spikes.map((head) => head.map(weightsOf));
      const mean = weights.map((head) => Array.from({ length: keys }, (_, m) => head.reduce((a, w) => a + w[m]!, 0) / T));
      const silent = spikes.every((head) => head.every((s) => s.every((v) => v === 0)));
      rows.set(layer, { layer, heads: H, keys, spikes, weights, mean, silent });
    }),
  );
  return () => {
    for (const off of offs) off();
    return blocks.map(([, a]) => rows.get(a.attnLif.name)).filter((r): r is AttentionRow => r !== undefined);
  };
}
