// Small helpers over Node-API (C) for the strl native engine: read arguments, throw a JS error, register a
// function. Every exported function validates its arguments and throws a TypeError/RangeError naming the
// problem; it never aborts the process.
#pragma once
#include <node_api.h>
#include <cstddef>
#include <cstdint>
#include <string>

namespace strl {

// Throws a JS RangeError with `msg` (prefixed "strl native: ") and returns nullptr for the caller to return.
inline napi_value throw_range(napi_env env, const std::string& msg) {
  napi_throw_range_error(env, nullptr, ("strl native: " + msg).c_str());
  return nullptr;
}

// The arguments of a call, up to 32.
struct Args {
  napi_env env;
  size_t argc = 32;
  napi_value argv[32];
  bool ok = true;
  Args(napi_env e, napi_callback_info info, size_t expected, const char* fname) : env(e) {
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    if (argc < expected) {
      ok = false;
      throw_range(env, std::string(fname) + ": expected " + std::to_string(expected) + " arguments, got " + std::to_string(argc));
    }
  }
};

// A typed-array argument of type `want`: pointer to its data and its length (elements). No copy.
inline bool get_typed(napi_env env, napi_value v, napi_typedarray_type want, void** data, size_t* len, const char* what) {
  napi_typedarray_type type;
  void* ptr = nullptr;
  size_t length = 0;
  napi_value ab;
  size_t offset = 0;
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  if (!is_ta || napi_get_typedarray_info(env, v, &type, &length, &ptr, &ab, &offset) != napi_ok || type != want) {
    throw_range(env, std::string(what) + (want == napi_float32_array ? " must be a Float32Array" : " has the wrong typed-array type"));
    return false;
  }
  *data = ptr;
  *len = length;
  return true;
}

// A Float32Array argument.
inline bool get_f32(napi_env env, napi_value v, float** data, size_t* len, const char* what) {
  void* p = nullptr;
  if (!get_typed(env, v, napi_float32_array, &p, len, what)) return false;
  *data = static_cast<float*>(p);
  return true;
}

inline bool get_i64(napi_env env, napi_value v, int64_t* out, const char* what) {
  if (napi_get_value_int64(env, v, out) != napi_ok) {
    throw_range(env, std::string(what) + " must be a number");
    return false;
  }
  return true;
}

inline bool get_f64(napi_env env, napi_value v, double* out, const char* what) {
  if (napi_get_value_double(env, v, out) != napi_ok) {
    throw_range(env, std::string(what) + " must be a number");
    return false;
  }
  return true;
}

inline bool get_bool(napi_env env, napi_value v, bool* out, const char* what) {
  if (napi_get_value_bool(env, v, out) != napi_ok) {
    throw_range(env, std::string(what) + " must be a boolean");
    return false;
  }
  return true;
}

inline napi_value make_f64(napi_env env, double x) {
  napi_value r;
  napi_create_double(env, x, &r);
  return r;
}

inline napi_value undefined(napi_env env) {
  napi_value r;
  napi_get_undefined(env, &r);
  return r;
}

inline void export_fn(napi_env env, napi_value exports, const char* name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn);
  napi_set_named_property(env, exports, name, fn);
}

// Each kernel file registers its functions on the addon's exports.
void register_pool(napi_env env, napi_value exports);
void register_gemm(napi_env env, napi_value exports);
void register_elementwise(napi_env env, napi_value exports);
void register_lif(napi_env env, napi_value exports);
void register_ssa(napi_env env, napi_value exports);
void register_dense(napi_env env, napi_value exports);
void register_event_linear(napi_env env, napi_value exports);
void register_attention(napi_env env, napi_value exports);
void register_linear(napi_env env, napi_value exports);

}  // namespace strl
