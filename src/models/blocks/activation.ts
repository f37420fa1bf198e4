/** Real activations of the ANN models: relu, and GELU in GPT-2's tanh form. */
import { add, mul, pow, relu, tanh, tidy, type Tensor } from "../../tensor/index.js";

export type ActivationName = "relu" | "gelu";

const GELU_C = Math.sqrt(2 / Math.PI);

/** x [...] -> [...] */
export function activate(x: Tensor, name: ActivationName): Tensor {
  if (name === "relu") return relu(x);
  return tidy(() => {
    const inner = mul(add(x, mul(pow(x, 3), 0.044715)), GELU_C); // [...]
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  });
}
