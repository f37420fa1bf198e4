// Node-API binding of the fused spiking attention's kernels (ssa_kernels.h): ssaScores, ssaDrivenForward,
// ssaStrlForward, ssaStrlBackward, ssaDrivenBackward, ssaScoresBackward. Each reads and checks the key-list
// geometry (T, B, K, H, d, kStart, keys, perHead, base, nCells) and every array, then calls its kernel.
#include <string>

#include "napi_util.h"
#include "ssa_kernels.h"

namespace strl {
namespace {

bool get_int(napi_env env, napi_value v, int64_t* out, const char* what) { return get_i64(env, v, out, what); }

// Reads (T, B, K, H, d, kStart, keys, perHead, base, nCells) from argv[at ..] and checks them.
bool get_geo(napi_env env, napi_value* argv, SsaGeo* g) {
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

bool get_mask(napi_env env, napi_value v, const SsaGeo& g, const uint8_t** km) {
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

napi_value js_scores(napi_env env, napi_callback_info info) {
  Args a(env, info, 14, "ssaScores");
  if (!a.ok) return nullptr;
  SsaGeo g;
  if (!get_geo(env, a.argv, &g)) return nullptr;
  float *qs, *ks, *sc;
  double scale;
  if (!f32_len(env, a.argv[10], &qs, g.T * g.n, "ssaScores: qs") || !f32_len(env, a.argv[11], &ks, g.T * g.n, "ssaScores: ks") ||
      !get_f64(env, a.argv[12], &scale, "scale") || !f32_len(env, a.argv[13], &sc, g.T * g.nC, "ssaScores: sc"))
    return nullptr;
  if (!ssa_scores(g, qs, ks, scale, sc)) return throw_range(env, "ssaScores: out of memory");
  return undefined(env);
}

napi_value js_driven_forward(napi_env env, napi_callback_info info) {
  Args a(env, info, 13, "ssaDrivenForward");
  if (!a.ok) return nullptr;
  SsaGeo g;
  if (!get_geo(env, a.argv, &g)) return nullptr;
  float *sc, *vs, *y;
  if (!f32_len(env, a.argv[10], &sc, g.T * g.nC, "ssaDrivenForward: sc") ||
      !f32_len(env, a.argv[11], &vs, g.T * g.n, "ssaDrivenForward: vs") || !f32_len(env, a.argv[12], &y, g.T * g.n, "ssaDrivenForward: y"))
    return nullptr;
  if (!ssa_driven_forward(g, sc, vs, y)) return throw_range(env, "ssaDrivenForward: out of memory");
  return undefined(env);
}

napi_value js_strl_forward(napi_env env, napi_callback_info info) {
  Args a(env, info, 16, "ssaStrlForward");
  if (!a.ok) return nullptr;
  SsaGeo g;
  if (!get_geo(env, a.argv, &g)) return nullptr;
  float *ss, *vs, *out, *av;
  const uint8_t* km;
  bool causal;
  if (!f32_len(env, a.argv[10], &ss, g.T * g.nC, "ssaStrlForward: ss") || !f32_len(env, a.argv[11], &vs, g.T * g.n, "ssaStrlForward: vs") ||
      !get_mask(env, a.argv[12], g, &km) || !get_bool(env, a.argv[13], &causal, "causal") ||
      !f32_len(env, a.argv[14], &out, g.n, "ssaStrlForward: out") || !f32_len(env, a.argv[15], &av, g.T * g.B * g.H * g.K, "ssaStrlForward: a"))
    return nullptr;
  if (!ssa_strl_forward(g, ss, vs, km, causal, out, av)) return throw_range(env, "ssaStrlForward: out of memory");
  return undefined(env);
}

napi_value js_strl_backward(napi_env env, napi_callback_info info) {
  Args a(env, info, 18, "ssaStrlBackward");
  if (!a.ok) return nullptr;
  SsaGeo g;
  if (!get_geo(env, a.argv, &g)) return nullptr;
  float *dOut, *cells, *av, *vs, *dCells, *dvs;
  const uint8_t* km;
  bool causal;
  if (!f32_len(env, a.argv[10], &dOut, g.n, "ssaStrlBackward: dOut") || !f32_len(env, a.argv[11], &cells, g.T * g.nC, "ssaStrlBackward: cells") ||
      !f32_len(env, a.argv[12], &av, g.T * g.B * g.H * g.K, "ssaStrlBackward: a") || !f32_len(env, a.argv[13], &vs, g.T * g.n, "ssaStrlBackward: vs") ||
      !get_mask(env, a.argv[14], g, &km) || !get_bool(env, a.argv[15], &causal, "causal") ||
      !f32_len(env, a.argv[16], &dCells, g.T * g.nC, "ssaStrlBackward: dCells") || !f32_len(env, a.argv[17], &dvs, g.T * g.n, "ssaStrlBackward: dvs"))
    return nullptr;
  if (!ssa_strl_backward(g, dOut, cells, av, vs, km, causal, dCells, dvs)) return throw_range(env, "ssaStrlBackward: out of memory");
  return undefined(env);
}

napi_value js_driven_backward(napi_env env, napi_callback_info info) {
  Args a(env, info, 15, "ssaDrivenBackward");
  if (!a.ok) return nullptr;
  SsaGeo g;
  if (!get_geo(env, a.argv, &g)) return nullptr;
  float *dy, *cells, *vs, *dCells, *dvs;
  if (!f32_len(env, a.argv[10], &dy, g.T * g.n, "ssaDrivenBackward: dy") || !f32_len(env, a.argv[11], &cells, g.T * g.nC, "ssaDrivenBackward: cells") ||
      !f32_len(env, a.argv[12], &vs, g.T * g.n, "ssaDrivenBackward: vs") ||
      !f32_len(env, a.argv[13], &dCells, g.T * g.nC, "ssaDrivenBackward: dCells") || !f32_len(env, a.argv[14], &dvs, g.T * g.n, "ssaDrivenBackward: dvs"))
    return nullptr;
  if (!ssa_driven_backward(g, dy, cells, vs, dCells, dvs)) return throw_range(env, "ssaDrivenBackward: out of memory");
  return undefined(env);
}

napi_value js_scores_backward(napi_env env, napi_callback_info info) {
  Args a(env, info, 16, "ssaScoresBackward");
  if (!a.ok) return nullptr;
  SsaGeo g;
  if (!get_geo(env, a.argv, &g)) return nullptr;
  float *dCells, *qs, *ks, *dqs, *dks;
  double scale;
  if (!f32_len(env, a.argv[10], &dCells, g.T * g.nC, "ssaScoresBackward: dCells") ||
      !f32_len(env, a.argv[11], &qs, g.T * g.n, "ssaScoresBackward: qs") || !f32_len(env, a.argv[12], &ks, g.T * g.n, "ssaScoresBackward: ks") ||
      !get_f64(env, a.argv[13], &scale, "scale") || !f32_len(env, a.argv[14], &dqs, g.T * g.n, "ssaScoresBackward: dqs") ||
      !f32_len(env, a.argv[15], &dks, g.T * g.n, "ssaScoresBackward: dks"))
    return nullptr;
  if (!ssa_scores_backward(g, dCells, qs, ks, scale, dqs, dks)) return throw_range(env, "ssaScoresBackward: out of memory");
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
