/**
 * Spiking MLP with direct encoding: Linear(d, r·d) once on the real input -> LIF over T (same input each step)
 * -> Linear(r·d, d) on the spikes of every step -> LIF -> mean over T.
 */
import { LIF, type LIFOptions } from "../../snn/index.js";
import { Linear, Module, type Rng, type Tensor } from "../../tensor/index.js";

export interface SpikingMlpOptions {
  dModel: number;
  mlpRatio: number;
  T: number;
  neuron: LIFOptions;
}

export class SpikingMlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly lif1: LIF;
  readonly lif2: LIF;

  constructor(rng: Rng, readonly opts: SpikingMlpOptions) {
    super();
    const d = opts.dModel;
    this.fc1 = this.addModule("fc1", new Linear(rng, d, opts.mlpRatio * d));
    this.fc2 = this.addModule("fc2", new Linear(rng, opts.mlpRatio * d, d));
    this.lif1 = this.addModule("lif1", new LIF(opts.neuron));
    this.lif2 = this.addModule("lif2", new LIF(opts.neuron));
  }

  /** x [B, K, d] -> [B, K, d] */
  apply(x: Tensor): Tensor {
    const u = this.fc1.apply(x); // [B, K, r·d], computed once for all T
    const s = this.lif1.forwardRepeated(u, this.opts.T); // [T, B, K, r·d]
    const z = this.fc2.applySpikes(s); // [T, B, K, d], event-driven on the native engine when s is sparse
    return this.lif2.forward(z, { mean: true }); // [B, K, d]
  }
}
