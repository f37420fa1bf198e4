// The forward kernels (scores, spike-driven product, softmax · V) of the fused spiking self-attention (ssa_kernels.h).
#include "gemm.h"
#include "ssa_kernels.h"

namespace strl {

using namespace ssa;

// ssaScores(geo..., qs, ks, scale, sc): sc[cell] = scale · (number of columns of the head where q and k both
// spiked). Per (t, b, h), S = Q_h K_hᵀ by sgemm over the nonzero rows of Q_h and K_h: sums of 0/1 products are
// small integers, exact in float32.
bool ssa_scores(const SsaGeo& g, const float* qs, const float* ks, double scale, float* sc) {
  return ssa_tasks(g.T * g.B * g.H, g.cost(), [&](int64_t task) {
    const int64_t h = task % g.H, tb = task / g.H, b = tb % g.B, t = tb / g.B;
    const int64_t cb = g.cellBase(t, b, h), off = h * g.dh, K = g.K;
    Scratch& s = scratch();
    float* q = Scratch::get(s.h0, (K + 1) * g.dh);
    float* k = Scratch::get(s.h1, (K + 1) * g.dh);
    int32_t* pq = Scratch::geti(s.p0, K);
    int32_t* pk = Scratch::geti(s.p1, K);
    const int32_t Mq = gather_compact(qs, g, tb * K, off, q, pq);
    const int32_t Mk = gather_compact(ks, g, tb * K, off, k, pk);
    const int64_t ld = Mk + 1;  // the last column of S (K's zero row) is 0
    float* S = Scratch::get(s.m0, std::max<int64_t>(1, Mq) * ld);
    if (!sgemm(Mq, ld, g.dh, false, true, q, k, S, false)) return false;
    const float zero = static_cast<float>(0.0 * scale);
    const int32_t* keys = g.keys;
    float* o = sc + cb;
    for (int64_t i = 0; i < K; ++i) {
      const int64_t m0 = g.kStart[b * K + i], m1 = g.kStart[b * K + i + 1];
      if (pq[i] == Mq) {
        for (int64_t m = m0; m < m1; ++m) o[m] = zero;
        continue;
      }
      const float* Si = S + pq[i] * ld;
      for (int64_t m = m0; m < m1; ++m) o[m] = static_cast<float>(static_cast<double>(Si[pk[keys[m]]]) * scale);
    }
    return true;
  });
}

// ssaDrivenForward(geo..., sc, vs, y): y [T, N, d] = the scores (on the allowed cells) times the v spikes, per
// head Sc · V_h by sgemm over the nonzero rows of V_h. Bit-identical to the JS loop: the products with 0/1 spikes
// are exact and each output sums them in ascending key order, one float32 rounding per nonzero term (an added
// zero changes nothing).
bool ssa_driven_forward(const SsaGeo& g, const float* sc, const float* vs, float* y) {
  return ssa_tasks(g.T * g.B * g.H, g.cost(), [&](int64_t task) {
    const int64_t h = task % g.H, tb = task / g.H, b = tb % g.B, t = tb / g.B;
    const int64_t cb = g.cellBase(t, b, h), off = h * g.dh, K = g.K;
    Scratch& s = scratch();
    float* v = Scratch::get(s.h0, (K + 1) * g.dh);
    float* o = Scratch::get(s.h1, K * g.dh);
    int32_t* pv = Scratch::geti(s.p0, K);
    const int32_t Mv = gather_compact(vs, g, tb * K, off, v, pv);
    const int64_t ld = Mv + 1;
    float* Sc = Scratch::get(s.m0, K * ld);
    std::memset(Sc, 0, sizeof(float) * K * ld);
    const int32_t* keys = g.keys;
    const float* c = sc + cb;
    for (int64_t i = 0; i < K; ++i) {
      float* Si = Sc + i * ld;
      for (int64_t m = g.kStart[b * K + i], m1 = g.kStart[b * K + i + 1]; m < m1; ++m) {
        const int32_t j = pv[keys[m]];
        if (j < Mv) Si[j] = c[m];
      }
    }
    if (!sgemm(K, g.dh, ld, false, false, Sc, v, o, false)) return false;
    scatter_head(o, g, tb * K, off, y);
    return true;
  });
}

// ssaStrlForward(geo..., ss, vs, keyMask, causal, T-mean out, a): the softmax over the allowed cells of the score
// spikes ss (e for a spike, 1 otherwise) times the v spikes, mean over T -> out [B, K, d]; a = 1/Z [T, B, H, K].
// Per (b, h), for t in order: extra = S_bin · V_h by sgemm over the rows with a spiked cell and the nonzero rows
// of V_h (integer counts, exact; skipped when no cell spiked), runSum (the v spikes of all allowed keys) as a
// running integer sum; then the JS formula in double, rounded into out once per t.
bool ssa_strl_forward(const SsaGeo& g, const float* ss, const float* vs, const uint8_t* km, bool causal, float* out, float* av) {
  const double invT = 1.0 / static_cast<double>(g.T);
  return ssa_tasks(g.B * g.H, g.cost(), [&](int64_t task) {
    const int64_t h = task % g.H, b = task / g.H, off = h * g.dh, K = g.K, dh = g.dh;
    Scratch& s = scratch();
    float* v = Scratch::get(s.h0, (K + 1) * dh);
    float* e = Scratch::get(s.h1, (K + 1) * dh);
    int32_t* pv = Scratch::geti(s.p0, K);
    int32_t* pi = Scratch::geti(s.p1, K);
    int32_t* n1 = Scratch::geti(s.p2, K);
    std::vector<int32_t> runSum(dh);  // integer counts (the JS doubles hold the same integers)
    int32_t* rs = runSum.data();
    const int32_t* keys = g.keys;
    const int32_t* kS = g.kStart + b * K;
    for (int64_t i = 0; i < K; ++i) std::memset(out + (b * K + i) * g.d + off, 0, sizeof(float) * dh);
    for (int64_t t = 0; t < g.T; ++t) {
      const int64_t tb = t * g.B + b, cb = g.cellBase(t, b, h);
      const float* c = ss + cb;
      // spiked cells per row (branch-free); rows with one get a row of S_bin
      int32_t Mi = 0;
      for (int64_t i = 0; i < K; ++i) {
        int32_t cnt = 0;
        for (int64_t m = kS[i], m1 = kS[i + 1]; m < m1; ++m) cnt += c[m] != 0.0f;
        n1[i] = cnt;
        pi[i] = cnt ? Mi++ : -1;
      }
      const int32_t Mv = gather_compact(vs, g, tb * K, off, v, pv);
      std::memset(e + static_cast<int64_t>(Mi) * dh, 0, sizeof(float) * dh);  // the zero row of rows without spikes
      if (Mi > 0 && Mv > 0) {
        const int64_t ld = Mv + 1;
        float* Sb = Scratch::get(s.m0, Mi * ld);
        std::memset(Sb, 0, sizeof(float) * Mi * ld);
        for (int64_t i = 0; i < K; ++i) {
          if (pi[i] < 0) continue;
          float* Si = Sb + pi[i] * ld;
          for (int64_t m = kS[i], m1 = kS[i + 1]; m < m1; ++m) Si[pv[keys[m]]] = static_cast<float>(c[m] != 0.0f);
        }
        if (!sgemm(Mi, dh, ld, false, false, Sb, v, e, false)) return false;
      } else if (Mi > 0) {
        std::memset(e, 0, sizeof(float) * Mi * dh);
      }
      for (int64_t i = 0; i < K; ++i)
        if (pi[i] < 0) pi[i] = Mi;
      auto addRow = [&](int64_t j) {
        const float* vj = v + static_cast<int64_t>(pv[j]) * dh;
        for (int64_t cc = 0; cc < dh; ++cc) rs[cc] += vj[cc] != 0.0f;
      };
      std::fill(runSum.begin(), runSum.end(), 0);
      if (!causal)
        for (int64_t j = 0; j < K; ++j)
          if (km[b * K + j] == 1) addRow(j);
      for (int64_t i = 0; i < K; ++i) {
        if (causal && km[b * K + i] == 1) addRow(i);
        const int64_t m0 = kS[i], m1 = kS[i + 1];
        float* ao = av + (tb * g.H + h) * K + i;
        if (m1 == m0) {
          *ao = 0;
          continue;
        }
        const double ai = 1 / (static_cast<double>(m1 - m0) + kE1 * static_cast<double>(n1[i]));
        *ao = static_cast<float>(ai);
        const double w = ai * invT;
        float* o = out + (b * K + i) * g.d + off;
        const float* ei = e + static_cast<int64_t>(pi[i]) * dh;
        for (int64_t cc = 0; cc < dh; ++cc)
          o[cc] = static_cast<float>(static_cast<double>(o[cc]) +
                                     w * (static_cast<double>(rs[cc]) + kE1 * static_cast<double>(ei[cc])));
      }
    }
    return true;
  });
}

}  // namespace strl
