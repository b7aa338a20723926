// The contiguous loops behind kernels.h for one ISA: vector main loop, then the leftovers through
// the one-lane (F1 / D1) instantiation of the same operation.
// No include guard: included once per ISA namespace of kernels.cpp (after simd_math.h).

// Outputs larger than the last-level cache are written with non-temporal stores (`nt`, decided by
// size in kernels.cpp): the line goes straight to memory instead of being read in first
// (write-allocate) and then evicted, so a binary op moves 3 arrays' worth of bytes instead of 4.
// Those stores need an aligned address: the elements before the first vector boundary go through
// the one-lane path, and a fence makes the stores visible before the pool's join.
template <bool NT, class T, class V>
inline void put(T* p, V v) {
  if constexpr (NT) stream(p, v);
  else store(p, v);
}
template <class V, class T>
inline int64_t to_boundary(const T* p, int64_t n) {
  const uintptr_t mis = reinterpret_cast<uintptr_t>(p) % sizeof(V);
  return std::min<int64_t>(n, int64_t((sizeof(V) - mis) % sizeof(V) / sizeof(T)));
}
inline void stream_fence() {
#if defined(__x86_64__) || defined(_M_X64)
  _mm_sfence();
#endif
}

template <bool NT, class V, class S, class T, class Op>
inline void map1_(const T* x, T* y, int64_t n, Op op) {
  int64_t i = 0;
  if (NT)
    for (const int64_t h = to_boundary<V>(y, n); i < h; ++i) store(y + i, op(S{x[i]}));
  for (; i + V::N <= n; i += V::N) put<NT>(y + i, op(ld(V{}, x + i)));
  for (; i < n; ++i) store(y + i, op(S{x[i]}));
  if (NT) stream_fence();
}
template <class V, class S, class T, class Op>
inline void map1(const T* x, T* y, int64_t n, bool nt, Op op) {
  if (nt) map1_<true, V, S>(x, y, n, op);
  else map1_<false, V, S>(x, y, n, op);
}

// z[i] = op(a[i*sa], b[i*sb]), sa and sb in {0, 1}; a stride of 0 is a broadcast scalar.
template <bool NT, class V, class S, class T, class Op>
inline void map2_(const T* a, int64_t sa, const T* b, int64_t sb, T* z, int64_t n, Op op) {
  int64_t i = 0;
  if (sa && sb) {
    if (NT)
      for (const int64_t h = to_boundary<V>(z, n); i < h; ++i) store(z + i, op(S{a[i]}, S{b[i]}));
    for (; i + V::N <= n; i += V::N) put<NT>(z + i, op(ld(V{}, a + i), ld(V{}, b + i)));
    for (; i < n; ++i) store(z + i, op(S{a[i]}, S{b[i]}));
  } else if (sa) {
    if (NT)
      for (const int64_t h = to_boundary<V>(z, n); i < h; ++i) store(z + i, op(S{a[i]}, S{*b}));
    const V bv = set1(V{}, *b);
    for (; i + V::N <= n; i += V::N) put<NT>(z + i, op(ld(V{}, a + i), bv));
    for (; i < n; ++i) store(z + i, op(S{a[i]}, S{*b}));
  } else if (sb) {
    if (NT)
      for (const int64_t h = to_boundary<V>(z, n); i < h; ++i) store(z + i, op(S{*a}, S{b[i]}));
    const V av = set1(V{}, *a);
    for (; i + V::N <= n; i += V::N) put<NT>(z + i, op(av, ld(V{}, b + i)));
    for (; i < n; ++i) store(z + i, op(S{*a}, S{b[i]}));
  } else {
    const S r = op(S{*a}, S{*b});
    for (; i < n; ++i) store(z + i, r);
  }
  if (NT) stream_fence();
}
template <class V, class S, class T, class Op>
inline void map2(const T* a, int64_t sa, const T* b, int64_t sb, T* z, int64_t n, bool nt, Op op) {
  if (nt) map2_<true, V, S>(a, sa, b, sb, z, n, op);
  else map2_<false, V, S>(a, sa, b, sb, z, n, op);
}

