// Node-API binding of the thread pool (thread_pool.h): setThreads(n) and threads().
#include <string>

#include "napi_util.h"
#include "thread_pool.h"

namespace strl {
namespace {

napi_value js_set_threads(napi_env env, napi_callback_info info) {
  Args a(env, info, 1, "setThreads");
  if (!a.ok) return nullptr;
  int64_t n;
  if (!get_i64(env, a.argv[0], &n, "threads")) return nullptr;
  if (n < 1 || n > 256) return throw_range(env, "threads must be in [1, 256], got " + std::to_string(n));
  set_num_threads(static_cast<int>(n));
  return undefined(env);
}

napi_value js_get_threads(napi_env env, napi_callback_info) { return make_f64(env, num_threads()); }

}  // namespace

void register_pool(napi_env env, napi_value exports) {
  export_fn(env, exports, "setThreads", js_set_threads);
  export_fn(env, exports, "threads", js_get_threads);
}

}  // namespace strl
