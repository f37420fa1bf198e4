#include "napi_util.h"

namespace strl {

void register_ssa(napi_env env, napi_value exports) {
  (void)env;
  (void)exports;
}

}  // namespace strl
