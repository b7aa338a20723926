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

// y [Ho, Wo] = bias + Σ_ij w[i,j]·x[oh·sh - ph + i·dh, ow·sw - pw + j·dw] for one plane.
template <typename T, typename G>
void dw_forward_plane(const G& g, const T* x, const T* w, T bias, T* y) {
  for (int64_t oh = 0; oh < g.Ho; oh++) {
    T* __restrict yr = y + oh * g.Wo;
    for (int64_t ow = 0; ow < g.Wo; ow++) yr[ow] = bias;
    for (int64_t i = 0; i < g.kh; i++) {
      const int64_t ih = oh * g.sh - g.ph + i * g.dh;
      if (ih < 0 || ih >= g.H) continue;
      for (int64_t j = 0; j < g.kw; j++) {
        int64_t woff, ow0, ow1;
        dw_cols(g, j, woff, ow0, ow1);
        const T wv = w[i * g.kw + j];
        const T* __restrict xr = x + ih * g.W + woff;
        if (g.sw == 1) {
          for (int64_t ow = ow0; ow < ow1; ow++) yr[ow] += wv * xr[ow];
        } else {
          const int64_t s = g.sw;
          for (int64_t ow = ow0; ow < ow1; ow++) yr[ow] += wv * xr[ow * s];
        }
      }
    }
  }
}

// dx [H, W] += the adjoint of dw_forward_plane applied to gy [Ho, Wo] (no bias).
template <typename T, typename G>
void dw_input_grad_plane(const G& g, const T* gy, const T* w, T* dx) {
  for (int64_t oh = 0; oh < g.Ho; oh++) {
    const T* __restrict gr = gy + oh * g.Wo;
    for (int64_t i = 0; i < g.kh; i++) {
      const int64_t ih = oh * g.sh - g.ph + i * g.dh;
      if (ih < 0 || ih >= g.H) continue;
      for (int64_t j = 0; j < g.kw; j++) {
        int64_t woff, ow0, ow1;
        dw_cols(g, j, woff, ow0, ow1);
        const T wv = w[i * g.kw + j];
        T* __restrict xr = dx + ih * g.W + woff;
        if (g.sw == 1) {
          for (int64_t ow = ow0; ow < ow1; ow++) xr[ow] += wv * gr[ow];
        } else {
          const int64_t s = g.sw;
          for (int64_t ow = ow0; ow < ow1; ow++) xr[ow * s] += wv * gr[ow];
        }
      }
    }
  }
}

// acc [kh·kw, Wo] += per tap, the products gy[oh, ow]·x[ih, iw] summed over the output rows only
// (an elementwise multiply-add that vectorizes without reassociating a reduction); the caller
// sums each tap's row once at the end, over all samples.
template <typename T, typename G>
void dw_weight_grad_plane(const G& g, const T* x, const T* gy, T* acc) {
  for (int64_t oh = 0; oh < g.Ho; oh++) {
    const T* __restrict gr = gy + oh * g.Wo;
    for (int64_t i = 0; i < g.kh; i++) {
      const int64_t ih = oh * g.sh - g.ph + i * g.dh;
      if (ih < 0 || ih >= g.H) continue;
      for (int64_t j = 0; j < g.kw; j++) {
        int64_t woff, ow0, ow1;
        dw_cols(g, j, woff, ow0, ow1);
        T* __restrict ar = acc + (i * g.kw + j) * g.Wo;
        const T* __restrict xr = x + ih * g.W + woff;
        if (g.sw == 1) {
          for (int64_t ow = ow0; ow < ow1; ow++) ar[ow] += gr[ow] * xr[ow];
        } else {
          const int64_t s = g.sw;
          for (int64_t ow = ow0; ow < ow1; ow++) ar[ow] += gr[ow] * xr[ow * s];
        }
      }
    }
  }
}
