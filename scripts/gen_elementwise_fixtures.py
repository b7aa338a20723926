#!/usr/bin/env python3
"""Reference values for the elementwise ops of lib/elementwise.ts that scripts/gen_fixtures.py does
not cover, computed by PyTorch (same case format, same helpers: this script imports that one).

    /usr/bin/python3 scripts/gen_elementwise_fixtures.py   # writes test/fixtures/elementwise.json

The op list is read from lib/elementwise.ts (the one declaration of every elementwise op): an op
there without a case here, or in test/fixtures/ops.json, stops this script, and
test/op_table.test.js fails for it.
"""
import json
import math
import os
import re
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_fixtures as G  # noqa: E402  (runs its cases once; they are discarded below)
from gen_fixtures import Inp, case, ints, bools, grid  # noqa: E402

SEED = 4321
G.cases.clear()
G.names_seen.clear()
G.rng = np.random.default_rng(SEED)
nan, inf = math.nan, math.inf


def rnd(shape, lo=-2.0, hi=2.0, dtype='float32', kinks=(), margin=0.05):
    return G.rnd(shape, lo, hi, dtype, kinks, margin)


def elementwise_ops():
    src = open(os.path.join(HERE, '..', 'lib', 'elementwise.ts')).read()
    return re.findall(r'^export (?:const|function) (\w+)', src, re.M)


SPECIALS = Inp([nan, inf, -inf, 1.5, 0, -2])

# ---------------------------------------------------------------- unary, float math
# name -> (torch function, domain of rnd(), extra cases)
UNARY = {
    'sign': (torch.sign, dict(kinks=(0,))),
    'square': (torch.square, dict()),
    'reciprocal': (torch.reciprocal, dict(kinks=(0,), margin=0.2)),
    'frac': (torch.frac, dict(lo=-3, hi=3, kinks=(-2, -1, 0, 1, 2))),
    'floor': (torch.floor, dict(lo=-3, hi=3)),
    'ceil': (torch.ceil, dict(lo=-3, hi=3)),
    'round': (torch.round, dict(lo=-3, hi=3)),
    'trunc': (torch.trunc, dict(lo=-3, hi=3)),
    'log1p': (torch.log1p, dict(lo=-0.9, hi=3)),
    'expm1': (torch.expm1, dict(lo=-3, hi=3)),
    'log2': (torch.log2, dict(lo=0.05, hi=4)),
    'log10': (torch.log10, dict(lo=0.05, hi=4)),
    'exp2': (torch.exp2, dict(lo=-3, hi=3)),
    'erf': (torch.erf, dict(lo=-3, hi=3)),
    'erfc': (torch.erfc, dict(lo=-3, hi=3)),
    'erfinv': (torch.erfinv, dict(lo=-0.95, hi=0.95)),
    'tan': (torch.tan, dict(lo=-1.4, hi=1.4)),
    'asin': (torch.asin, dict(lo=-0.95, hi=0.95)),
    'acos': (torch.acos, dict(lo=-0.95, hi=0.95)),
    'atan': (torch.atan, dict(lo=-3, hi=3)),
    'sinh': (torch.sinh, dict(lo=-3, hi=3)),
    'cosh': (torch.cosh, dict(lo=-3, hi=3)),
    'asinh': (torch.asinh, dict(lo=-3, hi=3)),
    'acosh': (torch.acosh, dict(lo=1.05, hi=4)),
    'atanh': (torch.atanh, dict(lo=-0.95, hi=0.95)),
    'hardtanh': (F.hardtanh, dict(kinks=(-1, 1))),
    'relu6': (F.relu6, dict(lo=-2, hi=8, kinks=(0, 6))),
    'elu': (F.elu, dict(lo=-3, hi=3, kinks=(0,))),
    'selu': (torch.selu, dict(lo=-3, hi=3, kinks=(0,))),
    'celu': (F.celu, dict(lo=-3, hi=3, kinks=(0,))),
    'mish': (F.mish, dict(lo=-4, hi=4)),
    'hardswish': (F.hardswish, dict(lo=-5, hi=5, kinks=(-3, 3))),
    'hardsigmoid': (F.hardsigmoid, dict(lo=-5, hi=5, kinks=(-3, 3))),
    'logSigmoid': (F.logsigmoid, dict(lo=-6, hi=6, kinks=(0,))),
    'softsign': (F.softsign, dict(lo=-3, hi=3)),
}
for name, (f, kw) in UNARY.items():
    m = (lambda f: lambda a: f(a))(f)
    case(name, '[3,4] float32', [rnd([3, 4], **kw)], m)
    case(name, '[2,3,2] float64', [rnd([2, 3, 2], dtype='float64', **kw)], m)
    case(name, '0-d', [rnd([], **kw)], m)
    case(name, 'empty [0,3]', [Inp(np.zeros((0, 3)))], m)