// Returns false for kinds this ISA does not vectorise (the caller then runs the scalar libm loop).
inline bool unary_f32(Unary k, const float* x, float* y, int64_t n, bool nt) {
  using S = F1;
  switch (k) {
    case Unary::Neg: map1<VF, S>(x, y, n, nt, [](auto v) { return -v; }); return true;
    case Unary::Abs: map1<VF, S>(x, y, n, nt, [](auto v) { return vabs(v); }); return true;
    case Unary::Exp: map1<VF, S>(x, y, n, nt, [](auto v) { return exp_f(v); }); return true;
    case Unary::Log: map1<VF, S>(x, y, n, nt, [](auto v) { return log_f(v); }); return true;
    case Unary::Sqrt: map1<VF, S>(x, y, n, nt, [](auto v) { return vsqrt(v); }); return true;
    case Unary::Rsqrt:
      map1<VF, S>(x, y, n, nt, [](auto v) { return cst<decltype(v)>(1.0f) / vsqrt(v); });
      return true;
    case Unary::Sin: map1<VF, S>(x, y, n, nt, [](auto v) { return sincos_f(v, false); }); return true;
    case Unary::Cos: map1<VF, S>(x, y, n, nt, [](auto v) { return sincos_f(v, true); }); return true;
    case Unary::Tanh: map1<VF, S>(x, y, n, nt, [](auto v) { return tanh_f(v); }); return true;
    case Unary::Sigmoid: map1<VF, S>(x, y, n, nt, [](auto v) { return sigmoid_f(v); }); return true;
    // max(0, x) returns its second operand when unordered, so relu(nan) = nan as in PyTorch.
    case Unary::Relu:
      map1<VF, S>(x, y, n, nt, [](auto v) { return vmax(cst<decltype(v)>(0.0f), v); });
      return true;
    case Unary::Gelu: map1<VF, S>(x, y, n, nt, [](auto v) { return gelu_f(v); }); return true;
    case Unary::Silu: map1<VF, S>(x, y, n, nt, [](auto v) { return silu_f(v); }); return true;
    case Unary::Softplus: map1<VF, S>(x, y, n, nt, [](auto v) { return softplus_f(v); }); return true;
    case Unary::Expm1: map1<VF, S>(x, y, n, nt, [](auto v) { return expm1_f(v); }); return true;
    case Unary::Log1p: map1<VF, S>(x, y, n, nt, [](auto v) { return log1p_f(v); }); return true;
    case Unary::Erf: map1<VF, S>(x, y, n, nt, [](auto v) { return erf_f(v); }); return true;
    case Unary::Erfc: map1<VF, S>(x, y, n, nt, [](auto v) { return erfc_f(v); }); return true;
    default: return false;
  }
}

inline bool unary_f64(Unary k, const double* x, double* y, int64_t n, bool nt) {
  using S = D1;
  switch (k) {
    case Unary::Neg: map1<VD, S>(x, y, n, nt, [](auto v) { return -v; }); return true;
    case Unary::Abs: map1<VD, S>(x, y, n, nt, [](auto v) { return vabs(v); }); return true;
    case Unary::Sqrt: map1<VD, S>(x, y, n, nt, [](auto v) { return vsqrt(v); }); return true;
    case Unary::Rsqrt:
      map1<VD, S>(x, y, n, nt, [](auto v) { return cstd<decltype(v)>(1.0) / vsqrt(v); });
      return true;
    case Unary::Relu:
      map1<VD, S>(x, y, n, nt, [](auto v) { return vmax(cstd<decltype(v)>(0.0), v); });
      return true;
    default: return false;  // transcendentals: std:: functions, in kernels.cpp
  }
}

// Maximum/minimum propagate NaN (PyTorch semantics), unlike the raw max/min instructions.
template <class V, class S, class T>
inline bool binary_t(Binary k, const T* a, int64_t sa, const T* b, int64_t sb, T* z,
                     int64_t n, bool nt) {
  switch (k) {
    case Binary::Add: map2<V, S>(a, sa, b, sb, z, n, nt, [](auto p, auto q) { return p + q; }); return true;
    case Binary::Sub: map2<V, S>(a, sa, b, sb, z, n, nt, [](auto p, auto q) { return p - q; }); return true;
    case Binary::Mul: map2<V, S>(a, sa, b, sb, z, n, nt, [](auto p, auto q) { return p * q; }); return true;
    case Binary::Div: map2<V, S>(a, sa, b, sb, z, n, nt, [](auto p, auto q) { return p / q; }); return true;
    case Binary::Maximum:
      map2<V, S>(a, sa, b, sb, z, n, nt,
                 [](auto p, auto q) { return select(unord(p, q), p + q, vmax(p, q)); });
      return true;
    case Binary::Minimum:
      map2<V, S>(a, sa, b, sb, z, n, nt,
                 [](auto p, auto q) { return select(unord(p, q), p + q, vmin(p, q)); });
      return true;
    default: return false;  // Pow: std::pow in kernels.cpp
  }
}

