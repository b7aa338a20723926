#!/usr/bin/env python3
"""Reference values for every tensor op of API.md, computed by PyTorch.

Run with a Python that has torch (CI does not, so the output is committed):
    /usr/bin/python3 scripts/gen_fixtures.py          # writes test/fixtures/ops.json

Each case records the inputs, how to call the op (tensor arguments by index, literals by value), the
expected output(s) and, for differentiable ops, the gradient of sum(out * R) with respect to every
float input for a fixed R. References are computed in float64 from the exact values the float32
tensors hold, so the only error the tests see is the engine's own.

Input values are short decimals (3 places) and R is a multiple of 1/8: the JSON stays small, and the
JavaScript side rounds the inputs to float32 exactly as this script does.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

SEED = 1234
rng = np.random.default_rng(SEED)

TORCH_DT = {'float32': torch.float32, 'float64': torch.float64, 'int32': torch.int32, 'bool': torch.bool}
# tensorfold has no int64: where PyTorch answers int64 (argmax, sum of ints, one_hot) we answer int32.
OUR_DT = {torch.float32: 'float32', torch.float64: 'float64', torch.int32: 'int32',
          torch.int64: 'int32', torch.bool: 'bool'}


class Inp:
    """A tensor argument: float64 values (already representable in its dtype), shape, dtype."""

    def __init__(self, values, dtype='float32'):
        self.values = np.asarray(values, dtype=np.float64)
        self.raw = self.values.copy()  # short decimals for the JSON; JS rounds them as we do
        self.dtype = dtype
        if dtype == 'float32':
            self.values = self.values.astype(np.float32).astype(np.float64)

    def torch(self, reference):
        if self.dtype in ('float32', 'float64'):
            # Reference mode: float64 from the float32-rounded values.
            return torch.tensor(self.values, dtype=torch.float64 if reference else TORCH_DT[self.dtype])
        return torch.tensor(self.values).to(TORCH_DT[self.dtype])

    def is_float(self):
        return self.dtype in ('float32', 'float64')


def away(x, kinks, margin):
    """Push values off the points where an op is not differentiable (ties, 0 for abs/relu, clamp
    bounds), so autograd's one-sided choice cannot disagree with the engine's."""
    x = np.array(x, dtype=np.float64)
    for k in kinks:
        close = np.abs(x - k) < margin
        x[close] = k + np.where(x[close] >= k, margin, -margin) * 2
    return x


def rnd(shape, lo=-2.0, hi=2.0, dtype='float32', kinks=(), margin=0.05):
    x = rng.uniform(lo, hi, size=shape)
    x = away(x, kinks, margin)
    return Inp(np.round(x, 3), dtype)


def pos(shape, lo=0.3, hi=3.0, dtype='float32'):
    return rnd(shape, lo, hi, dtype)


def ints(shape, lo=-5, hi=6):
    return Inp(rng.integers(lo, hi, size=shape), 'int32')


def distinct_ints(shape, lo=-20):
    n = int(np.prod(shape)) if len(shape) else 1
    return Inp(rng.permutation(np.arange(lo, lo + n)).reshape(shape), 'int32')


def bools(shape):
    return Inp(rng.integers(0, 2, size=shape), 'bool')


def index(values):
    return Inp(values, 'int32')


def grid(shape, lo=-2, hi=3, dtype='float32'):
    """Small integers as floats: comparisons need exact ties."""
    return Inp(rng.integers(lo, hi, size=shape), dtype)


def fmt(v, digits):
    if isinstance(v, bool):
        return v
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    r = float('%.*g' % (digits, v))
    return int(r) if r == int(r) and abs(r) < 2**31 else r


def enc_values(arr, digits):
    return [fmt(float(v), digits) for v in np.asarray(arr, dtype=np.float64).reshape(-1)]


def enc_tensor(t, dtype, digits):
    return {'values': enc_values(t.detach().to(torch.float64).numpy(), digits),
            'shape': list(t.shape), 'dtype': dtype}


cases = []
names_seen = set()


def case(op, name, args, fn, grad=True, forms=None, tol=None, note=None):
    """args: a list of Inp, list of Inp (concat/stack), or literals. fn(*torch_args) -> Tensor or
    a list of Tensors, in PyTorch's spelling."""
    full = '%s: %s' % (op, name)
    assert full not in names_seen, full
    names_seen.add(full)
    inputs, specs = [], []

    def add(x):
        inputs.append(x)
        return len(inputs) - 1

    for a in args:
        if isinstance(a, Inp):
            specs.append({'t': add(a)})
        elif isinstance(a, (list, tuple)) and a and all(isinstance(x, Inp) for x in a):
            specs.append({'ts': [add(x) for x in a]})
        else:
            specs.append({'v': a})

    def build(reference, requires_grad=False):
        ts = [x.torch(reference) for x in inputs]
        if requires_grad:
            for t, x in zip(ts, inputs):
                if x.is_float():
                    t.requires_grad_(True)
        call = []
        for s in specs:
            if 't' in s:
                call.append(ts[s['t']])
            elif 'ts' in s:
                call.append([ts[i] for i in s['ts']])
            else:
                call.append(s['v'])
        return ts, call

    # Pass 1, in the real dtypes: the output dtype PyTorch picks.
    _, call = build(False)
    out_real = fn(*call)
    multi = isinstance(out_real, (list, tuple))
    outs_real = list(out_real) if multi else [out_real]
    out_dtypes = [OUR_DT[o.dtype] for o in outs_real]

    # Pass 2, in float64 (the default dtype too, so int / int is float64): the values.
    torch.set_default_dtype(torch.float64)
    try:
        differentiable = grad and any(x.is_float() for x in inputs)
        ts, call = build(True, requires_grad=differentiable)
        out_ref = fn(*call)
        outs_ref = list(out_ref) if multi else [out_ref]
        # Comparisons, argmax, oneHot, int outputs: no gradient to record.
        differentiable = differentiable and any(o.requires_grad for o in outs_ref)
        any64 = any(x.dtype == 'float64' for x in inputs)
        digits = 15 if any64 else 10
        # The best a float32 result can be is the float64 reference rounded to float32 (which
        # also turns overflow into inf and underflow into 0, as the engine must).
        outs_json = [enc_tensor(o.detach().to(torch.float32) if d == 'float32' else o, d, digits)
                     for o, d in zip(outs_ref, out_dtypes)]
        entry = {'op': op, 'name': full, 'inputs': [], 'args': specs}
        for x in inputs:
            entry['inputs'].append({'values': enc_values(x.raw, 17) if x.dtype != 'bool'
                                    else [bool(v) for v in x.values.reshape(-1)],
                                    'shape': list(x.values.shape), 'dtype': x.dtype})
        entry['out'] = outs_json if multi else outs_json[0]
        if forms is None:
            # tf.where(cond, a, b) and tf.concat/stack(list) exist only as functions (API.md).
            forms = ['method', 'func'] if 't' in specs[0] and op != 'where' else ['func']
        entry['forms'] = forms
        if tol is not None:
            entry['tol'] = tol
        if note:
            entry['note'] = note
        if differentiable:
            Rs = [torch.tensor(rng.integers(-8, 9, size=tuple(o.shape)) / 8.0, dtype=torch.float64)
                  for o in outs_ref]
            loss = sum((o * r).sum() for o, r in zip(outs_ref, Rs))
            wrt = [t for t, x in zip(ts, inputs) if x.is_float()]
            gs = torch.autograd.grad(loss, wrt, allow_unused=True)
            it = iter(gs)
            grads = []
            for t, x in zip(ts, inputs):
                if not x.is_float():
                    grads.append(None)
                    continue
                g = next(it)
                if g is None:
                    g = torch.zeros_like(t)
                grads.append({'values': enc_values(g.detach().numpy(), digits), 'shape': list(t.shape)})
            r_json = [{'values': enc_values(r.numpy(), 6), 'shape': list(r.shape)} for r in Rs]
            entry['R'] = r_json if multi else r_json[0]
            entry['grads'] = grads
    finally:
        torch.set_default_dtype(torch.float32)
    cases.append(entry)


