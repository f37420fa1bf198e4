/**
 * The fused softmax attention (issue 19 item 3) against the composed tfjs ops, one attention call forward +
 * backward (the gradient of Σ w ⊙ out with respect to qkv) at the attention shapes of the paper DT (B 32, H 8,
 * L 3·100, dh 32, causal, dropout 0.1) and the paper ANN-STRL (B 32, H 8, L 100, dh 32, relu on the scores, no
 * dropout). The two paths alternate sample by sample, so machine load hurts both alike; medians of wall time and
 * of this process's CPU time per call. The load average before and after is kept with each result. Skipped when
 * the native engine is not loaded. Prints a table to stderr.
 */
import { loadavg } from "node:os";
import { Rng, grads, mul, nativeEngine, ready, sum, tensor, tidy, type Tensor } from "../src/tensor/index.js";
import { setAttentionPath, type AttentionPath } from "../src/models/blocks/fused-attention.js";
import { attentionMask, softmaxAttention } from "../src/models/blocks/real-attention.js";
import { median, type Bench, type BenchResult } from "./types.js";

interface Shape {
  name: string;
  B: number;
  H: number;
  L: number;
  dh: number;
  act?: "relu";
  p: number;
  samples: number;
}

const SHAPES: Shape[] = [
  { name: "paper DT attention", B: 32, H: 8, L: 300, dh: 32, p: 0.1, samples: 7 },
  { name: "paper ANN-STRL attention", B: 32, H: 8, L: 100, dh: 32, act: "relu", p: 0, samples: 9 },
];

function step(s: Shape, path: AttentionPath, x: Tensor, w: Tensor, keyMask: Uint8Array, rng: Rng): { wall: number; cpu: number } {
  setAttentionPath(path);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  tidy(() => {
    const mask = attentionMask(keyMask, s.B, s.L, true);
    const f = (q: Tensor) => softmaxAttention(q, { nHeads: s.H, scale: 1 / Math.sqrt(s.dh), scoreAct: s.act, mask, dropout: { p: s.p, rng, training: true } });
    const [g] = grads((q: Tensor) => sum(mul(f(q), w)))([x]);
    g!.dataSync();
  });
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

export const bench: Bench = {
  name: "attention",
  async run({ quick }) {
    await ready();
    if (!nativeEngine()) return [];
    const out: BenchResult[] = [];
    for (const s of SHAPES) {
      const rng = new Rng(1);
      const d = s.H * s.dh;
      const x = tensor(rng.fillNormal(new Float32Array(s.B * s.L * 3 * d)), [s.B, s.L, 3 * d]); // [B, L, 3d]
      const w = tensor(rng.fillNormal(new Float32Array(s.B * s.L * d)), [s.B, s.L, d]); // [B, L, d]
      const keyMask = new Uint8Array(s.B * s.L).fill(1); // [B, L]
      const samples = quick ? 2 : s.samples;
      const t: Record<AttentionPath, { wall: number[]; cpu: number[] }> = { fused: { wall: [], cpu: [] }, composed: { wall: [], cpu: [] } };
      const load0 = loadavg()[0]!;
      for (let i = 0; i <= samples; i++) {
        for (const path of ["composed", "fused"] as const) {
          const r = step(s, path, x, w, keyMask, rng);
          if (i > 0) (t[path].wall.push(r.wall), t[path].cpu.push(r.cpu)); // sample 0 warms up
        }
      }
      const load1 = loadavg()[0]!;
      for (const path of ["composed", "fused"] as const) {
        out.push({
          case: `${s.name} fwd+bwd, ${path} (B ${s.B}, H ${s.H}, L ${s.L}, dh ${s.dh})`,
          value: median(t[path].wall),
          unit: "ms",
          extra: { cpu_ms_median: median(t[path].cpu), wall_ms: t[path].wall, samples, load_before: load0, load_after: load1 },
        });
      }
      process.stderr.write(
        `${s.name}: composed ${median(t.composed.wall).toFixed(0)} ms (cpu ${median(t.composed.cpu).toFixed(0)}), fused ${median(t.fused.wall).toFixed(0)} ms (cpu ${median(t.fused.cpu).toFixed(0)}); load ${load0.toFixed(1)} -> ${load1.toFixed(1)}\n`,
      );
      x.dispose();
      w.dispose();
    }
    setAttentionPath("fused");
    return out;
  },
};
