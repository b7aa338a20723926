// GEMM: OpenBLAS when built with TF_HAVE_BLAS, and the engine's own kernel (always built).
//
// The own kernel follows the BLIS structure:
//   for jc over N in NC blocks
//     for pc over K in KC blocks          pack op(B)[pc:pc+KC, jc:jc+NC] into NR-wide panels
//       for ic over M in MC blocks        pack op(A)[ic:ic+MC, pc:pc+KC] into MR-tall panels
//         for jr over NC in NR steps
//           for ir over MC in MR steps    micro-kernel: MR x NR tile of C in registers, KC FMAs deep
// Packing makes the micro-kernel's loads contiguous whatever the transposes and leading dimensions
// are, and zero-pads edge panels so the micro-kernel only ever sees full tiles; edge tiles of C are
// computed into a small buffer and copied out.
//
// Threads: the rows (or columns) of C are split into one contiguous range per thread, each thread
// packs its own A panels (parallel_for may run the parts serially when the pool is busy, and that
// must still be correct). The larger dimension is split, so the operand every thread needs whole
// is the smaller one; when that is B (rows split) and two K blocks of it fit shared_b_max_bytes(), it
// is packed once into a window shared by the threads (SharedB), otherwise each thread packs its
// own copy.
#include "gemm.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <strings.h>
#include <memory>
#include <new>
#include <type_traits>
#include <thread>

#include "cpu.h"
#include "gemm_kernels.h"
#include "parallel.h"
#include "probe.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#include <xmmintrin.h>
#endif

#ifdef TF_HAVE_BLAS
#include <cblas.h>
extern "C" void openblas_set_num_threads(int);
#endif

namespace tf {
namespace {

using namespace gemm_detail;

// Grow-only, 64-byte aligned scratch owned by one thread (pool workers persist, so this is reused).
struct Scratch {
  void* p = nullptr;
  size_t bytes = 0;
  ~Scratch() { std::free(p); }
  void* get(size_t want) {
    if (want > bytes) {
      std::free(p);
      want = (want + 4095) & ~size_t(4095);
      p = std::aligned_alloc(64, want);
      if (!p) throw std::bad_alloc();
      bytes = want;
    }
    return p;
  }
};

template <typename T>
struct Problem {
  bool ta, tb;
  int64_t M, N, K;
  T alpha;
  const T* A;
  int64_t lda;
  const T* B;
  int64_t ldb;
  T beta;
  T* C;
  int64_t ldc;
};

// One full MR-row panel of a non-transposed A: step k takes element k of each of the MR rows.
// Walking k outermost makes the stores contiguous and reads MR sequential streams; with MR a
// compile-time constant the row pointers stay in registers. (Walking each row and scattering its
// values MR apart, as the edge path does, ran at ~1.5 ns per element, 13% of a 1024^3 product.)
template <typename T, int MR>
void pack_a_rows_scalar(const T* const* s, int64_t k0, int64_t kc, T* d) {
  for (int64_t k = k0; k < kc; ++k, d += MR)
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) d[r] = s[r][k];
}

#if defined(__SSE2__)
// The same with 4 x 4 (float) or 2 x 2 (double) register transposes: one vector load per row and
// one vector store per step instead of an element at a time (pack_a_rows was 4% of a 1024^3
// float product on one thread). SSE2 is in every x86-64, so this needs no dispatch.
inline void transpose_store(const float* const* s, int r, int64_t k, int MR, float* d) {
  __m128 x0 = _mm_loadu_ps(s[r] + k), x1 = _mm_loadu_ps(s[r + 1] + k);
  if (r + 4 <= MR) {
    __m128 x2 = _mm_loadu_ps(s[r + 2] + k), x3 = _mm_loadu_ps(s[r + 3] + k);
    _MM_TRANSPOSE4_PS(x0, x1, x2, x3);
    _mm_storeu_ps(d + r, x0);
    _mm_storeu_ps(d + MR + r, x1);
    _mm_storeu_ps(d + 2 * MR + r, x2);
    _mm_storeu_ps(d + 3 * MR + r, x3);
  } else {  // two rows left (MR = 6): pairs (row r, row r+1) per step
    const __m128 lo = _mm_unpacklo_ps(x0, x1), hi = _mm_unpackhi_ps(x0, x1);
    _mm_storel_pi(reinterpret_cast<__m64*>(d + r), lo);
    _mm_storeh_pi(reinterpret_cast<__m64*>(d + MR + r), lo);
    _mm_storel_pi(reinterpret_cast<__m64*>(d + 2 * MR + r), hi);
    _mm_storeh_pi(reinterpret_cast<__m64*>(d + 3 * MR + r), hi);
  }
}

template <typename T, int MR>
void pack_a_rows(const T* A, int64_t lda, int64_t kc, T* d) {
  const T* s[MR];
  for (int r = 0; r < MR; ++r) s[r] = A + r * lda;
  int64_t k = 0;
  if constexpr (std::is_same_v<T, float> && MR % 2 == 0) {
    for (; k + 4 <= kc; k += 4, d += 4 * MR) {
#pragma GCC unroll 8
      for (int r = 0; r < MR; r += (r + 4 <= MR ? 4 : 2)) transpose_store(s, r, k, MR, d);
    }
  } else if constexpr (std::is_same_v<T, double> && MR % 2 == 0) {
    for (; k + 2 <= kc; k += 2, d += 2 * MR)
#pragma GCC unroll 16
      for (int r = 0; r < MR; r += 2) {
        const __m128d x0 = _mm_loadu_pd(s[r] + k), x1 = _mm_loadu_pd(s[r + 1] + k);
        _mm_storeu_pd(d + r, _mm_unpacklo_pd(x0, x1));
        _mm_storeu_pd(d + MR + r, _mm_unpackhi_pd(x0, x1));
      }
  }
  pack_a_rows_scalar<T, MR>(s, k, kc, d);
}
#else
template <typename T, int MR>
void pack_a_rows(const T* A, int64_t lda, int64_t kc, T* d) {
  const T* s[MR];
  for (int r = 0; r < MR; ++r) s[r] = A + r * lda;
  pack_a_rows_scalar<T, MR>(s, 0, kc, d);
}
#endif

template <typename T>
using PackRows = void (*)(const T*, int64_t, int64_t, T*);

template <typename T>
PackRows<T> pack_rows_for(int MR) {
  switch (MR) {
    case 4: return pack_a_rows<T, 4>;
    case 6: return pack_a_rows<T, 6>;
    case 8: return pack_a_rows<T, 8>;
    case 12: return pack_a_rows<T, 12>;
    case 16: return pack_a_rows<T, 16>;
    case 32: return pack_a_rows<T, 32>;
    default: return nullptr;
  }
}

// Packs op(A)[i0:i0+mc, p0:p0+kc] as panels of MR rows: panel p, step k holds rows p*MR..p*MR+MR-1.
template <typename T>
void pack_a(const Problem<T>& P, int64_t i0, int64_t mc, int64_t p0, int64_t kc, int MR, T* dst) {
  const PackRows<T> rows = pack_rows_for<T>(MR);
  for (int64_t ip = 0; ip < mc; ip += MR) {
    const int64_t mr = std::min<int64_t>(MR, mc - ip);
    T* d = dst + ip * kc;
    if (!P.ta) {
      if (mr == MR && rows) {
        rows(P.A + (i0 + ip) * P.lda + p0, P.lda, kc, d);
        continue;
      }
      for (int64_t r = 0; r < mr; ++r) {
        const T* s = P.A + (i0 + ip + r) * P.lda + p0;
        for (int64_t k = 0; k < kc; ++k) d[k * MR + r] = s[k];
      }
    } else {
      for (int64_t k = 0; k < kc; ++k) {
        const T* s = P.A + (p0 + k) * P.lda + i0 + ip;
        for (int64_t r = 0; r < mr; ++r) d[k * MR + r] = s[r];
      }
    }
    if (mr < MR)
      for (int64_t k = 0; k < kc; ++k)
        for (int64_t r = mr; r < MR; ++r) d[k * MR + r] = T(0);
  }
}

// Row k of B feeds step k of every full panel: each row is read once, left to right, and its
// NR-wide pieces go to `panels` panels kc * NR apart (walking one panel at a time instead re-reads
// every row nc/NR times, a row-stride apart). NR is a constant so each piece is a few vector moves:
// a memcpy call per piece cost more than the copy (memmove was 2.7% of a 1024^3 product and 7% of
// attention's batched products).
template <typename T, int NR>
void pack_b_rows(const T* B, int64_t ldb, int64_t kc, int64_t panels, T* dst) {
  for (int64_t k = 0; k < kc; ++k) {
    const T* s = B + k * ldb;
    T* d = dst + k * NR;
    for (int64_t p = 0; p < panels; ++p, s += NR, d += kc * NR) __builtin_memcpy(d, s, sizeof(T) * NR);
  }
}

template <typename T>
using PackBRows = void (*)(const T*, int64_t, int64_t, int64_t, T*);

template <typename T>
PackBRows<T> pack_b_rows_for(int NR) {
  switch (NR) {
    case 4: return pack_b_rows<T, 4>;
    case 8: return pack_b_rows<T, 8>;
    case 12: return pack_b_rows<T, 12>;
    case 16: return pack_b_rows<T, 16>;
    case 32: return pack_b_rows<T, 32>;
    default: return nullptr;
  }
}

// Packs op(B)[p0:p0+kc, j0:j0+nc] as panels of NR columns: panel p, step k holds NR columns.
template <typename T>
void pack_b(const Problem<T>& P, int64_t p0, int64_t kc, int64_t j0, int64_t nc, int NR, T* dst) {
  const PackBRows<T> full_rows = P.tb ? nullptr : pack_b_rows_for<T>(NR);
  const int64_t full = full_rows ? nc / NR * NR : 0;
  if (full) full_rows(P.B + p0 * P.ldb + j0, P.ldb, kc, full / NR, dst);
  for (int64_t jp = full; jp < nc; jp += NR) {
    const int64_t nr = std::min<int64_t>(NR, nc - jp);
    T* d = dst + jp * kc;
    if (!P.tb) {
      for (int64_t k = 0; k < kc; ++k) {
        const T* s = P.B + (p0 + k) * P.ldb + j0 + jp;
        T* dk = d + k * NR;
        for (int64_t c = 0; c < nr; ++c) dk[c] = s[c];
        for (int64_t c = nr; c < NR; ++c) dk[c] = T(0);
      }
    } else {
      // op(B) = B^T: the panel's NR columns are NR rows of B, packed like a panel of A.
      const PackRows<T> rows = nr == NR ? pack_rows_for<T>(NR) : nullptr;
      if (rows) {
        rows(P.B + (j0 + jp) * P.ldb + p0, P.ldb, kc, d);
        continue;
      }
      for (int64_t c = 0; c < nr; ++c) {
        const T* s = P.B + (j0 + jp + c) * P.ldb + p0;
        for (int64_t k = 0; k < kc; ++k) d[k * NR + c] = s[k];
      }
      if (nr < NR)
        for (int64_t k = 0; k < kc; ++k)
          for (int64_t c = nr; c < NR; ++c) d[k * NR + c] = T(0);
    }
  }
}

// C[0:m, 0:n] = alpha * T + beta * C for an edge tile computed into T (beta == 0: C not read).
template <typename T>
void store_edge(const T* tile, int NR, int64_t m, int64_t n, T alpha, T beta, T* C, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const T v = alpha * tile[i * NR + j];
      C[i * ldc + j] = beta == T(0) ? v : v + beta * C[i * ldc + j];
    }
}

