// The fused optimizer loops, written once against the vector interface of simd_scalar.h /
// simd_vec_*.h / simd_neon.h and compiled per ISA by optim.cpp (like simd_loops.h for
// kernels.cpp): a vector main loop, then the leftovers through the one-lane twin, so results do
// not depend on the ISA picked.
// Each loop covers [lo, hi) of contiguous buffers; flags are template parameters so the loops
// carry no branches. Formulas: see optim.h and lib/optim/*.ts.
// No include guard: included once inside each per-ISA namespace of optim.cpp.

template <class T> struct Lanes;
template <> struct Lanes<float> { using V = VF; using S = F1; };
template <> struct Lanes<double> { using V = VD; using S = D1; };

template <class V, class S, class Body>
inline void each_lane_with(int64_t lo, int64_t hi, Body& body) {
  int64_t i = lo;
  for (; i + V::N <= hi; i += V::N) body(V{}, i);
  for (; i < hi; ++i) body(S{}, i);
}

#if defined(__aarch64__)
// optim.cpp compiles only the one-lane instantiation on arm64, so the NEON twin is built here and
// picked at run time from the scalar one (TENSORFOLD_SIMD=scalar still gets the one-lane loops).
// If optim.cpp grows its own NEON namespace, VF is no longer F1 there and this pick is skipped.
namespace neon_lanes {
#include "simd_neon.h"
}  // namespace neon_lanes
template <class T> struct NeonLanes;
template <> struct NeonLanes<float> { using V = neon_lanes::VF; };
template <> struct NeonLanes<double> { using V = neon_lanes::VD; };
#endif

template <class T, class Body>
inline void each_lane(int64_t lo, int64_t hi, Body body) {
  using V = typename Lanes<T>::V;
  using S = typename Lanes<T>::S;
#if defined(__aarch64__)
  if constexpr (std::is_same<V, S>::value) {
    if (simd_level() == SimdLevel::NEON) {
      each_lane_with<typename NeonLanes<T>::V, S>(lo, hi, body);
      return;
    }
  }
#endif
  each_lane_with<V, S>(lo, hi, body);
}

struct Isa {
  template <class T, bool WD, bool MOM, bool FIRST, bool NEST>
  static void sgd(T* p, const T* g, T* buf, int64_t lo, int64_t hi, T lr, T wd, T mom, T damp1) {
    each_lane<T>(lo, hi, [&](auto z, int64_t i) {
      using W = decltype(z);
      W d = ld(W{}, g + i);
      if (WD) d = d + set1(W{}, wd) * ld(W{}, p + i);
      if (MOM) {
        W b = FIRST ? d : set1(W{}, mom) * ld(W{}, buf + i) + set1(W{}, damp1) * d;
        store(buf + i, b);
        d = NEST ? d + set1(W{}, mom) * b : b;
      }
      store(p + i, ld(W{}, p + i) - set1(W{}, lr) * d);
    });
  }

  // c = {step_size, bc2_sqrt, beta1, beta2, 1-beta1, 1-beta2, eps, weight_decay, decay}
  template <class T, bool AMS, bool WD>
  static void adam(T* p, const T* g, T* m, T* v, T* vm, int64_t lo, int64_t hi, const T* c) {
    each_lane<T>(lo, hi, [&](auto z, int64_t i) {
      using W = decltype(z);
      W pi = ld(W{}, p + i) * set1(W{}, c[8]);
      W gi = ld(W{}, g + i);
      if (WD) gi = gi + set1(W{}, c[7]) * pi;
      W mi = ld(W{}, m + i) * set1(W{}, c[2]) + set1(W{}, c[4]) * gi;
      W vi = ld(W{}, v + i) * set1(W{}, c[3]) + set1(W{}, c[5]) * gi * gi;
      store(m + i, mi);
      store(v + i, vi);
      if (AMS) {
        vi = vmax(vi, ld(W{}, vm + i));
        store(vm + i, vi);
      }
      W denom = vsqrt(vi) / set1(W{}, c[1]) + set1(W{}, c[6]);
      store(p + i, pi - set1(W{}, c[0]) * (mi / denom));
    });
  }

  // c = {lr, alpha, 1-alpha, eps, weight_decay, momentum}
  template <class T, bool WD, bool CENTERED, bool MOM>
  static void rmsprop(T* p, const T* g, T* sq, T* gavg, T* buf, int64_t lo, int64_t hi, const T* c) {
    each_lane<T>(lo, hi, [&](auto z, int64_t i) {
      using W = decltype(z);
      W gi = ld(W{}, g + i);
      if (WD) gi = gi + set1(W{}, c[4]) * ld(W{}, p + i);
      W s = ld(W{}, sq + i) * set1(W{}, c[1]) + set1(W{}, c[2]) * gi * gi;
      store(sq + i, s);
      W avg;
      if (CENTERED) {
        W ga = ld(W{}, gavg + i) * set1(W{}, c[1]) + set1(W{}, c[2]) * gi;
        store(gavg + i, ga);
        avg = vsqrt(s - ga * ga);
      } else {
        avg = vsqrt(s);
      }
      avg = avg + set1(W{}, c[3]);
      if (MOM) {
        W b = ld(W{}, buf + i) * set1(W{}, c[5]) + gi / avg;
        store(buf + i, b);
        store(p + i, ld(W{}, p + i) - set1(W{}, c[0]) * b);
      } else {
        store(p + i, ld(W{}, p + i) - set1(W{}, c[0]) * (gi / avg));
      }
    });
  }