# ---------------------------------------------------------------- elementwise unary
UNARY = {
    'neg': (torch.neg, dict()),
    'abs': (torch.abs, dict(kinks=(0,))),
    'exp': (torch.exp, dict()),
    'log': (torch.log, dict(lo=0.05, hi=4)),
    'sqrt': (torch.sqrt, dict(lo=0.05, hi=4)),
    'rsqrt': (torch.rsqrt, dict(lo=0.1, hi=4)),
    'sin': (torch.sin, dict(lo=-4, hi=4)),
    'cos': (torch.cos, dict(lo=-4, hi=4)),
    'tanh': (torch.tanh, dict(lo=-3, hi=3)),
    'sigmoid': (torch.sigmoid, dict(lo=-6, hi=6)),
    'relu': (torch.relu, dict(kinks=(0,))),
    'gelu': (F.gelu, dict(lo=-4, hi=4)),
    'silu': (F.silu, dict(lo=-5, hi=5)),
    'softplus': (F.softplus, dict(lo=-5, hi=5)),
}
for name, (f, kw) in UNARY.items():
    m = (lambda f: lambda a: f(a))(f)
    case(name, '[3,4] float32', [rnd([3, 4], **kw)], m)
    case(name, '[2,3,2] float64', [rnd([2, 3, 2], dtype='float64', **kw)], m)
    case(name, '0-d', [rnd([], **kw)], m)
case('softplus', 'beyond the linear threshold', [Inp([-30, -5, 0.5, 19.5, 21, 30])], F.softplus)
case('exp', 'large and small', [Inp([-80, -20, 0, 20, 80])], torch.exp)
case('sigmoid', 'saturating', [Inp([-40, -15, 0, 15, 40])], torch.sigmoid)
case('tanh', 'saturating', [Inp([-25, -8, 0, 8, 25])], torch.tanh)
for name, f in [('neg', torch.neg), ('abs', torch.abs), ('relu', torch.relu)]:
    case(name, 'int32 keeps int32', [ints([2, 3])], f)
for name, f in [('exp', torch.exp), ('sqrt', torch.sqrt), ('sin', torch.sin)]:
    case(name, 'int32 -> float32', [Inp([[0, 1, 2], [3, 4, 9]], 'int32')], f)

