// The LIF kernels' loops (forward and backward over a range of neurons), included by lif_kernels.cc once per
// instruction set: each inclusion defines LIF_ISA (a namespace name) and LIF_TARGET (a function attribute, e.g.
// __attribute__((target("avx2,fma"))), or nothing for the portable build), so one source gives a baseline copy
// and, on x86-64, AVX2 and AVX-512 copies that lif_kernels.cc picks between at run time. No include guard on purpose.
//
// The loops run over the neuron axis in blocks of kBlock neurons with the T steps inside, the membrane / carried
// gradient of a block in a small stack array (L1). The inner loops are branch-free (the flags are template
// parameters, the selects are data selects) so that GCC vectorises them; they use only IEEE operations that it
// may not reorder or fuse (-ffp-contract=off, no fast-math), so every copy gives bit-identical results: the same
// arithmetic, operation for operation, as the JS kernel (src/snn/lif-kernel.ts), except that the sigmoid
// surrogate's exp is exp_nonpos below rather than V8's Math.exp (they differ by at most an ulp or so in double,
// which the float32 rounding of the gradients almost always hides).
//
// Expects kBlock, FwdArgs, BwdArgs and the surrogate ids (lif_kernels.cc) to be declared before the first inclusion.

namespace LIF_ISA {

// exp(z) for z <= 0, -inf or NaN (NaN gives NaN), to within about 0.6 ulp, branch-free and vectorisable:
// z = k ln2 + r with |r| <= ln2/2 (k by the 1.5·2^52 rounding trick, ln2 split in two so that k·ln2hi is exact),
// exp(r) = 1 + (r + r² q(r)) with q a degree-9 near-minimax fit of (e^r - 1 - r)/r² (relative error 1.6e-17),
// then scaled by 2^(k+537) (exact, an exponent-field build) and 2^-537 (exact unless the result is subnormal,
// then one rounding). Below -746 the result is 0.
LIF_TARGET inline double exp_nonpos(double z) {
  z = z < -746.0 ? -746.0 : z;
  const double kShift = 0x1.8p52;
  const double kd0 = z * 0x1.71547652b82fep0 + kShift;  // log2(e)
  uint64_t kb;
  std::memcpy(&kb, &kd0, 8);  // low bits: 0x4338000000000000 + k
  const double kd = kd0 - kShift;
  const double r = (z - kd * 0x1.62e42feep-1) - kd * 0x1.a39ef35793c76p-33;  // ln2 = hi (26 low bits 0) + lo
  const double r2 = r * r;
  // q by Estrin's scheme (a shorter dependency chain than Horner's, the same accuracy).
  const double r4 = r2 * r2;
  const double p01 = 0x1.0000000000001p-1 + 0x1.5555555555556p-3 * r;
  const double p23 = 0x1.5555555553d4fp-5 + 0x1.11111111109adp-7 * r;
  const double p45 = 0x1.6c16c17893833p-10 + 0x1.a01a01a7c8d47p-13 * r;
  const double p67 = 0x1.a019b8ef67c6cp-16 + 0x1.71de0d9c145d0p-19 * r;
  const double p89 = 0x1.2891a8c1d838dp-22 + 0x1.af38d53857513p-26 * r;
  const double q = (p01 + r2 * p23) + r4 * ((p45 + r2 * p67) + r4 * p89);
  const double p = 1.0 + (r + r2 * q);
  // k in [-1076, 0]: k + 537 + 1023 lies in [484, 1560], so the low 12 bits of kb + 1560 are the exponent field.
  const uint64_t sb = (kb + 1560) << 52;
  double s;
  std::memcpy(&s, &sb, 8);
  return (p * s) * 0x1p-537;
}

// The surrogates of src/snn/surrogate.ts (`grad`), with the same operations in the same order.
template <int S>
LIF_TARGET inline double surrogate_grad(double x, double a) {
  if (S == kSigmoid) {
    const double e = exp_nonpos(-std::fabs(a * x));
    const double q = 1 + e;
    return (a * e) / (q * q);
  } else if (S == kAtan) {
    const double z = (M_PI / 2) * a * x;
    return a / (2 * (1 + z * z));
  } else if (S == kFastSigmoid) {  // also "softsign"
    const double z = 1 + std::fabs(a * x);
    return a / (2 * z * z);
  } else if (S == kPiecewiseQuadratic) {
    const double ax = std::fabs(x);
    const double g = a - a * a * ax;
    return ax > 1 / a ? 0.0 : g;
  } else {  // kRectangular, a = width
    return std::fabs(x) < a / 2 ? 1 / a : 0.0;
  }
}

// 1 - sign bit: Θ(0) = 1, d = -0 gives 0. 32-bit on purpose: int32 -> double vectorises everywhere (SSE2), int64
// -> double only with AVX-512 DQ.
inline int32_t spike_of(float d) {
  uint32_t u;
  std::memcpy(&u, &d, 4);
  return 1 - static_cast<int32_t>(u >> 31);
}

// One step of a block: H from the membrane and the input, d and the spike out, the membrane reset.
// MEAN: y accumulates the mean (FIRST: this is step 0, y starts at 0). Returns the block's spike count for the
// step; *bad != 0 when some H was not finite.
template <bool MEAN, bool FIRST>
LIF_TARGET inline int64_t forward_step(const FwdArgs& p, int64_t m, float* __restrict v, const float* __restrict xs,
                                       float* __restrict ds, float* __restrict ys, int64_t* bad_out) {
  const double a = p.a, b = p.b, c = p.c, vth = p.vth, vr = p.vr, kh = p.kh, ks = p.ks, invT = p.invT;
  int32_t cnt = 0, bad = 0;  // m <= kBlock
  for (int64_t i = 0; i < m; ++i) {
    const double hi = a * static_cast<double>(v[i]) + b * static_cast<double>(xs[i]) + c;
    const float df = static_cast<float>(hi - vth);
    ds[i] = df;
    bad |= static_cast<int32_t>(!(hi - hi == 0.0));
    const int32_t s = spike_of(df);
    const double sd = static_cast<double>(s);
    v[i] = static_cast<float>(hi - sd * (kh * (hi - vr) + ks));
    cnt += s;
    if (MEAN) ys[i] = static_cast<float>((FIRST ? 0.0 : static_cast<double>(ys[i])) + sd * invT);
    else ys[i] = static_cast<float>(sd);
  }
  *bad_out = bad;
  return cnt;
}

// Neurons [i0, i1): returns the spike count; *bad_t = first step whose H was not finite (T when none).
template <bool REP, bool MEAN>
LIF_TARGET int64_t forward_range_t(const FwdArgs& p, int64_t i0, int64_t i1, int64_t* bad_t) {
  const int64_t T = p.T, n = p.n;
  int64_t count = 0, first_bad = T;
  alignas(64) float v[kBlock];
  for (int64_t j0 = i0; j0 < i1; j0 += kBlock) {
    const int64_t m = std::min(kBlock, i1 - j0);
    for (int64_t i = 0; i < m; ++i) v[i] = static_cast<float>(p.vr);
    for (int64_t t = 0; t < T; ++t) {
      const int64_t off = t * n + j0;
      const float* xs = p.x + (REP ? j0 : off);
      float* ys = p.y + (MEAN ? j0 : off);
      int64_t bad;
      count += t == 0 ? forward_step<MEAN, true>(p, m, v, xs, p.d + off, ys, &bad)
                      : forward_step<MEAN, false>(p, m, v, xs, p.d + off, ys, &bad);
      if (bad && t < first_bad) first_bad = t;
    }
  }
  *bad_t = first_bad;
  return count;
}

LIF_TARGET int64_t forward_range(const FwdArgs& p, int64_t i0, int64_t i1, int64_t* bad_t) {
  if (p.repeated) return p.mean ? forward_range_t<true, true>(p, i0, i1, bad_t) : forward_range_t<true, false>(p, i0, i1, bad_t);
  return p.mean ? forward_range_t<false, true>(p, i0, i1, bad_t) : forward_range_t<false, false>(p, i0, i1, bad_t);
}

// One step (t, backwards) of a block. ACC: gx accumulates over the steps (repeated input; FIRST: this is step
// T - 1, gx starts at 0).
template <int S, bool HARD, bool MEAN, bool ACC, bool FIRST>
LIF_TARGET inline void backward_step(const BwdArgs& p, int64_t m, float* __restrict gv, const float* __restrict ds,
                                     const float* __restrict dys, float* __restrict gxs) {
  const double vr = p.vr, vth = p.vth, keep = p.keep, dHdX = p.dHdX, dHdV = p.dHdV, invT = p.invT, al = p.alpha;
  for (int64_t i = 0; i < m; ++i) {
    const double gs = MEAN ? static_cast<double>(dys[i]) * invT : static_cast<double>(dys[i]);
    const float df = ds[i];
    const double dk = df;
    const double sg = surrogate_grad<S>(dk, al);
    const double dVdH = HARD ? static_cast<double>(1 - spike_of(df)) + keep * (vr - (dk + vth)) * sg : 1 - keep * vth * sg;
    const double gh = gs * sg + static_cast<double>(gv[i]) * dVdH;
    if (ACC) gxs[i] = static_cast<float>((FIRST ? 0.0 : static_cast<double>(gxs[i])) + gh * dHdX);
    else gxs[i] = static_cast<float>(gh * dHdX);
    gv[i] = static_cast<float>(gh * dHdV);
  }
}

template <int S, bool HARD, bool MEAN, bool ACC>
LIF_TARGET void backward_range_t(const BwdArgs& p, int64_t i0, int64_t i1) {
  const int64_t T = p.T, n = p.n;
  alignas(64) float gv[kBlock];
  for (int64_t j0 = i0; j0 < i1; j0 += kBlock) {
    const int64_t m = std::min(kBlock, i1 - j0);
    for (int64_t i = 0; i < m; ++i) gv[i] = 0.0f;
    for (int64_t t = T - 1; t >= 0; --t) {
      const int64_t off = t * n + j0;
      const float* ds = p.d + off;
      const float* dys = p.dy + (MEAN ? j0 : off);
      float* gxs = p.gx + (ACC ? j0 : off);
      if (t == T - 1) backward_step<S, HARD, MEAN, ACC, true>(p, m, gv, ds, dys, gxs);
      else backward_step<S, HARD, MEAN, ACC, false>(p, m, gv, ds, dys, gxs);
    }
  }
}

template <int S>
LIF_TARGET void backward_range_s(const BwdArgs& p, bool hard, int64_t i0, int64_t i1) {
  const int k = (hard ? 4 : 0) | (p.mean ? 2 : 0) | (p.repeated ? 1 : 0);
  switch (k) {
    case 0: backward_range_t<S, false, false, false>(p, i0, i1); break;
    case 1: backward_range_t<S, false, false, true>(p, i0, i1); break;
    case 2: backward_range_t<S, false, true, false>(p, i0, i1); break;
    case 3: backward_range_t<S, false, true, true>(p, i0, i1); break;
    case 4: backward_range_t<S, true, false, false>(p, i0, i1); break;
    case 5: backward_range_t<S, true, false, true>(p, i0, i1); break;
    case 6: backward_range_t<S, true, true, false>(p, i0, i1); break;
    default: backward_range_t<S, true, true, true>(p, i0, i1); break;
  }
}

LIF_TARGET void backward_range(const BwdArgs& p, int surr, bool hard, int64_t i0, int64_t i1) {
  switch (surr) {
    case kSigmoid: backward_range_s<kSigmoid>(p, hard, i0, i1); break;
    case kAtan: backward_range_s<kAtan>(p, hard, i0, i1); break;
    case kFastSigmoid: backward_range_s<kFastSigmoid>(p, hard, i0, i1); break;
    case kPiecewiseQuadratic: backward_range_s<kPiecewiseQuadratic>(p, hard, i0, i1); break;
    default: backward_range_s<kRectangular>(p, hard, i0, i1); break;
  }
}

// exp_nonpos over an array (for the accuracy test).
LIF_TARGET void exp_array(const double* z, double* out, int64_t len) {
  for (int64_t i = 0; i < len; ++i) out[i] = exp_nonpos(z[i]);
}

}  // namespace LIF_ISA
