// Node-API binding of the sgemm (gemm.h): gemm(batch, M, N, K, transA, transB, A, strideA, B, strideB, C) and
// gemmKernel(). Checks every argument and extent, then calls sgemm_batched.
#include <cmath>
#include <cstdio>
#include <string>

#include "gemm.h"
#include "napi_util.h"

namespace strl {
namespace {

std::string num_str(double d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

// A non-negative integer argument (at most 2^53 - 1).
bool get_count(napi_env env, napi_value v, const char* what, int64_t* out) {
  napi_valuetype type;
  double d = 0;
  if (napi_typeof(env, v, &type) != napi_ok || type != napi_number || napi_get_value_double(env, v, &d) != napi_ok) {
    throw_range(env, std::string("gemm: ") + what + " must be a number");
    return false;
  }
  if (!(d >= 0) || d > 9007199254740991.0 || d != std::floor(d)) {
    throw_range(env, std::string("gemm: ") + what + " must be a non-negative integer, got " + num_str(d));
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

// a * b + c without overflow (all non-negative), else false.
bool mul_add(int64_t a, int64_t b, int64_t c, int64_t* out) {
  int64_t p;
  if (__builtin_mul_overflow(a, b, &p)) return false;
  return !__builtin_add_overflow(p, c, out);
}

napi_value js_gemm(napi_env env, napi_callback_info info) {
  Args a(env, info, 11, "gemm");
  if (!a.ok) return nullptr;
  int64_t batch, M, N, K, strideA, strideB;
  bool tA, tB;
  float *A, *B, *C;
  size_t lenA, lenB, lenC;
  if (!get_count(env, a.argv[0], "batch", &batch) || !get_count(env, a.argv[1], "M", &M) ||
      !get_count(env, a.argv[2], "N", &N) || !get_count(env, a.argv[3], "K", &K) ||
      !get_bool(env, a.argv[4], &tA, "gemm: transA") || !get_bool(env, a.argv[5], &tB, "gemm: transB") ||
      !get_f32(env, a.argv[6], &A, &lenA, "gemm: A") || !get_count(env, a.argv[7], "strideA", &strideA) ||
      !get_f32(env, a.argv[8], &B, &lenB, "gemm: B") || !get_count(env, a.argv[9], "strideB", &strideB) ||
      !get_f32(env, a.argv[10], &C, &lenC, "gemm: C"))
    return nullptr;
  const std::string dims = "batch " + std::to_string(batch) + ", M " + std::to_string(M) + ", N " +
                           std::to_string(N) + ", K " + std::to_string(K);
  // Elements touched: C [batch, M, N]; A up to (batch-1)·strideA + M·K; B up to (batch-1)·strideB + K·N.
  int64_t needC = 0, needA = 0, needB = 0;
  if (!mul_add(batch, M, 0, &needC) || !mul_add(needC, N, 0, &needC))
    return throw_range(env, "gemm: C size overflows (" + dims + ")");
  if (batch > 0 && M > 0 && K > 0) {
    int64_t mk;
    if (!mul_add(M, K, 0, &mk) || !mul_add(batch - 1, strideA, mk, &needA))
      return throw_range(env, "gemm: A extent overflows (" + dims + ", strideA " + std::to_string(strideA) + ")");
  }
  if (batch > 0 && N > 0 && K > 0) {
    int64_t nk;
    if (!mul_add(N, K, 0, &nk) || !mul_add(batch - 1, strideB, nk, &needB))
      return throw_range(env, "gemm: B extent overflows (" + dims + ", strideB " + std::to_string(strideB) + ")");
  }
  if (static_cast<uint64_t>(needC) > lenC)
    return throw_range(env, "gemm: C has " + std::to_string(lenC) + " elements, needs " + std::to_string(needC) +
                                " (" + dims + ")");
  if (needC > 0 && static_cast<uint64_t>(needA) > lenA)
    return throw_range(env, "gemm: A has " + std::to_string(lenA) + " elements, needs " + std::to_string(needA) +
                                " (" + dims + ", strideA " + std::to_string(strideA) + ")");
  if (needC > 0 && static_cast<uint64_t>(needB) > lenB)
    return throw_range(env, "gemm: B has " + std::to_string(lenB) + " elements, needs " + std::to_string(needB) +
                                " (" + dims + ", strideB " + std::to_string(strideB) + ")");
  // C is written while A and B are read: they must not share memory.
  if (needC > 0) {
    const uintptr_t c0 = reinterpret_cast<uintptr_t>(C), c1 = c0 + sizeof(float) * static_cast<uintptr_t>(needC);
    auto overlaps = [&](const float* p, int64_t n) {
      const uintptr_t p0 = reinterpret_cast<uintptr_t>(p), p1 = p0 + sizeof(float) * static_cast<uintptr_t>(n);
      return n > 0 && p0 < c1 && c0 < p1;
    };
    if (overlaps(A, needA)) return throw_range(env, "gemm: C must not share memory with A");
    if (overlaps(B, needB)) return throw_range(env, "gemm: C must not share memory with B");
  }
  if (!sgemm_batched(batch, M, N, K, tA, tB, A, strideA, B, strideB, C, true))
    return throw_range(env, "gemm: out of memory for the packing buffers (" + dims + ")");
  return undefined(env);
}

napi_value js_gemm_kernel(napi_env env, napi_callback_info) {
  napi_value r;
  napi_create_string_utf8(env, sgemm_kernel_name(), NAPI_AUTO_LENGTH, &r);
  return r;
}

}  // namespace

void register_gemm(napi_env env, napi_value exports) {
  export_fn(env, exports, "gemm", js_gemm);
  export_fn(env, exports, "gemmKernel", js_gemm_kernel);
}

}  // namespace strl