case('leakyRelu', 'default slope 0.01', [rnd([3, 4], kinks=(0,))], lambda a: F.leaky_relu(a))
case('leakyRelu', 'slope 0.2', [rnd([3, 4], kinks=(0,)), 0.2], lambda a, s: F.leaky_relu(a, s))
case('leakyRelu', 'slope 0.2 float64', [rnd([2, 3], dtype='float64', kinks=(0,)), 0.2],
     lambda a, s: F.leaky_relu(a, s))

# ---------------------------------------------------------------- elementwise binary
def with_scalars(f):
    """A JS number operand follows PyTorch's Python-scalar rule: it does not promote a tensor of
    the same kind (float32 * 2.5 stays float32) and an int tensor with a fractional number becomes
    the default float dtype. torch.maximum & co. take tensors only, so build that tensor here."""
    def g(a, b):
        def conv(s, other):
            if isinstance(s, torch.Tensor):
                return s
            if other.is_floating_point():
                dt = other.dtype
            elif isinstance(s, float) and s != int(s):
                dt = torch.get_default_dtype()
            else:
                dt = other.dtype if other.dtype != torch.bool else torch.int32
            return torch.tensor(s, dtype=dt)
        return f(conv(a, b), conv(b, a))
    return g


BINARY = {
    'add': torch.add, 'sub': torch.sub, 'mul': torch.mul, 'div': torch.div,
    'maximum': torch.maximum, 'minimum': torch.minimum,
}
BINARY = {k: with_scalars(v) for k, v in BINARY.items()}
for name, f in BINARY.items():
    denom = dict(lo=0.4, hi=2.5) if name == 'div' else {}
    case(name, 'same shape [3,4]', [rnd([3, 4]), rnd([3, 4], **denom)], f)
    case(name, 'broadcast [3,1] and [1,4]', [rnd([3, 1]), rnd([1, 4], **denom)], f)
    case(name, 'broadcast [2,3,4] and [4]', [rnd([2, 3, 4]), rnd([4], **denom)], f)
    case(name, 'broadcast [4] and [2,3,4]', [rnd([4]), rnd([2, 3, 4], **denom)], f)
    case(name, 'broadcast [2,1,4] and [3,1]', [rnd([2, 1, 4]), rnd([3, 1], **denom)], f)
    case(name, 'tensor and number', [rnd([2, 3]), 1.25], f)
    case(name, 'number and tensor', [1.5, rnd([2, 3], **denom)], f)
    case(name, 'tensor and 0-d tensor', [rnd([2, 3]), rnd([], **denom)], f)
    case(name, '0-d and 0-d', [rnd([]), rnd([], **denom)], f)
    case(name, 'float64', [rnd([3, 2], dtype='float64'), rnd([3, 2], dtype='float64', **denom)], f)
    case(name, 'float32 and float64 -> float64', [rnd([3, 2]), rnd([3, 2], dtype='float64', **denom)], f)
    nz = Inp([[1, -2, 3], [4, 5, -7]], 'int32')
    case(name, 'int32 and int32', [ints([2, 3]), nz], f)
    case(name, 'int32 and float32 -> float32', [ints([2, 3]), rnd([2, 3], **denom)], f)
    case(name, 'int32 and integral number -> int32', [ints([2, 3]), 3], f)
    case(name, 'int32 and fractional number -> float32', [ints([2, 3]), 2.5], f)
    case(name, 'float32 and int32 broadcast', [rnd([2, 3]), Inp([1, 2, -3], 'int32')], f)
for name in ('maximum', 'minimum'):
    case(name, 'with number 0 (relu-like)', [rnd([3, 4], kinks=(0,)), 0.0], BINARY[name])
case('add', 'bool and bool -> bool (logical or)', [bools([2, 3]), bools([2, 3])], torch.add)
case('mul', 'bool and bool -> bool (logical and)', [bools([2, 3]), bools([2, 3])], torch.mul)
case('add', 'bool and int32 -> int32', [bools([2, 3]), ints([2, 3])], torch.add)
case('mul', 'bool and float32 -> float32', [bools([2, 3]), rnd([2, 3])], torch.mul)
case('add', 'bool and number 1 -> int32', [bools([2, 3]), 1], torch.add)
case('div', 'int32 by int32 broadcast -> float32', [ints([3, 1]), Inp([2, -4, 3, 7], 'int32')], torch.div)

POW = with_scalars(torch.pow)
case('pow', 'positive base, tensor exponent', [pos([3, 4]), rnd([3, 4])], POW)
case('pow', 'base^2', [rnd([3, 4]), 2], POW)
case('pow', 'base^3 (negative base)', [rnd([3, 4]), 3], POW)
case('pow', 'base^0.5', [pos([3, 4]), 0.5], POW)
case('pow', 'base^-1.5', [pos([3, 4]), -1.5], POW)
case('pow', '2^x (number base)', [2.0, rnd([3, 4])], POW)
case('pow', 'broadcast [3,1] ^ [1,4]', [pos([3, 1]), rnd([1, 4])], POW)
case('pow', 'float64', [pos([2, 3], dtype='float64'), rnd([2, 3], dtype='float64')], POW)
case('pow', 'int32 ^ int32', [Inp([[1, 2, 3], [-2, 0, 4]], 'int32'), Inp([[3, 2, 0], [3, 5, 1]], 'int32')], POW)
case('pow', 'int32 ^ 2', [ints([2, 3]), 2], POW)

