{
  "targets": [
    {
      "target_name": "strl_native",
      "sources": [
        "src/addon.cc",
        "src/thread_pool.cc",
        "src/threads_napi.cc",
        "src/gemm_microkernels.cc",
        "src/gemm_avx512.cc",
        "src/gemm_packing.cc",
        "src/gemm_blocking.cc",
        "src/gemm_napi.cc",
        "src/elementwise_kernels.cc",
        "src/norm_adamw_dropout_kernels.cc",
        "src/elementwise_napi.cc",
        "src/lif_kernels.cc",
        "src/lif_napi.cc",
        "src/ssa_forward_kernels.cc",
        "src/ssa_backward_kernels.cc",
        "src/ssa_napi.cc",
        "src/dense_kernels.cc",
        "src/dense_napi.cc",
        "src/event_linear_kernels.cc",
        "src/event_linear_napi.cc",
        "src/attention_kernels.cc",
        "src/attention_napi.cc",
        "src/linear_kernels.cc",
        "src/linear_napi.cc"
      ],
      "cflags!": ["-fno-exceptions", "-O2"],
      "cflags_cc!": ["-fno-exceptions", "-O2", "-std=gnu++17"],
      "cflags": ["-O3", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off"],
      "defines": ["NAPI_VERSION=8"],
      "libraries": ["-lpthread"]
    }
  ]
}