// Cache blocks from this CPU's cache sizes (the KernelSet's fixed ones when they are unknown):
//  - KC: the B micro-panel (KC x NR), reused by every A micro-panel of an MC block, takes half
//    of L1D; the other half holds the A micro-panel streaming through and the C tile. At KC=256
//    the 12x32 AVX-512 float panel was 32 KB of a 48 KB L1D and its kernel ran at 84% in place
//    against 100% alone.
//  - MC: the packed A block (MC x KC), reused for every B micro-panel, takes a quarter of L2
//    (the B panel streams through L2 beside it).
//  - NC: the packed B panel (KC x NC) takes half of this core's share of L3.
// Zen 5 (48 KB / 1 MB / 32 MB over 2 vCPUs here): AVX2 float KC=384 MC=168, AVX-512 float
// KC=192 MC=336; Zen 3 (32 KB / 512 KB): AVX2 float KC=256 MC=126.
struct Blocks {
  int64_t KC, MC, NC;
};

template <typename T>
Blocks derive_blocks(const KernelSet<T>& ks) {
  const CacheSizes& cs = cache_sizes();
  Blocks b{ks.KC, ks.MC, ks.NC};
  auto clamp_to = [](int64_t v, int64_t step, int64_t lo, int64_t hi) {
    return std::min(hi, std::max(lo, v / step * step));
  };
  const int64_t t = static_cast<int64_t>(sizeof(T));
  if (cs.l1d > 0) b.KC = clamp_to(cs.l1d / 2 / (ks.NR * t), 32, 128, 512);
  if (cs.l2 > 0) b.MC = clamp_to(cs.l2 / 4 / (b.KC * t), ks.MR, 4 * ks.MR, 128 * ks.MR);
  if (cs.l3 > 0) {
    const int64_t cores = std::max(1u, std::thread::hardware_concurrency());
    b.NC = clamp_to(cs.l3 / cores / 2 / (b.KC * t), ks.NR, 16 * ks.NR, 8192);
  }
  return b;
}

