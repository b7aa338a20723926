#!/usr/bin/env python3
"""Coefficients of the float32 GELU kernels (native/core/simd_math.h gelu_f, fused_simd.h gelu_grad_f).

Prints the C++ tables; paste them over the ones in simd_math.h. mpmath gives the reference
(30 digits); fits are least squares on Chebyshev nodes in relative error, then rounded to float
one coefficient at a time (lowest order first), refitting the rest after each rounding so that
later coefficients absorb the earlier roundings.

  |x| < 0.5:  gelu(x)  = x/2 + x^2 q(x^2),    q = (Phi(x) - 1/2) / x
              gelu'(x) = 1/2 + x G(x^2),      G = (gelu'(x) - 1/2) / x
  a = |x| in [0.5, 5.5]: S(a) = a Phi(-a) exp(a^2/2) on four pieces [0.5,1) [1,2) [2,3.5) [3.5,5.5],
              each a polynomial in w = a - mid (exact by Sterbenz: every piece lies in
              [mid/2, 2 mid]); the constant term S(mid) is a float pair hi + lo, the rest float.
Run: /usr/bin/python3 scripts/gen_gelu_coeffs.py
"""
import mpmath as mp
import numpy as np

mp.mp.dps = 30
N = 500


def seqfit(w, y, first, deg, fixed):
    """Float coefficients first..deg of sum c_k w^k ~ y - fixed, minimising relative error."""
    coef = []
    fixed = fixed.copy()
    for k in range(first, deg + 1):
        A = np.stack([w ** j for j in range(k, deg + 1)], 1) / y[:, None]
        sol = np.linalg.lstsq(A, (y - fixed) / y, rcond=None)[0]
        ck = float(np.float32(sol[0]))
        coef.append(ck)
        fixed += ck * w ** k
    return coef, np.max(np.abs(fixed / y - 1)) * 2.0 ** 24


def S(a):
    a = mp.mpf(a)
    return float(a * mp.erfc(a / mp.sqrt(2)) / 2 * mp.exp(a * a / 2))


def near(fn, deg):
    x = 0.5 * np.cos(np.pi * (np.arange(N) + 0.5) / (2 * N))  # (0, 0.5]
    y = np.array([float(fn(mp.mpf(v))) for v in x])
    return seqfit(x * x, y, 0, deg, np.zeros(N))


def fmt(cs):
    return ", ".join("%.9gf" % c for c in cs)


q, eq = near(lambda x: (mp.ncdf(x) - mp.mpf(0.5)) / x, 4)
G, eg = near(lambda x: (mp.ncdf(x) + x * mp.npdf(x) - mp.mpf(0.5)) / x, 5)
print("// q: relative error %.3g ulp; G: %.3g ulp (before float evaluation)" % (eq, eg))
print("constexpr float kGeluQ[%d] = {%s};" % (len(q), fmt(q)))
print("constexpr float kGeluGradG[%d] = {%s};" % (len(G), fmt(G)))

DEG = 8
rows = []
for lo, hi in [(0.5, 1.0), (1.0, 2.0), (2.0, 3.5), (3.5, 5.5)]:
    mid = (lo + hi) / 2
    w = (hi - lo) / 2 * np.cos(np.pi * (np.arange(N) + 0.5) / N)
    y = np.array([S(mid + v) for v in w])
    c0 = mp.mpf(mid) * mp.erfc(mp.mpf(mid) / mp.sqrt(2)) / 2 * mp.exp(mp.mpf(mid) ** 2 / 2)
    c0h = float(np.float32(float(c0)))
    c0l = float(np.float32(float(c0 - c0h)))
    cs, err = seqfit(w, y, 1, DEG, np.full(N, float(c0)))
    print("// S on [%g, %g]: relative error %.3g ulp" % (lo, hi, err))
    rows.append([mid, c0h, c0l] + cs)
print("// Each row: mid, S(mid) hi, S(mid) lo, then the coefficients of w^1 .. w^%d." % DEG)
print("constexpr float kGeluS[4][%d] = {" % (DEG + 3))
for r in rows:
    print("    {%s}," % fmt(r))
print("};")
