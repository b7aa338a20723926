#!/usr/bin/env python3
"""Reference values from PyTorch 1.13 for the direct kernels of tril / triu, gather and topk
(native/core/ops_triangle.cpp, ops_index.cpp, ops_scan.cpp): offsets, batch dims, NaN and the
selection path of topk. (The threaded sizes are checked by index arithmetic in the test, which
keeps this file small.)

    /usr/bin/python3 scripts/gen_index_kernels_fixtures.py   # writes test/fixtures/index_kernels.json

Each case: inputs[0].op(...args) where an arg '$k' is inputs[k], and PyTorch's outputs. int64
results are written as int32 (the library's index dtype); non-finite numbers as 'nan' / 'inf' /
'-inf'. topk inputs have distinct values (PyTorch's order of ties is its own; the library's, the
lower index first, is checked by test/index_kernels.test.js against a reference sort).
test/index_kernels.test.js runs them.
"""
import json
import math
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(2026)
cases = []
DT = {torch.float32: 'float32', torch.float64: 'float64', torch.int32: 'int32', torch.int64: 'int32', torch.bool: 'bool'}


def val(v):
    if isinstance(v, float) and math.isnan(v):
        return 'nan'
    if isinstance(v, float) and math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    return v


def spec(t):
    t = t.detach()
    return {'values': [val(v) for v in t.reshape(-1).tolist()], 'shape': list(t.shape), 'dtype': DT[t.dtype]}


def case(name, op, inputs, args, fn):
    out = fn(*inputs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    cases.append({'name': name, 'op': op, 'inputs': [spec(i) for i in inputs], 'args': args, 'outputs': [spec(o) for o in outs]})


def distinct(*shape, dtype=torch.float32):
    # A random permutation scaled: no two values equal, in every row.
    n = int(np.prod(shape))
    return torch.tensor(rng.permutation(n).reshape(shape) / 7.0 - n / 14.0, dtype=dtype)


# ---- tril / triu: batch dims, non-square, offsets inside and beyond the size, inf / NaN outside
T = torch.tensor(rng.uniform(-2, 2, size=(2, 3, 5, 7)), dtype=torch.float32)
T[0, 0, 0, 6] = math.inf
T[0, 1, 4, 0] = math.nan
T[1, 2, 0, 5] = -math.inf
for k in [-9, -5, -2, -1, 0, 1, 3, 6, 7, 12]:
    case(f'tril k{k}', 'tril', [T], [k], lambda x, k=k: torch.tril(x, k))
    case(f'triu k{k}', 'triu', [T], [k], lambda x, k=k: torch.triu(x, k))
Ti = torch.tensor(rng.integers(-9, 9, size=(4, 6)), dtype=torch.int32)
case('triu int32', 'triu', [Ti], [-1], lambda x: torch.triu(x, -1))
case('tril bool', 'tril', [Ti > 0], [1], lambda x: torch.tril(x, 1))

# ---- gather: along the last dim (the fast path), dim 0 and a middle dim, negative-free indices
G = torch.tensor(rng.uniform(-2, 2, size=(6, 40)), dtype=torch.float32)
Gi = torch.tensor(rng.integers(0, 40, size=(6, 55)), dtype=torch.int64)
case('gather last dim', 'gather', [G, Gi], [1, '$1'], lambda x, i: torch.gather(x, 1, i))
G3 = torch.tensor(rng.uniform(-2, 2, size=(3, 20, 9)), dtype=torch.float64)
G3i = torch.tensor(rng.integers(0, 20, size=(3, 30, 9)), dtype=torch.int64)
case('gather middle dim', 'gather', [G3, G3i], [1, '$1'], lambda x, i: torch.gather(x, 1, i))
G0i = torch.tensor(rng.integers(0, 3, size=(5, 20, 9)), dtype=torch.int64)
case('gather dim 0', 'gather', [G3, G0i], [0, '$1'], lambda x, i: torch.gather(x, 0, i))
Gs = torch.tensor(rng.integers(0, 40, size=(4, 3)), dtype=torch.int64)
case('gather smaller index', 'gather', [G, Gs], [1, '$1'], lambda x, i: torch.gather(x, 1, i))

# ---- topk: rows long enough for the selection path, both directions, NaN, k up to n
K = distinct(4, 200)
K[1, 17] = math.nan  # one NaN a row: the order of equal NaNs is PyTorch's own
K[2, 150] = math.nan
K[3, 0] = math.nan
for k in [0, 1, 16, 64, 65, 150, 199, 200]:
    case(f'topk k{k}', 'topk', [K], [k], lambda x, k=k: torch.topk(x, k))
    case(f'topk smallest k{k}', 'topk', [K], [k, -1, {'largest': False}], lambda x, k=k: torch.topk(x, k, largest=False))
K0 = distinct(150, 3, dtype=torch.float64)
case('topk axis 0', 'topk', [K0], [7, 0], lambda x: torch.topk(x, 7, 0))
case('topk smallest axis 0', 'topk', [K0], [70, 0, {'largest': False}], lambda x: torch.topk(x, 70, 0, largest=False))
Kasc = torch.arange(300, dtype=torch.float32).reshape(2, 150)
case('topk ascending rows', 'topk', [Kasc], [20], lambda x: torch.topk(x, 20))
case('topk smallest ascending rows', 'topk', [Kasc], [20, -1, {'largest': False}], lambda x: torch.topk(x, 20, largest=False))
Kint = torch.tensor(rng.permutation(200).reshape(2, 100) - 100, dtype=torch.int32)
case('topk int32', 'topk', [Kint], [10], lambda x: torch.topk(x, 10))

with open(os.path.join(HERE, '..', 'test', 'fixtures', 'index_kernels.json'), 'w') as f:
    json.dump({'generator': 'scripts/gen_index_kernels_fixtures.py', 'torch': torch.__version__, 'cases': cases}, f, separators=(',', ':'))
print(len(cases), 'cases')
