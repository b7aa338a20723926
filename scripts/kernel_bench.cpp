// Kernel benchmark: own GEMM vs the BLAS-backed sgemm (when built with -DTF_HAVE_BLAS), and the
// 2^24-element elementwise ops and sum of WORKLOADS.md. Medians over timed runs after warm-up.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <thread>
#include <vector>

#include "../native/core/cpu.h"
#include "../native/core/gemm.h"
#include "../native/core/kernels.h"
#include "../native/core/parallel.h"
#include "../native/core/probe.h"

using namespace tf;

static double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

static double median_time(int reps, const std::function<void()>& f) {
  f();
  std::vector<double> ts;
  for (int r = 0; r < reps; ++r) {
    const double t = now();
    f();
    ts.push_back(now() - t);
  }
  std::sort(ts.begin(), ts.end());
  return ts[ts.size() / 2];
}

// OpenBLAS workers spin for a while after each call and would steal the second core from our
// pool (and ours from it for ~100 us); rest between the two so each is measured alone.
static void settle() { std::this_thread::sleep_for(std::chrono::milliseconds(300)); }

static double g_peak = 0;  // float32 FMA peak of this machine at the level in use, all threads

static void bench_gemm(const char* label, bool ta, bool tb, int64_t M, int64_t N, int64_t K) {
  std::mt19937 g(1);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> A(M * K), B(K * N), C(M * N);
  for (auto& v : A) v = d(g);
  for (auto& v : B) v = d(g);
  const int64_t lda = ta ? M : K, ldb = tb ? K : N;
  const double flop = 2.0 * M * N * K;
  const int reps = std::max(3, static_cast<int>(std::min<double>(40, 3e10 / flop)));
  // Two rounds, alternating, best median of each, so a noisy neighbour hurts both alike.
  double own = 1e30, blas = 1e30;
  for (int round = 0; round < 2; ++round) {
    settle();
    own = std::min(own, median_time(reps, [&] {
      own_sgemm(ta, tb, M, N, K, 1.f, A.data(), lda, B.data(), ldb, 0.f, C.data(), N);
    }));
    settle();
    blas = std::min(blas, median_time(reps, [&] {
      sgemm(ta, tb, M, N, K, 1.f, A.data(), lda, B.data(), ldb, 0.f, C.data(), N);
    }));
  }
  std::printf("%-22s own %7.1f GFLOP/s (%3.0f%%)   sgemm(%s) %7.1f GFLOP/s (%3.0f%%)   own/sgemm %.2f\n",
              label, flop / own / 1e9, 100 * flop / own / 1e9 / g_peak, gemm_backend(), flop / blas / 1e9,
              100 * flop / blas / 1e9 / g_peak, blas / own);
}

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::string(argv[1]) == "quick";
  std::printf("kernel_bench: simd=%s threads=%d gemm=%s\n", simd_level_name(), num_threads(),
              gemm_backend());
  const CacheSizes& cs = cache_sizes();
  g_peak = fma_peak_gflops(simd_level(), false, num_threads(), 1.0);
  std::printf("%s: L1d %lld KiB, L2 %lld KiB, L3 %lld KiB; FMA peak %.0f GFLOP/s float32 (%%: share of it); "
              "triad %.1f GB/s\n", cpu_model().c_str(), (long long)cs.l1d >> 10, (long long)cs.l2 >> 10,
              (long long)cs.l3 >> 10, g_peak, triad_gbps(int64_t(256) << 20, 0.5));
  char label[64];
  for (int n : {256, 512, 1024, 2048}) {
    std::snprintf(label, sizeof label, "gemm%d", n);
    bench_gemm(label, false, false, n, n, n);
  }
  if (!quick) {
    bench_gemm("256x784 * 784x1024", false, false, 256, 1024, 784);
    bench_gemm("  dW: (256x784)^T dY", true, false, 784, 1024, 256);
    bench_gemm("  dX: dY (784x1024)^T", false, true, 256, 784, 1024);
    bench_gemm("64x9216 * 9216x128", false, false, 64, 128, 9216);
    bench_gemm("  dW: (64x9216)^T dY", true, false, 9216, 128, 64);
    bench_gemm("  dX: dY (9216x128)^T", false, true, 64, 9216, 128);
  }

  const int64_t n = 1 << 24;
  std::vector<float> a(n), b(n), c(n), t(n), z(n);
  std::mt19937 g(2);
  std::uniform_real_distribution<float> d(-4, 4);
  for (int64_t i = 0; i < n; ++i) a[i] = d(g), b[i] = d(g), c[i] = d(g);
  settle();
  auto ms = [](double s) { return s * 1e3; };
  std::printf("ew_fma_16M  (mul, add)  %7.2f ms   (memory roof ~13 ms)\n", ms(median_time(10, [&] {
                binary_f32(Binary::Mul, a.data(), 1, b.data(), 1, t.data(), n);
                binary_f32(Binary::Add, t.data(), 1, c.data(), 1, z.data(), n);
              })));
  std::printf("ew_exp_16M              %7.2f ms   (memory roof ~6.7 ms)\n", ms(median_time(10, [&] {
                unary_f32(Unary::Exp, a.data(), z.data(), n);
              })));
  volatile float sink = 0;
  std::printf("sum_16M                 %7.2f ms   (memory roof ~3.4 ms)\n",
              ms(median_time(10, [&] { sink = sink + sum_f32(a.data(), n); })));
  static const char* names[] = {"neg",  "abs",     "exp",  "log",  "sqrt", "rsqrt",   "sin",
                                "cos",  "tanh",    "sigmoid", "relu", "gelu", "silu", "softplus"};
  for (Unary k : {Unary::Relu, Unary::Log, Unary::Tanh, Unary::Sigmoid,
                      Unary::Gelu, Unary::Silu, Unary::Softplus, Unary::Sin}) {
    const double s = median_time(5, [&] { unary_f32(k, b.data(), z.data(), n); });
    std::printf("  %-8s 16M            %7.2f ms\n", names[static_cast<int>(k)], ms(s));
  }

  if (!quick) {
    // Threading thresholds: one thread vs the pool for small sizes (ns per element).
    std::printf("threshold scan (ns/element, 1 thread vs %d):\n", num_threads());
    const int nt = num_threads();
    for (int64_t m : {4096, 16384, 65536, 262144, 1048576}) {
      double r[2][2];
      for (int pass = 0; pass < 2; ++pass) {
        set_num_threads(pass == 0 ? 1 : nt);
        r[pass][0] = median_time(200, [&] {
          binary_f32(Binary::Add, a.data(), 1, b.data(), 1, z.data(), m);
        }) / m * 1e9;
        r[pass][1] = median_time(200, [&] { unary_f32(Unary::Exp, a.data(), z.data(), m); }) / m * 1e9;
      }
      std::printf("  n=%8lld  add %.3f vs %.3f   exp %.3f vs %.3f\n", (long long)m, r[0][0], r[1][0],
                  r[0][1], r[1][1]);
    }
    set_num_threads(nt);
  }
  return 0;
}
