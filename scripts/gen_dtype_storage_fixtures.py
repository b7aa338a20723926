#!/usr/bin/env python3
"""PyTorch 1.13 reference cases for the dtypes int64, uint8, float16 and bfloat16 (and their mixing
with float32, float64, int32 and bool).

    /usr/bin/python3 scripts/gen_dtype_storage_fixtures.py   # writes test/fixtures/dtype_storage.json.gz

test/dtype_storage.test.js replays every case against dist/. A case is one call written as data:
    {id, call: {fn: 'method' | 'tf' | 'F' | 'create' | 'grad', name, args: [arg...]}, expect, tol, why}
an arg is {t: tensor} | {n: number} | {v: JSON literal}; a tensor is {dtype, shape, values}. Values
are JSON numbers except: int64 as decimal strings (exact beyond 2^53), and the strings 'nan',
'inf', '-inf', '-0'. expect is a list of output tensors, or {torchRejects: message, ref?} where
PyTorch raises (ref, when present, is the design's answer: the op in float32, rounded once to the
dtype). tol: 'exact', or {ulp: n} (n units in the last place of the result's dtype).
"""
import gzip
import json
import math
import os
import re

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..')
torch.manual_seed(0)
rng = np.random.default_rng(2026)

DT = {'float32': torch.float32, 'float64': torch.float64, 'int32': torch.int32, 'bool': torch.bool,
      'int64': torch.int64, 'uint8': torch.uint8, 'float16': torch.float16, 'bfloat16': torch.bfloat16}
NAME = {v: k for k, v in DT.items()}
ALL = list(DT)
NEW = ['int64', 'uint8', 'float16', 'bfloat16']
HALF = ['float16', 'bfloat16']
INTS = ['int32', 'int64', 'uint8']
cases = []
ids = set()


def enc_value(v, dtype):
    if dtype == 'int64':
        return str(int(v))
    if dtype == 'bool':
        return 1 if v else 0
    if dtype in ('int32', 'uint8'):
        return int(v)
    v = float(v)
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    if v == 0 and math.copysign(1, v) < 0:
        return '-0'
    return v


def enc(t):
    t = t.detach()
    dtype = NAME[t.dtype]
    flat = t.reshape(-1)
    if dtype in HALF:
        flat = flat.float()  # exact: every half value is a float32
    return {'dtype': dtype, 'shape': list(t.shape), 'values': [enc_value(v, dtype) for v in flat.tolist()]}


def T(t):
    return {'t': enc(t)}


def N(v):
    return {'n': enc_value(v, 'float64')}


def py_number(v):
    """A JS number as Python sees it: integer-valued numbers are indistinguishable from ints in JS."""
    return int(v) if isinstance(v, float) and v.is_integer() else v


def V(v):
    return {'v': v}


def mk(values, dtype, shape=None):
    t = torch.tensor(values, dtype=DT[dtype])
    return t.reshape(shape) if shape is not None else t


def first_line(e):
    return str(e).strip().split('\n')[0][:200]


def ulp_apart(a, b):
    """How many units in the last place of a's dtype (at the larger magnitude) a and b differ by;
    NaN/inf must match exactly."""
    a, b = a.detach().double().reshape(-1), b.detach().double().reshape(-1)
    fmt = {torch.float16: (10, -14), torch.bfloat16: (7, -126)}
    worst = 0.0
    for x, y in zip(a.tolist(), b.tolist()):
        if math.isnan(x) or math.isnan(y) or math.isinf(x) or math.isinf(y):
            worst = max(worst, 0.0 if (x == y or (math.isnan(x) and math.isnan(y))) else math.inf)
            continue
        worst = max(worst, abs(x - y) / max(half_ulp(x, fmt), half_ulp(y, fmt)))
    return worst


FMT = None


def half_ulp(v, fmt):
    mant, emin = fmt[FMT]
    e = emin if v == 0 else max(emin, math.floor(math.log2(abs(v))))
    return 2.0 ** (e - mant)


def add(cid, call, run, tol='exact', why='', ref=None, design=None):
    """run() computes torch's outputs (a tensor or a tuple of them); ref() the design's answer where
    torch rejects the op; design() the design's answer (float32 math rounded once) for the half types,
    which becomes the expectation where torch's own half result is more than 1 ulp away from it
    (torch 1.13 computes some bfloat16 ops with a bfloat16 accumulator); torch's is kept as torchOwn."""
    global FMT
    assert cid not in ids, cid
    ids.add(cid)
    try:
        out = run()
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        expect = [enc(o) for o in outs]
        if design is not None and outs[0].dtype in (torch.float16, torch.bfloat16):
            d = design()
            FMT = outs[0].dtype
            if ulp_apart(d, outs[0]) > 1:
                cases.append({'id': cid, 'call': call, 'expect': [enc(d)], 'tol': tol, 'torchOwn': expect,
                              'why': why + '; torch is more than 1 ulp from float32 math rounded once: expectation '
                                           'is the design rule, torch recorded as torchOwn'})
                return
    except (RuntimeError, TypeError, ValueError, OverflowError, IndexError) as e:
        expect = {'torchRejects': first_line(e)}
        if ref is not None:
            try:
                r = ref()
                expect['ref'] = [enc(o) for o in (list(r) if isinstance(r, (tuple, list)) else [r])]
            except Exception:  # noqa: BLE001  (no design answer either: only "no crash" is checked)
                pass
    cases.append({'id': cid, 'call': call, 'expect': expect, 'tol': tol, 'why': why})


def half_tol(dtype):
    return {'ulp': 1} if dtype in HALF else 'exact'


# ------------------------------------------------------------------ values per dtype
TWO = 2.0
F16_TIE = 1 + 2 ** -11            # halfway between 1 and the next float16
BF16_TIE = 1 + 2 ** -8            # halfway between 1 and the next bfloat16
DOUBLE_ROUND = 1 + 2 ** -11 + 2 ** -30  # rounds up to float16 directly, to even via float32
SOURCE = {
    'float32': [0.0, -0.0, 1.5, -2.5, 0.1, 2.7, -2.7, 65504.0, 65519.0, 65520.0, 1e-8, 6e-8, 3e-8, 3 * 2 ** -25,
                F16_TIE, 1 + 3 * 2 ** -11, BF16_TIE, 1 + 3 * 2 ** -8, 3.0e38, 1e-40, 255.9, 300.0, -1.5,
                2.0 ** 31, 16777217.0, math.nan, math.inf, -math.inf],
    'float64': [0.0, -0.0, 1.5, -2.5, 0.1, 65504.0, 65520.0, DOUBLE_ROUND, F16_TIE, BF16_TIE, 1 + 2 ** -8 + 2 ** -40,
                1e-300, 1e300, 3.4028235677973366e38, 2.0 ** 40, 9007199254740993.0, 1e-8, math.nan, math.inf, -math.inf],
    'int32': [0, 1, -1, 127, 255, 256, -129, 2049, 4097, 65519, 65520, 16777217, 2 ** 31 - 1, -2 ** 31],
    'int64': [0, 1, -1, 255, 256, 2 ** 31, -2 ** 31 - 1, 2 ** 32 + 5, 2 ** 53 + 1, 2 ** 62 + 1, 2 ** 63 - 1, -2 ** 63,
              16777217, 65520],
    'bool': [True, False, True],
    'uint8': [0, 1, 127, 128, 200, 255],
    'float16': [0.0, -0.0, 1.0, -2.5, 0.0999755859375, 65504.0, 2 ** -24, 3 * 2 ** -24, 2 ** -14, 1.0009765625, 255.875,
                257.0, math.nan, math.inf, -math.inf],
    'bfloat16': [0.0, -0.0, 1.0, -2.5, 1.0078125, 257.0, 3.3895313892515355e38, 9.183549615799121e-41, 65536.0,
                 2.0 ** 31, 1e10, math.nan, math.inf, -math.inf],
}
INT_RANGE = {'int32': (-2 ** 31, 2 ** 31 - 1), 'int64': (-2 ** 63, 2 ** 63 - 1), 'uint8': (0, 255)}


