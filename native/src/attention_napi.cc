// Node-API binding of the fused softmax attention (attention_kernels.h): attnForward, attnBackward. Each reads
// and checks the shape, the options and every array, then calls its kernel.
#include <string>

#include "attention_kernels.h"
#include "napi_util.h"

namespace strl {
namespace {

bool f32_len(napi_env env, napi_value v, float** p, int64_t want, const char* what) {
  size_t len;
  if (!get_f32(env, v, p, &len, what)) return false;
  if (static_cast<int64_t>(len) != want) {
    throw_range(env, std::string(what) + " has " + std::to_string(len) + " elements, expected " + std::to_string(want));
    return false;
  }
  return true;
}

// Reads (B, L, H, dh, keyMask, causal, scale, act, p, seedLo, seedHi) from argv[0 ..] and checks them.
bool get_shape_opts(napi_env env, napi_value* argv, AttnGeo* g, AttnOpts* o) {
  if (!get_i64(env, argv[0], &g->B, "B") || !get_i64(env, argv[1], &g->L, "L") || !get_i64(env, argv[2], &g->H, "H") ||
      !get_i64(env, argv[3], &g->dh, "dh"))
    return false;
  const int64_t lim = int64_t{1} << 31;
  if (g->B < 0 || g->L < 0 || g->H < 1 || g->dh < 1 || g->B > lim || g->L > lim || g->H > lim || g->dh > lim ||
      g->B * g->L * 3 * g->H * g->dh > (int64_t{1} << 40) || g->B * g->H * g->L * g->L > (int64_t{1} << 62)) {
    throw_range(env, "attn: bad shape (need B, L >= 0, H, dh >= 1)");
    return false;
  }
  void* km;
  size_t kml;
  if (!get_typed(env, argv[4], napi_uint8_array, &km, &kml, "attn: keyMask")) return false;
  if (static_cast<int64_t>(kml) != g->B * g->L) {
    throw_range(env, "attn: keyMask must have B·L entries");
    return false;
  }
  o->keyMask = static_cast<const uint8_t*>(km);
  int64_t act, lo, hi;
  if (!get_bool(env, argv[5], &o->causal, "causal") || !get_f64(env, argv[6], &o->scale, "scale") ||
      !get_i64(env, argv[7], &act, "act") || !get_f64(env, argv[8], &o->p, "p") || !get_i64(env, argv[9], &lo, "seedLo") ||
      !get_i64(env, argv[10], &hi, "seedHi"))
    return false;
  if (act < 0 || act > 2) {
    throw_range(env, "attn: act must be 0 (none), 1 (relu) or 2 (gelu)");
    return false;
  }
  if (!(o->p >= 0 && o->p < 1)) {
    throw_range(env, "attn: dropout p must be in [0, 1)");
    return false;
  }
  if (lo < 0 || hi < 0 || lo > 0xffffffffLL || hi > 0xffffffffLL) {
    throw_range(env, "attn: seedLo and seedHi must be 32-bit unsigned integers");
    return false;
  }
  o->act = static_cast<int>(act);
  o->seed = (static_cast<uint64_t>(hi) << 32) | static_cast<uint64_t>(lo);
  return true;
}

// attnForward(B, L, H, dh, keyMask, causal, scale, act, p, seedLo, seedHi, qkv, out, lse)
napi_value js_forward(napi_env env, napi_callback_info info) {
  Args a(env, info, 14, "attnForward");
  if (!a.ok) return nullptr;
  AttnGeo g;
  AttnOpts o;
  if (!get_shape_opts(env, a.argv, &g, &o)) return nullptr;
  const int64_t rows = g.B * g.L;
  float *qkv, *out, *lse;
  if (!f32_len(env, a.argv[11], &qkv, rows * 3 * g.d(), "attnForward: qkv") || !f32_len(env, a.argv[12], &out, rows * g.d(), "attnForward: out") ||
      !f32_len(env, a.argv[13], &lse, g.B * g.H * g.L, "attnForward: lse"))
    return nullptr;
  if (!attn_forward(g, o, qkv, out, lse)) return throw_range(env, "attnForward: out of memory");
  return undefined(env);
}

// attnBackward(B, L, H, dh, keyMask, causal, scale, act, p, seedLo, seedHi, qkv, out, lse, dOut, dqkv)
napi_value js_backward(napi_env env, napi_callback_info info) {
  Args a(env, info, 16, "attnBackward");
  if (!a.ok) return nullptr;
  AttnGeo g;
  AttnOpts o;
  if (!get_shape_opts(env, a.argv, &g, &o)) return nullptr;
  const int64_t rows = g.B * g.L;
  float *qkv, *out, *lse, *dOut, *dqkv;
  if (!f32_len(env, a.argv[11], &qkv, rows * 3 * g.d(), "attnBackward: qkv") || !f32_len(env, a.argv[12], &out, rows * g.d(), "attnBackward: out") ||
      !f32_len(env, a.argv[13], &lse, g.B * g.H * g.L, "attnBackward: lse") ||
      !f32_len(env, a.argv[14], &dOut, rows * g.d(), "attnBackward: dOut") ||
      !f32_len(env, a.argv[15], &dqkv, rows * 3 * g.d(), "attnBackward: dqkv"))
    return nullptr;
  if (!attn_backward(g, o, qkv, out, lse, dOut, dqkv)) return throw_range(env, "attnBackward: out of memory");
  return undefined(env);
}

}  // namespace

void register_attention(napi_env env, napi_value exports) {
  export_fn(env, exports, "attnForward", js_forward);
  export_fn(env, exports, "attnBackward", js_backward);
}

}  // namespace strl
