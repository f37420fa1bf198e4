/** Real activations of the ANN models: relu, and GELU in GPT-2's tanh form. */
import { tf, type Tensor } from "../../tensor/index.js";

export type ActivationName = "relu" | "gelu";

const GELU_C = Math.sqrt(2 / Math.PI);

/** x [...] -> [...] */
export function activate(x: Tensor, name: ActivationName): Tensor {
  if (name === "relu") return tf.relu(x);
  return tf.tidy(() => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), GELU_C); // [...]
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
  });
}