// Deep K blocks for a C out of L2 (first written for one too big to stay in L3 between K blocks;
// blocks_for<T>(level, M, N, K) says when they are used): every K block is one more pass
// over C, and such a C comes from memory each pass, so the micro-kernel's last step stalls on its
// tile (perf: at 2048^3 float, one thread, 19% of the AVX-512 micro-kernel's samples were the
// loads and stores of C after the K loop, against 5% at 1024^3, whose 4 MB C stays in L3;
// prefetching the tile at the kernel's start, or the next tile's, won back at most a third).
// So KC grows until the tile's bytes per K step are at most 1.5 (the AVX2 tiles, 384 bytes at
// KC 384, are at 1 and measured 89-92% at 2048^3; the AVX-512 ones, 1536 bytes at KC 256, at 6),
// capped where the B micro-panel takes an eighth of L2 (it then streams from L2, not L1: two
// vectors of B per 24 FMAs are far below L2's bandwidth); MC shrinks to keep A's block in a
// quarter of L2. Measured (AVX-512, Zen 5, a C++ harness alternating the two settings in one
// process, operands in std::vectors): 2048^3 float 76% -> 83-85% of peak on one thread,
// 73% -> 80-81% on two (KC 256 -> 1024, MC 336 -> 60); at 1024^3, whose C stays in L3, the same
// blocks measured -3..+2%, so they are kept for big Cs. In `tensorfold bench gemm2048` (its
// operands from the engine's block cache) the old blocks already ran at 84-87% and the new
// ones measured the same (458-465 vs 453-470 GFLOP/s, 3 alternating runs each): how much the
// passes over C cost depends on where C's pages fall in the caches, and fewer passes cost less.
template <typename T>
Blocks deep_k_blocks(const KernelSet<T>& ks, const Blocks& b) {
  const CacheSizes& cs = cache_sizes();
  const int64_t t = static_cast<int64_t>(sizeof(T));
  int64_t kc = ks.MR * ks.NR * t * 2 / 3;
  if (cs.l2 > 0) kc = std::min<int64_t>(kc, cs.l2 / 8 / (ks.NR * t));
  kc = std::min<int64_t>(1024, kc / 32 * 32);
  if (kc <= b.KC) return b;
  Blocks d = b;
  d.KC = kc;
  if (cs.l2 > 0) d.MC = std::max<int64_t>(4 * ks.MR, cs.l2 / 4 / (kc * t) / ks.MR * ks.MR);
  return d;
}

template <typename T>
const Blocks& blocks_for(SimdLevel level) {
  static const Blocks b[4] = {derive_blocks(kernels_for<T>(SimdLevel::Scalar)),
                              derive_blocks(kernels_for<T>(SimdLevel::NEON)),
                              derive_blocks(kernels_for<T>(SimdLevel::AVX2)),
                              derive_blocks(kernels_for<T>(SimdLevel::AVX512))};
  return b[static_cast<int>(level)];
}

// The blocks for a product: deep K blocks when C is out of this core's L2 and K is deep enough
// for them to save passes over it (see deep_k_blocks). A C in L3 pays for each pass too: the
// micro-kernel's tile loads and stores after its K loop were 7% of its samples at 1024^3
// float64 (8 MB C, one thread, KC 256: 4 passes), and one pass of KC 1024 measured (C++
// harness, AVX-512, Zen 5, alternating in minutes; best of ~40 runs): 1024^3 float64 84 -> 90%
// of peak on one thread, 81 -> 88% on two; 512^3 float64 88 -> 90-91% (one and two threads);
// 1024^3 float 88 -> 90-92%; 512^3 float (its 1 MB C fits L2: not deep) the same either way.
// With K within one normal block, deep blocks would only shrink MC, so they are not used.
//
// The deep K block is then halved while the packed B panels of all threads (`copies` of KC x
// min(N, NC): threads splitting C's rows each pack all of B's columns) take half of L3 or more,
// as long as K still spans more than one block: such panels do not stay in L3 between the row
// blocks that reuse them (beside C streaming through, and other processes), and each row block
// then streams them from memory; one more pass over a C that already takes several costs less.
// Measured (gemm_harness, AVX-512, Zen 5, 2 threads unless said, alternating, median of runs):
// 2048^3 float KC 1024 -> 512: 81.3/84.1/84.0/81.9/85.7 -> 86.2/86.3/86.0/84.7/86.1% of peak;
// 2048^3 float64 KC 1024 -> 512 -> 256: 60.9/60.6 -> 74.0/74.5 -> 79.2/78.7%; 3000^3 float
// (KC 1024 -> 512) 75.6/75.3 -> 81.8/83.3%, 4096^3 float (-> 256) 73.4/70.7 -> 78.1/79.0%. In a
// quiet spell 2048^3 float measured the same either way (88.5/87.3/88.5 against 88.1/87.6/87.6%):
// the gain is in robustness to L3 taken by others. Not halved, as the
// rule says: 1024^3 float64 (one K block; KC 512 measured 83.4/83.5 against 85.6/86.7%),
// 1536^3 float (12 MB of B: 85.9/88.1 against 88.0/88.3%), 2048^3 float on one thread (8 MB:
// 88.1/86.7 against 90.1/91.3%).
template <typename T>
Blocks blocks_for(SimdLevel level, int64_t M, int64_t N, int64_t K, int copies) {
  static const Blocks d[4] = {
      deep_k_blocks(kernels_for<T>(SimdLevel::Scalar), blocks_for<T>(SimdLevel::Scalar)),
      deep_k_blocks(kernels_for<T>(SimdLevel::NEON), blocks_for<T>(SimdLevel::NEON)),
      deep_k_blocks(kernels_for<T>(SimdLevel::AVX2), blocks_for<T>(SimdLevel::AVX2)),
      deep_k_blocks(kernels_for<T>(SimdLevel::AVX512), blocks_for<T>(SimdLevel::AVX512))};
  const CacheSizes& cs = cache_sizes();
  const Blocks& b = blocks_for<T>(level);
  const int64_t c_bytes = M * N * static_cast<int64_t>(sizeof(T));
  const bool big_c = cs.l2 > 0 ? c_bytes > cs.l2 : cs.l3 > 0 && c_bytes > cs.l3 / 4;
  if (!big_c || K <= b.KC + b.KC / 3) return b;
  Blocks r = d[static_cast<int>(level)];
  const int64_t t = static_cast<int64_t>(sizeof(T)), cols = std::min(N, r.NC);
  while (cs.l3 > 0 && r.KC / 2 >= b.KC && K > r.KC + r.KC / 3 &&
         copies * r.KC * cols * t * 2 >= cs.l3)
    r.KC /= 2;
  return r;
}

