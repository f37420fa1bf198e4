/**
 * The memory traffic of one decision (src/energy/memory.ts; rules in docs/energy.md, "Memory traffic"), in 32-bit
 * words, for the path and the operations the op records charge:
 * - a matrix product reads one operand word per MAC or SOP it executes (its weight, or the real operand of an
 *   attention product; an accumulate on a spike reads its weight too), reads its input once per execution (real
 *   values one word each, spikes 1/32 word) and writes its output once per execution (per time step for a
 *   spike-input product);
 * - an embedding lookup (or the positional table) reads one row of its table per token and writes it;
 * - an element-wise op (LayerNorm, softmax, sums, residuals, the mean over T) reads its operands and writes its
 *   result; a LayerNorm also reads its gain and bias per element;
 * - a LIF neuron, at every time step, reads its input current and its membrane, writes the membrane and its spike
 *   (1/32 word); an ANN activation is applied as its producer writes and moves nothing more.
 * How many MACs / SOPs a product executed comes from the model's op records (`executedOps`), so the weight reads
 * follow the same path, firing rates and q·k convention as the compute energy.
 */
import { spikeWords, type MemoryRecord, type OpRecord } from "../../energy/index.js";
import { attentionPairs, stepTransformerOps, type OpOptions, type StepOpsConfig } from "./op-counts.js";

/** MACs (x repeats) or SOPs (T x rate x MACs) each record executed, by layer name. */
export function executedOps(records: readonly OpRecord[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of records) {
    if (r.input === "add") continue;
    const n = r.input === "real" ? r.macs * (r.repeats ?? 1) : r.T * r.rate * r.macs;
    out.set(r.layer, (out.get(r.layer) ?? 0) + n);
  }
  return out;
}

/** Collects memory records with the rules above. */
export class Traffic {
  readonly records: MemoryRecord[] = [];

  constructor(private readonly ops: Map<string, number>) {}

  /** A matrix product named as in the op records: its executed ops read a word each; `inWords` read, `outWords` written. */
  product(layer: string, inWords: number, outWords: number): void {
    const ops = this.ops.get(layer);
    if (ops === undefined) throw new RangeError(`memory counts: no op record '${layer}'`);
    this.records.push({ layer, what: "weights", reads: ops, writes: 0 }, { layer, what: "activations", reads: inWords, writes: outWords });
  }

  /** A table lookup: `words` table words read, as many written. */
  lookup(layer: string, words: number): void {
    this.records.push({ layer, what: "weights", reads: words, writes: 0 }, { layer, what: "activations", reads: 0, writes: words });
  }

  /** An element-wise op: `reads` operand words, `writes` result words, `params` parameter words read. */
  elementwise(layer: string, reads: number, writes: number, params = 0): void {
    if (params > 0) this.records.push({ layer, what: "weights", reads: params, writes: 0 });
    if (reads > 0 || writes > 0) this.records.push({ layer, what: "activations", reads, writes });
  }

  /** A LayerNorm over `rows` rows of `d` features: the rows read and written, gain and bias read per element. */
  layerNorm(layer: string, rows: number, d: number): void {
    this.elementwise(layer, rows * d, rows * d, 2 * rows * d);
  }

  /** `neurons` LIF neurons over T steps: per neuron-step the input and the membrane read, the membrane and the spike written. */
  neurons(layer: string, neurons: number, T: number): void {
    const steps = neurons * T;
    this.records.push({ layer, what: "membrane", reads: steps, writes: steps }, { layer, what: "activations", reads: steps, writes: spikeWords(steps) });
  }
}

/**
 * Memory traffic of one decision of STRL (with `spikes`) or ANN-STRL (without) over `L` real steps, batch 1, on
 * the path `o.path` (the same cut as `stepTransformerOps`).
 */
export function stepTransformerMemory(c: StepOpsConfig, L: number, spikes?: { T: number; rates: Record<string, number> }, o: OpOptions = {}): MemoryRecord[] {
  const d = c.dModel;
  const T = spikes?.T ?? 1;
  const m = new Traffic(executedOps(stepTransformerOps(c, L, spikes, { ...o, extras: false })));
  const cells = attentionPairs(L, c.causal) * c.nHeads; // score cells of one step
  const spikeDriven = c.attention === "spike-driven";
  const out = c.head.kind === "discrete" ? c.head.n : c.head.dim;
  m.product("embed.rtg", L, L * d);
  m.product("embed.state", L * c.obsDim, L * d);
  if (c.head.kind === "continuous") m.product("embed.prev_action", L * c.head.dim, L * d);
  else m.lookup("embed.prev_action", L * d);
  m.lookup("embed.timestep", L * d);
  m.elementwise("embed.pos", 0, 0, L * d); // read by the sum
  m.elementwise("embed.sum", 4 * L * d, L * d); // r, s, a, t read (p above), the token written
  m.layerNorm("embed.ln", L, d);
  for (let i = 0; i < c.nBlocks; i++) {
    const p = `blocks.${i}`;
    const rows = o.path === "last" && i === c.nBlocks - 1 ? 1 : L; // rows after the attention (residual, MLP)
    m.layerNorm(`${p}.ln1`, L, d);
    m.product(`${p}.attn.qkv`, L * d, 3 * L * d);
    if (spikes) {
      m.neurons(`${p}.attn.qkv_lif`, 3 * L * d, T);
      m.product(`${p}.attn.scores`, spikeWords(T * L * d), T * cells); // q spikes in, score sums out
      if (!spikeDriven) {
        m.neurons(`${p}.attn.score_lif`, cells, T);
        m.elementwise(`${p}.attn.softmax`, spikeWords(T * cells), T * cells);
      }
      m.product(`${p}.attn.av`, spikeWords(T * L * d), T * L * d); // v spikes in
      if (spikeDriven) m.neurons(`${p}.attn.out_lif`, L * d, T);
      m.elementwise(`${p}.attn.mean_t`, spikeDriven ? spikeWords(T * L * d) : T * L * d, L * d);
    } else {
      m.product(`${p}.attn.scores`, L * d, cells); // q in, scores out
      if (!spikeDriven) m.elementwise(`${p}.attn.softmax`, cells, cells);
      m.product(`${p}.attn.av`, cells, L * d); // attention weights in
    }
    m.elementwise(`${p}.residual1`, 2 * rows * d, rows * d);
    m.layerNorm(`${p}.ln2`, rows, d);
    m.product(`${p}.mlp.fc1`, rows * d, rows * c.mlpRatio * d);
    if (spikes) {
      m.neurons(`${p}.mlp.lif1`, rows * c.mlpRatio * d, T);
      m.product(`${p}.mlp.fc2`, spikeWords(T * rows * c.mlpRatio * d), T * rows * d);
      m.neurons(`${p}.mlp.lif2`, rows * d, T);
      m.elementwise(`${p}.mlp.mean_t`, spikeWords(T * rows * d), rows * d);
    } else {
      m.product(`${p}.mlp.fc2`, rows * c.mlpRatio * d, rows * d);
    }
    m.elementwise(`${p}.residual2`, 2 * rows * d, rows * d);
  }
  const headRows = o.path === "last" ? 1 : L;
  m.product("head", headRows * d, headRows * out);
  return m.records;
}
