#!/usr/bin/env python3
"""Randomized differential testing against PyTorch: random programs that chain several ops of
API.md (elementwise math, reductions with dims/keepdim, shape ops and views, indexing and
scatter/gather, in-place ops on non-leaf tensors and on views, matmul/einsum shapes, a few
well-conditioned linalg ops, comparisons and where, int32/bool/float32/float64 promotion), run here
through PyTorch; test/differential.test.js replays each program in tensorfold and compares the
values, dtypes and shapes of its outputs and the gradient of every input.

    /usr/bin/python3 scripts/gen_differential_fixtures.py [N]   # writes test/fixtures/differential.json.gz
    /usr/bin/python3 scripts/gen_differential_fixtures.py --dtypes [N]   # test/fixtures/differential_dtypes.json.gz

A program is a list of steps over a stack of values. Each step is {f, a, pick?}: f names the call
as tensorfold spells it ('add' is the method x.add(...), 'tf.concat' the function, 'tf.linalg.inv'
the linalg function), a is its arguments ({"$": i} is stack value i, {"c": {...}} a constant
tensor, {"in": k} input k; anything else is passed as it is), pick takes one element of an array
result. `TORCH` below is the one table of what each tensorfold call must agree with; the replayer in
JS is a plain interpreter that needs no table. The loss is sum over the outputs of (output *
weights) for the float outputs that carry a gradient.

A program is kept only when it is well conditioned, checked here: it is run again with every float
demoted to float32 and with every float promoted to float64, and the two runs must agree within a
quarter of the float32 tolerance (same NaN/inf positions). So PyTorch's own rounding error stays
well inside the tolerance, and tensorfold, whose rounding differs, is held to a tolerance that a
correct implementation meets. Programs whose inputs hold no NaN/inf must also produce only finite
values and gradients (NaN/inf behaviour is tested by the programs fed NaN/inf/-0 on purpose).

--dtypes writes a second fixture (its own seed and themes; the default programs do not change): int64,
uint8, float16 and bfloat16 mixed with the dtypes above (see "the dtype programs" below). Each step's
result gets tensorfold's dtype (tf_dtype_of: PyTorch's, but an int64 that tensorfold deliberately gives as
int32 stays int32, and a genuine one - from an int64 operand or a conversion - is int64); half programs
get a tolerance derived from the dtype's ulp and their length (HALF_EPS); float16 ops missing from
PyTorch's CPU build run in float32 and round once (run_torch).
"""
import gzip
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'differential.json.gz')
SEED = 20261130
torch.set_num_threads(1)

# The tolerances, per float class and op family. A program's tolerance is the loosest of the families it
# uses; its class is float32 when any float32 value appears in it. Reasons:
# - pointwise/shape/index: each value is a few correctly rounded ops; float32 results may differ by a few
#   ulps after a chain (different SIMD polynomials for exp/tanh/erf...), amplified by at most the 4x
#   conditioning margin the generator enforces.
# - reduce: sums, var and norms are accumulated in a different order (pairwise/SIMD lanes vs PyTorch's).
# - matmul: GEMM blocking sums in yet another order; einsum reorders operands.
# - linalg: different factorization algorithms (LAPACK vs the engine's own routines when the build has no
#   LAPACK, pivoting order); errors scale with the condition number, which the generator keeps below 30.
# Measured on 10,000 programs (OpenBLAS's LAPACK build), tensorfold's largest error is under 3% of these
# in float32 and under 0.01% in float64, so they leave room for other summation orders and ISAs, and a
# float64 op that computes in float32 (errors near 1e-8) still fails.
TOL = {
    'float32': {'pointwise': [2e-4, 2e-5], 'reduce': [3e-4, 5e-5], 'matmul': [3e-4, 5e-5], 'linalg': [5e-4, 1e-4]},
    'float64': {'pointwise': [1e-9, 1e-10], 'reduce': [1e-9, 1e-10], 'matmul': [1e-9, 1e-10], 'linalg': [1e-8, 1e-9]},
}
FAMILY_ORDER = ['pointwise', 'reduce', 'matmul', 'linalg']

TD = {'float32': torch.float32, 'float64': torch.float64, 'int32': torch.int32, 'bool': torch.bool,
      'int64': torch.int64, 'uint8': torch.uint8, 'float16': torch.float16, 'bfloat16': torch.bfloat16}
FLOATS = (torch.float32, torch.float64)
# Float dtype names: the ones the float32/float64/perturbed conditioning runs replace by their precision.
FLOAT_NAMES = ('float32', 'float64', 'float16', 'bfloat16')
# tensorfold's integer results are int32 where PyTorch's are int64 (documented in docs/API.md). In the
# dtype programs (--dtypes) an int64 result is int64 where it is genuinely one: see tf_dtype_of.
TF_DTYPE = {torch.float32: 'float32', torch.float64: 'float64', torch.int32: 'int32', torch.int64: 'int32', torch.bool: 'bool',
            torch.uint8: 'uint8', torch.float16: 'float16', torch.bfloat16: 'bfloat16'}
# The dtypes new inputs may take as a float or an integer partner (the --dtypes mode widens them).
NEW_FLOATS = ['float32', 'float64']
INT_PARTNERS = ['int32', 'bool']
SPECIAL = [math.nan, math.inf, -math.inf, -0.0, 0.0]

rng = np.random.default_rng(SEED)


def rint(lo, hi):
    """An int in [lo, hi]."""
    return int(rng.integers(lo, hi + 1))


def choice(xs):
    return xs[int(rng.integers(0, len(xs)))]


def chance(p):
    return bool(rng.random() < p)


# ----------------------------------------------------------------------------------------------- the table
def L(i):
    """Index tensors: tensorfold takes int32, PyTorch's gather/scatter/index_select want int64."""
    return i if i.dtype == torch.bool else i.long()


def slice_of(s):
    parts = [int(p) if p else None for p in s.split(':')]
    return slice(*parts)


def spec_of(items):
    out = []
    for it in items:
        if isinstance(it, str):
            out.append(Ellipsis if it == '...' else slice_of(it))
        elif isinstance(it, torch.Tensor):
            out.append(L(it))
        else:
            out.append(it)
    return tuple(out)


def put(x, items, v):
    x[spec_of(items)] = v
    return x


def axis_arg(a):
    return tuple(a) if isinstance(a, list) else a


def reduce_all(fn):
    def f(x, axis=None, keepdim=False):
        return fn(x) if axis is None else fn(x, axis_arg(axis), keepdim=keepdim)
    return f


def max_min(fn):
    """tensorfold's max/min return values only, and their gradient is amax/amin's: split evenly among tied
    extrema (PyTorch's max(dim) gives it all to the one index it returns). A documented difference."""
    def f(x, axis=None, keepdim=False):
        return fn(x) if axis is None else (torch.amax if fn is torch.max else torch.amin)(x, axis_arg(axis), keepdim=keepdim)
    return f


def var_std(fn):
    def f(x, axis=None, keepdim=False, correction=1):
        return fn(x, dim=axis_arg(axis), unbiased=bool(correction), keepdim=keepdim)
    return f


def norm(x, p=2, axis=None, keepdim=False):
    if p == 'fro':
        return torch.norm(x, p='fro', dim=axis_arg(axis), keepdim=keepdim)
    return torch.linalg.vector_norm(x, ord=p, dim=axis_arg(axis), keepdim=keepdim)


def opts(o, **defaults):
    d = dict(defaults)
    d.update(o or {})
    return d


UNARY_TORCH = {
    'neg': torch.neg, 'abs': torch.abs, 'exp': torch.exp, 'tanh': torch.tanh, 'sigmoid': torch.sigmoid,
    'relu': torch.relu, 'gelu': F.gelu, 'silu': F.silu, 'softplus': F.softplus, 'sin': torch.sin, 'cos': torch.cos,
    'square': torch.square, 'erf': torch.erf, 'erfc': torch.erfc, 'expm1': torch.expm1, 'atan': torch.atan,
    'sinh': torch.sinh, 'cosh': torch.cosh, 'asinh': torch.asinh, 'softsign': F.softsign, 'exp2': torch.exp2,
    'elu': F.elu, 'selu': F.selu, 'celu': F.celu, 'mish': F.mish, 'hardswish': F.hardswish,
    'hardsigmoid': F.hardsigmoid, 'logSigmoid': F.logsigmoid, 'relu6': F.relu6, 'hardtanh': F.hardtanh,
    'sign': torch.sign, 'floor': torch.floor, 'ceil': torch.ceil, 'round': torch.round, 'trunc': torch.trunc,
    'frac': torch.frac, 'tan': torch.tan,
    'log': torch.log, 'sqrt': torch.sqrt, 'rsqrt': torch.rsqrt, 'log1p': torch.log1p, 'log2': torch.log2,
    'log10': torch.log10, 'reciprocal': torch.reciprocal, 'acosh': torch.acosh,
    'asin': torch.asin, 'acos': torch.acos, 'atanh': torch.atanh, 'erfinv': torch.erfinv,
    'isnan': torch.isnan, 'isinf': torch.isinf, 'isfinite': torch.isfinite, 'logicalNot': torch.logical_not,
}
BINARY_TORCH = {
    'add': torch.add, 'sub': torch.sub, 'mul': torch.mul, 'div': torch.div, 'maximum': torch.maximum,
    'minimum': torch.minimum, 'pow': torch.pow, 'atan2': torch.atan2, 'hypot': torch.hypot,
    'logaddexp': torch.logaddexp, 'xlogy': torch.xlogy, 'fmod': torch.fmod, 'remainder': torch.remainder,
    'eq': torch.eq, 'ne': torch.ne, 'lt': torch.lt, 'le': torch.le, 'gt': torch.gt, 'ge': torch.ge,
    'logicalAnd': torch.logical_and, 'logicalOr': torch.logical_or, 'logicalXor': torch.logical_xor,
}

