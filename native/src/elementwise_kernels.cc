// Element-wise (binary with numpy broadcasting, unary), reduction and transpose kernels (elementwise_kernels.h).
#include <cmath>
#include <vector>

#include "elementwise_kernels.h"
#include "thread_pool.h"

namespace strl {
namespace {

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
  parallel_chunks(outer, rows_per, [&](int64_t r0, int64_t r1, int64_t) {
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
  }, static_cast<double>(outer) * static_cast<double>(inner));
}

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
  parallel_chunks(n, kChunk, [&](int64_t b, int64_t e, int64_t) {
    for (int64_t i = b; i < e; ++i) y[i] = un<OP>(x[i]);
  }, static_cast<double>(n));
}

// Step (relu's gradient): 1 where x > 0, alpha elsewhere, NaN stays NaN.
void step_run(const float* x, float* y, int64_t n, float alpha) {
  parallel_chunks(n, kChunk, [&](int64_t b, int64_t e, int64_t) {
    for (int64_t i = b; i < e; ++i) y[i] = x[i] > 0 ? 1.0f : (std::isnan(x[i]) ? x[i] : alpha);
  }, static_cast<double>(n));
}

}  // namespace

bool binary_broadcast(int op, int rank, const int64_t* shape, const int64_t* sa, const int64_t* sb, const float* a,
                      const float* b, float* out) {
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
    default: return false;
  }
  return true;
}

bool unary(int op, const float* x, float* y, int64_t n, float alpha) {
  if (op == kStep) {
    step_run(x, y, n, alpha);
    return true;
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
    default: return false;
  }
  return true;
}

void reduce(int op, const float* x, int64_t outer, int64_t red, int64_t inner, float* y) {
  if (inner == 1) {
    // Rows: each output reduces one contiguous row.
    int64_t rows_per = red >= kChunk ? 1 : kChunk / (red > 0 ? red : 1);
    parallel_chunks(outer, rows_per, [&](int64_t b, int64_t e, int64_t) {
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
    return;
  }
  // Columns: for each outer, accumulate rows of `inner` into a double buffer (fixed order over red).
  int64_t cols_per = 4096;
  int64_t col_tasks = (inner + cols_per - 1) / cols_per;
  parallel_tasks(outer * col_tasks, true, [&](int64_t task) {
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
}

void transpose(const float* x, int rank, const int64_t* shape, const int64_t* perm, int64_t total, float* y) {
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
  parallel_chunks(outer, rows_per, [&](int64_t b, int64_t e, int64_t) {
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
}

}  // namespace strl
