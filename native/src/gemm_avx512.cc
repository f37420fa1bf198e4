// The AVX-512 sgemm micro-kernels (12 x 32 tiles, a row-vector kernel, dot products for few rows times Bᵀ) and
// the AVX-512 packing of Bᵀ panels, compiled for AVX-512 by function attributes and used only when the CPU has it
// (gemm_microkernels.cc picks). Pure C++ on raw pointers.
#include "gemm_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace strl {
namespace gemm {

// ---------------------------------------------------------------------------------------------------------
// AVX-512 micro-kernel: 12 x 32 (24 zmm accumulators, two B vectors, A broadcast from memory).

#define STRL_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq")))

// A read in place: four row pointers (rows 3q..3q+2 at aq, aq + lda, aq + 2 lda) keep the addressing simple.
#define STRL_AROW(r) (((r) / 3 == 0 ? a0 : (r) / 3 == 1 ? a1 : (r) / 3 == 2 ? a2 : a3) + ((r) % 3) * lda)

// H = 2 computes 32 columns, H = 1 only the first 16 (an edge panel of at most 16 columns).
template <int R, int H, bool DA>
STRL_AVX512 void avx512_micro(int64_t kc, const float* A, int64_t lda, const float* B, int64_t ldb, float* C,
                              int64_t ldc, int cols, bool acc) {
  const __mmask16 m0 = cols >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << cols) - 1);
  const __mmask16 m1 = cols >= 32   ? static_cast<__mmask16>(0xFFFF)
                       : cols > 16 ? static_cast<__mmask16>((1u << (cols - 16)) - 1)
                                   : static_cast<__mmask16>(0);
  __m512 c0[R], c1[R];
  if (acc) {
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      c0[r] = _mm512_maskz_loadu_ps(m0, C + r * ldc);
      if (H == 2) c1[r] = _mm512_maskz_loadu_ps(m1, C + r * ldc + 16);
    }
  } else {
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      c0[r] = _mm512_setzero_ps();
      if (H == 2) c1[r] = _mm512_setzero_ps();
    }
  }
  if (DA) {
    const float* a0 = A;
    const float* a1 = R > 3 ? A + 3 * lda : A;
    const float* a2 = R > 6 ? A + 6 * lda : A;
    const float* a3 = R > 9 ? A + 9 * lda : A;
#pragma GCC unroll 2
    for (int64_t k = 0; k < kc; ++k) {
      const __m512 b0 = _mm512_loadu_ps(B);
      const __m512 b1 = H == 2 ? _mm512_loadu_ps(B + 16) : b0;
#pragma GCC unroll 12
      for (int r = 0; r < R; ++r) {
        const __m512 a = _mm512_set1_ps(*STRL_AROW(r));
        c0[r] = _mm512_fmadd_ps(a, b0, c0[r]);
        if (H == 2) c1[r] = _mm512_fmadd_ps(a, b1, c1[r]);
      }
      ++a0, ++a1, ++a2, ++a3;
      B += ldb;
    }
  } else {
#pragma GCC unroll 2
    for (int64_t k = 0; k < kc; ++k) {
      const __m512 b0 = _mm512_loadu_ps(B);
      const __m512 b1 = H == 2 ? _mm512_loadu_ps(B + 16) : b0;
#pragma GCC unroll 12
      for (int r = 0; r < R; ++r) {
        const __m512 a = _mm512_set1_ps(A[r]);
        c0[r] = _mm512_fmadd_ps(a, b0, c0[r]);
        if (H == 2) c1[r] = _mm512_fmadd_ps(a, b1, c1[r]);
      }
      A += Z_MR;
      B += ldb;
    }
  }
#pragma GCC unroll 12
  for (int r = 0; r < R; ++r) {
    _mm512_mask_storeu_ps(C + r * ldc, m0, c0[r]);
    if (H == 2) _mm512_mask_storeu_ps(C + r * ldc + 16, m1, c1[r]);
  }
}

