// Node-API binding of the event-driven Linear layer (event_linear_kernels.h): eventLinear, its weight gradient
// eventLinearWeightGrad, countSpikes, and for tests eventLinearSimd. Checks every argument, then calls the kernel.
#include "event_linear_kernels.h"
#include "napi_util.h"

namespace strl {

// eventLinear(x, W, b, y, rows, Din, Dout) -> accumulates: y [rows, Dout] = x [rows, Din] · W [Din, Dout] (+ b
// [Dout]; an empty b: no bias) for spikes x (0 or 1 only), by adding W's rows of the inputs that fired. Returns
// the accumulates done: active inputs x Dout.
static napi_value js_event_linear(napi_env env, napi_callback_info info) {
  Args args(env, info, 7, "eventLinear");
  if (!args.ok) return nullptr;
  float *x, *w, *b, *y;
  size_t nx, nw, nb, ny;
  int64_t rows, din, dout;
  if (!get_f32(env, args.argv[0], &x, &nx, "x") || !get_f32(env, args.argv[1], &w, &nw, "W") || !get_f32(env, args.argv[2], &b, &nb, "b") ||
      !get_f32(env, args.argv[3], &y, &ny, "y") || !get_i64(env, args.argv[4], &rows, "rows") || !get_i64(env, args.argv[5], &din, "Din") ||
      !get_i64(env, args.argv[6], &dout, "Dout"))
    return nullptr;
  if (rows < 0 || din < 1 || dout < 1 || din > INT32_MAX) return throw_range(env, "eventLinear: rows must be >= 0, Din and Dout >= 1");
  if (nx < size_t(rows * din) || nw != size_t(din * dout) || (nb != 0 && nb != size_t(dout)) || ny < size_t(rows * dout))
    return throw_range(env, "eventLinear: array lengths do not fit x [rows, Din], W [Din, Dout], b [Dout] or [], y [rows, Dout]");
  const double acc = event_linear(x, w, nb ? b : nullptr, y, rows, din, dout);
  if (acc < 0) return throw_range(env, "eventLinear: x must hold only 0 and 1 (spikes)");
  return make_f64(env, acc);
}

// eventLinearWeightGrad(x, dy, gW, rows, Din, Dout) -> accumulates: gW [Din, Dout] = xᵀ · dy for spikes x [rows,
// Din] (0 or 1 only) and dy [rows, Dout], by adding for each input the rows of dy where it fired. Returns the
// accumulates done: ones in x x Dout.
static napi_value js_event_linear_weight_grad(napi_env env, napi_callback_info info) {
  Args args(env, info, 6, "eventLinearWeightGrad");
  if (!args.ok) return nullptr;
  float *x, *dy, *gw;
  size_t nx, ndy, ngw;
  int64_t rows, din, dout;
  if (!get_f32(env, args.argv[0], &x, &nx, "x") || !get_f32(env, args.argv[1], &dy, &ndy, "dy") ||
      !get_f32(env, args.argv[2], &gw, &ngw, "gW") || !get_i64(env, args.argv[3], &rows, "rows") ||
      !get_i64(env, args.argv[4], &din, "Din") || !get_i64(env, args.argv[5], &dout, "Dout"))
    return nullptr;
  if (rows < 0 || din < 1 || dout < 1 || rows > INT32_MAX)
    return throw_range(env, "eventLinearWeightGrad: rows must be in [0, 2^31), Din and Dout >= 1");
  if (nx < size_t(rows * din) || ndy < size_t(rows * dout) || ngw < size_t(din * dout))
    return throw_range(env, "eventLinearWeightGrad: array lengths do not fit x [rows, Din], dy [rows, Dout], gW [Din, Dout]");
  const double acc = event_linear_weight_grad(x, dy, gw, rows, din, dout);
  if (acc < 0) return throw_range(env, "eventLinearWeightGrad: x must hold only 0 and 1 (spikes)");
  return make_f64(env, acc);
}

// countSpikes(x) -> the number of ones in x, or -1 when x holds a value other than 0 and 1.
static napi_value js_count_spikes(napi_env env, napi_callback_info info) {
  Args args(env, info, 1, "countSpikes");
  if (!args.ok) return nullptr;
  float* x;
  size_t nx;
  if (!get_f32(env, args.argv[0], &x, &nx, "x")) return nullptr;
  return make_f64(env, count_spikes(x, static_cast<int64_t>(nx)));
}

// eventLinearSimd(name?) -> the instruction set eventLinear uses ("portable" or "avx2"); with a name, first
// switches to it (for tests: both copies give the same bits). A set this CPU lacks is a RangeError.
static napi_value js_event_linear_simd(napi_env env, napi_callback_info info) {
  Args a(env, info, 0, "eventLinearSimd");
  if (!a.ok) return nullptr;
  napi_valuetype ty = napi_undefined;
  if (a.argc > 0) napi_typeof(env, a.argv[0], &ty);
  if (ty != napi_undefined) {
    char name[16] = {0};
    size_t len = 0;
    if (napi_get_value_string_utf8(env, a.argv[0], name, sizeof name, &len) != napi_ok)
      return throw_range(env, "eventLinearSimd: the name must be a string");
    const std::string s(name, len);
    if (!event_linear_use_isa(s)) return throw_range(env, "eventLinearSimd: '" + s + "' is not available on this CPU");
  }
  napi_value out;
  napi_create_string_utf8(env, event_linear_isa(), NAPI_AUTO_LENGTH, &out);
  return out;
}

void register_event_linear(napi_env env, napi_value exports) {
  export_fn(env, exports, "eventLinear", js_event_linear);
  export_fn(env, exports, "eventLinearWeightGrad", js_event_linear_weight_grad);
  export_fn(env, exports, "countSpikes", js_count_spikes);
  export_fn(env, exports, "eventLinearSimd", js_event_linear_simd);
}

}  // namespace strl