  // c = {clr, beta1, 1-beta1, beta2, eps, weight_decay}
  // m = b1*m + (1-b1)*g;  u = max(b2*u, |g| + eps);  p -= clr * m / u
  template <class T, bool WD>
  static void adamax(T* p, const T* g, T* m, T* u, int64_t lo, int64_t hi, const T* c) {
    each_lane<T>(lo, hi, [&](auto z, int64_t i) {
      using W = decltype(z);
      W gi = ld(W{}, g + i);
      if (WD) gi = gi + set1(W{}, c[5]) * ld(W{}, p + i);
      W mi = ld(W{}, m + i) * set1(W{}, c[1]) + set1(W{}, c[2]) * gi;
      W ui = vmax(ld(W{}, u + i) * set1(W{}, c[3]), vabs(gi) + set1(W{}, c[4]));
      store(m + i, mi);
      store(u + i, ui);
      store(p + i, ld(W{}, p + i) - set1(W{}, c[0]) * (mi / ui));
    });
  }

  // c = {beta1, 1-beta1, beta2, 1-beta2, bias_correction2, eps, weight_decay, grad_coef, avg_coef}
  // denom = sqrt(v / bc2) + eps;  p -= grad_coef * g / denom + avg_coef * m / denom
  template <class T, bool WD>
  static void nadam(T* p, const T* g, T* m, T* v, int64_t lo, int64_t hi, const T* c) {
    each_lane<T>(lo, hi, [&](auto z, int64_t i) {
      using W = decltype(z);
      W pi = ld(W{}, p + i);
      W gi = ld(W{}, g + i);
      if (WD) gi = gi + set1(W{}, c[6]) * pi;
      W mi = ld(W{}, m + i) * set1(W{}, c[0]) + set1(W{}, c[1]) * gi;
      W vi = ld(W{}, v + i) * set1(W{}, c[2]) + set1(W{}, c[3]) * gi * gi;
      store(m + i, mi);
      store(v + i, vi);
      W denom = vsqrt(vi / set1(W{}, c[4])) + set1(W{}, c[5]);
      pi = pi - set1(W{}, c[7]) * (gi / denom);
      store(p + i, pi - set1(W{}, c[8]) * (mi / denom));
    });
  }

  // c = {beta1, 1-beta1, beta2, 1-beta2, bias_correction1, lr, sqrt(bias_correction2), eps, rect, weight_decay}
  // RECT (rho_t > 5): p -= (m/bc1) * lr * (sqrt(bc2) / (sqrt(v) + eps)) * rect;  else p -= (m/bc1) * lr
  template <class T, bool WD, bool RECT>
  static void radam(T* p, const T* g, T* m, T* v, int64_t lo, int64_t hi, const T* c) {
    each_lane<T>(lo, hi, [&](auto z, int64_t i) {
      using W = decltype(z);
      W pi = ld(W{}, p + i);
      W gi = ld(W{}, g + i);
      if (WD) gi = gi + set1(W{}, c[9]) * pi;
      W mi = ld(W{}, m + i) * set1(W{}, c[0]) + set1(W{}, c[1]) * gi;
      W vi = ld(W{}, v + i) * set1(W{}, c[2]) + set1(W{}, c[3]) * gi * gi;
      store(m + i, mi);
      store(v + i, vi);
      W upd = (mi / set1(W{}, c[4])) * set1(W{}, c[5]);
      if (RECT) upd = upd * (set1(W{}, c[6]) / (vsqrt(vi) + set1(W{}, c[7]))) * set1(W{}, c[8]);
      store(p + i, pi - upd);
    });
  }

  // c = {lr, rho, 1-rho, eps, weight_decay}
  // s = rho*s + (1-rho)*g^2;  d = sqrt(a + eps) / sqrt(s + eps) * g;  a = rho*a + (1-rho)*d^2;  p -= lr*d
  template <class T, bool WD>
  static void adadelta(T* p, const T* g, T* sq, T* acc, int64_t lo, int64_t hi, const T* c) {
    each_lane<T>(lo, hi, [&](auto z, int64_t i) {
      using W = decltype(z);
      W gi = ld(W{}, g + i);
      if (WD) gi = gi + set1(W{}, c[4]) * ld(W{}, p + i);
      W s = ld(W{}, sq + i) * set1(W{}, c[1]) + set1(W{}, c[2]) * gi * gi;
      store(sq + i, s);
      W a = ld(W{}, acc + i);
      W d = vsqrt(a + set1(W{}, c[3])) / vsqrt(s + set1(W{}, c[3])) * gi;
      store(acc + i, a * set1(W{}, c[1]) + set1(W{}, c[2]) * d * d);
      store(p + i, ld(W{}, p + i) - set1(W{}, c[0]) * d);
    });
  }

  // c = {clr, weight_decay, eps}
  template <class T, bool WD>
  static void adagrad(T* p, const T* g, T* sum, int64_t lo, int64_t hi, const T* c) {
    each_lane<T>(lo, hi, [&](auto z, int64_t i) {
      using W = decltype(z);
      W gi = ld(W{}, g + i);
      if (WD) gi = gi + set1(W{}, c[1]) * ld(W{}, p + i);
      W s = ld(W{}, sum + i) + gi * gi;
      store(sum + i, s);
      store(p + i, ld(W{}, p + i) - set1(W{}, c[0]) * (gi / (vsqrt(s) + set1(W{}, c[2]))));
    });
  }
};
