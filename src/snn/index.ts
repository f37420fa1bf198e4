/** The spiking core: LIF neurons, surrogate gradients, encoders, the firing-rate monitor. */
export { LIF, namedNeurons, lifConfig, checkT, type LIFOptions, type LIFConfig, type SpikeListener, type SpikeDetail, rowsOf } from "./lif.js";
export { lifForward, lifBackward, type LifParams, type LifSaved } from "./lif-kernel.js";
export { makeSurrogate, heaviside, SURROGATE_NAMES, type Surrogate, type SurrogateName, type SurrogateSpec } from "./surrogate.js";
export { directEncode, meanOverT, poissonEncode } from "./encoding.js";
export { FiringRateMonitor, type LayerRate } from "./monitor.js";
export { lifCall, runLif, type LifRunCall } from "./lif-infer.js";