# ---------------------------------------------------------------- clamp, where, comparisons
case('clamp', '[-0.5, 0.5]', [rnd([3, 4], kinks=(-0.5, 0.5)), -0.5, 0.5], torch.clamp)
case('clamp', 'max only', [rnd([3, 4], kinks=(0.3,)), None, 0.3], torch.clamp)
case('clamp', 'min only', [rnd([3, 4], kinks=(-0.2,)), -0.2], lambda a, lo: torch.clamp(a, lo))
case('clamp', 'float64', [rnd([2, 5], dtype='float64', kinks=(-1, 1)), -1.0, 1.0], torch.clamp)
case('clamp', 'int32', [ints([2, 5]), -2, 3], torch.clamp)

case('where', 'same shapes', [bools([3, 4]), rnd([3, 4]), rnd([3, 4])], torch.where)
case('where', 'broadcast cond [3,1], a [1,4], b 0-d', [bools([3, 1]), rnd([1, 4]), rnd([])], torch.where)
case('where', 'cond [4], a [2,3,4], b [3,1]', [bools([4]), rnd([2, 3, 4]), rnd([3, 1])], torch.where)
case('where', 'number for b', [bools([2, 3]), rnd([2, 3]), 0.0],
     lambda c, a, s: torch.where(c, a, torch.tensor(s, dtype=a.dtype)))
case('where', 'number for a', [bools([2, 3]), -1.0, rnd([2, 3])],
     lambda c, s, b: torch.where(c, torch.tensor(s, dtype=b.dtype), b))
case('where', 'int32 branches', [bools([2, 3]), ints([2, 3]), ints([2, 3])], torch.where)
case('where', 'float64 branches', [bools([2, 3]), rnd([2, 3], dtype='float64'), rnd([2, 3], dtype='float64')],
     torch.where)

COMPARE = {'eq': torch.eq, 'ne': torch.ne, 'lt': torch.lt, 'le': torch.le, 'gt': torch.gt, 'ge': torch.ge}
for name, f in COMPARE.items():
    case(name, 'same shape, with ties', [grid([3, 4]), grid([3, 4])], f)
    case(name, 'broadcast [3,1] and [4]', [grid([3, 1]), grid([4])], f)
    case(name, 'tensor and number', [grid([2, 3]), 1], f)
    case(name, 'tensor and fractional number', [rnd([2, 3]), 0.5], f)
    case(name, 'int32 and int32', [ints([2, 4], -2, 3), ints([2, 4], -2, 3)], f)
    case(name, 'int32 and float32', [ints([2, 4], -2, 3), Inp([[-1.5, 0, 1, 2.5]])], f)
    case(name, 'float64 and float32', [grid([2, 3], dtype='float64'), grid([2, 3])], f)
case('eq', 'bool and bool', [bools([2, 3]), bools([2, 3])], torch.eq)
case('ne', 'bool and bool', [bools([2, 3]), bools([2, 3])], torch.ne)

# ---------------------------------------------------------------- reductions
def axis_args(axis, keepdim):
    """Our call: t.op(axis?, keepdim?) with axis undefined for 'all'."""
    if axis is None and keepdim is None:
        return []
    return [axis, keepdim] if keepdim is not None else [axis]


def torch_reduce(f, axis, keepdim, all_fn=None):
    def g(a, *_):
        kd = bool(keepdim)
        if axis is None:
            if kd:
                return f(a, dim=tuple(range(a.dim())), keepdim=True)
            return all_fn(a) if all_fn else f(a, dim=tuple(range(a.dim())))
        return f(a, dim=axis, keepdim=kd)
    return g


AXES = [(None, None), (0, None), (1, None), (-1, None), (2, True), (-2, True), ([0, 2], None),
        ([-1, 0], None), ([0, 1], True), ([1, -1], True), (None, True), ([0, 1, 2], None)]
REDUCE = {
    'sum': (torch.sum, torch.sum, {}),
    'mean': (torch.mean, torch.mean, {}),
    'max': (torch.amax, torch.max, {}),
    'min': (torch.amin, torch.min, {}),
    'var': (lambda a, dim, keepdim=False: torch.var(a, dim=dim, unbiased=True, keepdim=keepdim),
            lambda a: torch.var(a, unbiased=True), {}),
    'std': (lambda a, dim, keepdim=False: torch.std(a, dim=dim, unbiased=True, keepdim=keepdim),
            lambda a: torch.std(a, unbiased=True), {}),
    'logsumexp': (torch.logsumexp, lambda a: torch.logsumexp(a.reshape(-1), 0), {}),
}
for name, (f, all_fn, _) in REDUCE.items():
    for axis, keepdim in AXES:
        label = 'axis %s keepdim %s' % (json.dumps(axis), json.dumps(bool(keepdim)))
        if axis is None and keepdim is None:
            label = 'no axis (all)'
        case(name, '[2,3,4] ' + label, [rnd([2, 3, 4])] + axis_args(axis, keepdim),
             torch_reduce(f, axis, keepdim, all_fn))
    case(name, '1-D axis 0 -> 0-d', [rnd([5]), 0], torch_reduce(f, 0, False))
    case(name, '2-D axis -1 float64', [rnd([3, 4], dtype='float64'), -1], torch_reduce(f, -1, False))
    case(name, '2-D no axis float64', [rnd([3, 4], dtype='float64')], torch_reduce(f, None, None, all_fn))
