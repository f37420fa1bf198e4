// Element-wise, reduction, softmax, transpose, LayerNorm and AdamW kernels of the native engine, on float32
// arrays owned by JavaScript. Every kernel splits its work into chunks fixed by the shape (never by the thread
// count) and each output is written by one task in a fixed order, so results do not depend on the thread count.
// Reductions accumulate in double, as tfjs-backend-cpu's JavaScript loops do.
#include <cmath>
#include <cstring>
#include <vector>

#include "napi_util.h"
#include "pool.h"

namespace strl {
namespace {

constexpr int64_t kChunk = 1 << 15;  // elements per task of a flat loop
constexpr int kMaxRank = 8;

// Runs body(begin, end) over [0, n) in fixed chunks of `chunk` (inline when there is only one, or when the
// whole job - `cost` element-operations, default n - is too small to be worth a second thread).
template <class F>
void chunked(int64_t n, int64_t chunk, F body, double cost = -1) {
  int64_t tasks = (n + chunk - 1) / chunk;
  if (tasks <= 1) {
    if (n > 0) body(0, n);
    return;
  }
  parallel_for(tasks, [&](int64_t t) {
    int64_t b = t * chunk;
    int64_t e = b + chunk < n ? b + chunk : n;
    body(b, e);
  }, cost < 0 ? static_cast<double>(n) : cost);
}

enum BinOp { kAdd = 0, kSub, kMul, kDiv, kMax, kMin, kSqDiff, kPow };

template <int OP>
inline float bin(float a, float b) {
  if (OP == kAdd) return a + b;
  if (OP == kSub) return a - b;
  if (OP == kMul) return a * b;
  if (OP == kDiv) return a / b;
  if (OP == kMax) return (a > b || std::isnan(a)) ? a : (std::isnan(b) ? b : (a > b ? a : b));
  if (OP == kMin) return (a < b || std::isnan(a)) ? a : (std::isnan(b) ? b : (a < b ? a : b));
  if (OP == kSqDiff) {
    double d = static_cast<double>(a) - b;  // in double, as tfjs-backend-cpu
    return static_cast<float>(d * d);
  }
  return static_cast<float>(std::pow(static_cast<double>(a), static_cast<double>(b)));
}

// out[i] = a[ia] op b[ib] over an output of `rank` dims (already collapsed), with element strides sa/sb
// (0 on broadcast dims). The innermost dim is the loop; outer indices are walked with a counter.
template <int OP>
void binary_strided(int rank, const int64_t* shape, const int64_t* sa, const int64_t* sb, const float* a, const float* b, float* out) {
  int64_t inner = shape[rank - 1];
  int64_t outer = 1;
  for (int d = 0; d < rank - 1; ++d) outer *= shape[d];
  int64_t ia_in = sa[rank - 1], ib_in = sb[rank - 1];
  // Fixed rows per task (depends on the shape only).
  int64_t rows_per = inner >= kChunk ? 1 : kChunk / (inner > 0 ? inner : 1);
  int64_t tasks = (outer + rows_per - 1) / rows_per;
  auto run = [&](int64_t task) {
    int64_t r0 = task * rows_per, r1 = r0 + rows_per < outer ? r0 + rows_per : outer;
    for (int64_t r = r0; r < r1; ++r) {
      int64_t rem = r, oa = 0, ob = 0;
      for (int d = rank - 2; d >= 0; --d) {
        int64_t idx = rem % shape[d];
        rem /= shape[d];
        oa += idx * sa[d];
        ob += idx * sb[d];
      }
      const float* pa = a + oa;
      const float* pb = b + ob;
      float* po = out + r * inner;
      if (ia_in == 1 && ib_in == 1) {
        for (int64_t i = 0; i < inner; ++i) po[i] = bin<OP>(pa[i], pb[i]);
      } else if (ia_in == 1 && ib_in == 0) {
        float vb = pb[0];
        for (int64_t i = 0; i < inner; ++i) po[i] = bin<OP>(pa[i], vb);
      } else if (ia_in == 0 && ib_in == 1) {
        float va = pa[0];
        for (int64_t i = 0; i < inner; ++i) po[i] = bin<OP>(va, pb[i]);
      } else {
        for (int64_t i = 0; i < inner; ++i) po[i] = bin<OP>(pa[i * ia_in], pb[i * ib_in]);
      }
    }
  };
  if (tasks <= 1) {
    if (outer > 0) run(0);
  } else {
    parallel_for(tasks, run, static_cast<double>(outer) * static_cast<double>(inner));
  }
}

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
  // Collapse: drop size-1 dims, merge neighbours whose strides continue each other.
  int64_t cs[kMaxRank], ca[kMaxRank], cb[kMaxRank];
  int r = 0;
  for (int d = 0; d < rank; ++d) {
    if (shape[d] == 1) continue;
    if (r > 0 && ca[r - 1] == sa[d] * shape[d] && cb[r - 1] == sb[d] * shape[d]) {
      cs[r - 1] *= shape[d];
      ca[r - 1] = sa[d];
      cb[r - 1] = sb[d];
    } else {
      cs[r] = shape[d];
      ca[r] = sa[d];
      cb[r] = sb[d];
      ++r;
    }
  }
  if (r == 0) {
    cs[0] = 1;
    ca[0] = cb[0] = 0;
    r = 1;
  }
  switch (op) {
    case kAdd: binary_strided<kAdd>(r, cs, ca, cb, a, b, out); break;
    case kSub: binary_strided<kSub>(r, cs, ca, cb, a, b, out); break;
    case kMul: binary_strided<kMul>(r, cs, ca, cb, a, b, out); break;
    case kDiv: binary_strided<kDiv>(r, cs, ca, cb, a, b, out); break;
    case kMax: binary_strided<kMax>(r, cs, ca, cb, a, b, out); break;
    case kMin: binary_strided<kMin>(r, cs, ca, cb, a, b, out); break;
    case kSqDiff: binary_strided<kSqDiff>(r, cs, ca, cb, a, b, out); break;
    case kPow: binary_strided<kPow>(r, cs, ca, cb, a, b, out); break;
    default: return throw_range(env, "binary: unknown op " + std::to_string(op));
  }
  return undefined(env);
}

enum UnOp { kExp = 0, kLog, kSqrt, kRsqrt, kNeg, kSquare, kTanh, kRelu, kSigmoid, kAbs, kReciprocal, kStep };

template <int OP>
inline float un(float x) {
  if (OP == kExp) return static_cast<float>(std::exp(static_cast<double>(x)));
  if (OP == kLog) return static_cast<float>(std::log(static_cast<double>(x)));
  if (OP == kSqrt) return static_cast<float>(std::sqrt(static_cast<double>(x)));
  if (OP == kRsqrt) return static_cast<float>(1.0 / std::sqrt(static_cast<double>(x)));
  if (OP == kNeg) return -x;
  if (OP == kSquare) return x * x;
  if (OP == kTanh) return static_cast<float>(std::tanh(static_cast<double>(x)));
  if (OP == kRelu) return x > 0 ? x : (std::isnan(x) ? x : 0.0f);
  if (OP == kSigmoid) return static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(x))));
  if (OP == kAbs) return std::fabs(x);
  return 1.0f / x;
}

