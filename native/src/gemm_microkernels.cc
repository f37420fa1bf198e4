// The portable (4 x 16) and AVX2 + FMA (6 x 16) sgemm micro-kernels, and the choice of the kernel set for this
// CPU at first use. Pure C++ on raw pointers.
#include <cstdlib>
#include <string>

#include "gemm_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace strl {
namespace gemm {

// ---------------------------------------------------------------------------------------------------------
// Portable micro-kernel: 4 x 16.
constexpr int G_MR = 4, G_NR = 16;

template <int R>
void generic_micro(int64_t kc, const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc,
                   int cols, bool acc) {
  const int64_t rs = lda ? lda : 1, ks = lda ? 1 : G_MR;
  float c[R][G_NR];
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < G_NR; ++j) c[r][j] = (acc && j < cols) ? C[r * ldc + j] : 0.0f;
  for (int64_t k = 0; k < kc; ++k) {
    const float* b = B + k * ldb;
    const float* a = A + k * ks;
    for (int r = 0; r < R; ++r) {
      const float av = a[r * rs];
      for (int j = 0; j < G_NR; ++j) c[r][j] += av * b[j];
    }
  }
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < cols; ++j) C[r * ldc + j] = c[r][j];
}

void generic_fn(int64_t kc, const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc, int rows,
                int cols, bool acc) {
  switch (rows) {
    case 1: generic_micro<1>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
    case 2: generic_micro<2>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
    case 3: generic_micro<3>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
    default: generic_micro<4>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
  }
}

#if defined(__x86_64__)
// A read in place: four row pointers (rows 3q..3q+2 at aq, aq + lda, aq + 2 lda) keep the addressing simple.
#define STRL_AROW(r) (((r) / 3 == 0 ? a0 : (r) / 3 == 1 ? a1 : (r) / 3 == 2 ? a2 : a3) + ((r) % 3) * lda)

// ---------------------------------------------------------------------------------------------------------
// AVX2 + FMA micro-kernel: 6 x 16 (12 ymm accumulators).
constexpr int Y_MR = 6, Y_NR = 16;

#define STRL_AVX2 __attribute__((target("avx2,fma")))

template <int R, bool DA>
STRL_AVX2 void avx2_micro(int64_t kc, const float* A, int64_t lda, const float* B, int64_t ldb, float* C,
                          int64_t ldc, int cols, bool acc) {
  const bool full = cols >= 16;
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i mk0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols), lane);
  const __m256i mk1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols - 8), lane);
  __m256 c0[R], c1[R];
  if (acc) {
    for (int r = 0; r < R; ++r) {
      if (full) {
        c0[r] = _mm256_loadu_ps(C + r * ldc);
        c1[r] = _mm256_loadu_ps(C + r * ldc + 8);
      } else {
        c0[r] = _mm256_maskload_ps(C + r * ldc, mk0);
        c1[r] = _mm256_maskload_ps(C + r * ldc + 8, mk1);
      }
    }
  } else {
    for (int r = 0; r < R; ++r) {
      c0[r] = _mm256_setzero_ps();
      c1[r] = _mm256_setzero_ps();
    }
  }
  if (DA) {
    const float* a0 = A;
    const float* a1 = R > 3 ? A + 3 * lda : A;
    const float* a2 = A;
    const float* a3 = A;
    (void)a2;
    (void)a3;
#pragma GCC unroll 2
    for (int64_t k = 0; k < kc; ++k) {
      const __m256 b0 = _mm256_loadu_ps(B);
      const __m256 b1 = _mm256_loadu_ps(B + 8);
#pragma GCC unroll 6
      for (int r = 0; r < R; ++r) {
        const __m256 a = _mm256_broadcast_ss(STRL_AROW(r));
        c0[r] = _mm256_fmadd_ps(a, b0, c0[r]);
        c1[r] = _mm256_fmadd_ps(a, b1, c1[r]);
      }
      ++a0, ++a1;
      B += ldb;
    }
  } else {
#pragma GCC unroll 2
    for (int64_t k = 0; k < kc; ++k) {
      const __m256 b0 = _mm256_loadu_ps(B);
      const __m256 b1 = _mm256_loadu_ps(B + 8);
#pragma GCC unroll 6
      for (int r = 0; r < R; ++r) {
        const __m256 a = _mm256_broadcast_ss(A + r);
        c0[r] = _mm256_fmadd_ps(a, b0, c0[r]);
        c1[r] = _mm256_fmadd_ps(a, b1, c1[r]);
      }
      A += Y_MR;
      B += ldb;
    }
  }
  for (int r = 0; r < R; ++r) {
    if (full) {
      _mm256_storeu_ps(C + r * ldc, c0[r]);
      _mm256_storeu_ps(C + r * ldc + 8, c1[r]);
    } else {
      _mm256_maskstore_ps(C + r * ldc, mk0, c0[r]);
      _mm256_maskstore_ps(C + r * ldc + 8, mk1, c1[r]);
    }
  }
}

template <bool DA>
STRL_AVX2 void avx2_rows(int64_t kc, const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc,
                         int rows, int cols, bool acc) {
  switch (rows) {
    case 1: avx2_micro<1, DA>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
    case 2: avx2_micro<2, DA>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
    case 3: avx2_micro<3, DA>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
    case 4: avx2_micro<4, DA>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
    case 5: avx2_micro<5, DA>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
    default: avx2_micro<6, DA>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
  }
}

STRL_AVX2 void avx2_fn(int64_t kc, const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc,
                       int rows, int cols, bool acc) {
  if (lda)
    avx2_rows<true>(kc, A, lda, B, ldb, C, ldc, rows, cols, acc);
  else
    avx2_rows<false>(kc, A, lda, B, ldb, C, ldc, rows, cols, acc);
}
#endif  // __x86_64__

Kernel pick_kernel() {
  const Kernel generic{"generic", G_MR, G_NR, generic_fn, nullptr, nullptr};
  const char* force = std::getenv("STRL_GEMM_KERNEL");
  const std::string want = force ? force : "";
  if (want == "generic") return generic;
#if defined(__x86_64__)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
  if (avx512 && want != "avx2") return Kernel{"avx512", Z_MR, Z_NR, avx512_fn, avx512_wide_fn, avx512_dot_fn};
  if (avx2) return Kernel{"avx2", Y_MR, Y_NR, avx2_fn, nullptr, nullptr};
#endif
  return generic;
}

const Kernel& kernel() {
  static const Kernel k = pick_kernel();
  return k;
}

}  // namespace gemm
}  // namespace strl
