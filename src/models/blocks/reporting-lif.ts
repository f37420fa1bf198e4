/**
 * A LIF whose neurons may also run inside a fused kernel (which calls the spiking core's `lifForward` /
 * `lifBackward` directly on Float32Arrays). The kernel reports the spikes it produced, so the firing-rate monitor
 * sees exactly what it would see from `forward`.
 */
import { LIF, type LIFOptions, type LifParams, type SpikeDetail, type SpikeListener } from "../../snn/index.js";

export class ReportingLIF extends LIF {
  /** The kernel parameters of this neuron (its config plus the surrogate's derivative). */
  readonly kernelParams: LifParams;
  private readonly fusedListeners = new Set<SpikeListener>();

  constructor(opts: LIFOptions, name: string) {
    super(opts, name);
    this.kernelParams = { ...this.config, surrogateGrad: this.surrogate.grad };
  }

  override addListener(fn: SpikeListener): () => void {
    const off = super.addListener(fn);
    this.fusedListeners.add(fn);
    return () => {
      this.fusedListeners.delete(fn);
      off();
    };
  }

  /**
   * Called by a fused kernel after it ran this neuron: `spikes` fired over `neuronSteps` (T x neurons), and
   * where they sit (`detail`, so monitors can count real tokens and rasters can show these neurons too).
   */
  report(spikes: number, neuronSteps: number, T: number, detail?: SpikeDetail): void {
    for (const fn of this.fusedListeners) fn(spikes, neuronSteps, T, detail);
  }
}
