// Row kernels (softmax, LayerNorm forward and backward) and the optimiser's helpers (AdamW step, dropout masks)
// of the native engine (elementwise_kernels.h). Pure C++ on raw pointers.
#include <cmath>
#include <vector>

#include "elementwise_kernels.h"
#include "thread_pool.h"

namespace strl {

void softmax_rows(const float* x, int64_t rows, int64_t n, float* y) {
  int64_t rows_per = n >= kChunk ? 1 : kChunk / n;
  parallel_chunks(rows, rows_per, [&](int64_t b, int64_t e, int64_t) {
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
}

void layer_norm(const float* x, int64_t rows, int64_t n, const float* gamma, const float* beta, double eps, float* y,
                float* mean, float* rstd) {
  int64_t rows_per = n >= kChunk ? 1 : kChunk / n;
  parallel_chunks(rows, rows_per, [&](int64_t b, int64_t e, int64_t) {
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
      double inv_std = 1.0 / std::sqrt(v + eps);
      float* q = y + r * n;
      for (int64_t i = 0; i < n; ++i) q[i] = static_cast<float>((p[i] - m) * inv_std * gamma[i] + beta[i]);
      mean[r] = static_cast<float>(m);
      rstd[r] = static_cast<float>(inv_std);
    }
  }, static_cast<double>(rows) * static_cast<double>(n) * 4);
}

//   xhat = (x - mean) rstd; dxhat = dy gamma;
//   dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)); dgamma = sum_rows dy xhat; dbeta = sum_rows dy.
// dgamma/dbeta are reduced over fixed row blocks, then the blocks are added in order.
void layer_norm_backward(const float* dy, const float* x, int64_t rows, int64_t n, const float* gamma,
                         const float* mean, const float* rstd, float* dx, float* dgamma, float* dbeta) {
  const int64_t block = 256;  // rows per task
  const int64_t tasks = (rows + block - 1) / block;
  std::vector<double> pg(static_cast<size_t>(tasks * n), 0.0), pb(static_cast<size_t>(tasks * n), 0.0);
  parallel_chunks(rows, block, [&](int64_t r0, int64_t r1, int64_t t) {
    double* tg = pg.data() + t * n;
    double* tb = pb.data() + t * n;
    for (int64_t r = r0; r < r1; ++r) {
      const float* pdy = dy + r * n;
      const float* px = x + r * n;
      double m = mean[r], s = rstd[r];
      double a = 0, c = 0;
      for (int64_t i = 0; i < n; ++i) {
        double xh = (px[i] - m) * s;
        double dxh = static_cast<double>(pdy[i]) * gamma[i];
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
        double dxh = static_cast<double>(pdy[i]) * gamma[i];
        pdx[i] = static_cast<float>(s * (dxh - a - xh * c));
      }
    }
  }, static_cast<double>(rows) * static_cast<double>(n) * 8);
  for (int64_t i = 0; i < n; ++i) {
    double sg = 0, sb = 0;
    for (int64_t t = 0; t < tasks; ++t) {
      sg += pg[t * n + i];
      sb += pb[t * n + i];
    }
    dgamma[i] = static_cast<float>(sg);
    dbeta[i] = static_cast<float>(sb);
  }
}

// m' = b1 m + (1-b1) g; v' = b2 v + (1-b2) g^2; p' = p decay - (m' / (sqrt(v') / sqrtBc2 + eps)) stepSize, with
// decay = 1 - lr wd or 1, stepSize = lr / (1 - b1^t). Each element's inputs are read before its outputs are written.
void adamw(const float* p, const float* g, const float* m, const float* v, float* p_out, float* m_out, float* v_out,
           int64_t n, const AdamwStep& o) {
  const float fb1 = static_cast<float>(o.beta1), fb1c = static_cast<float>(1 - o.beta1), fb2 = static_cast<float>(o.beta2), fb2c = static_cast<float>(1 - o.beta2);
  const float feps = static_cast<float>(o.eps), fdecay = static_cast<float>(o.decay), fstep = static_cast<float>(o.step_size), fs = static_cast<float>(o.sqrt_bc2);
  const bool decays = o.decay != 1.0;
  parallel_chunks(n, kChunk, [&](int64_t b, int64_t e, int64_t) {
    for (int64_t i = b; i < e; ++i) {
      float gi = g[i];
      float mi = m[i] * fb1 + gi * fb1c;
      float vi = v[i] * fb2 + (gi * gi) * fb2c;
      float denom = std::sqrt(vi) / fs + feps;
      float pi = decays ? p[i] * fdecay : p[i];
      m_out[i] = mi;
      v_out[i] = vi;
      p_out[i] = pi - (mi / denom) * fstep;
    }
  }, static_cast<double>(n));
}

// The same draws, in the same order, as src/tensor/rng.ts `Rng.float()`, so the masks are bit-identical to the JS
// loop's. Sequential by nature (one stream): it runs on the calling thread.
void dropout_mask(uint32_t* s, double p, double keep, float* mask, size_t n) {
  uint32_t s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
  const float fkeep = static_cast<float>(keep);
  for (size_t i = 0; i < n; ++i) {
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
}

}  // namespace strl
