// The float32 row kernels behind fused_kernels.h, written once against the vector interface of
// simd_scalar.h / simd_vec_*.h and compiled once per ISA by fused_kernels.cpp (like simd_loops.h).
// Every loop is a vector main loop over V then the leftovers through the one-lane F1 twin, so an
// element's result does not depend on where it fell.
// No include guard: included once per ISA namespace, after simd_math.h.

// Runs body(V{}, i) over [0, n) in steps of V::N, then body(F1{}, i) on the leftovers.
template <class V, class Body>
inline void fused_loop(int64_t n, Body body) {
  int64_t i = 0;
  for (; i + V::N <= n; i += V::N) body(V{}, i);
  for (; i < n; ++i) body(F1{}, i);
}

// ---- GELU -----------------------------------------------------------------------------------------
// Exact: gelu'(x) = Phi(x) + x phi(x), evaluated in double with the same Phi approximation as
// gelu_d in simd_math.h (near 0 a polynomial, beyond 0.75 exp(-x^2/2) R(1/(|x|+2))), and
// phi(x) = exp(-x^2/2) / sqrt(2 pi) from the same exp; rounded to float once.
template <class D>
inline D gelu_grad_d(D x) {
  const D cdf_near = vfma(x, phi_series_d(x * x), cstd<D>(0.5));
  const D a = vmin(vabs(x), cstd<D>(30.0));
  const D R = phi_tail_ratio_d(a);  // simd_math.h: the same Phi as gelu_d
  const D e = exp_d(a * a * cstd<D>(-0.5));
  const D tail = e * R;  // Phi(-|x|)
  const D cdf_far = select(ge(x, cstd<D>(0.0)), cstd<D>(1.0) - tail, tail);
  const D cdf = select(lt(vabs(x), cstd<D>(0.75)), cdf_near, cdf_far);
  return vfma(x, e * cstd<D>(0.3989422804014327), cdf);
}

// The double evaluation, for lanes with |x| > 5.5 (gelu_grad_f leaves them out).
template <class V>
inline V gelu_grad_f_wide(V x) {
  typename V::D lo, hi;
  widen(x, lo, hi);
  lo = gelu_grad_d(lo);
  if constexpr (V::DN == 2) hi = gelu_grad_d(hi);
  V d = narrow(lo, hi);
  d = select(lt(x, cst<V>(-30.0f)), cst<V>(0.0f), d);
  d = select(gt(x, cst<V>(30.0f)), cst<V>(1.0f), d);
  // At ±inf PyTorch's Phi(x) + x phi(x) is inf · 0 = NaN (as the float64 path here): x - x is NaN there.
  d = select(gt(vabs(x), cst<V>(3.4028234663852886e38f)), x - x, d);
  return select(unord(x, x), x, d);
}

