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

// Per-thread scratch of one (t, b, h) task: head slices [K, dh] and dense [K, K] matrices, grow-only.
struct Scratch {
  std::vector<float> h0, h1, h2, m0;
  static float* get(std::vector<float>& v, int64_t n) {
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
// spiked). S = Q_h K_hᵀ per (t, b, h) by sgemm: sums of 0/1 products are small integers, exact in float32.
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
    float* q = Scratch::get(s.h0, K * g.dh);
    float* k = Scratch::get(s.h1, K * g.dh);
    float* S = Scratch::get(s.m0, K * K);
    gather_head(qs, g, tb * K, off, q);
    gather_head(ks, g, tb * K, off, k);
    if (!sgemm(K, K, g.dh, false, true, q, k, S, false)) return false;
    for (int64_t i = 0; i < K; ++i) {
      const float* Si = S + i * K;
      const int32_t* keys = g.keys;
      float* o = sc + cb;
      for (int64_t m = g.kStart[b * K + i], m1 = g.kStart[b * K + i + 1]; m < m1; ++m)
        o[m] = static_cast<float>(static_cast<double>(Si[keys[m]]) * scale);
    }
    return true;
  });
  return undefined(env);
}

// Fills dense [K, K] (zeroed) with the cells of (t, b, h): M[i, key] = f(cell value).
template <class F>
inline void cells_to_dense(const Geo& g, int64_t b, int64_t cb, const float* cells, float* M, F&& f) {
  const int64_t K = g.K;
  const int32_t* keys = g.keys;
  const int32_t* ks = g.kStart + b * K;
  const float* c = cells + cb;
  std::memset(M, 0, sizeof(float) * K * K);
  for (int64_t i = 0; i < K; ++i) {
    float* Mi = M + i * K;
    for (int64_t m = ks[i], m1 = ks[i + 1]; m < m1; ++m) Mi[keys[m]] = f(c[m]);
  }
}

// ssaDrivenForward(geo..., sc, vs, y): y [T, N, d] = the scores (on the allowed cells) times the v spikes, per
// head Sc · V_h by sgemm. Bit-identical to the JS loop: the products with 0/1 spikes are exact and each output
// sums them in ascending key order, one float32 rounding per nonzero term (an added zero changes nothing).
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
    float* v = Scratch::get(s.h0, K * g.dh);
    float* o = Scratch::get(s.h1, K * g.dh);
    float* Sc = Scratch::get(s.m0, K * K);
    cells_to_dense(g, b, cb, sc, Sc, [](float x) { return x; });
    gather_head(vs, g, tb * K, off, v);
    if (!sgemm(K, g.dh, K, false, false, Sc, v, o, false)) return false;
    scatter_head(o, g, tb * K, off, y);
    return true;
  });
  return undefined(env);
}

// ssaStrlForward(geo..., ss, vs, keyMask, causal, T-mean out, a): the softmax over the allowed cells of the score
// spikes ss (e for a spike, 1 otherwise) times the v spikes, mean over T -> out [B, K, d]; a = 1/Z [T, B, H, K].
// Per (b, h), for t in order: extra = S_bin · V_h by sgemm (integer counts, exact), runSum (the v spikes of all
// allowed keys) as a running sum; then the JS formula in double, rounded into out once per t.
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
    float* v = Scratch::get(s.h0, K * dh);
    float* e = Scratch::get(s.h1, K * dh);
    float* Sb = Scratch::get(s.m0, K * K);
    std::vector<int32_t> runSum(dh), n1(K);  // integer counts (the JS doubles hold the same integers)
    for (int64_t i = 0; i < K; ++i) std::memset(out + (b * K + i) * g.d + off, 0, sizeof(float) * dh);
    for (int64_t t = 0; t < g.T; ++t) {
      const int64_t tb = t * g.B + b, cb = g.cellBase(t, b, h);
      // S_bin (1 where the allowed cell spiked) and the spikes per row, branch-free
      std::memset(Sb, 0, sizeof(float) * K * K);
      for (int64_t i = 0; i < K; ++i) {
        float* Si = Sb + i * K;
        int32_t cnt = 0;
        const int32_t* keys = g.keys;
        const float* c = ss + cb;
        for (int64_t m = g.kStart[b * K + i], m1 = g.kStart[b * K + i + 1]; m < m1; ++m) {
          const int32_t sp = c[m] != 0.0f;
          Si[keys[m]] = static_cast<float>(sp);
          cnt += sp;
        }
        n1[i] = cnt;
      }
      gather_head(vs, g, tb * K, off, v);
      if (!sgemm(K, dh, K, false, false, Sb, v, e, false)) return false;
      int32_t* rs = runSum.data();
      auto addRow = [&](int64_t j) {
        const float* vj = v + j * dh;
        for (int64_t c = 0; c < dh; ++c) rs[c] += vj[c] != 0.0f;
      };
      std::fill(runSum.begin(), runSum.end(), 0);
      if (!causal)
        for (int64_t j = 0; j < K; ++j)
          if (km[b * K + j] == 1) addRow(j);
      for (int64_t i = 0; i < K; ++i) {
        if (causal && km[b * K + i] == 1) addRow(i);
        const int64_t m0 = g.kStart[b * K + i], m1 = g.kStart[b * K + i + 1];
        float* ao = av + (tb * g.H + h) * K + i;
        if (m1 == m0) {
          *ao = 0;
          continue;
        }
        const double ai = 1 / (static_cast<double>(m1 - m0) + kE1 * static_cast<double>(n1[i]));
        *ao = static_cast<float>(ai);
        const double w = ai * invT;
        float* o = out + (b * K + i) * g.d + off;
        const float* ei = e + i * dh;
        for (int64_t c = 0; c < dh; ++c)
          o[c] = static_cast<float>(static_cast<double>(o[c]) +
                                    w * (static_cast<double>(rs[c]) + kE1 * static_cast<double>(ei[c])));
      }
    }
    return true;
  });
  return undefined(env);
}

