/**
 * One STRL block (`PreNormBlock` of `SpikingSelfAttention` and `SpikingMlp`) on the inference path: the same
 * native calls as the tfjs path's fused attention and LIFs (native/src/lif_kernels.cc, ssa_forward_kernels.cc)
 * on buffers allocated once, so the spikes are the same. Every LIF reports to its listeners as on the tfjs path
 * (same counts, same layout), so the firing-rate monitor and the energy count see each layer.
 */
import { lifCall, runLif, type LifRunCall } from "../../snn/index.js";
import type { NativeEngine, SsaDrivenForwardCall, SsaScoresCall, SsaStrlForwardCall } from "../../tensor/index.js";
import { keyLists, scoreDetail, type KeyLists } from "../blocks/key-lists.js";
import type { SpikingSelfAttention } from "../blocks/spiking-attention.js";
import type { SpikingMlp } from "../blocks/spiking-mlp.js";
import type { PreNormBlock } from "../step-transformer.js";
import { LayerNormStep, LinearStep, type WeightCopies } from "./plan.js";
import { SpikeLinearStep } from "./spike-linear-step.js";

/** The allowed score cells of one mask and their buffers [T, nCells] (shared by every block: they run in turn). */
export interface CellSet {
  allowed: KeyLists;
  /** scaled scores, score spikes, and the score LIF's H - v_th, each [T, nCells] */
  sc: Float32Array;
  ss: Float32Array;
  sd: Float32Array;
}

/** The cell sets of a batch-1 window of K steps, one per count of real steps (left-padded windows), built once each. */
export class ScoreCellCache {
  private readonly byReal = new Map<number, CellSet>();

  constructor(readonly K: number, readonly H: number, readonly T: number, readonly causal: boolean) {}

  /** `real`: the window's real steps when it is left-padded (cached), -1 for any other mask (built afresh). */
  get(km: Uint8Array, real: number): CellSet {
    const hit = real >= 0 ? this.byReal.get(real) : undefined;
    if (hit) return hit;
    const allowed = keyLists(1, this.K, this.H, this.causal, km);
    const n = this.T * allowed.nCells;
    const set = { allowed, sc: new Float32Array(n), ss: new Float32Array(n), sd: new Float32Array(n) };
    if (real >= 0) this.byReal.set(real, set);
    return set;
  }
}

export class SpikingBlockStep {
  /** The block's output: [K, d], or [1, d] (the last position) for the last block. */
  readonly out: Float32Array;
  private readonly ln1: LayerNormStep;
  private readonly qkv: LinearStep;
  private readonly parts: Float32Array[]; // q, k, v pre-activations [K, d] each
  private readonly lifs: LifRunCall[]; // q, k, v LIFs: [K, d] -> spikes [T, K, d]
  private readonly scores: SsaScoresCall;
  private readonly strl: SsaStrlForwardCall | undefined;
  private readonly driven: SsaDrivenForwardCall | undefined;
  private readonly attnLif: LifRunCall; // score LIF ([T, nCells], set per mask) or output LIF ([T, K, d] -> mean [K, d])
  private readonly att: Float32Array; // [K, d] attention output (mean over T)
  private readonly h: Float32Array; // [R, d] first residual
  private readonly ln2: LayerNormStep;
  private readonly fc1: LinearStep;
  private readonly lif1: LifRunCall;
  private readonly fc2: SpikeLinearStep; // input: lif1's spikes [T, R, rd]
  private readonly lif2: LifRunCall;
  private readonly rows: number; // R: K, or 1 for the last block

