// Fused fully-connected layers (dense_kernels.h): the product by the engine's sgemm, then the bias, ReLU and
// reductions around it.
#include "dense_kernels.h"

#include "gemm.h"

namespace strl {

bool dense_forward(const float* x, const float* w, const float* b, float* y, int64_t B, int64_t nIn, int64_t nOut,
                   bool relu) {
  if (!sgemm(B, nOut, nIn, false, true, x, w, y)) return false;
  for (int64_t r = 0; r < B; ++r) {
    float* row = y + r * nOut;
    if (relu) {
      for (int64_t j = 0; j < nOut; ++j) {
        float v = row[j] + b[j];
        row[j] = v > 0.0f ? v : 0.0f;
      }
    } else {
      for (int64_t j = 0; j < nOut; ++j) row[j] += b[j];
    }
  }
  return true;
}

bool dense_params_grad(const float* dy, const float* x, float* gw, float* gb, int64_t B, int64_t nIn, int64_t nOut) {
  if (!sgemm(nOut, nIn, B, true, false, dy, x, gw)) return false;
  for (int64_t j = 0; j < nOut; ++j) gb[j] = 0.0f;
  for (int64_t r = 0; r < B; ++r) {
    const float* row = dy + r * nOut;
    for (int64_t j = 0; j < nOut; ++j) gb[j] += row[j];
  }
  return true;
}

bool dense_input_grad(const float* dy, const float* x, const float* w, float* dx, int64_t B, int64_t nIn, int64_t nOut,
                      bool relu_input) {
  if (!sgemm(B, nIn, nOut, false, false, dy, w, dx)) return false;
  if (relu_input) {
    const int64_t n = B * nIn;
    for (int64_t i = 0; i < n; ++i)
      if (!(x[i] > 0.0f)) dx[i] = 0.0f;
  }
  return true;
}

}  // namespace strl