def in_int_range(v, dst):
    """Float to integer conversion of a value outside the target's range (NaN, inf, too large,
    negative to uint8) is undefined behaviour in C++ and differs by platform in PyTorch: left out."""
    lo, hi = INT_RANGE[dst]
    return math.isfinite(v) and lo <= math.trunc(v) <= hi


# ------------------------------------------------------------------ t.to(dtype): all 8x8 pairs
for src in ALL:
    for dst in ALL:
        vals = SOURCE[src]
        if dst in INT_RANGE and src in ('float32', 'float64', 'float16', 'bfloat16'):
            vals = [v for v in vals if in_int_range(v, dst)]
        x = mk(vals, src)
        add(f'to/{src}->{dst}', {'fn': 'method', 'name': 'to', 'args': [T(x), V(dst)]}, lambda x=x, dst=dst: x.to(DT[dst]),
            why='a conversion is exact: one rounding (to nearest even) or wrap/truncation as PyTorch')

# ------------------------------------------------------------------ tf.tensor(numbers, {dtype})
CREATE = {
    'float32': [0, -0.0, 0.1, 1.5, 65520, 1e-40, 3.4028235677973366e38, 1e39, math.nan, math.inf, -math.inf],
    'float64': [0.1, 1e-300, 1e300, -0.0, math.nan, math.inf],
    'int32': [0, 1, -1, 2.7, -2.7, 2 ** 31 - 1, -2 ** 31],
    'bool': [0, 1, 2.5, -0.0, math.nan],
    'int64': [0, 1, -1, 2.7, -2.7, 2 ** 31, -2 ** 31 - 1, 2 ** 40 + 3, 2 ** 53, -2 ** 53],
    'uint8': [0, 1, 127, 128, 200, 255, 2.7],
    'float16': [0, -0.0, 0.1, 1.5, F16_TIE, 1 + 3 * 2 ** -11, DOUBLE_ROUND, 65504, 65519, 65520, 1e5, 2 ** -24,
                2 ** -25, 3 * 2 ** -26, 1e-8, 6.1e-5, math.nan, math.inf, -math.inf],
    'bfloat16': [0, -0.0, 0.1, 1.5, BF16_TIE, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -40, 3.4e38, 3.3961e38, 1e39, 1e-40,
                 1e-45, math.nan, math.inf, -math.inf],
}
for dst, vals in CREATE.items():
    pyvals = [int(v) if isinstance(v, int) else v for v in vals]
    add(f'create/{dst}', {'fn': 'create', 'args': [V([enc_value(v, 'float64') for v in vals]), V(dst)]},
        lambda pyvals=pyvals, dst=dst: torch.tensor(pyvals, dtype=DT[dst]),
        why='JS numbers are doubles: one rounding from float64 to the dtype')
# out of range for the integer dtype: PyTorch raises; ours must not crash
for dst, v in [('uint8', 256), ('uint8', -1), ('int32', 2 ** 31), ('int64', math.nan), ('int32', math.inf)]:
    add(f'create/{dst}/outofrange/{enc_value(v, "float64")}', {'fn': 'create', 'args': [V([enc_value(v, 'float64')]), V(dst)]},
        lambda v=v, dst=dst: torch.tensor([v], dtype=DT[dst]), why='out of the dtype range')
for dst in ALL:
    add(f'create/bools->{dst}', {'fn': 'create', 'args': [V([True, False, True]), V(dst)]},
        lambda dst=dst: torch.tensor([True, False, True], dtype=DT[dst]), why='booleans as 1/0')

# ------------------------------------------------------------------ promotion: add for every pair
PROMO_A = {'bool': [True, False, True], 'uint8': [1, 200, 3], 'int32': [1, 2, 3], 'int64': [1, 2, 2 ** 40],
           'float32': [1.5, 2.0, 3.25], 'float64': [1.5, 2.0, 3.25], 'float16': [1.5, 2.0, 3.25],
           'bfloat16': [1.5, 2.0, 3.25]}
PROMO_B = {'bool': [True, True, False], 'uint8': [2, 100, 255], 'int32': [2, -1, 7], 'int64': [2, -1, 3],
           'float32': [0.5, 0.1, 1024.0], 'float64': [0.5, 0.1, 1024.0], 'float16': [0.5, 0.0999755859375, 1024.0],
           'bfloat16': [0.5, 0.10009765625, 1024.0]}
PROMO_S = {'bool': True, 'uint8': 5, 'int32': 7, 'int64': 2 ** 33, 'float32': 0.1, 'float64': 0.1, 'float16': 0.25,
           'bfloat16': 0.25}


def sum_tol(*dts):
    return {'ulp': 1} if any(d in HALF for d in dts) else 'exact'


for a in ALL:
    for b in ALL:
        x, y = mk(PROMO_A[a], a), mk(PROMO_B[b], b)
        add(f'promote/tt/{a}+{b}', {'fn': 'method', 'name': 'add', 'args': [T(x), T(y)]}, lambda x=x, y=y: x + y,
            tol=sum_tol(a, b), why='result dtype of add (PyTorch lattice); values: one rounding')
        s = torch.tensor(PROMO_S[b], dtype=DT[b])
        add(f'promote/t0/{a}+{b}', {'fn': 'method', 'name': 'add', 'args': [T(x), T(s)]}, lambda x=x, s=s: x + s,
            tol=sum_tol(a, b), why='a 0-d tensor takes part only from a higher category')
        add(f'promote/0t/{b}+{a}', {'fn': 'method', 'name': 'add', 'args': [T(s), T(x)]}, lambda x=x, s=s: s + x,
            tol=sum_tol(a, b), why='0-d tensor first')
    for num in [2, -1, 300, 2.5, 0.1, 1e5, 1e10]:
        num = py_number(num)
        x = mk(PROMO_A[a], a)
        add(f'promote/tn/{a}+{num}', {'fn': 'method', 'name': 'add', 'args': [T(x), N(num)]},
            lambda x=x, num=num: x + num, tol=sum_tol(a), why='a JS number: integer-valued acts as a Python int')
    for num in [3, 0.5]:
        x = mk(PROMO_A[a], a)
        add(f'promote/mul/{a}*{num}', {'fn': 'method', 'name': 'mul', 'args': [T(x), N(num)]},
            lambda x=x, num=num: x * num, tol=sum_tol(a), why='mul with a JS number')

# ------------------------------------------------------------------ unary ops of the op table
def op_table():
    src = open(os.path.join(ROOT, 'native', 'core', 'op_table.h')).read()
    un = re.findall(r'^\s*X\(\w+, "(\w+)", \w+, \w+\)', src.split('#define TF_BINARY_OPS')[0], re.M)
    bi = re.findall(r'^\s*X\(\w+, "(\w+)", \w+, \w+, \w+\)', src.split('#define TF_BINARY_OPS')[1], re.M)
    return un, bi


UNARY_OPS, BINARY_OPS = op_table()
TORCH_UNARY = {'gelu': F.gelu, 'silu': F.silu, 'softplus': F.softplus}
EXACT_UNARY = {'neg', 'abs', 'relu', 'sign', 'floor', 'ceil', 'round', 'trunc'}
DOMAIN = {'log': (0.05, 4), 'log2': (0.05, 4), 'log10': (0.05, 4), 'sqrt': (0, 4), 'rsqrt': (0.05, 4),
          'log1p': (-0.9, 3), 'erfinv': (-0.95, 0.95), 'asin': (-0.95, 0.95), 'acos': (-0.95, 0.95),
          'atanh': (-0.95, 0.95), 'acosh': (1.05, 4), 'tan': (-1.4, 1.4)}