case('logsumexp', 'large values (stability)', [Inp([[80, 85, 90], [-90, -80, -85]]), -1],
     lambda a, ax: torch.logsumexp(a, ax))
case('var', 'float64 axis 0 large offset', [Inp(1000 + rng.uniform(size=(5, 3)).round(3), 'float64'), 0],
     lambda a, ax: torch.var(a, ax))
case('sum', 'int32 all -> int32', [ints([3, 4])], torch.sum)
case('sum', 'int32 axis 1', [ints([3, 4]), 1], lambda a, ax: torch.sum(a, ax))
case('sum', 'bool all -> int32 count', [bools([3, 4])], torch.sum)
case('max', 'int32 all', [distinct_ints([3, 4])], torch.max)
case('max', 'int32 axis 0', [distinct_ints([3, 4]), 0], lambda a, ax: torch.amax(a, ax))
case('min', 'int32 axis -1 keepdim', [distinct_ints([3, 4]), -1, True], lambda a, ax, k: torch.amin(a, ax, k))

for name, f in [('argmax', torch.argmax), ('argmin', torch.argmin)]:
    case(name, 'no axis (flat index)', [rnd([3, 4])], f)
    case(name, 'axis 0', [rnd([3, 4]), 0], lambda a, ax, f=f: f(a, ax))
    case(name, 'axis -1', [rnd([2, 3, 4]), -1], lambda a, ax, f=f: f(a, ax))
    case(name, 'axis 1 keepdim', [rnd([2, 3, 4]), 1, True], lambda a, ax, k, f=f: f(a, ax, k))
    case(name, 'int32 axis 1', [distinct_ints([3, 4]), 1], lambda a, ax, f=f: f(a, ax))
    case(name, 'float64 1-D', [rnd([6], dtype='float64'), 0], lambda a, ax, f=f: f(a, ax))

# ---------------------------------------------------------------- matmul
MM = [
    ('1-D . 1-D -> 0-d', [4], [4]),
    ('1-D @ 2-D', [3], [3, 5]),
    ('2-D @ 1-D', [3, 4], [4]),
    ('2-D @ 2-D', [3, 4], [4, 5]),
    ('2-D @ 2-D wider', [2, 7], [7, 9]),
    ('batched [2,3,4] @ [4,5]', [2, 3, 4], [4, 5]),
    ('batched [2,3,4] @ [2,4,5]', [2, 3, 4], [2, 4, 5]),
    ('batch broadcast [2,1,3,4] @ [3,4,2]', [2, 1, 3, 4], [3, 4, 2]),
    ('[3,4] @ batched [2,4,2]', [3, 4], [2, 4, 2]),
    ('1-D @ batched [2,3,4]', [3], [2, 3, 4]),
    ('batched [2,3,4] @ 1-D', [2, 3, 4], [4]),
    ('[1,2,3] @ [2,3,2] batch broadcast', [1, 2, 3], [2, 3, 2]),
]
for name, sa, sb in MM:
    case('matmul', name, [rnd(sa), rnd(sb)], torch.matmul)
case('matmul', 'float64 2-D', [rnd([3, 4], dtype='float64'), rnd([4, 2], dtype='float64')], torch.matmul)
case('matmul', 'float64 batched', [rnd([2, 2, 3], dtype='float64'), rnd([3, 4], dtype='float64')],
     torch.matmul)

# ---------------------------------------------------------------- softmax
for name, f in [('softmax', torch.softmax), ('logSoftmax', torch.log_softmax)]:
    for ax in (-1, 0, 1, -2):
        case(name, '[2,3,4] axis %d' % ax, [rnd([2, 3, 4]), ax], lambda a, d, f=f: f(a, d))
    case(name, '1-D axis 0', [rnd([5]), 0], lambda a, d, f=f: f(a, d))
    case(name, 'large values (stability)', [Inp([[100, 101, 102], [-100, -101, 50]]), 1],
         lambda a, d, f=f: f(a, d))
    case(name, 'float64 axis -1', [rnd([3, 4], dtype='float64'), -1], lambda a, d, f=f: f(a, d))

