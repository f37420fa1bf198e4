/**
 * A plain fully-connected network on Float32Arrays, with hand-written backward passes, for small networks trained
 * outside the autodiff tape (the online RL trainer's actor and critics, the shipped expert policies).
 *
 * Layer l maps [B, in_l] -> [B, out_l]: y = x Wᵀ + b with W [out_l, in_l] and b [out_l] (PyTorch's nn.Linear layout,
 * so the weights save under PyTorch names), ReLU between layers, identity after the last. Matrix products run on the
 * native engine's sgemm when the addon is built, else in a JS loop (same results up to float rounding).
 * Init as PyTorch's nn.Linear: W and b uniform in ±1/sqrt(in_l).
 */
import { loadAddon } from "./native/addon.js";
import { nativeEngineOf, type NativeEngine } from "./native/engine.js";
import type { Rng } from "./rng.js";

let engineCache: NativeEngine | null | undefined;
/** The native engine's calls whenever the addon is built (whichever engine runs the tensors). */
function nativeCalls(): NativeEngine | null {
  if (engineCache === undefined) {
    const a = loadAddon().addon;
    engineCache = a ? nativeEngineOf(a) : null;
  }
  return engineCache;
}

/** C [M, N] = op(A) · op(B); A [M, K] (or [K, M] when transA), B [K, N] (or [N, K] when transB). */
function sgemm(M: number, N: number, K: number, transA: boolean, transB: boolean, A: Float32Array, B: Float32Array, C: Float32Array): void {
  const native = nativeCalls();
  if (native) {
    native.gemm({ batch: 1, M, N, K, transA, transB, A, strideA: 0, B, strideB: 0, C });
    return;
  }
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (transA ? A[k * M + i]! : A[i * K + k]!) * (transB ? B[j * K + k]! : B[k * N + j]!);
      C[i * N + j] = s;
    }
  }
}

/** Activations kept by a forward pass for its backward pass, and scratch for the gradients, for one batch size. */
export class MlpWorkspace {
  /** acts[0] is the input [B, sizes[0]]; acts[l] the output of layer l ([B, sizes[l]], after ReLU when hidden). */
  readonly acts: Float32Array[];
  /** grads[l]: the loss gradient with respect to acts[l] ([B, sizes[l]]); grads[0] is filled only when asked. */
  readonly grads: Float32Array[];

  constructor(readonly sizes: readonly number[], readonly batch: number) {
    this.acts = sizes.map((n) => new Float32Array(batch * n));
    this.grads = sizes.map((n) => new Float32Array(batch * n));
  }

  /** The network's output [B, out] of the last forward pass. */
  get output(): Float32Array {
    return this.acts[this.acts.length - 1]!;
  }
}

export class DenseMlp {
  /** weights[l] [sizes[l+1], sizes[l]] */
  readonly weights: Float32Array[];
  /** biases[l] [sizes[l+1]] */
  readonly biases: Float32Array[];
  /** Gradients of the same shapes, overwritten by `backward` with `params`. */
  readonly gradWeights: Float32Array[];
  readonly gradBiases: Float32Array[];

