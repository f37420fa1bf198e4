/**
 * The single import of tfjs in strl. Everything else reaches tfjs through `src/tensor` (this `tf` namespace,
 * the backend setup and the fast ops), so a faster engine can replace it in one place.
 */
import * as tf from "@tensorflow/tfjs";
export { tf };
export type Tensor = tf.Tensor;
export type Variable = tf.Variable;
