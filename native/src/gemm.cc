// Batched sgemm for the strl native engine (see gemm.h).
//
// Layout of the computation (row-major C):
//   - K is cut into blocks of at most KC (the cut depends on K only). For each K block, a micro-kernel adds
//     the products of an MR-row sliver of op(A) and a kc x NR panel of op(B) into an MR x NR tile of C held in
//     registers (loaded from C after the first K block). Every C element therefore sums its K products in
//     plain k order, whatever the tiling or the thread count.
//   - op(A): rows of a non-transposed A are read in place (copied first only when they are a multiple of 2 KiB
//     apart); a transposed A is packed into k-major slivers, once per K block for all row tiles. A sliver stays
//     in L1 while the micro-kernel sweeps the NR-wide panels of op(B), which come from L2.
//   - op(B) panels are packed (k-major, NR floats per k, zero padded): once for the whole product when several
//     row tiles share them, else per task and K block. When B is not transposed and M is small, full panels
//     are read from B in place (no packing: batch-1 inference).
//   - Few rows: a row-vector kernel (1-2 rows, B rows read contiguously) and, times Bᵀ, dot products.
//   - Threads: tasks are output tiles (blocks of rows and columns of C) or groups of batch items; their number
//     and bounds depend on the shape only (strl::parallel_for; the calling thread takes part). K is never split.
//   - Micro-kernels: AVX-512 12x32 (or 12x16 for a narrow edge), AVX2+FMA 6x16, or portable C++ 4x16, chosen at
//     first use from the CPU (STRL_GEMM_KERNEL=avx2|generic forces a lesser one, for tests).
#include "gemm.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "napi_util.h"
#include "pool.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace strl {
namespace {

// Largest K block (measured on Zen 4: 512 beats 256 and 384 by a few per cent). A sliver of A (MR x KC floats,
// 24 KiB for AVX-512) stays in L1 while B panels stream past it from L2.
constexpr int64_t KC = 512;
// Largest column block of a task: a K block of packed B (at most KC x NT_MAX floats) is reused from L2.
constexpr int64_t NT_MAX = 512;

// Row slivers of op(A) packed together (one K block), then used one after another from L1/L2.
constexpr int64_t MB_SLIVERS = 8;

// C[rows, cols] (+)= A[rows, kc] · B[kc, nr], B rows ldb apart; acc: add to C, else overwrite.
// A is a packed sliver (A[k * mr + r]) when lda = 0, else read in place (A[r * lda + k]).
using MicroFn = void (*)(int64_t kc, const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc,
                         int rows, int cols, bool acc);

// C[rows, WIDE] (+)= A[rows, kc] (read in place, rows lda apart) · B[kc, WIDE] (in place, ldb apart), for
// rows <= 2: a row-vector kernel that reads B rows contiguously, WIDE = 4 NR columns at a time. Each C element
// gets exactly the operations of the micro-kernel (same k order), so results do not depend on which one ran.
using WideFn = void (*)(int64_t kc, const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc,
                        int rows, bool acc);
constexpr int WIDE_PANELS = 4;
// C[rows, j0:j1] = A[rows, K] (rows K apart) · Bt[j0:j1, K]ᵀ, rows <= DOT_ROWS.
using DotFn = void (*)(int64_t K, const float* A, int rows, const float* Bt, int64_t j0, int64_t j1, float* C,
                       int64_t ldc);
constexpr int64_t DOT_ROWS = 4;

struct Kernel {
  const char* name;
  int mr;
  int nr;
  MicroFn fn;
  WideFn wide;  // or null
  DotFn dot;    // or null
};

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
// ---------------------------------------------------------------------------------------------------------
// AVX-512 micro-kernel: 12 x 32 (24 zmm accumulators, two B vectors, A broadcast from memory).
constexpr int Z_MR = 12, Z_NR = 32;

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

// ---------------------------------------------------------------------------------------------------------
// Buffers: 64-byte aligned, grow-only, one set per thread.
struct Buffer {
  float* p = nullptr;
  size_t cap = 0;
  ~Buffer() { std::free(p); }
  float* get(size_t n) {
    if (n <= cap) return p;
    std::free(p);
    cap = 0;
    const size_t bytes = ((n * sizeof(float)) + 63) / 64 * 64;
    p = static_cast<float*>(std::aligned_alloc(64, bytes));
    if (p) cap = n;
    return p;
  }
  void release() {
    std::free(p);
    p = nullptr;
    cap = 0;
  }
};

struct Scratch {
  Buffer a;  // packed slivers of op(A): MB_PACK x KC
  Buffer b;  // one packed K block of op(B) panels: KC x NT_MAX
  Buffer e;  // one packed edge panel of op(B) (direct mode): KC x NR
  float* pa = nullptr;
  float* pb = nullptr;
  float* pe = nullptr;
  bool ready(const Kernel& kn) {
    pa = a.get(static_cast<size_t>(kn.mr) * MB_SLIVERS * (KC + 32));
    pb = b.get(static_cast<size_t>(KC) * NT_MAX);
    pe = e.get(static_cast<size_t>(KC) * kn.nr);
    return pa && pb && pe;
  }
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// The whole op(B), packed, shared by the tasks of one product (owned by the calling thread).
Buffer& prepacked() {
  thread_local Buffer b;
  return b;
}

// One K block of op(A) = Aᵀ, packed for all rows, shared by the tasks of one product.
Buffer& prepacked_a() {
  thread_local Buffer b;
  return b;
}

// ---------------------------------------------------------------------------------------------------------
// Packing.

struct Shape {
  int64_t M, N, K;
  bool tA, tB;
};

// Packs rows [i0, i0 + rows) of op(A) = Aᵀ (A is [K, M]), columns [k0, k0 + kc), as consecutive slivers of mr
// rows: sliver s at dst + s * kc * mr holds dst[k * mr + r] = A[k0 + k][i0 + s * mr + r]. Each k row of the
// block is read once, contiguously.
// Rows [kfrom, kto) of that block only (the others untouched). The rows of A are far apart (M floats):
// prefetch PF rows ahead.
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

void pack_a(const Shape& s, const float* A, int64_t i0, int64_t rows, int64_t k0, int64_t kc, int64_t kfrom,
            int64_t kto, int mr, float* dst) {
  if (mr == 12)
    pack_a_t<12>(s, A, i0, rows, k0, kc, kfrom, kto, dst);
  else if (mr == 6)
    pack_a_t<6>(s, A, i0, rows, k0, kc, kfrom, kto, dst);
  else
    pack_a_t<4>(s, A, i0, rows, k0, kc, kfrom, kto, dst);
}

#if defined(__x86_64__)
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
#endif

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

// The K blocks: nkb blocks of kcb (the last one shorter), from K only.
struct KBlocks {
  int64_t n, len;
  explicit KBlocks(int64_t K) {
    n = (K + KC - 1) / KC;
    len = n > 0 ? (K + n - 1) / n : 0;
  }
};

// C rows [m0, m1) x columns [n0, n1) of one product. n0 is a multiple of NR.
//   bpre: op(B) packed whole (panel p at bpre + p * K * NR), or null to pack each K block here;
//   direct: read full panels of B in place (B not transposed), packing only the edge panel.
//   K blocks [kb_begin, kb_end) only; apre: op(A) = Aᵀ of those blocks packed for all rows (block kb's sliver s
//   at apre + (kb - kb_begin) * apre_stride + s * kc * MR), or null to pack here.
bool compute_tile(const Kernel& kn, const Shape& s, const float* A, const float* B, float* C, int64_t m0, int64_t m1,
                  int64_t n0, int64_t n1, const float* bpre, bool direct, int64_t kb_begin, int64_t kb_end,
                  const float* apre, int64_t apre_stride) {
  Scratch& t = scratch();
  if (!t.ready(kn)) return false;
  const int mr = kn.mr, nr = kn.nr;
  const KBlocks kbs(s.K);
  const int64_t edge_j = n0 + (n1 - n0) / nr * nr;  // first column of a partial panel (== n1 when none)
  // A not transposed: its rows are read in place, or, when they lie a multiple of 2 KiB apart (most of a
  // sliver's rows would then share an L1 set), copied to rows lda_copy apart. A transposed: packed slivers.
  const bool a_copy = !s.tA && (s.K % 512) == 0;
  const int64_t lda_copy = (kbs.len + 15) / 16 * 16 + 16;
  for (int64_t kb = kb_begin; kb < kb_end; ++kb) {
    const int64_t k0 = kb * kbs.len, kc = std::min(kbs.len, s.K - k0);
    const float* bbase = nullptr;
    int64_t pstride = 0;
    if (bpre) {
      bbase = bpre + (n0 / nr) * s.K * nr + k0 * nr;
      pstride = s.K * nr;
    } else if (!direct) {
      int64_t p = 0;
      for (int64_t j = n0; j < n1; j += nr, ++p)
        pack_b(s, B, j, static_cast<int>(std::min<int64_t>(nr, n1 - j)), k0, kc, nr, t.pb + p * kc * nr);
      bbase = t.pb;
      pstride = kc * nr;
    } else if (edge_j < n1) {
      pack_b(s, B, edge_j, static_cast<int>(n1 - edge_j), k0, kc, nr, t.pe);
    }
    const int64_t mbp = MB_SLIVERS * mr;
    for (int64_t ib = m0; ib < m1; ib += mbp) {
      const int64_t ie = std::min(m1, ib + mbp);
      if (a_copy) {
        for (int64_t i = ib; i < ie; ++i)
          std::memcpy(t.pa + (i - ib) * lda_copy, A + i * s.K + k0, sizeof(float) * kc);
      } else if (s.tA && !apre) {
        pack_a(s, A, ib, ie - ib, k0, kc, 0, kc, mr, t.pa);
      }
      for (int64_t i = ib; i < ie; i += mr) {
        const int rows = static_cast<int>(std::min<int64_t>(mr, ie - i));
        const float* pa = a_copy ? t.pa + (i - ib) * lda_copy
                          : s.tA ? (apre ? apre + (kb - kb_begin) * apre_stride + (i / mr) * kc * mr
                                         : t.pa + ((i - ib) / mr) * kc * mr)
                                 : A + i * s.K + k0;
        const int64_t lda = a_copy ? lda_copy : s.tA ? 0 : s.K;
        if (!a_copy && !s.tA) {
          // Rows read in place come in as up to MR short streams that the hardware prefetchers may miss:
          // fetch the next sliver's rows while this one computes.
          const int64_t nrow = std::min<int64_t>(mr, m1 - (i + mr));
          for (int64_t r = 0; r < nrow; ++r) {
            const char* row = reinterpret_cast<const char*>(A + (i + mr + r) * s.K + k0);
            for (int64_t off = 0; off < kc * 4; off += 64) __builtin_prefetch(row + off);
          }
        }
        if (kb == 0) {
          // The next sliver's rows of C, about to be written for the first time.
          const int64_t nrow = std::min<int64_t>(mr, m1 - (i + mr));
          for (int64_t r = 0; r < nrow; ++r) {
            const char* row = reinterpret_cast<const char*>(C + (i + mr + r) * s.N + n0);
            for (int64_t off = 0; off < (n1 - n0) * 4; off += 64) __builtin_prefetch(row + off, 1);
          }
        }
        int64_t p = 0;
        int64_t j = n0;
        if (direct && kn.wide && rows <= 2 && lda != 0) {
          for (; j + WIDE_PANELS * nr <= edge_j; j += WIDE_PANELS * nr, p += WIDE_PANELS)
            kn.wide(kc, pa, lda, B + k0 * s.N + j, s.N, C + i * s.N + j, s.N, rows, kb > 0);
        }
        for (; j < n1; j += nr, ++p) {
          const int cols = static_cast<int>(std::min<int64_t>(nr, n1 - j));
          const float* bp;
          int64_t ldb = nr;
          if (!direct) {
            bp = bbase + p * pstride;
          } else if (j < edge_j) {
            bp = B + k0 * s.N + j;
            ldb = s.N;
          } else {
            bp = t.pe;
          }
          kn.fn(kc, pa, lda, bp, ldb, C + i * s.N + j, s.N, rows, cols, kb > 0);
        }
      }
    }
  }
  return true;
}

int64_t cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t round_up(int64_t a, int64_t b) { return cdiv(a, b) * b; }

template <class F>
void run_tasks(int64_t n, bool threaded, const F& fn) {
  if (!threaded || n <= 1) {
    for (int64_t t = 0; t < n; ++t) fn(t);
  } else {
    parallel_for(n, [&](int64_t t) { fn(t); });
  }
}

// Products with fewer rows than this read B in place when it is not transposed.
int64_t direct_rows(const Kernel& kn) { return 4 * kn.mr; }

}  // namespace

const char* sgemm_kernel_name() { return kernel().name; }

bool sgemm_batched(int64_t batch, int64_t M, int64_t N, int64_t K, bool transA, bool transB, const float* A,
                   int64_t strideA, const float* B, int64_t strideB, float* C, bool threaded) {
  if (batch <= 0 || M <= 0 || N <= 0) return true;
  if (K <= 0) {
    std::memset(C, 0, sizeof(float) * static_cast<size_t>(batch * M * N));
    return true;
  }
  const Kernel& kn = kernel();
  const Shape s{M, N, K, transA, transB};
  const int64_t nr = kn.nr, mr = kn.mr;
  const double work = static_cast<double>(M) * static_cast<double>(N) * static_cast<double>(K);  // MACs
  // Small products (a batch-1 decision's [20, 128] x [128, 384]) finish in tens of microseconds on one core: waking
  // a worker costs as much, and on a loaded machine waiting for it costs far more.
  if (work * static_cast<double>(batch) < 1.5e6) threaded = false;
  const bool direct = !transB && M <= direct_rows(kn);
  std::atomic<bool> failed{false};

  // A few rows times Bᵀ: dot products, tasks over items and blocks of columns.
  if (kn.dot && transB && !transA && M <= DOT_ROWS) {
    const int64_t JB = 256;
    const int64_t ncb = work * static_cast<double>(batch) < double(1 << 20) ? 1 : cdiv(N, JB);
    const int64_t jb = ncb == 1 ? N : JB;
    run_tasks(batch * ncb, threaded, [&](int64_t task) {
      const int64_t b = task / ncb, c = task % ncb;
      kn.dot(K, A + b * strideA, static_cast<int>(M), B + b * strideB, c * jb, std::min(N, (c + 1) * jb),
             C + b * M * N, N);
    });
    return true;
  }

  // Column blocks (all paths): at most NT_MAX wide, multiples of NR.
  int64_t nb = cdiv(N, NT_MAX);
  const int64_t nt = round_up(cdiv(N, nb), nr);
  nb = cdiv(N, nt);

  // Many (or small) items: each task does whole items, packing locally.
  if (batch > 1 && (batch >= 8 || work < double(1 << 20))) {
    const int64_t per = std::max<int64_t>(1, std::min<int64_t>(batch, static_cast<int64_t>(double(1 << 18) / work)));
    run_tasks(cdiv(batch, per), threaded, [&](int64_t task) {
      const int64_t b1 = std::min(batch, (task + 1) * per);
      for (int64_t b = task * per; b < b1; ++b) {
        for (int64_t n0 = 0; n0 < N; n0 += nt) {
          if (!compute_tile(kn, s, A + b * strideA, B + b * strideB, C + b * M * N, 0, M, n0, std::min(N, n0 + nt),
                            nullptr, direct, 0, KBlocks(K).n, nullptr, 0))
            failed = true;
        }
      }
    });
    return !failed;
  }

  // Few large items, one after another, each split into output tiles. About one task per 2^20 MACs, at most 64.
  const int64_t target = std::max<int64_t>(1, std::min<int64_t>(64, static_cast<int64_t>(work / double(1 << 20))));
  // When the packed B does not fit in L2, a task keeps at least 6 slivers so that each K block of B it reads
  // from L3 serves several of them.
  const int64_t min_slivers = static_cast<double>(K) * static_cast<double>(nt) * 4 > double(512 << 10) ? 6 : 1;
  int64_t mb = std::max<int64_t>(1, std::min(cdiv(target, nb), cdiv(M, mr * min_slivers)));
  const int64_t mt = round_up(cdiv(M, mb), mr);
  mb = cdiv(M, mt);
  const bool share_b = !direct && mb > 1;
  const KBlocks kbs(K);
  // A transposed, several row tiles: op(A) is packed once for all of them, a group of K blocks at a time
  // (groups of about 2M floats: fewer synchronisations than one block at a time).
  const bool share_a = transA && mb > 1;
  float* apre_buf = nullptr;
  const int64_t apre_stride = round_up(M, mr) * kbs.len;
  const int64_t kgroup = std::max<int64_t>(1, std::min<int64_t>(kbs.n, (int64_t(1) << 21) / apre_stride));
  if (share_a) {
    apre_buf = prepacked_a().get(static_cast<size_t>(apre_stride * kgroup));
    if (!apre_buf) return false;
  }
  const float* packed_for = nullptr;
  float* pre = nullptr;
  if (share_b) {
    const int64_t npanels = cdiv(N, nr);
    pre = prepacked().get(static_cast<size_t>(npanels * nr * K));
    if (!pre) return false;
  }
  for (int64_t b = 0; b < batch; ++b) {
    const float* Ab = A + b * strideA;
    const float* Bb = B + b * strideB;
    float* Cb = C + b * M * N;
    if (share_b && packed_for != Bb) {
      const int64_t npanels = cdiv(N, nr);
      const int64_t per = std::max<int64_t>(1, cdiv(npanels, 16));
      run_tasks(cdiv(npanels, per), threaded, [&](int64_t task) {
        const int64_t p1 = std::min(npanels, (task + 1) * per);
        for (int64_t p = task * per; p < p1; ++p) {
          const int64_t j = p * nr;
          pack_b(s, Bb, j, static_cast<int>(std::min(nr, N - j)), 0, K, static_cast<int>(nr), pre + p * K * nr);
        }
      });
      packed_for = Bb;
    }
    auto tiles = [&](int64_t kb_begin, int64_t kb_end, const float* apre) {
      run_tasks(mb * nb, threaded, [&](int64_t task) {
        const int64_t im = task / nb, in = task % nb;
        const int64_t m0 = im * mt, n0 = in * nt;
        if (!compute_tile(kn, s, Ab, Bb, Cb, m0, std::min(M, m0 + mt), n0, std::min(N, n0 + nt), pre, direct,
                          kb_begin, kb_end, apre, apre_stride))
          failed = true;
      });
    };
    if (share_a) {
      // A group of K blocks at a time: pack them for all rows (tasks over runs of KG k rows, each row read
      // whole and in order), then the tiles.
      constexpr int64_t KG = 32;
      const int64_t runs = cdiv(kbs.len, KG);  // per K block
      for (int64_t g0 = 0; g0 < kbs.n; g0 += kgroup) {
        const int64_t g1 = std::min(kbs.n, g0 + kgroup);
        run_tasks((g1 - g0) * runs, threaded, [&](int64_t task) {
          const int64_t kb = g0 + task / runs, run = task % runs;
          const int64_t k0 = kb * kbs.len, kc = std::min(kbs.len, K - k0);
          if (run * KG < kc)
            pack_a(s, Ab, 0, M, k0, kc, run * KG, std::min(kc, (run + 1) * KG), static_cast<int>(mr),
                   apre_buf + (kb - g0) * apre_stride);
        });
        tiles(g0, g1, apre_buf);
      }
    } else {
      tiles(0, kbs.n, nullptr);
    }
  }
  // Do not keep a very large shared pack around.
  if (share_b && prepacked().cap > (size_t(64) << 20) / sizeof(float)) prepacked().release();
  if (share_a && prepacked_a().cap > (size_t(64) << 20) / sizeof(float)) prepacked_a().release();
  return !failed;
}

namespace {

// ---------------------------------------------------------------------------------------------------------
// Node-API wrappers.

std::string num_str(double d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

// A non-negative integer argument (at most 2^53 - 1).
bool get_count(napi_env env, napi_value v, const char* what, int64_t* out) {
  napi_valuetype type;
  double d = 0;
  if (napi_typeof(env, v, &type) != napi_ok || type != napi_number || napi_get_value_double(env, v, &d) != napi_ok) {
    throw_range(env, std::string("gemm: ") + what + " must be a number");
    return false;
  }
  if (!(d >= 0) || d > 9007199254740991.0 || d != std::floor(d)) {
    throw_range(env, std::string("gemm: ") + what + " must be a non-negative integer, got " + num_str(d));
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

// a * b + c without overflow (all non-negative), else false.
bool mul_add(int64_t a, int64_t b, int64_t c, int64_t* out) {
  int64_t p;
  if (__builtin_mul_overflow(a, b, &p)) return false;
  return !__builtin_add_overflow(p, c, out);
}

napi_value js_gemm(napi_env env, napi_callback_info info) {
  Args a(env, info, 11, "gemm");
  if (!a.ok) return nullptr;
  int64_t batch, M, N, K, strideA, strideB;
  bool tA, tB;
  float *A, *B, *C;
  size_t lenA, lenB, lenC;
  if (!get_count(env, a.argv[0], "batch", &batch) || !get_count(env, a.argv[1], "M", &M) ||
      !get_count(env, a.argv[2], "N", &N) || !get_count(env, a.argv[3], "K", &K) ||
      !get_bool(env, a.argv[4], &tA, "gemm: transA") || !get_bool(env, a.argv[5], &tB, "gemm: transB") ||
      !get_f32(env, a.argv[6], &A, &lenA, "gemm: A") || !get_count(env, a.argv[7], "strideA", &strideA) ||
      !get_f32(env, a.argv[8], &B, &lenB, "gemm: B") || !get_count(env, a.argv[9], "strideB", &strideB) ||
      !get_f32(env, a.argv[10], &C, &lenC, "gemm: C"))
    return nullptr;
  const std::string dims = "batch " + std::to_string(batch) + ", M " + std::to_string(M) + ", N " +
                           std::to_string(N) + ", K " + std::to_string(K);
  // Elements touched: C [batch, M, N]; A up to (batch-1)·strideA + M·K; B up to (batch-1)·strideB + K·N.
  int64_t needC = 0, needA = 0, needB = 0;
  if (!mul_add(batch, M, 0, &needC) || !mul_add(needC, N, 0, &needC))
    return throw_range(env, "gemm: C size overflows (" + dims + ")");
  if (batch > 0 && M > 0 && K > 0) {
    int64_t mk;
    if (!mul_add(M, K, 0, &mk) || !mul_add(batch - 1, strideA, mk, &needA))
      return throw_range(env, "gemm: A extent overflows (" + dims + ", strideA " + std::to_string(strideA) + ")");
  }
  if (batch > 0 && N > 0 && K > 0) {
    int64_t nk;
    if (!mul_add(N, K, 0, &nk) || !mul_add(batch - 1, strideB, nk, &needB))
      return throw_range(env, "gemm: B extent overflows (" + dims + ", strideB " + std::to_string(strideB) + ")");
  }
  if (static_cast<uint64_t>(needC) > lenC)
    return throw_range(env, "gemm: C has " + std::to_string(lenC) + " elements, needs " + std::to_string(needC) +
                                " (" + dims + ")");
  if (needC > 0 && static_cast<uint64_t>(needA) > lenA)
    return throw_range(env, "gemm: A has " + std::to_string(lenA) + " elements, needs " + std::to_string(needA) +
                                " (" + dims + ", strideA " + std::to_string(strideA) + ")");
  if (needC > 0 && static_cast<uint64_t>(needB) > lenB)
    return throw_range(env, "gemm: B has " + std::to_string(lenB) + " elements, needs " + std::to_string(needB) +
                                " (" + dims + ", strideB " + std::to_string(strideB) + ")");
  // C is written while A and B are read: they must not share memory.
  if (needC > 0) {
    const uintptr_t c0 = reinterpret_cast<uintptr_t>(C), c1 = c0 + sizeof(float) * static_cast<uintptr_t>(needC);
    auto overlaps = [&](const float* p, int64_t n) {
      const uintptr_t p0 = reinterpret_cast<uintptr_t>(p), p1 = p0 + sizeof(float) * static_cast<uintptr_t>(n);
      return n > 0 && p0 < c1 && c0 < p1;
    };
    if (overlaps(A, needA)) return throw_range(env, "gemm: C must not share memory with A");
    if (overlaps(B, needB)) return throw_range(env, "gemm: C must not share memory with B");
  }
  if (!sgemm_batched(batch, M, N, K, tA, tB, A, strideA, B, strideB, C, true))
    return throw_range(env, "gemm: out of memory for the packing buffers (" + dims + ")");
  return undefined(env);
}

napi_value js_gemm_kernel(napi_env env, napi_callback_info) {
  napi_value r;
  napi_create_string_utf8(env, sgemm_kernel_name(), NAPI_AUTO_LENGTH, &r);
  return r;
}

}  // namespace

void register_gemm(napi_env env, napi_value exports) {
  export_fn(env, exports, "gemm", js_gemm);
  export_fn(env, exports, "gemmKernel", js_gemm_kernel);
}

}  // namespace strl
