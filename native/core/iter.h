// Strided iteration over N operands that share a (broadcast) shape.
//
// for_each_run calls fn(ptrs, n, inner_strides) for every innermost run of elements, after
// coalescing dims that are contiguous in all operands, so contiguous tensors become one long run
// and kernels see flat arrays. Strides are in elements; ptrs are byte pointers. Runs are split
// across the thread pool when the tensor is large.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "parallel.h"
#include "tensor.h"

namespace tf {

// Elements below which one thread is faster than the pool (measured on the 2-core machine).
constexpr int64_t kParallelElems = 32768;

// Dims kept inline in a plan; coalescing leaves most real tensors with 1-3, so only unusual
// layouts (many non-mergeable dims) spill to the heap.
constexpr int kPlanInlineDims = 8;

template <int N>
struct IterPlan {
  int64_t nd = 0;     // coalesced rank (>= 1 once built)
  int64_t cap = kPlanInlineDims;
  int64_t inl[(N + 1) * kPlanInlineDims];
  std::vector<int64_t> heap;  // used instead of inl when nd > kPlanInlineDims
  std::array<char*, N> base;
  std::array<int64_t, N> esize;

  // Row 0 is the shape, row k+1 the strides of operand k (elements, 0 for broadcast dims).
  int64_t* row(int r) { return (heap.empty() ? inl : heap.data()) + r * cap; }
  const int64_t* row(int r) const { return (heap.empty() ? inl : heap.data()) + r * cap; }
  int64_t shape(int64_t d) const { return row(0)[d]; }
  int64_t stride(int k, int64_t d) const { return row(k + 1)[d]; }
};

// strides[k] points at nd entries (0 for broadcast dims).
template <int N>
IterPlan<N> make_plan_raw(int64_t nd, const int64_t* shape, const std::array<const int64_t*, N>& strides,
                          const std::array<char*, N>& base, const std::array<int64_t, N>& esize) {
  IterPlan<N> p;
  p.base = base;
  p.esize = esize;
  if (nd > kPlanInlineDims) {
    p.cap = nd;
    p.heap.assign(size_t((N + 1) * nd), 0);
  }
  int64_t* sh = p.row(0);
  int64_t m = 0;
  // Drop size-1 dims and merge a dim into the previous one when contiguous for every operand.
  for (int64_t d = 0; d < nd; d++) {
    if (shape[d] == 1) continue;
    if (m > 0) {
      bool can = true;
      for (int k = 0; k < N; k++)
        if (p.row(k + 1)[m - 1] != strides[k][d] * shape[d]) can = false;
      if (can) {
        sh[m - 1] *= shape[d];
        for (int k = 0; k < N; k++) p.row(k + 1)[m - 1] = strides[k][d];
        continue;
      }
    }
    sh[m] = shape[d];
    for (int k = 0; k < N; k++) p.row(k + 1)[m] = strides[k][d];
    m++;
  }
  if (m == 0) {
    sh[0] = 1;
    for (int k = 0; k < N; k++) p.row(k + 1)[0] = 0;
    m = 1;
  }
  p.nd = m;
  return p;
}

// strides[k] must have shape.size() entries (0 for broadcast dims).
template <int N>
IterPlan<N> make_plan(const Shape& shape, const std::array<const Shape*, N>& strides,
                      const std::array<char*, N>& base, const std::array<int64_t, N>& esize) {
  std::array<const int64_t*, N> st;
  for (int k = 0; k < N; k++) st[k] = strides[k]->data();
  return make_plan_raw<N>(int64_t(shape.size()), shape.data(), st, base, esize);
}

template <int N>
IterPlan<N> make_plan(const Shape& shape, const std::array<Shape, N>& strides,
                      const std::array<char*, N>& base, const std::array<int64_t, N>& esize) {
  std::array<const int64_t*, N> st;
  for (int k = 0; k < N; k++) st[k] = strides[k].data();
  return make_plan_raw<N>(int64_t(shape.size()), shape.data(), st, base, esize);
}

// fn(std::array<char*, N> ptrs, int64_t n, const std::array<int64_t, N>& inner_stride)
template <int N, typename F>
void run_plan(const IterPlan<N>& p, F&& fn, bool allow_parallel = true) {
  const int64_t nd = p.nd;
  const int64_t inner = p.shape(nd - 1);
  int64_t outer = 1;
  for (int64_t d = 0; d < nd - 1; d++) outer *= p.shape(d);
  std::array<int64_t, N> istride;
  for (int k = 0; k < N; k++) istride[k] = p.stride(k, nd - 1);
  if (inner == 0 || outer == 0) return;
  if (outer == 1 && (!allow_parallel || inner < kParallelElems)) {
    fn(p.base, inner, istride);
    return;
  }

  auto do_rows = [&](int64_t r0, int64_t r1) {
    // Multi-index of row r0 over the outer dims.
    int64_t idx_inl[kPlanInlineDims];
    std::vector<int64_t> idx_heap;
    int64_t* idx = idx_inl;
    if (nd - 1 > kPlanInlineDims) {
      idx_heap.assign(size_t(nd - 1), 0);
      idx = idx_heap.data();
    }
    int64_t rem = r0;
    for (int64_t d = nd - 2; d >= 0; d--) {
      idx[d] = rem % p.shape(d);
      rem /= p.shape(d);
    }
    for (int64_t r = r0; r < r1; r++) {
      std::array<char*, N> ptr;
      for (int k = 0; k < N; k++) {
        int64_t off = 0;
        for (int64_t d = 0; d < nd - 1; d++) off += idx[d] * p.stride(k, d);
        ptr[k] = p.base[k] + off * p.esize[k];
      }
      fn(ptr, inner, istride);
      for (int64_t d = nd - 2; d >= 0; d--) {
        if (++idx[d] < p.shape(d)) break;
        idx[d] = 0;
      }
    }
  };

  const int64_t total = inner * outer;
  if (!allow_parallel || total < kParallelElems) {
    do_rows(0, outer);
  } else if (outer == 1) {
    // One long run: split it.
    parallel_for(0, inner, kParallelElems / 2, [&](int64_t lo, int64_t hi) {
      std::array<char*, N> ptr;
      for (int k = 0; k < N; k++) ptr[k] = p.base[k] + lo * istride[k] * p.esize[k];
      fn(ptr, hi - lo, istride);
    });
  } else {
    int64_t grain = std::max<int64_t>(1, kParallelElems / inner);
    parallel_for(0, outer, grain, do_rows);
  }
}

// Strides of `t` broadcast to `shape` (0 on new or expanded dims).
inline Shape broadcast_strides(const Tensor& t, const Shape& shape) {
  Shape st(shape.size(), 0);
  int64_t lead = int64_t(shape.size()) - t.dim();
  for (int64_t d = 0; d < t.dim(); d++)
    st[lead + d] = t.shape()[d] == 1 ? 0 : t.strides()[d];
  return st;
}

}  // namespace tf
