// Event-driven Linear layer for spike inputs (event_linear_kernels.h). Per row: list the inputs that fired (a
// scan of x's row), then add up W's rows of those inputs, 64 output columns at a time held in registers. The rows
// are cut into tasks by the shape only, each task writes its own rows and its own count, so the result is the
// same for any thread count. The AVX2 copy and the portable one add in the same order (0 + w_i0 + w_i1 + ... + b,
// no FMA), so they give the same bits.
#include "event_linear_kernels.h"

#include <algorithm>
#include <vector>

#include "thread_pool.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define STRL_EV_X86 1
#define STRL_EV_AVX2 __attribute__((target("avx2,popcnt")))
#endif

namespace strl {
namespace {

// The indices of the inputs of row xr [Din] that are not 0, in increasing order, into idx [Din]; their count.
// Sets *bad when a value is neither 0 nor 1 (NaN included).
int64_t scan_portable(const float* xr, int64_t Din, int32_t* idx, bool* bad) {
  int64_t na = 0;
  bool b = false;
  for (int64_t i = 0; i < Din; ++i) {
    const float v = xr[i];
    idx[na] = static_cast<int32_t>(i);  // branch-free: kept only when v != 0
    na += v != 0.0f;
    b |= (v != 0.0f) & (v != 1.0f);
  }
  *bad |= b;
  return na;
}

// yr [Dout] = Σ_a W[idx[a], :] (+ b), summed in the order of idx.
void accumulate_portable(const int32_t* idx, int64_t na, const float* W, const float* b, float* yr, int64_t Dout) {
  for (int64_t j = 0; j < Dout; ++j) yr[j] = 0.0f;
  for (int64_t a = 0; a < na; ++a) {
    const float* w = W + int64_t{idx[a]} * Dout;
    for (int64_t j = 0; j < Dout; ++j) yr[j] += w[j];
  }
  if (b)
    for (int64_t j = 0; j < Dout; ++j) yr[j] += b[j];
}

#ifdef STRL_EV_X86
// For each 8-bit mask, the positions of its set bits in increasing order, one byte each (the left-pack table).
struct PackTable {
  uint64_t pos[256];
  PackTable() {
    for (int m = 0; m < 256; ++m) {
      uint64_t v = 0;
      int k = 0;
      for (int b = 0; b < 8; ++b)
        if (m & (1 << b)) v |= uint64_t(b) << (8 * k++);
      pos[m] = v;
    }
  }
};
const PackTable g_pack;

// As scan_portable, 8 inputs at a time without branches on the data: the positions of the non-zero inputs of a
// group are packed to the left with the table and stored as 8 indices at once (idx needs Din + 8 entries).
STRL_EV_AVX2 int64_t scan_avx2(const float* xr, int64_t Din, int32_t* idx, bool* bad) {
  const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
  int64_t na = 0, i = 0;
  int badm = 0;
  for (; i + 8 <= Din; i += 8) {
    const __m256 v = _mm256_loadu_ps(xr + i);
    const __m256 nz = _mm256_cmp_ps(v, zero, _CMP_NEQ_UQ);  // NaN counts as not 0 (and not 1: bad)
    badm |= _mm256_movemask_ps(_mm256_and_ps(nz, _mm256_cmp_ps(v, one, _CMP_NEQ_UQ)));
    const unsigned m = static_cast<unsigned>(_mm256_movemask_ps(nz));
    const __m256i lanes = _mm256_cvtepu8_epi32(_mm_cvtsi64_si128(static_cast<long long>(g_pack.pos[m])));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(idx + na), _mm256_add_epi32(lanes, _mm256_set1_epi32(static_cast<int>(i))));
    na += __builtin_popcount(m);
  }
  *bad |= badm != 0;
  for (; i < Din; ++i) {  // the tail (< 8 inputs)
    const float v = xr[i];
    if (v != 0.0f) {
      idx[na++] = static_cast<int32_t>(i);
      if (v != 1.0f) *bad = true;
    }
  }
  return na;
}

STRL_EV_AVX2 void accumulate_avx2(const int32_t* idx, int64_t na, const float* W, const float* b, float* yr, int64_t Dout) {
  int64_t j0 = 0;
  for (; j0 + 64 <= Dout; j0 += 64) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (int64_t a = 0; a < na; ++a) {
      const float* w = W + int64_t{idx[a]} * Dout + j0;
      a0 = _mm256_add_ps(a0, _mm256_loadu_ps(w));
      a1 = _mm256_add_ps(a1, _mm256_loadu_ps(w + 8));
      a2 = _mm256_add_ps(a2, _mm256_loadu_ps(w + 16));
      a3 = _mm256_add_ps(a3, _mm256_loadu_ps(w + 24));
      a4 = _mm256_add_ps(a4, _mm256_loadu_ps(w + 32));
      a5 = _mm256_add_ps(a5, _mm256_loadu_ps(w + 40));
      a6 = _mm256_add_ps(a6, _mm256_loadu_ps(w + 48));
      a7 = _mm256_add_ps(a7, _mm256_loadu_ps(w + 56));
    }
    if (b) {
      const float* bj = b + j0;
      a0 = _mm256_add_ps(a0, _mm256_loadu_ps(bj));
      a1 = _mm256_add_ps(a1, _mm256_loadu_ps(bj + 8));
      a2 = _mm256_add_ps(a2, _mm256_loadu_ps(bj + 16));
      a3 = _mm256_add_ps(a3, _mm256_loadu_ps(bj + 24));
      a4 = _mm256_add_ps(a4, _mm256_loadu_ps(bj + 32));
      a5 = _mm256_add_ps(a5, _mm256_loadu_ps(bj + 40));
      a6 = _mm256_add_ps(a6, _mm256_loadu_ps(bj + 48));
      a7 = _mm256_add_ps(a7, _mm256_loadu_ps(bj + 56));
    }
    float* o = yr + j0;
    _mm256_storeu_ps(o, a0);
    _mm256_storeu_ps(o + 8, a1);
    _mm256_storeu_ps(o + 16, a2);
    _mm256_storeu_ps(o + 24, a3);
    _mm256_storeu_ps(o + 32, a4);
    _mm256_storeu_ps(o + 40, a5);
    _mm256_storeu_ps(o + 48, a6);
    _mm256_storeu_ps(o + 56, a7);
  }
  for (; j0 + 8 <= Dout; j0 += 8) {
    __m256 acc = _mm256_setzero_ps();
    for (int64_t a = 0; a < na; ++a) acc = _mm256_add_ps(acc, _mm256_loadu_ps(W + int64_t{idx[a]} * Dout + j0));
    if (b) acc = _mm256_add_ps(acc, _mm256_loadu_ps(b + j0));
    _mm256_storeu_ps(yr + j0, acc);
  }
  for (; j0 < Dout; ++j0) {
    float s = 0.0f;
    for (int64_t a = 0; a < na; ++a) s += W[int64_t{idx[a]} * Dout + j0];
    if (b) s += b[j0];
    yr[j0] = s;
  }
}