// Up to this many B micro-panels in a thread's block, A is read in place instead of packed.
// Measured (AVX-512 float, one thread, CPU time, 64 items each): [256x256]x[256x64] 121 -> 167
// GFLOP/s, [256x64]x[64x256] 183 -> 211; square 512..1024 unchanged within noise whether A is
// packed or not (a 12-row stream fits Zen 5's 12-way L1D), so the limit is set where packing
// still has 9+ reuses of each panel, for cores with smaller, less associative L1Ds.
constexpr int64_t kDirectMaxPanels = 8;

// For K in this range, a product whose A is read in place (above) reads B in place too, when
// op(B) is B and C's columns are whole panels. Packing such a B is a copy of an operand that is
// usually out of cache (attention's products: 64 KB per item), for a C only a few panels wide: it
// was 10% of the micro-kernel's time in `bench bmm_attn`. Measured (gemm_harness, AVX-512 float,
// 64 items, 2 threads, alternating): [256x256]x[256x64] 74-76 -> 76-78% of peak (median); but
// [256x64]x[64x256] 77-79 -> 75%: with K that shallow each kernel call is short and starts on B
// rows that, in place (a row stride apart), are no longer in L1, while its packed panel is.
constexpr int64_t kInPlaceBMinK = 128, kInPlaceBMaxK = 256;

// The inner two loops: C[ic:ic+mc, jc:jc+nc] = alpha * A-block * B-block + beta * C over kc steps,
// B packed in Bp (NR-wide panels, kc * NR apart); A's first `direct` rows read in place at K
// offset pc, the rest packed in Ap (MR-tall panels, MR * kc apart). A panel of fewer than MR rows
// runs the kernel of its height where the set has one (ks.rows); otherwise, and for tiles
// narrower than NR, the tile is computed into a buffer and copied out.
// With rsb > 0, B is read in place instead (Bp: op(B) at row pc, column jc; rows rsb apart),
// every row of A too, and every tile is a full NR wide (see kInPlaceBMaxK).
template <typename T>
void macro_kernel(const Problem<T>& P, const KernelSet<T>& ks, const T* Ap, const T* Bp, int64_t ic,
                  int64_t mc, int64_t direct, int64_t jc, int64_t nc, int64_t pc, int64_t kc,
                  T beta, int64_t rsb = 0) {
  const int MR = ks.MR, NR = ks.NR;
  if (rsb > 0) {
    for (int64_t jr = 0; jr < nc; jr += NR)
      for (int64_t ir = 0; ir < mc; ir += MR) {
        const int64_t i = ic + ir, mr = std::min<int64_t>(MR, mc - ir);
        const T* a = P.ta ? P.A + pc * P.lda + i : P.A + i * P.lda + pc;
        ks.rows_b[mr](kc, a, P.ta ? 1 : P.lda, P.ta ? P.lda : 1, Bp + jr, rsb,
                      P.C + i * P.ldc + jc + jr, P.ldc, P.alpha, beta);
      }
    return;
  }
  alignas(64) T tile[16 * 64];
  for (int64_t jr = 0; jr < nc; jr += NR) {
    const int64_t nr = std::min<int64_t>(NR, nc - jr);
    const T* b = Bp + jr * kc;
    for (int64_t ir = 0; ir < mc; ir += MR) {
      const int64_t mr = std::min<int64_t>(MR, mc - ir);
      T* c = P.C + (ic + ir) * P.ldc + jc + jr;
      const bool buffered = nr < NR || (mr < MR && !ks.rows);
      T* dst = buffered ? tile : c;
      const int64_t ldd = buffered ? NR : P.ldc;
      const T alpha = buffered ? T(1) : P.alpha, bt = buffered ? T(0) : beta;
      const T* a;  // element (i, k) of the panel at a[i * rs + k * cs]
      int64_t rs = 1, cs = MR;
      if (ir < direct) {
        const int64_t i = ic + ir;
        a = P.ta ? P.A + pc * P.lda + i : P.A + i * P.lda + pc;
        rs = P.ta ? 1 : P.lda;
        cs = P.ta ? P.lda : 1;
      } else {
        a = Ap + (ir - direct) * kc;
      }
      if (mr < MR && ks.rows) ks.rows[mr](kc, a, rs, cs, b, dst, ldd, alpha, bt);
      else if (ir < direct) ks.strided(kc, a, rs, cs, b, dst, ldd, alpha, bt);
      else ks.kernel(kc, a, b, dst, ldd, alpha, bt);
      if (buffered) store_edge(tile, NR, mr, nr, P.alpha, beta, c, P.ldc);
    }
  }
}

// The K step of the blocks: KC, stretched by up to a third, or shrunk, so K splits into equal
// blocks with no short last one. A short block costs a whole pass over C and the micro-kernel's
// start and end for few FMAs: attention's [256x256]x[256x64] ran as 192 + 64 steps at KC = 192
// (67% of peak on one thread, best of 3) and as one block of 256 reaches 72%; square 256^3 went
// from 92% to 99% (one block). The AVX-512 micro-kernel runs at 96-99% for KC 192..384 with A
// streaming from L2 and C out of cache, so the stretch costs nothing in the kernel.
inline int64_t k_block(int64_t K, int64_t KC) {
  const int64_t stretched = KC + KC / 3;
  const int64_t blocks = (K + stretched - 1) / stretched;
  return std::min(K, ((K + blocks - 1) / blocks + 3) / 4 * 4);
}

// Row blocks for `rows` rows: at most MC rows each, whole MR panels spread evenly over as few
// blocks as MC allows, the last (short) panel inside the last block. Each row block streams the
// whole B panel (KC x NC) from L3 whatever its height, so no block may be much shorter than the
// others: a thread's 512 rows of a 1024^2 float64 product ran as 168 + 168 + 168 + 8 at MC = 168,
// the last block paying a full B pass for 8 rows' work; rounding each block up to whole panels
// still left a thread's 1024 rows of a 2048^2 float product (AVX-512, deep blocks, MC 60) as
// 17 x 60 + 4, the 4-row block streaming the 8 MB B panel; now 4 or 5 panels a block.
struct RowBlocks {
  int64_t rows, panels, count;
  int MR;
  RowBlocks(int64_t rows_, int64_t MC, int MR_)
      : rows(rows_), panels((rows_ + MR_ - 1) / MR_),
        count(std::max<int64_t>(1, (panels + MC / MR_ - 1) / std::max<int64_t>(1, MC / MR_))),
        MR(MR_) {}
  int64_t start(int64_t b) const { return std::min(rows, panels * b / count * MR); }
  int64_t max_rows() const { return std::min(rows, (panels + count - 1) / count * MR); }
};