case('round', 'halves round to even', [Inp([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5])], torch.round)
for name in ('floor', 'ceil', 'round', 'trunc', 'sign', 'square'):
    case(name, 'int32 keeps int32', [ints([2, 3])], getattr(torch, name))
case('sign', 'bool keeps bool', [bools([2, 3])], torch.sign)
for name in ('erf', 'log1p', 'atan', 'reciprocal', 'sinh'):
    case(name, 'int32 -> float32', [Inp([[0, 1, 2], [3, -4, 5]], 'int32')], getattr(torch, name))
    case(name, 'bool -> float32', [bools([2, 3])], getattr(torch, name))
case('erfinv', 'edges', [Inp([-1, -0.999, -1e-4, 0, 1e-4, 0.999, 1, 1.5])], torch.erfinv, grad=False)
case('expm1', 'tiny values keep their digits', [Inp([1e-10, -1e-8, 1e-5])], torch.expm1)
case('log1p', 'tiny values keep their digits', [Inp([1e-10, -1e-8, 1e-5])], torch.log1p)
for name in ('elu', 'celu'):
    case(name, 'alpha 0.5', [rnd([3, 4], lo=-3, hi=3, kinks=(0,)), 0.5], (lambda f: lambda a, al: f(a, al))(getattr(F, name)))
case('hardtanh', 'min -0.5 max 2', [rnd([3, 4], lo=-3, hi=3, kinks=(-0.5, 2)), -0.5, 2.0],
     lambda a, lo, hi: F.hardtanh(a, lo, hi))
case('logSigmoid', 'large magnitudes', [Inp([-100, -30, -20.5, 20.5, 30, 100])], F.logsigmoid)
case('mish', 'large magnitudes', [Inp([-30, -10, 10, 30])], F.mish)
case('softsign', 'int32 -> float32', [Inp([-3, 0, 2], 'int32')], F.softsign, grad=False)

# ---------------------------------------------------------------- predicates and logic
for name, f in [('isnan', torch.isnan), ('isinf', torch.isinf), ('isfinite', torch.isfinite)]:
    case(name, 'specials float32', [SPECIALS], f)
    case(name, 'float64 [2,3]', [Inp([[nan, 1, inf], [0, -inf, 2]], 'float64')], f)
    case(name, 'int32', [ints([2, 3])], f)
    case(name, 'bool', [bools([2, 3])], f)
# (the references run in float64, so the float32 defaults are spelled out)
F32_MAX = float(np.finfo(np.float32).max)
case('nanToNum', 'defaults', [SPECIALS], lambda a: torch.nan_to_num(a, 0.0, F32_MAX, -F32_MAX))
case('nanToNum', 'nan 1.5 posinf 100 neginf -100', [SPECIALS, 1.5, 100.0, -100.0],
     lambda a, n, p, q: torch.nan_to_num(a, n, p, q))
case('nanToNum', 'float64 nan only', [Inp([nan, 2.5, -1, 3], 'float64'), -1.0], lambda a, n: torch.nan_to_num(a, n))
case('nanToNum', 'gradient flows where finite', [Inp([[1, nan], [inf, -2]])], lambda a: torch.nan_to_num(a, 0.0, F32_MAX, -F32_MAX))
case('nanToNum', 'int32 unchanged', [ints([2, 2])], torch.nan_to_num)
case('logicalNot', 'float with zeros', [grid([3, 4])], torch.logical_not)
case('logicalNot', 'bool', [bools([2, 3])], torch.logical_not)
case('logicalNot', 'int32', [ints([2, 3], -1, 2)], torch.logical_not)
for name, f in [('logicalAnd', torch.logical_and), ('logicalOr', torch.logical_or), ('logicalXor', torch.logical_xor)]:
    case(name, 'floats with zeros, broadcast [3,1] and [4]', [grid([3, 1], -1, 2), grid([4], -1, 2)], f)
    case(name, 'bool and bool', [bools([2, 3]), bools([2, 3])], f)
    case(name, 'int32 and float32', [ints([2, 3], -1, 2), grid([2, 3], -1, 2)], f)