# ---------------------------------------------------------------- shape ops
X = lambda: rnd([2, 3, 4])
case('reshape', '[2,3,4] -> [6,4]', [X(), [6, 4]], lambda a, s: a.reshape(s))
case('reshape', '[2,3,4] -> [-1,2]', [X(), [-1, 2]], lambda a, s: a.reshape(s))
case('reshape', '[2,3,4] -> [4,-1,3]', [X(), [4, -1, 3]], lambda a, s: a.reshape(s))
case('reshape', '[2,3,4] -> [24]', [X(), [24]], lambda a, s: a.reshape(s))
case('reshape', '[1,1] -> [] (0-d)', [rnd([1, 1]), []], lambda a, s: a.reshape(s))
case('reshape', '0-d -> [1,1,1]', [rnd([]), [1, 1, 1]], lambda a, s: a.reshape(s))
case('reshape', 'int32', [ints([2, 3]), [3, 2]], lambda a, s: a.reshape(s))
case('transpose', 'default (0, 1) on 2-D', [rnd([3, 4])], lambda a: a.transpose(0, 1))
case('transpose', 'default (0, 1) on 3-D', [X()], lambda a: a.transpose(0, 1))
case('transpose', '(0, 2)', [X(), 0, 2], lambda a, i, j: a.transpose(i, j))
case('transpose', '(-1, -2)', [X(), -1, -2], lambda a, i, j: a.transpose(i, j))
case('transpose', 'bool', [bools([2, 3]), 0, 1], lambda a, i, j: a.transpose(i, j))
case('permute', '[2,0,1]', [X(), [2, 0, 1]], lambda a, p: a.permute(p))
case('permute', '[-1,0,-2]', [X(), [-1, 0, -2]], lambda a, p: a.permute(p))
case('permute', '4-D [1,3,0,2]', [rnd([2, 1, 3, 2]), [1, 3, 0, 2]], lambda a, p: a.permute(p))
case('squeeze', 'all size-1 dims', [rnd([2, 1, 3, 1])], lambda a: a.squeeze())
case('squeeze', 'dim 1', [rnd([2, 1, 3, 1]), 1], lambda a, d: a.squeeze(d))
case('squeeze', 'dim -1', [rnd([2, 1, 3, 1]), -1], lambda a, d: a.squeeze(d))
case('squeeze', 'dim 0 of size 2 (no-op)', [rnd([2, 1, 3, 1]), 0], lambda a, d: a.squeeze(d))
case('squeeze', '[1] -> 0-d', [rnd([1])], lambda a: a.squeeze())
case('unsqueeze', 'dim 0', [rnd([3, 4]), 0], lambda a, d: a.unsqueeze(d))
case('unsqueeze', 'dim 1', [rnd([3, 4]), 1], lambda a, d: a.unsqueeze(d))
case('unsqueeze', 'dim 2 (end)', [rnd([3, 4]), 2], lambda a, d: a.unsqueeze(d))
case('unsqueeze', 'dim -1', [rnd([3, 4]), -1], lambda a, d: a.unsqueeze(d))
case('unsqueeze', 'dim -3', [rnd([3, 4]), -3], lambda a, d: a.unsqueeze(d))
case('unsqueeze', '0-d dim 0', [rnd([]), 0], lambda a, d: a.unsqueeze(d))
case('expand', '[3,1] -> [3,4]', [rnd([3, 1]), [3, 4]], lambda a, s: a.expand(s))
case('expand', '[3,1] -> [2,3,4]', [rnd([3, 1]), [2, 3, 4]], lambda a, s: a.expand(s))
case('expand', '[3,1] -> [-1,4]', [rnd([3, 1]), [-1, 4]], lambda a, s: a.expand(s))
case('expand', '[1,4] -> [2,3,4]', [rnd([1, 4]), [2, 3, 4]], lambda a, s: a.expand(s))
case('expand', '0-d -> [2,3]', [rnd([]), [2, 3]], lambda a, s: a.expand(s))
case('expand', 'int32 [1,3] -> [2,3]', [ints([1, 3]), [2, 3]], lambda a, s: a.expand(s))
case('flatten', 'default', [X()], lambda a: a.flatten())
case('flatten', 'start 1', [X(), 1], lambda a, s: a.flatten(s))
case('flatten', '(0, 1)', [X(), 0, 1], lambda a, s, e: a.flatten(s, e))
case('flatten', '(-2, -1)', [X(), -2, -1], lambda a, s, e: a.flatten(s, e))
case('flatten', '4-D (1, 2)', [rnd([2, 2, 3, 2]), 1, 2], lambda a, s, e: a.flatten(s, e))
case('flatten', '1-D', [rnd([5])], lambda a: a.flatten())
case('narrow', 'dim 1 start 1 len 2', [X(), 1, 1, 2], lambda a, d, s, n: a.narrow(d, s, n))
case('narrow', 'dim -1 start 0 len 3', [X(), -1, 0, 3], lambda a, d, s, n: a.narrow(d, s, n))
case('narrow', 'dim 0 start 1 len 1', [X(), 0, 1, 1], lambda a, d, s, n: a.narrow(d, s, n))
case('narrow', 'dim 2 start 3 len 1', [X(), 2, 3, 1], lambda a, d, s, n: a.narrow(d, s, n))
case('select', 'dim 0 index 1', [X(), 0, 1], lambda a, d, i: a.select(d, i))
case('select', 'dim -1 index 2', [X(), -1, 2], lambda a, d, i: a.select(d, i))
case('select', 'dim 1 index -1', [X(), 1, -1], lambda a, d, i: a.select(d, i))
case('select', '1-D -> 0-d', [rnd([5]), 0, 3], lambda a, d, i: a.select(d, i))
case('concat', 'dim 0 default', [[rnd([2, 3]), rnd([1, 3])]], lambda ts: torch.cat(ts))
case('concat', 'dim 1', [[rnd([2, 3]), rnd([2, 1]), rnd([2, 2])], 1], lambda ts, d: torch.cat(ts, d))
case('concat', 'dim -1 3-D', [[rnd([2, 3, 1]), rnd([2, 3, 2])], -1], lambda ts, d: torch.cat(ts, d))
case('concat', 'dim 0 1-D', [[rnd([2]), rnd([3])], 0], lambda ts, d: torch.cat(ts, d))
case('concat', 'single tensor', [[rnd([2, 2])], 0], lambda ts, d: torch.cat(ts, d))
case('concat', 'int32', [[ints([2, 2]), ints([1, 2])], 0], lambda ts, d: torch.cat(ts, d))
case('stack', 'dim 0 default', [[rnd([2, 3]), rnd([2, 3])]], lambda ts: torch.stack(ts))
case('stack', 'dim 1', [[rnd([2, 3]), rnd([2, 3]), rnd([2, 3])], 1], lambda ts, d: torch.stack(ts, d))
case('stack', 'dim -1', [[rnd([2, 3]), rnd([2, 3])], -1], lambda ts, d: torch.stack(ts, d))
case('stack', '0-d tensors', [[rnd([]), rnd([]), rnd([])], 0], lambda ts, d: torch.stack(ts, d))
case('split', 'size 2 dim 0 of 5 (last short)', [rnd([5, 3]), 2], lambda a, s: list(torch.split(a, s)))
case('split', 'size 2 dim -1', [rnd([3, 5]), 2, -1], lambda a, s, d: list(torch.split(a, s, d)))
case('split', 'size 3 dim 1 even', [rnd([2, 6]), 3, 1], lambda a, s, d: list(torch.split(a, s, d)))
case('split', 'size larger than dim', [rnd([2, 3]), 5, 1], lambda a, s, d: list(torch.split(a, s, d)))
case('chunk', '3 chunks of 5 rows (2,2,1)', [rnd([5, 3]), 3], lambda a, n: list(torch.chunk(a, n)))
case('chunk', '2 chunks dim 1', [rnd([3, 4]), 2, 1], lambda a, n, d: list(torch.chunk(a, n, d)))
case('chunk', '4 chunks of 6 -> 3 of size 2', [rnd([6, 2]), 4, 0], lambda a, n, d: list(torch.chunk(a, n, d)))
case('chunk', '2 chunks dim -1 of 5', [rnd([2, 5]), 2, -1], lambda a, n, d: list(torch.chunk(a, n, d)))