FLOAT_EDGE = [0.0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, math.nan, math.inf, -math.inf]
INT_IN = {'uint8': [0, 1, 2, 3, 7, 100, 200, 255], 'int64': [0, 1, -1, 3, -7, 2 ** 31 + 3, -2 ** 33, 2 ** 53 + 1]}
INT_MATH_IN = {'uint8': [0, 1, 2, 3, 4], 'int64': [0, 1, -1, 2, -3]}


def unary_torch(op):
    return TORCH_UNARY.get(op) or getattr(torch, op)


for op in UNARY_OPS:
    fn = unary_torch(op)
    lo, hi = DOMAIN.get(op, (-3, 3))
    for dt in NEW:
        if dt in HALF:
            vals = list(rng.uniform(lo, hi, 12)) + [v for v in FLOAT_EDGE if op in EXACT_UNARY or v != v or v in (0.0,)]
            x = torch.tensor(vals, dtype=torch.float64).to(DT[dt])
            tol = 'exact' if op in EXACT_UNARY else {'ulp': 1}
            why = 'exact on representable inputs' if op in EXACT_UNARY else 'float32 math rounded once: 1 ulp'
        else:
            vals = INT_IN[dt] if op in EXACT_UNARY else INT_MATH_IN[dt]
            if op in ('log', 'log2', 'log10', 'rsqrt', 'acosh'):
                vals = [v for v in vals if v > 0]
            if op in ('erfinv', 'atanh', 'asin', 'acos'):
                vals = [v for v in vals if -1 <= v <= 1]
            x = mk(vals, dt)
            tol = 'exact' if op in EXACT_UNARY else {'ulp': 1024}
            why = 'integer op: exact' if op in EXACT_UNARY else ('integer input computes in float32 (loose: torch\'s '
                                                                  'vector kernels differ; the float32 suites check accuracy)')
        add(f'unary/{op}/{dt}', {'fn': 'method', 'name': op, 'args': [T(x)]}, lambda fn=fn, x=x: fn(x), tol=tol, why=why,
            design=(lambda fn=fn, x=x, dt=dt: fn(x.float()).to(DT[dt])) if dt in HALF else None,
            ref=(lambda fn=fn, x=x, dt=dt: fn(x.float()).to(DT[dt])) if dt in HALF else
            (lambda fn=fn, x=x: fn(x.float())))
# abs/neg at the int64 edges: the most negative value wraps as in C
add('unary/neg/int64/min', {'fn': 'method', 'name': 'neg', 'args': [T(mk([-2 ** 63, 2 ** 63 - 1], 'int64'))]},
    lambda: -mk([-2 ** 63, 2 ** 63 - 1], 'int64'), why='two\'s complement wrap')
add('unary/neg/uint8/wrap', {'fn': 'method', 'name': 'neg', 'args': [T(mk([0, 1, 255], 'uint8'))]},
    lambda: -mk([0, 1, 255], 'uint8'), why='uint8 negation wraps')

# ------------------------------------------------------------------ binary ops of the op table
TORCH_BINARY = {'floorDivide': torch.floor_divide, 'logaddexp': torch.logaddexp, 'xlogy': torch.xlogy}
EXACT_BINARY = {'add', 'sub', 'mul', 'maximum', 'minimum', 'fmod', 'remainder', 'floorDivide'}
BIN_IN = {
    'uint8': ([0, 1, 3, 200, 255, 16, 7, 9], [1, 2, 5, 100, 3, 16, 7, 2]),
    'int64': ([0, 5, -7, 2 ** 40, -2 ** 35, 2 ** 31, 3, 2 ** 53 + 1], [1, 2, 3, 2 ** 20, 7, -2, -5, 2]),
    'float16': ([0.5, -1.5, 3.0, 100.0, 2.0, -0.0, 1000.0, 0.0999755859375],
                [2.0, 0.75, -2.5, 3.0, 0.5, 1.0, 100.0, 3.0]),
    'bfloat16': ([0.5, -1.5, 3.0, 100.0, 2.0, -0.0, 1e30, 0.10009765625],
                 [2.0, 0.75, -2.5, 3.0, 0.5, 1.0, 1e10, 3.0]),
}
POW_IN = {'uint8': ([2, 3, 0, 2, 16], [8, 5, 0, 3, 2]), 'int64': ([2, -3, 7, 2, 0], [40, 5, 0, 62, 3]),
          'float16': ([2.0, 1.5, 4.0, 300.0, 0.5], [3.0, 2.0, 0.5, 2.0, 20.0]),
          'bfloat16': ([2.0, 1.5, 4.0, 1e20, 0.5], [3.0, 2.0, 0.5, 2.0, 20.0])}
def mixed_ref(fn, x, y):
    """Where torch rejects a mixed pair: promote both first, compute in float32 if the promoted
    dtype is a half type or an integer of a float op, round back."""
    p = torch.promote_types(x.dtype, y.dtype)
    try:
        return fn(x.to(p), y.to(p))
    except RuntimeError:
        r = fn(x.float(), y.float())
        return r.to(p) if p in (torch.float16, torch.bfloat16) else r


def number_ref(fn, x, num, dt):
    """Where torch takes no Python number (maximum, atan2, hypot...): the number as a tensor of x's
    dtype, computed in float32 for the half types and integers of float ops."""
    full = torch.full_like(x, num)
    try:
        return fn(x, full)
    except RuntimeError:
        r = fn(x.float(), full.float())
        return r.to(DT[dt]) if dt in HALF else r


for op in BINARY_OPS:
    fn = TORCH_BINARY.get(op) or getattr(torch, op)
    for dt in NEW:
        a, b = (POW_IN if op == 'pow' else BIN_IN)[dt]
        if op in ('xlogy',) and dt not in HALF:
            b = [abs(v) + 1 for v in b]
        x, y = mk(a, dt), mk(b, dt)
        exact = dt not in HALF or op in ('add', 'sub', 'mul', 'maximum', 'minimum')
        tol = 'exact' if (dt not in HALF and op in EXACT_BINARY | {'pow'}) else \
            ('exact' if op in ('maximum', 'minimum') else {'ulp': 1} if dt in HALF else {'ulp': 1024})
        why = ('integer arithmetic: exact (wraps like PyTorch)' if tol == 'exact' and dt not in HALF else
               'min/max pick an input: exact' if tol == 'exact' else 'float32 math rounded once: 1 ulp'
               if dt in HALF else 'integer inputs computed in float32')
        add(f'binary/{op}/{dt}', {'fn': 'method', 'name': op, 'args': [T(x), T(y)]}, lambda fn=fn, x=x, y=y: fn(x, y),
            tol=tol, why=why, design=(lambda fn=fn, x=x, y=y, dt=dt: fn(x.float(), y.float()).to(DT[dt])) if dt in HALF else None,
            ref=(lambda fn=fn, x=x, y=y, dt=dt: fn(x.float(), y.float()).to(DT[dt])) if dt in HALF else
            (lambda fn=fn, x=x, y=y: fn(x.float(), y.float())))
        # with a JS number operand
        num = 3 if op != 'pow' else 2
        add(f'binary/{op}/{dt}/number', {'fn': 'method', 'name': op, 'args': [T(x), N(num)]},
            lambda fn=fn, x=x, num=num: fn(x, num), tol=tol, why=why + '; a JS number keeps the tensor dtype',
            ref=lambda fn=fn, x=x, num=num, dt=dt: number_ref(fn, x, num, dt))
    # mixed with the old dtypes
    for da, db in [('float16', 'float32'), ('bfloat16', 'float64'), ('uint8', 'int32'), ('int64', 'float32'),
                   ('uint8', 'float16'), ('int64', 'bfloat16'), ('float16', 'bfloat16')]:
        a = (POW_IN if op == 'pow' else BIN_IN)[da][0]
        b = (POW_IN if op == 'pow' else BIN_IN)[db if db in BIN_IN else 'uint8' if db == 'int32' else 'float16'][1]
        if op in ('pow', 'xlogy'):
            b = [abs(v) for v in b]
        if op in ('fmod', 'remainder', 'floorDivide'):
            b = [v if v != 0 else 1 for v in b]
        x, y = mk(a, da), mk(b, db)
        rdt = NAME[torch.promote_types(x.dtype, y.dtype)]
        tol = 'exact' if rdt in INTS and op in EXACT_BINARY | {'pow'} else {'ulp': 1} if rdt in HALF else {'ulp': 1024}
        add(f'binary/{op}/{da}-{db}', {'fn': 'method', 'name': op, 'args': [T(x), T(y)]},
            lambda fn=fn, x=x, y=y: fn(x, y), tol=tol, why='mixed dtypes: promoted first',
            ref=lambda fn=fn, x=x, y=y: mixed_ref(fn, x, y))
