/**
 * The single import of tfjs in strl. Everything else reaches tfjs through `src/tensor` (this `tf` namespace,
 * the backend setup and the fast ops), so a faster engine can replace it in one place.
 * The `tf` namespace is tfjs-core's (ops, gradients, optimizers): strl never uses tfjs-layers or the converter,
 * so its published typings name only tfjs-core types and type-check in a strict consumer project (tfjs-layers'
 * own typings do not). The @tensorflow/tfjs bundle is still loaded for what it registers into that same core:
 * every op's gradient, the chained ops and the cpu / webgl backends.
 */
import * as tfjsBundle from "@tensorflow/tfjs";
import * as tf from "@tensorflow/tfjs-core";
export { tf };

/** The tfjs version loaded (a value read from the bundle, so the import stays in the JS and out of the typings). */
export const TFJS_VERSION: string = tfjsBundle.version.tfjs;
export type Tensor = tf.Tensor;
export type Variable = tf.Variable;