# ---------------------------------------------------------------- indexing
L = lambda i: i.long()
case('gather', 'dim 1', [rnd([3, 4]), 1, index([[0, 3], [1, 1], [2, 0]])],
     lambda a, d, i: a.gather(d, L(i)))
case('gather', 'dim 0', [rnd([3, 4]), 0, index([[2, 0, 1, 2], [0, 0, 2, 1]])],
     lambda a, d, i: a.gather(d, L(i)))
case('gather', 'dim -1 3-D', [rnd([2, 3, 4]), -1, index(rng.integers(0, 4, size=(2, 3, 2)))],
     lambda a, d, i: a.gather(d, L(i)))
case('gather', 'index smaller in a non-gather dim', [rnd([3, 4]), 1, index([[1], [3]])],
     lambda a, d, i: a.gather(d, L(i)))
case('gather', 'int32 source', [ints([3, 4]), 1, index([[0, 3], [1, 1], [2, 0]])],
     lambda a, d, i: a.gather(d, L(i)))
case('indexSelect', 'dim 0 with repeats', [rnd([3, 4]), 0, index([2, 0, 2])],
     lambda a, d, i: a.index_select(d, L(i)))
case('indexSelect', 'dim 1', [rnd([3, 4]), 1, index([3, 1])], lambda a, d, i: a.index_select(d, L(i)))
case('indexSelect', 'dim -1 3-D', [rnd([2, 3, 4]), -1, index([0, 0, 3])],
     lambda a, d, i: a.index_select(d, L(i)))
case('indexSelect', 'float64 dim 0', [rnd([4, 2], dtype='float64'), 0, index([3, 1, 1, 0, 2])],
     lambda a, d, i: a.index_select(d, L(i)))
case('scatterAdd', 'dim 0', [rnd([3, 4]), 0, index([[0, 1, 2, 0], [2, 2, 0, 1]]), rnd([2, 4])],
     lambda a, d, i, s: a.scatter_add(d, L(i), s))
case('scatterAdd', 'dim 1 duplicates', [rnd([3, 4]), 1, index([[0, 0, 3], [1, 2, 1], [3, 3, 3]]), rnd([3, 3])],
     lambda a, d, i, s: a.scatter_add(d, L(i), s))
case('scatterAdd', 'dim -1 narrow index', [rnd([2, 3]), -1, index([[2], [0]]), rnd([2, 1])],
     lambda a, d, i, s: a.scatter_add(d, L(i), s))
case('scatterAdd', 'float64 dim 0', [rnd([2, 3], dtype='float64'), 0, index([[1, 0, 1]]),
                                     rnd([1, 3], dtype='float64')],
     lambda a, d, i, s: a.scatter_add(d, L(i), s))
case('oneHot', '1-D', [index([0, 2, 1, 3]), 4], lambda i, n: F.one_hot(L(i), n))
case('oneHot', '2-D', [index([[0, 2], [1, 1]]), 3], lambda i, n: F.one_hot(L(i), n))
case('oneHot', '0-d', [Inp(2, 'int32'), 5], lambda i, n: F.one_hot(L(i), n))

