// The multi-step LIF neuron (forward and backward through T steps): the native twin of src/snn/lif-kernel.ts,
// whose header gives the equations. Same arithmetic as the JS kernel, operation for operation: every value is
// computed in double and rounded to float32 exactly where the JS kernel stores into a Float32Array (d, the
// membrane v, y, gx, the carried gradient gv), with no fused multiply-adds. Spikes (from the sign bit of the
// stored d, so Θ(0) = 1 and d = -0 gives no spike) are therefore identical; gradients are identical except where
// the sigmoid surrogate's exp (exp_nonpos in lif_loops.h, within 1 ulp of V8's Math.exp) differs by an ulp,
// which after the float32 rounding rarely shows.
//
// The loops live in lif_loops.h, compiled here three times (portable, AVX2, AVX-512) and picked at run time by
// what the CPU supports; every copy gives the same bits (lifSimd switches between them, for tests).
//
// Threads: the neuron axis n is cut into fixed chunks of kChunk neurons (a split that depends only on n); each
// neuron's arithmetic does not depend on the split at all, and the spike count and the first non-finite step
// are exact integer reductions, so results are bit-identical for any thread count. n <= kChunk runs inline.
//
// Never contract a*b + c into a fused multiply-add (the JS kernel rounds twice; the AVX2 / AVX-512 copies may use
// FMA instructions), whatever the build's flags: binding.gyp also passes -ffp-contract=off.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "lif_kernels.h"
#include "thread_pool.h"

namespace strl {
namespace {

constexpr int64_t kChunk = 16384;  // neurons per task
constexpr int64_t kBlock = 512;    // neurons whose membrane / carried gradient live on the stack at once

struct FwdArgs {
  const float* x;
  float* y;
  float* d;
  int64_t T, n;
  bool repeated, mean;
  double a, b, c, vth, vr, kh, ks, invT;
};

struct BwdArgs {
  const float* dy;
  const float* d;
  float* gx;
  int64_t T, n;
  bool repeated, mean;
  double vr, vth, keep, dHdX, dHdV, invT, alpha;
};

}  // namespace

// The loops, once per instruction set (lif_loops.h): portable (the build's baseline: SSE2 on x86-64, NEON on
// arm64) and, on x86-64 with GCC or clang, AVX2 + FMA and AVX-512 (F, VL, DQ, BW) copies. FMA is only allowed,
// never used: -ffp-contract=off keeps a*b + c rounded twice, so every copy gives the same bits.
#define LIF_ISA lif_portable
#define LIF_TARGET
#include "lif_loops.h"
#undef LIF_ISA
#undef LIF_TARGET
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define STRL_LIF_X86 1
#define LIF_ISA lif_avx2
#define LIF_TARGET __attribute__((target("avx2,fma")))
#include "lif_loops.h"
#undef LIF_ISA
#undef LIF_TARGET
#define LIF_ISA lif_avx512
#if defined(__clang__)
#define LIF_TARGET __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw")))
#else  // GCC: also use 512-bit vectors (its default tuning may prefer 256)
#define LIF_TARGET __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,prefer-vector-width=512")))
#endif
#include "lif_loops.h"
#undef LIF_ISA
#undef LIF_TARGET
#endif

namespace {

// The instruction sets, best last; `g_isa` is the one in use (the best this CPU has, unless set by lifSimd).
enum Isa { kPortable, kAvx2, kAvx512 };
const char* const kIsaNames[] = {"portable", "avx2", "avx512"};

int best_isa() {
#ifdef STRL_LIF_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512bw"))
    return kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return kAvx2;
#endif
  return kPortable;
}

int g_isa = best_isa();

int64_t forward_range(const FwdArgs& p, int64_t i0, int64_t i1, int64_t* bad_t) {
#ifdef STRL_LIF_X86
  if (g_isa == kAvx512) return lif_avx512::forward_range(p, i0, i1, bad_t);
  if (g_isa == kAvx2) return lif_avx2::forward_range(p, i0, i1, bad_t);
#endif
  return lif_portable::forward_range(p, i0, i1, bad_t);
}

void backward_range(const BwdArgs& p, int surr, bool hard, int64_t i0, int64_t i1) {
#ifdef STRL_LIF_X86
  if (g_isa == kAvx512) return lif_avx512::backward_range(p, surr, hard, i0, i1);
  if (g_isa == kAvx2) return lif_avx2::backward_range(p, surr, hard, i0, i1);
#endif
  lif_portable::backward_range(p, surr, hard, i0, i1);
}

}  // namespace

int64_t lif_forward(const float* x, float* y, float* d, int64_t T, int64_t n, bool repeated, bool mean,
                    const LifNeuron& nr, int64_t* bad_t) {
  FwdArgs p;
  p.x = x;
  p.y = y;
  p.d = d;
  p.T = T;
  p.n = n;
  p.repeated = repeated;
  p.mean = mean;
  // As lif-kernel.ts: H = a V + b X + c; V = H - S (kh (H - v_r) + ks).
  p.a = 1 - 1 / nr.tau;
  p.b = nr.decay_input ? 1 / nr.tau : 1;
  p.c = nr.vr / nr.tau;
  p.vth = nr.vth;
  p.vr = nr.vr;
  p.kh = nr.hard ? 1 : 0;
  p.ks = nr.hard ? 0 : nr.vth;
  p.invT = 1.0 / static_cast<double>(T);
  const int64_t tasks = (n + kChunk - 1) / kChunk;
  std::vector<int64_t> counts(tasks > 0 ? tasks : 1, 0), bads(tasks > 0 ? tasks : 1, T);
  parallel_chunks(n, kChunk, [&](int64_t i0, int64_t i1, int64_t task) { counts[task] = forward_range(p, i0, i1, &bads[task]); });
  int64_t count = 0, bad = T;
  for (size_t k = 0; k < counts.size(); ++k) {
    count += counts[k];
    if (bads[k] < bad) bad = bads[k];
  }
  *bad_t = bad;
  return count;
}

void lif_backward(const float* dy, const float* d, float* gx, int64_t T, int64_t n, bool repeated, bool mean,
                  const LifNeuron& nr, bool detach_reset, int surr, double alpha) {
  BwdArgs p;
  p.dy = dy;
  p.d = d;
  p.gx = gx;
  p.T = T;
  p.n = n;
  p.repeated = repeated;
  p.mean = mean;
  p.vr = nr.vr;
  p.vth = nr.vth;
  p.keep = detach_reset ? 0 : 1;
  p.dHdX = nr.decay_input ? 1 / nr.tau : 1;
  p.dHdV = 1 - 1 / nr.tau;
  p.invT = 1.0 / static_cast<double>(T);
  p.alpha = alpha;
  parallel_chunks(n, kChunk, [&](int64_t i0, int64_t i1, int64_t) { backward_range(p, surr, nr.hard, i0, i1); });
}

const char* lif_isa() { return kIsaNames[g_isa]; }

bool lif_use_isa(const std::string& name) {
  int want = -1;
  for (int k = 0; k < 3; ++k)
    if (name == kIsaNames[k]) want = k;
  if (want < 0 || want > best_isa()) return false;
  g_isa = want;
  return true;
}

void lif_exp(const double* z, double* out, int64_t n) {
#ifdef STRL_LIF_X86
  if (g_isa == kAvx512) lif_avx512::exp_array(z, out, n);
  else if (g_isa == kAvx2) lif_avx2::exp_array(z, out, n);
  else
#endif
    lif_portable::exp_array(z, out, n);
}

}  // namespace strl
