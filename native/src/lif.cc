// The multi-step LIF neuron (forward and backward through T steps): the native twin of src/snn/lif-kernel.ts,
// whose header gives the equations. Same arithmetic as the JS kernel, operation for operation: every value is
// computed in double and rounded to float32 exactly where the JS kernel stores into a Float32Array (d, the
// membrane v, y, gx, the carried gradient gv), with no fused multiply-adds. Spikes (from the sign bit of the
// stored d, so Θ(0) = 1 and d = -0 gives no spike) are therefore identical; gradients are identical except where
// the sigmoid surrogate's exp differs by an ulp between glibc (here) and V8's fdlibm port (JS), which after the
// float32 rounding almost never shows.
//
// Threads: the neuron axis n is cut into fixed chunks of kChunk neurons (a split that depends only on n); each
// neuron's arithmetic does not depend on the split at all, and the spike count and the first non-finite step
// are exact integer reductions, so results are bit-identical for any thread count. n <= kChunk runs inline.
#if defined(__FMA__)
// Built for a CPU with FMA (-march=...): keep GCC from contracting a*b + c, which the JS kernel rounds twice.
#pragma GCC optimize("fp-contract=off")
#endif

#include <cmath>
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

inline uint32_t sign_bit(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u >> 31;
}

enum Surr { kSigmoid, kAtan, kFastSigmoid, kPiecewiseQuadratic, kRectangular };

// The surrogates of src/snn/surrogate.ts (`grad`), written with the same operations in the same order.
template <int S>
inline double surrogate_grad(double x, double a) {
  if (S == kSigmoid) {
    const double e = std::exp(-std::fabs(a * x));
    const double q = 1 + e;
    return (a * e) / (q * q);
  } else if (S == kAtan) {
    const double z = (M_PI / 2) * a * x;
    return a / (2 * (1 + z * z));
  } else if (S == kFastSigmoid) {  // also "softsign"
    const double z = 1 + std::fabs(a * x);
    return a / (2 * z * z);
  } else if (S == kPiecewiseQuadratic) {
    return std::fabs(x) > 1 / a ? 0.0 : a - a * a * std::fabs(x);
  } else {  // kRectangular, a = width
    return std::fabs(x) < a / 2 ? 1 / a : 0.0;
  }
}

struct FwdArgs {
  const float* x;
  float* y;
  float* d;
  int64_t T, n;
  bool repeated, mean;
  double a, b, c, vth, vr, kh, ks, invT;
};

// Neurons [i0, i1): returns the spike count; *bad_t = first step whose H was not finite (T when none).
int64_t forward_range(const FwdArgs& p, int64_t i0, int64_t i1, int64_t* bad_t) {
  const int64_t T = p.T, n = p.n;
  const double a = p.a, b = p.b, c = p.c, vth = p.vth, vr = p.vr, kh = p.kh, ks = p.ks, invT = p.invT;
  int64_t count = 0;
  int64_t first_bad = T;
  float v[kBlock];
  for (int64_t j0 = i0; j0 < i1; j0 += kBlock) {
    const int64_t m = std::min(kBlock, i1 - j0);
    for (int64_t i = 0; i < m; ++i) v[i] = static_cast<float>(vr);
    for (int64_t t = 0; t < T; ++t) {
      const int64_t off = t * n + j0;
      const float* xs = p.x + (p.repeated ? j0 : off);
      float* ds = p.d + off;
      int bad = 0;
      int64_t cnt = 0;
      for (int64_t i = 0; i < m; ++i) {
        const double hi = a * static_cast<double>(v[i]) + b * static_cast<double>(xs[i]) + c;
        const float df = static_cast<float>(hi - vth);
        ds[i] = df;
        bad |= !(hi - hi == 0.0);
        const int s = 1 - static_cast<int>(sign_bit(df));
        v[i] = static_cast<float>(hi - s * (kh * (hi - vr) + ks));
        cnt += s;
      }
      if (p.mean) {
        float* ys = p.y + j0;
        for (int64_t i = 0; i < m; ++i) {
          const int s = 1 - static_cast<int>(sign_bit(ds[i]));
          ys[i] = static_cast<float>((t == 0 ? 0.0 : static_cast<double>(ys[i])) + s * invT);
        }
      } else {
        float* ys = p.y + off;
        for (int64_t i = 0; i < m; ++i) ys[i] = static_cast<float>(1 - static_cast<int>(sign_bit(ds[i])));
      }
      count += cnt;
      if (bad && t < first_bad) first_bad = t;
    }
  }
  *bad_t = first_bad;
  return count;
}

struct BwdArgs {
  const float* dy;
  const float* d;
  float* gx;
  int64_t T, n;
  bool repeated, mean;
  double vr, vth, keep, dHdX, dHdV, invT, alpha;
};

template <int S, bool HARD>
void backward_range(const BwdArgs& p, int64_t i0, int64_t i1) {
  const int64_t T = p.T, n = p.n;
  const double vr = p.vr, vth = p.vth, keep = p.keep, dHdX = p.dHdX, dHdV = p.dHdV, invT = p.invT, al = p.alpha;
  float gv[kBlock];
  for (int64_t j0 = i0; j0 < i1; j0 += kBlock) {
    const int64_t m = std::min(kBlock, i1 - j0);
    for (int64_t i = 0; i < m; ++i) gv[i] = 0.0f;
    for (int64_t t = T - 1; t >= 0; --t) {
      const int64_t off = t * n + j0;
      const float* ds = p.d + off;
      const float* dys = p.dy + (p.mean ? j0 : off);
      float* gxs = p.gx + (p.repeated ? j0 : off);
      for (int64_t i = 0; i < m; ++i) {
        const double gs = p.mean ? static_cast<double>(dys[i]) * invT : static_cast<double>(dys[i]);
        const double dk = ds[i];
        const double sg = surrogate_grad<S>(dk, al);
        const double dVdH = HARD ? static_cast<double>(sign_bit(ds[i])) + keep * (vr - (dk + vth)) * sg : 1 - keep * vth * sg;
        const double gh = gs * sg + static_cast<double>(gv[i]) * dVdH;
        if (p.repeated) gxs[i] = static_cast<float>((t == T - 1 ? 0.0 : static_cast<double>(gxs[i])) + gh * dHdX);
        else gxs[i] = static_cast<float>(gh * dHdX);
        gv[i] = static_cast<float>(gh * dHdV);
      }
    }
  }
}

template <int S>
void backward_range_s(const BwdArgs& p, bool hard, int64_t i0, int64_t i1) {
  if (hard) backward_range<S, true>(p, i0, i1);
  else backward_range<S, false>(p, i0, i1);
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
  over_chunks(n, [&](int64_t i0, int64_t i1, int64_t) {
    switch (surr) {
      case kSigmoid: backward_range_s<kSigmoid>(p, hard, i0, i1); break;
      case kAtan: backward_range_s<kAtan>(p, hard, i0, i1); break;
      case kFastSigmoid: backward_range_s<kFastSigmoid>(p, hard, i0, i1); break;
      case kPiecewiseQuadratic: backward_range_s<kPiecewiseQuadratic>(p, hard, i0, i1); break;
      default: backward_range_s<kRectangular>(p, hard, i0, i1); break;
    }
  });
  return undefined(env);
}

}  // namespace

void register_lif(napi_env env, napi_value exports) {
  export_fn(env, exports, "lifForward", js_lif_forward);
  export_fn(env, exports, "lifBackward", js_lif_backward);
}

}  // namespace strl