template <int OP>
void unary_run(const float* x, float* y, int64_t n) {
  chunked(n, kChunk, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) y[i] = un<OP>(x[i]);
  });
}

// Step (relu's gradient): 1 where x > 0, alpha elsewhere, NaN stays NaN.
void step_run(const float* x, float* y, int64_t n, float alpha) {
  chunked(n, kChunk, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) y[i] = x[i] > 0 ? 1.0f : (std::isnan(x[i]) ? x[i] : alpha);
  });
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
  if (op == kStep) {
    double alpha = 0;
    if (args.argc > 3 && !get_f64(env, args.argv[3], &alpha, "alpha")) return nullptr;
    step_run(x, y, n, static_cast<float>(alpha));
    return undefined(env);
  }
  switch (op) {
    case kExp: unary_run<kExp>(x, y, n); break;
    case kLog: unary_run<kLog>(x, y, n); break;
    case kSqrt: unary_run<kSqrt>(x, y, n); break;
    case kRsqrt: unary_run<kRsqrt>(x, y, n); break;
    case kNeg: unary_run<kNeg>(x, y, n); break;
    case kSquare: unary_run<kSquare>(x, y, n); break;
    case kTanh: unary_run<kTanh>(x, y, n); break;
    case kRelu: unary_run<kRelu>(x, y, n); break;
    case kSigmoid: unary_run<kSigmoid>(x, y, n); break;
    case kAbs: unary_run<kAbs>(x, y, n); break;
    case kReciprocal: unary_run<kReciprocal>(x, y, n); break;
    default: return throw_range(env, "unary: unknown op " + std::to_string(op));
  }
  return undefined(env);
}

