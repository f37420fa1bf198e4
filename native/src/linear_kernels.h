// The fused Linear layer of the autodiff tape (src/tensor/ops.ts `linear`, `linearAct`): y = act(x · W + b) in one
// call, and its whole backward in one more, instead of a product, a bias add, an activation and, going back, an
// activation gradient, a column sum and two products as separate kernels. Row-major, the tensor layer's layout:
// x [rows, Din], W [Din, Dout], b [Dout], y [rows, Dout]. Pure C++ (linear_kernels.cc); binding in linear_napi.cc.
//
// The products are the engine's sgemm, the same calls the composed ops make (y = x·W; dx = dz·Wᵀ; dW = xᵀ·dz), so
// without an activation y, dx and dW are the composed path's bits; the bias is added in float32 after the product,
// as tfjs's add does; db sums each column over the rows in increasing row order in double. Every split is over
// rows or columns, by shape only: the same bits for any thread count. Each returns false when the sgemm ran out
// of memory.
#pragma once
#include <cstdint>

namespace strl {

// y [rows, Dout] = act(x [rows, Din] · W [Din, Dout] + b [Dout]); b may be null (no bias). act (activation.h):
// 0 none, 1 relu, 2 gelu. For gelu the pre-activation is kept in z [rows, Dout] (its backward needs it); z is
// unused otherwise and may be null.
bool linear_forward(const float* x, const float* W, const float* b, int act, float* y, float* z, int64_t rows,
                    int64_t din, int64_t dout);

// From dy [rows, Dout], the forward's input x and weight W, and what the activation's gradient needs (`saved`:
// y for relu, z for gelu, unused for none): dz = dy ⊙ act'(·), then dx [rows, Din] = dz · Wᵀ (skipped when dx is
// null), dW [Din, Dout] = xᵀ · dz, db [Dout] = Σ_rows dz (skipped when db is null). All outputs overwritten.
bool linear_backward(const float* dy, const float* x, const float* W, const float* saved, int act, float* dx,
                     float* dW, float* db, int64_t rows, int64_t din, int64_t dout);

}  // namespace strl
