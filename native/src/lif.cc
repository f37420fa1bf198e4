// The multi-step LIF neuron (forward and backward through T steps): the native twin of src/snn/lif-kernel.ts,
// whose header gives the equations. Same arithmetic as the JS kernel, operation for operation: every value is
// computed in double and rounded to float32 exactly where the JS kernel stores into a Float32Array (d, the
// membrane v, y, gx, the carried gradient gv), with no fused multiply-adds. Spikes (from the sign bit of the
// stored d, so Θ(0) = 1 and d = -0 gives no spike) are therefore identical; gradients are identical except where
// the sigmoid surrogate's exp (exp_nonpos in lif_kernels.h, within 1 ulp of V8's Math.exp) differs by an ulp,
// which after the float32 rounding rarely shows.
//
// The loops live in lif_kernels.h, compiled here three times (portable, AVX2, AVX-512) and picked at run time by
// what the CPU supports; every copy gives the same bits (lifSimd switches between them, for tests).
//
// Threads: the neuron axis n is cut into fixed chunks of kChunk neurons (a split that depends only on n); each
// neuron's arithmetic does not depend on the split at all, and the spike count and the first non-finite step
// are exact integer reductions, so results are bit-identical for any thread count. n <= kChunk runs inline.
//
// Never contract a*b + c into a fused multiply-add (the JS kernel rounds twice; the AVX2 / AVX-512 copies may use
// FMA instructions), whatever the build's flags: binding.gyp also passes -ffp-contract=off.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "napi_util.h"
#include "pool.h"