  constructor(readonly sizes: readonly number[], rng?: Rng) {
    if (sizes.length < 2 || sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new RangeError(`DenseMlp: sizes must be >= 2 positive integers, got [${sizes.join(", ")}]`);
    this.weights = [];
    this.biases = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const fanIn = sizes[l]!;
      const w = new Float32Array(sizes[l + 1]! * fanIn);
      const b = new Float32Array(sizes[l + 1]!);
      if (rng) {
        const bound = 1 / Math.sqrt(fanIn);
        for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-bound, bound);
        for (let i = 0; i < b.length; i++) b[i] = rng.uniform(-bound, bound);
      }
      this.weights.push(w);
      this.biases.push(b);
    }
    this.gradWeights = this.weights.map((w) => new Float32Array(w.length));
    this.gradBiases = this.biases.map((b) => new Float32Array(b.length));
  }

  get layers(): number {
    return this.weights.length;
  }

  /** Every parameter array, weights and biases interleaved per layer (the order `params()` and grads agree on). */
  params(): Float32Array[] {
    return this.weights.flatMap((w, l) => [w, this.biases[l]!]);
  }

  paramGrads(): Float32Array[] {
    return this.gradWeights.flatMap((w, l) => [w, this.gradBiases[l]!]);
  }

  /** PyTorch-style names of `params()`: `${prefix}.${2l}.weight`, `${prefix}.${2l}.bias` (nn.Sequential indices). */
  paramNames(prefix: string): string[] {
    return this.weights.flatMap((_, l) => [`${prefix}.${2 * l}.weight`, `${prefix}.${2 * l}.bias`]);
  }

  /** Copies every parameter from `other` (same sizes). */
  copyFrom(other: DenseMlp): void {
    other.params().forEach((p, i) => this.params()[i]!.set(p));
  }

  /** Polyak averaging: this = (1 - tau) this + tau other. */
  softUpdate(other: DenseMlp, tau: number): void {
    const mine = this.params();
    other.params().forEach((p, i) => {
      const q = mine[i]!;
      for (let k = 0; k < q.length; k++) q[k] = q[k]! + tau * (p[k]! - q[k]!);
    });
  }

  /** Forward pass of ws.acts[0] (the input, [B, in], written by the caller) into ws.acts; returns the output [B, out]. */
  forward(ws: MlpWorkspace): Float32Array {
    const B = ws.batch;
    const native = nativeCalls();
    for (let l = 0; l < this.layers; l++) {
      const n = this.sizes[l + 1]!;
      const y = ws.acts[l + 1]!; // [B, n]
      const hidden = l + 1 < this.layers;
      if (native) {
        native.denseForward({ x: ws.acts[l]!, W: this.weights[l]!, b: this.biases[l]!, y, B, nIn: this.sizes[l]!, nOut: n, relu: hidden });
        continue;
      }
      sgemm(B, n, this.sizes[l]!, false, true, ws.acts[l]!, this.weights[l]!, y);
      const b = this.biases[l]!;
      for (let r = 0, o = 0; r < B; r++, o += n) {
        for (let j = 0; j < n; j++) {
          const v = y[o + j]! + b[j]!;
          y[o + j] = hidden && v < 0 ? 0 : v;
        }
      }
    }
    return ws.output;
  }

  /**
   * Backward pass from ws.grads[last] (dLoss/dOutput [B, out], written by the caller) through the activations of
   * the last `forward(ws)`. `params`: overwrite gradWeights/gradBiases. `input`: fill ws.grads[0] [B, in].
   */
  backward(ws: MlpWorkspace, o: { params: boolean; input: boolean }): void {
    const B = ws.batch;
    const native = nativeCalls();
    for (let l = this.layers - 1; l >= 0; l--) {
      const nOut = this.sizes[l + 1]!;
      const nIn = this.sizes[l]!;
      const dy = ws.grads[l + 1]!; // [B, nOut], already through this layer's ReLU
      const input = l > 0 || o.input;
      if (native) {
        native.denseBackward({
          dy, x: ws.acts[l]!, W: this.weights[l]!, gW: this.gradWeights[l]!, gb: this.gradBiases[l]!, dx: ws.grads[l]!,
          B, nIn, nOut, params: o.params, input, reluInput: l > 0,
        });
        continue;
      }
      if (o.params) {
        sgemm(nOut, nIn, B, true, false, dy, ws.acts[l]!, this.gradWeights[l]!); // dyᵀ x
        const db = this.gradBiases[l]!;
        db.fill(0);
        for (let r = 0; r < B; r++) for (let j = 0; j < nOut; j++) db[j] = db[j]! + dy[r * nOut + j]!;
      }
      if (!input) continue;
      const dx = ws.grads[l]!; // [B, nIn]
      sgemm(B, nIn, nOut, false, false, dy, this.weights[l]!, dx);
      if (l > 0) {
        const a = ws.acts[l]!; // ReLU output: its gradient passes where the output is > 0
        for (let i = 0; i < dx.length; i++) if (!(a[i]! > 0)) dx[i] = 0;
      }
    }
  }
}

/** Adam (Kingma & Ba; PyTorch's defaults betas 0.9/0.999, eps 1e-8, no weight decay) over a list of arrays. */
export class Adam {
  readonly m: Float32Array[];
  readonly v: Float32Array[];
  step = 0;

  constructor(readonly params: Float32Array[], readonly lr: number, readonly beta1 = 0.9, readonly beta2 = 0.999, readonly eps = 1e-8) {
    this.m = params.map((p) => new Float32Array(p.length));
    this.v = params.map((p) => new Float32Array(p.length));
  }

  /** One update with `grads` (same shapes as params). */
  update(grads: Float32Array[]): void {
    this.step++;
    const { beta1, beta2, eps } = this;
    const bc1 = 1 - beta1 ** this.step;
    const bc2 = 1 - beta2 ** this.step;
    const stepSize = this.lr / bc1;
    const sqrtBc2 = Math.sqrt(bc2);
    const native = nativeCalls();
    this.params.forEach((p, i) => {
      if (native) {
        // in place: the kernel reads each element's p, g, m, v before writing it
        const m = this.m[i]!;
        const v = this.v[i]!;
        native.adamw({ p, g: grads[i]!, m, v, pOut: p, mOut: m, vOut: v, beta1, beta2, eps, decay: 1, stepSize, sqrtBc2 });
        return;
      }
      const g = grads[i]!;
      const m = this.m[i]!;
      const v = this.v[i]!;
      for (let k = 0; k < p.length; k++) {
        const gk = g[k]!;
        const mk = beta1 * m[k]! + (1 - beta1) * gk;
        const vk = beta2 * v[k]! + (1 - beta2) * gk * gk;
        m[k] = mk;
        v[k] = vk;
        p[k] = p[k]! - (stepSize * mk) / (Math.sqrt(vk) / sqrtBc2 + eps);
      }
    });
  }
}