bool has_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
}
#else
bool has_avx2() { return false; }
#endif
bool g_avx2 = has_avx2();  // the copy in use

// One row: list its active inputs, add up their weight rows; returns the count of active inputs.
int64_t event_row(const float* xr, const float* W, const float* b, float* yr, int64_t Din, int64_t Dout, int32_t* idx,
                  bool* bad) {
#ifdef STRL_EV_X86
  if (g_avx2) {
    const int64_t na = scan_avx2(xr, Din, idx, bad);
    accumulate_avx2(idx, na, W, b, yr, Dout);
    return na;
  }
#endif
  const int64_t na = scan_portable(xr, Din, idx, bad);
  accumulate_portable(idx, na, W, b, yr, Dout);
  return na;
}

}  // namespace

const char* event_linear_isa() { return g_avx2 ? "avx2" : "portable"; }

bool event_linear_use_isa(const std::string& name) {
  if (name == "portable") g_avx2 = false;
  else if (name == "avx2" && has_avx2()) g_avx2 = true;
  else return false;
  return true;
}

double event_linear(const float* x, const float* W, const float* b, float* y, int64_t rows, int64_t Din, int64_t Dout) {
  if (rows <= 0 || Dout <= 0) return 0.0;
  const int64_t chunk = std::max<int64_t>(1, (rows + 63) / 64);  // at most 64 tasks, cut by the shape only
  const int64_t tasks = (rows + chunk - 1) / chunk;
  thread_local std::vector<int64_t> counts;  // per task: active inputs, or -1 for a value other than 0 and 1
  counts.assign(static_cast<size_t>(tasks), 0);
  int64_t* count = counts.data();  // the caller's: a worker naming `counts` would see its own (empty) copy
  // The pool's cost: the scan plus the additions at a firing rate of ~0.1 (not known before the scan).
  const double cost = double(rows) * double(Din) * (1.0 + 0.1 * double(Dout));
  parallel_chunks(rows, chunk, [&](int64_t r0, int64_t r1, int64_t t) {
    thread_local std::vector<int32_t> idx;
    if (idx.size() < size_t(Din) + 8) idx.resize(size_t(Din) + 8);  // + 8: the packed stores of scan_avx2
    int64_t n = 0;
    bool bad = false;
    for (int64_t r = r0; r < r1; ++r) n += event_row(x + r * Din, W, b, y + r * Dout, Din, Dout, idx.data(), &bad);
    count[t] = bad ? -1 : n;
  }, cost);
  int64_t active = 0;
  for (int64_t c : counts) {
    if (c < 0) return -1.0;
    active += c;
  }
  return double(active) * double(Dout);
}

}  // namespace strl