inline bool binary_f32(Binary k, const float* a, int64_t sa, const float* b, int64_t sb,
                       float* z, int64_t n, bool nt) {
  return binary_t<VF, F1>(k, a, sa, b, sb, z, n, nt);
}
inline bool binary_f64(Binary k, const double* a, int64_t sa, const double* b, int64_t sb,
                       double* z, int64_t n, bool nt) {
  return binary_t<VD, D1>(k, a, sa, b, sb, z, n, nt);
}

// Sum of one block: four independent vector accumulators (hides add latency; each lane sums at
// most kSumBlock / (4 N) values, so float rounding stays ~1e-7 relative). The caller adds the
// block results in double.
template <class V, class T>
inline double sum_block(const T* p, int64_t m) {
  V a0 = set1(V{}, T(0)), a1 = a0, a2 = a0, a3 = a0;
  int64_t i = 0;
  for (; i + 4 * V::N <= m; i += 4 * V::N) {
    a0 = a0 + ld(V{}, p + i);
    a1 = a1 + ld(V{}, p + i + V::N);
    a2 = a2 + ld(V{}, p + i + 2 * V::N);
    a3 = a3 + ld(V{}, p + i + 3 * V::N);
  }
  for (; i + V::N <= m; i += V::N) a0 = a0 + ld(V{}, p + i);
  double s = hsum((a0 + a1) + (a2 + a3));
  for (; i < m; ++i) s += p[i];
  return s;
}

// Max (Max = true) or min of m >= 1 elements; NaN when any element is NaN, as PyTorch. The x86
// max and min drop a NaN operand, so unordered lanes are collected in a mask beside the four
// vector accumulators.
template <bool Max, class V, class T>
inline T extreme_block(const T* p, int64_t m) {
  auto pick = [](auto a, auto b) { return Max ? vmax(a, b) : vmin(a, b); };
  int64_t i = 0;
  T r = p[0];
  if (m >= 4 * V::N) {
    V a0 = ld(V{}, p), a1 = ld(V{}, p + V::N), a2 = ld(V{}, p + 2 * V::N), a3 = ld(V{}, p + 3 * V::N);
    auto nan = m_or(unord(a0, a1), unord(a2, a3));
    for (i = 4 * V::N; i + 4 * V::N <= m; i += 4 * V::N) {
      const V v0 = ld(V{}, p + i), v1 = ld(V{}, p + i + V::N);
      const V v2 = ld(V{}, p + i + 2 * V::N), v3 = ld(V{}, p + i + 3 * V::N);
      nan = m_or(nan, m_or(unord(v0, v1), unord(v2, v3)));
      a0 = pick(a0, v0);
      a1 = pick(a1, v1);
      a2 = pick(a2, v2);
      a3 = pick(a3, v3);
    }
    if (any(nan)) return std::numeric_limits<T>::quiet_NaN();
    alignas(64) T lanes[V::N];
    store(lanes, pick(pick(a0, a1), pick(a2, a3)));
    r = lanes[0];
    for (int l = 1; l < V::N; ++l) r = Max ? (lanes[l] > r ? lanes[l] : r) : (lanes[l] < r ? lanes[l] : r);
  }
  for (; i < m; ++i) {
    const T v = p[i];
    if (v != v) return v;
    r = Max ? (v > r ? v : r) : (v < r ? v : r);
  }
  return r;
}
inline float extreme_f32(const float* x, int64_t n, bool is_max) {
  return is_max ? extreme_block<true, VF>(x, n) : extreme_block<false, VF>(x, n);
}
inline double extreme_f64(const double* x, int64_t n, bool is_max) {
  return is_max ? extreme_block<true, VD>(x, n) : extreme_block<false, VD>(x, n);
}

inline double sum_blocks_f32(const float* x, int64_t n, int64_t block) {
  double total = 0;
  for (int64_t i = 0; i < n; i += block) total += sum_block<VF>(x + i, std::min(block, n - i));
  return total;
}
inline double sum_blocks_f64(const double* x, int64_t n, int64_t block) {
  double total = 0;
  for (int64_t i = 0; i < n; i += block) total += sum_block<VD>(x + i, std::min(block, n - i));
  return total;
}