// In float, with gelu_f's pieces (simd_math.h):
//   |x| < 0.5:  1/2 + x G(x²), one polynomial for Phi(x) - 1/2 + x phi(x).
//   a = |x| in [0.5, 5.5], with Phi(-a) = S e^(-a²/2) / a and a phi(a) = a e^(-a²/2) / sqrt(2 pi):
//     D = Phi(-a) - a phi(a) = (S - a² / sqrt(2 pi)) / a (1 + p) 2^n;
//     gelu'(x) = D for x < 0, 1 - D for x > 0.
//   D vanishes near x = -0.7518 (gelu's minimum): S - a²/sqrt(2 pi) is formed with a² and
//   1/sqrt(2 pi) as exact pairs so that the cancellation there costs little. Beyond 5.5 in
//   either direction (1 + a phi(a) is not yet 1 at 5.5) lanes go to the double path.
template <class V>
inline V gelu_grad_f(V x) {
  const V z = x * x;
  V g = cst<V>(kGeluGradG[5]);
  for (int k = 4; k >= 0; --k) g = vfma(g, z, cst<V>(kGeluGradG[k]));
  V d = vfma(x, g, cst<V>(0.5f));
  const V a = vmax(vmin(vabs(x), cst<V>(5.5f)), cst<V>(0.5f));
  V c0, u, p, t;
  gelu_tail_parts(a, c0, u, p, t);
  // S - a² / sqrt(2 pi) with a² = hh + hl and 1/sqrt(2 pi) = k_hi + k_lo: the leading terms
  // cancel near the zero of D, so they meet in one FMA, exactly up to its rounding.
  const V hh = a * a;
  const V hl = vfma(a, a, -hh);
  const V k_hi = cst<V>(0.398942292f), k_lo = cst<V>(-1.13351701e-08f);
  const V num = vfma(-k_hi, hh, c0) + (u - vfma(k_hi, hl, k_lo * hh));
  const V k = num / a;
  const V far = scale_shifted(vfma(k, p, k), t);
  d = select(lt(vabs(x), cst<V>(0.5f)), d, select(ge(x, cst<V>(0.0f)), cst<V>(1.0f) - far, far));
  const auto wide = gt(vabs(x), cst<V>(5.5f));
  if (any(wide)) d = select(wide, gelu_grad_f_wide(x), d);
  return select(unord(x, x), x, d);
}

// PyTorch's tanh form 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3), evaluated as x s with
// s = sigmoid(2u) = (1 + tanh u) / 2: the same function without the cancellation of 1 + tanh(u)
// for negative x (where float's tanh rounds to -1 and the tail would come out as 0).
template <class V>
inline V gelu_tanh_u(V x) {
  return cst<V>(0.7978845608028654f) * vfma(cst<V>(0.044715f) * x * x, x, x);
}
template <class V>
inline V gelu_tanh_f(V x) {
  const V u = gelu_tanh_u(x);
  return x * sigmoid_f(u + u);
}
// d/dx = s + x (1 - tanh^2 u) u' / 2 = s + 2 x s (1 - s) u',  u' = sqrt(2/pi) (1 + 3 0.044715 x^2).
template <class V>
inline V gelu_tanh_grad_f(V x) {
  const V u = gelu_tanh_u(x);
  const V s = sigmoid_f(u + u);
  const V du = cst<V>(0.7978845608028654f) * vfma(cst<V>(0.134145f), x * x, cst<V>(1.0f));
  return vfma(cst<V>(2.0f) * x * s * (cst<V>(1.0f) - s), du, s);
}

inline void gelu_fwd(const float* x, float* y, int64_t n, bool tanh_approx) {
  if (tanh_approx)
    fused_loop<VF>(n, [&](auto v, int64_t i) { store(y + i, gelu_tanh_f(ld(decltype(v){}, x + i))); });
  else
    fused_loop<VF>(n, [&](auto v, int64_t i) { store(y + i, gelu_f(ld(decltype(v){}, x + i))); });
}

inline void gelu_bwd(const float* g, const float* x, float* o, int64_t n, bool tanh_approx) {
  if (tanh_approx)
    fused_loop<VF>(n, [&](auto v, int64_t i) {
      using W = decltype(v);
      store(o + i, ld(W{}, g + i) * gelu_tanh_grad_f(ld(W{}, x + i)));
    });
  else
    fused_loop<VF>(n, [&](auto v, int64_t i) {
      using W = decltype(v);
      store(o + i, ld(W{}, g + i) * gelu_grad_f(ld(W{}, x + i)));
    });
}

// ---- SiLU -----------------------------------------------------------------------------------------
// silu'(x) = s (1 + x (1 - s)), s = sigmoid(x): the composed rule's formula and operation order (so
// ±inf and NaN give what it gave: NaN at ±inf, as PyTorch), with sigmoid_f's value of s.
inline void silu_bwd(const float* g, const float* x, float* o, int64_t n) {
  fused_loop<VF>(n, [&](auto v, int64_t i) {
    using W = decltype(v);
    const W xv = ld(W{}, x + i);
    const W s = sigmoid_f(xv);
    store(o + i, ld(W{}, g + i) * (s * (cst<W>(1.0f) + xv * (cst<W>(1.0f) - s))));
  });
}

