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

// yr [Dout] = Σ_a W[idx[a], :] (+ b), summed in the order of idx from 0, or from yr's values when `more` (the
// same bits as one sum over both lists: the float32 partial sum is only stored and loaded back).
void accumulate_portable(const int32_t* idx, int64_t na, const float* W, const float* b, float* yr, int64_t Dout,
                         bool more = false) {
  if (!more)
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

STRL_EV_AVX2 void accumulate_avx2(const int32_t* idx, int64_t na, const float* W, const float* b, float* yr, int64_t Dout,
                                  bool more = false) {
  int64_t j0 = 0;
  for (; j0 + 64 <= Dout; j0 += 64) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    if (more) {
      const float* o = yr + j0;
      a0 = _mm256_loadu_ps(o), a1 = _mm256_loadu_ps(o + 8), a2 = _mm256_loadu_ps(o + 16), a3 = _mm256_loadu_ps(o + 24);
      a4 = _mm256_loadu_ps(o + 32), a5 = _mm256_loadu_ps(o + 40), a6 = _mm256_loadu_ps(o + 48), a7 = _mm256_loadu_ps(o + 56);
    }
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
    __m256 acc = more ? _mm256_loadu_ps(yr + j0) : _mm256_setzero_ps();
    for (int64_t a = 0; a < na; ++a) acc = _mm256_add_ps(acc, _mm256_loadu_ps(W + int64_t{idx[a]} * Dout + j0));
    if (b) acc = _mm256_add_ps(acc, _mm256_loadu_ps(b + j0));
    _mm256_storeu_ps(yr + j0, acc);
  }
  for (; j0 < Dout; ++j0) {
    float s = more ? yr[j0] : 0.0f;
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

// The accumulate of the copy in use (the same bits either way).
void accumulate(const int32_t* idx, int64_t na, const float* W, const float* b, float* yr, int64_t Dout, bool more = false) {
#ifdef STRL_EV_X86
  if (g_avx2) return accumulate_avx2(idx, na, W, b, yr, Dout, more);
#endif
  accumulate_portable(idx, na, W, b, yr, Dout, more);
}

// One row: list its active inputs, add up their weight rows; returns the count of active inputs.
int64_t event_row(const float* xr, const float* W, const float* b, float* yr, int64_t Din, int64_t Dout, int32_t* idx,
                  bool* bad) {
#ifdef STRL_EV_X86
  const int64_t na = g_avx2 ? scan_avx2(xr, Din, idx, bad) : scan_portable(xr, Din, idx, bad);
#else
  const int64_t na = scan_portable(xr, Din, idx, bad);
#endif
  accumulate(idx, na, W, b, yr, Dout);
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

namespace {

// event_linear_weight_grad reads x's columns, one 64-input block per task. Read straight from x [rows, Din],
// a block is a 256-byte piece of every row, Din floats apart: slow strided loads from memory (the first version
// took ~15 ms at [5120, 512] even at a firing rate of 0.01, as long as the dense sgemm). So x is first packed,
// row after row, into bits [rows, words] (bit k of word w: input 64 w + k fired), 32x smaller than x: a block's
// column of words is then one 8-byte load per row from cache.

// Packs row xr [Din] into bits [ceil(Din / 64)]; sets *bad when a value is neither 0 nor 1 (NaN included).
void pack_row_portable(const float* xr, int64_t Din, uint64_t* bits, bool* bad) {
  bool b = false;
  for (int64_t i0 = 0; i0 < Din; i0 += 64) {
    const int64_t n = std::min<int64_t>(64, Din - i0);
    uint64_t m = 0;
    for (int64_t k = 0; k < n; ++k) {
      const float v = xr[i0 + k];
      m |= uint64_t{v != 0.0f} << k;
      b |= (v != 0.0f) & (v != 1.0f);
    }
    bits[i0 / 64] = m;
  }
  *bad |= b;
}

#ifdef STRL_EV_X86
// As pack_row_portable, 8 inputs a compare (the same bits).
STRL_EV_AVX2 void pack_row_avx2(const float* xr, int64_t Din, uint64_t* bits, bool* bad) {
  const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
  int badm = 0;
  bool b = false;
  for (int64_t i0 = 0; i0 < Din; i0 += 64) {
    const int64_t n = std::min<int64_t>(64, Din - i0);
    uint64_t m = 0;
    int64_t k = 0;
    for (; k + 8 <= n; k += 8) {
      const __m256 v = _mm256_loadu_ps(xr + i0 + k);
      const __m256 nz = _mm256_cmp_ps(v, zero, _CMP_NEQ_UQ);  // NaN counts as not 0 (and not 1: bad)
      badm |= _mm256_movemask_ps(_mm256_and_ps(nz, _mm256_cmp_ps(v, one, _CMP_NEQ_UQ)));
      m |= uint64_t{static_cast<unsigned>(_mm256_movemask_ps(nz))} << k;
    }
    for (; k < n; ++k) {  // the tail (< 8 inputs)
      const float v = xr[i0 + k];
      m |= uint64_t{v != 0.0f} << k;
      b |= (v != 0.0f) & (v != 1.0f);
    }
    bits[i0 / 64] = m;
  }
  *bad |= b || badm != 0;
}
#endif

inline int lowest_bit(uint64_t m) {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_ctzll(m);
#else
  int k = 0;
  while (!(m & 1)) m >>= 1, ++k;
  return k;
#endif
}

}  // namespace

double event_linear_weight_grad(const float* x, const float* dy, float* gW, int64_t rows, int64_t Din, int64_t Dout) {
  if (Din <= 0 || Dout <= 0) return 0.0;
  const int64_t words = (Din + 63) / 64;  // per row of bits; also the tasks of the second pass (64 inputs each)
  thread_local std::vector<uint64_t> packed;  // bits [rows, words]
  packed.resize(static_cast<size_t>(rows * words));
  uint64_t* bits = packed.data();  // the caller's (a worker naming `packed` would see its own copy)
  // Pass 1: pack, rows cut into at most 64 tasks by the shape only; each task its own rows and bad flag.
  const int64_t chunk = std::max<int64_t>(1, (rows + 63) / 64);
  thread_local std::vector<int64_t> flags;
  flags.assign(static_cast<size_t>(std::max<int64_t>(1, (rows + chunk - 1) / chunk)), 0);
  int64_t* flag = flags.data();
  parallel_chunks(rows, chunk, [&](int64_t r0, int64_t r1, int64_t t) {
    bool bad = false;
    for (int64_t r = r0; r < r1; ++r) {
#ifdef STRL_EV_X86
      if (g_avx2) {
        pack_row_avx2(x + r * Din, Din, bits + r * words, &bad);
        continue;
      }
#endif
      pack_row_portable(x + r * Din, Din, bits + r * words, &bad);
    }
    flag[t] = bad;
  }, double(rows) * double(Din));
  for (int64_t f : flags)
    if (f) return -1.0;
  // Pass 2: one task per block of 64 inputs. List the rows where each input fired (increasing r), then gW[i, :] =
  // 0 + dy[r_1, :] + dy[r_2, :] + ...: event_linear's accumulate with dy in W's place and the row list as the
  // index list (no bias). Each task writes its own rows of gW and its own count.
  thread_local std::vector<int64_t> counts;
  counts.assign(static_cast<size_t>(words), 0);
  int64_t* count = counts.data();
  const double cost = double(rows) * double(words) * 8.0 + double(rows) * double(Din) * 0.1 * double(Dout);
  // Rows in chunks whose dy fits in L2 (~256 KiB; the cut depends on the shape only), each chunk's rows added
  // onto the partial sums of the chunks before it: dy is read from cache, not from memory row by row.
  const int64_t rowChunk = std::max<int64_t>(16, 65536 / Dout);
  parallel_for(words, [&](int64_t w) {
    thread_local std::vector<int32_t> lists;  // [64, rowChunk]: the rows of the chunk where each input fired
    if (lists.size() < size_t(64) * size_t(rowChunk)) lists.resize(size_t(64) * size_t(rowChunk));
    int32_t* list = lists.data();
    const int64_t i0 = w * 64, nb = std::min<int64_t>(64, Din - i0);
    int64_t n = 0;
    for (int64_t r0 = 0; r0 < std::max<int64_t>(rows, 1); r0 += rowChunk) {  // rows = 0: one empty chunk (zeros)
      const int64_t r1 = std::min(rows, r0 + rowChunk);
      int64_t len[64] = {0};
      for (int64_t r = r0; r < r1; ++r)
        for (uint64_t m = bits[r * words + w]; m; m &= m - 1) {
          const int k = lowest_bit(m);
          list[k * rowChunk + len[k]++] = static_cast<int32_t>(r);
        }
      for (int64_t k = 0; k < nb; ++k) {
        const int32_t* idx = list + k * rowChunk;
        float* gr = gW + (i0 + k) * Dout;
        const bool more = r0 > 0;
        if (more && len[k] == 0) continue;
        accumulate(idx, len[k], dy, nullptr, gr, Dout, more);
        n += len[k];
      }
    }
    count[w] = n;
  }, cost);
  int64_t fired = 0;
  for (int64_t c : counts) fired += c;
  return double(fired) * double(Dout);
}

double count_spikes(const float* x, int64_t n) {
  const int64_t chunk = 1 << 16;  // the cut depends on n only; each task its own count
  const int64_t tasks = (n + chunk - 1) / chunk;
  thread_local std::vector<int64_t> counts;
  counts.assign(static_cast<size_t>(std::max<int64_t>(tasks, 1)), 0);
  int64_t* count = counts.data();
  parallel_chunks(n, chunk, [&](int64_t i0, int64_t i1, int64_t t) {
    int64_t ones = 0, other = 0;  // branch-free: the compiler vectorises it
    for (int64_t i = i0; i < i1; ++i) {
      const float v = x[i];
      ones += v == 1.0f;
      other += (v != 0.0f) & (v != 1.0f);
    }
    count[t] = other ? -1 : ones;
  }, double(n));
  int64_t ones = 0;
  for (int64_t c : counts) {
    if (c < 0) return -1.0;
    ones += c;
  }
  return double(ones);
}

}  // namespace strl