case('heaviside', 'values tensor broadcast', [grid([3, 4], -1, 2), rnd([4])], torch.heaviside, grad=False)
case('heaviside', 'float64', [grid([2, 3], -1, 2, 'float64'), Inp([0.5], 'float64')], torch.heaviside, grad=False)

# ---------------------------------------------------------------- binary
away_int = dict(kinks=(-3, -2, -1, 0, 1, 2, 3), margin=0.1)  # a / b away from integers for fmod & co
BINARY = {
    'atan2': (torch.atan2, dict(), dict(kinks=(0,))),
    'hypot': (torch.hypot, dict(kinks=(0,)), dict()),
    'logaddexp': (torch.logaddexp, dict(lo=-4, hi=4), dict(lo=-4, hi=4)),
    'xlogy': (torch.xlogy, dict(), dict(lo=0.1, hi=3)),
}
for name, (f, da, db) in BINARY.items():
    case(name, 'same shape [3,4]', [rnd([3, 4], **da), rnd([3, 4], **db)], f)
    case(name, 'broadcast [3,1] and [1,4]', [rnd([3, 1], **da), rnd([1, 4], **db)], f)
    case(name, '0-d and [2,3]', [rnd([], **da), rnd([2, 3], **db)], f)
    case(name, 'float64', [rnd([2, 3], dtype='float64', **da), rnd([2, 3], dtype='float64', **db)], f)
    case(name, 'float32 and float64 -> float64', [rnd([2, 3], **da), rnd([2, 3], dtype='float64', **db)], f)
    case(name, 'empty', [Inp(np.zeros((0, 2))), Inp(np.ones((1, 2)))], f)
case('atan2', 'int32 -> float32', [ints([2, 3]), Inp([[1, -2, 3], [0, 5, -1]], 'int32')], torch.atan2)
case('atan2', 'signs of zero and infinities', [Inp([0, 0, 1, -1, inf, -inf]), Inp([0, -1, 0, 0, inf, 1])], torch.atan2, grad=False)
case('xlogy', 'x == 0 gives 0 even at y == 0', [Inp([0, 0, 1, 2]), Inp([0, 2, 3, 0])], torch.xlogy, grad=False)
case('xlogy', 'number y', [rnd([2, 3]), 2.5], lambda a, y: torch.xlogy(a, y))
case('logaddexp', 'infinities', [Inp([-inf, inf, -inf, 0]), Inp([-inf, inf, 1, -inf])], torch.logaddexp, grad=False)
case('logaddexp', 'far apart', [Inp([100, -100, 0]), Inp([-100, 100, 1e-3])], torch.logaddexp)
case('hypot', 'large values (no overflow)', [Inp([3e30, 1e-30]), Inp([4e30, 1e-30])], torch.hypot, grad=False)

# fmod / remainder / floorDivide: divisors away from 0, quotients away from integers
num = rnd([3, 4], lo=-5, hi=5)
den = Inp([[1.5, -1.25, 2.75, -0.7], [0.9, 3.1, -2.2, 1.1], [-1.7, 0.6, 2.3, -3.3]])
q = num.values / den.values
num = Inp(np.where(np.abs(q - np.round(q)) < 0.05, num.values + 0.2, num.values).round(3))
for name, f in [('fmod', torch.fmod), ('remainder', torch.remainder), ('floorDivide', torch.floor_divide)]:
    grad = name != 'floorDivide'
    case(name, 'float32 mixed signs', [num, den], f, grad=grad)
    case(name, 'float64', [Inp(num.values, 'float64'), Inp(den.values, 'float64')], f, grad=grad)
    case(name, 'number divisor', [num, -1.75], lambda a, b, f=f: f(a, b), grad=grad)
    case(name, 'broadcast [3,1] by [4]', [Inp([[-7.5], [7.5], [0.25]]), Inp([2, -2, 3.5, -0.75])], f, grad=grad)
    case(name, 'int32 mixed signs', [Inp([[-7, 7, -7, 7], [5, -5, 0, 9]], 'int32'), Inp([[2, 2, -2, -2], [3, 3, 4, -4]], 'int32')], f)
    case(name, '0-d', [rnd([], lo=1, hi=5), rnd([], lo=0.3, hi=0.9)], f, grad=grad)