template <int H, bool DA>
STRL_AVX512 void avx512_rows(int64_t kc, const float* A, int64_t lda, const float* B, int64_t ldb, float* C,
                             int64_t ldc, int rows, int cols, bool acc) {
  switch (rows) {
    case 1: avx512_micro<1, H, DA>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
    case 2: avx512_micro<2, H, DA>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
    case 3: avx512_micro<3, H, DA>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
    case 4: avx512_micro<4, H, DA>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
    case 5: avx512_micro<5, H, DA>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
    case 6: avx512_micro<6, H, DA>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
    case 7: avx512_micro<7, H, DA>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
    case 8: avx512_micro<8, H, DA>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
    case 9: avx512_micro<9, H, DA>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
    case 10: avx512_micro<10, H, DA>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
    case 11: avx512_micro<11, H, DA>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
    default: avx512_micro<12, H, DA>(kc, A, lda, B, ldb, C, ldc, cols, acc); break;
  }
}

STRL_AVX512 void avx512_fn(int64_t kc, const float* A, int64_t lda, const float* B, int64_t ldb, float* C,
                           int64_t ldc, int rows, int cols, bool acc) {
  if (cols > 16) {
    if (lda)
      avx512_rows<2, true>(kc, A, lda, B, ldb, C, ldc, rows, cols, acc);
    else
      avx512_rows<2, false>(kc, A, lda, B, ldb, C, ldc, rows, cols, acc);
  } else {
    if (lda)
      avx512_rows<1, true>(kc, A, lda, B, ldb, C, ldc, rows, cols, acc);
    else
      avx512_rows<1, false>(kc, A, lda, B, ldb, C, ldc, rows, cols, acc);
  }
}

template <int R>
STRL_AVX512 void avx512_wide(int64_t kc, const float* A, int64_t lda, const float* B, int64_t ldb, float* C,
                             int64_t ldc, bool acc) {
  constexpr int V = WIDE_PANELS * Z_NR / 16;
  __m512 c[R][V];
#pragma GCC unroll 2
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) c[r][v] = acc ? _mm512_loadu_ps(C + r * ldc + 16 * v) : _mm512_setzero_ps();
  for (int64_t k = 0; k < kc; ++k) {
    __m512 b[V];
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) b[v] = _mm512_loadu_ps(B + 16 * v);
#pragma GCC unroll 2
    for (int r = 0; r < R; ++r) {
      const __m512 a = _mm512_set1_ps(A[r * lda + k]);
#pragma GCC unroll 8
      for (int v = 0; v < V; ++v) c[r][v] = _mm512_fmadd_ps(a, b[v], c[r][v]);
    }
    B += ldb;
  }
#pragma GCC unroll 2
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) _mm512_storeu_ps(C + r * ldc + 16 * v, c[r][v]);
}

STRL_AVX512 void avx512_wide_fn(int64_t kc, const float* A, int64_t lda, const float* B, int64_t ldb, float* C,
                                int64_t ldc, int rows, bool acc) {
  if (rows == 1)
    avx512_wide<1>(kc, A, lda, B, ldb, C, ldc, acc);
  else
    avx512_wide<2>(kc, A, lda, B, ldb, C, ldc, acc);
}

// Few rows times Bᵀ (B is [N, K]): dot products of contiguous rows, columns [j0, j1), 4 at a time. Packing Bᵀ
// would cost more than the product itself. Each C element sums 16 strided partial sums over k in order, then
// adds the 16 lanes in a fixed order.
template <int R>
STRL_AVX512 void avx512_dot(int64_t K, const float* A, const float* Bt, int64_t j0, int64_t j1, float* C,
                            int64_t ldc) {
  const int64_t kfull = K / 16 * 16;
  const __mmask16 tail = static_cast<__mmask16>((1u << (K - kfull)) - 1);
  int64_t j = j0;
  for (; j + 4 <= j1; j += 4) {
    __m512 acc[R][4];
    for (int r = 0; r < R; ++r)
      for (int q = 0; q < 4; ++q) acc[r][q] = _mm512_setzero_ps();
    const float* b = Bt + j * K;
    for (int64_t k = 0; k < kfull; k += 16) {
      __m512 bv[4];
      for (int q = 0; q < 4; ++q) bv[q] = _mm512_loadu_ps(b + q * K + k);
      for (int r = 0; r < R; ++r) {
        const __m512 a = _mm512_loadu_ps(A + r * K + k);
        for (int q = 0; q < 4; ++q) acc[r][q] = _mm512_fmadd_ps(a, bv[q], acc[r][q]);
      }
    }
    if (tail) {
      __m512 bv[4];
      for (int q = 0; q < 4; ++q) bv[q] = _mm512_maskz_loadu_ps(tail, b + q * K + kfull);
      for (int r = 0; r < R; ++r) {
        const __m512 a = _mm512_maskz_loadu_ps(tail, A + r * K + kfull);
        for (int q = 0; q < 4; ++q) acc[r][q] = _mm512_fmadd_ps(a, bv[q], acc[r][q]);
      }
    }
    for (int r = 0; r < R; ++r)
      for (int q = 0; q < 4; ++q) C[r * ldc + j + q] = _mm512_reduce_add_ps(acc[r][q]);
  }
  for (; j < j1; ++j) {
    __m512 acc[R];
    for (int r = 0; r < R; ++r) acc[r] = _mm512_setzero_ps();
    const float* b = Bt + j * K;
    for (int64_t k = 0; k < kfull; k += 16) {
      const __m512 bv = _mm512_loadu_ps(b + k);
      for (int r = 0; r < R; ++r) acc[r] = _mm512_fmadd_ps(_mm512_loadu_ps(A + r * K + k), bv, acc[r]);
    }
    if (tail) {
      const __m512 bv = _mm512_maskz_loadu_ps(tail, b + kfull);
      for (int r = 0; r < R; ++r) acc[r] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, A + r * K + kfull), bv, acc[r]);
    }
    for (int r = 0; r < R; ++r) C[r * ldc + j] = _mm512_reduce_add_ps(acc[r]);
  }
}