// Computes the block C[m0:m1, n0:n1] of the product on the calling thread.
template <typename T>
void gemm_block(const Problem<T>& P, const KernelSet<T>& ks, const Blocks& bl, int64_t m0,
                int64_t m1, int64_t n0, int64_t n1) {
  const int MR = ks.MR, NR = ks.NR;
  const int64_t KC = k_block(P.K, bl.KC), NC = bl.NC;
  const RowBlocks rb(m1 - m0, bl.MC, MR);
  static thread_local Scratch sa, sb;
  const int64_t kc_max = std::min<int64_t>(KC, P.K);
  const int64_t mc_max = (rb.max_rows() + MR - 1) / MR * MR;
  const int64_t nc_max = std::min<int64_t>(NC, (n1 - n0 + NR - 1) / NR * NR);
  T* Ap = static_cast<T*>(sa.get(sizeof(T) * mc_max * kc_max));
  T* Bp = static_cast<T*>(sb.get(sizeof(T) * nc_max * kc_max));
  // A is packed so the micro-kernel's loads are contiguous and its panel stays in L2 for every
  // B micro-panel of the block; with few of those (thin C, e.g. attention's [256x256]x[256x64])
  // packing costs more than it saves, so the kernel reads A where it lies (kDirectMaxPanels).
  const bool direct = ks.strided && (n1 - n0) <= kDirectMaxPanels * NR;
  // B read in place as well: whole panels of a non-transposed B, K in a range (see kInPlaceBMaxK).
  const bool in_place_b = direct && ks.rows && ks.rows_b && !P.tb && (n1 - n0) % NR == 0 &&
                          P.K >= kInPlaceBMinK && P.K <= kInPlaceBMaxK;

  for (int64_t jc = n0; jc < n1; jc += NC) {
    const int64_t nc = std::min(NC, n1 - jc);
    for (int64_t pc = 0; pc < P.K; pc += KC) {
      const int64_t kc = std::min(KC, P.K - pc);
      const T beta = pc == 0 ? P.beta : T(1);  // later K blocks accumulate onto the first
      if (in_place_b) {
        for (int64_t b = 0; b < rb.count; ++b)
          macro_kernel(P, ks, Ap, P.B + pc * P.ldb + jc, m0 + rb.start(b),
                       rb.start(b + 1) - rb.start(b), 0, jc, nc, pc, kc, beta, P.ldb);
        continue;
      }
      pack_b(P, pc, kc, jc, nc, NR, Bp);
      for (int64_t b = 0; b < rb.count; ++b) {
        const int64_t ic = m0 + rb.start(b), mc = rb.start(b + 1) - rb.start(b);
        // direct: rows read in place (the last, short panel too when it has its kernel)
        const int64_t full = !direct ? 0 : ks.rows ? mc : mc / MR * MR;
        pack_a(P, ic + full, mc - full, pc, kc, MR, Ap);
        macro_kernel(P, ks, Ap, Bp, ic, mc, full, jc, nc, pc, kc, beta);
      }
    }
  }
}

// Threads splitting C's rows all read the same packed B, so when each packed its own copy the
// B packing was done once per thread (4% of a 1024^3 float product on 2 threads), and the copies
// took twice the L3. Here B is packed once into a shared window of `slots` K blocks. A group of
// panels is packed on demand by the first thread to need it while another that needs it waits (a
// packer never waits on anything, so this cannot deadlock, and one thread running every part
// serially packs everything itself); the threads start at different groups so they pack
// different ones. K block j lives in slot j % slots. A slot's group is packed over only once every
// part has finished the K block it holds (`done_`), so nothing is overwritten while a part may
// still read it; a thread that finds its group's slot still needed by a part that is behind (or
// has not started: parallel_for may run the parts one after another) packs that group into its
// own buffer instead of waiting. With two slots the threads can be a whole K block apart.
//
// Measured (gemm_harness, Zen 5, 2 threads, alternating, median % of peak; private copies ->
// shared window): AVX-512 2048^3 float 84.7/83.8 -> 88.1/86.6 (the private copies halve KC to
// 512, the shared window keeps 1024), 3000^3 float 81.0 -> 87.1, [4096x4096]x[4096x1024] float
// 42.0 -> 87.6, 2048^3 float64 78.9/79.0 -> 83.8/82.4, 4096^3 float64 51.2 -> 73.5; 1024^3
// float64 (8 MB of B, shared before too), [8192x1024]x[1024x256] the same. AVX2: 2048^3 and
// 4096^3 float the same (90 and 88-89), 1536^3 float64 85.8 -> 89.1, 2048^3 float64 81.5 -> 89.3.
template <typename T>
class SharedB {
 public:
  static constexpr int kGroupPanels = 8;  // panels packed per claim: 1 KB pieces of B's rows

  // `slots` K blocks of KC x (N rounded up to panels) in buf; `parts` threads read them.
  SharedB(const Problem<T>& P, int NR, int64_t KC, int64_t slots, int parts, T* buf)
      : P_(P), NR_(NR), KC_(KC), ncp_((P.N + NR - 1) / NR * NR), slots_(slots), parts_(parts),
        buf_(buf), groups_((ncp_ / NR + kGroupPanels - 1) / kGroupPanels),
        state_(new std::atomic<int64_t>[static_cast<size_t>(slots * groups_)]),
        done_(new std::atomic<int>[static_cast<size_t>((P.K + KC - 1) / KC)]) {
    for (int64_t i = 0; i < slots * groups_; ++i) state_[i].store(0, std::memory_order_relaxed);
    for (int64_t i = 0; i < (P.K + KC - 1) / KC; ++i) done_[i].store(0, std::memory_order_relaxed);
  }
  // The K blocks (of KC) a window of at most `max_bytes` holds at once, 0 if not even two (or
  // all of K when that is fewer) fit.
  static int64_t slots_for(const Problem<T>& P, int NR, int64_t KC, int64_t max_bytes) {
    const int64_t blocks = (P.K + KC - 1) / KC, want = std::min<int64_t>(blocks, 2);
    const int64_t slot_bytes = KC * ((P.N + NR - 1) / NR * NR) * static_cast<int64_t>(sizeof(T));
    return want * slot_bytes <= max_bytes ? want : 0;
  }
  static constexpr int64_t group_floats(int NR, int64_t KC) { return kGroupPanels * NR * KC; }

