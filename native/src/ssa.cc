// The loops of the fused spiking self-attention (src/models/blocks/fused-spiking-attention.ts) between its LIFs,
// the native twin of the JS kernel: the same sums in the same order, double where JS uses doubles, rounded to
// float32 where JS stores into a Float32Array, so results are identical. Where JS walks the spike index
// (CSR columns / packed bits, spike-index.ts), this walks the dense 0/1 spikes of one head (dh columns) and skips
// the zeros: the same terms in the same (ascending column) order.
//
// Geometry (as KeyLists in the TS file): query row r = b·K + i may attend keys[kStart[r] .. kStart[r+1]); the
// score cells of step t, batch row b, head h, query i are t·nCells + base[b] + h·perHead[b] + (m - kStart[b·K])
// for m in that range. Spikes / gradients of q, k, v are [T, B, K, d] with head h in columns [h·dh, (h+1)·dh).
//
// Threads: tasks are (t, b, h) (or (b, h) where the output sums over t), fixed by the shape; every output
// element is written by exactly one task, in the JS order, so results do not depend on the thread count.
#if defined(__FMA__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

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

// Zeroes rows [tb·K, tb·K + K) columns [off, off + dh) of a [rows, d] array.
inline void zero_head(float* a, const Geo& g, int64_t tb, int64_t off) {
  for (int64_t i = 0; i < g.K; ++i) std::memset(a + (tb * g.K + i) * g.d + off, 0, sizeof(float) * g.dh);
}

// ssaScores(geo..., qs, ks, scale, sc): sc[cell] = scale · (number of columns of the head where q and k both spiked).
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
  parallel_for(g.T * g.B * g.H, [&](int64_t task) {
    const int64_t h = task % g.H, tb = task / g.H, b = tb % g.B, t = tb / g.B;
    const int64_t cb = g.cellBase(t, b, h), off = h * g.dh;
    for (int64_t i = 0; i < g.K; ++i) {
      const float* q = qs + (tb * g.K + i) * g.d + off;
      for (int64_t m = g.kStart[b * g.K + i]; m < g.kStart[b * g.K + i + 1]; ++m) {
        const float* k = ks + (tb * g.K + g.keys[m]) * g.d + off;
        int cnt = 0;
        for (int64_t c = 0; c < g.dh; ++c) cnt += (q[c] != 0.0f) & (k[c] != 0.0f);
        sc[cb + m] = static_cast<float>(cnt * scale);
      }
    }
  }, g.cost());
  return undefined(env);
}

// ssaDrivenForward(geo..., sc, vs, y): y [T, N, d] = the scores (on the allowed cells) times the v spikes.
napi_value js_driven_forward(napi_env env, napi_callback_info info) {
  Args a(env, info, 13, "ssaDrivenForward");
  if (!a.ok) return nullptr;
  Geo g;
  if (!get_geo(env, a.argv, &g)) return nullptr;
  float *sc, *vs, *y;
  if (!f32_len(env, a.argv[10], &sc, g.T * g.nC, "ssaDrivenForward: sc") ||
      !f32_len(env, a.argv[11], &vs, g.T * g.n, "ssaDrivenForward: vs") || !f32_len(env, a.argv[12], &y, g.T * g.n, "ssaDrivenForward: y"))
    return nullptr;
  parallel_for(g.T * g.B * g.H, [&](int64_t task) {
    const int64_t h = task % g.H, tb = task / g.H, b = tb % g.B, t = tb / g.B;
    const int64_t cb = g.cellBase(t, b, h), off = h * g.dh;
    zero_head(y, g, tb, off);
    for (int64_t i = 0; i < g.K; ++i) {
      float* yo = y + (tb * g.K + i) * g.d + off;
      for (int64_t m = g.kStart[b * g.K + i]; m < g.kStart[b * g.K + i + 1]; ++m) {
        const float s = sc[cb + m];
        if (s == 0) continue;
        const float* v = vs + (tb * g.K + g.keys[m]) * g.d + off;
        for (int64_t c = 0; c < g.dh; ++c)
          if (v[c] != 0.0f) yo[c] = static_cast<float>(static_cast<double>(yo[c]) + s);
      }
    }
  }, g.cost());
  return undefined(env);
}

// Adds the v spikes of (row, head at off) into acc.
inline void add_row(const float* vs, const Geo& g, int64_t row, int64_t off, double* acc) {
  const float* v = vs + row * g.d + off;
  for (int64_t c = 0; c < g.dh; ++c)
    if (v[c] != 0.0f) acc[c] += 1;
}