# ---------------------------------------------------------------- ternary
case('lerp', 'number weight', [rnd([3, 4]), rnd([3, 4]), 0.3], torch.lerp)
case('lerp', 'tensor weight broadcast', [rnd([3, 4]), rnd([4]), rnd([3, 1], lo=0, hi=1)], torch.lerp)
case('lerp', 'float64', [rnd([2, 3], dtype='float64'), rnd([2, 3], dtype='float64'), 0.75], torch.lerp)
case('addcmul', 'default value', [rnd([3, 4]), rnd([3, 4]), rnd([4])], torch.addcmul)
case('addcmul', 'value 0.5', [rnd([3, 4]), rnd([3, 1]), rnd([3, 4]), 0.5],
     lambda x, a, b, v: torch.addcmul(x, a, b, value=v))
case('addcdiv', 'default value', [rnd([3, 4]), rnd([3, 4]), rnd([4], lo=0.5, hi=2)], torch.addcdiv)
case('addcdiv', 'value -2 float64', [rnd([2, 3], dtype='float64'), rnd([2, 3], dtype='float64'),
                                     rnd([2, 3], lo=0.5, hi=2, dtype='float64'), -2.0],
     lambda x, a, b, v: torch.addcdiv(x, a, b, value=v))

# ---------------------------------------------------------------- promotion (PyTorch's result_type)
case('sub', 'float32 [3] minus 0-d float64 stays float32', [rnd([3]), rnd([], dtype='float64')], torch.sub)
case('add', 'int32 [3] plus 0-d float64 -> float64', [ints([3]), rnd([], dtype='float64')], torch.add)
case('mul', '0-d float64 times 0-d float32 -> float64', [rnd([], dtype='float64'), rnd([])], torch.mul)
case('atan2', 'float32 [2] and 0-d float64 stays float32', [rnd([2]), rnd([], dtype='float64')], torch.atan2)
case('exp', 'bool -> float32', [bools([2, 3])], torch.exp)
case('add', 'bool and 0-d int32 -> int32', [bools([3]), Inp(2, 'int32')], torch.add)


# Gradient tolerances where the reference is not the one to match exactly: PyTorch 1.13's float64
# hardsigmoid/hardswish backward multiplies by a float32 1/6 (we use the float64 one), and a
# float64 0-d operand of a float32 op gets a float64 gradient of a float32 computation.
LOOSE_GRAD = {'hardsigmoid: [2,3,2] float64': {'rtol': 1e-7, 'atol': 1e-9},
              'hardswish: [2,3,2] float64': {'rtol': 1e-7, 'atol': 1e-9},
              'sub: float32 [3] minus 0-d float64 stays float32': {'rtol': 1e-4, 'atol': 2e-5},
              'atan2: float32 [2] and 0-d float64 stays float32': {'rtol': 1e-4, 'atol': 2e-5}}


def main():
    for c in G.cases:
        if c['name'] in LOOSE_GRAD:
            c['gradTol'] = LOOSE_GRAD[c['name']]
    covered = {c['op'] for c in G.cases}
    legacy = {c['op'] for c in json.load(open(os.path.join(HERE, '..', 'test', 'fixtures', 'ops.json')))['cases']}
    missing = [op for op in elementwise_ops() if op not in covered and op not in legacy]
    if missing:
        sys.exit('no fixture cases for: %s' % ', '.join(missing))
    out = os.path.join(HERE, '..', 'test', 'fixtures', 'elementwise.json')
    doc = {'generator': 'scripts/gen_elementwise_fixtures.py', 'torch': torch.__version__, 'seed': SEED,
           'cases': G.cases}
    text = json.dumps(doc, separators=(',', ':'))
    with open(out, 'w') as f:
        f.write(text + '\n')
    print('%d cases, %d ops, %d bytes -> %s' % (len(G.cases), len(covered), len(text), os.path.normpath(out)),
          file=sys.stderr)


if __name__ == '__main__':
    main()