# integer division by zero (PyTorch raises for integer floor_divide / remainder / fmod)
for op, fn in [('floorDivide', torch.floor_divide), ('remainder', torch.remainder), ('fmod', torch.fmod)]:
    for dt in ('uint8', 'int64'):
        x, y = mk([5, 6], dt), mk([0, 2], dt)
        add(f'binary/{op}/{dt}/divzero', {'fn': 'method', 'name': op, 'args': [T(x), T(y)]},
            lambda fn=fn, x=x, y=y: fn(x, y), why='integer division by zero')

# ------------------------------------------------------------------ comparisons and where
CMP = ['eq', 'ne', 'lt', 'le', 'gt', 'ge']
CMP_IN = {'uint8': ([0, 5, 255, 7], [0, 6, 254, 7]), 'int64': ([2 ** 53 + 1, 2 ** 53, -2 ** 40, 3], [2 ** 53, 2 ** 53, -2 ** 40, 4]),
          'float16': ([0.0, math.nan, 1.0, -0.0], [-0.0, math.nan, 1.0009765625, 0.0]),
          'bfloat16': ([0.0, math.nan, 1.0, -0.0], [-0.0, math.nan, 1.0078125, 0.0])}
for op in CMP:
    fn = getattr(torch, op)
    for dt in NEW:
        a, b = CMP_IN[dt]
        x, y = mk(a, dt), mk(b, dt)
        add(f'compare/{op}/{dt}', {'fn': 'method', 'name': op, 'args': [T(x), T(y)]}, lambda fn=fn, x=x, y=y: fn(x, y),
            why='bool result: exact (int64 compared as integers, beyond 2^53)')
        add(f'compare/{op}/{dt}/number', {'fn': 'method', 'name': op, 'args': [T(x), N(1)]},
            lambda fn=fn, x=x: fn(x, 1), why='with a JS number')
    for da, db in [('float16', 'float32'), ('uint8', 'int32'), ('int64', 'float64'), ('bfloat16', 'float16'),
                   ('uint8', 'float16')]:
        x = mk(CMP_IN[da][0] if da in CMP_IN else [0, 1, 2, 3], da)
        y = mk({'float32': [0.0, 1.0, 1.0000001, 0.0], 'int32': [0, 6, 255, -1], 'float64': [9007199254740992.0, 1, 2, 3],
                'float16': [0.0, 1.0, 1.0, 0.0]}[db], db)
        add(f'compare/{op}/{da}-{db}', {'fn': 'method', 'name': op, 'args': [T(x), T(y)]}, lambda fn=fn, x=x, y=y: fn(x, y),
            why='mixed: promoted then compared')
COND = mk([True, False, True, False], 'bool')
for dt in NEW:
    a = mk(CMP_IN[dt][0], dt)
    b = mk(CMP_IN[dt][1], dt)
    add(f'where/{dt}', {'fn': 'tf', 'name': 'where', 'args': [T(COND), T(a), T(b)]}, lambda a=a, b=b: torch.where(COND, a, b),
        why='selection: exact')
    for other in ('float32', 'int32'):
        o = mk([1, 2, 3, 4], other)
        add(f'where/{dt}-{other}', {'fn': 'tf', 'name': 'where', 'args': [T(COND), T(a), T(o)]},
            lambda a=a, o=o: torch.where(COND, a, o), why='where promotes its two branches')
    add(f'where/{dt}/cond-{dt}', {'fn': 'tf', 'name': 'where', 'args': [T(mk([1, 0, 2, 0], 'uint8')), T(a), T(b)]},
        lambda a=a, b=b: torch.where(mk([1, 0, 2, 0], 'uint8'), a, b), why='uint8 condition (PyTorch: accepted, deprecated)')

# ------------------------------------------------------------------ reductions, scans, sorting
RED_IN = {
    'float16': [[1.5, -2.0, 0.0999755859375, 3.0], [100.0, -0.5, 7.25, 0.125], [-3.0, 2.5, 65504.0, 1.0]],
    'bfloat16': [[1.5, -2.0, 0.10009765625, 3.0], [100.0, -0.5, 7.25, 0.125], [-3.0, 2.5, 3e38, 1.0]],
    'uint8': [[1, 200, 3, 0], [255, 7, 9, 100], [5, 6, 250, 2]],
    'int64': [[2 ** 40, -3, 5, 0], [2 ** 53 + 1, 7, -2 ** 35, 1], [-1, 9, 2 ** 31, 4]],
}
RED_TOL = {'sum': {'ulp': 1}, 'mean': {'ulp': 1}, 'prod': {'ulp': 1}, 'cumsum': {'ulp': 1}}
for dt in NEW:
    x = mk(RED_IN[dt], dt)
    for op, fn, args in [('sum', lambda x: x.sum(), []), ('sum', lambda x: x.sum(1), [1]), ('sum', lambda x: x.sum(0), [0]),
                         ('mean', lambda x: x.mean(), []), ('mean', lambda x: x.mean(1), [1]),
                         ('max', lambda x: x.max(), []), ('max', lambda x: x.amax(1), [1]),
                         ('min', lambda x: x.min(), []), ('min', lambda x: x.amin(0), [0]),
                         ('argmax', lambda x: x.argmax(), []), ('argmax', lambda x: x.argmax(1), [1]),
                         ('argmin', lambda x: x.argmin(0), [0]),
                         ('prod', lambda x: x.prod(), []), ('prod', lambda x: x.prod(1), [1]),
                         ('cumsum', lambda x: x.cumsum(1), [1]), ('cumsum', lambda x: x.cumsum(0), [0])]:
        tol = RED_TOL.get(op, 'exact') if dt in HALF else 'exact'
        add(f'reduce/{op}({",".join(map(str, args))})/{dt}', {'fn': 'method', 'name': op, 'args': [T(x)] + [V(a) for a in args]},
            lambda fn=fn, x=x: fn(x), tol=tol,
            design=(lambda fn=fn, x=x, dt=dt: fn(x.float()).to(DT[dt])) if dt in HALF else None,
            why='exact: selection or integer math' if tol == 'exact' else 'accumulated in float32, rounded once: 1 ulp',
            ref=(lambda fn=fn, x=x, dt=dt: fn(x.float()).to(DT[dt])) if dt in HALF else
            (lambda fn=fn, x=x: fn(x.double()).float()) if op == 'mean' else None)
    # sort / topk: distinct values; NaN sorts last (largest) in PyTorch
    sx = x[0:2].reshape(-1)
    add(f'sort/{dt}', {'fn': 'method', 'name': 'sort', 'args': [T(sx)]}, lambda sx=sx: torch.sort(sx), why='exact')
    add(f'sort/{dt}/desc', {'fn': 'method', 'name': 'sort', 'args': [T(sx), V(-1), V({'descending': True})]},
        lambda sx=sx: torch.sort(sx, descending=True), why='exact')
    add(f'topk/{dt}', {'fn': 'method', 'name': 'topk', 'args': [T(sx), V(3)]}, lambda sx=sx: torch.topk(sx, 3), why='exact')
