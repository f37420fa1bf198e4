// Fused fully-connected layers for small networks trained outside the autodiff tape (src/tensor/dense-mlp.ts:
// the online RL trainer's actor and critics). Row-major, PyTorch's nn.Linear layout: x [B, in], W [out, in],
// b [out], y [B, out]. One call does the product and the elementwise work around it, so a SAC update is a few
// dozen native calls instead of hundreds of JS loops. Pure C++ (dense_kernels.cc); binding in dense_napi.cc.
// Each returns false when the sgemm ran out of memory.
#pragma once
#include <cstdint>

namespace strl {

// y [B, nOut] = x [B, nIn] Wᵀ + b, then max(y, 0) when relu.
bool dense_forward(const float* x, const float* W, const float* b, float* y, int64_t B, int64_t nIn, int64_t nOut,
                   bool relu);

// From dy [B, nOut] and the layer input x [B, nIn]: gW = dyᵀ x [nOut, nIn], gb = Σ_rows dy [nOut] (overwritten).
bool dense_params_grad(const float* dy, const float* x, float* gW, float* gb, int64_t B, int64_t nIn, int64_t nOut);

// dx [B, nIn] = dy W, zeroed where x <= 0 when relu_input (x was a ReLU's output).
bool dense_input_grad(const float* dy, const float* x, const float* W, float* dx, int64_t B, int64_t nIn, int64_t nOut,
                      bool relu_input);

}  // namespace strl
