// The pieces of the sgemm that the blocking code (gemm_blocking.cc) puts together: the micro-kernels, reached
// through the Kernel record (portable and AVX2 in gemm_microkernels.cc, AVX-512 in gemm_avx512.cc), and the
// packing of op(A) and op(B) (gemm_packing.cc). Pure C++ on raw pointers; nothing here knows Node-API.
#pragma once
#include <cstdint>

namespace strl {
namespace gemm {

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

// The shape of one product: C [M, N] = op(A) · op(B) with K products per element; tA, tB: op = transpose.
struct Shape {
  int64_t M, N, K;
  bool tA, tB;
};

// The micro-kernel set chosen for this CPU at first use (STRL_GEMM_KERNEL=avx2|generic forces a lesser one).
const Kernel& kernel();

// Packs rows [i0, i0 + rows) of op(A) = Aᵀ (A is [K, M]), columns [k0, k0 + kc), as consecutive slivers of mr
// rows (sliver s at dst + s * kc * mr holds dst[k * mr + r] = A[k0 + k][i0 + s * mr + r]); k rows [kfrom, kto)
// of the block only.
void pack_a(const Shape& s, const float* A, int64_t i0, int64_t rows, int64_t k0, int64_t kc, int64_t kfrom,
            int64_t kto, int mr, float* dst);
// dst[k * nr + j] = op(B)[k0 + k][j0 + j] for j < cols, 0 for cols <= j < nr; k < kc.
void pack_b(const Shape& s, const float* B, int64_t j0, int cols, int64_t k0, int64_t kc, int nr, float* dst);

#if defined(__x86_64__)
constexpr int Z_MR = 12, Z_NR = 32;  // the AVX-512 micro-tile

void avx512_fn(int64_t kc, const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc, int rows,
               int cols, bool acc);
void avx512_wide_fn(int64_t kc, const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc,
                    int rows, bool acc);
void avx512_dot_fn(int64_t K, const float* A, int rows, const float* Bt, int64_t j0, int64_t j1, float* C,
                   int64_t ldc);
// A full panel of Bᵀ (Z_NR columns j0.., K rows k0..k0 + kc) packed k-major into dst (B is [N, K]).
void pack_bt_avx512(const Shape& s, const float* B, int64_t j0, int64_t k0, int64_t kc, float* dst);
#endif

}  // namespace gemm
}  // namespace strl
