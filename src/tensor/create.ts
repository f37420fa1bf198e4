/**
 * Making tensors and variables: thin typed wrappers over tfjs's constructors. Values are row-major; a typed
 * array's own dtype (Float32Array -> float32, Int32Array -> int32) is kept unless `dtype` says otherwise.
 */
import { tf, type Tensor, type Variable } from "./tf.js";

export type Scalar = tf.Scalar;
export type DataType = tf.DataType;

/** Nested number arrays (shape inferred from the nesting), as tests and small examples write literals. */
export type NestedNumbers = number[] | NestedNumbers[];

/** Values for `tensor`: a flat typed array (give the shape) or plain numbers, flat or nested. */
export type TensorValues = Float32Array | Int32Array | Uint8Array | NestedNumbers;

/** A tensor of `values` with `shape` (default inferred: [n] for a flat array, the nesting for nested ones). */
export const tensor = (values: TensorValues, shape?: number[], dtype?: DataType): Tensor => tf.tensor(values, shape, dtype);

/** A rank-0 tensor. [] */
export const scalar = (value: number, dtype?: DataType): Scalar => tf.scalar(value, dtype);

/** A float32 tensor of zeros. -> shape */
export const zeros = (shape: number[], dtype?: DataType): Tensor => tf.zeros(shape, dtype);

/** A float32 tensor of ones. -> shape */
export const ones = (shape: number[], dtype?: DataType): Tensor => tf.ones(shape, dtype);

/** Zeros shaped (and typed) like x. [...s] -> [...s] */
export const zerosLike = (x: Tensor): Tensor => tf.zerosLike(x);

/** One-hot rows of `depth` for int32 `indices`. [...s] -> [...s, depth] */
export const oneHot = (indices: Tensor, depth: number): Tensor => tf.oneHot(indices, depth);

/**
 * A variable holding a copy of `initial` (the caller still owns and disposes `initial`); `trainable`
 * (default true) makes it visible to `variableGrads`. -> initial.shape
 */
export const variable = (initial: Tensor, trainable?: boolean, name?: string): Variable => tf.variable(initial, trainable, name);