// ssaStrlForward(geo..., ss, vs, keyMask, causal, T-mean out, a): the softmax over the allowed cells of the score
// spikes ss (e for a spike, 1 otherwise) times the v spikes, mean over T -> out [B, K, d]; a = 1/Z [T, B, H, K].
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
  parallel_for(g.B * g.H, [&](int64_t task) {
    const int64_t h = task % g.H, b = task / g.H, off = h * g.dh;
    std::vector<double> runSum(g.dh), extra(g.dh);
    for (int64_t i = 0; i < g.K; ++i) std::memset(out + (b * g.K + i) * g.d + off, 0, sizeof(float) * g.dh);
    for (int64_t t = 0; t < g.T; ++t) {
      const int64_t tb = t * g.B + b, cb = g.cellBase(t, b, h);
      std::fill(runSum.begin(), runSum.end(), 0.0);
      if (!causal)
        for (int64_t j = 0; j < g.K; ++j)
          if (km[b * g.K + j] == 1) add_row(vs, g, tb * g.K + j, off, runSum.data());
      for (int64_t i = 0; i < g.K; ++i) {
        if (causal && km[b * g.K + i] == 1) add_row(vs, g, tb * g.K + i, off, runSum.data());
        const int64_t m0 = g.kStart[b * g.K + i], m1 = g.kStart[b * g.K + i + 1];
        float* ao = av + (tb * g.H + h) * g.K + i;
        if (m1 == m0) {
          *ao = 0;
          continue;
        }
        std::fill(extra.begin(), extra.end(), 0.0);
        int64_t n1 = 0;
        for (int64_t m = m0; m < m1; ++m) {
          if (ss[cb + m] == 0) continue;
          n1++;
          add_row(vs, g, tb * g.K + g.keys[m], off, extra.data());
        }
        const double ai = 1 / (static_cast<double>(m1 - m0) + kE1 * static_cast<double>(n1));
        *ao = static_cast<float>(ai);
        const double w = ai * invT;
        float* o = out + (b * g.K + i) * g.d + off;
        for (int64_t c = 0; c < g.dh; ++c) o[c] = static_cast<float>(static_cast<double>(o[c]) + w * (runSum[c] + kE1 * extra[c]));
      }
    }
  }, g.cost());
  return undefined(env);
}

// ssaStrlBackward(geo..., dOut, cells, a, vs, keyMask, causal, dCells, dvs): the gradient of the softmax·V part
// (before the score LIF's backward) -> dCells [T, nCells] and dvs [T, N, d] (both overwritten).
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
  parallel_for(g.T * g.B * g.H, [&](int64_t task) {
    const int64_t h = task % g.H, tb = task / g.H, b = tb % g.B, t = tb / g.B;
    const int64_t cb = g.cellBase(t, b, h), off = h * g.dh;
    std::vector<double> dp(g.K), acc(g.dh);
    zero_head(dvs, g, tb, off);
    for (int64_t i = 0; i < g.K; ++i) {
      const int64_t m0 = g.kStart[b * g.K + i], m1 = g.kStart[b * g.K + i + 1];
      const double ai = av[(tb * g.H + h) * g.K + i];
      if (ai == 0) {
        for (int64_t m = m0; m < m1; ++m) dCells[cb + m] = 0;
        continue;
      }
      const float* dRow = dOut + (b * g.K + i) * g.d + off;
      double mean = 0;
      for (int64_t m = m0; m < m1; ++m) {
        const float* v = vs + (tb * g.K + g.keys[m]) * g.d + off;
        double sum = 0;
        for (int64_t c = 0; c < g.dh; ++c)
          if (v[c] != 0.0f) sum += dRow[c];
        sum *= invT;
        dp[m - m0] = sum;
        mean += ai * (cells[cb + m] != 0 ? kE : 1.0) * sum;
      }
      const double coef = kE1 * ai * invT;
      for (int64_t m = m0; m < m1; ++m) {
        const bool spiked = cells[cb + m] != 0;
        dCells[cb + m] = static_cast<float>(ai * (spiked ? kE : 1.0) * (dp[m - m0] - mean));
        if (spiked) {
          float* dv = dvs + (tb * g.K + g.keys[m]) * g.d + off;
          for (int64_t c = 0; c < g.dh; ++c) dv[c] = static_cast<float>(static_cast<double>(dv[c]) + coef * dRow[c]);
        }
      }
    }
    // the 1/Z part of dV: key j collects a_i dO_i from every query i that may attend it
    std::fill(acc.begin(), acc.end(), 0.0);
    auto addQuery = [&](int64_t i) {
      const double ai = static_cast<double>(av[(tb * g.H + h) * g.K + i]) * invT;
      if (ai == 0) return;
      const float* dRow = dOut + (b * g.K + i) * g.d + off;
      for (int64_t c = 0; c < g.dh; ++c) acc[c] += ai * dRow[c];
    };
    auto addKey = [&](int64_t j) {
      float* dv = dvs + (tb * g.K + j) * g.d + off;
      for (int64_t c = 0; c < g.dh; ++c) dv[c] = static_cast<float>(static_cast<double>(dv[c]) + acc[c]);
    };
    if (causal) {
      for (int64_t i = g.K - 1; i >= 0; --i) {
        addQuery(i);
        if (km[b * g.K + i] == 1) addKey(i);
      }
    } else {
      for (int64_t i = 0; i < g.K; ++i) addQuery(i);
      for (int64_t j = 0; j < g.K; ++j)
        if (km[b * g.K + j] == 1) addKey(j);
    }
  }, g.cost());
  return undefined(env);
}

