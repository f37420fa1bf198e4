// The strl native engine: a Node-API addon whose kernels work on Float32Arrays owned by JavaScript (no copies).
// src/tensor/native/ wraps them as tfjs kernels of the "native" backend.
#include "napi_util.h"

#include <cstdlib>
#include <cstring>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace strl {

// Tensor values live in JS ArrayBuffers, which Node allocates with the C library's calloc. glibc serves blocks
// above 32 MiB with a fresh mmap each time, and a fresh mapping pays one page fault per 4 KiB page on first write:
// ~80 ms for one 92 MB attention tensor of the paper DT, every time, many times a step. Keeping large blocks in
// the heap (no mmap, a high trim threshold) lets freed tensors' memory be reused without faults; the process keeps
// its peak heap instead of returning it between steps. STRL_MALLOC_TUNE=0 leaves the allocator alone.
static void tune_allocator() {
#if defined(__GLIBC__)
  const char* env = std::getenv("STRL_MALLOC_TUNE");
  if (env && std::strcmp(env, "0") == 0) return;
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

static napi_value Init(napi_env env, napi_value exports) {
  tune_allocator();
  register_pool(env, exports);
  register_gemm(env, exports);
  register_elementwise(env, exports);
  register_lif(env, exports);
  register_ssa(env, exports);
  register_dense(env, exports);
  register_event_linear(env, exports);
  register_attention(env, exports);
  register_linear(env, exports);
  return exports;
}

}  // namespace strl

NAPI_MODULE(NODE_GYP_MODULE_NAME, strl::Init)
