#!/usr/bin/env python3
"""PyTorch 1.13's prod and 2-norm: values, first-order gradients and second-order gradients, for
test/reduce_prod_norm.test.js (zeros, NaN, inf, empty and size-1 dims, non-contiguous inputs).

    /usr/bin/python3 scripts/gen_reduce_fixtures.py   # writes test/fixtures/reduce.json

Each case: x (spec), op 'prod' (args [axis|null, keepdim]) or 'norm' (args [axes|null, keepdim]),
transpose (the test transposes x's two dims first, as done here), the output, and for float64 x the
gradient of sum(out * gout) and the gradient of sum(grad * v) (second order) with gout and v given.
int64 results are written as int32 (tensorfold's integer prod).
"""
import json
import math
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(88)
nan, inf = math.nan, math.inf
DT = {torch.float32: 'float32', torch.float64: 'float64', torch.int32: 'int32', torch.int64: 'int32',
      torch.bool: 'bool', torch.uint8: 'uint8'}


def enc(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        if math.isnan(v):
            return 'nan'
        if math.isinf(v):
            return 'inf' if v > 0 else '-inf'
    return v


def spec(t):
    t = t.detach()
    return {'values': [enc(v) for v in t.reshape(-1).tolist()], 'shape': list(t.shape), 'dtype': DT[t.dtype]}


def rnd(shape, lo=-2.0, hi=2.0, dtype=torch.float64):
    return torch.tensor(rng.uniform(lo, hi, size=shape), dtype=dtype)


def run(op, x, args):
    if op == 'prod':
        axis, keep = args
        return torch.prod(x) if axis is None and not keep else \
            torch.prod(x).reshape([1] * x.dim()) if axis is None else torch.prod(x, axis, keep)
    axes, keep = args
    return torch.linalg.vector_norm(x, 2, dim=axes, keepdim=keep)


cases = []


def case(name, op, x, args, transpose=False, grad=None):
    xt = x.t() if transpose else x
    out = run(op, xt, args)
    c = {'name': name, 'op': op, 'x': spec(x), 'transpose': transpose, 'args': args, 'out': spec(out)}
    grad = x.dtype == torch.float64 if grad is None else grad
    if grad:
        xg = x.clone().requires_grad_(True)
        xt = xg.t() if transpose else xg
        out = run(op, xt, args)
        gout = rnd(list(out.shape), -1, 1)
        v = rnd(list(x.shape), -1, 1)
        (g,) = torch.autograd.grad((out * gout).sum(), xg, create_graph=True)
        (g2,) = torch.autograd.grad((g * v).sum(), xg, allow_unused=True) if g.requires_grad else (None,)
        if g2 is None:
            g2 = torch.zeros_like(x)
        c.update(gout=spec(gout), grad=spec(g), v=spec(v), grad2=spec(g2))
    cases.append(c)


t = lambda rows, dtype=torch.float64: torch.tensor(rows, dtype=dtype)
x34 = rnd([3, 4])
one_zero = t([[1.5, 0, -2, 3], [0, 2, 1.3, 1], [1.2, -1.1, 2.3, 0]])
two_zeros = t([[1.5, 0, -2, 0], [0.5, 2, 1.3, 1], [0, 0, 0, 1.1]])
x234 = rnd([2, 3, 4])
x234[0, 1, 2] = 0
x234[1, 2, 0] = 0
x234[1, 0, 3] = 0

# prod
case('prod axis 1', 'prod', x34, [1, False])
case('prod axis 0 keepdim', 'prod', x34, [0, True])
case('prod axis -1', 'prod', x34, [-1, False])
case('prod whole', 'prod', x34, [None, False])
case('prod whole keepdim', 'prod', x34, [None, True])
case('prod one zero per row', 'prod', one_zero, [1, False])
case('prod one zero per column', 'prod', one_zero, [0, False])
case('prod two zeros in a row', 'prod', two_zeros, [1, False])
case('prod whole, one zero', 'prod', t([[1.5, 0.7, -2], [0.5, 0, 1.3]]), [None, False])
case('prod whole, two zeros', 'prod', one_zero, [None, False])
case('prod zeros in one row, inf in another', 'prod', t([[1.5, 0, -2], [inf, 2, 0.5]]), [1, False])
case('prod inf without zeros', 'prod', t([[1.5, 1, -2], [inf, 2, 0.5]]), [1, False])
case('prod NaN', 'prod', t([[1.5, nan, -2], [0.25, 2, 0.5]]), [1, False])
case('prod transposed axis 1', 'prod', x34, [1, False], transpose=True)
case('prod transposed axis 0, zeros', 'prod', one_zero, [0, True], transpose=True)
case('prod size-1 axis', 'prod', rnd([3, 1]), [1, False])
case('prod over 1 row', 'prod', rnd([1, 4]), [0, False])
case('prod middle axis, zeros', 'prod', x234, [1, False])
case('prod middle axis keepdim', 'prod', rnd([2, 3, 4]), [-2, True])
case('prod empty dim', 'prod', torch.zeros([0, 3], dtype=torch.float64), [0, False])
case('prod empty dim keepdim', 'prod', torch.zeros([3, 0], dtype=torch.float64), [1, True])
case('prod whole empty', 'prod', torch.zeros([0], dtype=torch.float64), [None, False])
case('prod 0-d', 'prod', t(-1.75), [None, False])
case('prod 0-d axis 0', 'prod', t(2.5), [0, False])
case('prod 0-d zero', 'prod', t(0.0), [-1, True])
# float32: rows and columns long enough for the vector loops, odd lengths for the tails
case('prod float32 rows', 'prod', rnd([5, 301], 0.9, 1.1, torch.float32), [1, False])
case('prod float32 columns', 'prod', rnd([301, 37], 0.9, 1.1, torch.float32), [0, False])
case('prod float32 whole', 'prod', rnd([40, 50], 0.95, 1.05, torch.float32), [None, False])
case('prod float32 transposed', 'prod', rnd([33, 20], 0.5, 1.5, torch.float32), [1, True], transpose=True)
case('prod float64 columns', 'prod', rnd([301, 37], 0.9, 1.1), [0, False], grad=False)
# integers and bool (PyTorch: int64 results)
case('prod int32 axis 1', 'prod', torch.tensor([[1, 2, 3], [4, -5, 6]], dtype=torch.int32), [1, False])
case('prod int32 axis 0', 'prod', torch.tensor([[1, 2, 3], [4, -5, 6]], dtype=torch.int32), [0, True])
case('prod int32 whole', 'prod', torch.tensor([[1, 2, 3], [4, -5, 6]], dtype=torch.int32), [None, False])
case('prod bool', 'prod', torch.tensor([[True, True], [True, False]]), [1, False])
case('prod uint8', 'prod', torch.tensor([[2, 3, 4], [5, 6, 7]], dtype=torch.uint8), [1, False])

# 2-norm
case('norm whole', 'norm', x34, [None, False])
case('norm axis 1', 'norm', x34, [1, False])
case('norm axis 0 keepdim', 'norm', x34, [0, True])
case('norm axis -1 keepdim', 'norm', x34, [-1, True])
case('norm axes [0, 1]', 'norm', x34, [[0, 1], False])
case('norm trailing axes', 'norm', x234, [[1, 2], False])
case('norm leading axes', 'norm', x234, [[0, 1], True])
case('norm split axes', 'norm', x234, [[0, 2], False])
case('norm zero row', 'norm', t([[0, 0, 0], [1, -2, 2]]), [1, False])
case('norm zero column', 'norm', t([[0, 1], [0, -2]]), [0, False])
case('norm all zero', 'norm', torch.zeros([2, 3], dtype=torch.float64), [None, False])
case('norm inf', 'norm', t([[inf, 1], [3, 4]]), [1, False], grad=False)
case('norm NaN', 'norm', t([[nan, 1], [3, 4]]), [1, False], grad=False)
case('norm transposed', 'norm', x34, [1, False], transpose=True)
case('norm empty dim', 'norm', torch.zeros([0, 3], dtype=torch.float64), [0, False])
case('norm 0-d', 'norm', t(-3.0), [None, False])
case('norm float32 rows', 'norm', rnd([7, 1001], dtype=torch.float32), [1, False])
case('norm float32 whole', 'norm', rnd([60, 99], dtype=torch.float32), [None, False])
case('norm float32 columns', 'norm', rnd([301, 37], dtype=torch.float32), [0, False])
case('norm float32 large', 'norm', rnd([1, 3000], 1e18, 2e18, torch.float32), [None, False])

out = os.path.join(HERE, '..', 'test', 'fixtures', 'reduce.json')
with open(out, 'w') as f:
    json.dump({'generator': 'scripts/gen_reduce_fixtures.py', 'torch': torch.__version__, 'cases': cases}, f,
              separators=(',', ':'))
print(f'wrote {len(cases)} cases to {os.path.normpath(out)}')
