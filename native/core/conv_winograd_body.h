// Winograd F(2x2,3x3) input and output transforms, compiled once per SIMD level (per_isa.h,
// included from ops_conv.cpp; no include guard). Plain loops laid out for the compiler to
// vectorize under the AVX2 / AVX-512 target pragmas: one unit-stride loop over all tiles of a
// sample plane (tile rows wino::Geom::s() apart). Only additions and subtractions (no FMA to
// contract), so every level computes the same bits. Tile-at-a-time scalar transforms took 2x as
// long as the 16 GEMMs they feed; these take about half as long (MNIST net's second layer).
// Splitting the input transform's 16 store streams into two passes of 8 measured 5-10% slower.

// The 16 planes are one array to the compiler: without this it does not prove the stores
// independent and leaves the loops scalar.
#ifndef TF_WINO_IVDEP
#if defined(__clang__)
#define TF_WINO_IVDEP _Pragma("clang loop vectorize(assume_safety)")
#elif defined(__GNUC__)
#define TF_WINO_IVDEP _Pragma("GCC ivdep")
#else
#define TF_WINO_IVDEP
#endif
#endif

// V [16][C][T] for samples [n0, n1) of x, T = (n1 - n0)·tiles: Bᵀ·d·B of each 4x4 input tile,
// Bᵀ = [[1,0,-1,0],[0,1,1,0],[0,-1,1,0],[0,1,0,-1]]. Each zero-padded input plane is first split
// by row and column parity into 4 quarter planes of (th + 2) x s (only this split is strided):
// then tile t = a·s + b reads quarter entries t, t + 1, t + s and t + s + 1.
// scratch: 4·(th + 2)·s, zero-filled by the caller (the last quarter row stays zero).
template <typename T>
void transform_input(const wino::Geom& G, const T* x, int64_t n0, int64_t n1, T* V, T* scratch) {
  const int64_t TH = G.th(), S = G.s(), tiles = G.tiles(), Tn = (n1 - n0) * tiles;
  const int64_t plane = G.C * Tn;  // stride of one of the 16 products in V
  const int64_t Q = (TH + 2) * S;  // one quarter plane
  T* __restrict ee = scratch;        // even rows, even columns
  T* __restrict eo = scratch + Q;    // even rows, odd columns
  T* __restrict oe = scratch + 2 * Q;
  T* __restrict oo = scratch + 3 * Q;
  // Column pairs k in [k_lo, k_hi) lie wholly inside the input row (no bounds tests there).
  const int64_t k_lo = std::min<int64_t>(S, (G.pw + 1) / 2);
  const int64_t k_hi = std::max<int64_t>(k_lo, std::min<int64_t>(S, (G.W - 2 + G.pw) / 2 + 1));
  for (int64_t n = n0; n < n1; n++) {
    for (int64_t c = 0; c < G.C; c++) {
      const T* xc = x + (n * G.C + c) * G.H * G.W;
      if (n + 1 < n1 || c + 1 < G.C) wino_loops::prefetch_plane(xc + G.H * G.W, G.H * G.W);
      for (int64_t r = 0; r < 2 * (TH + 1); r++) {
        T* e = ((r & 1) ? oe : ee) + (r >> 1) * S;
        T* o = ((r & 1) ? oo : eo) + (r >> 1) * S;
        const int64_t h = r - G.ph;
        if (h < 0 || h >= G.H) {
          std::fill(e, e + S, T(0));
          std::fill(o, o + S, T(0));
          continue;
        }
        const T* row = xc + h * G.W;
        for (int64_t k = 0; k < S; k++) {
          if (k == k_lo && k_hi > k_lo) {
            const T* src = row + 2 * k_lo - G.pw;
            for (; k < k_hi; k++) {
              e[k] = src[2 * (k - k_lo)];
              o[k] = src[2 * (k - k_lo) + 1];
            }
            if (k >= S) break;
          }
          const int64_t w = 2 * k - G.pw;
          e[k] = (w >= 0 && w < G.W) ? row[w] : T(0);
          o[k] = (w + 1 >= 0 && w + 1 < G.W) ? row[w + 1] : T(0);
        }
      }
      T* __restrict dst = V + c * Tn + (n - n0) * tiles;
      const int64_t L = TH * S;
      TF_WINO_IVDEP
      for (int64_t q = 0; q < L; q++) {
        // Rows 2a..2a+3 of columns 2b..2b+3 are (ee|eo|oe|oo)[q], [q+1], [q+S], [q+S+1].
        // t = Bᵀ·d over rows, for each of the 4 columns.
        T t[4][4];
        const T d0[4] = {ee[q], eo[q], ee[q + 1], eo[q + 1]};
        const T d1[4] = {oe[q], oo[q], oe[q + 1], oo[q + 1]};
        const T d2[4] = {ee[q + S], eo[q + S], ee[q + S + 1], eo[q + S + 1]};
        const T d3[4] = {oe[q + S], oo[q + S], oe[q + S + 1], oo[q + S + 1]};
        for (int j = 0; j < 4; j++) {
          t[0][j] = d0[j] - d2[j];
          t[1][j] = d1[j] + d2[j];
          t[2][j] = d2[j] - d1[j];
          t[3][j] = d1[j] - d3[j];
        }
        for (int i = 0; i < 4; i++) {
          dst[(i * 4 + 0) * plane + q] = t[i][0] - t[i][2];
          dst[(i * 4 + 1) * plane + q] = t[i][1] + t[i][2];
          dst[(i * 4 + 2) * plane + q] = t[i][2] - t[i][1];
          dst[(i * 4 + 3) * plane + q] = t[i][1] - t[i][3];
        }
      }
    }
  }
}

