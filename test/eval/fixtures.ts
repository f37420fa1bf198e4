/** Shared fixtures for the evaluation tests: a 5x5 maze whose expert return is known by hand, and fake models. */
import { Module, mul, scalar, tensor, type Tensor } from "../../src/tensor/index.js";
import type { OpRecord } from "../../src/energy/index.js";
import type { ActionHead, ModelBatch, ModelKind, ModelOutput, PolicyModel } from "../../src/models/types.js";
import type { LIF } from "../../src/snn/index.js";
import { actWith, type ActOptions, type History } from "../../src/models/policy.js";

/**
 * Entrance (0, 1), exit (4, 3). The only path: right, right, down, down, right, right (6 steps), so the expert's
 * return is 5 x (-0.1) + 0.9 = 0.4. Moving right from (0, 1) is blocked at (2, 1): an always-right policy never
 * arrives.
 */
export const TINY_MAZE = ["#####", "...##", "##.##", "##...", "#####"];
export const TINY_MAZE_PATH = [1, 1, 3, 3, 1, 1];
/** Action per cell "x,y" of the path. */
export const TINY_MAZE_POLICY: Record<string, number> = { "0,1": 1, "1,1": 1, "2,1": 3, "2,2": 3, "2,3": 1, "3,3": 1 };

/**
 * A PolicyModel that plays TINY_MAZE: it de-normalises the state of the last token, looks the action up, and
 * returns one-hot logits at every position. Records every batch and history it is given. With `lif`, it also runs the LIF on
 * 2 x mask repeated over T = 4 (a real token fires at every step, padding never): over every position its rate is
 * (real tokens) / K, over the real tokens (what the energy counter measures) it is 1.
 */
export class MazeLookupModel extends Module implements PolicyModel {
  readonly kind: ModelKind;
  readonly config: { toJSON(): Record<string, unknown> };
  readonly head: ActionHead = { kind: "discrete", n: 4 };
  readonly batches: ModelBatch[] = [];
  readonly histories: History[] = [];

  constructor(
    readonly contextLength: number,
    readonly stateMean: number[],
    readonly stateStd: number[],
    readonly lif?: LIF,
    readonly rtgScale = 1,
    kind: ModelKind = "strl",
  ) {
    super();
    this.kind = kind;
    this.config = { toJSON: () => ({ rtgScale, maxTimestep: 5 }) };
    if (lif) this.addModule("lif", lif); // found by the monitor under "lif", as any model's neurons
  }

  /** Through the models' own history -> batch code (timestep table of 5 entries). */
  getAction(history: History, opts: ActOptions = {}): number | Float32Array {
    this.histories.push({ observations: [...history.observations], actions: [...history.actions], returnsToGo: Array.from(history.returnsToGo), timesteps: Array.from(history.timesteps) });
    const spec = { obsDim: 2, head: this.head, contextLength: this.contextLength, stateMean: this.stateMean, stateStd: this.stateStd, rtgScale: this.rtgScale, maxTimestep: 5 };
    return actWith(this, spec, history, opts);
  }

  forward(batch: ModelBatch): ModelOutput {
    this.batches.push({ ...batch, states: batch.states.slice(), rtg: batch.rtg.slice() });
    const { B, K } = batch;
    const logits = new Float32Array(B * K * 4); // [B, K, 4]
    for (let b = 0; b < B; b++) {
      const k = b * K + K - 1;
      const x = Math.round(batch.states[2 * k]! * this.stateStd[0]! + this.stateMean[0]!);
      const y = Math.round(batch.states[2 * k + 1]! * this.stateStd[1]! + this.stateMean[1]!);
      const a = TINY_MAZE_POLICY[`${x},${y}`] ?? 0;
      for (let j = 0; j < K; j++) logits[(b * K + j) * 4 + a] = 1;
    }
    if (this.lif) {
      const drive = mul(tensor(batch.mask, [B, K, 1]), 2); // [B, K, 1]: one neuron per token
      this.lif.forwardRepeated(drive, 4, { mean: true }); // [B, K, 1]
    }
    return { preds: tensor(logits, [B, K, 4]) };
  }

  loss(): Tensor {
    return scalar(0);
  }

  opRecords(tokens: number, rates: Record<string, number>): OpRecord[] {
    return [
      { layer: "embed", input: "real", macs: 10 * tokens },
      { layer: "attn", input: "spike", macs: 100 * tokens, T: 4, rate: rates.lif ?? 0 },
    ];
  }
}