for dt in HALF:
    nx = mk([1.0, math.nan, -2.0, math.inf, 0.5], dt)
    add(f'sort/{dt}/nan', {'fn': 'method', 'name': 'sort', 'args': [T(nx)]}, lambda nx=nx: torch.sort(nx), why='NaN sorts last')
    add(f'reduce/max/{dt}/nan', {'fn': 'method', 'name': 'max', 'args': [T(nx)]}, lambda nx=nx: nx.max(), why='NaN propagates')
    add(f'reduce/argmax/{dt}/nan', {'fn': 'method', 'name': 'argmax', 'args': [T(nx)]}, lambda nx=nx: nx.argmax(),
        why='NaN is the max')
    # 3000 ones: a float16 accumulator would stop at 2048; float32 accumulation gives 3000 (exact in float16)
    ones = torch.ones(3000, dtype=DT[dt])
    add(f'reduce/sum/{dt}/3000ones', {'fn': 'method', 'name': 'sum', 'args': [T(ones)]}, lambda ones=ones: ones.sum(),
        tol='exact', why='accumulates in float32: exact 3000 (a half accumulator stalls at 2048 or 256)')
    big = mk([60000.0, 60000.0, -60000.0], dt)
    add(f'reduce/sum/{dt}/overflow-in-between', {'fn': 'method', 'name': 'sum', 'args': [T(big)]}, lambda big=big: big.sum(),
        tol='exact', why='float32 accumulator does not overflow at 120000 (float16 would give inf)')
    add(f'reduce/cumsum/{dt}/3000ones', {'fn': 'method', 'name': 'cumsum', 'args': [T(ones), V(0)]},
        lambda ones=ones: ones.cumsum(0), tol='exact', why='scan accumulates in float32, each prefix rounded once',
        ref=lambda ones=ones, dt=dt: ones.float().cumsum(0).to(DT[dt]))
u = torch.full((300,), 200, dtype=torch.uint8)
add('reduce/sum/uint8/no-wrap', {'fn': 'method', 'name': 'sum', 'args': [T(u)]}, lambda: u.sum(),
    why='60000: no wrap at 255 (PyTorch int64; ours int32 by design)')
big64 = mk([2 ** 62, 2 ** 62 - 1, -5], 'int64')
add('reduce/sum/int64/big', {'fn': 'method', 'name': 'sum', 'args': [T(big64)]}, lambda: big64.sum(),
    why='int64 accumulates in int64 (beyond 2^53 exact)')
add('reduce/cumsum/int64/big', {'fn': 'method', 'name': 'cumsum', 'args': [T(big64), V(0)]}, lambda: big64.cumsum(0),
    why='int64 scan in int64')
add('reduce/max/int64/beyond2^53', {'fn': 'method', 'name': 'max', 'args': [T(mk([2 ** 53 + 1, 2 ** 53, 2 ** 53 - 1], 'int64'))]},
    lambda: mk([2 ** 53 + 1, 2 ** 53, 2 ** 53 - 1], 'int64').max(), why='compared as integers, not doubles')
add('reduce/argmax/int64/beyond2^53', {'fn': 'method', 'name': 'argmax', 'args': [T(mk([2 ** 53, 2 ** 53 + 1, 2 ** 53], 'int64'))]},
    lambda: mk([2 ** 53, 2 ** 53 + 1, 2 ** 53], 'int64').argmax(), why='compared as integers, not doubles')

# ------------------------------------------------------------------ matmul in float16 / bfloat16
def exact_half(shape, dt, lo=-2, hi=2):
    return torch.tensor(rng.uniform(lo, hi, size=shape), dtype=torch.float64).to(DT[dt])


for dt in HALF:
    for name, sa, sb in [('2d', (4, 8), (8, 3)), ('k256', (3, 256), (256, 5)), ('batched', (2, 3, 16), (16, 4)),
                         ('vec', (16,), (16, 3)), ('dot', (32,), (32,))]:
        a, b = exact_half(sa, dt), exact_half(sb, dt)
        add(f'matmul/{dt}/{name}', {'fn': 'method', 'name': 'matmul', 'args': [T(a), T(b)]},
            lambda a=a, b=b, dt=dt: torch.matmul(a.float(), b.float()).to(DT[dt]), tol={'ulp': 1},
            why='float32 math rounded once, 1 ulp (the design rule; torch 1.13 CPU rejects float16 and its '
                'bfloat16 matmul is off by several ulp: recorded as torchOwn)')
        try:
            cases[-1]['torchOwn'] = enc(torch.matmul(a, b))
        except RuntimeError as e:
            cases[-1]['torchOwn'] = {'torchRejects': first_line(e)}
    # the float32-math-rounded-once reference is recorded alongside, also where torch computes it
    a, b = exact_half((5, 64), dt), exact_half((64, 6), dt)
    add(f'matmul/{dt}/ref-f32-rounded', {'fn': 'method', 'name': 'matmul', 'args': [T(a), T(b)]},
        lambda a=a, b=b, dt=dt: torch.matmul(a.float(), b.float()).to(DT[dt]), tol={'ulp': 1},
        why='expected: float32 math rounded once (design rule), not torch')
    add(f'matmul/{dt}-float32', {'fn': 'method', 'name': 'matmul', 'args': [T(a), T(b.float())]},
        lambda a=a, b=b: torch.matmul(a, b.float()), tol={'ulp': 4}, why='mixed: torch rejects; promotion would give float32',
        ref=lambda a=a, b=b: torch.matmul(a.float(), b.float()))
for dt in ('int64', 'uint8'):
    a, b = mk([[1, 2, 3], [4, 5, 6]], dt), mk([[7, 8], [9, 10], [11, 12]], dt)
    add(f'matmul/{dt}', {'fn': 'method', 'name': 'matmul', 'args': [T(a), T(b)]}, lambda a=a, b=b: torch.matmul(a, b),
        why='integer matmul: exact (uint8 wraps in torch)')

# ------------------------------------------------------------------ indexing with int64 indices
X34 = torch.arange(12, dtype=torch.float32).reshape(3, 4) * 1.5
I64 = torch.tensor([[0, 2, 1, 0], [2, 1, 0, -1 + 3]], dtype=torch.int64)
add('index/gather/int64', {'fn': 'method', 'name': 'gather', 'args': [T(X34), V(0), T(I64)]},
    lambda: X34.gather(0, I64), why='int64 index: exact')
add('index/gather/int64/dim1', {'fn': 'method', 'name': 'gather', 'args': [T(X34), V(1), T(mk([[3, 0], [1, 1], [2, 3]], 'int64'))]},
    lambda: X34.gather(1, mk([[3, 0], [1, 1], [2, 3]], 'int64')), why='exact')
sel = mk([2, 0, 2], 'int64')
add('index/indexSelect/int64', {'fn': 'method', 'name': 'indexSelect', 'args': [T(X34), V(1), T(sel)]},
    lambda: X34.index_select(1, sel), why='exact')
add('index/index/int64', {'fn': 'method', 'name': 'index', 'args': [T(X34), T(sel)]}, lambda: X34[sel], why='exact')
add('index/index/int64-negative', {'fn': 'method', 'name': 'index', 'args': [T(X34), T(mk([-1, 0], 'int64'))]},
    lambda: X34[mk([-1, 0], 'int64')], why='negative int64 indices count from the end')
add('index/index/int64-2d', {'fn': 'method', 'name': 'index', 'args': [T(X34), V(':'), T(mk([[3, 1], [0, 0]], 'int64'))]},
    lambda: X34[:, mk([[3, 1], [0, 0]], 'int64')], why='exact')
add('index/index/int64-outofrange', {'fn': 'method', 'name': 'index', 'args': [T(X34), T(mk([2 ** 32], 'int64'))]},
    lambda: X34[mk([2 ** 32], 'int64')], why='an index beyond 2^31 must not wrap into range')
add('index/gather/int64-outofrange', {'fn': 'method', 'name': 'gather', 'args': [T(X34), V(0), T(mk([[2 ** 32 + 1, 0, 0, 0]], 'int64'))]},
    lambda: X34.gather(0, mk([[2 ** 32 + 1, 0, 0, 0]], 'int64')), why='an index beyond 2^31 must not wrap into range')
