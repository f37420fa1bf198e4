// Packing for the sgemm: slivers of op(A) = Aᵀ and panels of op(B), laid out as the micro-kernels read them
// (gemm_kernels.h). Pure C++ on raw pointers.
#include <algorithm>
#include <cstring>

#include "gemm_kernels.h"

namespace strl {
namespace gemm {

// Packs rows [i0, i0 + rows) of op(A) = Aᵀ (A is [K, M]), columns [k0, k0 + kc), as consecutive slivers of mr
// rows: sliver s at dst + s * kc * mr holds dst[k * mr + r] = A[k0 + k][i0 + s * mr + r]. Each k row of the
// block is read once, contiguously.
// Rows [kfrom, kto) of that block only (the others untouched). The rows of A are far apart (M floats):
// prefetch PF rows ahead.
namespace {

template <int MR>
void pack_a_t(const Shape& s, const float* A, int64_t i0, int64_t rows, int64_t k0, int64_t kc, int64_t kfrom,
              int64_t kto, float* dst) {
  constexpr int64_t PF = 8;
  for (int64_t k = kfrom; k < kto; ++k) {
    const float* src = A + (k0 + k) * s.M + i0;
    if (k0 + k + PF < s.K) {
      const char* pf = reinterpret_cast<const char*>(src + PF * s.M);
      for (int64_t off = 0; off < rows * 4 + 63; off += 64) __builtin_prefetch(pf + off);
    }
    float* d = dst + k * MR;
    int64_t i = 0;
    for (; i + MR <= rows; i += MR, d += kc * MR)
      for (int r = 0; r < MR; ++r) d[r] = src[i + r];
    for (int r = 0; i + r < rows; ++r) d[r] = src[i + r];
  }
}

}  // namespace

void pack_a(const Shape& s, const float* A, int64_t i0, int64_t rows, int64_t k0, int64_t kc, int64_t kfrom,
            int64_t kto, int mr, float* dst) {
  if (mr == 12)
    pack_a_t<12>(s, A, i0, rows, k0, kc, kfrom, kto, dst);
  else if (mr == 6)
    pack_a_t<6>(s, A, i0, rows, k0, kc, kfrom, kto, dst);
  else
    pack_a_t<4>(s, A, i0, rows, k0, kc, kfrom, kto, dst);
}

// dst[k * nr + j] = op(B)[k0 + k][j0 + j] for j < cols, 0 for cols <= j < nr; k < kc.
void pack_b(const Shape& s, const float* B, int64_t j0, int cols, int64_t k0, int64_t kc, int nr, float* dst) {
  if (!s.tB) {  // B is [K, N]
    for (int64_t k = 0; k < kc; ++k) {
      const float* src = B + (k0 + k) * s.N + j0;
      float* d = dst + k * nr;
      std::memcpy(d, src, sizeof(float) * cols);
      for (int j = cols; j < nr; ++j) d[j] = 0.0f;
    }
  } else {  // B is [N, K]: gather in chunks of k so that the written lines stay in L1
#if defined(__x86_64__)
    if (nr == Z_NR && cols == Z_NR && kc >= 16 && kernel().fn == avx512_fn) {
      pack_bt_avx512(s, B, j0, k0, kc, dst);
      return;
    }
#endif
    constexpr int64_t CH = 64;
    for (int64_t kb = 0; kb < kc; kb += CH) {
      const int64_t ke = std::min(kc, kb + CH);
      for (int j = 0; j < cols; ++j) {
        const float* src = B + (j0 + j) * s.K + k0;
        for (int64_t k = kb; k < ke; ++k) dst[k * nr + j] = src[k];
      }
      for (int64_t k = kb; k < ke; ++k)
        for (int j = cols; j < nr; ++j) dst[k * nr + j] = 0.0f;
    }
  }
}

}  // namespace gemm
}  // namespace strl
