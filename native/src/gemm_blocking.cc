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
//     first use from the CPU (STRL_GEMM_KERNEL=avx2|generic forces a lesser one, for tests).//   - This file: blocking, packing and threads; the micro-kernels are in gemm_kernels.h, the Node-API binding
//     in gemm_napi.cc.
#include "gemm.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

#include "gemm_kernels.h"
#include "thread_pool.h"

namespace strl {
namespace {

using namespace gemm;

// Largest K block (measured on Zen 4: 512 beats 256 and 384 by a few per cent). A sliver of A (MR x KC floats,
// 24 KiB for AVX-512) stays in L1 while B panels stream past it from L2.
constexpr int64_t KC = 512;
// Largest column block of a task: a K block of packed B (at most KC x NT_MAX floats) is reused from L2.
constexpr int64_t NT_MAX = 512;

// Row slivers of op(A) packed together (one K block), then used one after another from L1/L2.
constexpr int64_t MB_SLIVERS = 8;

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
    parallel_tasks(batch * ncb, threaded, [&](int64_t task) {
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
    parallel_tasks(cdiv(batch, per), threaded, [&](int64_t task) {
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
      parallel_tasks(cdiv(npanels, per), threaded, [&](int64_t task) {
        const int64_t p1 = std::min(npanels, (task + 1) * per);
        for (int64_t p = task * per; p < p1; ++p) {
          const int64_t j = p * nr;
          pack_b(s, Bb, j, static_cast<int>(std::min(nr, N - j)), 0, K, static_cast<int>(nr), pre + p * K * nr);
        }
      });
      packed_for = Bb;
    }
    auto tiles = [&](int64_t kb_begin, int64_t kb_end, const float* apre) {
      parallel_tasks(mb * nb, threaded, [&](int64_t task) {
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
        parallel_tasks((g1 - g0) * runs, threaded, [&](int64_t task) {
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


}  // namespace strl
