// Winograd F(4x4,3x3) transforms, compiled once per SIMD level (per_isa.h, included from
// ops_conv.cpp; no include guard). Laid out like conv_winograd_body.h's F(2x2) ones: the planes
// are split by residue mod 4 first (the only strided step), then one unit-stride loop over all
// tiles of a sample plane, which the compiler vectorizes. Uses TF_WINO_IVDEP from
// conv_winograd_body.h (included first).

#ifndef TF_W43_UNROLL
// The 6x6 tile loops must be unrolled whole before the tile loop is vectorized; GCC's own
// heuristics leave them rolled and the tile loop scalar (measured 2x slower transforms).
#if defined(__clang__)
#define TF_W43_UNROLL _Pragma("clang loop unroll(full)")
#elif defined(__GNUC__)
#define TF_W43_UNROLL _Pragma("GCC unroll 8")
#else
#define TF_W43_UNROLL
#endif
#endif

namespace w43 {

// Bᵀ·d of one column of 6, Bᵀ rows (4,0,-5,0,1,0), (0,-4,-4,1,1,0), (0,4,-4,-1,1,0),
// (0,-2,-1,2,1,0), (0,2,-1,-2,1,0), (0,4,0,-5,0,1).
template <typename T>
inline void bt6(const T* d, T* t) {
  const T a = d[3] + d[4], b = d[1] + d[2], c = d[4] - d[3], e = d[1] - d[2];
  const T f = d[4] - d[2], g = d[3] - d[1];
  t[0] = T(4) * d[0] - T(5) * d[2] + d[4];
  t[1] = a - T(4) * b;
  t[2] = c + T(4) * e;
  t[3] = f + T(2) * g;
  t[4] = f - T(2) * g;
  t[5] = T(4) * d[1] - T(5) * d[3] + d[5];
}

// B·v (the adjoint of bt6).
template <typename T>
inline void b6(const T* v, T* d) {
  d[0] = T(4) * v[0];
  d[1] = T(4) * (v[2] - v[1] + v[5]) + T(2) * (v[4] - v[3]);
  d[2] = -T(5) * v[0] - T(4) * (v[1] + v[2]) - v[3] - v[4];
  d[3] = v[1] - v[2] + T(2) * (v[3] - v[4]) - T(5) * v[5];
  d[4] = v[0] + v[1] + v[2] + v[3] + v[4];
  d[5] = v[5];
}

// Aᵀ·m (6 -> 4), Aᵀ rows (1,1,1,1,1,0), (0,1,-1,2,-2,0), (0,1,1,4,4,0), (0,1,-1,8,-8,1).
template <typename T>
inline void at6(const T* m, T* o) {
  const T p = m[1] + m[2], q = m[1] - m[2], r = m[3] + m[4], s = m[3] - m[4];
  o[0] = m[0] + p + r;
  o[1] = q + T(2) * s;
  o[2] = p + T(4) * r;
  o[3] = q + T(8) * s + m[5];
}

// A·g (4 -> 6), the adjoint of at6.
template <typename T>
inline void a6(const T* g, T* m) {
  const T e = g[0] + g[2], o = g[1] + g[3], e4 = g[0] + T(4) * g[2], o8 = T(2) * g[1] + T(8) * g[3];
  m[0] = g[0];
  m[1] = e + o;
  m[2] = e - o;
  m[3] = e4 + o8;
  m[4] = e4 - o8;
  m[5] = g[3];
}

}  // namespace w43

