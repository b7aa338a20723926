// tril / triu as one copy pass: each output row is a copy of the kept columns of the input row and
// zeros for the rest. The element values are never looked at, so an inf or NaN outside the
// triangle becomes 0 (not inf·0 = NaN, which a multiply by a mask would give), as PyTorch's, and
// every dtype is the same byte copy (zero bits are 0 in every dtype, false for bool).
#include "ops_triangle.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "parallel.h"

namespace tf {

namespace {

// The columns [lo, hi) that row i keeps, for a row of c columns.
inline void kept(int64_t i, int64_t c, int64_t k, bool lower, int64_t& lo, int64_t& hi) {
  // i + k stays far from overflow: k comes from a JS safe integer, i below 2^40.
  const int64_t edge = i + k;
  if (lower) {
    lo = 0;
    hi = std::clamp<int64_t>(edge + 1, 0, c);
  } else {
    lo = std::clamp<int64_t>(edge, 0, c);
    hi = c;
  }
}

}  // namespace

Tensor triangle(const Tensor& x, int64_t k, bool lower) {
  const char* op = lower ? "tril" : "triu";
  if (!x.defined()) fail_type(std::string(op) + ": expected a tensor");
  if (x.dim() < 2)
    fail(std::string(op) + ": expected a tensor of at least 2 dims, got shape " + shape_str(x.shape()));
  const int64_t nd = x.dim(), r = x.shape()[nd - 2], c = x.shape()[nd - 1];
  // Rows are copied with memcpy, so the last dim must be dense; any other strides (batch dims,
  // the row stride, expanded dims of stride 0) are followed as they are. A view with a strided
  // last dim (a transpose) is copied to rows first: a blocked transposing copy, then this pass,
  // beats reading a column per output row.
  Tensor src = detach(x);
  if (c > 1 && src.strides()[nd - 1] != 1) src = contiguous(src);
  Tensor out = empty_uninit(x.shape(), x.dtype());
  const int64_t rows = c ? out.numel() / c : 0;
  if (rows > 0) {
    const size_t es = dtype_size(x.dtype());
    const char* sp = static_cast<const char*>(src.raw_data());
    char* dst = static_cast<char*>(out.raw_data());
    const Shape& sh = src.shape();
    const Shape& st = src.strides();
    const int64_t row_stride = st[nd - 2];
    // Rows per task: a memory-bound copy, worth a second thread only past ~64K elements.
    const int64_t grain = std::max<int64_t>(1, 65536 / c);
    parallel_for(0, rows, grain, [&](int64_t lo, int64_t hi) {
      int64_t batch = -1, base = 0;  // the source offset (in elements) of the current matrix
      for (int64_t row = lo; row < hi; row++) {
        const int64_t b = row / r, i = row - b * r;
        if (b != batch) {
          batch = b;
          base = 0;
          for (int64_t d = nd - 3, rest = b; d >= 0; d--) {
            base += (rest % sh[d]) * st[d];
            rest /= sh[d];
          }
        }
        const char* srow = sp + (base + i * row_stride) * int64_t(es);
        char* orow = dst + row * c * int64_t(es);
        int64_t j0, j1;
        kept(i, c, k, lower, j0, j1);
        if (j0 > 0) std::memset(orow, 0, size_t(j0) * es);
        if (j1 > j0) std::memcpy(orow + j0 * es, srow + j0 * es, size_t(j1 - j0) * es);
        if (j1 < c) std::memset(orow + j1 * es, 0, size_t(c - j1) * es);
      }
    });
  }
  if (any_requires_grad(x)) {
    record(op, {x}, {out}, [k, lower](Node&, const std::vector<Tensor>& g) {
      return std::vector<Tensor>{triangle(g[0], k, lower)};
    });
  }
  return out;
}

}  // namespace tf