add('index/indexSelect/int64-outofrange', {'fn': 'method', 'name': 'indexSelect', 'args': [T(X34), V(0), T(mk([2 ** 32], 'int64'))]},
    lambda: X34.index_select(0, mk([2 ** 32], 'int64')), why='an index beyond 2^31 must not wrap into range')
W = torch.arange(10, dtype=torch.float32).reshape(5, 2) - 3
EIDX = mk([[4, 0], [1, 4]], 'int64')
add('index/embedding/int64', {'fn': 'F', 'name': 'embedding', 'args': [T(EIDX), T(W)]}, lambda: F.embedding(EIDX, W),
    why='embedding lookup with int64 ids (PyTorch\'s usual id dtype)')
add('index/scatterAdd/int64', {'fn': 'method', 'name': 'scatterAdd',
                               'args': [T(torch.zeros(3, 4)), V(0), T(I64), T(torch.ones(2, 4))]},
    lambda: torch.zeros(3, 4).scatter_add(0, I64, torch.ones(2, 4)), why='exact')
add('index/takeAlongDim/int64', {'fn': 'method', 'name': 'takeAlongDim', 'args': [T(X34), T(mk([[0], [3], [1]], 'int64')), V(1)]},
    lambda: torch.take_along_dim(X34, mk([[0], [3], [1]], 'int64'), 1), why='exact')
add('index/oneHot/int64', {'fn': 'method', 'name': 'oneHot', 'args': [T(mk([0, 2, 1], 'int64')), V(3)]},
    lambda: F.one_hot(mk([0, 2, 1], 'int64'), 3), why='PyTorch one_hot takes int64 and gives int64')
LOG = torch.tensor([[1.0, 2.0, 0.5], [0.1, -1.0, 3.0]])
TGT = mk([2, 0], 'int64')
add('index/crossEntropy/int64', {'fn': 'F', 'name': 'crossEntropy', 'args': [T(LOG), T(TGT)]},
    lambda: F.cross_entropy(LOG, TGT), tol={'ulp': 4}, why='class indices as int64 (PyTorch requires int64)')
add('index/nllLoss/int64', {'fn': 'F', 'name': 'nllLoss', 'args': [T(LOG), T(TGT)]},
    lambda: F.nll_loss(LOG, TGT), tol={'ulp': 4}, why='class indices as int64')
# data movement of the storage dtypes
for dt in NEW:
    x = mk(RED_IN[dt], dt)
    add(f'index/gather/{dt}-data', {'fn': 'method', 'name': 'gather', 'args': [T(x), V(0), T(I64.int())]},
        lambda x=x: x.gather(0, I64), why='moves elements of a storage dtype (int32 index): exact')
    add(f'index/indexSelect/{dt}-data', {'fn': 'method', 'name': 'indexSelect', 'args': [T(x), V(1), T(sel.int())]},
        lambda x=x: x.index_select(1, sel), why='int32 index: exact')
    add(f'index/index/{dt}-data', {'fn': 'method', 'name': 'index', 'args': [T(x), T(mk([2, 0], 'int32'))]},
        lambda x=x: x[mk([2, 0], 'int64')], why='exact')
    add(f'shape/transpose-contiguous/{dt}', {'fn': 'method', 'name': 'contiguous',
                                            'args': [{'t': enc(x), 'then': ['transpose', 0, 1]}]},
        lambda x=x: x.t().contiguous(), why='strided copy of a storage dtype: exact')
    add(f'concat/{dt}', {'fn': 'tf', 'name': 'concat', 'args': [V('__list__'), T(x), T(x[0:1])]},
        lambda x=x: torch.cat([x, x[0:1]]), why='exact')
    add(f'maskedFill/{dt}', {'fn': 'method', 'name': 'maskedFill', 'args': [T(x), T(x.gt(4) if dt != 'uint8' else x.gt(100)), N(1)]},
        lambda x=x, dt=dt: x.masked_fill(x.gt(4) if dt != 'uint8' else x.gt(100), 1), why='exact')
EMB16 = torch.tensor(rng.uniform(-1, 1, (5, 3))).to(torch.float16)
add('index/embedding/float16-weight', {'fn': 'F', 'name': 'embedding', 'args': [T(mk([1, 4], 'int32')), T(EMB16)]},
    lambda: F.embedding(mk([1, 4], 'int64'), EMB16), why='float16 weights: exact lookup')

# ------------------------------------------------------------------ float16/bfloat16 arithmetic edges
# Two half values combine exactly or nearly so in float32; the one rounding to the half type decides
# ties (to even), subnormals and overflow. Both torch and the design round the float32 result once.
EDGE = {
    'float16': {
        'add': ([1.0, 1.0, 60000.0, 2 ** -24, 2 ** -14, 65504.0, -0.0, 1.0, math.nan, math.inf],
                [2 ** -11, 3 * 2 ** -11, 60000.0, 2 ** -24, -2 ** -24, 16.0, -0.0, -1.0, 1.0, -math.inf]),
        'mul': ([2 ** -24, 3 * 2 ** -24, 300.0, -0.0, 1.0009765625, 2 ** -14, math.inf, 0.0],
                [0.5, 0.5, 300.0, 5.0, 1.0009765625, 2 ** -10, 0.0, -1.0]),
        'div': ([1.0, 0.0, -1.0, 1.0, 65504.0, 2 ** -24, 3.0],
                [0.0, 0.0, 0.0, 3.0, 0.5, 2.0, -0.0]),
        'sub': ([1.0, 1.0, -65504.0, 0.0], [2 ** -11, 1.0, 32.0, 0.0]),
        'maximum': ([1.0, math.nan, -0.0, 0.0], [math.nan, 2.0, 0.0, -0.0]),
        'minimum': ([1.0, math.nan, -0.0, 0.0], [math.nan, 2.0, 0.0, -0.0]),
    },
    'bfloat16': {
        'add': ([1.0, 1.0, 3e38, 9.183549615799121e-41, 1e-38, -0.0, 256.0, math.nan],
                [2 ** -8, 3 * 2 ** -8, 3e38, 9.183549615799121e-41, -9.183549615799121e-41, -0.0, 1.0, 1.0]),
        'mul': ([9.183549615799121e-41, 1e20, -0.0, 1.0078125, math.inf],
                [0.5, 1e20, 5.0, 1.0078125, 0.0]),
        'div': ([1.0, 0.0, -1.0, 1.0, 3e38], [0.0, 0.0, 0.0, 3.0, 1e-10]),
        'sub': ([1.0, 256.0, 0.0], [2 ** -8, -1.0, 0.0]),
        'maximum': ([1.0, math.nan, -0.0, 0.0], [math.nan, 2.0, 0.0, -0.0]),
        'minimum': ([1.0, math.nan, -0.0, 0.0], [math.nan, 2.0, 0.0, -0.0]),
    },
}
for dt, ops in EDGE.items():
    for op, (a, b) in ops.items():
        x, y = mk(a, dt), mk(b, dt)
        add(f'edge/{op}/{dt}', {'fn': 'method', 'name': op, 'args': [T(x), T(y)]}, lambda op=op, x=x, y=y: getattr(torch, op)(x, y),
            why='ties to even, subnormals, overflow to inf, NaN, -0: one rounding of the float32 result, exact',
            design=lambda op=op, x=x, y=y, dt=dt: getattr(torch, op)(x.float(), y.float()).to(DT[dt]))
# uint8 against negative and large numbers, int64 floor semantics
U = mk([0, 5, 255], 'uint8')
for op in ('gt', 'lt', 'eq'):
    for v in (-1, 256, 255):
        add(f'edge/{op}/uint8/{v}', {'fn': 'method', 'name': op, 'args': [T(U), N(v)]},
            lambda op=op, v=v: getattr(torch, op)(U, v), why='uint8 compared with a number outside 0..255')