// y for samples [n0, n1) from M [16][O][T]: Aᵀ·m·A of each tile, Aᵀ = [[1,1,1,0],[0,1,-1,-1]],
// plus bias (may be null); the last tile row/column is cut when Ho/Wo is odd. The 2x2 results go
// to 4 planes in one unit-stride loop, then are interleaved into y.
// scratch: 4·(th + 2)·s.
template <typename T>
void transform_output(const wino::Geom& G, const T* M, const T* bias, int64_t n0, int64_t n1, T* y,
                      T* scratch) {
  const int64_t TH = G.th(), TW = G.tw(), S = G.s(), tiles = G.tiles(), Tn = (n1 - n0) * tiles;
  const int64_t plane = G.O * Tn;
  const int64_t L = TH * S;
  T* __restrict r00 = scratch;
  T* __restrict r01 = scratch + L;
  T* __restrict r10 = scratch + 2 * L;
  T* __restrict r11 = scratch + 3 * L;
  for (int64_t n = n0; n < n1; n++) {
    for (int64_t o = 0; o < G.O; o++) {
      const T* __restrict m = M + o * Tn + (n - n0) * tiles;
      const T bo = bias ? bias[o] : T(0);
      TF_WINO_IVDEP
      for (int64_t q = 0; q < L; q++) {
        T v[4][4];
        for (int i = 0; i < 4; i++)
          for (int j = 0; j < 4; j++) v[i][j] = m[(i * 4 + j) * plane + q];
        T t[2][4];
        for (int j = 0; j < 4; j++) {
          t[0][j] = v[0][j] + v[1][j] + v[2][j];
          t[1][j] = v[1][j] - v[2][j] - v[3][j];
        }
        r00[q] = t[0][0] + t[0][1] + t[0][2] + bo;
        r01[q] = t[0][1] - t[0][2] - t[0][3] + bo;
        r10[q] = t[1][0] + t[1][1] + t[1][2] + bo;
        r11[q] = t[1][1] - t[1][2] - t[1][3] + bo;
      }
      T* yo = y + (n * G.O + o) * G.Ho * G.Wo;
      const int64_t full = G.Wo / 2;  // tiles whose both columns are inside
      for (int64_t a = 0; a < TH; a++) {
        for (int i = 0; i < 2; i++) {
          const int64_t h = 2 * a + i;
          if (h >= G.Ho) break;
          T* yr = yo + h * G.Wo;
          const T* ra = (i == 0 ? r00 : r10) + a * S;
          const T* rb = (i == 0 ? r01 : r11) + a * S;
          for (int64_t b = 0; b < full; b++) {
            yr[2 * b] = ra[b];
            yr[2 * b + 1] = rb[b];
          }
          if (full < TW) yr[2 * full] = ra[full];
        }
      }
    }
  }
}