  int64_t groups() const { return groups_; }
  int64_t group_col(int64_t g) const { return g * kGroupPanels * NR_; }
  int64_t group_cols(int64_t g) const {
    return std::min<int64_t>(P_.N - group_col(g), int64_t(kGroupPanels) * NR_);
  }
  // The packed panels of group g for the K block at pc: from the window, packing them there first
  // if nobody has, or packed into `own` (group_floats of them) while the slot is still needed.
  const T* get(int64_t pc, int64_t kc, int64_t g, T* own) {
    const int64_t kb = pc / KC_, slot = kb % slots_;
    std::atomic<int64_t>& st = state_[slot * groups_ + g];
    T* dst = buf_ + slot * KC_ * ncp_ + group_col(g) * kc;
    const int64_t packing = tag(kb, 1), ready = tag(kb, 2);
    for (int i = 0;; ++i) {
      int64_t s = st.load(std::memory_order_acquire);
      if (s == ready) return dst;
      if (s == packing) {  // another thread is packing it, which takes no longer than a pack
        relax(i);
        continue;
      }
      const int64_t held = (s >> 2) - 1;  // the older K block the slot holds, -1 for none
      if (held >= kb || (held >= 0 && done_[held].load(std::memory_order_acquire) < parts_)) {
        pack_b(P_, pc, kc, group_col(g), group_cols(g), NR_, own);
        return own;
      }
      if (st.compare_exchange_strong(s, packing, std::memory_order_acq_rel)) {
        pack_b(P_, pc, kc, group_col(g), group_cols(g), NR_, dst);
        st.store(ready, std::memory_order_release);
        return dst;
      }
    }
  }
  // The calling part has finished reading the K block at pc.
  void finished(int64_t pc) { done_[pc / KC_].fetch_add(1, std::memory_order_acq_rel); }

 private:
  static int64_t tag(int64_t kb, int phase) { return (kb + 1) << 2 | phase; }
  static void relax(int i) {
#if defined(__x86_64__) || defined(_M_X64)
    if (i < 4096) {
      _mm_pause();
      return;
    }
#endif
    std::this_thread::yield();
  }

  const Problem<T>& P_;
  const int NR_;
  const int64_t KC_, ncp_, slots_;
  const int parts_;
  T* const buf_;
  const int64_t groups_;
  std::unique_ptr<std::atomic<int64_t>[]> state_;  // per slot and group: tag(K block, 1 or 2)
  std::unique_ptr<std::atomic<int>[]> done_;       // per K block: parts finished with it
};

// Most bytes of the shared window (two K blocks of packed B; see SharedB): three quarters of L3,
// where it stays while the threads stream it (16 MB when L3 is unknown). Wider B takes the split
// with private copies, each KC x NC. The buffer is kept by the calling thread for the next
// product, like every packing buffer here.
inline int64_t shared_b_max_bytes() {
  const CacheSizes& cs = cache_sizes();
  return cs.l3 > 0 ? cs.l3 / 4 * 3 : int64_t(16) << 20;
}

// The rows split as partition() splits them, over one shared packed B (see SharedB).
template <typename T>
void gemm_rows_shared_b(const Problem<T>& P, const KernelSet<T>& ks, const Blocks& bl, int parts,
                        int64_t unit, int64_t slots) {
  const int MR = ks.MR, NR = ks.NR;
  const int64_t KC = k_block(P.K, bl.KC), MC = bl.MC;
  static thread_local Scratch sb;
  T* Bbuf = static_cast<T*>(sb.get(sizeof(T) * slots * KC * ((P.N + NR - 1) / NR * NR)));
  SharedB<T> shared(P, NR, KC, slots, parts, Bbuf);
  const int64_t units = (P.M + unit - 1) / unit;
  parallel_for(0, parts, 1, [&](int64_t lo, int64_t hi) {
    static thread_local Scratch sa, so;
    T* Ap = static_cast<T*>(sa.get(sizeof(T) * MC * std::min(KC, P.K)));
    T* own = static_cast<T*>(so.get(sizeof(T) * SharedB<T>::group_floats(NR, std::min(KC, P.K))));
    const int64_t groups = shared.groups();
    for (int64_t t = lo; t < hi; ++t) {
      const int64_t m0 = std::min(P.M, units * t / parts * unit);
      const int64_t m1 = std::min(P.M, units * (t + 1) / parts * unit);
      const int64_t first = groups * t / parts;  // where this part starts packing
      const RowBlocks rb(m1 - m0, MC, MR);
      for (int64_t pc = 0; pc < P.K; pc += KC) {
        const int64_t kc = std::min(KC, P.K - pc);
        const T beta = pc == 0 ? P.beta : T(1);
        for (int64_t b = 0; b < rb.count; ++b) {
          const int64_t ic = m0 + rb.start(b), mc = rb.start(b + 1) - rb.start(b);
          pack_a(P, ic, mc, pc, kc, MR, Ap);
          for (int64_t gi = 0; gi < groups; ++gi) {
            const int64_t g = (first + gi) % groups;
            macro_kernel(P, ks, Ap, shared.get(pc, kc, g, own), ic, mc, 0, shared.group_col(g),
                         shared.group_cols(g), pc, kc, beta);
          }
        }
        shared.finished(pc);
      }
    }
  });
}

template <typename T>
void scale_c(T* C, int64_t ldc, int64_t M, int64_t N, T beta) {
  for (int64_t i = 0; i < M; ++i) {
    T* c = C + i * ldc;
    if (beta == T(0)) std::fill(c, c + N, T(0));
    else if (beta != T(1))
      for (int64_t j = 0; j < N; ++j) c[j] *= beta;
  }
}

// Below this many multiply-adds one thread is faster than waking the pool (measured with
// kernel_bench: a 64^3 product takes ~3 us on one core, about the cost of a dispatch).
constexpr int64_t kParallelMinMacs = 64 * 64 * 64;

// Runs block(m0, m1, n0, n1) over `parts` contiguous ranges of C's rows or columns on the pool.
// The larger dimension is split, so the operand every part packs for itself is the smaller one;
// ranges are multiples of `unit` rows/columns except the last, so no part gets a ragged tile.
template <typename Block>
void partition(int64_t M, int64_t N, int parts, int64_t unit_m, int64_t unit_n, const Block& block) {
  const bool split_n = N > M;
  const int64_t unit = split_n ? unit_n : unit_m;
  const int64_t extent = split_n ? N : M;
  const int64_t units = (extent + unit - 1) / unit;
  parts = static_cast<int>(std::min<int64_t>(parts, units));
  if (parts <= 1) {
    block(0, M, 0, N);
    return;
  }
  parallel_for(0, parts, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi; ++t) {
      const int64_t a = std::min(extent, units * t / parts * unit);
      const int64_t b = std::min(extent, units * (t + 1) / parts * unit);
      if (a >= b) continue;
      if (split_n) block(0, M, a, b);
      else block(a, b, 0, N);
    }
  });
}