# ---------------------------------------------------------------- edge values (PyTorch conventions)
inf, nan = float('inf'), float('nan')
case('exp', 'non-finite', [Inp([-inf, inf, nan, 89, -104])], torch.exp, grad=False)
case('log', 'zero, negative, inf', [Inp([0, -1, inf, nan])], torch.log, grad=False)
case('sqrt', 'zero, negative', [Inp([0, -1, inf])], torch.sqrt, grad=False)
case('sigmoid', 'infinities', [Inp([-inf, inf, nan])], torch.sigmoid, grad=False)
case('tanh', 'infinities', [Inp([-inf, inf, nan])], torch.tanh, grad=False)
case('relu', 'nan propagates', [Inp([nan, -inf, inf])], torch.relu, grad=False)
case('clamp', 'nan propagates', [Inp([nan, -inf, inf]), 0, 1], torch.clamp, grad=False)
case('maximum', 'nan propagates', [Inp([1, nan, nan]), Inp([nan, 0, nan])], torch.maximum, grad=False)
case('minimum', 'nan propagates', [Inp([1, nan, -inf]), Inp([nan, 0, inf])], torch.minimum, grad=False)
case('max', 'nan propagates (all)', [Inp([1, nan, 0])], torch.max, grad=False)
case('max', 'nan propagates (axis)', [Inp([[1, nan], [0, 2]]), 1], lambda a, d: torch.amax(a, d), grad=False)
case('min', 'nan propagates (all)', [Inp([1, nan, 0])], torch.min, grad=False)
case('argmax', 'nan wins', [Inp([1, nan, 2])], torch.argmax, grad=False)
case('div', 'by zero', [Inp([1, -1, 0]), 0.0], with_scalars(torch.div), grad=False)
case('div', 'int32 by zero -> float32 inf / nan', [Inp([1, -1, 0], 'int32'), 0], with_scalars(torch.div), grad=False)
case('logsumexp', 'with -inf entries', [Inp([[-inf, 0], [-inf, -inf], [inf, 0]]), 1],
     lambda a, d: torch.logsumexp(a, d), grad=False)
case('softmax', 'masked with -inf', [Inp([[-inf, 0, 1], [2, -inf, -inf]]), -1], lambda a, d: torch.softmax(a, d), grad=False)
case('logSoftmax', 'masked with -inf', [Inp([[-inf, 0, 1], [2, -inf, -inf]]), -1],
     lambda a, d: torch.log_softmax(a, d), grad=False)
case('softmax', 'masked with -inf (gradient)', [Inp([[-1e9, 0, 1], [2, -1e9, -1e9]]), -1], lambda a, d: torch.softmax(a, d))
case('mean', 'empty axis -> nan', [Inp(np.zeros((0, 3))), 0], lambda a, d: torch.mean(a, d), grad=False)
case('sum', 'empty -> 0', [Inp(np.zeros((0, 3)))], torch.sum, grad=False)
case('matmul', 'inner dim 0 -> zeros', [Inp(np.zeros((2, 0))), Inp(np.zeros((0, 3)))], torch.matmul, grad=False)
case('pow', '0^0 = 1, negative^fraction = nan', [Inp([0, -8, 0]), Inp([0, 1 / 3, 2])], torch.pow, grad=False)
case('var', 'one element -> nan', [Inp([1.5])], lambda a: torch.var(a), grad=False)
# Subgradient conventions at kinks and ties, which the engine should share with PyTorch.
case('relu', 'gradient at 0 is 0', [Inp([0, -0.5, 0.5])], torch.relu)
case('abs', 'gradient at 0 is 0', [Inp([0, -0.5, 0.5])], torch.abs)
case('leakyRelu', 'gradient at 0 is the slope', [Inp([0, -0.5, 0.5]), 0.1], lambda a, s: F.leaky_relu(a, s))
case('clamp', 'gradient at the bounds is 1', [Inp([0, 1, 0.5, 1.5, -0.5]), 0, 1], torch.clamp)
case('maximum', 'ties split the gradient', [Inp([1, 2, 3]), Inp([1, 0, 3])], torch.maximum)
case('minimum', 'ties split the gradient', [Inp([1, 2, 3]), Inp([1, 5, 3])], torch.minimum)
case('max', 'ties share the gradient (all)', [Inp([[1, 3], [3, 0]])], lambda a: torch.amax(a, (0, 1)))
case('max', 'ties share the gradient (axis)', [Inp([[1, 3, 3], [2, 2, 2]]), 1], lambda a, d: torch.amax(a, d))
case('min', 'ties share the gradient (axis)', [Inp([[1, 1, 3], [0, 2, 0]]), -1], lambda a, d: torch.amin(a, d))
case('pow', 'x^2 gradient at 0 is 0', [Inp([0, 1]), 2], with_scalars(torch.pow))
case('select', 'negative index -2', [Inp([[1, 2, 3], [4, 5, 6]]), 1, -2], lambda a, d, i: a.select(d, i))
case('narrow', 'negative start', [Inp([[1, 2, 3], [4, 5, 6]]), 1, -2, 2], lambda a, d, s, n: a.narrow(d, s, n))


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'ops.json')
    os.makedirs(os.path.dirname(out), exist_ok=True)
    doc = {'generator': 'scripts/gen_fixtures.py', 'torch': torch.__version__, 'seed': SEED,
           'cases': cases}
    text = json.dumps(doc, separators=(',', ':'))
    with open(out, 'w') as f:
        f.write(text + '\n')
    ops = sorted({c['op'] for c in cases})
    print('%d cases, %d ops, %d bytes -> %s' % (len(cases), len(ops), len(text), os.path.normpath(out)),
          file=sys.stderr)


if __name__ == '__main__':
    main()