// dM [16][O][T] for samples [n0, n1) of the output gradient gy [N, O, Ho, Wo]: the adjoint of
// transform_output, A·g·Aᵀ of each 2x2 gradient tile (zero beyond Ho/Wo and in the unused tiles,
// so they add nothing to the weight gradient). Split by parity like transform_input.
// scratch: 4·(th + 2)·s.
template <typename T>
void transform_grad(const wino::Geom& G, const T* gy, int64_t n0, int64_t n1, T* dM, T* scratch) {
  const int64_t TH = G.th(), TW = G.tw(), S = G.s(), tiles = G.tiles(), Tn = (n1 - n0) * tiles;
  const int64_t plane = G.O * Tn;
  const int64_t L = TH * S;
  T* __restrict ee = scratch;
  T* __restrict eo = scratch + L;
  T* __restrict oe = scratch + 2 * L;
  T* __restrict oo = scratch + 3 * L;
  const int64_t full = G.Wo / 2;
  for (int64_t n = n0; n < n1; n++) {
    for (int64_t o = 0; o < G.O; o++) {
      const T* go = gy + (n * G.O + o) * G.Ho * G.Wo;
      if (n + 1 < n1 || o + 1 < G.O) wino_loops::prefetch_plane(go + G.Ho * G.Wo, G.Ho * G.Wo);
      for (int64_t a = 0; a < TH; a++) {
        for (int i = 0; i < 2; i++) {
          T* e = (i == 0 ? ee : oe) + a * S;
          T* od = (i == 0 ? eo : oo) + a * S;
          const int64_t h = 2 * a + i;
          if (h >= G.Ho) {
            std::fill(e, e + S, T(0));
            std::fill(od, od + S, T(0));
            continue;
          }
          const T* row = go + h * G.Wo;
          for (int64_t b = 0; b < full; b++) {
            e[b] = row[2 * b];
            od[b] = row[2 * b + 1];
          }
          for (int64_t b = full; b < S; b++) {
            e[b] = b < TW ? row[2 * b] : T(0);  // an odd Wo's last column
            od[b] = T(0);
          }
        }
      }
      T* __restrict dst = dM + o * Tn + (n - n0) * tiles;
      TF_WINO_IVDEP
      for (int64_t q = 0; q < L; q++) {
        const T g0[2] = {ee[q], eo[q]};
        const T g1[2] = {oe[q], oo[q]};
        T u[4][2];
        for (int j = 0; j < 2; j++) {
          u[0][j] = g0[j];
          u[1][j] = g0[j] + g1[j];
          u[2][j] = g0[j] - g1[j];
          u[3][j] = -g1[j];
        }
        for (int i = 0; i < 4; i++) {
          dst[(i * 4 + 0) * plane + q] = u[i][0];
          dst[(i * 4 + 1) * plane + q] = u[i][0] + u[i][1];
          dst[(i * 4 + 2) * plane + q] = u[i][0] - u[i][1];
          dst[(i * 4 + 3) * plane + q] = -u[i][1];
        }
      }
    }
  }
}