enum RedOp { kSum = 0, kMean, kRMax, kRMin };

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
  if (inner == 1) {
    // Rows: each output reduces one contiguous row.
    int64_t rows_per = red >= kChunk ? 1 : kChunk / (red > 0 ? red : 1);
    chunked(outer, rows_per, [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) {
        const float* p = x + o * red;
        if (op == kSum || op == kMean) {
          double s = 0;
          for (int64_t i = 0; i < red; ++i) s += p[i];
          y[o] = static_cast<float>(op == kMean ? s / static_cast<double>(red) : s);
        } else {
          float m = p[0];
          for (int64_t i = 1; i < red; ++i) {
            float v = p[i];
            if (std::isnan(v) || (op == kRMax ? v > m : v < m)) m = v;
            if (std::isnan(m)) break;
          }
          y[o] = m;
        }
      }
    }, static_cast<double>(outer) * static_cast<double>(red));
    return undefined(env);
  }
  // Columns: for each outer, accumulate rows of `inner` into a double buffer (fixed order over red).
  int64_t cols_per = 4096;
  int64_t col_tasks = (inner + cols_per - 1) / cols_per;
  parallel_for(outer * col_tasks, [&](int64_t task) {
    int64_t o = task / col_tasks, c0 = (task % col_tasks) * cols_per;
    int64_t c1 = c0 + cols_per < inner ? c0 + cols_per : inner;
    const float* base = x + o * red * inner;
    float* yo = y + o * inner;
    if (op == kSum || op == kMean) {
      std::vector<double> acc(static_cast<size_t>(c1 - c0), 0.0);
      for (int64_t r = 0; r < red; ++r) {
        const float* p = base + r * inner;
        for (int64_t c = c0; c < c1; ++c) acc[c - c0] += p[c];
      }
      for (int64_t c = c0; c < c1; ++c) yo[c] = static_cast<float>(op == kMean ? acc[c - c0] / static_cast<double>(red) : acc[c - c0]);
    } else {
      for (int64_t c = c0; c < c1; ++c) yo[c] = base[c];
      for (int64_t r = 1; r < red; ++r) {
        const float* p = base + r * inner;
        for (int64_t c = c0; c < c1; ++c) {
          float v = p[c], m = yo[c];
          if (!std::isnan(m) && (std::isnan(v) || (op == kRMax ? v > m : v < m))) yo[c] = v;
        }
      }
    }
  }, static_cast<double>(outer) * static_cast<double>(red) * static_cast<double>(inner));
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
  int64_t rows_per = n >= kChunk ? 1 : kChunk / n;
  chunked(rows, rows_per, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* p = x + r * n;
      float* q = y + r * n;
      float m = p[0];
      for (int64_t i = 1; i < n; ++i) m = p[i] > m ? p[i] : m;
      double s = 0;
      for (int64_t i = 0; i < n; ++i) {
        float e1 = static_cast<float>(std::exp(static_cast<double>(p[i] - m)));
        q[i] = e1;
        s += e1;
      }
      float inv = static_cast<float>(1.0 / s);
      for (int64_t i = 0; i < n; ++i) q[i] *= inv;
    }
  }, static_cast<double>(rows) * static_cast<double>(n) * 8);
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
  int64_t instr[kMaxRank];
  int64_t st = 1;
  for (int d = rank - 1; d >= 0; --d) {
    instr[d] = st;
    st *= shape[d];
  }
  // Output dims and the input stride of each.
  int64_t oshape[kMaxRank], ostr[kMaxRank];
  for (int d = 0; d < rank; ++d) {
    oshape[d] = shape[perm[d]];
    ostr[d] = instr[perm[d]];
  }
  int64_t inner = rank > 0 ? oshape[rank - 1] : 1;
  int64_t istep = rank > 0 ? ostr[rank - 1] : 1;
  int64_t outer = total / inner;
  int64_t rows_per = inner >= kChunk ? 1 : kChunk / inner;
  chunked(outer, rows_per, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      int64_t rem = r, off = 0;
      for (int d = rank - 2; d >= 0; --d) {
        off += (rem % oshape[d]) * ostr[d];
        rem /= oshape[d];
      }
      const float* p = x + off;
      float* q = y + r * inner;
      for (int64_t i = 0; i < inner; ++i) q[i] = p[i * istep];
    }
  }, static_cast<double>(total));
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
  int64_t rows_per = n >= kChunk ? 1 : kChunk / n;
  chunked(rows, rows_per, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* p = x + r * n;
      double s = 0;
      for (int64_t i = 0; i < n; ++i) s += p[i];
      double m = s / static_cast<double>(n);
      double v = 0;
      for (int64_t i = 0; i < n; ++i) {
        double d = p[i] - m;
        v += d * d;
      }
      v /= static_cast<double>(n);
      double rstd = 1.0 / std::sqrt(v + eps);
      float* q = y + r * n;
      for (int64_t i = 0; i < n; ++i) q[i] = static_cast<float>((p[i] - m) * rstd * g[i] + bt[i]);
      mu[r] = static_cast<float>(m);
      rs[r] = static_cast<float>(rstd);
    }
  }, static_cast<double>(rows) * static_cast<double>(n) * 4);
  return undefined(env);
}

