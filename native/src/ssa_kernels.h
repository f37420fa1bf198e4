// The kernels of the fused spiking self-attention (src/models/blocks/fused-spiking-attention.ts) between its LIFs,
// the native twin of the JS kernel. Every product is a small dense matrix product per (t, b, h), run by the
// engine's sgemm (gemm.h) on the head's slices gathered into contiguous [K, dh] buffers: scores Q_h K_hᵀ, the
// softmax·V product S_bin V_h, and their gradients. The causal / padding mask is applied when moving between
// the dense [K, K] matrices and the cell layout below (disallowed entries are zero).
//
// Exactness: spikes are 0/1, so the forward products are sums of small integers (or, "spike-driven", of the
// scores in ascending key order, one rounding per nonzero term), exact as in JS; the forward outputs and spike
// counts are bit-identical to the JS kernel, whose double / float32 formulas are kept around the products.
// Gradient products are summed in float32 by sgemm, so gradients agree with JS to float32 rounding.
//
// Geometry (as KeyLists in the TS file): query row r = b·K + i may attend keys[kStart[r] .. kStart[r+1]) (strictly
// increasing); the score cells of step t, batch row b, head h, query i are t·nCells + base[b] + h·perHead[b] +
// (m - kStart[b·K]) for m in that range. Spikes / gradients of q, k, v are [T, B, K, d] with head h in columns
// [h·dh, (h+1)·dh).
//
// Threads: tasks are (t, b, h) (or (b, h) where the output sums over t), fixed by the shape; each calls sgemm
// single-threaded (its order depends on the shape only) and every output element is written by exactly one
// task, so results do not depend on the thread count.
#if defined(__FMA__)
#pragma GCC optimize("fp-contract=off")
#endif

//
// Pure C++ on raw pointers: the forward kernels are in ssa_forward_kernels.cc, the backward ones in
// ssa_backward_kernels.cc, the Node-API binding (which checks the geometry and every array) in ssa_napi.cc.
// Each kernel returns false when it ran out of memory.
#pragma once
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>
#include <vector>

#include "thread_pool.h"

