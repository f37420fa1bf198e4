/**
 * BC-MLP's inference path: the input row of the window's last position (its state and the `pastStates` before
 * it, zeros where there is none or it is padding), the hidden Linear + activation layers, the head.
 */
import type { NativeEngine } from "../../tensor/index.js";
import type { BcModel } from "../bc.js";
import type { ModelBatch } from "../types.js";
import { HeadStep, LinearStep, WeightCopies, type InferencePlan } from "./plan.js";

class BcPlan implements InferencePlan {
  private readonly w = new WeightCopies();
  private readonly input: Float32Array; // [1, (m + 1) · obsDim]
  private readonly layers: LinearStep[];
  private readonly head: HeadStep;

  constructor(readonly engine: NativeEngine, readonly model: BcModel, readonly K: number) {
    const w = this.w;
    this.input = new Float32Array(model.inputSize);
    let x = this.input;
    this.layers = model.layers.items.map((lin) => {
      const step = new LinearStep(w, lin, 1, x, undefined, model.config.activation);
      x = step.y;
      return step;
    });
    this.head = new HeadStep(w, model.actionHead, model.head, x);
  }

  stale(): boolean {
    return this.w.stale();
  }

  run(batch: ModelBatch): Float32Array {
    const { pastStates: m, obsDim: o } = this.model.config;
    const k = this.K - 1;
    const x = this.input;
    for (let back = 0; back <= m; back++) {
      const src = k - m + back;
      for (let c = 0; c < o; c++) x[back * o + c] = src >= 0 && batch.mask[src]! > 0 ? batch.states[src * o + c]! : 0;
    }
    for (const layer of this.layers) layer.run(this.engine); // activated
    return this.head.run(this.engine);
  }
}

/** The inference plan of a BC-MLP for batch-1 windows of its context length. */
export function bcPlan(engine: NativeEngine, model: BcModel): InferencePlan {
  return new BcPlan(engine, model, model.contextLength);
}
