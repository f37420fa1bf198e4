// The fused softmax attention's forward and backward (attention_kernels.h). Pure C++ on raw pointers.
#include "attention_kernels.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <vector>

#include "activation.h"
#include "gemm.h"
#include "thread_pool.h"

namespace strl {
namespace {

// Rows of a query tile and keys of a key tile. Both grids start at 0, so with a causal mask the first query tile
// that may see key tile [j0, j0 + kTile) is the one starting at j0.
constexpr int64_t kTile = 64;
constexpr float kInf = std::numeric_limits<float>::infinity();
// Per-thread scratch, grow-only.
struct Scratch {
  std::vector<float> q, k, v, o, dO, dQ, S, P, tmp, tmp2, dK, dV;
  std::vector<double> l, D;
  std::vector<float> m;
  template <class T>
  static T* get(std::vector<T>& x, int64_t n) {
    if (static_cast<int64_t>(x.size()) < n) x.resize(static_cast<size_t>(n));
    return x.data();
  }
};
Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// dst [L, dh] = columns [off, off + dh) of the rows of a [L, ld] matrix.
void gather(const float* src, int64_t L, int64_t ld, int64_t off, int64_t dh, float* dst) {
  for (int64_t i = 0; i < L; ++i) std::memcpy(dst + i * dh, src + i * ld + off, sizeof(float) * dh);
}

// Head h's Q, K and V [L, dh] out of sequence b's packed rows qkv [L, 3d] (its q at h·dh, k at d + h·dh, v at 2d + h·dh).
void gather_qkv(const float* qkv, const AttnGeo& g, int64_t b, int64_t h, float* Q, float* K, float* V) {
  const int64_t L = g.L, dh = g.dh, d = g.d(), ld = 3 * d;
  const float* base = qkv + b * L * ld;
  gather(base, L, ld, h * dh, dh, Q);
  gather(base, L, ld, d + h * dh, dh, K);
  gather(base, L, ld, 2 * d + h * dh, dh, V);
}

void scatter(const float* src, int64_t rows, int64_t ld, int64_t off, int64_t dh, float* dst) {
  for (int64_t i = 0; i < rows; ++i) std::memcpy(dst + i * ld + off, src + i * dh, sizeof(float) * dh);
}

inline bool allowed(const AttnOpts& o, const uint8_t* km, int64_t i, int64_t j) {
  return km[j] != 0 && (!o.causal || j <= i);
}

// One task per (b, h); false when a task ran out of memory.
template <class F>
bool attn_tasks(const AttnGeo& g, F&& fn) {
  std::atomic<bool> failed{false};
  const double cost = static_cast<double>(g.B * g.H) * static_cast<double>(g.L) * static_cast<double>(g.L) * static_cast<double>(g.dh) * 4;
  parallel_tasks(g.B * g.H, true, [&](int64_t task) {
    try {
      if (!fn(task / g.H, task % g.H)) failed = true;
    } catch (const std::bad_alloc&) {
      failed = true;
    }
  }, cost);
  return !failed;
}

}  // namespace

bool attn_forward(const AttnGeo& g, const AttnOpts& o, const float* qkv, float* out, float* lse) {
  const int64_t L = g.L, dh = g.dh, d = g.d();
  const float fscale = static_cast<float>(o.scale);
  const bool drop = o.p > 0;
  const float fkeep = static_cast<float>(1.0 / (1.0 - o.p));
  return attn_tasks(g, [&](int64_t b, int64_t h) {
    Scratch& s = scratch();
    float* Q = Scratch::get(s.q, L * dh);
    float* K = Scratch::get(s.k, L * dh);
    float* V = Scratch::get(s.v, L * dh);
    float* S = Scratch::get(s.S, kTile * kTile);
    float* acc = Scratch::get(s.o, kTile * dh);
    float* tmp = Scratch::get(s.tmp, kTile * dh);
    float* m = Scratch::get(s.m, kTile);
    double* l = Scratch::get(s.l, kTile);
    gather_qkv(qkv, g, b, h, Q, K, V);
    const uint8_t* km = o.keyMask + b * L;
    const uint64_t cell0 = static_cast<uint64_t>(b * g.H + h) * static_cast<uint64_t>(L) * static_cast<uint64_t>(L);
    for (int64_t i0 = 0; i0 < L; i0 += kTile) {
      const int64_t i1 = std::min(L, i0 + kTile), nq = i1 - i0;
      std::fill(m, m + nq, -kInf);
      std::fill(l, l + nq, 0.0);
      std::fill(acc, acc + nq * dh, 0.0f);
      const int64_t jEnd = o.causal ? i1 : L;
      for (int64_t j0 = 0; j0 < jEnd; j0 += kTile) {
        const int64_t j1 = std::min(jEnd, j0 + kTile), nk = j1 - j0;
        if (!sgemm(nq, nk, dh, false, true, Q + i0 * dh, K + j0 * dh, S, false)) return false;
        for (int64_t r = 0; r < nq; ++r) {
          const int64_t i = i0 + r;
          float* Sr = S + r * nk;
          float mx = -kInf;
          for (int64_t c = 0; c < nk; ++c) {
            if (allowed(o, km, i, j0 + c)) {
              Sr[c] = act_fwd(o.act, Sr[c] * fscale);
              mx = std::max(mx, Sr[c]);
            } else {
              Sr[c] = -kInf;
            }
          }
          if (mx == -kInf) {  // nothing allowed in this tile: the row adds nothing
            std::fill(Sr, Sr + nk, 0.0f);
            continue;
          }
          const float mNew = std::max(m[r], mx);
          if (m[r] != -kInf && mNew != m[r]) {  // the max grew: rescale what the row has so far
            const double alpha = std::exp(static_cast<double>(m[r] - mNew));
            l[r] *= alpha;
            const float fa = static_cast<float>(alpha);
            for (int64_t c = 0; c < dh; ++c) acc[r * dh + c] *= fa;
          }
          m[r] = mNew;
          double sum = 0;
          for (int64_t c = 0; c < nk; ++c) {
            float e = Sr[c] == -kInf ? 0.0f : std::exp(Sr[c] - mNew);
            sum += e;
            if (drop && e != 0.0f) e = attn_keep(o.seed, cell0 + static_cast<uint64_t>(i * L + j0 + c), o.p) ? e * fkeep : 0.0f;
            Sr[c] = e;
          }
          l[r] += sum;
        }
        if (!sgemm(nq, dh, nk, false, false, S, V + j0 * dh, tmp, false)) return false;
        for (int64_t x = 0; x < nq * dh; ++x) acc[x] += tmp[x];
      }
      for (int64_t r = 0; r < nq; ++r) {
        const int64_t i = i0 + r;
        float* y = out + (b * L + i) * d + h * dh;
        float* ls = lse + (b * g.H + h) * L + i;
        if (m[r] == -kInf) {  // no allowed key
          std::fill(y, y + dh, 0.0f);
          *ls = kInf;
          continue;
        }
        const float inv = static_cast<float>(1.0 / l[r]);
        for (int64_t c = 0; c < dh; ++c) y[c] = acc[r * dh + c] * inv;
        *ls = static_cast<float>(static_cast<double>(m[r]) + std::log(l[r]));
      }
    }
    return true;
  });
}

bool attn_backward(const AttnGeo& g, const AttnOpts& o, const float* qkv, const float* out, const float* lse,
                   const float* dOut, float* dqkv) {
  const int64_t L = g.L, dh = g.dh, d = g.d(), ld = 3 * d;
  const float fscale = static_cast<float>(o.scale);
  const bool drop = o.p > 0;
  const float fkeep = static_cast<float>(1.0 / (1.0 - o.p));
  return attn_tasks(g, [&](int64_t b, int64_t h) {
    Scratch& s = scratch();
    float* Q = Scratch::get(s.q, L * dh);
    float* K = Scratch::get(s.k, L * dh);
    float* V = Scratch::get(s.v, L * dh);
    float* O = Scratch::get(s.o, L * dh);
    float* dO = Scratch::get(s.dO, L * dh);
    float* dQ = Scratch::get(s.dQ, L * dh);
    float* S = Scratch::get(s.S, kTile * kTile);
    float* P = Scratch::get(s.P, kTile * kTile);
    float* dP = Scratch::get(s.tmp2, kTile * kTile);
    float* tmp = Scratch::get(s.tmp, kTile * dh);
    float* dK = Scratch::get(s.dK, kTile * dh);
    float* dV = Scratch::get(s.dV, kTile * dh);
    double* D = Scratch::get(s.D, L);
    gather_qkv(qkv, g, b, h, Q, K, V);
    gather(out + b * L * d, L, d, h * dh, dh, O);
    gather(dOut + b * L * d, L, d, h * dh, dh, dO);
    std::fill(dQ, dQ + L * dh, 0.0f);
    for (int64_t i = 0; i < L; ++i) {
      double t = 0;
      for (int64_t c = 0; c < dh; ++c) t += static_cast<double>(dO[i * dh + c]) * O[i * dh + c];
      D[i] = t;
    }
    const uint8_t* km = o.keyMask + b * L;
    const float* ls = lse + (b * g.H + h) * L;
    const uint64_t cell0 = static_cast<uint64_t>(b * g.H + h) * static_cast<uint64_t>(L) * static_cast<uint64_t>(L);
    for (int64_t j0 = 0; j0 < L; j0 += kTile) {
      const int64_t j1 = std::min(L, j0 + kTile), nk = j1 - j0;
      std::fill(dK, dK + nk * dh, 0.0f);
      std::fill(dV, dV + nk * dh, 0.0f);
      for (int64_t i0 = o.causal ? j0 : 0; i0 < L; i0 += kTile) {
        const int64_t i1 = std::min(L, i0 + kTile), nq = i1 - i0;
        if (!sgemm(nq, nk, dh, false, true, Q + i0 * dh, K + j0 * dh, S, false)) return false;
        if (!sgemm(nq, nk, dh, false, true, dO + i0 * dh, V + j0 * dh, dP, false)) return false;
        for (int64_t r = 0; r < nq; ++r) {
          const int64_t i = i0 + r;
          const float li = ls[i];
          const float Di = static_cast<float>(D[i]);
          for (int64_t c = 0; c < nk; ++c) {
            const int64_t x = r * nk + c;
            if (li == kInf || !allowed(o, km, i, j0 + c)) {
              P[x] = 0.0f;
              S[x] = 0.0f;
              continue;
            }
            const float sv = S[x] * fscale;
            const float pv = std::exp(act_fwd(o.act, sv) - li);
            float dpv = dP[x];
            float pd = pv;
            if (drop) {
              const bool kept = attn_keep(o.seed, cell0 + static_cast<uint64_t>(i * L + j0 + c), o.p);
              pd = kept ? pv * fkeep : 0.0f;
              dpv = kept ? dpv * fkeep : 0.0f;
            }
            P[x] = pd;
            S[x] = pv * (dpv - Di) * act_grad(o.act, sv) * fscale;
          }
        }
        // dV_tile += Pdᵀ dO_i; dQ_i += dS K_tile; dK_tile += dSᵀ Q_i
        if (!sgemm(nk, dh, nq, true, false, P, dO + i0 * dh, tmp, false)) return false;
        for (int64_t x = 0; x < nk * dh; ++x) dV[x] += tmp[x];
        if (!sgemm(nq, dh, nk, false, false, S, K + j0 * dh, tmp, false)) return false;
        for (int64_t x = 0; x < nq * dh; ++x) dQ[i0 * dh + x] += tmp[x];
        if (!sgemm(nk, dh, nq, true, false, S, Q + i0 * dh, tmp, false)) return false;
        for (int64_t x = 0; x < nk * dh; ++x) dK[x] += tmp[x];
      }
      float* dst = dqkv + (b * L + j0) * ld;
      scatter(dK, nk, ld, d + h * dh, dh, dst);
      scatter(dV, nk, ld, 2 * d + h * dh, dh, dst);
    }
    scatter(dQ, L, ld, h * dh, dh, dqkv + b * L * ld);
    return true;
  });
}

}  // namespace strl