TORCH = {
    **{k: v for k, v in UNARY_TORCH.items()},
    **{k: v for k, v in BINARY_TORCH.items()},
    'leakyRelu': lambda x, s=0.01: F.leaky_relu(x, s),
    'clamp': lambda x, lo=None, hi=None: torch.clamp(x, lo, hi),
    'lerp': lambda x, e, w: torch.lerp(x, e, w),
    'addcmul': lambda x, a, b, v=1: torch.addcmul(x, a, b, value=v),
    'addcdiv': lambda x, a, b, v=1: torch.addcdiv(x, a, b, value=v),
    'tf.where': lambda c, a, b: torch.where(c, a, b),
    'to': lambda x, d: x.to(TD[d]),
    # reductions and scans
    'sum': reduce_all(torch.sum), 'mean': reduce_all(torch.mean),
    'amax': lambda x, axis, keepdim=False: torch.amax(x, axis_arg(axis), keepdim),
    'amin': lambda x, axis, keepdim=False: torch.amin(x, axis_arg(axis), keepdim),
    'max': max_min(torch.max), 'min': max_min(torch.min),
    'var': var_std(torch.var), 'std': var_std(torch.std),
    'logsumexp': lambda x, axis, keepdim=False: torch.logsumexp(x, axis_arg(axis), keepdim),
    'prod': lambda x, axis=None, keepdim=False: torch.prod(x) if axis is None else torch.prod(x, axis, keepdim),
    'norm': norm,
    'cumsum': lambda x, a: torch.cumsum(x, a), 'cumprod': lambda x, a: torch.cumprod(x, a),
    'logcumsumexp': lambda x, a: torch.logcumsumexp(x, a),
    'softmax': lambda x, a: torch.softmax(x, a), 'logSoftmax': lambda x, a: torch.log_softmax(x, a),
    'argmax': lambda x, a=None, k=False: torch.argmax(x, a, k), 'argmin': lambda x, a=None, k=False: torch.argmin(x, a, k),
    # shape ops and views
    'reshape': lambda x, s: x.reshape(s), 'transpose': lambda x, a, b: x.transpose(a, b),
    'permute': lambda x, p: x.permute(p), 'expand': lambda x, s: x.expand(s), 'flatten': lambda x, a=0, b=-1: x.flatten(a, b),
    'squeeze': lambda x, d: x.squeeze(d), 'unsqueeze': lambda x, d: x.unsqueeze(d),
    'narrow': lambda x, d, s, n: x.narrow(d, s, n), 'select': lambda x, d, i: x.select(d, i),
    'tf.concat': lambda ts, d: torch.cat(ts, d), 'tf.stack': lambda ts, d: torch.stack(ts, d),
    'split': lambda x, s, d: list(torch.split(x, s, d)), 'chunk': lambda x, n, d: list(torch.chunk(x, n, d)),
    'flip': lambda x, d: torch.flip(x, d), 'roll': lambda x, s, d: torch.roll(x, s, d),
    'tril': lambda x, k=0: torch.tril(x, k), 'triu': lambda x, k=0: torch.triu(x, k),
    'movedim': lambda x, s, d: torch.movedim(x, s, d), 'repeat': lambda x, s: x.repeat(s),
    'diagonal': lambda x, o, a, b: torch.diagonal(x, o, a, b), 'unflatten': lambda x, d, s: x.unflatten(d, s),
    'clone': lambda x: x.clone(), 'contiguous': lambda x: x.contiguous(),
    # indexing and masking
    'index': lambda x, *items: x[spec_of(items)],
    'gather': lambda x, d, i: torch.gather(x, d, L(i)),
    'scatter': lambda x, d, i, s: torch.scatter(x, d, L(i), s),
    'scatterAdd': lambda x, d, i, s: torch.scatter_add(x, d, L(i), s),
    'indexSelect': lambda x, d, i: torch.index_select(x, d, L(i)),
    'indexAdd': lambda x, d, i, s: torch.index_add(x, d, L(i), s),
    'indexCopy': lambda x, d, i, s: torch.index_copy(x, d, L(i), s),
    'indexFill': lambda x, d, i, v: torch.index_fill(x, d, L(i), v),
    'maskedFill': lambda x, m, v: torch.masked_fill(x, m, v),
    'maskedSelect': lambda x, m: torch.masked_select(x, m),
    'takeAlongDim': lambda x, i, d: torch.take_along_dim(x, L(i), d),
    'take': lambda x, i: torch.take(x, L(i)),
    # in place (on non-leaf tensors and on views of them)
    'add_': lambda x, y, alpha=1: x.add_(y, alpha=alpha), 'sub_': lambda x, y, alpha=1: x.sub_(y, alpha=alpha),
    'mul_': lambda x, y: x.mul_(y), 'div_': lambda x, y: x.div_(y),
    'clamp_': lambda x, lo=None, hi=None: x.clamp_(lo, hi),
    'neg_': lambda x: x.neg_(), 'exp_': lambda x: x.exp_(), 'tanh_': lambda x: x.tanh_(),
    'sigmoid_': lambda x: x.sigmoid_(), 'relu_': lambda x: x.relu_(), 'square_': lambda x: x.square_(),
    'sin_': lambda x: x.sin_(), 'abs_': lambda x: x.abs_(),
    'fill_': lambda x, v: x.fill_(v), 'zero_': lambda x: x.zero_(), 'copy_': lambda x, s: x.copy_(s),
    'maskedFill_': lambda x, m, v: x.masked_fill_(m, v),
    'indexPut_': put,
    # matmul family
    'matmul': torch.matmul, 'tf.mm': torch.mm, 'tf.bmm': torch.bmm, 'tf.mv': torch.mv, 'tf.dot': torch.dot,
    'tf.outer': torch.outer,
    'tf.einsum': lambda eq, *ts: torch.einsum(eq, *ts),
    'tf.addmm': lambda c, a, b, o=None: torch.addmm(c, a, b, **opts(o, beta=1, alpha=1)),
    'tf.baddbmm': lambda c, a, b, o=None: torch.baddbmm(c, a, b, **opts(o, beta=1, alpha=1)),
    # sorting and selection (values; indices are int)
    'sort': lambda x, a=-1, o=None: list(torch.sort(x, dim=a, descending=bool((o or {}).get('descending')), stable=True)),
    'topk': lambda x, k, a=-1, o=None: list(torch.topk(x, k, a, largest=(o or {}).get('largest', True))),
    'cummax': lambda x, a: list(torch.cummax(x, a)), 'cummin': lambda x, a: list(torch.cummin(x, a)),
    'kthvalue': lambda x, k, a=-1, keep=False: list(torch.kthvalue(x, k, a, keep)),
    # more shape, indexing and products
    'tf.pad': lambda x, pads, o=None: F.pad(x, pads, mode=(o or {}).get('mode', 'constant'), **({'value': o['value']} if o and 'value' in o else {})),
    'rot90': lambda x, k, d: torch.rot90(x, k, d), 'tile': lambda x, r: torch.tile(x, r),
    'swapaxes': lambda x, a, b: torch.swapaxes(x, a, b),
    'trace': torch.trace, 'diag': lambda x, k=0: torch.diag(x, k),
    'nanToNum': lambda x, n=0, p=None, m=None: torch.nan_to_num(x, n, p, m),
    'scatterReduce': lambda x, d, i, s, r, o=None: torch.scatter_reduce(x, d, L(i), s, r, include_self=(o or {}).get('includeSelf', True)),
    'tf.kron': torch.kron, 'tf.cross': lambda a, b, d: torch.linalg.cross(a, b, dim=d),
    'tf.linalg.matrixPower': torch.linalg.matrix_power, 'tf.linalg.svdvals': torch.linalg.svdvals,
    # linear algebra
    'tf.linalg.inv': torch.linalg.inv, 'tf.linalg.det': torch.linalg.det,
    'tf.linalg.slogdet': lambda a: list(torch.linalg.slogdet(a)),
    'tf.linalg.solve': torch.linalg.solve, 'tf.linalg.cholesky': torch.linalg.cholesky,
    'tf.linalg.qr': lambda a: list(torch.linalg.qr(a)), 'tf.linalg.eigh': lambda a: list(torch.linalg.eigh(a)),
    'tf.linalg.eigvalsh': torch.linalg.eigvalsh,
}

FAMILY = {}
for _n in ['matmul', 'tf.mm', 'tf.bmm', 'tf.mv', 'tf.dot', 'tf.outer', 'tf.einsum', 'tf.addmm', 'tf.baddbmm', 'tf.kron']:
    FAMILY[_n] = 'matmul'
for _n in TORCH:
    if _n.startswith('tf.linalg.'):
        FAMILY[_n] = 'linalg'
for _n in ['sum', 'mean', 'var', 'std', 'logsumexp', 'prod', 'norm', 'cumsum', 'cumprod', 'logcumsumexp',
           'softmax', 'logSoftmax', 'scatterAdd', 'indexAdd', 'scatterReduce', 'trace']:
    FAMILY[_n] = 'reduce'


# ------------------------------------------------------------------------------------------- the interpreter
def make_const(c, mode):
    dt = c['dtype']
    if dt in FLOAT_NAMES and mode != 'as_is':
        dt = precision(mode)
    vals = [dec(v) for v in c['values']]
    if dt in ('int64', 'int32', 'uint8'):
        return torch.tensor([int(v) for v in c['values']], dtype=TD[dt]).reshape(c['shape'])
    return torch.tensor(vals, dtype=torch.float64).to(TD[dt]).reshape(c['shape'])


def resolve(a, stack, inputs, mode):
    if isinstance(a, list):
        return [resolve(x, stack, inputs, mode) for x in a]
    if isinstance(a, dict):
        if '$' in a:
            return stack[a['$']]
        if 'c' in a:
            return make_const(a['c'], mode)
        if 'in' in a:
            return inputs[a['in']]
        return {k: resolve(v, stack, inputs, mode) for k, v in a.items()}
    return a


def call(step, stack, inputs, mode):
    args = resolve(step['a'], stack, inputs, mode)
    if step['f'] == 'to' and mode != 'as_is' and args[1] in FLOAT_NAMES:
        args[1] = precision(mode)
    if step['f'] == 'input':
        return args[0]
    r = run_torch(step['f'], args)
    if 'pick' in step:
        r = r[step['pick']]
    return r


HALVES = (torch.float16, torch.bfloat16)


def tensors_in(a):
    if isinstance(a, torch.Tensor):
        return [a]
    if isinstance(a, (list, tuple)):
        return [t for x in a for t in tensors_in(x)]
    if isinstance(a, dict):
        return [t for x in a.values() for t in tensors_in(x)]
    return []


def upcast(a):
    if isinstance(a, torch.Tensor):
        return a.float() if a.dtype in HALVES else a
    if isinstance(a, list):
        return [upcast(x) for x in a]
    if isinstance(a, dict):
        return {k: upcast(v) for k, v in a.items()}
    return a


def category(d):
    return 0 if d == torch.bool else 2 if d.is_floating_point else 1


def promoted(ts):
    """PyTorch's result dtype of an op over these tensors: 0-d ones count only when of a higher category."""
    def fold(ds):
        out = ds[0]
        for d in ds[1:]:
            out = torch.promote_types(out, d)
        return out
    dimmed = [t.dtype for t in ts if t.dim()]
    zero = [t.dtype for t in ts if not t.dim()]
    if not dimmed or not zero:
        return fold(dimmed or zero)
    d, z = fold(dimmed), fold(zero)
    return z if category(z) > category(d) else d


def run_torch(f, args):
    """TORCH[f](*args). PyTorch 1.13's CPU build lacks most float16 kernels (exp, tanh, matmul, softmax, cumsum...)
    and a few bfloat16 ones (prod, mish, reflection pad): there the op runs on the half operands converted to
    float32 and its float32 result is rounded to the dtype PyTorch's promotion gives, once. That is the
    storage dtypes' definition (docs/API.md: each op computes in float32 and rounds its result back once;
    matmul accumulates in float32), and the casts are differentiable, so a half leaf still gets a gradient in
    its own dtype, rounded after each op of the backward as well. In-place ops are never emulated."""
    try:
        return TORCH[f](*args)
    except RuntimeError as e:
        ts = tensors_in(args)
        if 'not implemented for' not in str(e) or f.endswith('_') or not any(t.dtype in HALVES for t in ts):
            raise
    target = promoted(ts)
    r = TORCH[f](*upcast(args))

    def down(x):
        return x.to(target) if isinstance(x, torch.Tensor) and x.dtype == torch.float32 and target in HALVES else x
    return [down(x) for x in r] if isinstance(r, list) else down(r)


# The relative change of each float input in the 'perturbed' run: a few float32 roundings. A program whose
# result moves more than its tolerance under it sits at a discontinuity (trunc of a sum that is 1 up to
# rounding, a comparison of nearly equal values) where any other rounding order may land on the other side.
PERTURB = 3e-6