// ssaDrivenBackward(geo..., dy, cells, vs, dCells, dvs): y = scores · v -> dCells (d loss / d scaled score) and
// dvs (both overwritten); dy is the output LIF's input gradient [T, N, d], cells the scaled scores.
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
  parallel_for(g.T * g.B * g.H, [&](int64_t task) {
    const int64_t h = task % g.H, tb = task / g.H, b = tb % g.B, t = tb / g.B;
    const int64_t cb = g.cellBase(t, b, h), off = h * g.dh;
    zero_head(dvs, g, tb, off);
    for (int64_t i = 0; i < g.K; ++i) {
      const float* dyo = dy + (tb * g.K + i) * g.d + off;
      for (int64_t m = g.kStart[b * g.K + i]; m < g.kStart[b * g.K + i + 1]; ++m) {
        const int64_t jr = tb * g.K + g.keys[m];
        const float* v = vs + jr * g.d + off;
        double sum = 0;
        for (int64_t c = 0; c < g.dh; ++c)
          if (v[c] != 0.0f) sum += dyo[c];
        dCells[cb + m] = static_cast<float>(sum);
        const double sv = cells[cb + m];
        if (sv != 0) {
          float* dv = dvs + jr * g.d + off;
          for (int64_t c = 0; c < g.dh; ++c) dv[c] = static_cast<float>(static_cast<double>(dv[c]) + sv * dyo[c]);
        }
      }
    }
  }, g.cost());
  return undefined(env);
}

// ssaScoresBackward(geo..., dCells, qs, ks, scale, dqs, dks): scores = scale · q kᵀ on the allowed cells -> the
// spike gradients of q and k (overwritten): dq_i = Σ_m g_im k_m and dk_j = Σ_i g_ij q_i with g = scale · dCells.
// Unlike the other loops this one does not replay the JS order: each row is accumulated in double, branch-free
// over the 0/1 spikes (so it vectorises), and rounded to float32 once; the JS kernel rounds after every term.
// The two agree to float32 rounding (tested to 1e-6); the per-row order is fixed, so threads never change bits.
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
  parallel_for(g.T * g.B * g.H, [&](int64_t task) {
    const int64_t h = task % g.H, tb = task / g.H, b = tb % g.B, t = tb / g.B;
    const int64_t cb = g.cellBase(t, b, h), off = h * g.dh, dh = g.dh;
    thread_local std::vector<double> accq, acck;
    accq.assign(static_cast<size_t>(dh), 0.0);
    acck.assign(static_cast<size_t>(g.K * dh), 0.0);  // [K, dh]: dk of every key row of this (t, b, h)
    for (int64_t i = 0; i < g.K; ++i) {
      const int64_t qRow = tb * g.K + i;
      const float* q = qs + qRow * g.d + off;
      std::fill(accq.begin(), accq.end(), 0.0);
      double* aq = accq.data();
      for (int64_t m = g.kStart[b * g.K + i]; m < g.kStart[b * g.K + i + 1]; ++m) {
        const double gr = static_cast<double>(dCells[cb + m]) * scale;
        if (gr == 0) continue;
        const float* k = ks + (tb * g.K + g.keys[m]) * g.d + off;
        double* ak = acck.data() + g.keys[m] * dh;
        for (int64_t c = 0; c < dh; ++c) aq[c] += gr * static_cast<double>(k[c]);
        for (int64_t c = 0; c < dh; ++c) ak[c] += gr * static_cast<double>(q[c]);
      }
      float* dq = dqs + qRow * g.d + off;
      for (int64_t c = 0; c < dh; ++c) dq[c] = static_cast<float>(aq[c]);
    }
    for (int64_t j = 0; j < g.K; ++j) {
      float* dk = dks + (tb * g.K + j) * g.d + off;
      const double* ak = acck.data() + j * dh;
      for (int64_t c = 0; c < dh; ++c) dk[c] = static_cast<float>(ak[c]);
    }
  }, g.cost());
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
