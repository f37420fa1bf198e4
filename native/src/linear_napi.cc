// Node-API binding of the fused Linear layer (linear_kernels.h): linearForward, linearBackward. Checks every
// argument (sizes, the activation code, outputs that share memory with an input), then calls the kernels.
#include <cstdint>
#include <string>

#include "activation.h"
#include "linear_kernels.h"
#include "napi_util.h"

namespace strl {
namespace {

bool shares(const float* a, size_t na, const float* b, size_t nb) {
  return na > 0 && nb > 0 && a < b + nb && b < a + na;
}

// rows >= 0, Din and Dout >= 1, act in {0, 1, 2}; else throws and returns false.
bool check_dims(napi_env env, const char* fn, int64_t rows, int64_t din, int64_t dout, int64_t act) {
  const int64_t kMax = INT32_MAX;  // so that every product of two sizes fits in int64
  if (rows < 0 || din < 1 || dout < 1 || rows > kMax || din > kMax || dout > kMax) {
    throw_range(env, std::string(fn) + ": rows must be in [0, 2^31), Din and Dout in [1, 2^31)");
    return false;
  }
  if (act < kActNone || act > kActGelu) {
    throw_range(env, std::string(fn) + ": act must be 0 (none), 1 (relu) or 2 (gelu), got " + std::to_string(act));
    return false;
  }
  return true;
}

// linearForward(x, W, b, act, y, z, rows, Din, Dout): y [rows, Dout] = act(x [rows, Din] · W [Din, Dout] + b);
// an empty b: no bias; z [rows, Dout] receives the pre-activation for gelu (empty otherwise).
napi_value js_linear_forward(napi_env env, napi_callback_info info) {
  Args a(env, info, 9, "linearForward");
  if (!a.ok) return nullptr;
  float *x, *w, *b, *y, *z;
  size_t nx, nw, nb, ny, nz;
  int64_t act, rows, din, dout;
  if (!get_f32(env, a.argv[0], &x, &nx, "x") || !get_f32(env, a.argv[1], &w, &nw, "W") || !get_f32(env, a.argv[2], &b, &nb, "b") ||
      !get_i64(env, a.argv[3], &act, "act") || !get_f32(env, a.argv[4], &y, &ny, "y") || !get_f32(env, a.argv[5], &z, &nz, "z") ||
      !get_i64(env, a.argv[6], &rows, "rows") || !get_i64(env, a.argv[7], &din, "Din") || !get_i64(env, a.argv[8], &dout, "Dout"))
    return nullptr;
  if (!check_dims(env, "linearForward", rows, din, dout, act)) return nullptr;
  const size_t nIn = size_t(rows * din), nOut = size_t(rows * dout), nW = size_t(din * dout);
  if (nx != nIn || nw != nW || (nb != 0 && nb != size_t(dout)) || ny != nOut || nz != (act == kActGelu ? nOut : 0))
    return throw_range(env, "linearForward: array lengths do not fit x [rows, Din], W [Din, Dout], b [Dout] or [], "
                            "y [rows, Dout], z [rows, Dout] for gelu else []");
  if (shares(y, ny, x, nx) || shares(y, ny, w, nw) || shares(y, ny, b, nb) || shares(z, nz, x, nx) ||
      shares(z, nz, w, nw) || shares(z, nz, b, nb) || shares(z, nz, y, ny))
    return throw_range(env, "linearForward: y and z must not share memory with an input or each other");
  if (!linear_forward(x, w, nb ? b : nullptr, int(act), y, nz ? z : nullptr, rows, din, dout))
    return throw_range(env, "linearForward: out of memory");
  return undefined(env);
}

// linearBackward(dy, x, W, saved, act, dx, dW, db, rows, Din, Dout): saved is y for relu, z for gelu, empty for
// none; an empty dx skips the input gradient, an empty db the bias's.
napi_value js_linear_backward(napi_env env, napi_callback_info info) {
  Args a(env, info, 11, "linearBackward");
  if (!a.ok) return nullptr;
  float *dy, *x, *w, *sv, *dx, *dw, *db;
  size_t ndy, nx, nw, nsv, ndx, ndw, ndb;
  int64_t act, rows, din, dout;
  if (!get_f32(env, a.argv[0], &dy, &ndy, "dy") || !get_f32(env, a.argv[1], &x, &nx, "x") || !get_f32(env, a.argv[2], &w, &nw, "W") ||
      !get_f32(env, a.argv[3], &sv, &nsv, "saved") || !get_i64(env, a.argv[4], &act, "act") ||
      !get_f32(env, a.argv[5], &dx, &ndx, "dx") || !get_f32(env, a.argv[6], &dw, &ndw, "dW") || !get_f32(env, a.argv[7], &db, &ndb, "db") ||
      !get_i64(env, a.argv[8], &rows, "rows") || !get_i64(env, a.argv[9], &din, "Din") || !get_i64(env, a.argv[10], &dout, "Dout"))
    return nullptr;
  if (!check_dims(env, "linearBackward", rows, din, dout, act)) return nullptr;
  const size_t nIn = size_t(rows * din), nOut = size_t(rows * dout), nW = size_t(din * dout);
  if (ndy != nOut || nx != nIn || nw != nW || nsv != (act == kActNone ? 0 : nOut) || (ndx != 0 && ndx != nIn) || ndw != nW ||
      (ndb != 0 && ndb != size_t(dout)))
    return throw_range(env, "linearBackward: array lengths do not fit dy [rows, Dout], x [rows, Din], W [Din, Dout], saved "
                            "[rows, Dout] (none: []), dx [rows, Din] or [], dW [Din, Dout], db [Dout] or []");
  const float* ins[] = {dy, x, w, sv};
  const size_t nins[] = {ndy, nx, nw, nsv};
  float* outs[] = {dx, dw, db};
  const size_t nouts[] = {ndx, ndw, ndb};
  for (int o = 0; o < 3; ++o) {
    for (int i = 0; i < 4; ++i)
      if (shares(outs[o], nouts[o], ins[i], nins[i])) return throw_range(env, "linearBackward: an output shares memory with an input");
    for (int p = 0; p < o; ++p)
      if (shares(outs[o], nouts[o], outs[p], nouts[p])) return throw_range(env, "linearBackward: outputs share memory");
  }
  if (!linear_backward(dy, x, w, nsv ? sv : nullptr, int(act), ndx ? dx : nullptr, dw, ndb ? db : nullptr, rows, din, dout))
    return throw_range(env, "linearBackward: out of memory");
  return undefined(env);
}

}  // namespace

void register_linear(napi_env env, napi_value exports) {
  export_fn(env, exports, "linearForward", js_linear_forward);
  export_fn(env, exports, "linearBackward", js_linear_backward);
}

}  // namespace strl
