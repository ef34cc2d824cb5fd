{
  "targets": [
    {
      "target_name": "molt_native",
      "sources": ["binding.cc", "adamw.cc", "attention.cc", "embedding.cc", "gemm.cc", "glu.cc", "rms_norm.cc", "softmax_xent.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-pthread"],
      "ldflags": ["-pthread"],
      "conditions": [
        ["target_arch=='x64' or target_arch=='arm64'", { "cflags_cc": ["-march=native"] }],
        ["OS=='mac'", { "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17"] } }]
      ]
    }
  ]
}