// layerNormBackward(dy, x, rows, n, gamma, mean, rstd, dx, dgamma, dbeta):
//   xhat = (x - mean) rstd; dxhat = dy gamma;
//   dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)); dgamma = sum_rows dy xhat; dbeta = sum_rows dy.
// dgamma/dbeta are reduced over fixed row blocks, then the blocks are added in order.
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
  const int64_t block = 256;  // rows per task
  int64_t tasks = (rows + block - 1) / block;
  std::vector<double> pg(static_cast<size_t>(tasks * n), 0.0), pb(static_cast<size_t>(tasks * n), 0.0);
  auto run = [&](int64_t t) {
    int64_t r0 = t * block, r1 = r0 + block < rows ? r0 + block : rows;
    double* tg = pg.data() + t * n;
    double* tb = pb.data() + t * n;
    for (int64_t r = r0; r < r1; ++r) {
      const float* pdy = dy + r * n;
      const float* px = x + r * n;
      double m = mu[r], s = rs[r];
      double a = 0, c = 0;
      for (int64_t i = 0; i < n; ++i) {
        double xh = (px[i] - m) * s;
        double dxh = static_cast<double>(pdy[i]) * g[i];
        a += dxh;
        c += dxh * xh;
        tg[i] += static_cast<double>(pdy[i]) * xh;
        tb[i] += pdy[i];
      }
      a /= static_cast<double>(n);
      c /= static_cast<double>(n);
      float* pdx = dx + r * n;
      for (int64_t i = 0; i < n; ++i) {
        double xh = (px[i] - m) * s;
        double dxh = static_cast<double>(pdy[i]) * g[i];
        pdx[i] = static_cast<float>(s * (dxh - a - xh * c));
      }
    }
  };
  if (tasks <= 1) {
    if (rows > 0) run(0);
  } else {
    parallel_for(tasks, run, static_cast<double>(rows) * static_cast<double>(n) * 8);
  }
  for (int64_t i = 0; i < n; ++i) {
    double sg = 0, sb = 0;
    for (int64_t t = 0; t < tasks; ++t) {
      sg += pg[t * n + i];
      sb += pb[t * n + i];
    }
    dg[i] = static_cast<float>(sg);
    db[i] = static_cast<float>(sb);
  }
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
  const float fb1 = static_cast<float>(b1), fb1c = static_cast<float>(1 - b1), fb2 = static_cast<float>(b2), fb2c = static_cast<float>(1 - b2);
  const float feps = static_cast<float>(eps), fdecay = static_cast<float>(decay), fstep = static_cast<float>(step), fs = static_cast<float>(sbc2);
  const bool decays = decay != 1.0;
  chunked(static_cast<int64_t>(np), kChunk, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      float gi = g[i];
      float mi = m[i] * fb1 + gi * fb1c;
      float vi = v[i] * fb2 + (gi * gi) * fb2c;
      float denom = std::sqrt(vi) / fs + feps;
      float pi = decays ? p[i] * fdecay : p[i];
      mo[i] = mi;
      vo[i] = vi;
      po[i] = pi - (mi / denom) * fstep;
    }
  });
  return undefined(env);
}

// dropoutMask(state, p, keep, mask): mask[i] = (u_i / 2^32 < p) ? 0 : keep, where u_i are successive draws of
// the xoshiro128** stream whose four uint32 words are `state` (advanced in place). The same draws, in the same
// order, as src/tensor/rng.ts `Rng.float()`, so the masks are bit-identical to the JS loop's. Sequential by
// nature (one stream): it runs on the calling thread.
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
  uint32_t* s = static_cast<uint32_t*>(st);
  uint32_t s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
  const float fkeep = static_cast<float>(keep);
  for (size_t i = 0; i < nm; ++i) {
    uint32_t x = s1 * 5u;
    uint32_t result = ((x << 7) | (x >> 25)) * 9u;
    uint32_t t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >> 21);
    mask[i] = static_cast<double>(result) / 4294967296.0 < p ? 0.0f : fkeep;
  }
  s[0] = s0;
  s[1] = s1;
  s[2] = s2;
  s[3] = s3;
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