  constructor(w: WeightCopies, readonly block: PreNormBlock<SpikingSelfAttention, SpikingMlp>, readonly K: number, last: boolean, readonly x: Float32Array) {
    const a = block.attn;
    const { T, nHeads: H, scale, causal, attention, dModel: d } = a.opts;
    const rd = block.mlp.opts.mlpRatio * d;
    const R = (this.rows = last ? 1 : K);
    this.ln1 = new LayerNormStep(w, block.ln1, K, x);
    this.qkv = new LinearStep(w, a.qkv, K, this.ln1.y);
    this.parts = [0, 1, 2].map(() => new Float32Array(K * d));
    const neurons = [a.qLif, a.kLif, a.vLif];
    this.lifs = this.parts.map((p, i) => lifCall(neurons[i]!, T, K * d, { repeated: true, mean: false }, p, new Float32Array(T * K * d)));
    const empty = new Float32Array(0);
    const km = new Uint8Array(K);
    const geo = { T, B: 1, K, H, d, allowed: keyLists(1, K, H, causal, km) }; // `allowed` is set per mask
    this.scores = { ...geo, qs: this.lifs[0]!.y, ks: this.lifs[1]!.y, scale, sc: empty };
    this.att = new Float32Array(K * d);
    if (attention === "strl") {
      this.strl = { ...geo, ss: empty, vs: this.lifs[2]!.y, keyMask: km, causal, out: this.att, a: new Float32Array(T * H * K) };
      this.attnLif = lifCall(a.attnLif, T, 0, { repeated: false, mean: false }, empty, empty);
    } else {
      const y = new Float32Array(T * K * d); // [T, K, d] scores · v
      this.driven = { ...geo, sc: empty, vs: this.lifs[2]!.y, y };
      this.attnLif = lifCall(a.attnLif, T, K * d, { repeated: false, mean: true }, y, this.att);
    }
    this.h = new Float32Array(R * d);
    this.ln2 = new LayerNormStep(w, block.ln2, R, this.h);
    this.fc1 = new LinearStep(w, block.mlp.fc1, R, this.ln2.y);
    this.lif1 = lifCall(block.mlp.lif1, T, R * rd, { repeated: true, mean: false }, this.fc1.y, new Float32Array(T * R * rd));
    this.fc2 = new SpikeLinearStep(w, block.mlp.fc2, T * R, this.lif1.y);
    this.out = new Float32Array(R * d);
    this.lif2 = lifCall(block.mlp.lif2, T, R * d, { repeated: false, mean: true }, this.fc2.y, this.out);
  }

  /** x [K, d] -> out ([K, d], or the last row [1, d]); `km` [K] the key mask, `cells` its score cells. */
  run(e: NativeEngine, km: Uint8Array, cells: CellSet): Float32Array {
    const { K, x, rows: R } = this;
    const a = this.block.attn;
    const { T, nHeads: H, scale, dModel: d } = a.opts;
    this.ln1.run(e);
    const qkv = this.qkv.run(e); // [K, 3d]
    const [q, k, v] = this.parts as [Float32Array, Float32Array, Float32Array];
    for (let r = 0; r < K; r++) {
      const src = r * 3 * d;
      for (let c = 0; c < d; c++) {
        q[r * d + c] = qkv[src + c]!;
        k[r * d + c] = qkv[src + d + c]!;
        v[r * d + c] = qkv[src + 2 * d + c]!;
      }
    }
    const neurons = [a.qLif, a.kLif, a.vLif];
    for (let p = 0; p < 3; p++) runLif(e, neurons[p]!, this.lifs[p]!, K);
    const sc = this.scores;
    sc.allowed = cells.allowed;
    sc.sc = cells.sc;
    e.ssaScores(sc);
    const lif = this.attnLif;
    if (this.strl) {
      lif.x = cells.sc;
      lif.y = cells.ss;
      lif.d = cells.sd;
      lif.n = cells.allowed.nCells;
      runLif(e, a.attnLif, lif, K, () => scoreDetail(cells.sd, cells.sc, cells.allowed, { B: 1, K, H, scale, dh: d / H }));
      const s = this.strl;
      s.allowed = cells.allowed;
      s.ss = cells.ss;
      s.keyMask = km;
      e.ssaStrlForward(s);
    } else {
      const s = this.driven!;
      s.allowed = cells.allowed;
      s.sc = cells.sc;
      e.ssaDrivenForward(s);
      runLif(e, a.attnLif, lif, K);
    }
    const off = (K - R) * d; // the rows that go on: all, or the last
    const h = this.h;
    for (let i = 0; i < R * d; i++) h[i] = x[off + i]! + this.att[off + i]!;
    this.ln2.run(e);
    this.fc1.run(e);
    const fired = runLif(e, this.block.mlp.lif1, this.lif1, R);
    this.fc2.run(e, fired);
    runLif(e, this.block.mlp.lif2, this.lif2, R);
    const out = this.out;
    for (let i = 0; i < R * d; i++) out[i] = h[i]! + out[i]!;
    return out;
  }
}
