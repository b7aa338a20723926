// Fused LSTM / GRU cells (see ops_rnn.h).
//
// Each kernel walks the batch row by row: the activations go through the SIMD kernels of
// kernels.h on H-wide contiguous runs (the four gate slices of a row are contiguous), and the
// products between them are plain loops the compiler vectorises. What backward needs is the
// activated gates, kept in one private buffer per node (LSTM also keeps tanh(c') there), so the
// fused backward reads no transcendental again.
#include "ops_rnn.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "gemm.h"
#include "kernels.h"
#include "parallel.h"

namespace tf {

namespace {

// Below this many B·H elements one thread wins: a step of the benchmark's LSTM (32×256) takes
// a few microseconds, comparable to waking the pool.
constexpr int64_t kCellParallelElems = 1 << 16;

template <typename F>
void for_rows(int64_t B, int64_t H, F&& fn) {
  if (B * H < kCellParallelElems || B < 2) {
    fn(int64_t(0), B);
    return;
  }
  parallel_for(0, B, std::max<int64_t>(1, kCellParallelElems / 2 / std::max<int64_t>(H, 1)), fn);
}

inline void sigmoid_run(const float* x, float* y, int64_t n) { unary_f32(Unary::Sigmoid, x, y, n); }
inline void sigmoid_run(const double* x, double* y, int64_t n) { unary_f64(Unary::Sigmoid, x, y, n); }
inline void tanh_run(const float* x, float* y, int64_t n) { unary_f32(Unary::Tanh, x, y, n); }
inline void tanh_run(const double* x, double* y, int64_t n) { unary_f64(Unary::Tanh, x, y, n); }

// A: per row [i f g o tanh(c')], each H wide.
template <typename T>
void lstm_forward_rows(const T* G, const T* C, T* A, T* Hn, T* Cn, int64_t H, int64_t b0, int64_t b1) {
  for (int64_t b = b0; b < b1; b++) {
    const T* g = G + b * 4 * H;
    const T* c = C + b * H;
    T* a = A + b * 5 * H;
    T* h2 = Hn + b * H;
    T* c2 = Cn + b * H;
    sigmoid_run(g, a, 2 * H);  // i and f are adjacent
    tanh_run(g + 2 * H, a + 2 * H, H);
    sigmoid_run(g + 3 * H, a + 3 * H, H);
    const T *ai = a, *af = a + H, *ag = a + 2 * H, *ao = a + 3 * H;
    for (int64_t j = 0; j < H; j++) c2[j] = af[j] * c[j] + ai[j] * ag[j];
    T* tc = a + 4 * H;
    tanh_run(c2, tc, H);
    for (int64_t j = 0; j < H; j++) h2[j] = ao[j] * tc[j];
  }
}

template <typename T>
void lstm_backward_rows(const T* A, const T* C, const T* dH, const T* dC, T* dG, T* dCp, int64_t H,
                        int64_t b0, int64_t b1) {
  for (int64_t b = b0; b < b1; b++) {
    const T* a = A + b * 5 * H;
    const T *ai = a, *af = a + H, *ag = a + 2 * H, *ao = a + 3 * H, *tc = a + 4 * H;
    const T* c = C + b * H;
    const T* dh = dH + b * H;
    const T* dc = dC + b * H;
    T* dg = dG + b * 4 * H;
    T* dcp = dCp + b * H;
    for (int64_t j = 0; j < H; j++) {
      T i = ai[j], f = af[j], g = ag[j], o = ao[j], t = tc[j];
      T dct = dc[j] + dh[j] * o * (T(1) - t * t);  // through h' = o·tanh(c') and directly
      dg[j] = dct * g * i * (T(1) - i);
      dg[H + j] = dct * c[j] * f * (T(1) - f);
      dg[2 * H + j] = dct * i * (T(1) - g * g);
      dg[3 * H + j] = dh[j] * t * o * (T(1) - o);
      dcp[j] = dct * f;
    }
  }
}

// A: per row [r z n], each H wide.
template <typename T>
void gru_forward_rows(const T* GI, const T* GH, const T* Hp, T* A, T* Hn, int64_t H, int64_t b0, int64_t b1) {
  for (int64_t b = b0; b < b1; b++) {
    const T* gi = GI + b * 3 * H;
    const T* gh = GH + b * 3 * H;
    const T* h = Hp + b * H;
    T* a = A + b * 3 * H;
    T* h2 = Hn + b * H;
    for (int64_t j = 0; j < 2 * H; j++) a[j] = gi[j] + gh[j];
    sigmoid_run(a, a, 2 * H);  // r and z are adjacent
    const T *r = a, *z = a + H;
    T* n = a + 2 * H;
    for (int64_t j = 0; j < H; j++) n[j] = gi[2 * H + j] + r[j] * gh[2 * H + j];
    tanh_run(n, n, H);
    for (int64_t j = 0; j < H; j++) h2[j] = n[j] + z[j] * (h[j] - n[j]);
  }
}

template <typename T>
void gru_backward_rows(const T* A, const T* GH, const T* Hp, const T* dH, T* dGI, T* dGH, T* dHp,
                       int64_t H, int64_t b0, int64_t b1) {
  for (int64_t b = b0; b < b1; b++) {
    const T* a = A + b * 3 * H;
    const T *ar = a, *az = a + H, *an = a + 2 * H;
    const T* ghn = GH + b * 3 * H + 2 * H;
    const T* h = Hp + b * H;
    const T* dh = dH + b * H;
    T* dgi = dGI + b * 3 * H;
    T* dgh = dGH + b * 3 * H;
    T* dhp = dHp + b * H;
    for (int64_t j = 0; j < H; j++) {
      T r = ar[j], z = az[j], n = an[j], d = dh[j];
      T dn = d * (T(1) - z) * (T(1) - n * n);
      T dz = d * (h[j] - n) * z * (T(1) - z);
      T dr = dn * ghn[j] * r * (T(1) - r);
      dgi[j] = dr;
      dgi[H + j] = dz;
      dgi[2 * H + j] = dn;
      dgh[j] = dr;
      dgh[H + j] = dz;
      dgh[2 * H + j] = dn * r;
      dhp[j] = d * z;
    }
  }
}

// The data of t as a contiguous array, without recording anything.
Tensor dense(const Tensor& t) { return t.is_contiguous() ? t : contiguous(detach(t)); }

void check_float(const char* op, const std::vector<std::pair<const char*, const Tensor*>>& ts) {
  DType dt = ts[0].second->dtype();
  for (auto& [name, t] : ts) {
    if (!is_float(t->dtype()))
      fail_type(std::string(op) + ": " + name + " must be float32 or float64, got " +
                dtype_name(t->dtype()) + " (shape " + shape_str(t->shape()) + ")");
    if (t->dtype() != dt)
      fail_type(std::string(op) + ": all inputs must have one dtype, got " + ts[0].first + " " +
                dtype_name(dt) + " and " + name + " " + dtype_name(t->dtype()));
  }
}

Tensor one_like(const Tensor& t) { return scalar_tensor(1, t.dtype()); }
// s·(1 − s): the derivative of σ in terms of its value.
Tensor dsigmoid(const Tensor& s) { return mul(s, sub(one_like(s), s)); }
// 1 − t²: the derivative of tanh in terms of its value.
Tensor dtanh(const Tensor& t) { return sub(one_like(t), mul(t, t)); }

// The LSTM cell's backward with differentiable ops: {d gates, d c} from the pre-activation gates
// G [B,4H], the previous cell state c and the output gradients dh, dc (either may be skipped).
std::vector<Tensor> lstm_cell_grad_composite(const Tensor& G, const Tensor& c, const Tensor& dh,
                                             const Tensor& dc, int64_t H, bool need_g, bool need_c) {
  Tensor i = sigmoid(narrow(G, 1, 0, H)), f = sigmoid(narrow(G, 1, H, H));
  Tensor gg = tanh(narrow(G, 1, 2 * H, H)), o = sigmoid(narrow(G, 1, 3 * H, H));
  Tensor tc = tanh(add(mul(f, c), mul(i, gg)));
  Tensor dct = add(dc, mul(mul(dh, o), dtanh(tc)));  // through h' = o·tanh(c') and directly
  Tensor dG, dC;
  if (need_g) {
    Tensor di = mul(mul(dct, gg), dsigmoid(i));
    Tensor df = mul(mul(dct, c), dsigmoid(f));
    Tensor dg = mul(mul(dct, i), dtanh(gg));
    Tensor dO = mul(mul(dh, tc), dsigmoid(o));
    dG = concat({di, df, dg, dO}, 1);
  }
  if (need_c) dC = mul(dct, f);
  return {dG, dC};
}

inline void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                 int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
inline void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, double alpha, const double* A,
                 int64_t lda, const double* B, int64_t ldb, double beta, double* C, int64_t ldc) {
  dgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

// Step s of a layer processes time index t = step_time(s); its previous state is that of step s−1.
struct StepOrder {
  int64_t nt;
  bool reverse;
  int64_t time(int64_t s) const { return reverse ? nt - 1 - s : s; }
};

// YS, CS, ACT: [nt,B,H], [nt,B,H], [nt,B,5H]; gates: [B,4H] scratch; BIAS: [4H] or null.
template <typename T>
void lstm_layer_forward(const T* XP, const T* BIAS, const T* H0, const T* C0, const T* W, T* YS, T* CS,
                        T* ACT, T* gates, StepOrder ord, int64_t B, int64_t H) {
  const int64_t BH = B * H, G = 4 * H;
  for (int64_t s = 0; s < ord.nt; s++) {
    const int64_t t = ord.time(s);
    const T* hp = s == 0 ? H0 : YS + ord.time(s - 1) * BH;
    const T* cp = s == 0 ? C0 : CS + ord.time(s - 1) * BH;
    const T* xp = XP + t * B * G;
    if (BIAS) {
      for (int64_t b = 0; b < B; b++)
        for (int64_t j = 0; j < G; j++) gates[b * G + j] = xp[b * G + j] + BIAS[j];
    } else {
      std::memcpy(gates, xp, sizeof(T) * size_t(B * G));
    }
    gemm(false, true, B, G, H, T(1), hp, H, W, H, T(1), gates, G);  // gates += h·W_hhᵀ
    T* act = ACT + t * 5 * BH;
    T* ys = YS + t * BH;
    T* cs = CS + t * BH;
    for_rows(B, H, [&](int64_t b0, int64_t b1) { lstm_forward_rows<T>(gates, cp, act, ys, cs, H, b0, b1); });
  }
}

// dH, dC: [B,H] holding dh_T, dc_T on entry and dh_0, dc_0 on exit; dCtmp: [B,H] scratch;
// dBias: [4H] (zero on entry) or null.
template <typename T>
void lstm_layer_backward(const T* ACT, const T* CS, const T* H0, const T* C0, const T* YS, const T* W,
                         const T* dYS, T* dG, T* dH, T* dC, T* dCtmp, T* dW, T* dBias, StepOrder ord,
                         int64_t B, int64_t H) {
  const int64_t BH = B * H, G = 4 * H;
  for (int64_t s = ord.nt - 1; s >= 0; s--) {
    const int64_t t = ord.time(s);
    const T* cp = s == 0 ? C0 : CS + ord.time(s - 1) * BH;
    const T* dy = dYS + t * BH;
    for (int64_t k = 0; k < BH; k++) dH[k] += dy[k];
    const T* act = ACT + t * 5 * BH;
    T* dg = dG + t * B * G;
    for_rows(B, H, [&](int64_t b0, int64_t b1) {
      lstm_backward_rows<T>(act, cp, dH, dC, dg, dCtmp, H, b0, b1);
    });
    std::memcpy(dC, dCtmp, sizeof(T) * size_t(BH));
    gemm(false, false, B, H, G, T(1), dg, G, W, H, T(0), dH, H);  // dh_prev = dgates·W_hh
  }
  // dW_hh = Σ_t dgatesᵀ_t · h_prev(t): the steps after the first read h_prev from ys, which is one
  // contiguous block shifted by a step, so all of them are one GEMM with T·B − B rows.
  if (ord.nt == 0) return;
  if (dBias)
    for (int64_t r = 0; r < ord.nt * B; r++) {
      const T* dg = dG + r * G;
      for (int64_t j = 0; j < G; j++) dBias[j] += dg[j];
    }
  const int64_t rows = (ord.nt - 1) * B;
  const T* g_first = dG + ord.time(0) * B * G;
  if (rows > 0) {
    const T* g_rest = ord.reverse ? dG : dG + B * G;
    const T* h_rest = ord.reverse ? YS + BH : YS;
    gemm(true, false, G, H, rows, T(1), g_rest, G, h_rest, H, T(0), dW, H);
  }
  gemm(true, false, G, H, B, T(1), g_first, G, H0, H, rows > 0 ? T(1) : T(0), dW, H);
}

}  // namespace

std::vector<Tensor> lstm_cell(const Tensor& gates, const Tensor& c) {
  const char* op = "lstm_cell";
  check_float(op, {{"gates", &gates}, {"c", &c}});
  if (gates.dim() != 2 || c.dim() != 2 || gates.size(0) != c.size(0) || gates.size(1) != 4 * c.size(1))
    fail(std::string(op) + ": expected gates [B, 4H] and c [B, H], got gates " +
         shape_str(gates.shape()) + " and c " + shape_str(c.shape()));
  const int64_t B = c.size(0), H = c.size(1);
  const DType dt = c.dtype();
  Tensor G = dense(gates), C = dense(c);
  Tensor h2 = empty({B, H}, dt), c2 = empty({B, H}, dt), act = empty({B, 5 * H}, dt);
  if (dt == DType::F32)
    for_rows(B, H, [&](int64_t b0, int64_t b1) {
      lstm_forward_rows<float>(G.data<float>(), C.data<float>(), act.data<float>(), h2.data<float>(),
                               c2.data<float>(), H, b0, b1);
    });
  else
    for_rows(B, H, [&](int64_t b0, int64_t b1) {
      lstm_forward_rows<double>(G.data<double>(), C.data<double>(), act.data<double>(),
                                h2.data<double>(), c2.data<double>(), H, b0, b1);
    });
  if (!any_requires_grad({gates, c})) return {h2, c2};

  auto fn = [act, H](Node& n, const std::vector<Tensor>& g) -> std::vector<Tensor> {
    Tensor cin = n.get_saved(1);
    if (!grad_enabled()) {
      const int64_t B = cin.size(0);
      const DType dt = cin.dtype();
      Tensor C = dense(cin), dH = dense(g[0]), dC = dense(g[1]);
      Tensor dG = empty({B, 4 * H}, dt), dCp = empty({B, H}, dt);
      if (dt == DType::F32)
        for_rows(B, H, [&](int64_t b0, int64_t b1) {
          lstm_backward_rows<float>(act.data<float>(), C.data<float>(), dH.data<float>(),
                                    dC.data<float>(), dG.data<float>(), dCp.data<float>(), H, b0, b1);
        });
      else
        for_rows(B, H, [&](int64_t b0, int64_t b1) {
          lstm_backward_rows<double>(act.data<double>(), C.data<double>(), dH.data<double>(),
                                     dC.data<double>(), dG.data<double>(), dCp.data<double>(), H, b0, b1);
        });
      return {needs(n, 0) ? dG : Tensor(), needs(n, 1) ? dCp : Tensor()};
    }
    // create_graph: the same formulas from the saved inputs with differentiable ops, so the result
    // has a graph of its own (the activations are recomputed rather than read from `act`, which
    // has none).
    auto d = lstm_cell_grad_composite(n.get_saved(0), cin, g[0], g[1], H, needs(n, 0), needs(n, 1));
    return {d[0], d[1]};
  };
  record(op, {gates, c}, {h2, c2}, std::move(fn), {0, 1});
  return {h2, c2};
}

Tensor gru_cell(const Tensor& gi, const Tensor& gh, const Tensor& h) {
  const char* op = "gru_cell";
  check_float(op, {{"gi", &gi}, {"gh", &gh}, {"h", &h}});
  if (gi.dim() != 2 || gh.dim() != 2 || h.dim() != 2 || gi.shape() != gh.shape() ||
      gi.size(0) != h.size(0) || gi.size(1) != 3 * h.size(1))
    fail(std::string(op) + ": expected gi [B, 3H], gh [B, 3H] and h [B, H], got gi " +
         shape_str(gi.shape()) + ", gh " + shape_str(gh.shape()) + " and h " + shape_str(h.shape()));
  const int64_t B = h.size(0), H = h.size(1);
  const DType dt = h.dtype();
  Tensor GI = dense(gi), GH = dense(gh), Hp = dense(h);
  Tensor h2 = empty({B, H}, dt), act = empty({B, 3 * H}, dt);
  if (dt == DType::F32)
    for_rows(B, H, [&](int64_t b0, int64_t b1) {
      gru_forward_rows<float>(GI.data<float>(), GH.data<float>(), Hp.data<float>(), act.data<float>(),
                              h2.data<float>(), H, b0, b1);
    });
  else
    for_rows(B, H, [&](int64_t b0, int64_t b1) {
      gru_forward_rows<double>(GI.data<double>(), GH.data<double>(), Hp.data<double>(),
                               act.data<double>(), h2.data<double>(), H, b0, b1);
    });
  if (!any_requires_grad({gi, gh, h})) return h2;

  auto fn = [act, H](Node& n, const std::vector<Tensor>& g) -> std::vector<Tensor> {
    Tensor ghs = n.get_saved(1), hs = n.get_saved(2);
    if (!grad_enabled()) {
      const int64_t B = hs.size(0);
      const DType dt = hs.dtype();
      Tensor GH = dense(ghs), Hp = dense(hs), dH = dense(g[0]);
      Tensor dGI = empty({B, 3 * H}, dt), dGH = empty({B, 3 * H}, dt), dHp = empty({B, H}, dt);
      if (dt == DType::F32)
        for_rows(B, H, [&](int64_t b0, int64_t b1) {
          gru_backward_rows<float>(act.data<float>(), GH.data<float>(), Hp.data<float>(),
                                   dH.data<float>(), dGI.data<float>(), dGH.data<float>(),
                                   dHp.data<float>(), H, b0, b1);
        });
      else
        for_rows(B, H, [&](int64_t b0, int64_t b1) {
          gru_backward_rows<double>(act.data<double>(), GH.data<double>(), Hp.data<double>(),
                                    dH.data<double>(), dGI.data<double>(), dGH.data<double>(),
                                    dHp.data<double>(), H, b0, b1);
        });
      return {needs(n, 0) ? dGI : Tensor(), needs(n, 1) ? dGH : Tensor(), needs(n, 2) ? dHp : Tensor()};
    }
    // create_graph: differentiable recomputation, as in lstm_cell.
    Tensor gis = n.get_saved(0);
    Tensor r = sigmoid(add(narrow(gis, 1, 0, H), narrow(ghs, 1, 0, H)));
    Tensor z = sigmoid(add(narrow(gis, 1, H, H), narrow(ghs, 1, H, H)));
    Tensor ghn = narrow(ghs, 1, 2 * H, H);
    Tensor nn = tanh(add(narrow(gis, 1, 2 * H, H), mul(r, ghn)));
    const Tensor& d = g[0];
    Tensor dn = mul(mul(d, sub(one_like(z), z)), dtanh(nn));
    Tensor dz = mul(mul(d, sub(hs, nn)), dsigmoid(z));
    Tensor dr = mul(mul(dn, ghn), dsigmoid(r));
    Tensor dGI, dGH, dHp;
    if (needs(n, 0)) dGI = concat({dr, dz, dn}, 1);
    if (needs(n, 1)) dGH = concat({dr, dz, mul(dn, r)}, 1);
    if (needs(n, 2)) dHp = mul(d, z);
    return {dGI, dGH, dHp};
  };
  record(op, {gi, gh, h}, {h2}, std::move(fn), {0, 1, 2});
  return h2;
}

std::vector<Tensor> lstm_layer(const Tensor& xp, const Tensor& h0, const Tensor& c0, const Tensor& w_hh,
                               const Tensor& bias, bool reverse) {
  const char* op = "lstm_layer";
  const bool has_bias = bias.defined();
  if (has_bias)
    check_float(op, {{"xp", &xp}, {"h0", &h0}, {"c0", &c0}, {"w_hh", &w_hh}, {"bias", &bias}});
  else
    check_float(op, {{"xp", &xp}, {"h0", &h0}, {"c0", &c0}, {"w_hh", &w_hh}});
  const bool ok = xp.dim() == 3 && h0.dim() == 2 && c0.dim() == 2 && w_hh.dim() == 2 &&
                  h0.shape() == c0.shape() && xp.size(1) == h0.size(0) &&
                  xp.size(2) == 4 * h0.size(1) && w_hh.size(0) == 4 * h0.size(1) &&
                  w_hh.size(1) == h0.size(1) &&
                  (!has_bias || (bias.dim() == 1 && bias.size(0) == 4 * h0.size(1)));
  if (!ok)
    fail(std::string(op) + ": expected xp [T, B, 4H], h0 and c0 [B, H], w_hh [4H, H], bias [4H], got xp " +
         shape_str(xp.shape()) + ", h0 " + shape_str(h0.shape()) + ", c0 " + shape_str(c0.shape()) +
         ", w_hh " + shape_str(w_hh.shape()) + (has_bias ? ", bias " + shape_str(bias.shape()) : ""));
  const int64_t nt = xp.size(0), B = h0.size(0), H = h0.size(1);
  const DType dt = xp.dtype();
  const StepOrder ord{nt, reverse};
  Tensor XP = dense(xp), H0 = dense(h0), C0 = dense(c0), W = dense(w_hh);
  Tensor BI = has_bias ? dense(bias) : Tensor();
  Tensor ys = empty_uninit({nt, B, H}, dt), cs = empty_uninit({nt, B, H}, dt);
  Tensor act = empty_uninit({nt, B, 5 * H}, dt), gates = empty_uninit({B, 4 * H}, dt);
  if (B * H > 0) {
    if (dt == DType::F32)
      lstm_layer_forward<float>(XP.data<float>(), has_bias ? BI.data<float>() : nullptr, H0.data<float>(), C0.data<float>(), W.data<float>(),
                                ys.data<float>(), cs.data<float>(), act.data<float>(),
                                gates.data<float>(), ord, B, H);
    else
      lstm_layer_forward<double>(XP.data<double>(), has_bias ? BI.data<double>() : nullptr, H0.data<double>(), C0.data<double>(),
                                 W.data<double>(), ys.data<double>(), cs.data<double>(),
                                 act.data<double>(), gates.data<double>(), ord, B, H);
  }
  // The final states are outputs of their own (the caller may differentiate through either).
  Tensor hT = nt ? clone(select(ys, 0, ord.time(nt - 1))) : clone(detach(H0));
  Tensor cT = nt ? clone(select(cs, 0, ord.time(nt - 1))) : clone(detach(C0));
  if (!any_requires_grad({xp, h0, c0, w_hh, bias})) return {ys, hT, cT};

  // Inputs: xp, h0, c0, w_hh[, bias], all saved; then the output ys.
  auto fn = [act, cs, ord, H, has_bias](Node& n, const std::vector<Tensor>& g) -> std::vector<Tensor> {
    Tensor xp = n.get_saved(0), h0 = n.get_saved(1), c0 = n.get_saved(2), w = n.get_saved(3);
    const int64_t B = h0.size(0);
    const size_t nin = has_bias ? 5 : 4;
    if (!grad_enabled()) {
      Tensor ys = n.get_saved(nin);
      const DType dt = h0.dtype();
      Tensor H0 = dense(h0), C0 = dense(c0), W = dense(w), dYS = dense(g[0]);
      Tensor dG = empty_uninit({ord.nt, B, 4 * H}, dt), dW = zeros({4 * H, H}, dt);
      Tensor dH = clone(g[1]), dC = clone(g[2]), dCtmp = empty_uninit({B, H}, dt);
      Tensor dBias = has_bias ? zeros({4 * H}, dt) : Tensor();
      if (B * H > 0) {
        if (dt == DType::F32)
          lstm_layer_backward<float>(act.data<float>(), cs.data<float>(), H0.data<float>(),
                                     C0.data<float>(), ys.data<float>(), W.data<float>(),
                                     dYS.data<float>(), dG.data<float>(), dH.data<float>(),
                                     dC.data<float>(), dCtmp.data<float>(), dW.data<float>(),
                                     has_bias ? dBias.data<float>() : nullptr, ord, B, H);
        else
          lstm_layer_backward<double>(act.data<double>(), cs.data<double>(), H0.data<double>(),
                                      C0.data<double>(), ys.data<double>(), W.data<double>(),
                                      dYS.data<double>(), dG.data<double>(), dH.data<double>(),
                                      dC.data<double>(), dCtmp.data<double>(), dW.data<double>(),
                                      has_bias ? dBias.data<double>() : nullptr, ord, B, H);
      }
      std::vector<Tensor> out{needs(n, 0) ? dG : Tensor(), needs(n, 1) ? dH : Tensor(),
                              needs(n, 2) ? dC : Tensor(), needs(n, 3) ? dW : Tensor()};
      if (has_bias) out.push_back(needs(n, 4) ? dBias : Tensor());
      return out;
    }
    // create_graph: recompute the steps with differentiable ops, then run BPTT with them.
    Tensor bias = has_bias ? n.get_saved(4) : Tensor();
    Tensor wT = transpose(w, 0, 1);
    std::vector<Tensor> G(size_t(ord.nt)), hprev(size_t(ord.nt)), cprev(size_t(ord.nt));
    Tensor h = h0, c = c0;
    for (int64_t s = 0; s < ord.nt; s++) {
      const int64_t t = ord.time(s);
      Tensor x = select(xp, 0, t);
      G[t] = add(has_bias ? add(x, bias) : x, matmul(h, wT));
      hprev[t] = h;
      cprev[t] = c;
      auto hc = lstm_cell(G[t], c);
      h = hc[0];
      c = hc[1];
    }
    Tensor dh = g[1], dc = g[2], dW, dB;
    std::vector<Tensor> dG(size_t(ord.nt));
    for (int64_t s = ord.nt - 1; s >= 0; s--) {
      const int64_t t = ord.time(s);
      dh = add(dh, select(g[0], 0, t));
      auto d = lstm_cell_grad_composite(G[t], cprev[t], dh, dc, H, true, true);
      dG[t] = d[0];
      dc = d[1];
      dh = matmul(d[0], w);
      Tensor dw = matmul(transpose(d[0], 0, 1), hprev[t]);
      dW = dW.defined() ? add(dW, dw) : dw;
      if (has_bias) {
        Tensor db = sum(d[0], {0}, false);
        dB = dB.defined() ? add(dB, db) : db;
      }
    }
    Tensor dXP = ord.nt ? stack(dG, 0) : zeros(xp.shape(), xp.dtype());
    if (!dW.defined()) dW = zeros(w.shape(), w.dtype());
    std::vector<Tensor> out{needs(n, 0) ? dXP : Tensor(), needs(n, 1) ? dh : Tensor(),
                            needs(n, 2) ? dc : Tensor(), needs(n, 3) ? dW : Tensor()};
    if (has_bias) {
      if (!dB.defined()) dB = zeros(bias.shape(), bias.dtype());
      out.push_back(needs(n, 4) ? dB : Tensor());
    }
    return out;
  };
  static const int save_in[5] = {0, 1, 2, 3, 4}, save_out[1] = {0};
  const Tensor ins[5] = {xp, h0, c0, w_hh, bias}, outs[3] = {ys, hT, cT};
  const size_t nin = has_bias ? 5 : 4;
  record_n(op, ins, nin, outs, 3, std::move(fn), save_in, nin, save_out, 1);
  return {ys, hT, cT};
}

}  // namespace tf