// ---- reductions over one row -------------------------------------------------------------------
inline float row_max(const float* x, int64_t n) {
  float m = -INFINITY;
  int64_t i = 0;
  if (n >= VF::N) {
    VF acc = ld(VF{}, x);
    for (i = VF::N; i + VF::N <= n; i += VF::N) acc = vmax(ld(VF{}, x + i), acc);
    float t[VF::N];
    store(t, acc);
    for (float f : t) m = f > m ? f : m;
  }
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}

// Σ a·b (b null: Σ a), vector partial sums added in double.
inline double row_dot(const float* a, const float* b, int64_t n) {
  VF acc0 = cst<VF>(0.0f), acc1 = acc0;
  int64_t i = 0;
  if (b) {
    for (; i + 2 * VF::N <= n; i += 2 * VF::N) {
      acc0 = vfma(ld(VF{}, a + i), ld(VF{}, b + i), acc0);
      acc1 = vfma(ld(VF{}, a + i + VF::N), ld(VF{}, b + i + VF::N), acc1);
    }
    for (; i + VF::N <= n; i += VF::N) acc0 = vfma(ld(VF{}, a + i), ld(VF{}, b + i), acc0);
  } else {
    for (; i + 2 * VF::N <= n; i += 2 * VF::N) {
      acc0 = acc0 + ld(VF{}, a + i);
      acc1 = acc1 + ld(VF{}, a + i + VF::N);
    }
    for (; i + VF::N <= n; i += VF::N) acc0 = acc0 + ld(VF{}, a + i);
  }
  double s = hsum(acc0 + acc1);
  for (; i < n; ++i) s += double(a[i]) * (b ? double(b[i]) : 1.0);
  return s;
}

// ---- softmax / log-softmax along a row ----------------------------------------------------------
// Row max subtracted (a row whose max is ±inf or nan subtracts 0, so all -inf gives nan as PyTorch).
inline void softmax_row(const float* x, float* y, int64_t n, bool log_space) {
  float m = row_max(x, n);
  // A row whose max is ±inf is NaN throughout, as PyTorch (x - max is inf - inf somewhere); a NaN
  // element makes the sum NaN below and so the row too.
  if (!std::isfinite(m)) {
    for (int64_t i = 0; i < n; ++i) y[i] = std::numeric_limits<float>::quiet_NaN();
    return;
  }
  const VF mv = cst<VF>(m);
  VF acc = cst<VF>(0.0f);
  int64_t i = 0;
  for (; i + VF::N <= n; i += VF::N) {
    const VF e = exp_f(ld(VF{}, x + i) - mv);
    store(y + i, e);
    acc = acc + e;
  }
  double s = hsum(acc);
  for (; i < n; ++i) {
    const F1 e = exp_f(F1{x[i] - m});
    y[i] = e.v;
    s += e.v;
  }
  if (log_space) {
    const float shift = float(std::log(s)) + m;
    fused_loop<VF>(n, [&](auto v, int64_t j) {
      using W = decltype(v);
      store(y + j, ld(W{}, x + j) - cst<W>(shift));
    });
  } else {
    const float inv = float(1.0 / s);
    fused_loop<VF>(n, [&](auto v, int64_t j) {
      using W = decltype(v);
      store(y + j, ld(W{}, y + j) * cst<W>(inv));
    });
  }
}

