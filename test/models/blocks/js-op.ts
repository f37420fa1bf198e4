/**
 * A differentiable op of two inputs written on Float32Arrays (the two-input sibling of `jsKernel` in
 * src/tensor/ops.ts): `forward` gets both inputs' values and returns the output values plus the state its
 * backward pass needs; `backward` gets dL/dy and that state and returns [dL/da, dL/db]. Only the reference
 * kernels of ./spike-attention-kernels.ts use it.
 */
import { customGrad, tensor, type Tensor } from "../../../src/tensor/index.js";

export function jsOp2<S>(
  a: Tensor,
  b: Tensor,
  outShape: number[],
  forward: (a: Float32Array, b: Float32Array) => { y: Float32Array; state: S },
  backward: (dy: Float32Array, state: S) => [Float32Array, Float32Array],
): Tensor {
  const aShape = a.shape;
  const bShape = b.shape;
  const op = customGrad((x: Tensor, z: Tensor, save: (ts: Tensor[]) => void) => {
    save([]);
    const { y, state } = forward(x.dataSync() as Float32Array, z.dataSync() as Float32Array);
    return {
      value: tensor(y, outShape, "float32"),
      gradFunc: (dy: Tensor) => {
        const [ga, gb] = backward(dy.dataSync() as Float32Array, state);
        return [tensor(ga, aShape, "float32"), tensor(gb, bShape, "float32")];
      },
    };
  });
  return op(a, b);
}