STRL_AVX512 void avx512_dot_fn(int64_t K, const float* A, int rows, const float* Bt, int64_t j0, int64_t j1,
                               float* C, int64_t ldc) {
  switch (rows) {
    case 1: avx512_dot<1>(K, A, Bt, j0, j1, C, ldc); break;
    case 2: avx512_dot<2>(K, A, Bt, j0, j1, C, ldc); break;
    case 3: avx512_dot<3>(K, A, Bt, j0, j1, C, ldc); break;
    default: avx512_dot<4>(K, A, Bt, j0, j1, C, ldc); break;
  }
}


// A full panel of Bᵀ (32 columns) for the AVX-512 kernel: 16 x 16 blocks transposed in registers.
STRL_AVX512 void pack_bt_avx512(const Shape& s, const float* B, int64_t j0, int64_t k0, int64_t kc, float* dst) {
  int64_t k = 0;
  for (; k + 16 <= kc; k += 16) {
    for (int half = 0; half < 2; ++half) {
      const float* src = B + (j0 + half * 16) * s.K + k0 + k;
      __m512 r[16], t[16], u[16];
      for (int i = 0; i < 16; ++i) r[i] = _mm512_loadu_ps(src + i * s.K);
      for (int i = 0; i < 8; ++i) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
      }
      // Rows 4g..4g+3: u[4g + m] holds, in lane l, the elements of input column 4l + m.
      for (int g = 0; g < 4; ++g) {
        const __m512d a = _mm512_castps_pd(t[4 * g]), b = _mm512_castps_pd(t[4 * g + 1]);
        const __m512d c = _mm512_castps_pd(t[4 * g + 2]), d = _mm512_castps_pd(t[4 * g + 3]);
        u[4 * g + 0] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
        u[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
        u[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
        u[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
      }
      float* d = dst + k * Z_NR + half * 16;
      for (int m = 0; m < 4; ++m) {
        const __m512 xlo = _mm512_shuffle_f32x4(u[m], u[4 + m], 0x44), xhi = _mm512_shuffle_f32x4(u[m], u[4 + m], 0xEE);
        const __m512 ylo = _mm512_shuffle_f32x4(u[8 + m], u[12 + m], 0x44),
                     yhi = _mm512_shuffle_f32x4(u[8 + m], u[12 + m], 0xEE);
        _mm512_storeu_ps(d + (0 + m) * Z_NR, _mm512_shuffle_f32x4(xlo, ylo, 0x88));
        _mm512_storeu_ps(d + (4 + m) * Z_NR, _mm512_shuffle_f32x4(xlo, ylo, 0xDD));
        _mm512_storeu_ps(d + (8 + m) * Z_NR, _mm512_shuffle_f32x4(xhi, yhi, 0x88));
        _mm512_storeu_ps(d + (12 + m) * Z_NR, _mm512_shuffle_f32x4(xhi, yhi, 0xDD));
      }
    }
  }
  for (; k < kc; ++k)
    for (int j = 0; j < Z_NR; ++j) dst[k * Z_NR + j] = B[(j0 + j) * s.K + k0 + k];
}

}  // namespace gemm
}  // namespace strl

#endif  // __x86_64__