// dx for samples [n0, n1) from dV [16][C][T]: the adjoint of transform_input, B·dV·Bᵀ of each
// tile added back onto the 4x4 input window it was read from (neighbouring windows overlap by 2).
// The 16 products of every tile go to 16 zero-bordered planes first; then each quarter plane entry
// gathers its 4 overlapping contributions (tiles p, p - 1, p - s, p - s - 1) in one conflict-free
// unit-stride loop, and the quarters are interleaved into dx (padding dropped). Writes all of dx.
// scratch: 16·(th·s + 2·s + 1) + 4·(th + 2)·s.
template <typename T>
void transform_input_adjoint(const wino::Geom& G, const T* dV, int64_t n0, int64_t n1, T* dx,
                             T* scratch) {
  const int64_t TH = G.th(), S = G.s(), tiles = G.tiles(), Tn = (n1 - n0) * tiles;
  const int64_t plane = G.C * Tn;
  const int64_t L = TH * S;
  const int64_t DL = L + 2 * S + 1;  // one D plane: S + 1 zeros, L tiles, S zeros
  const int64_t Q = (TH + 1) * S;    // quarter entries gathered
  T* D = scratch;
  T* quarter = scratch + 16 * DL;
  for (int k = 0; k < 16; k++) {
    std::fill(D + k * DL, D + k * DL + S + 1, T(0));
    std::fill(D + k * DL + S + 1 + L, D + (k + 1) * DL, T(0));
  }
  for (int64_t n = n0; n < n1; n++) {
    for (int64_t c = 0; c < G.C; c++) {
      const T* __restrict src = dV + c * Tn + (n - n0) * tiles;
      T* __restrict d = D + S + 1;
      TF_WINO_IVDEP
      for (int64_t q = 0; q < L; q++) {
        T v[4][4];
        for (int i = 0; i < 4; i++)
          for (int j = 0; j < 4; j++) v[i][j] = src[(i * 4 + j) * plane + q];
        // t = B·v over rows, B = [[1,0,0,0],[0,1,-1,1],[-1,1,1,0],[0,0,0,-1]]
        T t[4][4];
        for (int j = 0; j < 4; j++) {
          t[0][j] = v[0][j];
          t[1][j] = v[1][j] - v[2][j] + v[3][j];
          t[2][j] = v[1][j] + v[2][j] - v[0][j];
          t[3][j] = -v[3][j];
        }
        for (int i = 0; i < 4; i++) {
          d[(i * 4 + 0) * DL + q] = t[i][0];
          d[(i * 4 + 1) * DL + q] = t[i][1] - t[i][2] + t[i][3];
          d[(i * 4 + 2) * DL + q] = t[i][1] + t[i][2] - t[i][0];
          d[(i * 4 + 3) * DL + q] = -t[i][3];
        }
      }
      // Window row r of tile a is padded row 2a + r: rows 0, 2 are even (quarter row a, a + 1),
      // 1, 3 odd; likewise columns. Entry p of a quarter takes tile p's (r, c) with r, c in
      // {0, 1}, tile p - 1's (r, c + 2), tile p - s's (r + 2, c), tile p - s - 1's (r + 2, c + 2).
      for (int r = 0; r < 2; r++) {
        for (int cc = 0; cc < 2; cc++) {
          T* __restrict out = quarter + (r * 2 + cc) * Q;
          const T* a0 = d + (r * 4 + cc) * DL;
          const T* a1 = d + (r * 4 + cc + 2) * DL - 1;
          const T* a2 = d + ((r + 2) * 4 + cc) * DL - S;
          const T* a3 = d + ((r + 2) * 4 + cc + 2) * DL - S - 1;
          TF_WINO_IVDEP
          for (int64_t p = 0; p < Q; p++) out[p] = a0[p] + a1[p] + a2[p] + a3[p];
        }
      }
      T* xc = dx + (n * G.C + c) * G.H * G.W;
      for (int64_t h = 0; h < G.H; h++) {
        const int64_t rr = h + G.ph;
        const T* qe = quarter + ((rr & 1) * 2 + 0) * Q + (rr >> 1) * S;
        const T* qo = quarter + ((rr & 1) * 2 + 1) * Q + (rr >> 1) * S;
        T* row = xc + h * G.W;
        for (int64_t w = 0; w < G.W; w++) {
          const int64_t col = w + G.pw;
          row[w] = (col & 1) ? qo[col >> 1] : qe[col >> 1];
        }
      }
    }
  }
}
