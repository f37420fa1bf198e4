/** Shape operations (reshape, slice, transpose, ...): thin typed wrappers over the tfjs ops of the same name. */
import { tf, type Tensor } from "./tf.js";

/** Same values, new shape (one entry may be -1). [...s] -> shape */
export const reshape = (x: Tensor, shape: number[]): Tensor => tf.reshape(x, shape);

/** The block starting at `begin` of extent `size` (-1 = to the end). [...s] -> size */
export const slice = (x: Tensor, begin: number[], size?: number[]): Tensor => tf.slice(x, begin, size);

/** Axes permuted by `perm` (default reversed). [...s] -> [...s permuted] */
export const transpose = (x: Tensor, perm?: number[]): Tensor => tf.transpose(x, perm);

/** x repeated `reps[i]` times along axis i. [...s] -> [...s[i]·reps[i]] */
export const tile = (x: Tensor, reps: number[]): Tensor => tf.tile(x, reps);

/** Stacks same-shaped tensors along a new `axis` (default 0). k × [...s] -> [...s with k inserted at axis] */
export const stack = (tensors: Tensor[], axis?: number): Tensor => tf.stack(tensors, axis);

/** Inserts an axis of size 1 at `axis` (default 0). [...s] -> [...s with 1 inserted at axis] */
export const expandDims = (x: Tensor, axis?: number): Tensor => tf.expandDims(x, axis);