L = mk([-7, 7, -2 ** 40 - 1, 2 ** 40 + 1], 'int64')
for op in ('floorDivide', 'remainder', 'fmod'):
    fn = TORCH_BINARY.get(op) or getattr(torch, op)
    add(f'edge/{op}/int64/signs', {'fn': 'method', 'name': op, 'args': [T(L), T(mk([2, -2, 3, -3], 'int64'))]},
        lambda fn=fn: fn(L, mk([2, -2, 3, -3], 'int64')), why='integer division signs beyond 2^31: exact')
add('edge/pow/int64/overflow', {'fn': 'method', 'name': 'pow', 'args': [T(mk([2, 3, -2], 'int64')), T(mk([63, 40, 63], 'int64'))]},
    lambda: torch.pow(mk([2, 3, -2], 'int64'), mk([63, 40, 63], 'int64')), why='int64 pow wraps like C')
add('edge/mul/int64/wrap', {'fn': 'method', 'name': 'mul', 'args': [T(mk([2 ** 62, 3 * 2 ** 40], 'int64')), T(mk([4, 2 ** 30], 'int64'))]},
    lambda: mk([2 ** 62, 3 * 2 ** 40], 'int64') * mk([4, 2 ** 30], 'int64'), why='int64 multiplication wraps')

# ------------------------------------------------------------------ more reductions
for dt in NEW:
    x = mk(RED_IN[dt], dt)
    for name, fn, args in [('sum', lambda x: x.sum((0, 1)), [[0, 1]]), ('sum', lambda x: x.sum(1, keepdim=True), [1, True]),
                           ('amax', lambda x: x.amax(1), [1]), ('any', lambda x: x.any(), []), ('all', lambda x: x.all(1), [1]),
                           ('cumprod', lambda x: x.cumprod(1), [1]), ('var', lambda x: x.var(1), [1]),
                           ('std', lambda x: x.std(), []), ('logsumexp', lambda x: x.logsumexp(1), [1]),
                           ('norm', lambda x: torch.linalg.vector_norm(x), [])]:
        tol = {'ulp': 1} if dt in HALF and name not in ('amax', 'any', 'all') else 'exact'
        if dt not in HALF and name in ('var', 'std', 'logsumexp', 'norm'):
            tol = {'ulp': 16}
        add(f'reduce2/{name}({",".join(map(str, args))})/{dt}', {'fn': 'method', 'name': name, 'args': [T(x)] + [V(a) for a in args]},
            lambda fn=fn, x=x: fn(x), tol=tol, why='float32 accumulation rounded once' if tol != 'exact' else 'exact',
            design=(lambda fn=fn, x=x, dt=dt: fn(x.float()).to(DT[dt])) if dt in HALF else None,
            ref=(lambda fn=fn, x=x, dt=dt: fn(x.float()).to(DT[dt])) if dt in HALF else (lambda fn=fn, x=x: fn(x.float())))

# ------------------------------------------------------------------ layers in float16 / bfloat16
for dt in HALF:
    xin, w, bias = exact_half((3, 8), dt), exact_half((4, 8), dt), exact_half((4,), dt)
    add(f'nn/linear/{dt}', {'fn': 'F', 'name': 'linear', 'args': [T(xin), T(w), T(bias)]},
        lambda xin=xin, w=w, bias=bias: F.linear(xin, w, bias), tol={'ulp': 1}, why='float32 math rounded once',
        design=lambda xin=xin, w=w, bias=bias, dt=dt: F.linear(xin.float(), w.float(), bias.float()).to(DT[dt]),
        ref=lambda xin=xin, w=w, bias=bias, dt=dt: F.linear(xin.float(), w.float(), bias.float()).to(DT[dt]))
    ci, cw = exact_half((1, 2, 5, 5), dt), exact_half((3, 2, 3, 3), dt)
    add(f'nn/conv2d/{dt}', {'fn': 'F', 'name': 'conv2d', 'args': [T(ci), T(cw)]},
        lambda ci=ci, cw=cw: F.conv2d(ci, cw), tol={'ulp': 1}, why='float32 math rounded once',
        design=lambda ci=ci, cw=cw, dt=dt: F.conv2d(ci.float(), cw.float()).to(DT[dt]),
        ref=lambda ci=ci, cw=cw, dt=dt: F.conv2d(ci.float(), cw.float()).to(DT[dt]))

# ------------------------------------------------------------------ strided inputs, broadcasting, mixed concat
def TT(t):
    """t transposed on the JS side (a strided view), so the op reads a non-contiguous input."""
    return {'t': enc(t), 'then': ['transpose', 0, 1]}


for dt in NEW:
    x = mk(RED_IN[dt], dt)
    xt = x.t()
    add(f'strided/add/{dt}', {'fn': 'method', 'name': 'add', 'args': [TT(x), N(1)]}, lambda xt=xt: xt + 1,
        tol=half_tol(dt), why='a transposed view of a storage dtype, converted for compute')
    add(f'strided/sum0/{dt}', {'fn': 'method', 'name': 'sum', 'args': [TT(x), V(0)]}, lambda xt=xt: xt.sum(0),
        tol=half_tol(dt), why='reduction of a transposed view')
    add(f'strided/to/{dt}', {'fn': 'method', 'name': 'to', 'args': [TT(x), V('float64')]}, lambda xt=xt: xt.double(),
        why='conversion of a transposed view: exact')
    add(f'strided/cumsum/{dt}', {'fn': 'method', 'name': 'cumsum', 'args': [TT(x), V(1)]}, lambda xt=xt: xt.cumsum(1),
        tol=half_tol(dt), why='scan of a transposed view', ref=lambda xt=xt, dt=dt: xt.float().cumsum(1).to(DT[dt]))
    col = x[:, :1]
    for other in ('float32', 'int32', 'float16'):
        row = mk([1, 2, 3, 4], other)
        add(f'broadcast/{dt}-{other}', {'fn': 'method', 'name': 'mul', 'args': [T(col), T(row)]}, lambda col=col, row=row: col * row,
            tol=sum_tol(dt, other), why='[3,1] x [4] broadcast with promotion')
    for other in ('float32', 'int32'):
        o = mk([[1, 2, 3, 4]], other)
        add(f'concat-mixed/{dt}-{other}', {'fn': 'tf', 'name': 'concat', 'args': [V('__list__'), T(x), T(o)]},
            lambda x=x, o=o: torch.cat([x, o]), why='torch.cat promotes mixed dtypes (1.13)')
    z = x[1, 2]
    add(f'zero-dim/{dt}', {'fn': 'method', 'name': 'mul', 'args': [T(z), T(z)]}, lambda z=z: z * z, tol=half_tol(dt),
        why='0-d storage tensors')

