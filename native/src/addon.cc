// The strl native engine: a Node-API addon whose kernels work on Float32Arrays owned by JavaScript (no copies).
// src/tensor/native/ wraps them as tfjs kernels of the "native" backend.
#include "napi_util.h"

namespace strl {

static napi_value Init(napi_env env, napi_value exports) {
  register_pool(env, exports);
  register_gemm(env, exports);
  register_elementwise(env, exports);
  register_lif(env, exports);
  register_ssa(env, exports);
  return exports;
}

}  // namespace strl

NAPI_MODULE(NODE_GYP_MODULE_NAME, strl::Init)