// V [36][C][T] for samples [n0, n1): Bᵀ·d·B of each 6x6 input tile. Each zero-padded input plane
// is first split into 16 residue planes R(i, j) (rows ≡ i, columns ≡ j mod 4) of 4x4 blocks, tw
// blocks a row, and 8 planes H(i, j) (j < 2) holding R(i, j)'s blocks shifted by one column (the
// next block's entries, which a tile's columns 4 and 5 read; block tw is needed only there);
// tile t then reads R(i mod 4, j)[t + (i / 4)·tw] for its entry (i, j < 4) and
// H(i mod 4, j - 4)[t + (i / 4)·tw] for j >= 4. scratch: Geom::scratch().
template <typename T>
void transform_input43(const wino43::Geom& G, const T* x, int64_t n0, int64_t n1, T* V,
                       T* scratch) {
  const int64_t TH = G.th(), TW = G.tw(), tiles = G.tiles(), Tn = (n1 - n0) * tiles;
  const int64_t plane = G.C * Tn, RP = G.rplane(), L = tiles;
  // Column blocks k in [k_lo, k_hi) lie wholly inside the input row.
  const int64_t k_lo = std::min<int64_t>(TW, (G.pw + 3) / 4);
  const int64_t k_hi =
      std::max<int64_t>(k_lo, std::min<int64_t>(TW, G.W - 4 + G.pw >= 0 ? (G.W - 4 + G.pw) / 4 + 1 : 0));
  for (int64_t n = n0; n < n1; n++) {
    for (int64_t c = 0; c < G.C; c++) {
      const T* xc = x + (n * G.C + c) * G.H * G.W;
      if (n + 1 < n1 || c + 1 < G.C) wino_loops::prefetch_plane(xc + G.H * G.W, G.H * G.W);
      for (int64_t r = 0; r < 4 * (TH + 1); r++) {
        T* __restrict R0 = scratch + (r & 3) * 4 * RP + (r >> 2) * TW;
        T* __restrict R1 = R0 + RP;
        T* __restrict R2 = R0 + 2 * RP;
        T* __restrict R3 = R0 + 3 * RP;
        T* __restrict H0 = scratch + (16 + (r & 3) * 2) * RP + (r >> 2) * TW;
        T* __restrict H1 = H0 + RP;
        const int64_t h = r - G.ph;
        if (h < 0 || h >= G.H) {
          std::fill(R0, R0 + TW, T(0));
          std::fill(R1, R1 + TW, T(0));
          std::fill(R2, R2 + TW, T(0));
          std::fill(R3, R3 + TW, T(0));
          std::fill(H0, H0 + TW, T(0));
          std::fill(H1, H1 + TW, T(0));
          continue;
        }
        const T* row = xc + h * G.W;
        for (int64_t k = 0; k < TW; k++) {
          if (k == k_lo && k_hi > k_lo) {
            const T* __restrict src = row + 4 * k_lo - G.pw;
            for (; k < k_hi; k++) {
              const T* p = src + 4 * (k - k_lo);
              R0[k] = p[0];
              R1[k] = p[1];
              R2[k] = p[2];
              R3[k] = p[3];
            }
            if (k >= TW) break;
          }
          const int64_t w = 4 * k - G.pw;
          R0[k] = (w >= 0 && w < G.W) ? row[w] : T(0);
          R1[k] = (w + 1 >= 0 && w + 1 < G.W) ? row[w + 1] : T(0);
          R2[k] = (w + 2 >= 0 && w + 2 < G.W) ? row[w + 2] : T(0);
          R3[k] = (w + 3 >= 0 && w + 3 < G.W) ? row[w + 3] : T(0);
        }
        // From the row again, not copied from R0 / R1: vector loads of the scalar stores just
        // made there fail store forwarding (perf: 6% of this transform on one load).
        for (int64_t k = 0; k < TW; k++) {
          const int64_t w = 4 * (k + 1) - G.pw;
          H0[k] = (w >= 0 && w < G.W) ? row[w] : T(0);
          H1[k] = (w + 1 >= 0 && w + 1 < G.W) ? row[w + 1] : T(0);
        }
      }
      T* __restrict dst = V + c * Tn + (n - n0) * tiles;
      const T* __restrict R = scratch;
      const T* __restrict Hs = scratch + 16 * RP;
      TF_WINO_IVDEP
      for (int64_t q = 0; q < L; q++) {
        T t[6][6];  // t[j] = Bᵀ·(column j of the tile)
        TF_W43_UNROLL
        for (int j = 0; j < 6; j++) {
          T d[6];
          TF_W43_UNROLL
          for (int i = 0; i < 6; i++)
            d[i] = j < 4 ? R[((i & 3) * 4 + j) * RP + q + (i >> 2) * TW]
                         : Hs[((i & 3) * 2 + (j - 4)) * RP + q + (i >> 2) * TW];
          w43::bt6(d, t[j]);
        }
        TF_W43_UNROLL
        for (int i = 0; i < 6; i++) {
          T row6[6], u[6];
          TF_W43_UNROLL
          for (int j = 0; j < 6; j++) row6[j] = t[j][i];
          w43::bt6(row6, u);
          TF_W43_UNROLL
          for (int j = 0; j < 6; j++) dst[(i * 6 + j) * plane + q] = u[j];
        }
      }
    }
  }
}