namespace strl {

// The geometry of one call, as the binding read and checked it (the ssa* functions' first ten arguments).
struct SsaGeo {
  int64_t T, B, K, H, d, dh, N, n, nC;
  const int32_t* kStart;  // [B·K + 1]
  const int32_t* keys;
  const int32_t* perHead;  // [B]
  const int32_t* base;     // [B]
  // Rough work of one attention loop (score cells x head width), for parallel_for's small-job rule.
  double cost() const { return static_cast<double>(T) * static_cast<double>(nC + n) * static_cast<double>(dh); }
  int64_t cellBase(int64_t t, int64_t b, int64_t h) const {
    return t * nC + base[b] + h * perHead[b] - kStart[b * K];
  }
};

// ssaScores(geo..., qs, ks, scale, sc): sc[cell] = scale · (number of columns of the head where q and k both
// spiked). Per (t, b, h), S = Q_h K_hᵀ by sgemm over the nonzero rows of Q_h and K_h: sums of 0/1 products are
// small integers, exact in float32.
bool ssa_scores(const SsaGeo& g, const float* qs, const float* ks, double scale, float* sc);

// ssaDrivenForward(geo..., sc, vs, y): y [T, N, d] = the scores (on the allowed cells) times the v spikes, per
// head Sc · V_h by sgemm over the nonzero rows of V_h. Bit-identical to the JS loop: the products with 0/1 spikes
// are exact and each output sums them in ascending key order, one float32 rounding per nonzero term (an added
// zero changes nothing).
bool ssa_driven_forward(const SsaGeo& g, const float* sc, const float* vs, float* y);

// ssaStrlForward(geo..., ss, vs, keyMask, causal, T-mean out, a): the softmax over the allowed cells of the score
// spikes ss (e for a spike, 1 otherwise) times the v spikes, mean over T -> out [B, K, d]; a = 1/Z [T, B, H, K].
// Per (b, h), for t in order: extra = S_bin · V_h by sgemm over the rows with a spiked cell and the nonzero rows
// of V_h (integer counts, exact; skipped when no cell spiked), runSum (the v spikes of all allowed keys) as a
// running integer sum; then the JS formula in double, rounded into out once per t.
bool ssa_strl_forward(const SsaGeo& g, const float* ss, const float* vs, const uint8_t* km, bool causal, float* out, float* av);

// ssaStrlBackward(geo..., dOut, cells, a, vs, keyMask, causal, dCells, dvs): the gradient of the softmax·V part
// (before the score LIF's backward) -> dCells [T, nCells] and dvs [T, N, d] (both overwritten). Per (t, b, h):
// Dp = dOut_h · V_hᵀ (sgemm over the nonzero rows of V_h) gives every cell's Σ_c v_jc dO_ic, and the softmax
// gradient per row is the JS formula. dV_h = Pᵀ dOut_h with P_ij = a_i (e if the cell spiked, else 1) / T on
// the allowed cells, in two parts: the 1/Z part (a_i / T on every allowed cell) as a running double sum over
// the queries (as JS), the spiked part ((e - 1) a_i / T) by sgemm over the rows with a spiked cell.
bool ssa_strl_backward(const SsaGeo& g, const float* dOut, const float* cells, const float* av, const float* vs, const uint8_t* km, bool causal, float* dCells, float* dvs);

// ssaDrivenBackward(geo..., dy, cells, vs, dCells, dvs): y = scores · v -> dCells (d loss / d scaled score) and
// dvs (both overwritten); dy is the output LIF's input gradient [T, N, d], cells the scaled scores. Per (t, b, h):
// D = dY_h · V_hᵀ (over the nonzero rows of V_h) and dV_h = Scᵀ · dY_h (over the rows with a nonzero score) by
// sgemm.
bool ssa_driven_backward(const SsaGeo& g, const float* dy, const float* cells, const float* vs, float* dCells, float* dvs);

// ssaScoresBackward(geo..., dCells, qs, ks, scale, dqs, dks): scores = scale · q kᵀ on the allowed cells -> the
// spike gradients of q and k (overwritten): per (t, b, h), with G = scale · dCells on the allowed cells (0
// elsewhere, float32), dQ_h = G K_h and dK_h = Gᵀ Q_h by sgemm, each over the nonzero rows of K_h / Q_h. The JS
// kernel rounds to float32 after every term; the two agree to float32 rounding (tested to 1e-6). The order is
// fixed by the data and the shape, so threads never change bits.
bool ssa_scores_backward(const SsaGeo& g, const float* dCells, const float* qs, const float* ks, double scale, float* dqs, float* dks);

namespace ssa {

constexpr double kE = M_E;
constexpr double kE1 = M_E - 1;

// Per-thread scratch of one task: head slices [K (+1), dh], dense matrices and row maps, grow-only.
struct Scratch {
  std::vector<float> h0, h1, h2, h3, m0, m1;
  std::vector<int32_t> p0, p1, p2;
  static float* get(std::vector<float>& v, int64_t n) {
    if (static_cast<int64_t>(v.size()) < n) v.resize(static_cast<size_t>(n));
    return v.data();
  }
  static int32_t* geti(std::vector<int32_t>& v, int64_t n) {
    if (static_cast<int64_t>(v.size()) < n) v.resize(static_cast<size_t>(n));
    return v.data();
  }
};
inline Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// dst [K, dh] (contiguous) = columns [off, off + dh) of rows [r0, r0 + K) of a [rows, d] array.
inline void gather_head(const float* src, const SsaGeo& g, int64_t r0, int64_t off, float* dst) {
  for (int64_t i = 0; i < g.K; ++i) std::memcpy(dst + i * g.dh, src + (r0 + i) * g.d + off, sizeof(float) * g.dh);
}

// Columns [off, off + dh) of rows [r0, r0 + K) of a [rows, d] array = src [K, dh].
inline void scatter_head(const float* src, const SsaGeo& g, int64_t r0, int64_t off, float* dst) {
  for (int64_t i = 0; i < g.K; ++i) std::memcpy(dst + (r0 + i) * g.d + off, src + i * g.dh, sizeof(float) * g.dh);
}

// Row compaction of a head slice (spikes are sparse): the rows of [r0, r0 + K) x [off, off + dh) with a nonzero
// entry go to dst[0 .. M) in ascending order, then one zero row dst[M] (dst holds (K + 1) · dh floats); pos[i]
// = the row of dst that holds row i (M for a zero row). Returns M. A product over the compacted rows skips
// only terms whose factor is an all-zero row, so sums keep their nonzero terms in the same order.
inline int32_t gather_compact(const float* src, const SsaGeo& g, int64_t r0, int64_t off, float* dst, int32_t* pos) {
  const int64_t dh = g.dh;
  int32_t M = 0;
  for (int64_t i = 0; i < g.K; ++i) {
    // copy first (memcpy's wide loads keep several cache misses in flight), then test the copy (in L1); a zero
    // row is overwritten by the next one
    float* r = dst + M * dh;
    std::memcpy(r, src + (r0 + i) * g.d + off, sizeof(float) * dh);
    int32_t nz = 0;
    for (int64_t c = 0; c < dh; ++c) nz |= r[c] != 0.0f;
    pos[i] = nz ? M++ : -1;
  }
  std::memset(dst + M * dh, 0, sizeof(float) * dh);
  for (int64_t i = 0; i < g.K; ++i)
    if (pos[i] < 0) pos[i] = M;
  return M;
}

// Runs fn(task) over n tasks on the thread pool (thread_pool.h); false when a task ran out of memory (scratch or
// gemm packing buffers).
template <class F>
bool ssa_tasks(int64_t n, double cost, F&& fn) {
  std::atomic<bool> failed{false};
  parallel_tasks(n, true, [&](int64_t task) {
    try {
      if (!fn(task)) failed = true;
    } catch (const std::bad_alloc&) {
      failed = true;
    }
  }, cost);
  return !failed;
}

}  // namespace ssa
}  // namespace strl