// ssaStrlBackward(geo..., dOut, cells, a, vs, keyMask, causal, dCells, dvs): the gradient of the softmax·V part
// (before the score LIF's backward) -> dCells [T, nCells] and dvs [T, N, d] (both overwritten). Per (t, b, h):
// Dp = dOut_h · V_hᵀ (sgemm) gives every cell's Σ_c v_jc dO_ic; the softmax gradient per row as in JS; then
// dV_h = Pᵀ · dOut_h (sgemm) with P_ij = a_i (e if the cell spiked, else 1) / T on the allowed cells (the e-
// weighted part and the 1/Z part of dV together). keyMask and causal are implied by the key lists here.
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
    float* v = Scratch::get(s.h1, K * dh);
    float* dv = Scratch::get(s.h2, K * dh);
    float* M = Scratch::get(s.m0, 2 * K * K);
    float* Dp = M;
    float* P = M + K * K;
    gather_head(dOut, g, b * K, off, dO);
    gather_head(vs, g, tb * K, off, v);
    if (!sgemm(K, K, dh, false, true, dO, v, Dp, false)) return false;
    std::memset(P, 0, sizeof(float) * K * K);
    for (int64_t i = 0; i < K; ++i) {
      const int64_t m0 = g.kStart[b * K + i], m1 = g.kStart[b * K + i + 1];
      const double ai = av[(tb * g.H + h) * K + i];
      if (ai == 0) {
        for (int64_t m = m0; m < m1; ++m) dCells[cb + m] = 0;
        continue;
      }
      const float* Di = Dp + i * K;
      float* Pi = P + i * K;
      const int32_t* keys = g.keys;
      const float* c = cells + cb;
      float* dc = dCells + cb;
      double mean = 0;
      for (int64_t m = m0; m < m1; ++m)
        mean += ai * (c[m] != 0 ? kE : 1.0) * (static_cast<double>(Di[keys[m]]) * invT);
      const double w = ai * invT;
      for (int64_t m = m0; m < m1; ++m) {
        const double f = c[m] != 0 ? kE : 1.0;
        dc[m] = static_cast<float>(ai * f * (static_cast<double>(Di[keys[m]]) * invT - mean));
        Pi[keys[m]] = static_cast<float>(w * f);
      }
    }
    if (!sgemm(K, dh, K, true, false, P, dO, dv, false)) return false;
    scatter_head(dv, g, tb * K, off, dvs);
    return true;
  });
  return undefined(env);
}

// ssaDrivenBackward(geo..., dy, cells, vs, dCells, dvs): y = scores · v -> dCells (d loss / d scaled score) and
// dvs (both overwritten); dy is the output LIF's input gradient [T, N, d], cells the scaled scores. Per (t, b, h):
// D = dY_h · V_hᵀ and dV_h = Scᵀ · dY_h by sgemm.
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
    float* v = Scratch::get(s.h1, K * dh);
    float* dv = Scratch::get(s.h2, K * dh);
    float* M = Scratch::get(s.m0, 2 * K * K);
    float* D = M;
    float* Sc = M + K * K;
    gather_head(dy, g, tb * K, off, dY);
    gather_head(vs, g, tb * K, off, v);
    if (!sgemm(K, K, dh, false, true, dY, v, D, false)) return false;
    for (int64_t i = 0; i < K; ++i) {
      const float* Di = D + i * K;
      const int32_t* keys = g.keys;
      float* dc = dCells + cb;
      for (int64_t m = g.kStart[b * K + i], m1 = g.kStart[b * K + i + 1]; m < m1; ++m) dc[m] = Di[keys[m]];
    }
    cells_to_dense(g, b, cb, cells, Sc, [](float x) { return x; });
    if (!sgemm(K, dh, K, true, false, Sc, dY, dv, false)) return false;
    scatter_head(dv, g, tb * K, off, dvs);
    return true;
  });
  return undefined(env);
}

// ssaScoresBackward(geo..., dCells, qs, ks, scale, dqs, dks): scores = scale · q kᵀ on the allowed cells -> the
// spike gradients of q and k (overwritten): per (t, b, h), with G = scale · dCells on the allowed cells (0
// elsewhere, float32), dQ_h = G K_h and dK_h = Gᵀ Q_h by sgemm. The JS kernel rounds to float32 after every
// term; the two agree to float32 rounding (tested to 1e-6). The order is fixed by the shape, so threads never
// change bits.
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
    float* q = Scratch::get(s.h0, K * dh);
    float* k = Scratch::get(s.h1, K * dh);
    float* o = Scratch::get(s.h2, K * dh);
    float* G = Scratch::get(s.m0, K * K);
    cells_to_dense(g, b, cb, dCells, G, [scale](float x) { return static_cast<float>(static_cast<double>(x) * scale); });
    gather_head(qs, g, tb * K, off, q);
    gather_head(ks, g, tb * K, off, k);
    if (!sgemm(K, dh, K, false, false, G, k, o, false)) return false;
    scatter_head(o, g, tb * K, off, dqs);
    if (!sgemm(K, dh, K, true, false, G, q, o, false)) return false;
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