# ------------------------------------------------------------------ gradients
for dt in HALF:
    x0 = torch.tensor([0.5, -1.5, 3.0, 100.0, 0.0999755859375, 300.0]).to(DT[dt])
    W2 = torch.tensor([[0.5, -1.0], [2.0, 0.25], [1.5, 1.0], [-0.5, 3.0], [1.0, 1.0], [0.125, -2.0]]).to(DT[dt])
    torch_own = None
    for expr, f in [('sumsq', lambda x, w: (x * x).sum()), ('to32mul3sum', lambda x, w: (x.float() * 3).sum()),
                    ('meanexp', lambda x, w: (x / 100).exp().mean()),
                    ('mmsum', lambda x, w: x.reshape(1, 6).matmul(w).sum()),
                    ('sigmoidsum', lambda x, w: (x / 100).sigmoid().sum()),
                    ('gathersum', lambda x, w: x.gather(0, torch.tensor([0, 0, 5])).sum()),
                    ('to64sum', lambda x, w: (x.double() * x.double()).sum())]:
        x = x0.clone().requires_grad_(True)
        try:
            y = f(x, W2)
            y.backward()
            expect = [enc(y), enc(x.grad)]
            xd = x0.float().requires_grad_(True)
            f(xd, W2.float()).backward()
            FMT = DT[dt]
            torch_own = None
            if ulp_apart(xd.grad.to(DT[dt]), x.grad) > 1:  # torch's half backward is less accurate here
                torch_own, expect = expect, [enc(y), enc(xd.grad.to(DT[dt]))]
        except RuntimeError as e:
            torch_own = None
            expect = {'torchRejects': first_line(e)}
            xr = x0.float().requires_grad_(True)
            yr = f(xr, W2.float())
            yr.backward()
            expect['ref'] = [enc(yr.detach().to(y.dtype if False else (torch.float64 if expr == 'to64sum' else DT[dt]))),
                             enc(xr.grad.to(DT[dt]))]
        cid = f'grad/{expr}/{dt}'
        ids.add(cid)
        cases.append({'id': cid, 'call': {'fn': 'grad', 'name': expr, 'args': [T(x0), T(W2)]}, 'expect': expect,
                      'tol': {'ulp': 1}, 'why': 'y and x.grad in the dtype of x, 1 ulp (grad of x*x is 2x: exact)'})
        if torch_own is not None:
            cases[-1]['torchOwn'] = torch_own
            cases[-1]['why'] += '; x.grad expected as the float32 gradient rounded once: torch is more than 1 ulp off it'

# ------------------------------------------------------------------ creation functions with {dtype}
for dt in ALL:
    add(f'zeros/{dt}', {'fn': 'tf', 'name': 'zeros', 'args': [V([2]), V({'dtype': dt})]},
        lambda dt=dt: torch.zeros(2, dtype=DT[dt]), why='exact')
    add(f'ones/{dt}', {'fn': 'tf', 'name': 'ones', 'args': [V([2]), V({'dtype': dt})]},
        lambda dt=dt: torch.ones(2, dtype=DT[dt]), why='exact')
    for v in [0.1, 65520, 300, 2 ** 40 + 1, -1]:
        v = py_number(v)
        add(f'full/{dt}/{v}', {'fn': 'tf', 'name': 'full', 'args': [V([2]), N(v), V({'dtype': dt})]},
            lambda dt=dt, v=v: torch.full((2,), v, dtype=DT[dt]), why='one rounding of the fill value')
    if dt != 'bool':
        add(f'arange/{dt}', {'fn': 'tf', 'name': 'arange', 'args': [N(0), N(5), N(1), V({'dtype': dt})]},
            lambda dt=dt: torch.arange(0, 5, 1, dtype=DT[dt]), why='exact')
    add(f'zerosLike/{dt}', {'fn': 'tf', 'name': 'zerosLike', 'args': [T(mk(PROMO_A[dt], dt))]},
        lambda dt=dt: torch.zeros_like(mk(PROMO_A[dt], dt)), why='keeps the dtype')

# ------------------------------------------------------------------ JS numbers beyond int32 as operands
for dt in NEW + ['int32', 'float32']:
    x = mk(PROMO_A[dt], dt)
    for v in [2 ** 31, 2 ** 40 + 1, -2 ** 35, 3e9]:
        v = py_number(v)
        for op in ('sub', 'mul'):
            add(f'number/{op}/{dt}/{v}', {'fn': 'method', 'name': op, 'args': [T(x), N(v)]},
                lambda x=x, v=v, op=op: getattr(torch, op)(x, v), tol=sum_tol(dt),
                why='a JS number beyond int32 must not be cast to int32 (torch: Python int, wraps in the tensor dtype)')
        add(f'number/gt/{dt}/{v}', {'fn': 'method', 'name': 'gt', 'args': [T(x), N(v)]},
            lambda x=x, v=v: x > v, why='comparison with a large number')
        add(f'number/eq/{dt}/{v}', {'fn': 'method', 'name': 'eq', 'args': [T(x), N(v)]},
            lambda x=x, v=v: x == v, why='comparison with a large number')
    add(f'number/where/{dt}', {'fn': 'tf', 'name': 'where', 'args': [T(COND[:3]), T(x), N(2 ** 40)]},
        lambda x=x: torch.where(COND[:3], x, torch.tensor(2 ** 40)), why='where with a number branch')
    add(f'number/clamp/{dt}', {'fn': 'method', 'name': 'clamp', 'args': [T(x), N(2), N(2 ** 33)]},
        lambda x=x: x.clamp(2, 2 ** 33), why='clamp bounds as numbers', tol=sum_tol(dt),
        ref=lambda x=x, dt=dt: x.double().clamp(2, 2 ** 33).to(DT[dt]))

# ------------------------------------------------------------------ more ops on the storage dtypes
for dt in NEW:
    x = mk(RED_IN[dt], dt)
    add(f'clamp/{dt}', {'fn': 'method', 'name': 'clamp', 'args': [T(x), N(1), N(100)]}, lambda x=x: x.clamp(1, 100),
        why='clamp picks a value: exact')
    add(f'square/{dt}', {'fn': 'method', 'name': 'square', 'args': [T(mk([1, 2, 3, 20], dt))]},
        lambda dt=dt: torch.square(mk([1, 2, 3, 20], dt)), why='square: 400 wraps in uint8 (144)')
    if dt in HALF:
        for op, fn in [('softmax', lambda x: torch.softmax(x, 1)), ('logSoftmax', lambda x: torch.log_softmax(x, 1))]:
            y = mk([[1.0, 2.0, 3.0], [-1.0, 0.5, 10.0]], dt)
            add(f'{op}/{dt}', {'fn': 'method', 'name': op, 'args': [T(y), V(1)]}, lambda fn=fn, y=y: fn(y), tol={'ulp': 1},
                why='float32 math rounded once', ref=lambda fn=fn, y=y, dt=dt: fn(y.float()).to(DT[dt]),
                design=lambda fn=fn, y=y, dt=dt: fn(y.float()).to(DT[dt]))
    add(f'inplace/add_/{dt}', {'fn': 'method', 'name': 'add_', 'args': [T(x), N(3)]},
        lambda x=x: x.clone().add_(3), tol=half_tol(dt), why='in place keeps the dtype, one rounding')
    add(f'inplace/mul_/{dt}', {'fn': 'method', 'name': 'mul_', 'args': [T(x), T(mk([2, 0, 1, 3], 'float32'))]},
        lambda x=x: x.clone().mul_(mk([2, 0, 1, 3], 'float32')), tol=half_tol(dt),
        why='in place with a float32 operand: computed, then cast to the dtype of x')
    add(f'reshape-view/{dt}', {'fn': 'method', 'name': 'reshape', 'args': [T(x), V([4, 3])]},
        lambda x=x: x.reshape(4, 3), why='exact')
    add(f'stack/{dt}', {'fn': 'tf', 'name': 'stack', 'args': [V('__list__'), T(x[0]), T(x[2])]},
        lambda x=x: torch.stack([x[0], x[2]]), why='exact')
    add(f'flip/{dt}', {'fn': 'method', 'name': 'flip', 'args': [T(x), V([1])]}, lambda x=x: x.flip([1]), why='exact')

# ------------------------------------------------------------------ reading values out
big = mk([2 ** 53, -2 ** 53, 3], 'int64')
add('read/int64/item', {'fn': 'method', 'name': 'sum', 'args': [T(mk([2 ** 52, 2 ** 52], 'int64'))]},
    lambda: mk([2 ** 52, 2 ** 52], 'int64').sum(), why='item()/toArray() give numbers (checked in the test)')

out = {'torch': torch.__version__, 'cases': cases}
path = os.path.join(ROOT, 'test', 'fixtures', 'dtype_storage.json.gz')
data = json.dumps(out, separators=(',', ':'), allow_nan=False).encode()
with gzip.GzipFile(path, 'wb', mtime=0) as fh:
    fh.write(data)
print(f'{len(cases)} cases, {len(data)} bytes -> {path}')
