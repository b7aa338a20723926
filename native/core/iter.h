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

template <int N>
struct IterPlan {
  Shape shape;                             // coalesced shape (innermost last)
  std::array<Shape, N> strides;            // element strides per operand
  std::array<char*, N> base;
  std::array<int64_t, N> esize;
};

// strides[k] must have shape.size() entries (0 for broadcast dims).
template <int N>
IterPlan<N> make_plan(const Shape& shape, const std::array<Shape, N>& strides,
                      const std::array<char*, N>& base, const std::array<int64_t, N>& esize) {
  IterPlan<N> p;
  p.base = base;
  p.esize = esize;
  // Drop size-1 dims, then merge dim i into i+1 when contiguous for every operand.
  Shape sh;
  std::array<Shape, N> st;
  for (size_t d = 0; d < shape.size(); d++) {
    if (shape[d] == 1) continue;
    sh.push_back(shape[d]);
    for (int k = 0; k < N; k++) st[k].push_back(strides[k][d]);
  }
  Shape msh;
  std::array<Shape, N> mst;
  for (size_t d = 0; d < sh.size(); d++) {
    if (!msh.empty()) {
      bool can = true;
      for (int k = 0; k < N; k++)
        if (mst[k].back() != st[k][d] * sh[d]) can = false;
      if (can) {
        msh.back() *= sh[d];
        for (int k = 0; k < N; k++) mst[k].back() = st[k][d];
        continue;
      }
    }
    msh.push_back(sh[d]);
    for (int k = 0; k < N; k++) mst[k].push_back(st[k][d]);
  }
  if (msh.empty()) {
    msh.push_back(1);
    for (int k = 0; k < N; k++) mst[k].push_back(0);
  }
  p.shape = msh;
  p.strides = mst;
  return p;
}

// fn(std::array<char*, N> ptrs, int64_t n, const std::array<int64_t, N>& inner_stride)
template <int N, typename F>
void run_plan(const IterPlan<N>& p, F&& fn, bool allow_parallel = true) {
  const int64_t nd = int64_t(p.shape.size());
  const int64_t inner = p.shape[nd - 1];
  int64_t outer = 1;
  for (int64_t d = 0; d < nd - 1; d++) outer *= p.shape[d];
  std::array<int64_t, N> istride;
  for (int k = 0; k < N; k++) istride[k] = p.strides[k][nd - 1];
  if (inner == 0 || outer == 0) return;

  auto do_rows = [&](int64_t r0, int64_t r1) {
    // Multi-index of row r0 over the outer dims.
    Shape idx(nd > 1 ? nd - 1 : 0, 0);
    int64_t rem = r0;
    for (int64_t d = nd - 2; d >= 0; d--) {
      idx[d] = rem % p.shape[d];
      rem /= p.shape[d];
    }
    for (int64_t r = r0; r < r1; r++) {
      std::array<char*, N> ptr;
      for (int k = 0; k < N; k++) {
        int64_t off = 0;
        for (int64_t d = 0; d < nd - 1; d++) off += idx[d] * p.strides[k][d];
        ptr[k] = p.base[k] + off * p.esize[k];
      }
      fn(ptr, inner, istride);
      for (int64_t d = nd - 2; d >= 0; d--) {
        if (++idx[d] < p.shape[d]) break;
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

#define TF_DISPATCH_ALL(DT, T, ...)                         \
  switch (DT) {                                             \
    case ::tf::DType::F32: { using T = float; __VA_ARGS__; break; }   \
    case ::tf::DType::F64: { using T = double; __VA_ARGS__; break; }  \
    case ::tf::DType::I32: { using T = int32_t; __VA_ARGS__; break; } \
    case ::tf::DType::Bool: { using T = uint8_t; __VA_ARGS__; break; } \
  }

}  // namespace tf