def precision(mode):
    return 'float64' if mode == 'perturbed' else mode


def make_inputs(prog, mode):
    wiggle = np.random.default_rng(prog['id'])
    out = []
    for inp in prog['inputs']:
        dt = inp['dtype']
        if dt in FLOAT_NAMES and mode != 'as_is':
            dt = precision(mode)
        if dt in ('int64', 'int32', 'uint8'):
            out.append(torch.tensor([int(v) for v in inp['values']], dtype=TD[dt]).reshape(inp['shape']))
            continue
        t = torch.tensor([dec(v) for v in inp['values']], dtype=torch.float64).reshape(inp['shape'])
        if mode == 'perturbed' and dt == 'float64':
            t = t * (1 + prog.get('perturb', PERTURB) * torch.tensor(wiggle.choice([-1.0, 1.0], t.shape), dtype=torch.float64))
        t = t.to(TD[dt])
        if dt in FLOAT_NAMES:
            t.requires_grad_(True)
        out.append(t)
    return out


def execute(prog, mode='as_is'):
    """Runs a program; returns (outputs, grads) as lists of tensors, or raises."""
    inputs = make_inputs(prog, mode)
    stack = []
    for s in prog['steps']:
        stack.append(call(s, stack, inputs, mode))
    outs = [stack[i] for i in prog['outputs']]
    loss = None
    for o, w in zip(outs, prog['weights']):
        if o.requires_grad:
            wt = torch.tensor([dec(v) for v in w], dtype=torch.float64).to(o.dtype).reshape(o.shape)
            term = (o * wt).sum()
            loss = term.double() if loss is None else loss + term.double()
    grads = [None] * len(inputs)
    if loss is not None:
        g = torch.autograd.grad(loss, [x for x in inputs if x.requires_grad], allow_unused=True)
        it = iter(g)
        grads = [next(it) if x.requires_grad else None for x in inputs]
    return stack, outs, grads


# ------------------------------------------------------------------------------------------- encoding
def enc(v, sig):
    if isinstance(v, bool):
        return int(v)
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    if v == 0:
        return '-0' if math.copysign(1, v) < 0 else 0
    if float(v).is_integer() and abs(v) < 2 ** 31:
        return int(v)
    return float(f'{v:.{sig}g}')


def dec(v):
    if isinstance(v, str):
        return {'nan': math.nan, 'inf': math.inf, '-inf': -math.inf, '-0': -0.0}[v]
    return float(v)


def enc_tensor(t):
    t = t.detach()
    if not t.dtype.is_floating_point and t.dtype != torch.bool:
        # exact: int64 beyond 2^53 as a decimal string (the replayer reads it into a BigInt)
        return [v if abs(v) <= 2 ** 53 else str(v) for v in t.reshape(-1).tolist()]
    sig = 9 if t.dtype in (torch.float32, torch.float16, torch.bfloat16) else 14
    vals = t.reshape(-1).tolist() if t.dtype != torch.bool else [int(b) for b in t.reshape(-1).tolist()]
    return [enc(v, sig) for v in vals]


# ------------------------------------------------------------------------------------------- the generator
class Gen:
    """Builds one program step by step, running each step through PyTorch to know the shapes."""

    def __init__(self, theme, specials):
        self.theme = theme
        self.specials = specials
        self.inputs = []   # {shape, dtype, values}
        self.tin = []      # the torch inputs (as_is)
        self.steps = []
        self.stack = []
        self.inplace_bases = []
        self.ambiguous = set()  # values defined only up to sign (eigenvectors): never an output
        self.tfd = []      # tensorfold's dtype of each stack value (tf_dtype_of)

    # --- values
    def new_input(self, shape, dtype):
        n = int(np.prod(shape)) if shape else 1
        if dtype == 'bool':
            vals = [int(b) for b in rng.random(n) < 0.5]
        elif dtype == 'int32':
            vals = [int(v) for v in rng.integers(-3, 4, n)]
        elif dtype == 'int64':
            # small, or (a quarter of the inputs) some beyond int32's range, where an int32 result would wrap
            vals = [int(v) for v in rng.integers(-3, 4, n)]
            if chance(0.25):
                vals = [v + int(rng.choice([-1, 1])) * (2 ** 31 + rint(0, 9)) if chance(0.4) else v for v in vals]
        elif dtype == 'uint8':
            # small, or near the top (sums and products wrap modulo 256)
            vals = [int(v) for v in (rng.integers(0, 8, n) if chance(0.7) else rng.integers(0, 256, n))]
        else:
            vals = [round(float(v), 3) for v in rng.uniform(-2, 2, n)]
            if self.specials:
                vals = [SPECIAL[rint(0, 4)] if rng.random() < 0.15 else v for v in vals]
            if dtype in ('float16', 'bfloat16'):
                # values the dtype holds exactly, so that every conversion of the input is exact
                vals = torch.tensor(vals, dtype=torch.float64).to(TD[dtype]).double().tolist()
            vals = [enc(v, 17) for v in vals]
        k = len(self.inputs)
        self.inputs.append(dict(shape=list(shape), dtype=dtype, values=vals))
        if dtype in ('int64', 'uint8'):
            t = torch.tensor(vals, dtype=TD[dtype]).reshape(shape)
        else:
            t = torch.tensor([dec(v) for v in vals], dtype=torch.float64).to(TD[dtype]).reshape(shape)
        if dtype in FLOAT_NAMES:
            t.requires_grad_(True)
        self.tin.append(t)
        return self.emit('input', [{'in': k}])

    def emit(self, f, a, pick=None):
        step = dict(f=f, a=a)
        if pick is not None:
            step['pick'] = pick
        r = call(step, self.stack, self.tin, 'as_is')
        if isinstance(r, list):
            raise ValueError('a list result needs a pick')
        self.steps.append(step)
        self.stack.append(r)
        data = [a for j, a in enumerate(step['a']) if not is_index_arg(f, j)] if isinstance(step['a'], list) else step['a']
        self.tfd.append(tf_dtype_of(step, r, self.arg_dtypes(data)))
        return len(self.stack) - 1

    def arg_dtypes(self, a):
        """tensorfold dtypes of the stack values and inputs among a step's arguments (constants are index
        tensors or masks, whose dtype never reaches the result)."""
        if isinstance(a, list):
            return [d for x in a for d in self.arg_dtypes(x)]
        if isinstance(a, dict):
            if '$' in a:
                return [(self.tfd[a['$']], self.stack[a['$']].dim())] if isinstance(self.stack[a['$']], torch.Tensor) else []
            if 'in' in a:
                return [(self.inputs[a['in']]['dtype'], len(self.inputs[a['in']]['shape']))]
            if 'c' in a:
                return []
            return [d for x in a.values() for d in self.arg_dtypes(x)]
        return []

    def try_op(self, fn):
        n_steps, n_in, n_bases = len(self.steps), len(self.inputs), len(self.inplace_bases)
        try:
            fn(self)
            return True
        except (RuntimeError, ValueError, IndexError, TypeError, Skip):
            del self.steps[n_steps:]
            del self.stack[n_steps:]
            del self.inputs[n_in:]
            del self.tin[n_in:]
            del self.inplace_bases[n_bases:]
            del self.tfd[n_steps:]
            return False

    # --- choosing operands
    def pick(self, pred=lambda t: True):
        ids = [i for i, t in self.usable() if pred(t)]
        if not ids:
            raise Skip()
        # favour recent values so programs chain
        return ids[-1] if chance(0.5) else choice(ids)

    def usable(self):
        """(index, tensor) of the stack values a step may take: no lists, no sign-ambiguous values."""
        return [(i, t) for i, t in enumerate(self.stack) if isinstance(t, torch.Tensor) and i not in self.ambiguous]

    def pick_float(self, pred=lambda t: True):
        return self.pick(lambda t: t.dtype in FLOATS and pred(t))

    def float_dtype(self):
        fl = [t.dtype for t in self.stack if isinstance(t, torch.Tensor) and t.dtype in FLOATS]
        return TF_DTYPE[choice(fl)] if fl else 'float32'

    def positive(self, i):
        """abs(x) + 0.5: a value in the domain of log, sqrt, pow's base..."""
        j = self.emit('abs', [R(i)])
        return self.emit('add', [R(j), 0.5])

    def T(self, i):
        return self.stack[i]


class Skip(Exception):
    pass


# Ops whose int64 result is an index or a count: int32 in tensorfold (docs/API.md), whatever the input.
INDEX_RESULT = {'argmax', 'argmin'}
PICKED_INDEX = {'sort', 'topk', 'cummax', 'cummin', 'kthvalue'}  # [values, indices]: pick 1


# The argument positions that hold index tensors (their dtype never reaches the result).
INDEX_ARGS = {'gather': 2, 'scatter': 2, 'scatterAdd': 2, 'scatterReduce': 2, 'indexSelect': 2, 'indexAdd': 2,
              'indexCopy': 2, 'indexFill': 2, 'takeAlongDim': 1, 'take': 1}


def is_index_arg(f, j):
    return j == INDEX_ARGS.get(f) or (f in ('index', 'indexPut_') and j >= 1 and not (f == 'indexPut_' and j == 2))


def tf_dtype_of(step, r, arg_dtypes):
    """The dtype tensorfold gives a step's result: PyTorch's, except an int64 that is deliberately int32 in
    tensorfold (indices, and integer sums/products/scans of int32/uint8/bool, which PyTorch widens to int64).
    An int64 result is genuine (and compared as int64) when an operand is int64 or the step converts to it."""
    if not isinstance(r, torch.Tensor):
        return None
    if r.dtype != torch.int64:
        return TF_DTYPE[r.dtype]
    f = step['f']
    if f in INDEX_RESULT or (f in PICKED_INDEX and step.get('pick') == 1):
        return 'int32'
    if f == 'to':
        return 'int64'
    # tensorfold's promotion of the operands as tensorfold types them (a 0-d int64 does not widen an int32)
    ts = [torch.empty([1] * nd, dtype=TD[d]) for d, nd in arg_dtypes if d]
    return 'int64' if ts and promoted(ts) == torch.int64 else 'int32'


def R(i):
    return {'$': i}


def const(t, dtype):
    return {'c': dict(shape=list(t.shape), dtype=dtype, values=[enc(v, 17) for v in t.reshape(-1).tolist()])}


INDEX_DTYPES = ['int32']  # the --dtypes mode adds int64 index tensors


def int_const(vals, shape=None):
    arr = np.asarray(vals, dtype=np.int64)
    dt = INDEX_DTYPES[0] if len(INDEX_DTYPES) == 1 else choice(INDEX_DTYPES)
    return {'c': dict(shape=list(arr.shape) if shape is None else shape, dtype=dt, values=[int(v) for v in arr.reshape(-1)])}


def bool_const(shape):
    vals = [int(b) for b in rng.random(int(np.prod(shape)) if shape else 1) < 0.5]
    return {'c': dict(shape=list(shape), dtype='bool', values=vals)}


def rand_shape(lo=0, hi=3, empty=0.03):
    return [rint(1, 4) if not chance(empty) else 0 for _ in range(rint(lo, hi))]


def broadcast_partner(shape):
    keep = rint(0, len(shape))
    tail = shape[len(shape) - keep:]
    return [1 if chance(0.4) else d for d in tail]


def an_axis(t):
    if t.dim() == 0:
        raise Skip()
    return rint(-t.dim(), t.dim() - 1)


