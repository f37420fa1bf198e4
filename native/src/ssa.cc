// The loops of the fused spiking self-attention (src/models/blocks/fused-spiking-attention.ts) between its LIFs,
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

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "gemm.h"
#include "napi_util.h"
#include "pool.h"

namespace strl {
namespace {

struct Geo {
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

bool get_int(napi_env env, napi_value v, int64_t* out, const char* what) { return get_i64(env, v, out, what); }

// Reads (T, B, K, H, d, kStart, keys, perHead, base, nCells) from argv[at ..] and checks them.
bool get_geo(napi_env env, napi_value* argv, Geo* g) {
  if (!get_int(env, argv[0], &g->T, "T") || !get_int(env, argv[1], &g->B, "B") || !get_int(env, argv[2], &g->K, "K") ||
      !get_int(env, argv[3], &g->H, "H") || !get_int(env, argv[4], &g->d, "d"))
    return false;
  const int64_t lim = int64_t{1} << 31;
  if (g->T < 1 || g->B < 0 || g->K < 0 || g->H < 1 || g->d < 0 || g->d % g->H != 0 || g->T > lim || g->B > lim ||
      g->K > lim || g->d > lim || g->T * g->B * g->K * g->d > (int64_t{1} << 40)) {
    throw_range(env, "ssa: bad shape (need T >= 1, H >= 1, d divisible by H)");
    return false;
  }
  g->dh = g->d / g->H;
  g->N = g->B * g->K;
  g->n = g->N * g->d;
  void *ks, *kk, *ph, *bs;
  size_t ksl, kkl, phl, bsl;
  if (!get_typed(env, argv[5], napi_int32_array, &ks, &ksl, "ssa: kStart") ||
      !get_typed(env, argv[6], napi_int32_array, &kk, &kkl, "ssa: keys") ||
      !get_typed(env, argv[7], napi_int32_array, &ph, &phl, "ssa: perHead") ||
      !get_typed(env, argv[8], napi_int32_array, &bs, &bsl, "ssa: base") || !get_int(env, argv[9], &g->nC, "nCells"))
    return false;
  g->kStart = static_cast<const int32_t*>(ks);
  g->keys = static_cast<const int32_t*>(kk);
  g->perHead = static_cast<const int32_t*>(ph);
  g->base = static_cast<const int32_t*>(bs);
  if (static_cast<int64_t>(ksl) != g->N + 1 || static_cast<int64_t>(phl) != g->B || static_cast<int64_t>(bsl) != g->B) {
    throw_range(env, "ssa: key lists have the wrong lengths");
    return false;
  }
  if (g->kStart[0] != 0 || g->kStart[g->N] != static_cast<int64_t>(kkl)) {
    throw_range(env, "ssa: kStart must run from 0 to keys.length");
    return false;
  }
  for (int64_t r = 0; r < g->N; ++r)
    if (g->kStart[r + 1] < g->kStart[r]) {
      throw_range(env, "ssa: kStart must be non-decreasing");
      return false;
    }
  for (size_t m = 0; m < kkl; ++m)
    if (g->keys[m] < 0 || g->keys[m] >= g->K) {
      throw_range(env, "ssa: a key is out of [0, K)");
      return false;
    }
  // Each query's keys strictly increase: a cell is one entry of the dense [K, K] matrix of its (t, b, h).
  for (int64_t r = 0; r < g->N; ++r)
    for (int64_t m = g->kStart[r] + 1; m < g->kStart[r + 1]; ++m)
      if (g->keys[m] <= g->keys[m - 1]) {
        throw_range(env, "ssa: the keys of a query must strictly increase");
        return false;
      }
  int64_t cells = 0;
  for (int64_t b = 0; b < g->B; ++b) {
    if (g->perHead[b] != g->kStart[(b + 1) * g->K] - g->kStart[b * g->K] || g->base[b] != cells) {
      throw_range(env, "ssa: perHead / base do not match kStart");
      return false;
    }
    cells += g->H * g->perHead[b];
  }
  if (cells != g->nC) {
    throw_range(env, "ssa: nCells does not match the key lists");
    return false;
  }
  return true;
}

bool f32_len(napi_env env, napi_value v, float** p, int64_t want, const char* what) {
  size_t len;
  if (!get_f32(env, v, p, &len, what)) return false;
  if (static_cast<int64_t>(len) != want) {
    throw_range(env, std::string(what) + " has " + std::to_string(len) + " elements, expected " + std::to_string(want));
    return false;
  }
  return true;
}

bool get_mask(napi_env env, napi_value v, const Geo& g, const uint8_t** km) {
  void* p;
  size_t len;
  if (!get_typed(env, v, napi_uint8_array, &p, &len, "ssa: keyMask")) return false;
  if (static_cast<int64_t>(len) != g.N) {
    throw_range(env, "ssa: keyMask must have B·K entries");
    return false;
  }
  *km = static_cast<const uint8_t*>(p);
  return true;
}

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
Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// dst [K, dh] (contiguous) = columns [off, off + dh) of rows [r0, r0 + K) of a [rows, d] array.
inline void gather_head(const float* src, const Geo& g, int64_t r0, int64_t off, float* dst) {
  for (int64_t i = 0; i < g.K; ++i) std::memcpy(dst + i * g.dh, src + (r0 + i) * g.d + off, sizeof(float) * g.dh);
}

// Columns [off, off + dh) of rows [r0, r0 + K) of a [rows, d] array = src [K, dh].
inline void scatter_head(const float* src, const Geo& g, int64_t r0, int64_t off, float* dst) {
  for (int64_t i = 0; i < g.K; ++i) std::memcpy(dst + (r0 + i) * g.d + off, src + i * g.dh, sizeof(float) * g.dh);
}

// Row compaction of a head slice (spikes are sparse): the rows of [r0, r0 + K) x [off, off + dh) with a nonzero
// entry go to dst[0 .. M) in ascending order, then one zero row dst[M] (dst holds (K + 1) · dh floats); pos[i]
// = the row of dst that holds row i (M for a zero row). Returns M. A product over the compacted rows skips
// only terms whose factor is an all-zero row, so sums keep their nonzero terms in the same order.
inline int32_t gather_compact(const float* src, const Geo& g, int64_t r0, int64_t off, float* dst, int32_t* pos) {
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

// Runs fn over n tasks (parallel_for); false when a task ran out of memory (scratch or gemm packing buffers),
// after a RangeError has been thrown.
template <class F>
bool run_tasks(napi_env env, int64_t n, double cost, const char* what, F&& fn) {
  std::atomic<bool> failed{false};
  parallel_for(n, [&](int64_t task) {
    try {
      if (!fn(task)) failed = true;
    } catch (const std::bad_alloc&) {
      failed = true;
    }
  }, cost);
  if (failed) throw_range(env, std::string(what) + ": out of memory");
  return !failed;
}

// ssaScores(geo..., qs, ks, scale, sc): sc[cell] = scale · (number of columns of the head where q and k both
// spiked). Per (t, b, h), S = Q_h K_hᵀ by sgemm over the nonzero rows of Q_h and K_h: sums of 0/1 products are
// small integers, exact in float32.
napi_value js_scores(napi_env env, napi_callback_info info) {
  Args a(env, info, 14, "ssaScores");
  if (!a.ok) return nullptr;
  Geo g;
  if (!get_geo(env, a.argv, &g)) return nullptr;
  float *qs, *ks, *sc;
  double scale;
  if (!f32_len(env, a.argv[10], &qs, g.T * g.n, "ssaScores: qs") || !f32_len(env, a.argv[11], &ks, g.T * g.n, "ssaScores: ks") ||
      !get_f64(env, a.argv[12], &scale, "scale") || !f32_len(env, a.argv[13], &sc, g.T * g.nC, "ssaScores: sc"))
    return nullptr;
  run_tasks(env, g.T * g.B * g.H, g.cost(), "ssaScores", [&](int64_t task) {
    const int64_t h = task % g.H, tb = task / g.H, b = tb % g.B, t = tb / g.B;
    const int64_t cb = g.cellBase(t, b, h), off = h * g.dh, K = g.K;
    Scratch& s = scratch();
    float* q = Scratch::get(s.h0, (K + 1) * g.dh);
    float* k = Scratch::get(s.h1, (K + 1) * g.dh);
    int32_t* pq = Scratch::geti(s.p0, K);
    int32_t* pk = Scratch::geti(s.p1, K);
    const int32_t Mq = gather_compact(qs, g, tb * K, off, q, pq);
    const int32_t Mk = gather_compact(ks, g, tb * K, off, k, pk);
    const int64_t ld = Mk + 1;  // the last column of S (K's zero row) is 0
    float* S = Scratch::get(s.m0, std::max<int64_t>(1, Mq) * ld);
    if (!sgemm(Mq, ld, g.dh, false, true, q, k, S, false)) return false;
    const float zero = static_cast<float>(0.0 * scale);
    const int32_t* keys = g.keys;
    float* o = sc + cb;
    for (int64_t i = 0; i < K; ++i) {
      const int64_t m0 = g.kStart[b * K + i], m1 = g.kStart[b * K + i + 1];
      if (pq[i] == Mq) {
        for (int64_t m = m0; m < m1; ++m) o[m] = zero;
        continue;
      }
      const float* Si = S + pq[i] * ld;
      for (int64_t m = m0; m < m1; ++m) o[m] = static_cast<float>(static_cast<double>(Si[pk[keys[m]]]) * scale);
    }
    return true;
  });
  return undefined(env);
}

// ssaDrivenForward(geo..., sc, vs, y): y [T, N, d] = the scores (on the allowed cells) times the v spikes, per
// head Sc · V_h by sgemm over the nonzero rows of V_h. Bit-identical to the JS loop: the products with 0/1 spikes
// are exact and each output sums them in ascending key order, one float32 rounding per nonzero term (an added
// zero changes nothing).
napi_value js_driven_forward(napi_env env, napi_callback_info info) {
  Args a(env, info, 13, "ssaDrivenForward");
  if (!a.ok) return nullptr;
  Geo g;
  if (!get_geo(env, a.argv, &g)) return nullptr;
  float *sc, *vs, *y;
  if (!f32_len(env, a.argv[10], &sc, g.T * g.nC, "ssaDrivenForward: sc") ||
      !f32_len(env, a.argv[11], &vs, g.T * g.n, "ssaDrivenForward: vs") || !f32_len(env, a.argv[12], &y, g.T * g.n, "ssaDrivenForward: y"))
    return nullptr;
  run_tasks(env, g.T * g.B * g.H, g.cost(), "ssaDrivenForward", [&](int64_t task) {
    const int64_t h = task % g.H, tb = task / g.H, b = tb % g.B, t = tb / g.B;
    const int64_t cb = g.cellBase(t, b, h), off = h * g.dh, K = g.K;
    Scratch& s = scratch();
    float* v = Scratch::get(s.h0, (K + 1) * g.dh);
    float* o = Scratch::get(s.h1, K * g.dh);
    int32_t* pv = Scratch::geti(s.p0, K);
    const int32_t Mv = gather_compact(vs, g, tb * K, off, v, pv);
    const int64_t ld = Mv + 1;
    float* Sc = Scratch::get(s.m0, K * ld);
    std::memset(Sc, 0, sizeof(float) * K * ld);
    const int32_t* keys = g.keys;
    const float* c = sc + cb;
    for (int64_t i = 0; i < K; ++i) {
      float* Si = Sc + i * ld;
      for (int64_t m = g.kStart[b * K + i], m1 = g.kStart[b * K + i + 1]; m < m1; ++m) {
        const int32_t j = pv[keys[m]];
        if (j < Mv) Si[j] = c[m];
      }
    }
    if (!sgemm(K, g.dh, ld, false, false, Sc, v, o, false)) return false;
    scatter_head(o, g, tb * K, off, y);
    return true;
  });
  return undefined(env);
}

// ssaStrlForward(geo..., ss, vs, keyMask, causal, T-mean out, a): the softmax over the allowed cells of the score
// spikes ss (e for a spike, 1 otherwise) times the v spikes, mean over T -> out [B, K, d]; a = 1/Z [T, B, H, K].
// Per (b, h), for t in order: extra = S_bin · V_h by sgemm over the rows with a spiked cell and the nonzero rows
// of V_h (integer counts, exact; skipped when no cell spiked), runSum (the v spikes of all allowed keys) as a
// running integer sum; then the JS formula in double, rounded into out once per t.
napi_value js_strl_forward(napi_env env, napi_callback_info info) {
  Args a(env, info, 16, "ssaStrlForward");
  if (!a.ok) return nullptr;
  Geo g;
  if (!get_geo(env, a.argv, &g)) return nullptr;
  float *ss, *vs, *out, *av;
  const uint8_t* km;
  bool causal;
  if (!f32_len(env, a.argv[10], &ss, g.T * g.nC, "ssaStrlForward: ss") || !f32_len(env, a.argv[11], &vs, g.T * g.n, "ssaStrlForward: vs") ||
      !get_mask(env, a.argv[12], g, &km) || !get_bool(env, a.argv[13], &causal, "causal") ||
      !f32_len(env, a.argv[14], &out, g.n, "ssaStrlForward: out") || !f32_len(env, a.argv[15], &av, g.T * g.B * g.H * g.K, "ssaStrlForward: a"))
    return nullptr;
  const double invT = 1.0 / static_cast<double>(g.T);
  run_tasks(env, g.B * g.H, g.cost(), "ssaStrlForward", [&](int64_t task) {
    const int64_t h = task % g.H, b = task / g.H, off = h * g.dh, K = g.K, dh = g.dh;
    Scratch& s = scratch();
    float* v = Scratch::get(s.h0, (K + 1) * dh);
    float* e = Scratch::get(s.h1, (K + 1) * dh);
    int32_t* pv = Scratch::geti(s.p0, K);
    int32_t* pi = Scratch::geti(s.p1, K);
    int32_t* n1 = Scratch::geti(s.p2, K);
    std::vector<int32_t> runSum(dh);  // integer counts (the JS doubles hold the same integers)
    int32_t* rs = runSum.data();
    const int32_t* keys = g.keys;
    const int32_t* kS = g.kStart + b * K;
    for (int64_t i = 0; i < K; ++i) std::memset(out + (b * K + i) * g.d + off, 0, sizeof(float) * dh);
    for (int64_t t = 0; t < g.T; ++t) {
      const int64_t tb = t * g.B + b, cb = g.cellBase(t, b, h);
      const float* c = ss + cb;
      // spiked cells per row (branch-free); rows with one get a row of S_bin
      int32_t Mi = 0;
      for (int64_t i = 0; i < K; ++i) {
        int32_t cnt = 0;
        for (int64_t m = kS[i], m1 = kS[i + 1]; m < m1; ++m) cnt += c[m] != 0.0f;
        n1[i] = cnt;
        pi[i] = cnt ? Mi++ : -1;
      }
      const int32_t Mv = gather_compact(vs, g, tb * K, off, v, pv);
      std::memset(e + static_cast<int64_t>(Mi) * dh, 0, sizeof(float) * dh);  // the zero row of rows without spikes
      if (Mi > 0 && Mv > 0) {
        const int64_t ld = Mv + 1;
        float* Sb = Scratch::get(s.m0, Mi * ld);
        std::memset(Sb, 0, sizeof(float) * Mi * ld);
        for (int64_t i = 0; i < K; ++i) {
          if (pi[i] < 0) continue;
          float* Si = Sb + pi[i] * ld;
          for (int64_t m = kS[i], m1 = kS[i + 1]; m < m1; ++m) Si[pv[keys[m]]] = static_cast<float>(c[m] != 0.0f);
        }
        if (!sgemm(Mi, dh, ld, false, false, Sb, v, e, false)) return false;
      } else if (Mi > 0) {
        std::memset(e, 0, sizeof(float) * Mi * dh);
      }
      for (int64_t i = 0; i < K; ++i)
        if (pi[i] < 0) pi[i] = Mi;
      auto addRow = [&](int64_t j) {
        const float* vj = v + static_cast<int64_t>(pv[j]) * dh;
        for (int64_t cc = 0; cc < dh; ++cc) rs[cc] += vj[cc] != 0.0f;
      };
      std::fill(runSum.begin(), runSum.end(), 0);
      if (!causal)
        for (int64_t j = 0; j < K; ++j)
          if (km[b * K + j] == 1) addRow(j);
      for (int64_t i = 0; i < K; ++i) {
        if (causal && km[b * K + i] == 1) addRow(i);
        const int64_t m0 = kS[i], m1 = kS[i + 1];
        float* ao = av + (tb * g.H + h) * K + i;
        if (m1 == m0) {
          *ao = 0;
          continue;
        }
        const double ai = 1 / (static_cast<double>(m1 - m0) + kE1 * static_cast<double>(n1[i]));
        *ao = static_cast<float>(ai);
        const double w = ai * invT;
        float* o = out + (b * K + i) * g.d + off;
        const float* ei = e + static_cast<int64_t>(pi[i]) * dh;
        for (int64_t cc = 0; cc < dh; ++cc)
          o[cc] = static_cast<float>(static_cast<double>(o[cc]) +
                                     w * (static_cast<double>(rs[cc]) + kE1 * static_cast<double>(ei[cc])));
      }
    }
    return true;
  });
  return undefined(env);
}

// ssaStrlBackward(geo..., dOut, cells, a, vs, keyMask, causal, dCells, dvs): the gradient of the softmax·V part
// (before the score LIF's backward) -> dCells [T, nCells] and dvs [T, N, d] (both overwritten). Per (t, b, h):
// Dp = dOut_h · V_hᵀ (sgemm over the nonzero rows of V_h) gives every cell's Σ_c v_jc dO_ic, and the softmax
// gradient per row is the JS formula. dV_h = Pᵀ dOut_h with P_ij = a_i (e if the cell spiked, else 1) / T on
// the allowed cells, in two parts: the 1/Z part (a_i / T on every allowed cell) as a running double sum over
// the queries (as JS), the spiked part ((e - 1) a_i / T) by sgemm over the rows with a spiked cell.
napi_value js_strl_backward(napi_env env, napi_callback_info info) {
  Args a(env, info, 18, "ssaStrlBackward");
  if (!a.ok) return nullptr;
  Geo g;
  if (!get_geo(env, a.argv, &g)) return nullptr;
  float *dOut, *cells, *av, *vs, *dCells, *dvs;
  const uint8_t* km;
  bool causal;
  if (!f32_len(env, a.argv[10], &dOut, g.n, "ssaStrlBackward: dOut") || !f32_len(env, a.argv[11], &cells, g.T * g.nC, "ssaStrlBackward: cells") ||
      !f32_len(env, a.argv[12], &av, g.T * g.B * g.H * g.K, "ssaStrlBackward: a") || !f32_len(env, a.argv[13], &vs, g.T * g.n, "ssaStrlBackward: vs") ||
      !get_mask(env, a.argv[14], g, &km) || !get_bool(env, a.argv[15], &causal, "causal") ||
      !f32_len(env, a.argv[16], &dCells, g.T * g.nC, "ssaStrlBackward: dCells") || !f32_len(env, a.argv[17], &dvs, g.T * g.n, "ssaStrlBackward: dvs"))
    return nullptr;
  const double invT = 1.0 / static_cast<double>(g.T);
  run_tasks(env, g.T * g.B * g.H, g.cost(), "ssaStrlBackward", [&](int64_t task) {
    const int64_t h = task % g.H, tb = task / g.H, b = tb % g.B, t = tb / g.B;
    const int64_t cb = g.cellBase(t, b, h), off = h * g.dh, K = g.K, dh = g.dh;
    Scratch& s = scratch();
    float* dO = Scratch::get(s.h0, K * dh);
    float* v = Scratch::get(s.h1, (K + 1) * dh);
    float* dOc = Scratch::get(s.h2, K * dh);
    float* dve = Scratch::get(s.h3, K * dh);
    int32_t* pv = Scratch::geti(s.p0, K);
    int32_t* pi = Scratch::geti(s.p1, K);
    gather_head(dOut, g, b * K, off, dO);
    const int32_t Mv = gather_compact(vs, g, tb * K, off, v, pv);
    const int64_t ld = Mv + 1;
    float* Dp = Scratch::get(s.m0, K * ld);
    if (!sgemm(K, ld, dh, false, true, dO, v, Dp, false)) return false;
    const int32_t* keys = g.keys;
    const int32_t* kS = g.kStart + b * K;
    const float* c = cells + cb;
    float* dc = dCells + cb;
    const float* aRow = av + (tb * g.H + h) * K;
    // rows with a spiked cell (and a != 0) get a row of the spiked part of P
    int32_t Mi = 0;
    for (int64_t i = 0; i < K; ++i) {
      int32_t cnt = 0;
      for (int64_t m = kS[i], m1 = kS[i + 1]; m < m1; ++m) cnt += c[m] != 0.0f;
      pi[i] = cnt && aRow[i] != 0 ? Mi++ : -1;
    }
    float* Pe = Scratch::get(s.m1, std::max<int32_t>(1, Mi) * K);
    std::memset(Pe, 0, sizeof(float) * Mi * K);
    for (int64_t i = 0; i < K; ++i) {
      const int64_t m0 = kS[i], m1 = kS[i + 1];
      const double ai = aRow[i];
      if (ai == 0) {
        for (int64_t m = m0; m < m1; ++m) dc[m] = 0;
        continue;
      }
      const float* Di = Dp + i * ld;
      double mean = 0;
      for (int64_t m = m0; m < m1; ++m) mean += ai * (c[m] != 0 ? kE : 1.0) * (static_cast<double>(Di[pv[keys[m]]]) * invT);
      for (int64_t m = m0; m < m1; ++m)
        dc[m] = static_cast<float>(ai * (c[m] != 0 ? kE : 1.0) * (static_cast<double>(Di[pv[keys[m]]]) * invT - mean));
      if (pi[i] >= 0) {
        float* Pi = Pe + pi[i] * K;
        const float coef = static_cast<float>(kE1 * ai * invT);
        for (int64_t m = m0; m < m1; ++m) Pi[keys[m]] = c[m] != 0 ? coef : 0.0f;
        std::memcpy(dOc + pi[i] * dh, dO + i * dh, sizeof(float) * dh);
      }
    }
    if (!sgemm(K, dh, Mi, true, false, Pe, dOc, dve, false)) return false;  // Mi = 0 gives zeros
    // the 1/Z part: key j collects a_i dO_i / T from every query i that may attend it
    double acc[256];
    std::vector<double> accv;
    double* ac = acc;
    if (dh > 256) {
      accv.assign(dh, 0.0);
      ac = accv.data();
    }
    std::fill(ac, ac + dh, 0.0);
    auto addQuery = [&](int64_t i) {
      const double ai = static_cast<double>(aRow[i]) * invT;
      const float* dRow = dO + i * dh;
      for (int64_t cc = 0; cc < dh; ++cc) ac[cc] += ai * dRow[cc];
    };
    auto setKey = [&](int64_t j, bool allowed) {
      float* dv = dvs + (tb * K + j) * g.d + off;
      const float* e = dve + j * dh;
      if (allowed)
        for (int64_t cc = 0; cc < dh; ++cc) dv[cc] = static_cast<float>(static_cast<double>(e[cc]) + ac[cc]);
      else
        std::memcpy(dv, e, sizeof(float) * dh);
    };
    if (causal) {
      for (int64_t i = K - 1; i >= 0; --i) {
        addQuery(i);
        setKey(i, km[b * K + i] == 1);
      }
    } else {
      for (int64_t i = 0; i < K; ++i) addQuery(i);
      for (int64_t j = 0; j < K; ++j) setKey(j, km[b * K + j] == 1);
    }
    return true;
  });
  return undefined(env);
}

// ssaDrivenBackward(geo..., dy, cells, vs, dCells, dvs): y = scores · v -> dCells (d loss / d scaled score) and
// dvs (both overwritten); dy is the output LIF's input gradient [T, N, d], cells the scaled scores. Per (t, b, h):
// D = dY_h · V_hᵀ (over the nonzero rows of V_h) and dV_h = Scᵀ · dY_h (over the rows with a nonzero score) by
// sgemm.
napi_value js_driven_backward(napi_env env, napi_callback_info info) {
  Args a(env, info, 15, "ssaDrivenBackward");
  if (!a.ok) return nullptr;
  Geo g;
  if (!get_geo(env, a.argv, &g)) return nullptr;
  float *dy, *cells, *vs, *dCells, *dvs;
  if (!f32_len(env, a.argv[10], &dy, g.T * g.n, "ssaDrivenBackward: dy") || !f32_len(env, a.argv[11], &cells, g.T * g.nC, "ssaDrivenBackward: cells") ||
      !f32_len(env, a.argv[12], &vs, g.T * g.n, "ssaDrivenBackward: vs") ||
      !f32_len(env, a.argv[13], &dCells, g.T * g.nC, "ssaDrivenBackward: dCells") || !f32_len(env, a.argv[14], &dvs, g.T * g.n, "ssaDrivenBackward: dvs"))
    return nullptr;
  run_tasks(env, g.T * g.B * g.H, g.cost(), "ssaDrivenBackward", [&](int64_t task) {
    const int64_t h = task % g.H, tb = task / g.H, b = tb % g.B, t = tb / g.B;
    const int64_t cb = g.cellBase(t, b, h), off = h * g.dh, K = g.K, dh = g.dh;
    Scratch& s = scratch();
    float* dY = Scratch::get(s.h0, K * dh);
    float* v = Scratch::get(s.h1, (K + 1) * dh);
    float* dv = Scratch::get(s.h2, K * dh);
    float* dYc = Scratch::get(s.h3, K * dh);
    int32_t* pv = Scratch::geti(s.p0, K);
    gather_head(dy, g, tb * K, off, dY);
    const int32_t Mv = gather_compact(vs, g, tb * K, off, v, pv);
    const int64_t ld = Mv + 1;
    float* D = Scratch::get(s.m0, K * ld);
    if (!sgemm(K, ld, dh, false, true, dY, v, D, false)) return false;
    const int32_t* keys = g.keys;
    const int32_t* kS = g.kStart + b * K;
    const float* c = cells + cb;
    float* dc = dCells + cb;
    float* Sc = Scratch::get(s.m1, K * K);
    int32_t Mi = 0;
    for (int64_t i = 0; i < K; ++i) {
      const float* Di = D + i * ld;
      const int64_t m0 = kS[i], m1 = kS[i + 1];
      int32_t nz = 0;
      for (int64_t m = m0; m < m1; ++m) {
        dc[m] = Di[pv[keys[m]]];
        nz |= c[m] != 0.0f;
      }
      if (!nz) continue;
      float* Si = Sc + Mi * K;
      std::memset(Si, 0, sizeof(float) * K);
      for (int64_t m = m0; m < m1; ++m) Si[keys[m]] = c[m];
      std::memcpy(dYc + Mi * dh, dY + i * dh, sizeof(float) * dh);
      ++Mi;
    }
    if (!sgemm(K, dh, Mi, true, false, Sc, dYc, dv, false)) return false;  // Mi = 0 gives zeros
    scatter_head(dv, g, tb * K, off, dvs);
    return true;
  });
  return undefined(env);
}

// ssaScoresBackward(geo..., dCells, qs, ks, scale, dqs, dks): scores = scale · q kᵀ on the allowed cells -> the
// spike gradients of q and k (overwritten): per (t, b, h), with G = scale · dCells on the allowed cells (0
// elsewhere, float32), dQ_h = G K_h and dK_h = Gᵀ Q_h by sgemm, each over the nonzero rows of K_h / Q_h. The JS
// kernel rounds to float32 after every term; the two agree to float32 rounding (tested to 1e-6). The order is
// fixed by the data and the shape, so threads never change bits.
napi_value js_scores_backward(napi_env env, napi_callback_info info) {
  Args a(env, info, 16, "ssaScoresBackward");
  if (!a.ok) return nullptr;
  Geo g;
  if (!get_geo(env, a.argv, &g)) return nullptr;
  float *dCells, *qs, *ks, *dqs, *dks;
  double scale;
  if (!f32_len(env, a.argv[10], &dCells, g.T * g.nC, "ssaScoresBackward: dCells") ||
      !f32_len(env, a.argv[11], &qs, g.T * g.n, "ssaScoresBackward: qs") || !f32_len(env, a.argv[12], &ks, g.T * g.n, "ssaScoresBackward: ks") ||
      !get_f64(env, a.argv[13], &scale, "scale") || !f32_len(env, a.argv[14], &dqs, g.T * g.n, "ssaScoresBackward: dqs") ||
      !f32_len(env, a.argv[15], &dks, g.T * g.n, "ssaScoresBackward: dks"))
    return nullptr;
  run_tasks(env, g.T * g.B * g.H, g.cost(), "ssaScoresBackward", [&](int64_t task) {
    const int64_t h = task % g.H, tb = task / g.H, b = tb % g.B, t = tb / g.B;
    const int64_t cb = g.cellBase(t, b, h), off = h * g.dh, K = g.K, dh = g.dh;
    Scratch& s = scratch();
    float* q = Scratch::get(s.h0, (K + 1) * dh);
    float* k = Scratch::get(s.h1, (K + 1) * dh);
    float* o = Scratch::get(s.h2, K * dh);
    int32_t* pq = Scratch::geti(s.p0, K);
    int32_t* pk = Scratch::geti(s.p1, K);
    const int32_t Mq = gather_compact(qs, g, tb * K, off, q, pq);
    const int32_t Mk = gather_compact(ks, g, tb * K, off, k, pk);
    const int64_t l1 = Mk + 1;
    float* G1 = Scratch::get(s.m0, K * l1);         // [K, Mk + 1]: columns of the nonzero K rows (+ a dump column)
    float* G2 = Scratch::get(s.m1, (Mq + 1) * K);   // [Mq + 1, K]: rows of the nonzero Q rows (+ a dump row)
    std::memset(G1, 0, sizeof(float) * K * l1);
    std::memset(G2, 0, sizeof(float) * (Mq + 1) * K);
    const int32_t* keys = g.keys;
    const int32_t* kS = g.kStart + b * K;
    const float* c = dCells + cb;
    for (int64_t i = 0; i < K; ++i) {
      float* G1i = G1 + i * l1;
      float* G2i = G2 + static_cast<int64_t>(pq[i]) * K;
      for (int64_t m = kS[i], m1 = kS[i + 1]; m < m1; ++m) {
        const float gv = static_cast<float>(static_cast<double>(c[m]) * scale);
        G1i[pk[keys[m]]] = gv;
        G2i[keys[m]] = gv;
      }
    }
    if (!sgemm(K, dh, l1, false, false, G1, k, o, false)) return false;
    scatter_head(o, g, tb * K, off, dqs);
    if (!sgemm(K, dh, Mq + 1, true, false, G2, q, o, false)) return false;
    scatter_head(o, g, tb * K, off, dks);
    return true;
  });
  return undefined(env);
}

}  // namespace

void register_ssa(napi_env env, napi_value exports) {
  export_fn(env, exports, "ssaScores", js_scores);
  export_fn(env, exports, "ssaDrivenForward", js_driven_forward);
  export_fn(env, exports, "ssaStrlForward", js_strl_forward);
  export_fn(env, exports, "ssaStrlBackward", js_strl_backward);
  export_fn(env, exports, "ssaDrivenBackward", js_driven_backward);
  export_fn(env, exports, "ssaScoresBackward", js_scores_backward);
}

}  // namespace strl