// y for samples [n0, n1) from M [36][O][T]: Aᵀ·m·A of each tile plus bias (may be null); the
// tiles' rows and columns beyond Ho, Wo are cut. The 4x4 results go to 16 planes in one
// unit-stride loop, then are interleaved into y. scratch: Geom::scratch().
template <typename T>
void transform_output43(const wino43::Geom& G, const T* M, const T* bias, int64_t n0, int64_t n1,
                        T* y, T* scratch) {
  const int64_t TW = G.tw(), tiles = G.tiles(), Tn = (n1 - n0) * tiles;
  const int64_t plane = G.O * Tn, L = tiles;
  T* __restrict res = scratch;
  for (int64_t n = n0; n < n1; n++) {
    for (int64_t o = 0; o < G.O; o++) {
      const T* __restrict m = M + o * Tn + (n - n0) * tiles;
      const T bo = bias ? bias[o] : T(0);
      TF_WINO_IVDEP
      for (int64_t q = 0; q < L; q++) {
        T t[6][4];  // t[j] = Aᵀ·(column j)
        TF_W43_UNROLL
        for (int j = 0; j < 6; j++) {
          T v[6];
          TF_W43_UNROLL
          for (int i = 0; i < 6; i++) v[i] = m[(i * 6 + j) * plane + q];
          w43::at6(v, t[j]);
        }
        TF_W43_UNROLL
        for (int i = 0; i < 4; i++) {
          T v[6], u[4];
          TF_W43_UNROLL
          for (int j = 0; j < 6; j++) v[j] = t[j][i];
          w43::at6(v, u);
          TF_W43_UNROLL
          for (int j = 0; j < 4; j++) res[(i * 4 + j) * L + q] = u[j] + bo;
        }
      }
      T* yo = y + (n * G.O + o) * G.Ho * G.Wo;
      for (int64_t h = 0; h < G.Ho; h++) {
        T* __restrict yr = yo + h * G.Wo;
        const T* src = res + (h & 3) * 4 * L + (h >> 2) * TW;
        const T *__restrict s0 = src, *__restrict s1 = src + L, *__restrict s2 = src + 2 * L,
                *__restrict s3 = src + 3 * L;
        const int64_t full = G.Wo / 4;
        for (int64_t b = 0; b < full; b++) {
          yr[4 * b] = s0[b];
          yr[4 * b + 1] = s1[b];
          yr[4 * b + 2] = s2[b];
          yr[4 * b + 3] = s3[b];
        }
        for (int64_t w = 4 * full; w < G.Wo; w++) yr[w] = src[(w & 3) * L + (w >> 2)];
      }
    }
  }
}

