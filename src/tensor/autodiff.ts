/**
 * Gradients and tensor lifetimes: thin typed wrappers over tfjs's grad, grads, variableGrads, customGrad,
 * tidy, keep and dispose (same semantics: tensors made inside `tidy` are released when it returns, except the
 * returned ones and those passed to `keep`).
 */
import { tf, type Tensor, type Variable } from "./tf.js";
import type { Scalar } from "./create.js";

/** Tensors, or arrays / objects of them (what `tidy` may return and `dispose` releases). */
export type TensorContainer = tf.TensorContainer;

/** The gradient function of a `customGrad` op: dL/dy and the saved tensors -> dL/d(each input). */
export type GradFn = (dy: Tensor, saved: Tensor[]) => Tensor | Tensor[];

/** Runs `fn` and releases every tensor it made except those it returns (or `keep`s). */
export const tidy = <T extends TensorContainer>(fn: () => T): T => tf.tidy(fn);

/** Exempts `t` from release by the enclosing `tidy`. */
export const keep = <T extends Tensor>(t: T): T => tf.keep(t);

/** Releases the tensors in `container`. */
export const dispose = (container: TensorContainer): void => tf.dispose(container);

/** d f(x) / dx as a function of x (f returns a tensor; `dy` defaults to ones). x [...s] -> [...s] */
export const grad = (f: (x: Tensor) => Tensor): ((x: Tensor, dy?: Tensor) => Tensor) => tf.grad(f);

/** The gradients of f with respect to each of its inputs. args k × [...] -> k gradients shaped like them */
export const grads = (f: (...args: Tensor[]) => Tensor): ((args: Tensor[], dy?: Tensor) => Tensor[]) => tf.grads(f);

/**
 * The scalar f() and its gradient with respect to `varList` (default every trainable variable), keyed by
 * variable name.
 */
export const variableGrads = (f: () => Scalar, varList?: Variable[]): { value: Scalar; grads: Record<string, Tensor> } =>
  tf.variableGrads(f, varList);

/**
 * An op with a hand-written gradient. `f(...inputs, save)` returns `{ value, gradFunc }`: `save(ts)` keeps
 * tensors for `gradFunc(dy, saved)`. tfjs's own typing mixes inputs and the save function into one rest
 * parameter; this typed view keeps call sites readable (semantics are tfjs's: the last argument is `save`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const customGrad = tf.customGrad as unknown as (f: (...args: any[]) => { value: Tensor; gradFunc: GradFn }) => (...xs: Tensor[]) => Tensor;