// softmax: o = y (g − Σ g·y);  log-softmax: o = g − exp(y) Σ g.
inline void softmax_bwd_row(const float* g, const float* y, float* o, int64_t n, bool log_space) {
  if (log_space) {
    const float s = float(row_dot(g, nullptr, n));
    fused_loop<VF>(n, [&](auto v, int64_t j) {
      using W = decltype(v);
      store(o + j, ld(W{}, g + j) - exp_f(ld(W{}, y + j)) * cst<W>(s));
    });
  } else {
    const float s = float(row_dot(g, y, n));
    fused_loop<VF>(n, [&](auto v, int64_t j) {
      using W = decltype(v);
      store(o + j, ld(W{}, y + j) * (ld(W{}, g + j) - cst<W>(s)));
    });
  }
}

// ---- LayerNorm / RMSNorm over a row ---------------------------------------------------------------
// LayerNorm: mean, then the variance of the centred row (two passes: no cancellation);
// RMSNorm: mean of squares. y = (x − mean)·rstd·w + b (w, b may be null).
inline void norm_row(const float* x, const float* w, const float* b, float* y, int64_t n, float eps,
                     bool rms, float* mean_out, float* rstd_out) {
  const float mean = rms ? 0.0f : float(row_dot(x, nullptr, n) / double(n));
  double ss = 0;
  {
    const VF mv = cst<VF>(mean);
    VF acc = cst<VF>(0.0f);
    int64_t i = 0;
    for (; i + VF::N <= n; i += VF::N) {
      const VF d = ld(VF{}, x + i) - mv;
      acc = vfma(d, d, acc);
    }
    ss = hsum(acc);
    for (; i < n; ++i) ss += double(x[i] - mean) * double(x[i] - mean);
  }
  const float rstd = float(1.0 / std::sqrt(ss / double(n) + double(eps)));
  *mean_out = mean;
  *rstd_out = rstd;
  fused_loop<VF>(n, [&](auto v, int64_t i) {
    using W = decltype(v);
    W h = (ld(W{}, x + i) - cst<W>(mean)) * cst<W>(rstd);
    if (w) h = h * ld(W{}, w + i);
    if (b) h = h + ld(W{}, b + i);
    store(y + i, h);
  });
}

// xhat = (x − mean)·rstd, dxhat = g·w; LayerNorm: dx = rstd (dxhat − mean(dxhat) − xhat mean(dxhat·xhat));
// RMSNorm drops the mean(dxhat) term. dw += g·xhat and db += g into this thread's buffers.
inline void norm_bwd_row(const float* g, const float* x, const float* w, float mean, float rstd, float* dx,
                         float* dw, float* db, int64_t n, bool rms) {
  VF a0 = cst<VF>(0.0f), b0 = a0;
  const VF mv = cst<VF>(mean), rv = cst<VF>(rstd);
  int64_t i = 0;
  for (; i + VF::N <= n; i += VF::N) {
    const VF gv = ld(VF{}, g + i);
    const VF xh = (ld(VF{}, x + i) - mv) * rv;
    const VF dh = w ? gv * ld(VF{}, w + i) : gv;
    a0 = a0 + dh;
    b0 = vfma(dh, xh, b0);
    if (dw) store(dw + i, vfma(gv, xh, ld(VF{}, dw + i)));
    if (db) store(db + i, ld(VF{}, db + i) + gv);
  }
  double sa = hsum(a0), sb = hsum(b0);
  for (; i < n; ++i) {
    const float xh = (x[i] - mean) * rstd;
    const float dh = w ? g[i] * w[i] : g[i];
    sa += dh;
    sb += double(dh) * xh;
    if (dw) dw[i] += g[i] * xh;
    if (db) db[i] += g[i];
  }
  const float ma = rms ? 0.0f : float(sa / double(n)), mb = float(sb / double(n));
  fused_loop<VF>(n, [&](auto v, int64_t j) {
    using W = decltype(v);
    const W gv = ld(W{}, g + j);
    const W xh = (ld(W{}, x + j) - cst<W>(mean)) * cst<W>(rstd);
    const W dh = w ? gv * ld(W{}, w + j) : gv;
    store(dx + j, cst<W>(rstd) * (dh - cst<W>(ma) - xh * cst<W>(mb)));
  });
}
