/** Real activations of the ANN models: relu, and GELU in GPT-2's tanh form (composed in src/tensor's `gelu`). */
import { activation, type Tensor } from "../../tensor/index.js";

export type ActivationName = "relu" | "gelu";

/** x [...] -> [...] */
export function activate(x: Tensor, name: ActivationName): Tensor {
  return activation(x, name);
}
