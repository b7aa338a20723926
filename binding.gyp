# The MPI backend of tf.distributed (native/mpi) is built by CMakeLists.txt only: a node-gyp build
# has none, and tf.distributed.isAvailable() is false there.
{
  "variables": {
    "tf_blas%": "<!(node scripts/find-blas.js)",
    "tf_lapack%": "<!(node scripts/find-blas.js --lapack)"
  },
  "targets": [
    {
      "target_name": "tensorfold",
      "sources": [
        "<!@(node -p \"const s=require('./native/sources.json'); s.core.concat(s.binding).join(' ')\")"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_EXPERIMENTAL", "NAPI_VERSION=2147483647", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++14", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-frtti", "-Werror=switch"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-O3"]
      },
      "conditions": [
        ["OS!='win'", {"libraries": ["-ldl"]}],
        ["tf_blas==1", {
          "defines": ["TF_HAVE_BLAS"],
          "include_dirs": ["<!(node scripts/find-blas.js --include)"],
          "libraries": ["-lopenblas"]
        }],
        ["tf_lapack==1", {
          "defines": ["TF_HAVE_LAPACK"]
        }]
      ]
    }
  ]
}
