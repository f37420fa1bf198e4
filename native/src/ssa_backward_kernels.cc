// The backward kernels (softmax · V, spike-driven product, scores) of the fused spiking self-attention (ssa_kernels.h).
#include "gemm.h"
#include "ssa_kernels.h"

namespace strl {

using namespace ssa;

// ssaStrlBackward(geo..., dOut, cells, a, vs, keyMask, causal, dCells, dvs): the gradient of the softmax·V part
// (before the score LIF's backward) -> dCells [T, nCells] and dvs [T, N, d] (both overwritten). Per (t, b, h):
// Dp = dOut_h · V_hᵀ (sgemm over the nonzero rows of V_h) gives every cell's Σ_c v_jc dO_ic, and the softmax
// gradient per row is the JS formula. dV_h = Pᵀ dOut_h with P_ij = a_i (e if the cell spiked, else 1) / T on
// the allowed cells, in two parts: the 1/Z part (a_i / T on every allowed cell) as a running double sum over
// the queries (as JS), the spiked part ((e - 1) a_i / T) by sgemm over the rows with a spiked cell.
bool ssa_strl_backward(const SsaGeo& g, const float* dOut, const float* cells, const float* av, const float* vs, const uint8_t* km, bool causal, float* dCells, float* dvs) {
  const double invT = 1.0 / static_cast<double>(g.T);
  return ssa_tasks(g.T * g.B * g.H, g.cost(), [&](int64_t task) {
    const int64_t h = task % g.H, tb = task / g.H, b = tb % g.B, t = tb / g.B;
    const int64_t cb = g.cellBase(t, b, h), off = h * g.dh, K = g.K, dh = g.dh;
    Scratch& s = scratch();
    float* dO = Scratch::get(s.h0, K * dh);
    float* v = Scratch::get(s.h1, (K + 1) * dh);
    float* dOc = Scratch::get(s.h2, K * dh);
    float* dve = Scratch::get(s.h3, K * dh);
    int32_t* pv = Scratch::geti(s.p0, K);
    int32_t* pi = Scratch::geti(s.p1, K);
    gather_head(dOut, g, b * K, off, dO);
    const int32_t Mv = gather_compact(vs, g, tb * K, off, v, pv);
    const int64_t ld = Mv + 1;
    float* Dp = Scratch::get(s.m0, K * ld);
    if (!sgemm(K, ld, dh, false, true, dO, v, Dp, false)) return false;
    const int32_t* keys = g.keys;
    const int32_t* kS = g.kStart + b * K;
    const float* c = cells + cb;
    float* dc = dCells + cb;
    const float* aRow = av + (tb * g.H + h) * K;
    // rows with a spiked cell (and a != 0) get a row of the spiked part of P
    int32_t Mi = 0;
    for (int64_t i = 0; i < K; ++i) {
      int32_t cnt = 0;
      for (int64_t m = kS[i], m1 = kS[i + 1]; m < m1; ++m) cnt += c[m] != 0.0f;
      pi[i] = cnt && aRow[i] != 0 ? Mi++ : -1;
    }
    float* Pe = Scratch::get(s.m1, std::max<int32_t>(1, Mi) * K);
    std::memset(Pe, 0, sizeof(float) * Mi * K);
    for (int64_t i = 0; i < K; ++i) {
      const int64_t m0 = kS[i], m1 = kS[i + 1];
      const double ai = aRow[i];
      if (ai == 0) {
        for (int64_t m = m0; m < m1; ++m) dc[m] = 0;
        continue;
      }
      const float* Di = Dp + i * ld;
      double mean = 0;
      for (int64_t m = m0; m < m1; ++m) mean += ai * (c[m] != 0 ? kE : 1.0) * (static_cast<double>(Di[pv[keys[m]]]) * invT);
      for (int64_t m = m0; m < m1; ++m)
        dc[m] = static_cast<float>(ai * (c[m] != 0 ? kE : 1.0) * (static_cast<double>(Di[pv[keys[m]]]) * invT - mean));
      if (pi[i] >= 0) {
        float* Pi = Pe + pi[i] * K;
        const float coef = static_cast<float>(kE1 * ai * invT);
        for (int64_t m = m0; m < m1; ++m) Pi[keys[m]] = c[m] != 0 ? coef : 0.0f;
        std::memcpy(dOc + pi[i] * dh, dO + i * dh, sizeof(float) * dh);
      }
    }
    if (!sgemm(K, dh, Mi, true, false, Pe, dOc, dve, false)) return false;  // Mi = 0 gives zeros
    // the 1/Z part: key j collects a_i dO_i / T from every query i that may attend it
    double acc[256];
    std::vector<double> accv;
    double* ac = acc;
    if (dh > 256) {
      accv.assign(dh, 0.0);
      ac = accv.data();
    }
    std::fill(ac, ac + dh, 0.0);
    auto addQuery = [&](int64_t i) {
      const double ai = static_cast<double>(aRow[i]) * invT;
      const float* dRow = dO + i * dh;
      for (int64_t cc = 0; cc < dh; ++cc) ac[cc] += ai * dRow[cc];
    };
    auto setKey = [&](int64_t j, bool allowed) {
      float* dv = dvs + (tb * K + j) * g.d + off;
      const float* e = dve + j * dh;
      if (allowed)
        for (int64_t cc = 0; cc < dh; ++cc) dv[cc] = static_cast<float>(static_cast<double>(e[cc]) + ac[cc]);
      else
        std::memcpy(dv, e, sizeof(float) * dh);
    };
    if (causal) {
      for (int64_t i = K - 1; i >= 0; --i) {
        addQuery(i);
        setKey(i, km[b * K + i] == 1);
      }
    } else {
      for (int64_t i = 0; i < K; ++i) addQuery(i);
      for (int64_t j = 0; j < K; ++j) setKey(j, km[b * K + j] == 1);
    }
    return true;
  });
}

// ssaDrivenBackward(geo..., dy, cells, vs, dCells, dvs): y = scores · v -> dCells (d loss / d scaled score) and
// dvs (both overwritten); dy is the output LIF's input gradient [T, N, d], cells the scaled scores. Per (t, b, h):
// D = dY_h · V_hᵀ (over the nonzero rows of V_h) and dV_h = Scᵀ · dY_h (over the rows with a nonzero score) by
// sgemm.
bool ssa_driven_backward(const SsaGeo& g, const float* dy, const float* cells, const float* vs, float* dCells, float* dvs) {
  return ssa_tasks(g.T * g.B * g.H, g.cost(), [&](int64_t task) {
    const int64_t h = task % g.H, tb = task / g.H, b = tb % g.B, t = tb / g.B;
    const int64_t cb = g.cellBase(t, b, h), off = h * g.dh, K = g.K, dh = g.dh;
    Scratch& s = scratch();
    float* dY = Scratch::get(s.h0, K * dh);
    float* v = Scratch::get(s.h1, (K + 1) * dh);
    float* dv = Scratch::get(s.h2, K * dh);
    float* dYc = Scratch::get(s.h3, K * dh);
    int32_t* pv = Scratch::geti(s.p0, K);
    gather_head(dy, g, tb * K, off, dY);
    const int32_t Mv = gather_compact(vs, g, tb * K, off, v, pv);
    const int64_t ld = Mv + 1;
    float* D = Scratch::get(s.m0, K * ld);
    if (!sgemm(K, ld, dh, false, true, dY, v, D, false)) return false;
    const int32_t* keys = g.keys;
    const int32_t* kS = g.kStart + b * K;
    const float* c = cells + cb;
    float* dc = dCells + cb;
    float* Sc = Scratch::get(s.m1, K * K);
    int32_t Mi = 0;
    for (int64_t i = 0; i < K; ++i) {
      const float* Di = D + i * ld;
      const int64_t m0 = kS[i], m1 = kS[i + 1];
      int32_t nz = 0;
      for (int64_t m = m0; m < m1; ++m) {
        dc[m] = Di[pv[keys[m]]];
        nz |= c[m] != 0.0f;
      }
      if (!nz) continue;
      float* Si = Sc + Mi * K;
      std::memset(Si, 0, sizeof(float) * K);
      for (int64_t m = m0; m < m1; ++m) Si[keys[m]] = c[m];
      std::memcpy(dYc + Mi * dh, dY + i * dh, sizeof(float) * dh);
      ++Mi;
    }
    if (!sgemm(K, dh, Mi, true, false, Sc, dYc, dv, false)) return false;  // Mi = 0 gives zeros
    scatter_head(dv, g, tb * K, off, dvs);
    return true;
  });
}

// ssaScoresBackward(geo..., dCells, qs, ks, scale, dqs, dks): scores = scale · q kᵀ on the allowed cells -> the
// spike gradients of q and k (overwritten): per (t, b, h), with G = scale · dCells on the allowed cells (0
// elsewhere, float32), dQ_h = G K_h and dK_h = Gᵀ Q_h by sgemm, each over the nonzero rows of K_h / Q_h. The JS
// kernel rounds to float32 after every term; the two agree to float32 rounding (tested to 1e-6). The order is
// fixed by the data and the shape, so threads never change bits.
bool ssa_scores_backward(const SsaGeo& g, const float* dCells, const float* qs, const float* ks, double scale, float* dqs, float* dks) {
  return ssa_tasks(g.T * g.B * g.H, g.cost(), [&](int64_t task) {
    const int64_t h = task % g.H, tb = task / g.H, b = tb % g.B, t = tb / g.B;
    const int64_t cb = g.cellBase(t, b, h), off = h * g.dh, K = g.K, dh = g.dh;
    Scratch& s = scratch();
    float* q = Scratch::get(s.h0, (K + 1) * dh);
    float* k = Scratch::get(s.h1, (K + 1) * dh);
    float* o = Scratch::get(s.h2, K * dh);
    int32_t* pq = Scratch::geti(s.p0, K);
    int32_t* pk = Scratch::geti(s.p1, K);
    const int32_t Mq = gather_compact(qs, g, tb * K, off, q, pq);
    const int32_t Mk = gather_compact(ks, g, tb * K, off, k, pk);
    const int64_t l1 = Mk + 1;
    float* G1 = Scratch::get(s.m0, K * l1);         // [K, Mk + 1]: columns of the nonzero K rows (+ a dump column)
    float* G2 = Scratch::get(s.m1, (Mq + 1) * K);   // [Mq + 1, K]: rows of the nonzero Q rows (+ a dump row)
    std::memset(G1, 0, sizeof(float) * K * l1);
    std::memset(G2, 0, sizeof(float) * (Mq + 1) * K);
    const int32_t* keys = g.keys;
    const int32_t* kS = g.kStart + b * K;
    const float* c = dCells + cb;
    for (int64_t i = 0; i < K; ++i) {
      float* G1i = G1 + i * l1;
      float* G2i = G2 + static_cast<int64_t>(pq[i]) * K;
      for (int64_t m = kS[i], m1 = kS[i + 1]; m < m1; ++m) {
        const float gv = static_cast<float>(static_cast<double>(c[m]) * scale);
        G1i[pk[keys[m]]] = gv;
        G2i[keys[m]] = gv;
      }
    }
    if (!sgemm(K, dh, l1, false, false, G1, k, o, false)) return false;
    scatter_head(o, g, tb * K, off, dqs);
    if (!sgemm(K, dh, Mq + 1, true, false, G2, q, o, false)) return false;
    scatter_head(o, g, tb * K, off, dks);
    return true;
  });
}

}  // namespace strl