// Sum of squares of one block (the 2-norm's reduction in one pass over x): as sum_block, with the
// square fused into the accumulation.
template <class V, class T>
inline double sumsq_block(const T* p, int64_t m) {
  V a0 = set1(V{}, T(0)), a1 = a0, a2 = a0, a3 = a0;
  int64_t i = 0;
  for (; i + 4 * V::N <= m; i += 4 * V::N) {
    const V v0 = ld(V{}, p + i), v1 = ld(V{}, p + i + V::N);
    const V v2 = ld(V{}, p + i + 2 * V::N), v3 = ld(V{}, p + i + 3 * V::N);
    a0 = a0 + v0 * v0;
    a1 = a1 + v1 * v1;
    a2 = a2 + v2 * v2;
    a3 = a3 + v3 * v3;
  }
  for (; i + V::N <= m; i += V::N) {
    const V v = ld(V{}, p + i);
    a0 = a0 + v * v;
  }
  double s = hsum((a0 + a1) + (a2 + a3));
  for (; i < m; ++i) s += double(p[i]) * double(p[i]);
  return s;
}
inline double sumsq_blocks_f32(const float* x, int64_t n, int64_t block) {
  double total = 0;
  for (int64_t i = 0; i < n; i += block) total += sumsq_block<VF>(x + i, std::min(block, n - i));
  return total;
}
inline double sumsq_blocks_f64(const double* x, int64_t n, int64_t block) {
  double total = 0;
  for (int64_t i = 0; i < n; i += block) total += sumsq_block<VD>(x + i, std::min(block, n - i));
  return total;
}

// Product of m elements in double (float32 included: no overflow or underflow of the partial
// products that the float32 result would not have). 32 independent lanes written out as an
// array, which the compiler turns into vector multiplies at every level; the grouping is fixed by
// the source, so every SIMD level gives the same bits.
template <class T>
inline double prod_block(const T* p, int64_t m) {
  constexpr int L = 32;
  double acc[L];
  for (int j = 0; j < L; ++j) acc[j] = 1.0;
  int64_t i = 0;
  for (; i + L <= m; i += L)
    for (int j = 0; j < L; ++j) acc[j] *= double(p[i + j]);
  for (int w = L / 2; w >= 1; w /= 2)
    for (int j = 0; j < w; ++j) acc[j] *= acc[j + w];
  double r = acc[0];
  for (; i < m; ++i) r *= double(p[i]);
  return r;
}
inline double prod_f32(const float* x, int64_t n) { return prod_block(x, n); }
inline double prod_f64(const double* x, int64_t n) { return prod_block(x, n); }

// out[b] = sum over r < R of x[r * stride + b], for b < B (R >= 1): the column sums of a block of
// rows. Four rows at a time are added to the running row of sums, which stays in cache while the
// rows stream through contiguously. The scalar tail adds in the vector lanes' order, so the result
// does not depend on B's alignment or the SIMD level.
template <class V, class T>
inline void col_sum_block(const T* x, int64_t R, int64_t B, int64_t stride, T* out) {
  for (int64_t b = 0; b < B; ++b) out[b] = x[b];
  int64_t r = 1;
  for (; r + 4 <= R; r += 4) {
    const T* x0 = x + r * stride;
    const T *x1 = x0 + stride, *x2 = x1 + stride, *x3 = x2 + stride;
    int64_t b = 0;
    for (; b + V::N <= B; b += V::N) {
      const V s = (ld(V{}, x0 + b) + ld(V{}, x1 + b)) + (ld(V{}, x2 + b) + ld(V{}, x3 + b));
      store(out + b, ld(V{}, out + b) + s);
    }
    for (; b < B; ++b) out[b] += (x0[b] + x1[b]) + (x2[b] + x3[b]);
  }
  for (; r < R; ++r) {
    const T* xr = x + r * stride;
    int64_t b = 0;
    for (; b + V::N <= B; b += V::N) store(out + b, ld(V{}, out + b) + ld(V{}, xr + b));
    for (; b < B; ++b) out[b] += xr[b];
  }
}
inline void col_sum_f32(const float* x, int64_t R, int64_t B, int64_t stride, float* out) {
  col_sum_block<VF>(x, R, B, stride, out);
}
inline void col_sum_f64(const double* x, int64_t R, int64_t B, int64_t stride, double* out) {
  col_sum_block<VD>(x, R, B, stride, out);
}

// out[b] = the product over r < R of x[r * stride + b] in double, for b < B (R >= 1): the column
// products of a block of rows, row by row into a cached row of doubles (plain loops the compiler
// vectorises; each column's order is fixed, so every SIMD level gives the same bits).
template <class T>
inline void col_prod_block(const T* __restrict x, int64_t R, int64_t B, int64_t stride, double* __restrict out) {
  for (int64_t b = 0; b < B; ++b) out[b] = double(x[b]);
  for (int64_t r = 1; r < R; ++r) {
    const T* __restrict xr = x + r * stride;
    for (int64_t b = 0; b < B; ++b) out[b] *= double(xr[b]);
  }
}
inline void col_prod_f32(const float* x, int64_t R, int64_t B, int64_t stride, double* out) {
  col_prod_block(x, R, B, stride, out);
}
inline void col_prod_f64(const double* x, int64_t R, int64_t B, int64_t stride, double* out) {
  col_prod_block(x, R, B, stride, out);
}
