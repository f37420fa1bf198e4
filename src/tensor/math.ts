/**
 * Element-wise arithmetic, activations, reductions and products: thin typed wrappers over tfjs, so the rest of
 * strl names operations, not an engine. Each is the tfjs op of the same name with the same arguments (same
 * numbers bit for bit); a `number` operand broadcasts as a scalar, tensor operands broadcast numpy-style.
 */
import { tf, type Tensor } from "./tf.js";

/** a + b (broadcasting). */
export const add = (a: Tensor | number, b: Tensor | number): Tensor => tf.add(a, b);

/** a - b (broadcasting). */
export const sub = (a: Tensor | number, b: Tensor | number): Tensor => tf.sub(a, b);

/** a · b element-wise (broadcasting). */
export const mul = (a: Tensor | number, b: Tensor | number): Tensor => tf.mul(a, b);

/** a / b element-wise (broadcasting). */
export const div = (a: Tensor | number, b: Tensor | number): Tensor => tf.div(a, b);

/** Sum of same-shaped tensors. tensors: k × [...s] -> [...s]. */
export const addN = (tensors: Tensor[]): Tensor => tf.addN(tensors);

/** -x. [...s] -> [...s] */
export const neg = (x: Tensor): Tensor => tf.neg(x);

/** x². [...s] -> [...s] */
export const square = (x: Tensor): Tensor => tf.square(x);

/** √x. [...s] -> [...s] */
export const sqrt = (x: Tensor): Tensor => tf.sqrt(x);

/** base^exp element-wise (broadcasting). */
export const pow = (base: Tensor, exp: Tensor | number): Tensor => tf.pow(base, exp);

/** tanh(x). [...s] -> [...s] */
export const tanh = (x: Tensor): Tensor => tf.tanh(x);

/** max(x, 0). [...s] -> [...s] */
export const relu = (x: Tensor): Tensor => tf.relu(x);

/** Softmax along `axis` (default the last). [...s] -> [...s] */
export const softmax = (x: Tensor, axis?: number): Tensor => tf.softmax(x, axis);

/** Log-softmax along `axis` (default the last). [...s] -> [...s] */
export const logSoftmax = (x: Tensor, axis?: number): Tensor => tf.logSoftmax(x, axis);

/** Sum over `axis` (default all axes; `keepDims` keeps them as size 1). [...s] -> [...s without axis] */
export const sum = (x: Tensor, axis?: number | number[], keepDims?: boolean): Tensor => tf.sum(x, axis, keepDims);

/** Mean over `axis` (default all axes; `keepDims` keeps them as size 1). [...s] -> [...s without axis] */
export const mean = (x: Tensor, axis?: number | number[], keepDims?: boolean): Tensor => tf.mean(x, axis, keepDims);

/**
 * Matrix product over the last two axes (batched over leading ones). a [..., M, N], b [..., N, P] -> [..., M, P]
 * (the transpose flags transpose a or b's last two axes first; on wasm that path is slow, see engine.md).
 */
export const matMul = (a: Tensor, b: Tensor, transposeA?: boolean, transposeB?: boolean): Tensor => tf.matMul(a, b, transposeA, transposeB);
