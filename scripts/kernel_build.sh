#!/usr/bin/env bash
# Builds the standalone kernel test and benchmark with g++ directly (baseline x86-64, no -march:
# the kernels pick AVX2/AVX-512 at run time), with the own GEMM and, if OpenBLAS is installed,
# with -DTF_HAVE_BLAS. Then runs the tests (at every SIMD level this CPU has) and the benchmark.
#   scripts/kernel_build.sh            build, test, bench
#   scripts/kernel_build.sh test       build and test only
#   scripts/kernel_build.sh bench      build and bench only
#   scripts/kernel_build.sh arm64      cross-build for aarch64 (static) and run the test under
#                                      qemu-aarch64 at the NEON and scalar levels; needs
#                                      `apt-get install g++-aarch64-linux-gnu qemu-user`.
#                                      TF_TEST_STRIDE (default 61 natively, 997 here) sets the ulp
#                                      sweep's step through the float bit patterns.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT_DIR:-build-kernels}  # not build/: cmake-js owns and cleans that
mkdir -p "$OUT"
mode=${1:-all}

if [ "$mode" = arm64 ]; then
  XCXX=${XCXX:-aarch64-linux-gnu-g++}
  QEMU=${QEMU:-qemu-aarch64}
  command -v "$XCXX" > /dev/null && command -v "$QEMU" > /dev/null || {
    echo "need $XCXX and $QEMU: apt-get install -y g++-aarch64-linux-gnu qemu-user" >&2
    exit 1
  }
  SRC="native/core/kernels.cpp native/core/op_table.cpp native/core/gemm.cpp native/core/parallel.cpp native/core/cpu.cpp native/core/probe.cpp"
  # Static, so qemu-user runs it without an aarch64 sysroot. The bench is only built (qemu's
  # timings mean nothing). Every engine source is also compiled, as a check that nothing in the
  # core assumes x86.
  mkdir -p "$OUT/arm64"
  XFLAGS="-O3 -std=c++17 -pthread -Wall -Wextra"
  $XCXX $XFLAGS -static scripts/kernel_test.cpp $SRC -o "$OUT/arm64/kernel_test"
  $XCXX $XFLAGS -static scripts/kernel_bench.cpp $SRC -o "$OUT/arm64/kernel_bench"
  for f in native/core/*.cpp; do $XCXX $XFLAGS -fsyntax-only "$f"; done
  echo "arm64: all native/core sources compile"
  # qemu-user runs NEON code one instruction at a time (~20x slower), so sweep fewer bit patterns.
  export TF_TEST_STRIDE=${TF_TEST_STRIDE:-997}
  "$QEMU" "$OUT/arm64/kernel_test"
  TENSORFOLD_SIMD=scalar "$QEMU" "$OUT/arm64/kernel_test"
  exit 0
fi
CXX=${CXX:-g++}
FLAGS="-O3 -std=c++17 -pthread -Wall -Wextra"
SRC="native/core/kernels.cpp native/core/op_table.cpp native/core/gemm.cpp native/core/parallel.cpp native/core/cpu.cpp native/core/probe.cpp"

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
  # (`|| exit 1`: set -e does not stop on a failure left of &&.)
  TENSORFOLD_NUM_THREADS=1 "$OUT/kernel_test_own" > /dev/null && echo "1 thread: PASSED" || exit 1
  # The GEMM under blocks derived from other caches: Zen 3's; tiny ones, so that the test's small
  # products cross every cache block and take the deep K blocks; and a small L3, so that deep K
  # blocks are halved for the threads' packed B panels (AVX-512: KC 256 -> 128 at 400x420x700).
  for caches in "l1d=32K,l2=512K,l3=32M" "l1d=16K,l2=128K,l3=1M" "l1d=32K,l2=256K,l3=1M"; do
    for level in "" avx2 scalar; do
      TENSORFOLD_CPU_CACHES=$caches TENSORFOLD_SIMD=$level TF_TEST_ONLY=gemm "$OUT/kernel_test_own" \
        > /dev/null && echo "gemm, caches $caches, simd ${level:-best}: PASSED" || exit 1
    done
  done
  if [ $have_blas = 1 ]; then
    "$OUT/kernel_test_blas" > /dev/null && echo "blas build: PASSED" || exit 1
    # Each level routes products differently between OpenBLAS and the own kernel.
    TENSORFOLD_SIMD=avx2 "$OUT/kernel_test_blas" > /dev/null && echo "blas build, avx2: PASSED" || exit 1
    TENSORFOLD_SIMD=scalar "$OUT/kernel_test_blas" > /dev/null && echo "blas build, scalar: PASSED" || exit 1
  fi
fi
if [ "$mode" = all ] || [ "$mode" = bench ]; then
  if [ $have_blas = 1 ]; then "$OUT/kernel_bench_blas"; else "$OUT/kernel_bench_own"; fi
fi
