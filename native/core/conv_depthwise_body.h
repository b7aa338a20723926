// Depthwise convolution (one input channel per group: groups == C), one plane at a time,
// compiled once per SIMD level (per_isa.h, included from ops_conv.cpp; no include guard).
// im2col + GEMM is a poor fit there: per group and sample the GEMM is [Og x K]·[K x L] with
// K = kh·kw (9) and usually Og = 1, a matrix-vector product behind a full im2col copy, repeated
// C times per sample. These loops work on whole output rows: each tap adds a shifted input row
// times one weight into the output row, which the compiler vectorizes at this level's width.
// Any stride, padding and dilation; the unit-stride columns are the fast case.

// The output columns [ow0, ow1) that kernel column j reads inside the input row, and the input
// column offset woff of output column 0.
template <typename G>
inline void dw_cols(const G& g, int64_t j, int64_t& woff, int64_t& ow0, int64_t& ow1) {
  woff = j * g.dw - g.pw;
  ow0 = woff >= 0 ? 0 : std::min(g.Wo, (-woff + g.sw - 1) / g.sw);
  ow1 = g.W - woff <= 0 ? 0 : std::min(g.Wo, (g.W - woff + g.sw - 1) / g.sw);
  ow1 = std::max(ow1, ow0);
}

// The walk the three plane loops below share: row(oh) at the start of each output row, then
// tap(oh, t, ih, woff, ow0, ow1) for each kernel tap t = i·kw + j whose input row ih lies inside
// the plane (woff, ow0, ow1 as dw_cols gives them).
template <typename G, typename Row, typename Tap>
inline void dw_each_tap(const G& g, Row row, Tap tap) {
  for (int64_t oh = 0; oh < g.Ho; oh++) {
    row(oh);
    for (int64_t i = 0; i < g.kh; i++) {
      const int64_t ih = oh * g.sh - g.ph + i * g.dh;
      if (ih < 0 || ih >= g.H) continue;
      for (int64_t j = 0; j < g.kw; j++) {
        int64_t woff, ow0, ow1;
        dw_cols(g, j, woff, ow0, ow1);
        tap(oh, i * g.kw + j, ih, woff, ow0, ow1);
      }
    }
  }
}

// y [Ho, Wo] = bias + Σ_ij w[i,j]·x[oh·sh - ph + i·dh, ow·sw - pw + j·dw] for one plane.
template <typename T, typename G>
void dw_forward_plane(const G& g, const T* x, const T* w, T bias, T* y) {
  dw_each_tap(
      g, [&](int64_t oh) { std::fill(y + oh * g.Wo, y + (oh + 1) * g.Wo, bias); },
      [&](int64_t oh, int64_t t, int64_t ih, int64_t woff, int64_t ow0, int64_t ow1) {
        T* __restrict yr = y + oh * g.Wo;
        const T wv = w[t];
        const T* __restrict xr = x + ih * g.W + woff;
        if (g.sw == 1) {
          for (int64_t ow = ow0; ow < ow1; ow++) yr[ow] += wv * xr[ow];
        } else {
          const int64_t s = g.sw;
          for (int64_t ow = ow0; ow < ow1; ow++) yr[ow] += wv * xr[ow * s];
        }
      });
}

// dx [H, W] += the adjoint of dw_forward_plane applied to gy [Ho, Wo] (no bias).
template <typename T, typename G>
void dw_input_grad_plane(const G& g, const T* gy, const T* w, T* dx) {
  dw_each_tap(
      g, [](int64_t) {},
      [&](int64_t oh, int64_t t, int64_t ih, int64_t woff, int64_t ow0, int64_t ow1) {
        const T* __restrict gr = gy + oh * g.Wo;
        const T wv = w[t];
        T* __restrict xr = dx + ih * g.W + woff;
        if (g.sw == 1) {
          for (int64_t ow = ow0; ow < ow1; ow++) xr[ow] += wv * gr[ow];
        } else {
          const int64_t s = g.sw;
          for (int64_t ow = ow0; ow < ow1; ow++) xr[ow * s] += wv * gr[ow];
        }
      });
}

// acc [kh·kw, Wo] += per tap, the products gy[oh, ow]·x[ih, iw] summed over the output rows only
// (an elementwise multiply-add that vectorizes without reassociating a reduction); the caller
// sums each tap's row once at the end, over all samples.
template <typename T, typename G>
void dw_weight_grad_plane(const G& g, const T* x, const T* gy, T* acc) {
  dw_each_tap(
      g, [](int64_t) {},
      [&](int64_t oh, int64_t t, int64_t ih, int64_t woff, int64_t ow0, int64_t ow1) {
        const T* __restrict gr = gy + oh * g.Wo;
        T* __restrict ar = acc + t * g.Wo;
        const T* __restrict xr = x + ih * g.W + woff;
        if (g.sw == 1) {
          for (int64_t ow = ow0; ow < ow1; ow++) ar[ow] += gr[ow] * xr[ow];
        } else {
          const int64_t s = g.sw;
          for (int64_t ow = ow0; ow < ow1; ow++) ar[ow] += gr[ow] * xr[ow * s];
        }
      });
}

// ---------------------------------------------------------------------------------------------
// 3x3, stride 1, dilation 1, padding <= 2 (MobileNet-style layers; ops_conv.cpp's
// depthwise3_fits), on a zero-padded copy of the plane so that
// every output column is interior: one pass with all 9 taps per output (the per-tap loops above
// load and store each output row 9 times, about 3x slower on [8,128,56,56]).