namespace strl {
namespace {

constexpr int64_t kChunk = 16384;  // neurons per task
constexpr int64_t kBlock = 512;    // neurons whose membrane / carried gradient live on the stack at once

enum Surr { kSigmoid, kAtan, kFastSigmoid, kPiecewiseQuadratic, kRectangular };

struct FwdArgs {
  const float* x;
  float* y;
  float* d;
  int64_t T, n;
  bool repeated, mean;
  double a, b, c, vth, vr, kh, ks, invT;
};

struct BwdArgs {
  const float* dy;
  const float* d;
  float* gx;
  int64_t T, n;
  bool repeated, mean;
  double vr, vth, keep, dHdX, dHdV, invT, alpha;
};

}  // namespace

// The loops, once per instruction set (lif_kernels.h): portable (the build's baseline: SSE2 on x86-64, NEON on
// arm64) and, on x86-64 with GCC or clang, AVX2 + FMA and AVX-512 (F, VL, DQ, BW) copies. FMA is only allowed,
// never used: -ffp-contract=off keeps a*b + c rounded twice, so every copy gives the same bits.
#define LIF_ISA lif_portable
#define LIF_TARGET
#include "lif_kernels.h"
#undef LIF_ISA
#undef LIF_TARGET
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define STRL_LIF_X86 1
#define LIF_ISA lif_avx2
#define LIF_TARGET __attribute__((target("avx2,fma")))
#include "lif_kernels.h"
#undef LIF_ISA
#undef LIF_TARGET
#define LIF_ISA lif_avx512
#if defined(__clang__)
#define LIF_TARGET __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw")))
#else  // GCC: also use 512-bit vectors (its default tuning may prefer 256)
#define LIF_TARGET __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,prefer-vector-width=512")))
#endif
#include "lif_kernels.h"
#undef LIF_ISA
#undef LIF_TARGET
#endif

namespace {

// The instruction sets, best last; `g_isa` is the one in use (the best this CPU has, unless set by lifSimd).
enum Isa { kPortable, kAvx2, kAvx512 };
const char* const kIsaNames[] = {"portable", "avx2", "avx512"};

int best_isa() {
#ifdef STRL_LIF_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512bw"))
    return kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return kAvx2;
#endif
  return kPortable;
}

int g_isa = best_isa();

int64_t forward_range(const FwdArgs& p, int64_t i0, int64_t i1, int64_t* bad_t) {
#ifdef STRL_LIF_X86
  if (g_isa == kAvx512) return lif_avx512::forward_range(p, i0, i1, bad_t);
  if (g_isa == kAvx2) return lif_avx2::forward_range(p, i0, i1, bad_t);
#endif
  return lif_portable::forward_range(p, i0, i1, bad_t);
}

void backward_range(const BwdArgs& p, int surr, bool hard, int64_t i0, int64_t i1) {
#ifdef STRL_LIF_X86
  if (g_isa == kAvx512) return lif_avx512::backward_range(p, surr, hard, i0, i1);
  if (g_isa == kAvx2) return lif_avx2::backward_range(p, surr, hard, i0, i1);
#endif
  lif_portable::backward_range(p, surr, hard, i0, i1);
}

// Runs fn(i0, i1) over fixed chunks of [0, n); inline when there is one chunk.
template <typename F>
void over_chunks(int64_t n, F&& fn) {
  const int64_t tasks = (n + kChunk - 1) / kChunk;
  if (tasks <= 1) {
    fn(0, n, 0);
    return;
  }
  parallel_for(tasks, [&](int64_t task) {
    const int64_t i0 = task * kChunk;
    fn(i0, std::min(n, i0 + kChunk), task);
  });
}

// vReset: a number (hard reset) or null (soft reset).
bool get_vreset(napi_env env, napi_value v, bool* hard, double* vr) {
  napi_valuetype ty;
  napi_typeof(env, v, &ty);
  if (ty == napi_null) {
    *hard = false;
    *vr = 0;
    return true;
  }
  *hard = true;
  if (!get_f64(env, v, vr, "vReset")) return false;
  if (!std::isfinite(*vr)) {
    throw_range(env, "lif: vReset must be finite or null");
    return false;
  }
  return true;
}

bool get_shape(napi_env env, napi_value tv, napi_value nv, int64_t* T, int64_t* n) {
  if (!get_i64(env, tv, T, "T") || !get_i64(env, nv, n, "n")) return false;
  if (*T < 1 || *n < 0 || *T > (int64_t{1} << 40) || *n > (int64_t{1} << 40)) {
    throw_range(env, "lif: need T >= 1 and n >= 0, got T = " + std::to_string(*T) + ", n = " + std::to_string(*n));
    return false;
  }
  return true;
}

bool get_tau(napi_env env, napi_value v, double* tau, double* vth, napi_value vthv) {
  if (!get_f64(env, v, tau, "tau") || !get_f64(env, vthv, vth, "vThreshold")) return false;
  if (!std::isfinite(*tau) || *tau <= 1 || !std::isfinite(*vth)) {
    throw_range(env, "lif: tau must be finite and > 1 and vThreshold finite");
    return false;
  }
  return true;
}

bool check_len(napi_env env, size_t len, int64_t want, const char* what) {
  if (static_cast<int64_t>(len) != want) {
    throw_range(env, std::string("lif: ") + what + " has " + std::to_string(len) + " elements, expected " + std::to_string(want));
    return false;
  }
  return true;
}

// lifForward(x, T, n, repeated, mean, tau, vThreshold, vReset|null, decayInput, y, d) -> spike count, or -(t+1)
// when H was not finite at step t (first such step; the JS side throws the error with the details).
// x: [T, n] or [n] when repeated; y (out): [T, n] or [n] when mean; d (out): [T, n].
napi_value js_lif_forward(napi_env env, napi_callback_info info) {
  Args a(env, info, 11, "lifForward");
  if (!a.ok) return nullptr;
  float *x, *y, *d;
  size_t xl, yl, dl;
  int64_t T, n;
  bool repeated, mean, hard, decay;
  double tau, vth, vr;
  if (!get_f32(env, a.argv[0], &x, &xl, "lifForward: x") || !get_shape(env, a.argv[1], a.argv[2], &T, &n) ||
      !get_bool(env, a.argv[3], &repeated, "repeated") || !get_bool(env, a.argv[4], &mean, "mean") ||
      !get_tau(env, a.argv[5], &tau, &vth, a.argv[6]) || !get_vreset(env, a.argv[7], &hard, &vr) ||
      !get_bool(env, a.argv[8], &decay, "decayInput") || !get_f32(env, a.argv[9], &y, &yl, "lifForward: y") ||
      !get_f32(env, a.argv[10], &d, &dl, "lifForward: d"))
    return nullptr;
  if (!check_len(env, xl, repeated ? n : T * n, "x") || !check_len(env, yl, mean ? n : T * n, "y") ||
      !check_len(env, dl, T * n, "d"))
    return nullptr;
  FwdArgs p;
  p.x = x;
  p.y = y;
  p.d = d;
  p.T = T;
  p.n = n;
  p.repeated = repeated;
  p.mean = mean;
  // As lif-kernel.ts: H = a V + b X + c; V = H - S (kh (H - v_r) + ks).
  p.a = 1 - 1 / tau;
  p.b = decay ? 1 / tau : 1;
  p.c = vr / tau;
  p.vth = vth;
  p.vr = vr;
  p.kh = hard ? 1 : 0;
  p.ks = hard ? 0 : vth;
  p.invT = 1.0 / static_cast<double>(T);
  const int64_t tasks = (n + kChunk - 1) / kChunk;
  std::vector<int64_t> counts(tasks > 0 ? tasks : 1, 0), bads(tasks > 0 ? tasks : 1, T);
  over_chunks(n, [&](int64_t i0, int64_t i1, int64_t task) { counts[task] = forward_range(p, i0, i1, &bads[task]); });
  int64_t count = 0, bad = T;
  for (size_t k = 0; k < counts.size(); ++k) {
    count += counts[k];
    if (bads[k] < bad) bad = bads[k];
  }
  return make_f64(env, bad < T ? -static_cast<double>(bad + 1) : static_cast<double>(count));
}

// lifBackward(dy, d, T, n, repeated, mean, tau, vThreshold, vReset|null, decayInput, detachReset, surrogate,
// alpha, gx): dy [T, n] or [n] when mean; d: the forward's [T, n]; gx (out): [T, n], or [n] when repeated.
napi_value js_lif_backward(napi_env env, napi_callback_info info) {
  Args a(env, info, 14, "lifBackward");
  if (!a.ok) return nullptr;
  float *dy, *d, *gx;
  size_t dyl, dl, gxl;
  int64_t T, n;
  bool repeated, mean, hard, decay, detach;
  double tau, vth, vr, alpha;
  if (!get_f32(env, a.argv[0], &dy, &dyl, "lifBackward: dy") || !get_f32(env, a.argv[1], &d, &dl, "lifBackward: d") ||
      !get_shape(env, a.argv[2], a.argv[3], &T, &n) || !get_bool(env, a.argv[4], &repeated, "repeated") ||
      !get_bool(env, a.argv[5], &mean, "mean") || !get_tau(env, a.argv[6], &tau, &vth, a.argv[7]) ||
      !get_vreset(env, a.argv[8], &hard, &vr) || !get_bool(env, a.argv[9], &decay, "decayInput") ||
      !get_bool(env, a.argv[10], &detach, "detachReset"))
    return nullptr;
  char name[32] = {0};
  size_t name_len = 0;
  if (napi_get_value_string_utf8(env, a.argv[11], name, sizeof name, &name_len) != napi_ok)
    return throw_range(env, "lifBackward: surrogate must be a string");
  const std::string sname(name, name_len);
  int surr;
  if (sname == "sigmoid") surr = kSigmoid;
  else if (sname == "atan") surr = kAtan;
  else if (sname == "fast-sigmoid" || sname == "softsign") surr = kFastSigmoid;
  else if (sname == "piecewise-quadratic") surr = kPiecewiseQuadratic;
  else if (sname == "rectangular") surr = kRectangular;
  else return throw_range(env, "lifBackward: unknown surrogate '" + sname + "'");
  if (!get_f64(env, a.argv[12], &alpha, "surrogate parameter")) return nullptr;
  if (!std::isfinite(alpha) || alpha <= 0) return throw_range(env, "lifBackward: surrogate parameter must be positive and finite");
  if (!get_f32(env, a.argv[13], &gx, &gxl, "lifBackward: gx")) return nullptr;
  if (!check_len(env, dyl, mean ? n : T * n, "dy") || !check_len(env, dl, T * n, "d") ||
      !check_len(env, gxl, repeated ? n : T * n, "gx"))
    return nullptr;
  BwdArgs p;
  p.dy = dy;
  p.d = d;
  p.gx = gx;
  p.T = T;
  p.n = n;
  p.repeated = repeated;
  p.mean = mean;
  p.vr = vr;
  p.vth = vth;
  p.keep = detach ? 0 : 1;
  p.dHdX = decay ? 1 / tau : 1;
  p.dHdV = 1 - 1 / tau;
  p.invT = 1.0 / static_cast<double>(T);
  p.alpha = alpha;
  over_chunks(n, [&](int64_t i0, int64_t i1, int64_t) { backward_range(p, surr, hard, i0, i1); });
  return undefined(env);
}

// lifSimd(name?) -> the instruction set the LIF kernels use ("portable", "avx2" or "avx512"); with a name, first
// switches to it (for tests: every copy gives the same bits). A set this CPU lacks is a RangeError.
napi_value js_lif_simd(napi_env env, napi_callback_info info) {
  Args a(env, info, 0, "lifSimd");
  if (!a.ok) return nullptr;
  if (a.argc > 0) {
    napi_valuetype ty;
    napi_typeof(env, a.argv[0], &ty);
    if (ty != napi_undefined) {
      char name[16] = {0};
      size_t len = 0;
      if (napi_get_value_string_utf8(env, a.argv[0], name, sizeof name, &len) != napi_ok)
        return throw_range(env, "lifSimd: the name must be a string");
      const std::string s(name, len);
      int want = -1;
      for (int k = 0; k < 3; ++k)
        if (s == kIsaNames[k]) want = k;
      if (want < 0 || want > best_isa()) return throw_range(env, "lifSimd: '" + s + "' is not available on this CPU");
      g_isa = want;
    }
  }
  napi_value out;
  napi_create_string_utf8(env, kIsaNames[g_isa], NAPI_AUTO_LENGTH, &out);
  return out;
}

// lifExp(z: Float64Array, out: Float64Array): out = exp(z) by the backward's exp (z <= 0, -inf or NaN; for tests).
napi_value js_lif_exp(napi_env env, napi_callback_info info) {
  Args a(env, info, 2, "lifExp");
  if (!a.ok) return nullptr;
  void *z, *out;
  size_t zl, ol;
  if (!get_typed(env, a.argv[0], napi_float64_array, &z, &zl, "lifExp: z") ||
      !get_typed(env, a.argv[1], napi_float64_array, &out, &ol, "lifExp: out"))
    return nullptr;
  if (zl != ol) return throw_range(env, "lifExp: z and out differ in length");
  const double* zp = static_cast<const double*>(z);
  for (size_t i = 0; i < zl; ++i)
    if (!(zp[i] <= 0) && zp[i] == zp[i]) return throw_range(env, "lifExp: z must be <= 0");
  double* op = static_cast<double*>(out);
  const int64_t len = static_cast<int64_t>(zl);
#ifdef STRL_LIF_X86
  if (g_isa == kAvx512) lif_avx512::exp_array(zp, op, len);
  else if (g_isa == kAvx2) lif_avx2::exp_array(zp, op, len);
  else
#endif
    lif_portable::exp_array(zp, op, len);
  return undefined(env);
}

}  // namespace

void register_lif(napi_env env, napi_value exports) {
  export_fn(env, exports, "lifForward", js_lif_forward);
  export_fn(env, exports, "lifBackward", js_lif_backward);
  export_fn(env, exports, "lifSimd", js_lif_simd);
  export_fn(env, exports, "lifExp", js_lif_exp);
}

}  // namespace strl