// The product restricted to C[m0:m1, n0:n1]: the same problem with shifted operands.
template <typename T>
Problem<T> sub_problem(const Problem<T>& P, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  Problem<T> S = P;
  S.M = m1 - m0;
  S.N = n1 - n0;
  S.A = P.ta ? P.A + m0 : P.A + m0 * P.lda;
  S.B = P.tb ? P.B + n0 * P.ldb : P.B + n0;
  S.C = P.C + m0 * P.ldc + n0;
  return S;
}

template <typename T>
bool trivial(const Problem<T>& P) {
  if (P.M <= 0 || P.N <= 0) return true;
  if (P.K <= 0 || P.alpha == T(0)) {
    scale_c(P.C, P.ldc, P.M, P.N, P.beta);
    return true;
  }
  return false;
}

template <typename T>
void own_gemm_serial(const Problem<T>& P) {
  if (trivial(P)) return;
  // Each thread runs items like this one at the same time, each packing its own B.
  gemm_block(P, kernels_for<T>(simd_level()),
             blocks_for<T>(simd_level(), P.M, P.N, P.K, num_threads()), 0, P.M,
             0, P.N);
}

template <typename T>
void own_gemm(const Problem<T>& P) {
  if (trivial(P)) return;
  const KernelSet<T>& ks = kernels_for<T>(simd_level());
  const int parts = P.M * P.N * P.K < kParallelMinMacs ? 1 : num_threads();
  // Rows split over one shared packed B when the threads would otherwise each pack all of it
  // and its window fits (the blocks are those of one copy of B).
  const Blocks one = blocks_for<T>(simd_level(), P.M, P.N, P.K, 1);
  const int64_t slots =
      parts > 1 && P.M >= P.N && P.N > kDirectMaxPanels * ks.NR && P.M >= parts * 4 * ks.MR
          ? SharedB<T>::slots_for(P, ks.NR, k_block(P.K, one.KC), shared_b_max_bytes())
          : 0;
  // Threads splitting the rows each pack all of B (but the shared one); split columns, a part each.
  const int copies = parts > 1 && P.M >= P.N && !slots ? parts : 1;
  const Blocks bl = copies == 1 ? one : blocks_for<T>(simd_level(), P.M, P.N, P.K, copies);
  // Row ranges: with kernels for short panels the threads' ranges need not be whole panels, so
  // 1024 rows split 512 + 512 (42 panels and one of 8 rows each) rather than 516 + 508 (43
  // panels against 42 and one of 4 rows computed at full height: the same time for less work).
  // Four rows still fill the FMA pipes (8 accumulators at AVX-512, 4 x 2 at AVX2).
  const int64_t unit_m = ks.rows ? std::min(4, ks.MR) : ks.MR;
  if (slots) return gemm_rows_shared_b(P, ks, bl, parts, unit_m, slots);
  partition(P.M, P.N, parts, unit_m, ks.NR, [&](int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
    gemm_block(P, ks, bl, m0, m1, n0, n1);
  });
}

#ifdef TF_HAVE_BLAS
// Leading dimensions of a one-row operand are never used, but OpenBLAS rejects (with a message on
// stderr and no result) any that is below the row length, so give it a valid one.
int64_t blas_ld(int64_t ld, int64_t rows, int64_t cols) {
  return rows <= 1 ? std::max<int64_t>({ld, cols, 1}) : ld;
}

void cblas_call(const Problem<float>& P) {
  cblas_sgemm(CblasRowMajor, P.ta ? CblasTrans : CblasNoTrans, P.tb ? CblasTrans : CblasNoTrans,
              (int)P.M, (int)P.N, (int)P.K, P.alpha, P.A,
              (int)(P.ta ? blas_ld(P.lda, P.K, P.M) : blas_ld(P.lda, P.M, P.K)), P.B,
              (int)(P.tb ? blas_ld(P.ldb, P.N, P.K) : blas_ld(P.ldb, P.K, P.N)), P.beta, P.C,
              (int)blas_ld(P.ldc, P.M, P.N));
}
void cblas_call(const Problem<double>& P) {
  cblas_dgemm(CblasRowMajor, P.ta ? CblasTrans : CblasNoTrans, P.tb ? CblasTrans : CblasNoTrans,
              (int)P.M, (int)P.N, (int)P.K, P.alpha, P.A,
              (int)(P.ta ? blas_ld(P.lda, P.K, P.M) : blas_ld(P.lda, P.M, P.K)), P.B,
              (int)(P.tb ? blas_ld(P.ldb, P.N, P.K) : blas_ld(P.ldb, P.K, P.N)), P.beta, P.C,
              (int)blas_ld(P.ldc, P.M, P.N));
}

// OpenBLAS and our pool each want every core; run together they oversubscribe the machine and
// OpenBLAS's workers keep spinning after a call, stealing the core our next kernel needs. So
// OpenBLAS is made single-threaded once, and a threaded BLAS product is split by our pool into
// one single-threaded OpenBLAS call per part (TENSORFOLD_BLAS_THREADS=openblas restores
// OpenBLAS's own threading, sized like our pool, for comparison).
bool blas_own_threads() {
  static const bool own = [] {
    const char* e = std::getenv("TENSORFOLD_BLAS_THREADS");
    return e && !std::strcmp(e, "openblas");
  }();
  return own;
}

void prepare_blas_threads() {
  static std::atomic<int> last{0};
  const int n = blas_own_threads() ? num_threads() : 1;
  if (last.exchange(n, std::memory_order_relaxed) != n) openblas_set_num_threads(n);
}

// Which of the two kernels serves a product on this machine. Measured with
// scripts/kernel_bench.cpp on an AMD EPYC (Zen 5, 2 cores; thread CPU time, single thread):
//  - Debian's OpenBLAS 0.3.21 runs its "Haswell" (AVX2) kernels on Zen 4/5: 125 GFLOP/s for
//    float32 1024^3 against 210 for the own AVX-512 kernel (float64: 61 vs 99). So at the
//    AVX-512 level the own kernel serves everything unless OpenBLAS reports an AVX-512 core.
//  - At the AVX2 level the two kernels are the same design (6x16 float tile, 2 FMA pipes). Single
//    threaded over kernel_bench's shapes OpenBLAS took 0.82-1.01x the own kernel's time (float64
//    0.87-1.07x), but whole training steps on 2 threads favour the own kernel since its shared
//    packed B and short row panels (TENSORFOLD_SIMD=avx2, OPENBLAS_CORETYPE=Haswell, same run):
//    lstm_step 14.1 vs 22.7 ms, transformer_step 28.8 vs 43.4, cnn_step 28.5 vs 30.7, mlp_step
//    and gemm512 equal. So the own kernel serves AVX2 too.
//  - Below AVX2 (TENSORFOLD_SIMD=scalar, or a CPU without FMA) OpenBLAS always: its kernels
//    are chosen for the CPU, ours are the portable C++ loop.
extern "C" char* openblas_get_corename(void);

