// Node-API binding of the fused fully-connected layers (dense_kernels.h): denseForward, denseBackward. Checks
// every argument, then calls the kernels.
#include "dense_kernels.h"
#include "napi_util.h"

namespace strl {

// denseForward(x, W, b, y, B, nIn, nOut, relu): y = x Wᵀ + b, then max(y, 0) when relu.
static napi_value js_dense_forward(napi_env env, napi_callback_info info) {
  Args args(env, info, 8, "denseForward");
  if (!args.ok) return nullptr;
  float *x, *w, *b, *y;
  size_t nx, nw, nb, ny;
  int64_t B, nIn, nOut;
  bool relu;
  if (!get_f32(env, args.argv[0], &x, &nx, "x") || !get_f32(env, args.argv[1], &w, &nw, "W") || !get_f32(env, args.argv[2], &b, &nb, "b") ||
      !get_f32(env, args.argv[3], &y, &ny, "y") || !get_i64(env, args.argv[4], &B, "B") || !get_i64(env, args.argv[5], &nIn, "nIn") ||
      !get_i64(env, args.argv[6], &nOut, "nOut") || !get_bool(env, args.argv[7], &relu, "relu"))
    return nullptr;
  if (B < 1 || nIn < 1 || nOut < 1) return throw_range(env, "denseForward: B, nIn and nOut must be >= 1");
  if (nx < size_t(B * nIn) || nw != size_t(nOut * nIn) || nb != size_t(nOut) || ny < size_t(B * nOut))
    return throw_range(env, "denseForward: array lengths do not fit x [B, nIn], W [nOut, nIn], b [nOut], y [B, nOut]");
  if (!dense_forward(x, w, b, y, B, nIn, nOut, relu)) return throw_range(env, "denseForward: out of memory");
  return undefined(env);
}

// denseBackward(dy, x, W, gW, gb, dx, B, nIn, nOut, params, input, reluInput): from dy [B, nOut] (the gradient
// after this layer's activation was taken into account) and the layer's input x [B, nIn]:
//   params: gW = dyᵀ x [nOut, nIn], gb = Σ_rows dy [nOut] (both overwritten);
//   input:  dx = dy W [B, nIn], zeroed where x <= 0 when reluInput (x was a ReLU's output).
static napi_value js_dense_backward(napi_env env, napi_callback_info info) {
  Args args(env, info, 12, "denseBackward");
  if (!args.ok) return nullptr;
  float *dy, *x, *w, *gw, *gb, *dx;
  size_t ndy, nx, nw, ngw, ngb, ndx;
  int64_t B, nIn, nOut;
  bool params, input, reluInput;
  if (!get_f32(env, args.argv[0], &dy, &ndy, "dy") || !get_f32(env, args.argv[1], &x, &nx, "x") || !get_f32(env, args.argv[2], &w, &nw, "W") ||
      !get_f32(env, args.argv[3], &gw, &ngw, "gW") || !get_f32(env, args.argv[4], &gb, &ngb, "gb") || !get_f32(env, args.argv[5], &dx, &ndx, "dx") ||
      !get_i64(env, args.argv[6], &B, "B") || !get_i64(env, args.argv[7], &nIn, "nIn") || !get_i64(env, args.argv[8], &nOut, "nOut") ||
      !get_bool(env, args.argv[9], &params, "params") || !get_bool(env, args.argv[10], &input, "input") ||
      !get_bool(env, args.argv[11], &reluInput, "reluInput"))
    return nullptr;
  if (B < 1 || nIn < 1 || nOut < 1) return throw_range(env, "denseBackward: B, nIn and nOut must be >= 1");
  if (ndy < size_t(B * nOut) || nx < size_t(B * nIn) || nw != size_t(nOut * nIn))
    return throw_range(env, "denseBackward: array lengths do not fit dy [B, nOut], x [B, nIn], W [nOut, nIn]");
  if (params) {
    if (ngw != size_t(nOut * nIn) || ngb != size_t(nOut)) return throw_range(env, "denseBackward: gW must be [nOut, nIn] and gb [nOut]");
    if (!dense_params_grad(dy, x, gw, gb, B, nIn, nOut)) return throw_range(env, "denseBackward: out of memory");
  }
  if (input) {
    if (ndx < size_t(B * nIn)) return throw_range(env, "denseBackward: dx must be [B, nIn]");
    if (!dense_input_grad(dy, x, w, dx, B, nIn, nOut, reluInput)) return throw_range(env, "denseBackward: out of memory");
  }
  return undefined(env);
}

void register_dense(napi_env env, napi_value exports) {
  export_fn(env, exports, "denseForward", js_dense_forward);
  export_fn(env, exports, "denseBackward", js_dense_backward);
}

}  // namespace strl
