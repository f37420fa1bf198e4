/**
 * The names of the ANN models' real activations: relu, and GELU in GPT-2's tanh form. The tensors' activation is
 * src/tensor's `activation` (alone) or `Linear.applyAct` (fused with its Linear on the native engine).
 */
export type ActivationName = "relu" | "gelu";