bool blas_has_avx512_core() {
  static const bool yes = [] {
    const char* c = openblas_get_corename();
    if (!c) return false;
    for (const char* k : {"skylakex", "cooperlake", "sapphirerapids"})
      if (!strcasecmp(c, k)) return true;
    return false;
  }();
  return yes;
}

bool route_to_blas() {
  // TENSORFOLD_GEMM=own|blas forces one kernel (tests and measurements).
  static const int forced = [] {
    const char* e = std::getenv("TENSORFOLD_GEMM");
    return !e ? 0 : !std::strcmp(e, "own") ? 1 : !std::strcmp(e, "blas") ? 2 : 0;
  }();
  if (forced) return forced == 2;
  if (simd_level() == SimdLevel::AVX512) return blas_has_avx512_core();
  return simd_level() < SimdLevel::AVX2;
}

template <typename T>
void blas_gemm(const Problem<T>& P) {
  if (trivial(P)) return;
  prepare_blas_threads();
  if (blas_own_threads() || P.M * P.N * P.K < kParallelMinMacs) {
    cblas_call(P);
    return;
  }
  // Split like the own kernel (OpenBLAS's Haswell tile is 8 or 16 rows by 4 or 8 columns).
  partition(P.M, P.N, num_threads(), 16, 8, [&](int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
    cblas_call(sub_problem(P, m0, m1, n0, n1));
  });
}
#endif

template <typename T>
void gemm_routed(const Problem<T>& P) {
#ifdef TF_HAVE_BLAS
  if (route_to_blas()) return blas_gemm(P);
#endif
  own_gemm(P);
}

// Batched products: with at least as many items as threads (or items too small to split), each
// thread takes whole items and computes them alone, packing each item's operands once; otherwise
// the items run one after another, each threaded.
template <typename T>
void gemm_batched(const Problem<T>& P0, int64_t batch, int64_t sA, int64_t sB, int64_t sC) {
  if (batch <= 0) return;
  auto item = [&](int64_t i) {
    Problem<T> P = P0;
    P.A += i * sA;
    P.B += i * sB;
    P.C += i * sC;
    return P;
  };
  const int threads = num_threads();
  const int64_t macs = P0.M * P0.N * P0.K;
  if (batch == 1 || (batch < threads && macs >= kParallelMinMacs)) {
    for (int64_t i = 0; i < batch; ++i) gemm_routed(item(i));
    return;
  }
#ifdef TF_HAVE_BLAS
  const bool blas = route_to_blas();
  if (blas) prepare_blas_threads();
#endif
  // Grain: enough items per run to be worth a dispatch. Each thread takes a contiguous run of
  // items and, when its run is done, helps finish the others' runs from their next unclaimed
  // item. A run per thread keeps each thread's items together (claiming every item from one
  // shared counter measured 2.5% slower on attention's products, 2 threads, quiet); the helping
  // is for a thread slowed by another process (in `tensorfold bench bmm_attn`, V8's helper threads
  // run beside the two compute threads: 70-71% of peak with fixed runs, 73% with helping).
  const int64_t grain = std::max<int64_t>(1, kParallelMinMacs / std::max<int64_t>(1, macs));
  const int64_t runs = std::min<int64_t>(threads, (batch + grain - 1) / grain);
  struct alignas(64) Run {  // one cache line each: the owner claims without sharing a line
    std::atomic<int64_t> next{0};
    int64_t end = 0;
  };
  std::unique_ptr<Run[]> run(new Run[static_cast<size_t>(std::max<int64_t>(1, runs))]);
  for (int64_t r = 0; r < runs; ++r) {
    run[r].next.store(batch * r / runs, std::memory_order_relaxed);
    run[r].end = batch * (r + 1) / runs;
  }
  auto compute = [&](int64_t i) {
#ifdef TF_HAVE_BLAS
    if (blas) {
      if (!trivial(item(i))) cblas_call(item(i));
      return;
    }
#endif
    own_gemm_serial(item(i));
  };
  // parallel_for may run several runs (or all of them) on one thread; each is still finished.
  parallel_for(0, runs, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r)
      for (int64_t k = 0; k < runs; ++k) {
        Run& x = run[(r + k) % runs];
        for (int64_t i; (i = x.next.fetch_add(1, std::memory_order_relaxed)) < x.end;) compute(i);
      }
  });
}

}  // namespace

void own_sgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha,
               const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
               int64_t ldc) {
  own_gemm(Problem<float>{transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc});
}

void own_dgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, double alpha,
               const double* A, int64_t lda, const double* B, int64_t ldb, double beta, double* C,
               int64_t ldc) {
  own_gemm(Problem<double>{transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc});
}

void sgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
           int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  gemm_routed(Problem<float>{transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc});
}

void dgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, double alpha,
           const double* A, int64_t lda, const double* B, int64_t ldb, double beta, double* C,
           int64_t ldc) {
  gemm_routed(Problem<double>{transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc});
}

void sgemm_batched(bool transA, bool transB, int64_t batch, int64_t M, int64_t N, int64_t K,
                   float alpha, const float* A, int64_t lda, int64_t strideA, const float* B,
                   int64_t ldb, int64_t strideB, float beta, float* C, int64_t ldc,
                   int64_t strideC) {
  gemm_batched(Problem<float>{transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc}, batch,
               strideA, strideB, strideC);
}

void dgemm_batched(bool transA, bool transB, int64_t batch, int64_t M, int64_t N, int64_t K,
                   double alpha, const double* A, int64_t lda, int64_t strideA, const double* B,
                   int64_t ldb, int64_t strideB, double beta, double* C, int64_t ldc,
                   int64_t strideC) {
  gemm_batched(Problem<double>{transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc},
               batch, strideA, strideB, strideC);
}

GemmBlocking gemm_blocking(bool f64) {
  auto of = [](const auto& ks, const Blocks& b, const Blocks& d) {
    return GemmBlocking{ks.MR, ks.NR, b.KC, b.MC, b.NC, d.KC, d.MC};
  };
  const SimdLevel lv = simd_level();
  // A product big and deep enough to take the deep blocks wherever the caches are.
  const int64_t big = int64_t(1) << 20;
  if (f64) return of(kernels_for<double>(lv), blocks_for<double>(lv), blocks_for<double>(lv, big, big, big, 0));
  return of(kernels_for<float>(lv), blocks_for<float>(lv), blocks_for<float>(lv, big, big, big, 0));
}

const char* gemm_backend() {
#ifdef TF_HAVE_BLAS
  return "openblas";
#else
  return "own";
#endif
}

}  // namespace tf
