#!/usr/bin/env bash
# Builds the standalone kernel test and benchmark with g++ directly (baseline x86-64, no -march:
# the kernels pick AVX2/AVX-512 at run time), with the own GEMM and, if OpenBLAS is installed,
# with -DTF_HAVE_BLAS. Then runs the tests (at every SIMD level this CPU has) and the benchmark.
#   scripts/kernel_build.sh            build, test, bench
#   scripts/kernel_build.sh test       build and test only
#   scripts/kernel_build.sh bench      build and bench only
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT_DIR:-build-kernels}  # not build/: cmake-js owns and cleans that
mkdir -p "$OUT"
CXX=${CXX:-g++}
FLAGS="-O3 -std=c++17 -pthread -Wall -Wextra"
SRC="native/core/kernels.cpp native/core/gemm.cpp native/core/parallel.cpp native/core/cpu.cpp"
mode=${1:-all}

$CXX $FLAGS scripts/kernel_test.cpp $SRC -o "$OUT/kernel_test_own"
$CXX $FLAGS scripts/kernel_bench.cpp $SRC -o "$OUT/kernel_bench_own"
have_blas=0
if [ -f /usr/include/cblas.h ] || [ -f /usr/include/x86_64-linux-gnu/cblas.h ] ||
   [ -f /usr/include/aarch64-linux-gnu/cblas.h ] || [ -f /usr/include/openblas/cblas.h ]; then
  INC=""
  [ -f /usr/include/openblas/cblas.h ] && INC="-I/usr/include/openblas"
  $CXX $FLAGS -DTF_HAVE_BLAS $INC scripts/kernel_test.cpp $SRC -o "$OUT/kernel_test_blas" -lopenblas
  $CXX $FLAGS -DTF_HAVE_BLAS $INC scripts/kernel_bench.cpp $SRC -o "$OUT/kernel_bench_blas" -lopenblas
  have_blas=1
fi

if [ "$mode" = all ] || [ "$mode" = test ]; then
  "$OUT/kernel_test_own"
  TENSORFOLD_SIMD=avx2 "$OUT/kernel_test_own"
  TENSORFOLD_SIMD=scalar "$OUT/kernel_test_own"
  TENSORFOLD_NUM_THREADS=1 "$OUT/kernel_test_own" > /dev/null && echo "1 thread: PASSED"
  [ $have_blas = 1 ] && "$OUT/kernel_test_blas" > /dev/null && echo "blas build: PASSED"
fi
if [ "$mode" = all ] || [ "$mode" = bench ]; then
  if [ $have_blas = 1 ]; then "$OUT/kernel_bench_blas"; else "$OUT/kernel_bench_own"; fi
fi