# --- pointwise
POS_DOMAIN = {'log', 'sqrt', 'rsqrt', 'log1p', 'log2', 'log10', 'reciprocal'}
UNIT_DOMAIN = {'asin', 'acos', 'atanh', 'erfinv'}
BOOL_RESULT = {'isnan', 'isinf', 'isfinite', 'logicalNot'}
UNARY_NAMES = sorted(n for n in UNARY_TORCH if n not in BOOL_RESULT)


NAN_UNCOMPARED = {'hardtanh', 'relu6', 'hardswish', 'elu', 'selu', 'celu'}


def op_unary(g):
    i = g.pick_float()
    name = choice(UNARY_NAMES)
    if name == 'hardsigmoid' and g.T(i).dtype == torch.float64:
        # PyTorch 1.13's float64 hardsigmoid backward multiplies by 1/6 rounded to float32 (a float literal in
        # its CPU kernel); tensorfold uses the float64 1/6. Deliberate, documented in docs/API.md.
        raise Skip()
    if name in NAN_UNCOMPARED and bool(torch.isnan(g.T(i)).any()):
        # PyTorch 1.13's gradients of these at NaN differ between its scalar and its vector loop (so
        # they depend on the length of the tensor): not comparable. tensorfold gives hardtanh/relu6
        # g (the scalar loop's), hardswish g, elu/selu/celu NaN (the vector loop's).
        raise Skip()
    if name in POS_DOMAIN:
        i = g.positive(i)
    elif name == 'acosh':
        i = g.emit('add', [R(g.positive(i)), 1])
    elif name in UNIT_DOMAIN:
        i = g.emit('mul', [R(g.emit('tanh', [R(i)])), 0.9])
    elif name == 'tan':
        i = g.emit('mul', [R(g.emit('tanh', [R(i)])), 1.2])
    g.emit(name, [R(i)])


def op_param_unary(g):
    i = g.pick_float()
    k = rint(0, 2)
    if k == 0:
        g.emit('leakyRelu', [R(i), choice([0.01, 0.2])])
    elif k == 1:
        lo = round(float(rng.uniform(-1.5, 0)), 2)
        g.emit('clamp', [R(i), lo if chance(0.8) else None, round(lo + float(rng.uniform(0.2, 2)), 2)])
    else:
        g.emit('clamp', [R(i), round(float(rng.uniform(-1.5, 0)), 2)])


def binary_operands(g, allow_int=True):
    a = g.pick_float()
    x = g.T(a)
    if allow_int and chance(0.15):  # an int32 or bool operand: PyTorch's promotion
        shape = broadcast_partner(list(x.shape)) if chance(0.7) else list(x.shape)
        b = g.new_input(shape, choice(INT_PARTNERS))
    elif chance(0.2):
        b = g.new_input(broadcast_partner(list(x.shape)), choice(NEW_FLOATS))
    else:
        b = g.pick(lambda t: t.dtype in FLOATS and can_broadcast(t.shape, x.shape))
    if chance(0.5):
        a, b = b, a
    return a, b


def can_broadcast(s1, s2):
    try:
        torch.broadcast_shapes(s1, s2)
        return True
    except RuntimeError:
        return False


def op_binary(g):
    name = choice(['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'pow', 'atan2', 'hypot', 'logaddexp',
                   'xlogy', 'fmod', 'remainder', 'add', 'mul', 'sub'])
    if chance(0.2):  # a number operand
        a = g.pick_float()
        if name == 'pow':
            a = g.positive(a)  # the exponent's gradient takes log of the base
        if name in ('fmod', 'remainder'):
            val = choice([0.7, -1.3])
        elif name == 'xlogy':
            val = 1.5
        else:
            val = choice([2, 0.5, -1.5, 3])
        g.emit(name, [R(a), val])
        return
    a, b = binary_operands(g, allow_int=name in ('add', 'sub', 'mul', 'div', 'maximum', 'minimum'))
    if name == 'pow':
        a = g.positive(a)
    elif name == 'xlogy':
        b = g.positive(b)
    elif name in ('fmod', 'remainder', 'div'):
        if g.T(b).dtype in FLOATS:
            b = g.positive(b)
    g.emit(name, [R(a), R(b)])


def op_ternary(g):
    k = rint(0, 3)
    a = g.pick_float()
    x = g.T(a)
    b = g.pick(lambda t: t.dtype in FLOATS and can_broadcast(t.shape, x.shape))
    if k == 0:
        g.emit('lerp', [R(a), R(b), choice([0.3, 0.75])])
    elif k == 1:
        c = g.pick(lambda t: t.dtype in FLOATS and can_broadcast(t.shape, x.shape))
        g.emit('addcmul', [R(a), R(b), R(c), choice([1, 0.5])])
    elif k == 2:
        c = g.positive(g.pick(lambda t: t.dtype in FLOATS and can_broadcast(t.shape, x.shape)))
        g.emit('addcdiv', [R(a), R(b), R(c), choice([1, -2])])
    else:
        c = g.pick(lambda t: t.dtype in FLOATS and can_broadcast(t.shape, x.shape) and can_broadcast(t.shape, g.T(b).shape))
        if any(nonfinite(g.T(j)) for j in (a, b, c)):
            # tensorfold's lerp with a tensor weight selects PyTorch's two formulas with where(): at
            # ±inf the unselected one makes some gradients NaN where PyTorch's are ±inf (docs/API.md).
            raise Skip()
        g.emit('lerp', [R(a), R(b), R(c)])


def op_where(g):
    a = g.pick_float()
    x = g.T(a)
    if chance(0.3):
        cond = g.new_input(broadcast_partner(list(x.shape)), 'bool')
    else:
        c1 = g.pick(lambda t: t.dtype in FLOATS and can_broadcast(t.shape, x.shape))
        cmp = choice(['gt', 'lt', 'ge', 'le', 'ne', 'eq'])
        other = R(g.pick(lambda t: t.dtype in FLOATS and can_broadcast(t.shape, g.T(c1).shape))) if chance(0.5) else choice([0, 0.5, -0.3])
        cond = g.emit(cmp, [R(c1), other])
    b = g.pick(lambda t: t.dtype in FLOATS and can_broadcast(t.shape, x.shape)) if chance(0.8) else None
    if b is None:
        g.emit('tf.where', [R(cond), R(a), choice([0, 1.5])])
    else:
        g.emit('tf.where', [R(cond), R(a), R(b)])


def op_logical(g):
    """Bool and int results and their promotion back into float arithmetic."""
    a = g.pick_float()
    x = g.T(a)
    k = rint(0, 4)
    if k == 0:
        m = g.emit(choice(['gt', 'lt']), [R(a), 0])
        m2 = g.new_input(broadcast_partner(list(x.shape)), 'bool')
        m = g.emit(choice(['logicalAnd', 'logicalOr', 'logicalXor']), [R(m), R(m2)])
        g.emit('mul', [R(a), R(m)])
    elif k == 1:
        m = g.emit(choice(['isnan', 'isinf', 'isfinite']), [R(a)])
        g.emit('tf.where', [R(g.emit('logicalNot', [R(m)])), R(a), 0])
    elif k == 2:
        n = g.new_input(broadcast_partner(list(x.shape)), 'int32')
        m = g.new_input(broadcast_partner(list(x.shape)), choice(INT_PARTNERS))
        s = g.emit(choice(['add', 'mul', 'sub', 'maximum']), [R(n), R(m)])  # int32 arithmetic stays int32
        g.emit(choice(['add', 'mul']), [R(a), R(s)])
    elif k == 3:
        n = g.new_input(list(x.shape), 'int32')
        g.emit('div', [R(n), R(g.positive(a))])  # int / float -> float
    else:
        b = g.pick_float()
        d = g.emit('to', [R(b), 'float64' if g.T(b).dtype == torch.float32 else 'float32'])
        if can_broadcast(g.T(d).shape, x.shape):
            g.emit(choice(['add', 'mul']), [R(a), R(d)])


# --- reductions
def axes_arg(t):
    if t.dim() == 0:
        raise Skip()
    if chance(0.25) and t.dim() >= 2:
        k = rint(2, t.dim())
        axes = sorted(rng.choice(t.dim(), k, replace=False).tolist())
        return [a - t.dim() if chance(0.3) else a for a in axes]
    return an_axis(t)


def nonfinite(t):
    return t.dtype in FLOATS and not bool(torch.isfinite(t.detach()).all())


# The gradients of prod, cumprod and logcumsumexp around ±inf/NaN: PyTorch's closed forms (result / x
# with a count of zeros; logcumsumexp's backward turns a NaN incoming gradient into 0) and tensorfold's
# disagree on which entries are NaN and which are ±inf or 0. A known difference (docs/API.md), not
# compared: these ops are left out of the programs fed NaN/inf.
NONFINITE_UNCOMPARED = {'prod', 'cumprod', 'logcumsumexp'}


def op_reduce(g):
    i = g.pick_float()
    x = g.T(i)
    name = choice(['sum', 'mean', 'amax', 'amin', 'max', 'min', 'var', 'std', 'logsumexp', 'prod', 'norm', 'sum', 'mean'])
    keep = chance(0.4)
    if name in ('sum', 'mean', 'max', 'min') and chance(0.15):
        g.emit(name, [R(i)])
        return
    if name == 'prod':
        if g.specials:
            raise Skip()
        g.emit('prod', [R(i), an_axis(x), keep] if chance(0.85) else [R(i)])
        return
    ax = axes_arg(x)
    if name in ('var', 'std'):
        g.emit(name, [R(i), ax, keep, choice([0, 1])])
    elif name == 'norm':
        p = choice([2, 1, 'fro', 3])
        if p == 'fro':
            ax = ax if isinstance(ax, list) else [ax]
        if g.specials and bool((x.detach() == 0).all(dim=axis_arg(ax) if isinstance(ax, list) else ax).any()):
            # The gradient of a norm at an all-zero slice is exactly 0 in tensorfold, and NaN in PyTorch's
            # Frobenius path when the incoming gradient is NaN: not compared in the programs fed NaN/inf.
            raise Skip()
        g.emit('norm', [R(i), p, ax, keep])
    else:
        g.emit(name, [R(i), ax, keep])


def op_scan(g):
    i = g.pick_float()
    name = choice(['cumsum', 'cumprod', 'logcumsumexp', 'softmax', 'logSoftmax', 'softmax'])
    if name in NONFINITE_UNCOMPARED and g.specials:
        raise Skip()
    g.emit(name, [R(i), an_axis(g.T(i))])


def op_argmax(g):
    i = g.pick_float()
    x = g.T(i)
    name = choice(['argmax', 'argmin'])
    ax = an_axis(x)
    idx = g.emit(name, [R(i), ax, True])
    g.emit('gather', [R(i), ax, R(idx)])


