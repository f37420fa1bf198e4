{
  "targets": [
    {
      "target_name": "strl_native",
      "sources": [
        "src/addon.cc",
        "src/pool.cc",
        "src/gemm.cc",
        "src/elementwise.cc",
        "src/lif.cc",
        "src/ssa.cc",
        "src/dense.cc"
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
