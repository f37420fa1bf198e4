// The fused Linear layer (linear_kernels.h): the engine's sgemm, then the bias and activation over the product's
// rows; backward: the activation's gradient, the bias's column sums (the engine's reduce), then the two sgemms.
#include "linear_kernels.h"

#include <algorithm>
#include <memory>
#include <new>

#include "activation.h"
#include "elementwise_kernels.h"
#include "gemm.h"
#include "thread_pool.h"

namespace strl {
namespace {

constexpr int64_t kElemsPerTask = 16384;  // element-wise work per pool task (rows of the epilogue)

// Rows per task so that one task does about kElemsPerTask elements: depends on the shape only.
int64_t rows_per_task(int64_t width) { return std::max<int64_t>(1, kElemsPerTask / std::max<int64_t>(1, width)); }

}  // namespace

bool linear_forward(const float* x, const float* W, const float* b, int act, float* y, float* z, int64_t rows,
                    int64_t din, int64_t dout) {
  float* pre = act == kActGelu ? z : y;  // [rows, Dout] the product, then the pre-activation
  if (!sgemm(rows, dout, din, false, false, x, W, pre)) return false;
  if (!b && act == kActNone) return true;
  const double cost = static_cast<double>(rows) * static_cast<double>(dout) * (act == kActGelu ? 20 : 1);
  parallel_chunks(rows, rows_per_task(dout), [&](int64_t r0, int64_t r1, int64_t) {
    for (int64_t r = r0; r < r1; ++r) {
      float* p = pre + r * dout;
      float* out = y + r * dout;
      if (b)
        for (int64_t j = 0; j < dout; ++j) p[j] = p[j] + b[j];
      if (act != kActNone)
        for (int64_t j = 0; j < dout; ++j) out[j] = act_fwd(act, p[j]);
    }
  }, cost);
  return true;
}

bool linear_backward(const float* dy, const float* x, const float* W, const float* saved, int act, float* dx,
                     float* dW, float* db, int64_t rows, int64_t din, int64_t dout) {
  const int64_t n = rows * dout;
  std::unique_ptr<float[]> dzBuf;  // [rows, Dout] dy ⊙ act'(·), only when there is an activation (every element written)
  const float* dz = dy;
  if (act != kActNone) {
    dzBuf.reset(new (std::nothrow) float[static_cast<size_t>(n)]);
    if (!dzBuf) return false;
    float* g = dzBuf.get();
    parallel_chunks(n, kElemsPerTask, [&](int64_t i0, int64_t i1, int64_t) {
      // relu: saved is y, which is > 0 (or NaN) exactly where z is, so act_grad(y) = act_grad(z)
      for (int64_t i = i0; i < i1; ++i) g[i] = dy[i] * act_grad(act, saved[i]);
    }, static_cast<double>(n) * (act == kActGelu ? 20 : 1));
    dz = g;
  }
  if (db) reduce(kSum, dz, 1, rows, dout, db);  // column sums in double, row order: tfjs's sum over axis 0
  if (dx && !sgemm(rows, din, dout, false, true, dz, W, dx)) return false;
  return sgemm(din, dout, rows, true, false, x, dz, dW);
}

}  // namespace strl
