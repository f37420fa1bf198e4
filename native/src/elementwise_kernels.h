// The element-wise, reduction, softmax, transpose, LayerNorm, AdamW and dropout-mask kernels of the native engine:
// pure C++ on raw float32 pointers (elementwise_kernels.cc, norm_adamw_dropout_kernels.cc), called by the Node-API
// binding elementwise_napi.cc, which checks every argument first. Every kernel splits its work into chunks fixed
// by the shape (never by the thread count, thread_pool.h) and each output is written by one task in a fixed
// order, so results do not depend on the thread count. Reductions accumulate in double, as tfjs-backend-cpu's
// JavaScript loops do.
#pragma once
#include <cstddef>
#include <cstdint>

namespace strl {

constexpr int64_t kChunk = 1 << 15;  // elements per task of a flat loop
constexpr int kMaxRank = 8;

enum BinOp { kAdd = 0, kSub, kMul, kDiv, kMax, kMin, kSqDiff, kPow };
enum UnOp { kExp = 0, kLog, kSqrt, kRsqrt, kNeg, kSquare, kTanh, kRelu, kSigmoid, kAbs, kReciprocal, kStep };
enum RedOp { kSum = 0, kMean, kRMax, kRMin };

// out [shape] = a op b, `rank` <= kMaxRank output dims with element strides sa / sb of a and b (0 on broadcast
// dims); size-1 dims are dropped and contiguous ones merged here. False for an unknown op (nothing written).
bool binary_broadcast(int op, int rank, const int64_t* shape, const int64_t* sa, const int64_t* sb, const float* a,
                      const float* b, float* out);

// y [n] = f(x [n]); alpha: Step's value where x <= 0. False for an unknown op.
bool unary(int op, const float* x, float* y, int64_t n, float alpha);

// x viewed as [outer, red, inner] -> y [outer, inner] (op: a RedOp; max / min need red >= 1).
void reduce(int op, const float* x, int64_t outer, int64_t red, int64_t inner, float* y);

// y [shape permuted] = x [shape] with its axes permuted by perm (numpy semantics), rank <= kMaxRank, total > 0.
void transpose(const float* x, int rank, const int64_t* shape, const int64_t* perm, int64_t total, float* y);

// Softmax over the last axis of x [rows, n], n >= 1 (max-subtracted, sum in double).
void softmax_rows(const float* x, int64_t rows, int64_t n, float* y);

// y [rows, n] = (x - mean) rstd gamma + beta per row; mean, rstd [rows] kept for the backward pass. Statistics in
// double (population variance, as PyTorch).
void layer_norm(const float* x, int64_t rows, int64_t n, const float* gamma, const float* beta, double eps, float* y,
                float* mean, float* rstd);

// LayerNorm's backward: dx [rows, n], dgamma [n], dbeta [n] (see norm_adamw_dropout_kernels.cc).
void layer_norm_backward(const float* dy, const float* x, int64_t rows, int64_t n, const float* gamma,
                         const float* mean, const float* rstd, float* dx, float* dgamma, float* dbeta);

// One AdamW step over n elements, float32 op by op as the tfjs composition (outputs may alias the inputs).
struct AdamwStep {
  double beta1, beta2, eps, decay, step_size, sqrt_bc2;
};
void adamw(const float* p, const float* g, const float* m, const float* v, float* p_out, float* m_out, float* v_out,
           int64_t n, const AdamwStep& o);

// mask[i] = (u_i / 2^32 < p) ? 0 : keep for successive xoshiro128** draws u_i of `state` (advanced in place).
void dropout_mask(uint32_t* state, double p, double keep, float* mask, size_t n);

}  // namespace strl