// dM [36][O][T] for samples [n0, n1) of gy: the adjoint of transform_output43, A·g·Aᵀ of each
// 4x4 gradient tile (zero beyond Ho, Wo, so they add nothing).
// scratch: Geom::scratch(); writes only the first th·tw entries of its 16 planes.
template <typename T>
void transform_grad43(const wino43::Geom& G, const T* gy, int64_t n0, int64_t n1, T* dM,
                      T* scratch) {
  const int64_t TH = G.th(), TW = G.tw(), tiles = G.tiles(), Tn = (n1 - n0) * tiles;
  const int64_t plane = G.O * Tn, RP = G.rplane(), L = tiles;
  for (int64_t n = n0; n < n1; n++) {
    for (int64_t o = 0; o < G.O; o++) {
      const T* go = gy + (n * G.O + o) * G.Ho * G.Wo;
      if (n + 1 < n1 || o + 1 < G.O) wino_loops::prefetch_plane(go + G.Ho * G.Wo, G.Ho * G.Wo);
      for (int64_t r = 0; r < 4 * TH; r++) {
        T* __restrict R0 = scratch + (r & 3) * 4 * RP + (r >> 2) * TW;
        if (r >= G.Ho) {
          TF_W43_UNROLL
          for (int j = 0; j < 4; j++) std::fill(R0 + j * RP, R0 + j * RP + TW, T(0));
          continue;
        }
        const T* __restrict row = go + r * G.Wo;
        T* __restrict R1 = R0 + RP;
        T* __restrict R2 = R0 + 2 * RP;
        T* __restrict R3 = R0 + 3 * RP;
        const int64_t full = G.Wo / 4;  // blocks wholly inside the row
        for (int64_t k = 0; k < full; k++) {
          R0[k] = row[4 * k];
          R1[k] = row[4 * k + 1];
          R2[k] = row[4 * k + 2];
          R3[k] = row[4 * k + 3];
        }
        for (int64_t k = full; k < TW; k++)
          for (int j = 0; j < 4; j++) {
            const int64_t w = 4 * k + j;
            R0[j * RP + k] = w < G.Wo ? row[w] : T(0);
          }
      }
      T* __restrict dst = dM + o * Tn + (n - n0) * tiles;
      const T* __restrict R = scratch;
      TF_WINO_IVDEP
      for (int64_t q = 0; q < L; q++) {
        T t[4][6];  // t[j] = A·(column j of the 4x4 gradient)
        TF_W43_UNROLL
        for (int j = 0; j < 4; j++) {
          T g[4];
          TF_W43_UNROLL
          for (int i = 0; i < 4; i++) g[i] = R[(i * 4 + j) * RP + q];
          w43::a6(g, t[j]);
        }
        TF_W43_UNROLL
        for (int i = 0; i < 6; i++) {
          T g[4], u[6];
          TF_W43_UNROLL
          for (int j = 0; j < 4; j++) g[j] = t[j][i];
          w43::a6(g, u);
          TF_W43_UNROLL
          for (int j = 0; j < 6; j++) dst[(i * 6 + j) * plane + q] = u[j];
        }
      }
    }
  }
}