def op_sort(g):
    i = g.pick_float(lambda t: t.dim() > 0)
    x = g.T(i)
    ax = an_axis(x)
    n = x.shape[ax]
    k = rint(0, 4)
    if k < 4 and bool(torch.isnan(x.detach()).any()):
        # Where NaN sorts (and so which element the gradient goes to) differs between PyTorch's kernels
        # (kthvalue's quickselect, cummax); tensorfold sorts NaN last everywhere. Not compared.
        raise Skip()
    if DTYPES_MODE and k in (1, 2, 3) and x.numel() and bool((x.detach().sort(ax).values.diff(dim=ax) == 0).any()):
        # Which of tied elements topk/cummax/kthvalue select (and so which one gets the gradient) is up to
        # the kernel (quickselect in PyTorch). Half values tie often: not compared there.
        raise Skip()
    if k == 0:
        g.emit('sort', [R(i), ax] + ([{'descending': True}] if chance(0.5) else []), pick=0)
    elif k == 1:
        if n == 0:
            raise Skip()
        g.emit('topk', [R(i), rint(1, n), ax] + ([{'largest': False}] if chance(0.4) else []), pick=0)
    elif k == 2:
        g.emit(choice(['cummax', 'cummin']), [R(i), ax], pick=0)
    elif k == 3:
        if n == 0:
            raise Skip()
        g.emit('kthvalue', [R(i), rint(1, n), ax, chance(0.5)], pick=0)
    else:
        # nanToNum's gradient at a non-finite input is exactly 0 in tensorfold (selected), grad · 0 in
        # PyTorch (NaN for a NaN or infinite incoming gradient), a documented difference: it gets finite
        # inputs here (its NaN/inf replacement is tested by test/elementwise.test.js).
        if g.specials:
            raise Skip()
        g.emit('nanToNum', [R(i), 0.5, 3, -3] if chance(0.5) else [R(i)])


def op_more_shape(g):
    i = g.pick_float(lambda t: t.dim() > 0)
    x = g.T(i)
    nd = x.dim()
    k = rint(0, 5)
    if k == 0:
        mode = choice(['constant', 'constant', 'reflect', 'replicate', 'circular'])
        npad = rint(1, min(nd, 2 if mode != 'constant' else 3))
        pads = []
        for j in range(npad):
            size = x.shape[nd - 1 - j]
            hi = max(0, size - 1) if mode in ('reflect', 'circular') else 2
            pads += [rint(-1 if mode == 'constant' else 0, hi), rint(0, hi)]
        o = {'mode': mode} if mode != 'constant' else ({'value': 1.5} if chance(0.5) else None)
        g.emit('tf.pad', [R(i), pads] + ([o] if o else []))
    elif k == 1:
        if nd < 2:
            raise Skip()
        a, b = [int(v) for v in rng.choice(nd, 2, replace=False)]
        g.emit('rot90', [R(i), rint(-1, 2), [a, b]])
    elif k == 2:
        g.emit('tile', [R(i), [rint(1, 2) for _ in range(rint(1, nd + 1))]])
    elif k == 3:
        g.emit('swapaxes', [R(i), an_axis(x), an_axis(x)])
    elif k == 4:
        if nd > 2:
            raise Skip()
        if nd == 2 and chance(0.5) and x.shape[0] == x.shape[1]:
            g.emit('trace', [R(i)])
        else:
            g.emit('diag', [R(i), rint(-1, 1)])
    else:
        if nd == 0 or x.numel() == 0:
            raise Skip()
        d = an_axis(x)
        shape = list(x.shape)
        shape[d % nd] = rint(1, 3)
        idx = index_tensor(x.shape[d % nd], shape)
        src = g.pick(lambda t: t.dtype == x.dtype and t.dim() == nd and all(t.shape[j] >= shape[j] for j in range(nd)))
        red = choice(['sum', 'mean'])
        g.emit('scatterReduce', [R(i), d, int_const(idx), R(src), red] + ([{'includeSelf': False}] if chance(0.4) else []))


# --- shape ops
def factor_shape(n):
    if n == 0:
        return [0, rint(1, 3)] if chance(0.5) else [0]
    out = []
    for f in (2, 3, 2):
        if n % f == 0 and chance(0.5):
            out.append(f)
            n //= f
    out.append(n)
    rng.shuffle(out)
    return out


