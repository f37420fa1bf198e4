// Batched single-precision matrix product (sgemm) of the strl native engine, for other C++ kernels (fused
// attention, linear layers) and for the addon's `gemm` function.
#pragma once
#include <cstdint>

namespace strl {

// For each i < batch: C_i [M, N] = op(A_i) · op(B_i), row-major, C overwritten.
//   A_i = A + i·strideA is [M, K], or [K, M] when transA (op = transpose); strideA 0 broadcasts one matrix.
//   B_i = B + i·strideB is [K, N], or [N, K] when transB.
//   C_i = C + i·M·N.
// C must not overlap A or B. Sizes of 0 are legal (K = 0 gives zeros). No argument checks: callers check.
// Results are bit-identical whatever the thread count: work is split over output tiles only (never over K),
// the split depends on the shape only, and every C element sums its K products in one fixed order.
// `threaded` = false runs everything on the calling thread; pass false when calling from inside a
// strl::parallel_for task (the pool does not nest).
// Returns false only when a packing buffer could not be allocated (C is then unspecified).
bool sgemm_batched(int64_t batch, int64_t M, int64_t N, int64_t K, bool transA, bool transB, const float* A,
                   int64_t strideA, const float* B, int64_t strideB, float* C, bool threaded = true);

// Single product, C [M, N] = op(A) · op(B).
inline bool sgemm(int64_t M, int64_t N, int64_t K, bool transA, bool transB, const float* A, const float* B,
                  float* C, bool threaded = true) {
  return sgemm_batched(1, M, N, K, transA, transB, A, 0, B, 0, C, threaded);
}

// The micro-kernel chosen for this CPU at first use: "avx512", "avx2" or "generic".
const char* sgemm_kernel_name();

}  // namespace strl