// dx for samples [n0, n1) from dV [36][C][T]: the adjoint of transform_input43, B·dV·Bᵀ of each
// tile added back onto its 6x6 window (neighbouring windows overlap by 2). The 36 products go to
// zero-bordered planes; residue plane entry p (block row a, column b < tw) then gathers tile p's
// (i, j), tile p - 1's (i, j + 4) when b > 0, tile p - tw's (i + 4, j) and tile p - tw - 1's
// (i + 4, j + 4) when b > 0 (the b = 0 entries, which read the previous row's last tile there,
// are redone without those terms); block column tw gets only the last tiles' columns 4 and 5.
// The residues are then interleaved into dx (padding dropped). Writes all of dx.
// scratch: Geom::scratch_adjoint().
template <typename T>
void transform_input_adjoint43(const wino43::Geom& G, const T* dV, int64_t n0, int64_t n1, T* dx,
                               T* scratch) {
  const int64_t TH = G.th(), TW = G.tw(), tiles = G.tiles(), Tn = (n1 - n0) * tiles;
  const int64_t plane = G.C * Tn, L = tiles, DL = G.dl(), RP = G.rplane();
  const int64_t Q = (TH + 1) * TW;
  T* D = scratch;
  T* res = scratch + 36 * DL;
  T* last = res + 16 * RP;  // [16][TH + 1]: block column tw of each residue plane
  for (int k = 0; k < 36; k++) {
    std::fill(D + k * DL, D + k * DL + TW + 1, T(0));
    std::fill(D + k * DL + TW + 1 + L, D + (k + 1) * DL, T(0));
  }
  std::fill(last, last + 16 * (TH + 1), T(0));  // residues j >= 2 stay zero there
  for (int64_t n = n0; n < n1; n++) {
    for (int64_t c = 0; c < G.C; c++) {
      const T* __restrict src = dV + c * Tn + (n - n0) * tiles;
      T* __restrict d = D + TW + 1;
      TF_WINO_IVDEP
      for (int64_t q = 0; q < L; q++) {
        T t[6][6];  // t[j] = B·(column j)
        TF_W43_UNROLL
        for (int j = 0; j < 6; j++) {
          T v[6];
          TF_W43_UNROLL
          for (int i = 0; i < 6; i++) v[i] = src[(i * 6 + j) * plane + q];
          w43::b6(v, t[j]);
        }
        TF_W43_UNROLL
        for (int i = 0; i < 6; i++) {
          T v[6], u[6];
          TF_W43_UNROLL
          for (int j = 0; j < 6; j++) v[j] = t[j][i];
          w43::b6(v, u);
          TF_W43_UNROLL
          for (int j = 0; j < 6; j++) d[(i * 6 + j) * DL + q] = u[j];
        }
      }
      TF_W43_UNROLL
      for (int i = 0; i < 4; i++) {
        TF_W43_UNROLL
        for (int j = 0; j < 4; j++) {
          T* __restrict out = res + (i * 4 + j) * RP;
          const T* a0 = d + (i * 6 + j) * DL;
          if (i < 2 && j < 2) {
            const T* a1 = d + (i * 6 + j + 4) * DL - 1;
            const T* a2 = d + ((i + 4) * 6 + j) * DL - TW;
            const T* a3 = d + ((i + 4) * 6 + j + 4) * DL - TW - 1;
            TF_WINO_IVDEP
            for (int64_t p = 0; p < Q; p++) out[p] = a0[p] + a1[p] + a2[p] + a3[p];
            for (int64_t p = 0; p < Q; p += TW) out[p] = a0[p] + a2[p];
            T* lc = last + (i * 4 + j) * (TH + 1);
            for (int64_t r = 0; r <= TH; r++) lc[r] = a1[r * TW + TW] + a3[r * TW + TW];
          } else if (i < 2) {
            const T* a2 = d + ((i + 4) * 6 + j) * DL - TW;
            TF_WINO_IVDEP
            for (int64_t p = 0; p < Q; p++) out[p] = a0[p] + a2[p];
          } else if (j < 2) {
            const T* a1 = d + (i * 6 + j + 4) * DL - 1;
            TF_WINO_IVDEP
            for (int64_t p = 0; p < Q; p++) out[p] = a0[p] + a1[p];
            for (int64_t p = 0; p < Q; p += TW) out[p] = a0[p];
            T* lc = last + (i * 4 + j) * (TH + 1);
            for (int64_t r = 0; r <= TH; r++) lc[r] = a1[r * TW + TW];
          } else {
            std::copy(a0, a0 + Q, out);
          }
        }
      }
      // Entry (row rr, column col) of the padded plane; block column tw lives in `last`.
      auto at = [&](int64_t rr, int64_t col) -> T {
        const int64_t k = col >> 2, rc = (rr & 3) * 4 + (col & 3);
        return k < TW ? res[rc * RP + (rr >> 2) * TW + k] : last[rc * (TH + 1) + (rr >> 2)];
      };
      T* xc = dx + (n * G.C + c) * G.H * G.W;
      for (int64_t h = 0; h < G.H; h++) {
        const int64_t rr = h + G.ph;
        const T* src_row = res + (rr & 3) * 4 * RP + (rr >> 2) * TW;
        T* row = xc + h * G.W;
        // Columns in whole residue blocks first (unit-stride per residue; never block tw, which
        // holds at most 2 columns of the input), then the rest.
        const int64_t w_lo = std::min<int64_t>(G.W, (4 - G.pw % 4) % 4);
        for (int64_t w = 0; w < w_lo; w++) row[w] = at(rr, w + G.pw);
        const int64_t blocks = (G.W - w_lo) / 4, k0 = (w_lo + G.pw) >> 2;
        const T *__restrict s0 = src_row + k0, *__restrict s1 = s0 + RP, *__restrict s2 = s0 + 2 * RP,
                *__restrict s3 = s0 + 3 * RP;
        T* __restrict dstw = row + w_lo;
        for (int64_t b = 0; b < blocks; b++) {
          dstw[4 * b] = s0[b];
          dstw[4 * b + 1] = s1[b];
          dstw[4 * b + 2] = s2[b];
          dstw[4 * b + 3] = s3[b];
        }
        for (int64_t w = w_lo + 4 * blocks; w < G.W; w++) row[w] = at(rr, w + G.pw);
      }
    }
  }
}
