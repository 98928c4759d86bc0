{
  "target_defaults": {
    "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fno-strict-aliasing"],
    "cflags_c": ["-std=gnu11"],
    "defines": ["_GNU_SOURCE"]
  },
  "targets": [
    {
      "target_name": "vt_tracer",
      "sources": [
        "native/addon/addon.cc", "native/addon/ring_reader.cc", "native/addon/path_clean.cc", "native/addon/content_origin.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-fexceptions"]
    },
    {
      "target_name": "vt-trace-launcher",
      "type": "executable",
      "sources": [
        "native/launcher/main.c", "native/launcher/fdutil.c", "native/launcher/filter.c", "native/launcher/supervisor.c",
        "native/launcher/probe.c", "native/launcher/remote.c", "native/launcher/ptrace_supervisor.c",
        "native/common/decode.c", "native/common/syscalls.c", "native/common/ring.c", "native/common/gate.c"
      ],
      "ldflags": ["-static"]
    },
    {
      "target_name": "vt_trace_shim",
      "type": "shared_library",
      "product_prefix": "",
      "sources": [
        "native/shim/shim.c",
        "native/common/decode.c", "native/common/syscalls.c", "native/common/ring.c", "native/common/gate.c"
      ],
      "cflags": ["-fvisibility=hidden", "-fno-stack-protector"],
      "ldflags": ["-Wl,-z,nodelete", "-Wl,--no-undefined"],
      "libraries": ["-ldl"]
    }
  ]
}
