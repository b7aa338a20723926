#!/usr/bin/env python3
"""Reference gradients from PyTorch 1.13 for scatterReduce(..., 'prod') (issue #9).

    /usr/bin/python3 scripts/gen_scatter_prod_fixtures.py   # writes test/fixtures/scatter_prod.json

Each case: float64 x, int32 index, src, dim and include_self; out = x.scatter_reduce(dim, index,
src, 'prod', include_self); L = sum(w * out). Recorded: out, dL/dx, dL/dsrc, and (where PyTorch has
it: not where two or more zeros of src meet at one place) the second order
d/d(x, src) of sum(v1 * dL/dx) + sum(v2 * dL/dsrc). Zeros are placed in x and src on purpose: a
zero in x, one zero among the src values of a place, two zeros at a place, a zero next to x's zero.
test/scatter_prod.test.js replays them.
"""
import json
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(99)
cases = []


def flat(t):
    return t.detach().reshape(-1).tolist()


def spec(t):
    return {'values': flat(t), 'shape': list(t.shape)}


def rnd(*shape):
    return torch.tensor(rng.uniform(-1.5, 1.5, size=shape), dtype=torch.float64)


def case(name, x, dim, index, src, include_self):
    w, v1, v2 = rnd(*x.shape), rnd(*x.shape), rnd(*src.shape)
    xs = x.clone().requires_grad_(True)
    ss = src.clone().requires_grad_(True)
    idx = torch.tensor(index, dtype=torch.int64)
    out = xs.scatter_reduce(dim, idx, ss, 'prod', include_self=include_self)
    gx, gs = torch.autograd.grad((w * out).sum(), [xs, ss], create_graph=True)
    entry = {
        'name': name, 'dim': dim, 'includeSelf': include_self,
        'x': spec(x), 'index': {'values': idx.reshape(-1).tolist(), 'shape': list(idx.shape)}, 'src': spec(src),
        'w': spec(w), 'v1': spec(v1), 'v2': spec(v2),
        'out': flat(out), 'gradX': flat(gx), 'gradSrc': flat(gs),
    }
    try:
        hx, hs = torch.autograd.grad((v1 * gx).sum() + (v2 * gs).sum(), [xs, ss], allow_unused=True)
        entry['second'] = {'x': flat(hx if hx is not None else torch.zeros_like(x)),
                           'src': flat(hs if hs is not None else torch.zeros_like(src))}
    except RuntimeError as e:
        entry['secondError'] = str(e).split('\n')[0]
    cases.append(entry)


X = rnd(3, 4)
S = rnd(2, 4)
IDX = [[0, 1, 2, 0], [0, 2, 2, 1]]
for inc in (True, False):
    case(f'no zeros, includeSelf={inc}', X, 0, IDX, S, inc)
    xz = X.clone()
    xz[0, 0] = 0
    xz[2, 3] = 0  # not written to
    case(f'zeros in x, includeSelf={inc}', xz, 0, IDX, S, inc)
    sz = S.clone()
    sz[0, 1] = 0  # the only zero written to x[1,1]
    sz[1, 2] = 0  # one of two src values written to x[2,2]
    case(f'one zero per place in src, includeSelf={inc}', X, 0, IDX, sz, inc)
    s2 = S.clone()
    s2[0, 2] = 0
    s2[1, 2] = 0  # two zeros written to x[2,2]
    case(f'two zeros at one place in src, includeSelf={inc}', X, 0, IDX, s2, inc)
    xb = X.clone()
    xb[1, 1] = 0
    case(f'zero in x and src at one place, includeSelf={inc}', xb, 0, IDX, sz, inc)
    # along dim 1, places written once, twice and three times (PyTorch 1.13's backward needs src
    # of index's shape; test/scatter_prod.test.js checks a wider src by finite differences)
    case(f'dim 1, includeSelf={inc}', xz, 1, [[3, 3, 0], [1, 1, 1], [2, 0, 2]], torch.tensor(
        [[0.5, 0.0, 2.0], [-1.0, 0.0, 0.7], [1.5, -0.5, 0.0]], dtype=torch.float64), inc)

out = os.path.join(HERE, '..', 'test', 'fixtures', 'scatter_prod.json')
with open(out, 'w') as f:
    json.dump({'generator': 'scripts/gen_scatter_prod_fixtures.py', 'torch': torch.__version__, 'cases': cases}, f, indent=1)
print(f'{len(cases)} cases -> {os.path.relpath(out)}')
