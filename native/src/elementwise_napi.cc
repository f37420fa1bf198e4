// Node-API binding of the element-wise kernels (elementwise_kernels.h): binary, unary, reduce, softmax, transpose,
// layerNorm, layerNormBackward, adamw, dropoutMask. Each function reads and checks its arguments (a RangeError
// naming the problem, never a crash) and calls the kernel on the arrays in place.
#include <string>
#include <vector>

#include "elementwise_kernels.h"
#include "napi_util.h"

namespace strl {
namespace {

bool read_shape(napi_env env, napi_value v, std::vector<int64_t>& out, const char* what) {
  bool is_arr = false;
  napi_is_array(env, v, &is_arr);
  if (!is_arr) {
    throw_range(env, std::string(what) + " must be an array of integers");
    return false;
  }
  uint32_t n;
  napi_get_array_length(env, v, &n);
  if (n > kMaxRank) {
    throw_range(env, std::string(what) + ": rank " + std::to_string(n) + " exceeds " + std::to_string(kMaxRank));
    return false;
  }
  out.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    napi_value e;
    napi_get_element(env, v, i, &e);
    int64_t x;
    if (napi_get_value_int64(env, e, &x) != napi_ok || x < 0) {
      throw_range(env, std::string(what) + " must hold non-negative integers");
      return false;
    }
    out[i] = x;
  }
  return true;
}

// binary(op, outShape, a, aShape, b, bShape, out): numpy broadcasting of a and b (each right-aligned to out).
napi_value js_binary(napi_env env, napi_callback_info info) {
  Args args(env, info, 7, "binary");
  if (!args.ok) return nullptr;
  int64_t op;
  std::vector<int64_t> os, as, bs;
  float *a, *b, *out;
  size_t na, nb, no;
  if (!get_i64(env, args.argv[0], &op, "op") || !read_shape(env, args.argv[1], os, "outShape") ||
      !get_f32(env, args.argv[2], &a, &na, "a") || !read_shape(env, args.argv[3], as, "aShape") ||
      !get_f32(env, args.argv[4], &b, &nb, "b") || !read_shape(env, args.argv[5], bs, "bShape") ||
      !get_f32(env, args.argv[6], &out, &no, "out"))
    return nullptr;
  int rank = static_cast<int>(os.size());
  if (as.size() > os.size() || bs.size() > os.size()) return throw_range(env, "binary: input rank exceeds output rank");
  int64_t total = 1;
  for (auto d : os) total *= d;
  if (static_cast<int64_t>(no) < total) return throw_range(env, "binary: out is too small");
  // Per output dim: sizes and strides of a and b (0 where broadcast).
  int64_t shape[kMaxRank], sa[kMaxRank], sb[kMaxRank];
  int64_t stA = 1, stB = 1;
  for (int d = rank - 1; d >= 0; --d) {
    int ia = d - (rank - static_cast<int>(as.size()));
    int ib = d - (rank - static_cast<int>(bs.size()));
    int64_t da = ia >= 0 ? as[ia] : 1, db = ib >= 0 ? bs[ib] : 1;
    if ((da != os[d] && da != 1) || (db != os[d] && db != 1)) return throw_range(env, "binary: shapes do not broadcast");
    shape[d] = os[d];
    sa[d] = da == 1 ? 0 : stA;
    sb[d] = db == 1 ? 0 : stB;
    stA *= da;
    stB *= db;
  }
  if (static_cast<int64_t>(na) < stA || static_cast<int64_t>(nb) < stB) return throw_range(env, "binary: an input is smaller than its shape");
  if (total == 0) return undefined(env);
  if (!binary_broadcast(static_cast<int>(op), rank, shape, sa, sb, a, b, out))
    return throw_range(env, "binary: unknown op " + std::to_string(op));
  return undefined(env);
}

// unary(op, x, y[, alpha]): y = f(x) element-wise (alpha: Step's value for x <= 0).
napi_value js_unary(napi_env env, napi_callback_info info) {
  Args args(env, info, 3, "unary");
  if (!args.ok) return nullptr;
  int64_t op;
  float *x, *y;
  size_t nx, ny;
  if (!get_i64(env, args.argv[0], &op, "op") || !get_f32(env, args.argv[1], &x, &nx, "x") || !get_f32(env, args.argv[2], &y, &ny, "y"))
    return nullptr;
  if (ny < nx) return throw_range(env, "unary: y is smaller than x");
  int64_t n = static_cast<int64_t>(nx);
  double alpha = 0;
  if (op == kStep && args.argc > 3 && !get_f64(env, args.argv[3], &alpha, "alpha")) return nullptr;
  if (!unary(static_cast<int>(op), x, y, n, static_cast<float>(alpha)))
    return throw_range(env, "unary: unknown op " + std::to_string(op));
  return undefined(env);
}

// reduce(op, x, outer, red, inner, y): x viewed as [outer, red, inner], y [outer, inner] = op over red.
napi_value js_reduce(napi_env env, napi_callback_info info) {
  Args args(env, info, 6, "reduce");
  if (!args.ok) return nullptr;
  int64_t op, outer, red, inner;
  float *x, *y;
  size_t nx, ny;
  if (!get_i64(env, args.argv[0], &op, "op") || !get_f32(env, args.argv[1], &x, &nx, "x") || !get_i64(env, args.argv[2], &outer, "outer") ||
      !get_i64(env, args.argv[3], &red, "red") || !get_i64(env, args.argv[4], &inner, "inner") || !get_f32(env, args.argv[5], &y, &ny, "y"))
    return nullptr;
  if (op < 0 || op > kRMin) return throw_range(env, "reduce: unknown op");
  if (outer < 0 || red < 0 || inner < 0 || static_cast<int64_t>(nx) < outer * red * inner || static_cast<int64_t>(ny) < outer * inner)
    return throw_range(env, "reduce: sizes do not match the arrays");
  if ((op == kRMax || op == kRMin) && red == 0) return throw_range(env, "reduce: max/min over an empty axis");
  reduce(static_cast<int>(op), x, outer, red, inner, y);
  return undefined(env);
}

// softmax(x, rows, n, y): softmax over the last axis of x [rows, n] (max-subtracted, sum in double).
napi_value js_softmax(napi_env env, napi_callback_info info) {
  Args args(env, info, 4, "softmax");
  if (!args.ok) return nullptr;
  float *x, *y;
  size_t nx, ny;
  int64_t rows, n;
  if (!get_f32(env, args.argv[0], &x, &nx, "x") || !get_i64(env, args.argv[1], &rows, "rows") || !get_i64(env, args.argv[2], &n, "n") ||
      !get_f32(env, args.argv[3], &y, &ny, "y"))
    return nullptr;
  if (rows < 0 || n < 1 || static_cast<int64_t>(nx) < rows * n || static_cast<int64_t>(ny) < rows * n) return throw_range(env, "softmax: sizes do not match the arrays");
  softmax_rows(x, rows, n, y);
  return undefined(env);
}

// transpose(x, shape, perm, y): y = x permuted (numpy transpose semantics), rank <= 8.
napi_value js_transpose(napi_env env, napi_callback_info info) {
  Args args(env, info, 4, "transpose");
  if (!args.ok) return nullptr;
  float *x, *y;
  size_t nx, ny;
  std::vector<int64_t> shape, perm;
  if (!get_f32(env, args.argv[0], &x, &nx, "x") || !read_shape(env, args.argv[1], shape, "shape") || !read_shape(env, args.argv[2], perm, "perm") ||
      !get_f32(env, args.argv[3], &y, &ny, "y"))
    return nullptr;
  int rank = static_cast<int>(shape.size());
  if (static_cast<int>(perm.size()) != rank) return throw_range(env, "transpose: perm length differs from the rank");
  int64_t total = 1;
  for (auto d : shape) total *= d;
  if (static_cast<int64_t>(nx) < total || static_cast<int64_t>(ny) < total) return throw_range(env, "transpose: arrays smaller than the shape");
  bool seen[kMaxRank] = {false};
  for (auto p : perm) {
    if (p < 0 || p >= rank || seen[p]) return throw_range(env, "transpose: perm is not a permutation");
    seen[p] = true;
  }
  if (total == 0) return undefined(env);
  transpose(x, rank, shape.data(), perm.data(), total, y);
  return undefined(env);
}

// layerNorm(x, rows, n, gamma, beta, eps, y, mean, rstd): y = (x - mean) * rstd * gamma + beta per row of n;
// mean and rstd [rows] are kept for the backward pass. Statistics in double (population variance, as PyTorch).
napi_value js_layer_norm(napi_env env, napi_callback_info info) {
  Args args(env, info, 9, "layerNorm");
  if (!args.ok) return nullptr;
  float *x, *g, *bt, *y, *mu, *rs;
  size_t nx, ng, nb, ny, nm, nr;
  int64_t rows, n;
  double eps;
  if (!get_f32(env, args.argv[0], &x, &nx, "x") || !get_i64(env, args.argv[1], &rows, "rows") || !get_i64(env, args.argv[2], &n, "n") ||
      !get_f32(env, args.argv[3], &g, &ng, "gamma") || !get_f32(env, args.argv[4], &bt, &nb, "beta") || !get_f64(env, args.argv[5], &eps, "eps") ||
      !get_f32(env, args.argv[6], &y, &ny, "y") || !get_f32(env, args.argv[7], &mu, &nm, "mean") || !get_f32(env, args.argv[8], &rs, &nr, "rstd"))
    return nullptr;
  if (rows < 0 || n < 1 || static_cast<int64_t>(nx) < rows * n || static_cast<int64_t>(ny) < rows * n || static_cast<int64_t>(ng) < n ||
      static_cast<int64_t>(nb) < n || static_cast<int64_t>(nm) < rows || static_cast<int64_t>(nr) < rows)
    return throw_range(env, "layerNorm: sizes do not match the arrays");
  layer_norm(x, rows, n, g, bt, eps, y, mu, rs);
  return undefined(env);
}

// layerNormBackward(dy, x, rows, n, gamma, mean, rstd, dx, dgamma, dbeta):
//   xhat = (x - mean) rstd; dxhat = dy gamma;
//   dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)); dgamma = sum_rows dy xhat; dbeta = sum_rows dy.
napi_value js_layer_norm_backward(napi_env env, napi_callback_info info) {
  Args args(env, info, 10, "layerNormBackward");
  if (!args.ok) return nullptr;
  float *dy, *x, *g, *mu, *rs, *dx, *dg, *db;
  size_t n0, n1, n2, n3, n4, n5, n6, n7;
  int64_t rows, n;
  if (!get_f32(env, args.argv[0], &dy, &n0, "dy") || !get_f32(env, args.argv[1], &x, &n1, "x") || !get_i64(env, args.argv[2], &rows, "rows") ||
      !get_i64(env, args.argv[3], &n, "n") || !get_f32(env, args.argv[4], &g, &n2, "gamma") || !get_f32(env, args.argv[5], &mu, &n3, "mean") ||
      !get_f32(env, args.argv[6], &rs, &n4, "rstd") || !get_f32(env, args.argv[7], &dx, &n5, "dx") || !get_f32(env, args.argv[8], &dg, &n6, "dgamma") ||
      !get_f32(env, args.argv[9], &db, &n7, "dbeta"))
    return nullptr;
  int64_t total = rows * n;
  if (rows < 0 || n < 1 || static_cast<int64_t>(n0) < total || static_cast<int64_t>(n1) < total || static_cast<int64_t>(n5) < total ||
      static_cast<int64_t>(n2) < n || static_cast<int64_t>(n6) < n || static_cast<int64_t>(n7) < n || static_cast<int64_t>(n3) < rows ||
      static_cast<int64_t>(n4) < rows)
    return throw_range(env, "layerNormBackward: sizes do not match the arrays");
  layer_norm_backward(dy, x, rows, n, g, mu, rs, dx, dg, db);
  return undefined(env);
}

// adamw(p, g, m, v, pOut, mOut, vOut, beta1, beta2, eps, decay, stepSize, sqrtBc2): one AdamW step, in float32
// op by op as the tfjs composition does it (m' = b1 m + (1-b1) g; v' = b2 v + (1-b2) g^2;
// p' = p decay - (m' / (sqrt(v') / sqrtBc2 + eps)) stepSize, with decay = 1 - lr wd or 1, stepSize = lr / (1 - b1^t)).
napi_value js_adamw(napi_env env, napi_callback_info info) {
  Args args(env, info, 13, "adamw");
  if (!args.ok) return nullptr;
  float *p, *g, *m, *v, *po, *mo, *vo;
  size_t np, ng, nm, nv, npo, nmo, nvo;
  double b1, b2, eps, decay, step, sbc2;
  if (!get_f32(env, args.argv[0], &p, &np, "p") || !get_f32(env, args.argv[1], &g, &ng, "g") || !get_f32(env, args.argv[2], &m, &nm, "m") ||
      !get_f32(env, args.argv[3], &v, &nv, "v") || !get_f32(env, args.argv[4], &po, &npo, "pOut") || !get_f32(env, args.argv[5], &mo, &nmo, "mOut") ||
      !get_f32(env, args.argv[6], &vo, &nvo, "vOut") || !get_f64(env, args.argv[7], &b1, "beta1") || !get_f64(env, args.argv[8], &b2, "beta2") ||
      !get_f64(env, args.argv[9], &eps, "eps") || !get_f64(env, args.argv[10], &decay, "decay") || !get_f64(env, args.argv[11], &step, "stepSize") ||
      !get_f64(env, args.argv[12], &sbc2, "sqrtBc2"))
    return nullptr;
  if (ng != np || nm != np || nv != np || npo != np || nmo != np || nvo != np) return throw_range(env, "adamw: all arrays must have the same length");
  adamw(p, g, m, v, po, mo, vo, static_cast<int64_t>(np), AdamwStep{b1, b2, eps, decay, step, sbc2});
  return undefined(env);
}

// dropoutMask(state, p, keep, mask): mask[i] = (u_i / 2^32 < p) ? 0 : keep, where u_i are successive draws of
// the xoshiro128** stream whose four uint32 words are `state` (advanced in place). The same draws, in the same
// order, as src/tensor/rng.ts `Rng.float()`.
napi_value js_dropout_mask(napi_env env, napi_callback_info info) {
  Args args(env, info, 4, "dropoutMask");
  if (!args.ok) return nullptr;
  void* st;
  size_t nst, nm;
  double p, keep;
  float* mask;
  if (!get_typed(env, args.argv[0], napi_uint32_array, &st, &nst, "state") || !get_f64(env, args.argv[1], &p, "p") ||
      !get_f64(env, args.argv[2], &keep, "keep") || !get_f32(env, args.argv[3], &mask, &nm, "mask"))
    return nullptr;
  if (nst != 4) return throw_range(env, "dropoutMask: state must hold 4 words");
  dropout_mask(static_cast<uint32_t*>(st), p, keep, mask, nm);
  return undefined(env);
}

}  // namespace

void register_elementwise(napi_env env, napi_value exports) {
  export_fn(env, exports, "binary", js_binary);
  export_fn(env, exports, "unary", js_unary);
  export_fn(env, exports, "reduce", js_reduce);
  export_fn(env, exports, "softmax", js_softmax);
  export_fn(env, exports, "transpose", js_transpose);
  export_fn(env, exports, "layerNorm", js_layer_norm);
  export_fn(env, exports, "layerNormBackward", js_layer_norm_backward);
  export_fn(env, exports, "adamw", js_adamw);
  export_fn(env, exports, "dropoutMask", js_dropout_mask);
}

}  // namespace strl
