// Node-API binding of the LIF kernels (lif_kernels.h): lifForward, lifBackward, and for tests lifSimd and lifExp.
// Reads and checks every argument (a RangeError naming the problem, never a crash), then calls the kernel.
#include <cmath>
#include <cstdint>
#include <string>

#include "lif_kernels.h"
#include "napi_util.h"

namespace strl {
namespace {

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
  int64_t bad = T;
  const int64_t count = lif_forward(x, y, d, T, n, repeated, mean, LifNeuron{tau, vth, vr, hard, decay}, &bad);
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
  lif_backward(dy, d, gx, T, n, repeated, mean, LifNeuron{tau, vth, vr, hard, decay}, detach, surr, alpha);
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
      if (!lif_use_isa(s)) return throw_range(env, "lifSimd: '" + s + "' is not available on this CPU");
    }
  }
  napi_value out;
  napi_create_string_utf8(env, lif_isa(), NAPI_AUTO_LENGTH, &out);
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
  lif_exp(zp, op, len);
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