// A per-thread scratch of at least n elements (planes are small; reused across calls).
template <typename T>
T* dw3_scratch(size_t slot, size_t n) {
  thread_local std::vector<T> buf[2];
  if (buf[slot].size() < n) buf[slot].resize(n);
  return buf[slot].data();
}

// dst [Hp, Wp] = src [H, W] placed at (top, left), zeros around.
template <typename T>
void dw3_pad(const T* src, int64_t H, int64_t W, int64_t top, int64_t left, int64_t Hp, int64_t Wp,
             T* dst) {
  std::fill(dst, dst + Hp * Wp, T(0));
  for (int64_t h = 0; h < H; h++) {
    const int64_t r = h + top;
    if (r < 0 || r >= Hp) continue;
    for (int64_t w = 0; w < W; w++) {
      const int64_t c = w + left;
      if (c >= 0 && c < Wp) dst[r * Wp + c] = src[h * W + w];
    }
  }
}

// out [R, Cn] (row stride Cn) = init + Σ_ij k[i,j]·p[r + i, c + j], p with row stride Wp;
// init is out itself when accumulate, else `bias`.
template <typename T>
void dw3_corr(const T* p, int64_t Wp, int64_t R, int64_t Cn, const T* k, bool accumulate, T bias,
              T* out) {
  const T k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4], k5 = k[5], k6 = k[6], k7 = k[7],
          k8 = k[8];
  for (int64_t r = 0; r < R; r++) {
    const T* __restrict a = p + r * Wp;
    const T* __restrict b = a + Wp;
    const T* __restrict c = b + Wp;
    T* __restrict o = out + r * Cn;
    for (int64_t q = 0; q < Cn; q++) {
      T s = accumulate ? o[q] : bias;
      s += k0 * a[q] + k1 * a[q + 1] + k2 * a[q + 2];
      s += k3 * b[q] + k4 * b[q + 1] + k5 * b[q + 2];
      s += k6 * c[q] + k7 * c[q + 1] + k8 * c[q + 2];
      o[q] = s;
    }
  }
}

template <typename T, typename G>
void dw3_forward_plane(const G& g, const T* x, const T* w, T bias, T* y) {
  const int64_t Hp = g.H + 2 * g.ph, Wp = g.W + 2 * g.pw;
  T* xp = dw3_scratch<T>(0, size_t(Hp * Wp));
  dw3_pad(x, g.H, g.W, g.ph, g.pw, Hp, Wp, xp);
  dw3_corr(xp, Wp, g.Ho, g.Wo, w, false, bias, y);
}

// dx += the flipped kernel correlated over gy padded by 2 - p: dx[h,w] = Σ_ij w[i,j]·gy[h+p-i, w+p-j].
template <typename T, typename G>
void dw3_input_grad_plane(const G& g, const T* gy, const T* w, T* dx) {
  const int64_t qh = 2 - g.ph, qw = 2 - g.pw;
  const int64_t Hp = g.Ho + 2 * qh, Wp = g.Wo + 2 * qw;
  T* gp = dw3_scratch<T>(0, size_t(Hp * Wp));
  dw3_pad(gy, g.Ho, g.Wo, qh, qw, Hp, Wp, gp);
  const T k[9] = {w[8], w[7], w[6], w[5], w[4], w[3], w[2], w[1], w[0]};
  dw3_corr(gp, Wp, g.H, g.W, k, true, T(0), dx);
}

// acc[t·Wo] += Σ gy[oh,ow]·x[oh - ph + i, ow - pw + j] for the 9 taps t = 3i + j (the caller sums
// each tap's acc row). gy is laid on the padded input's row stride with zeros in the extra
// columns, so each tap is one unit-stride dot product over the whole plane, all 9 in one pass.
template <typename T, typename G>
void dw3_weight_grad_plane(const G& g, const T* x, const T* gy, T* acc) {
  const int64_t Hp = g.H + 2 * g.ph, Wp = g.W + 2 * g.pw;
  T* xp = dw3_scratch<T>(0, size_t(Hp * Wp));
  dw3_pad(x, g.H, g.W, g.ph, g.pw, Hp, Wp, xp);
  T* gw = dw3_scratch<T>(1, size_t(g.Ho * Wp));
  dw3_pad(gy, g.Ho, g.Wo, 0, 0, g.Ho, Wp, gw);
  const int64_t n = (g.Ho - 1) * Wp + g.Wo;
  T part[9][16] = {};
  const T* __restrict r0 = xp;
  const T* __restrict r1 = xp + Wp;
  const T* __restrict r2 = xp + 2 * Wp;
  const T* __restrict gv = gw;
  int64_t q = 0;
  for (; q + 16 <= n; q += 16) {
    for (int k = 0; k < 16; k++) {
      const T v = gv[q + k];
      part[0][k] += v * r0[q + k];
      part[1][k] += v * r0[q + k + 1];
      part[2][k] += v * r0[q + k + 2];
      part[3][k] += v * r1[q + k];
      part[4][k] += v * r1[q + k + 1];
      part[5][k] += v * r1[q + k + 2];
      part[6][k] += v * r2[q + k];
      part[7][k] += v * r2[q + k + 1];
      part[8][k] += v * r2[q + k + 2];
    }
  }
  T s[9] = {};
  for (; q < n; q++)
    for (int t = 0; t < 9; t++) s[t] += gv[q] * xp[(t / 3) * Wp + t % 3 + q];
  for (int t = 0; t < 9; t++) {
    for (int k = 0; k < 16; k++) s[t] += part[t][k];
    acc[t * g.Wo] += s[t];
  }
}