def op_shape(g):
    i = g.pick(lambda t: t.dtype in FLOATS or chance(0.15))
    x = g.T(i)
    nd = x.dim()
    k = choice(['reshape', 'transpose', 'permute', 'expand', 'flatten', 'squeeze', 'unsqueeze', 'narrow', 'select',
                'concat', 'stack', 'split', 'chunk', 'flip', 'roll', 'tril', 'movedim', 'repeat', 'diagonal',
                'unflatten', 'contiguous'])
    if k == 'reshape':
        shp = factor_shape(x.numel())
        if chance(0.3) and x.numel() > 0:
            shp[rint(0, len(shp) - 1)] = -1
        g.emit('reshape', [R(i), shp])
    elif k == 'transpose':
        if nd < 2:
            raise Skip()
        g.emit('transpose', [R(i), an_axis(x), an_axis(x)])
    elif k == 'permute':
        if nd < 2:
            raise Skip()
        g.emit('permute', [R(i), [int(v) for v in rng.permutation(nd)]])
    elif k == 'expand':
        shp = [rint(2, 3) if d == 1 else d for d in x.shape]
        if chance(0.5):
            shp = [rint(1, 3)] + shp
        if chance(0.3) and nd:
            shp[-1] = -1
        g.emit('expand', [R(i), shp])
    elif k == 'flatten':
        if nd < 2:
            raise Skip()
        a = rint(0, nd - 2)
        g.emit('flatten', [R(i), a, rint(a + 1, nd - 1)])
    elif k == 'squeeze':
        ones = [d for d in range(nd) if x.shape[d] == 1]
        if not ones:
            raise Skip()
        g.emit('squeeze', [R(i), choice(ones)])
    elif k == 'unsqueeze':
        g.emit('unsqueeze', [R(i), rint(-nd - 1, nd)])
    elif k in ('narrow', 'select'):
        d = an_axis(x)
        n = x.shape[d]
        if n == 0:
            raise Skip()
        if k == 'select':
            g.emit('select', [R(i), d, rint(-n, n - 1)])
        else:
            s = rint(0, n - 1)
            g.emit('narrow', [R(i), d, s, rint(0, n - s)])
    elif k in ('concat', 'stack'):
        if k == 'concat' and nd == 0:
            raise Skip()
        d = an_axis(x) if k == 'concat' else rint(-nd - 1, nd)
        others = [R(i)]
        for _ in range(rint(1, 2)):
            shp = list(x.shape)
            if k == 'concat':
                shp[d] = rint(0, 3)
            same = [j for j, t in g.usable() if t.dtype == x.dtype and list(t.shape) == shp]
            others.append(R(choice(same)) if same and chance(0.5) else R(g.new_input(shp, g.tfd[i])))
        rng.shuffle(others)
        g.emit('tf.' + k, [others, d])
    elif k in ('split', 'chunk'):
        d = an_axis(x)
        n = x.shape[d]
        if k == 'split':
            s = rint(1, max(1, n))
            parts = max(1, -(-n // s))
            g.emit('split', [R(i), s, d], pick=rint(0, parts - 1))
        else:
            c = rint(1, 3)
            parts = len(torch.chunk(x, c, d))
            g.emit('chunk', [R(i), c, d], pick=rint(0, parts - 1))
    elif k == 'flip':
        if nd == 0:
            raise Skip()
        g.emit('flip', [R(i), sorted(set(an_axis(x) % nd for _ in range(rint(1, 2))))])
    elif k == 'roll':
        if nd == 0:
            raise Skip()
        if chance(0.3):
            g.emit('roll', [R(i), rint(-3, 3), None])
        else:
            g.emit('roll', [R(i), [rint(-3, 3)], [an_axis(x)]])
    elif k == 'tril':
        if nd < 2:
            raise Skip()
        g.emit(choice(['tril', 'triu']), [R(i), rint(-1, 1)])
    elif k == 'movedim':
        if nd < 2:
            raise Skip()
        g.emit('movedim', [R(i), an_axis(x), an_axis(x)])
    elif k == 'repeat':
        g.emit('repeat', [R(i), [rint(1, 2) for _ in range(nd + rint(0, 1))]])
    elif k == 'diagonal':
        if nd < 2:
            raise Skip()
        a, b = [int(v) for v in rng.choice(nd, 2, replace=False)]
        g.emit('diagonal', [R(i), rint(-1, 1), a, b])
    elif k == 'unflatten':
        if nd == 0 or x.numel() == 0:
            raise Skip()
        d = an_axis(x)
        n = x.shape[d]
        f = 2 if n % 2 == 0 else 1
        g.emit('unflatten', [R(i), d, [f, n // f] if chance(0.7) else [-1, f]])
    else:
        g.emit('contiguous', [R(i)])


# --- indexing
def slice_str(n):
    k = rint(0, 4)
    if k == 0:
        return ':'
    if k == 1:
        return f'{rint(-n, n)}:'
    if k == 2:
        return f':{rint(-n, n)}'
    if k == 3:
        return f'::{rint(1, 3)}'
    return f'{rint(0, n)}:{rint(0, n)}:{rint(1, 2)}'


def index_spec(x, advanced=True):
    """A random x[spec]: numbers, slices, '...', None, and (advanced) int32 tensors or a bool mask."""
    spec = []
    d = 0
    nd = x.dim()
    used_ell = False
    n_adv = n_new = 0
    # Stops early only before a '...': after it, the items must consume exactly the dims left (the index
    # values are drawn for those dims' sizes).
    while d < nd and (used_ell or len(spec) < nd + 1):
        n = x.shape[d]
        r = rng.random()
        if r < 0.12 and not used_ell and chance(0.5):
            spec.append('...')
            used_ell = True
            d = nd - rint(0, nd - d)  # the dims '...' skips
            continue
        if r < 0.2 and n_new < 2:
            spec.append(None)
            n_new += 1
            continue
        if r < 0.4 and n > 0:
            spec.append(rint(-n, n - 1))
        elif advanced and r < 0.62 and n > 0 and n_adv < 2:
            ln = rint(1, 3)
            shape = [ln] if chance(0.8) else [1, ln]
            spec.append(int_const(rng.integers(-n, n, int(np.prod(shape))).reshape(shape)))
            n_adv += 1
        elif advanced and r < 0.72 and n_adv == 0:
            k = rint(1, min(2, nd - d))
            spec.append(bool_const(list(x.shape[d:d + k])))
            d += k
            n_adv += 1
            if k > 1:
                # PyTorch 1.13 applies the items after a mask of 2+ dims to the wrong dims (it advances
                # one dim per mask, NumPy and tensorfold as many as the mask has): the mask ends the spec.
                break
            continue
        else:
            spec.append(slice_str(n))
        d += 1
    return spec


def op_index(g):
    i = g.pick(lambda t: t.dim() > 0)
    x = g.T(i)
    g.emit('index', [R(i)] + index_spec(x, advanced=chance(0.6)))


def index_tensor(n, shape, unique_along=None):
    """Random indices in [0, n) of the given shape; unique along one dim when writes must not collide."""
    if unique_along is None:
        return rng.integers(0, n, int(np.prod(shape))).reshape(shape)
    d = unique_along
    k = shape[d]
    if k > n:
        raise Skip()
    moved = [s for j, s in enumerate(shape) if j != d] + [k]
    cols = int(np.prod(moved[:-1])) if len(moved) > 1 else 1
    vals = np.stack([rng.permutation(n)[:k] for _ in range(cols)]).reshape(moved)
    return np.moveaxis(vals, -1, d)


def op_gather_scatter(g):
    i = g.pick_float(lambda t: t.dim() > 0)
    x = g.T(i)
    nd = x.dim()
    d = an_axis(x)
    dd = d % nd
    k = choice(['gather', 'scatter', 'scatterAdd', 'indexSelect', 'indexAdd', 'indexCopy', 'indexFill', 'takeAlongDim', 'take'])
    n = x.shape[dd]
    if n == 0 and k != 'indexSelect':
        raise Skip()
    if k == 'gather':
        shape = [rint(1, 3) if j == dd else rint(1, max(1, x.shape[j])) if x.shape[j] else 0 for j in range(nd)]
        shape = [min(s, x.shape[j]) if j != dd else s for j, s in enumerate(shape)]
        g.emit('gather', [R(i), d, int_const(index_tensor(n, shape))])
    elif k in ('scatter', 'scatterAdd'):
        shape = [min(rint(1, 3), x.shape[j]) for j in range(nd)]
        if k == 'scatter':
            idx = index_tensor(n, shape, unique_along=dd)
        else:
            idx = index_tensor(n, shape)
        src = g.pick(lambda t: t.dtype == x.dtype and t.dim() == nd and all(t.shape[j] >= shape[j] for j in range(nd)))
        g.emit(k, [R(i), d, int_const(idx), R(src)])
    elif k == 'indexSelect':
        g.emit('indexSelect', [R(i), d, int_const(index_tensor(max(n, 1), [rint(0 if n == 0 else 1, 4)]) if n else [])])
    elif k in ('indexAdd', 'indexCopy'):
        ln = rint(1, min(3, n))
        idx = rng.permutation(n)[:ln] if k == 'indexCopy' else index_tensor(n, [ln])
        shape = list(x.shape)
        shape[dd] = ln
        src = g.pick(lambda t: t.dtype == x.dtype and list(t.shape) == shape) if chance(0.3) else None
        if src is None:
            src = g.emit('indexSelect', [R(g.pick_float(lambda t: t.dtype == x.dtype and list(t.shape) == list(x.shape))), d,
                                         int_const(index_tensor(n, [ln]))])
        g.emit(k, [R(i), d, int_const(idx), R(src)])
    elif k == 'indexFill':
        g.emit('indexFill', [R(i), d, int_const(index_tensor(n, [rint(1, 3)])), choice([0, -1.5, 2])])
    elif k == 'takeAlongDim':
        shape = list(x.shape)
        shape[dd] = rint(1, 3)
        if chance(0.3):
            shape = [1 if (j != dd and chance(0.5)) else s for j, s in enumerate(shape)]
        g.emit('takeAlongDim', [R(i), int_const(index_tensor(n, shape)), d])
    else:
        if x.numel() == 0:
            raise Skip()
        g.emit('take', [R(i), int_const(rng.integers(-x.numel(), x.numel(), rint(1, 4)))])


def op_mask(g):
    i = g.pick_float()
    x = g.T(i)
    k = rint(0, 2)
    if k == 1 and not x.is_contiguous():
        # PyTorch 1.13's masked_select gradient on a non-contiguous input is scattered in memory order
        # (wrong; tensorfold's is right): not compared.
        raise Skip()
    if chance(0.5):
        m = R(g.emit(choice(['gt', 'lt']), [R(i), float(round(rng.uniform(-1, 1), 2))]))
    else:
        m = bool_const(broadcast_partner(list(x.shape)) if k != 2 else list(x.shape))
    if k == 0:
        g.emit('maskedFill', [R(i), m, choice([0, 1.5, -2])])
    elif k == 1:
        g.emit('maskedSelect', [R(i), m])
    else:
        g.emit('maskedFill', [R(i), m, choice([0, 1.5, -2])])


# --- in place
INPLACE_UNARY = ['neg_', 'exp_', 'tanh_', 'sigmoid_', 'relu_', 'square_', 'sin_', 'abs_', 'zero_']


def view_of(g, b):
    """A view of stack value b (so that the in-place write goes through it to its base)."""
    x = g.T(b)
    nd = x.dim()
    k = rint(0, 4)
    if nd >= 2 and k == 0:
        return g.emit('transpose', [R(b), 0, nd - 1])
    if nd >= 1 and k == 1 and x.shape[0] > 0:
        return g.emit('select', [R(b), 0, rint(0, x.shape[0] - 1)])
    if nd >= 1 and k == 2:
        n = x.shape[-1]
        s = rint(0, n)
        return g.emit('narrow', [R(b), -1, s, rint(0, n - s)])
    if nd >= 2 and k == 3:
        return g.emit('diagonal', [R(b), 0, 0, 1])
    return g.emit('index', [R(b)] + index_spec(x, advanced=False))


def op_inplace(g):
    # A non-leaf float tensor: a fresh clone, or any computed value.
    ids = [j for j, t in g.usable() if t.dtype in FLOATS and t.grad_fn is not None]
    if not ids or chance(0.4):
        b = g.emit('clone', [R(g.pick_float())])
    else:
        b = choice(ids)
    base = b
    if chance(0.5):
        b = view_of(g, b)
        g.inplace_bases.append(base)
    x = g.T(b)
    k = rint(0, 9)
    if k <= 2:
        name = choice(['add_', 'sub_', 'mul_', 'div_'])
        if chance(0.3):
            g.emit(name, [R(b), choice([2, -0.5, 1.5])])
        else:
            o = g.pick(lambda t: t.dtype in FLOATS and can_broadcast(t.shape, x.shape) and torch.broadcast_shapes(t.shape, x.shape) == x.shape)
            if name == 'div_':
                o = g.positive(o)
            args = [R(b), R(o)]
            if name in ('add_', 'sub_') and chance(0.3):
                args.append(choice([2, -0.5]))
            g.emit(name, args)
    elif k == 3:
        g.emit('clamp_', [R(b), -0.5, choice([0.5, 1, None])])
    elif k <= 5:
        g.emit(choice(INPLACE_UNARY), [R(b)])
    elif k == 6:
        g.emit('fill_', [R(b), choice([0, 1, -2.5])])
    elif k == 7:
        o = g.pick(lambda t: can_broadcast(t.shape, x.shape) and torch.broadcast_shapes(t.shape, x.shape) == x.shape)
        g.emit('copy_', [R(b), R(o)])
    elif k == 8:
        m = R(g.emit('gt', [R(b), 0])) if chance(0.5) else bool_const(broadcast_partner(list(x.shape)))
        g.emit('maskedFill_', [R(b), m, choice([0, 2])])
    else:
        if x.dim() == 0:
            raise Skip()
        spec = index_spec(x, advanced=chance(0.5))
        if any(isinstance(s, dict) for s in spec):
            # repeated writes to one place are unordered in PyTorch: keep the positions distinct
            pos = torch.arange(x.numel()).reshape(x.shape)[spec_of([resolve(s, [], [], 'as_is') for s in spec])]
            if pos.numel() != pos.unique().numel():
                raise Skip()
        tgt = x[spec_of([resolve(s, [], [], 'as_is') for s in spec])]
        if chance(0.4):
            val = choice([0, 3.5])
        else:
            v = g.pick(lambda t: t.dtype in FLOATS and can_broadcast(t.shape, tgt.shape) and torch.broadcast_shapes(t.shape, tgt.shape) == tgt.shape)
            val = R(v)
        g.emit('indexPut_', [R(b), spec, val])
    if base != b and chance(0.7):
        g.emit('mul', [R(base), 1])  # the base, read after the write through its view


# --- matmul family
def op_matmul(g):
    k = choice(['matmul', 'matmul', 'mm', 'bmm', 'mv', 'dot', 'outer', 'einsum', 'addmm', 'baddbmm', 'kron', 'cross'])
    dt = g.float_dtype()

    def operand(shape):
        ids = [j for j, t in g.usable() if t.dtype == TD[dt] and list(t.shape) == shape]
        return choice(ids) if ids and chance(0.6) else g.new_input(shape, dt)

    d = lambda: rint(1, 4)
    if k == 'matmul':
        a = g.pick(lambda t: t.dtype == TD[dt] and 1 <= t.dim() <= 4)
        x = g.T(a)
        kk = x.shape[-1]
        shp = choice([[kk], [kk, d()], [rint(1, 2), kk, d()], [1, kk, d()]])
        g.emit('matmul', [R(a), R(operand(shp))])
    elif k == 'mm':
        n, kk, m = d(), d(), d()
        g.emit('tf.mm', [R(operand([n, kk])), R(operand([kk, m]))])
    elif k == 'bmm':
        b, n, kk, m = rint(1, 3), d(), d(), d()
        g.emit('tf.bmm', [R(operand([b, n, kk])), R(operand([b, kk, m]))])
    elif k == 'mv':
        n, kk = d(), d()
        g.emit('tf.mv', [R(operand([n, kk])), R(operand([kk]))])
    elif k == 'dot':
        n = d()
        g.emit('tf.dot', [R(operand([n])), R(operand([n]))])
    elif k == 'outer':
        g.emit('tf.outer', [R(operand([d()])), R(operand([d()]))])
    elif k == 'kron':
        g.emit('tf.kron', [R(operand([rint(1, 2), d()])), R(operand([d(), rint(1, 2)]))])
    elif k == 'cross':
        shp = choice([[3], [d(), 3], [3, d()]])
        g.emit('tf.cross', [R(operand(shp)), R(operand(shp)), 0 if shp[0] == 3 and len(shp) > 1 and chance(0.5) else -1 if shp[-1] == 3 else 0])
    elif k == 'addmm':
        n, kk, m = d(), d(), d()
        c = operand(choice([[n, m], [m], [1, m]]))
        o = {'beta': 0.5, 'alpha': 2} if chance(0.4) else None
        g.emit('tf.addmm', [R(c), R(operand([n, kk])), R(operand([kk, m]))] + ([o] if o else []))
    elif k == 'baddbmm':
        b, n, kk, m = rint(1, 2), d(), d(), d()
        o = {'beta': 1.5, 'alpha': 0.5} if chance(0.4) else None
        g.emit('tf.baddbmm', [R(operand([b, n, m])), R(operand([b, n, kk])), R(operand([b, kk, m]))] + ([o] if o else []))
    else:
        i, j, kk, b = d(), d(), d(), rint(1, 3)
        eq, shapes = choice([
            ('ij,jk->ik', [[i, j], [j, kk]]), ('bij,bjk->bik', [[b, i, j], [b, j, kk]]), ('ij,kj->ik', [[i, j], [kk, j]]),
            ('ij,ij->i', [[i, j], [i, j]]), ('i,j->ij', [[i], [j]]), ('ij,j->i', [[i, j], [j]]), ('ij->ji', [[i, j]]),
            ('bij->bj', [[b, i, j]]), ('...ij,...jk->...ik', [[b, i, j], [j, kk]]), ('i,i->', [[i], [i]]),
            ('bij,jk->bki', [[b, i, j], [j, kk]]),
        ])
        g.emit('tf.einsum', [eq] + [R(operand(s)) for s in shapes])


# --- linear algebra
def square_matrix(g, dt):
    ids = [j for j, t in g.usable() if t.dtype == TD[dt] and 2 <= t.dim() <= 3
           and t.shape[-1] == t.shape[-2] and 1 <= t.shape[-1] <= 4]
    if ids and chance(0.6):
        return choice(ids)
    n = rint(1, 4)
    return g.new_input(([rint(1, 2)] if chance(0.3) else []) + [n, n], dt)


def well_conditioned(A, limit=30.0):
    A = A.detach().double()
    if not torch.isfinite(A).all():
        return False
    s = torch.linalg.svdvals(A)
    # Also an absolute floor: a matrix of rounding residues (cross(x, x) with FMA) can have a fine ratio.
    return bool((s[..., -1] > 1e-2).all() and (s[..., 0] / s[..., -1] <= limit).all())


def conditioned(g, a):
    """A square matrix, shifted by a multiple of the identity until its condition number is below 30."""
    A = g.T(a)
    n = A.shape[-1]
    for shift in (0, 2, 4):
        if shift:
            b = g.emit('add', [R(a), const(torch.eye(n) * shift, TF_DTYPE[A.dtype])])
        else:
            b = a
        if well_conditioned(g.T(b)):
            return b
    raise Skip()


def op_linalg(g):
    dt = 'float64' if chance(0.5) else 'float32'
    a = square_matrix(g, dt)
    k = choice(['inv', 'det', 'slogdet', 'solve', 'cholesky', 'qr', 'eigh', 'eigvalsh', 'matrixPower', 'svdvals'])
    A = g.T(a)
    n = A.shape[-1]
    if k in ('inv', 'det', 'slogdet', 'solve'):
        b = conditioned(g, a)
        if k == 'solve':
            rhs = choice([list(A.shape[:-1]) + [rint(1, 3)], list(A.shape[:-1])])
            g.emit('tf.linalg.solve', [R(b), R(g.new_input(rhs, dt))])
        elif k == 'slogdet':
            g.emit('tf.linalg.slogdet', [R(b)], pick=1)
        else:
            g.emit('tf.linalg.' + k, [R(b)])
    elif k == 'matrixPower':
        p = choice([0, 1, 2, 3, -1, -2])
        b = conditioned(g, a) if p < 0 else a
        g.emit('tf.linalg.matrixPower', [R(b), p])
    elif k == 'svdvals':
        sv = torch.linalg.svdvals(A.detach().double())
        if not torch.isfinite(sv).all() or (n > 1 and float((sv[..., :-1] - sv[..., 1:]).min()) < 0.1 * max(1.0, float(sv.max()))) \
                or float(sv.min()) < 0.1:
            raise Skip()  # singular value gradients divide by gaps (and by the values themselves)
        g.emit('tf.linalg.svdvals', [R(a)])
    elif k == 'cholesky':
        at = g.emit('transpose', [R(a), -1, -2])
        s = g.emit('matmul', [R(a), R(at)])
        s = g.emit('add', [R(s), const(torch.eye(n) * 0.5, dt)])
        if not well_conditioned(g.T(s), 100):
            raise Skip()
        g.emit('tf.linalg.cholesky', [R(s)])
    elif k == 'qr':
        if chance(0.5):  # a tall matrix
            m = rint(n, 4)
            a = g.new_input(list(A.shape[:-2]) + [m, n], dt)
        if not well_conditioned(g.T(a)):
            raise Skip()
        # Q and R are unique up to the signs of R's diagonal: LAPACK's Householder QR and the engine's own
        # routine (builds without LAPACK) choose differently. Compared in the form with diag(R) > 0.
        q = g.emit('tf.linalg.qr', [R(a)], pick=0)
        r = g.emit('tf.linalg.qr', [R(a)], pick=1)
        dg = g.emit('diagonal', [R(r), 0, -2, -1])
        sg = g.emit('sign', [R(dg)])
        col = chance(0.5)
        u = g.emit('unsqueeze', [R(sg), -2 if col else -1])
        g.ambiguous.update((q, r, dg, sg, u))
        g.emit('mul', [R(q if col else r), R(u)])
    else:
        at = g.emit('transpose', [R(a), -1, -2])
        s = g.emit('add', [R(a), R(at)])
        w = torch.linalg.eigvalsh(g.T(s).detach().double())
        if not torch.isfinite(w).all():
            raise Skip()
        scale = max(1.0, float(w.abs().max()))
        if n > 1 and float((w[..., 1:] - w[..., :-1]).min()) < 0.1 * scale:
            raise Skip()  # eigenvector gradients divide by eigenvalue gaps
        if k == 'eigvalsh':
            g.emit('tf.linalg.eigvalsh', [R(s)])
        elif chance(0.5):
            g.emit('tf.linalg.eigh', [R(s)], pick=0)
        else:
            v = g.emit('tf.linalg.eigh', [R(s)], pick=1)
            g.ambiguous.add(v)
            g.emit('square', [R(v)])  # eigenvectors are defined up to sign


THEMES = {
    # theme: (weights of each op generator, input rank range)
    'pointwise': {op_unary: 6, op_param_unary: 1, op_binary: 5, op_ternary: 1, op_reduce: 1, op_scan: 1, op_shape: 1},
    'reduce': {op_unary: 2, op_binary: 2, op_reduce: 6, op_scan: 3, op_argmax: 1, op_shape: 1, op_sort: 2},
    'shape': {op_unary: 1, op_binary: 2, op_shape: 8, op_more_shape: 3, op_reduce: 1, op_index: 1},
    'index': {op_unary: 1, op_binary: 1, op_index: 5, op_gather_scatter: 5, op_mask: 2, op_where: 2, op_shape: 1, op_sort: 1, op_more_shape: 1},
    'inplace': {op_unary: 1, op_binary: 1, op_inplace: 6, op_shape: 1, op_index: 1},
    'dtype': {op_unary: 1, op_binary: 4, op_logical: 4, op_where: 3, op_reduce: 1},
    'matmul': {op_unary: 1, op_binary: 1, op_matmul: 5, op_shape: 1, op_reduce: 1},
    'linalg': {op_unary: 1, op_binary: 1, op_linalg: 4, op_matmul: 1},
}
THEME_ORDER = ['pointwise', 'reduce', 'shape', 'index', 'inplace', 'dtype', 'matmul', 'linalg']


def build(i):
    theme = THEME_ORDER[i % len(THEME_ORDER)]
    specials = theme in ('pointwise', 'reduce', 'shape') and (i // len(THEME_ORDER)) % 4 == 0
    g = Gen(theme, specials)
    dtypes = choice([['float32'], ['float64'], ['float32', 'float64']]) if theme != 'linalg' else [choice(['float32', 'float64'])]
    s0 = rand_shape(0, 3) if theme not in ('shape', 'index', 'inplace') else rand_shape(1, 4, 0.02)
    g.new_input(s0, dtypes[0])
    if theme != 'linalg':
        g.new_input(broadcast_partner(s0) if chance(0.7) else rand_shape(0, 3), choice(dtypes))
    return grow(g, i, THEMES[theme])


def grow(g, i, weights):
    """Adds random ops of the theme's weights to a program that has its inputs; picks its outputs."""
    theme, specials = g.theme, g.specials
    fns = list(weights)
    p = np.array([weights[f] for f in fns], dtype=float)
    p /= p.sum()
    want = rint(3, 7)
    tries = 0
    while len([s for s in g.steps if s['f'] != 'input']) < want and tries < 40:
        tries += 1
        g.try_op(fns[int(rng.choice(len(fns), p=p))])
    if len(g.steps) == len(g.inputs):
        return None
    last = len(g.stack) - 1
    outs = [last] + sorted(set(b for b in g.inplace_bases if b != last))
    if chance(0.3):
        extra = [j for j, t in g.usable() if t.requires_grad and j not in outs]
        if extra:
            outs.append(choice(extra))
    outs = [o for o in outs if isinstance(g.stack[o], torch.Tensor)]
    weights_out = []
    for o in outs:
        t = g.stack[o]
        weights_out.append([enc(v, 17) for v in np.round(rng.uniform(-1, 1, t.numel()), 3).tolist()])
    fam = set(FAMILY.get(s['f'], 'pointwise') for s in g.steps)
    return dict(id=i, theme=theme, specials=specials, inputs=g.inputs, steps=g.steps, outputs=outs, weights=weights_out,
                family=max(fam, key=FAMILY_ORDER.index), tfd=[g.tfd[o] for o in outs], step_dtypes=g.tfd)


# ------------------------------------------------------------------------------- the dtype programs (--dtypes)
# Programs over int64, uint8, float16 and bfloat16 mixed with the old dtypes: promotion across ops, uint8
# wrapping, int64 beyond int32's range, int64 index tensors, half precision through every op family and its
# gradient (a half leaf's gradient must come out in the leaf's dtype). A second fixture
# (test/fixtures/differential_dtypes.json.gz, replayed by test/differential_dtypes.test.js) with its own seed,
# so the 10,000 programs of differential.json.gz stay as they are.
DT_SEED = 20261201
DT_OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'differential_dtypes.json.gz')
INTS = (torch.int64, torch.uint8, torch.int32)


def int_operand(g, like=None):
    """An integer stack value (int64, uint8, int32), or a new integer input (broadcasting with like)."""
    ids = [j for j, t in g.usable() if t.dtype in INTS and (like is None or can_broadcast(t.shape, like.shape))]
    if ids and chance(0.6):
        return ids[-1] if chance(0.5) else choice(ids)
    shape = broadcast_partner(list(like.shape)) if like is not None else rand_shape(0, 3)
    return g.new_input(shape, choice(['int64', 'uint8', 'int64', 'uint8', 'int32', 'bool']))


def op_int(g):
    """Integer arithmetic, reductions, sorts and casts across int64/uint8/int32/bool, and back into float."""
    k = rint(0, 7)
    if k == 7:
        # integer matmul of one dtype (PyTorch 1.13 rejects mixed dtypes in most of its matmul paths and
        # keeps the first operand's dtype in the others; tensorfold promotes)
        a = int_operand(g)
        x = g.T(a)
        if not 1 <= x.dim() <= 3 or x.dtype == torch.bool:
            raise Skip()
        kk = x.shape[-1]
        shp = choice([[kk], [kk, rint(1, 4)]])
        ids = [j for j, t in g.usable() if t.dtype == x.dtype and list(t.shape) == shp and g.tfd[j] == g.tfd[a]]
        b = choice(ids) if ids and chance(0.5) else g.new_input(shp, g.tfd[a])
        g.emit('matmul', [R(a), R(b)])
    elif k <= 1:
        a = int_operand(g)
        name = choice(['add', 'sub', 'mul', 'maximum', 'minimum', 'remainder', 'eq', 'lt', 'ge', 'add', 'mul'])
        if chance(0.3):
            b = choice([2, -3, 7])
        else:
            b = R(int_operand(g, g.T(a)))
        if name == 'remainder':
            # a positive divisor (integer division by zero: PyTorch raises, tensorfold gives 0)
            b = R(g.emit('add', [R(g.emit('abs', [b])), 1])) if isinstance(b, dict) else abs(b)
        g.emit(name, [R(a), b])
    elif k == 2:
        i = g.pick(lambda t: t.dtype in INTS or t.dtype == torch.bool)
        x = g.T(i)
        name = choice(['sum', 'sum', 'prod', 'cumsum', 'amax', 'amin', 'max', 'min', 'argmax', 'argmin'])
        if name in ('sum', 'max', 'min') and chance(0.3):
            g.emit(name, [R(i)])
        elif name == 'cumsum':
            g.emit('cumsum', [R(i), an_axis(x)])
        elif name in ('argmax', 'argmin'):
            g.emit(name, [R(i), an_axis(x), chance(0.5)])
        elif name in ('amax', 'amin'):
            g.emit(name, [R(i), an_axis(x), chance(0.5)])
        else:
            g.emit(name, [R(i), an_axis(x), chance(0.5)])
    elif k == 3:
        i = g.pick(lambda t: t.dtype in INTS and t.dim() > 0)
        x = g.T(i)
        ax = an_axis(x)
        if chance(0.6):
            # the sort is stable in both, so the indices of ties agree
            g.emit('sort', [R(i), ax] + ([{'descending': True}] if chance(0.5) else []), pick=rint(0, 1))
        else:
            if x.shape[ax] == 0:
                raise Skip()
            g.emit('topk', [R(i), rint(1, x.shape[ax]), ax], pick=0)
    elif k == 4:
        # casts: float -> integer truncates (finite, non-negative for uint8), integer -> half rounds
        i = g.pick()
        x = g.T(i)
        target = choice(['int64', 'uint8', 'int32', 'float16', 'bfloat16', 'float32', 'float64', 'int64', 'float16', 'bfloat16'])
        if x.dtype.is_floating_point and target in ('int64', 'uint8', 'int32'):
            if not bool(torch.isfinite(x.detach()).all()):
                raise Skip()
            if target == 'uint8':
                i = g.emit('abs', [R(i)])
        g.emit('to', [R(i), target])
    elif k == 5:
        # an integer operand in float arithmetic (int64 with a half gives the half type)
        a = g.pick_float()
        b = int_operand(g, g.T(a))
        args = [R(a), R(b)] if chance(0.5) else [R(b), R(a)]
        g.emit(choice(['add', 'mul', 'sub', 'maximum']), args)
    else:
        # a computed int64 index tensor: indexSelect / gather / index with it
        i = g.pick(lambda t: t.dim() > 0 and t.shape[0] > 0)
        x = g.T(i)
        n = x.shape[0]
        v = g.pick(lambda t: t.dtype == torch.int64)
        idx = g.emit('remainder', [R(g.emit('flatten', [R(v)])), n])
        if g.tfd[idx] != 'int64':
            raise Skip()
        if chance(0.5):
            g.emit('indexSelect', [R(i), 0, R(idx)])
        else:
            g.emit('index', [R(i), R(idx)])


DT_THEMES = {
    'dt_pointwise': {op_unary: 5, op_param_unary: 1, op_binary: 5, op_ternary: 1, op_logical: 2, op_where: 2, op_int: 4, op_shape: 1},
    'dt_reduce': {op_unary: 2, op_binary: 2, op_reduce: 5, op_scan: 3, op_argmax: 1, op_sort: 2, op_int: 3, op_shape: 1},
    'dt_index': {op_unary: 1, op_binary: 1, op_shape: 3, op_more_shape: 1, op_index: 3, op_gather_scatter: 3, op_mask: 2,
                 op_where: 1, op_inplace: 2, op_int: 2},
    'dt_matmul': {op_unary: 1, op_binary: 2, op_matmul: 5, op_shape: 1, op_reduce: 1, op_int: 1},
    # integer chains (int64 beyond int32's range, uint8 wrapping) ending in an integer more often
    'dt_int': {op_int: 8, op_shape: 2, op_index: 2, op_unary: 1, op_binary: 1, op_reduce: 1},
}
DT_THEME_ORDER = list(DT_THEMES)


def build_dtypes(i):
    theme = DT_THEME_ORDER[i % len(DT_THEME_ORDER)]
    specials = theme in ('dt_pointwise', 'dt_reduce') and (i // len(DT_THEME_ORDER)) % 4 == 0
    g = Gen(theme, specials)
    if theme == 'dt_int':
        first = choice(['int64', 'uint8', 'int64', 'uint8', 'int32'])
        second = choice(['int64', 'uint8', 'int32', 'bool', 'float16', 'bfloat16'])
    else:
        first = choice(['float16', 'bfloat16', 'float16', 'bfloat16', 'float32'])
        second = choice([first, first, 'float16', 'bfloat16', 'float32', 'float64', 'int64', 'uint8', 'int64', 'uint8', 'int32', 'bool'])
    s0 = rand_shape(0, 3) if theme != 'dt_index' else rand_shape(1, 4, 0.02)
    g.new_input(s0, first)
    g.new_input(broadcast_partner(s0) if chance(0.7) else rand_shape(0, 3), second)
    return grow(g, i, DT_THEMES[theme])


def use_dtypes_mode():
    """Widens the generator to the storage dtypes (module globals, so the default mode is untouched)."""
    global FLOATS, NEW_FLOATS, INT_PARTNERS, INDEX_DTYPES, rng
    FLOATS = (torch.float32, torch.float64, torch.float16, torch.bfloat16)
    NEW_FLOATS = ['float16', 'bfloat16', 'float32', 'float16', 'bfloat16', 'float64']
    INT_PARTNERS = ['int32', 'bool', 'int64', 'uint8', 'int64', 'uint8']
    INDEX_DTYPES = ['int32', 'int64']
    rng = np.random.default_rng(DT_SEED)


def finite(ts):
    return all(t is None or bool(torch.isfinite(t.detach().double()).all()) for t in ts if t is None or t.dtype != torch.bool)


def agree(a, b, rtol, atol):
    """a (float32 run) and b (float64 run) agree: same shape, same NaN/inf, finite values close."""
    if (a is None) != (b is None):
        return False
    if a is None:
        return True
    a = a.detach().double()
    b = b.detach().double()
    if a.shape != b.shape:
        return False
    if not torch.equal(torch.isnan(a), torch.isnan(b)):
        return False
    fa, fb = torch.isfinite(a), torch.isfinite(b)
    if not torch.equal(fa, fb) or not torch.equal(a[~fa & ~torch.isnan(a)], b[~fb & ~torch.isnan(b)]):
        return False
    return bool(((a[fa] - b[fb]).abs() <= atol + rtol * b[fb].abs()).all())


DROPS = {}


def drop(why):
    DROPS[why] = DROPS.get(why, 0) + 1
    return None


# The half classes' tolerance (the --dtypes programs). Both PyTorch and tensorfold round each op's result to
# the dtype once (on CPU PyTorch's bfloat16 kernels convert to float32 and back per op; its float16 ops run
# as such here, see run_torch), so each op of the chain adds at most 1 ulp of disagreement (half an ulp of
# rounding on each side), forward and backward alike, before the later ops amplify it. A program's
# tolerance is therefore eps * (h + 1), rtol and atol alike (values are of order 1, and a difference of
# nearly equal values keeps the absolute error of its operands), where eps is the dtype's ulp at 1
# (2^-10 for float16, 2^-7 for bfloat16; bfloat16 when both occur) and h the number of steps whose result
# is a half tensor (the +1: the weights of the loss, rounded to the output's dtype). The amplification is
# bounded as the float32 programs' is: PyTorch's half result must agree with the same program run in
# float64 within a quarter of that tolerance, and so must the float64 run with every float input moved by
# a quarter ulp (a program at a discontinuity - a comparison, floor or sort of nearly equal values - is
# dropped). The float32/float64 classes keep TOL.
HALF_EPS = {'float16': 2.0 ** -10, 'bfloat16': 2.0 ** -7}


def half_class(stack):
    ds = {t.dtype for t in stack if isinstance(t, torch.Tensor)}
    return 'bfloat16' if torch.bfloat16 in ds else 'float16' if torch.float16 in ds else None


def finish(prog):
    """Runs a built program as it is (the expected values) and checks its conditioning."""
    tfd = prog.pop('tfd')
    step_dtypes = prog.pop('step_dtypes')
    try:
        stack, outs, grads = execute(prog)
    except RuntimeError as e:
        if 'inplace operation' in str(e) or 'modified by an inplace' in str(e):
            return drop('backward refused: saved value overwritten')
        return drop('error')
    if not prog['specials'] and not finite(list(outs) + list(grads)):
        return drop('non-finite result')
    hc = half_class(stack)
    if hc:
        prog['perturb'] = HALF_EPS[hc] / 4
    try:
        _, o32, g32 = execute(prog, 'float32') if not hc else (None, outs, grads)
        _, o64, g64 = execute(prog, 'float64')
        _, op, gp = execute(prog, 'perturbed')
    except RuntimeError:
        return drop('error in the float32/float64 runs')
    cls = 'float32' if any(isinstance(t, torch.Tensor) and t.dtype == torch.float32 for t in stack) else 'float64'
    rtol, atol = TOL['float32'][prog['family']]
    if hc:
        cls = hc
        h = sum(1 for s, t in zip(prog['steps'], stack) if s['f'] != 'input' and isinstance(t, torch.Tensor) and t.dtype in HALVES)
        rtol = atol = HALF_EPS[hc] * (h + 1)
        prog['tolerance'] = [rtol, atol]
    for a, b in zip(list(o32) + list(g32), list(o64) + list(g64)):
        if a is not None and a.dtype == torch.bool:
            if not torch.equal(a, b):
                return drop('ill-conditioned')
            continue
        if not agree(a, b, rtol / 4, atol / 4):
            return drop('ill-conditioned')
    for a, b in zip(list(op) + list(gp), list(o64) + list(g64)):
        if a is not None and a.dtype == torch.bool:
            if not torch.equal(a, b):
                return drop('at a discontinuity')
            continue
        if not agree(a, b, rtol / 4, atol / 4):
            return drop('at a discontinuity')
    prog['tol'] = cls
    prog['expected'] = dict(
        outputs=[dict(shape=list(o.shape), dtype=TF_DTYPE[o.dtype] if not DTYPES_MODE else d, values=enc_tensor(o))
                 for o, d in zip(outs, tfd)],
        grads=[None if gr is None else enc_tensor(gr) for gr in grads])
    if DTYPES_MODE:
        prog['expected']['gradDtypes'] = [None if gr is None else TF_DTYPE[gr.dtype] for gr in grads]
        # tensorfold's dtype of every step's value (for the replayer's diagnosis: the first step that differs)
        prog['expected']['stepDtypes'] = step_dtypes
    return prog


DTYPES_MODE = False


def main():
    global DTYPES_MODE
    args = [a for a in sys.argv[1:] if a != '--dtypes']
    DTYPES_MODE = '--dtypes' in sys.argv[1:]
    if DTYPES_MODE:
        use_dtypes_mode()
    n = int(args[0]) if args else 4000
    progs = []
    i = 0
    while len(progs) < n:
        p = build(i) if not DTYPES_MODE else build_dtypes(i)
        i += 1
        if p is None:
            drop('empty')
            continue
        p = finish(p)
        if p is not None:
            p['id'] = len(progs)
            progs.append(p)
    ops = sorted(set(s['f'] for p in progs for s in p['steps']) - {'input'})
    out = DT_OUT if DTYPES_MODE else OUT
    data = dict(generator='scripts/gen_differential_fixtures.py' + (' --dtypes' if DTYPES_MODE else ''), torch=torch.__version__,
                seed=DT_SEED if DTYPES_MODE else SEED, tolerances=TOL, ops=ops, programs=progs)
    if DTYPES_MODE:
        data['halfEps'] = HALF_EPS
    raw = json.dumps(data, separators=(',', ':')).encode()
    with gzip.GzipFile(out, 'wb', mtime=0) as f:
        f.write(raw)
    print(f'wrote {len(progs)} programs ({len(ops)} ops; {len(raw) / 1e6:.1f} MB, {os.path.getsize(out) / 1e6:.2f} MB gzipped) '
          f'to {os.path.relpath(out)}; dropped {DROPS}')
    print('ops:', ' '.join(ops))


if __name__ == '__main__':
    main()
