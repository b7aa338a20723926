#!/usr/bin/env python3
"""Reference values from PyTorch for the ops of lib/reduction_ops.ts, lib/sorting.ts and
lib/shape_ops.ts (issue #9 part 2).

    /usr/bin/python3 scripts/gen_ops_more_fixtures.py   # writes test/fixtures/ops_more.json

Each case: the JS call tf[op](inputs[0], ...args) (call 'function': tf[op](...args)), where an arg '$k' (also inside an options
object) is inputs[k], and PyTorch's outputs (a list: ops returning
[values, indices] give two). int64 results are written as int32 (the library's index dtype).
test/ops_more.test.js runs them.
"""
import json
import math
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(2026)
nan, inf = math.nan, math.inf
cases = []

DT = {torch.float32: 'float32', torch.float64: 'float64', torch.int32: 'int32', torch.int64: 'int32',
      torch.bool: 'bool'}
TD = {'float32': torch.float32, 'float64': torch.float64, 'int32': torch.int32, 'bool': torch.bool}


def enc(v):
    if isinstance(v, bool) or v is None:
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


def rnd(shape, lo=-2.0, hi=2.0, dtype='float32'):
    return torch.tensor(rng.uniform(lo, hi, size=shape), dtype=TD[dtype])


def ints(shape, lo=-5, hi=6):
    return torch.tensor(rng.integers(lo, hi, size=shape), dtype=torch.int32)


FUNCTIONS = {'meshgrid', 'broadcastTensors', 'hstack', 'vstack', 'einsum', 'pad'}  # tf.op(...args), no method


def case(name, op, inputs, args, fn):
    out = fn(*inputs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    if op in ('broadcastTensors', 'pad'):  # their first input is their first argument
        args = ['$0'] + args
    cases.append({'name': name, 'op': op, 'call': 'function' if op in FUNCTIONS else 'method', 'inputs': [spec(i) for i in inputs], 'args': [enc(a) for a in args],
                  'outputs': [spec(o) for o in outs]})


# ---------------------------------------------------------------- reductions and scans
X = rnd([3, 4])
Xz = torch.tensor([[1.5, 0.0, -2.0, 3.0], [0.0, 2.0, 0.0, 1.0], [1.0, -1.0, 2.0, 0.5]])
I = ints([3, 4])
for ax in (0, 1, -1):
    case(f'cumsum ax{ax}', 'cumsum', [X], [ax], lambda x: torch.cumsum(x, ax))
    case(f'cumprod ax{ax}', 'cumprod', [Xz], [ax], lambda x: torch.cumprod(x, ax))
    case(f'cummax ax{ax}', 'cummax', [Xz], [ax], lambda x: torch.cummax(x, ax))
    case(f'cummin ax{ax}', 'cummin', [Xz], [ax], lambda x: torch.cummin(x, ax))
    case(f'logcumsumexp ax{ax}', 'logcumsumexp', [X], [ax], lambda x: torch.logcumsumexp(x, ax))
    case(f'prod ax{ax}', 'prod', [Xz], [ax], lambda x: torch.prod(x, ax))
    case(f'median ax{ax}', 'median', [X], [ax], lambda x: torch.median(x, ax))
    case(f'amax ax{ax}', 'amax', [X], [ax], lambda x: torch.amax(x, ax))
    case(f'amin ax{ax}', 'amin', [X], [ax], lambda x: torch.amin(x, ax))
case('cumsum int', 'cumsum', [I], [1], lambda x: torch.cumsum(x, 1))
case('cumsum bool', 'cumsum', [I > 0], [0], lambda x: torch.cumsum(x, 0))
case('cumprod int', 'cumprod', [ints([2, 3], 1, 4)], [1], lambda x: torch.cumprod(x, 1))
case('cummax int ties', 'cummax', [torch.tensor([1, 3, 3, 2, 5, 5], dtype=torch.int32)], [0], lambda x: torch.cummax(x, 0))
case('cummax nan', 'cummax', [torch.tensor([1.0, nan, 3.0, 0.5])], [0], lambda x: torch.cummax(x, 0))
case('cumsum 0-d', 'cumsum', [torch.tensor(2.5)], [0], lambda x: torch.cumsum(x, 0))
case('cumsum empty', 'cumsum', [torch.zeros(0, 3)], [0], lambda x: torch.cumsum(x, 0))
case('prod all', 'prod', [Xz + 1], [], lambda x: torch.prod(x))
case('prod keepdim', 'prod', [X], [1, True], lambda x: torch.prod(x, 1, keepdim=True))
case('prod int', 'prod', [ints([2, 3], 1, 4)], [1], lambda x: torch.prod(x, 1))
case('prod empty dim', 'prod', [torch.zeros(2, 0)], [1], lambda x: torch.prod(x, 1))
B = torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
for ax in (None, 0, 1):
    a = [] if ax is None else [ax]
    case(f'any {ax}', 'any', [B], a, lambda x: torch.any(x) if ax is None else torch.any(x, ax))
    case(f'all {ax}', 'all', [B + 1], a, lambda x: torch.all(x) if ax is None else torch.all(x, ax))
    case(f'all mixed {ax}', 'all', [B], a, lambda x: torch.all(x) if ax is None else torch.all(x, ax))
    case(f'countNonzero {ax}', 'countNonzero', [Xz], a, lambda x: torch.count_nonzero(x) if ax is None else torch.count_nonzero(x, ax))
case('any empty', 'any', [torch.zeros(0)], [], lambda x: torch.any(x))
case('all empty', 'all', [torch.zeros(0)], [], lambda x: torch.all(x))
for p in (2, 1, 3, 0.5, inf, -inf, 0):
    case(f'norm p{p}', 'norm', [X], [p], lambda x: torch.norm(x, p))
    case(f'norm p{p} ax1', 'norm', [X], [p, 1], lambda x: torch.norm(x, p, 1))
case('norm fro keepdim', 'norm', [X], ['fro', [0, 1], True], lambda x: torch.norm(x, 'fro', (0, 1), keepdim=True))
case('median all', 'median', [X], [], lambda x: torch.median(x))
case('median even', 'median', [rnd([4, 6])], [1, True], lambda x: torch.median(x, 1, keepdim=True))
case('median nan', 'median', [torch.tensor([[1.0, nan, 2.0, 0.0], [3.0, 1.0, 2.0, 4.0]])], [1], lambda x: torch.median(x, 1))
case('median int', 'median', [I], [0], lambda x: torch.median(x, 0))
case('median 0-d', 'median', [torch.tensor(1.5)], [0], lambda x: torch.median(x, 0))
for q in (0.0, 0.25, 0.5, 0.9, 1.0):
    case(f'quantile {q}', 'quantile', [X], [q, 1], lambda x: torch.quantile(x, q, 1))
for mode in ('linear', 'lower', 'higher', 'midpoint', 'nearest'):
    case(f'quantile {mode}', 'quantile', [rnd([5, 4])], [0.4, 0, True, {'interpolation': mode}],
         lambda x: torch.quantile(x, 0.4, 0, keepdim=True, interpolation=mode))
case('quantile all', 'quantile', [X], [0.3], lambda x: torch.quantile(x, 0.3))
case('quantile tensor q', 'quantile', [X, torch.tensor([0.1, 0.5, 0.8])], ['$1', 1], lambda x, q: torch.quantile(x, q, 1))
case('quantile nan', 'quantile', [torch.tensor([[1.0, nan, 2.0], [3.0, 1.0, 2.0]])], [0.5, 1], lambda x: torch.quantile(x, 0.5, 1))
Xn = torch.tensor([[1.0, nan, 2.0], [nan, nan, nan], [3.0, -1.0, 0.5]])
for ax in (None, 0, 1):
    a = [] if ax is None else [ax]
    case(f'nansum {ax}', 'nansum', [Xn], a, lambda x: torch.nansum(x) if ax is None else torch.nansum(x, ax))
    case(f'nanmean {ax}', 'nanmean', [Xn], a, lambda x: torch.nanmean(x) if ax is None else torch.nanmean(x, ax))
case('varMean', 'varMean', [X], [1], lambda x: torch.var_mean(x, 1))
case('varMean all', 'varMean', [X], [], lambda x: torch.var_mean(x))
case('varMean keepdim correction 0', 'varMean', [X], [0, True, 0], lambda x: torch.var_mean(x, 0, keepdim=True, unbiased=False))
case('bincount', 'bincount', [torch.tensor([0, 1, 1, 3, 1], dtype=torch.int32)], [], lambda x: torch.bincount(x))
case('bincount minlength', 'bincount', [torch.tensor([2, 1], dtype=torch.int32)], [{'minlength': 6}], lambda x: torch.bincount(x, minlength=6))
case('bincount weights', 'bincount', [torch.tensor([0, 1, 1, 3], dtype=torch.int32), torch.tensor([0.5, 1.0, 2.0, -1.0])],
     [{'weights': '$1'}], lambda x, w: torch.bincount(x, weights=w))
case('sum empty dim', 'sum', [torch.zeros(2, 0)], [1], lambda x: torch.sum(x, 1))
case('amax empty other dim', 'amax', [torch.zeros(0, 3)], [1], lambda x: torch.amax(x, 1))
case('std constant', 'std', [torch.ones(2, 3)], [1], lambda x: torch.std(x, 1))

# ---------------------------------------------------------------- sorting and selection
S = rnd([3, 5])
Ties = torch.tensor([[2.0, 1.0, 2.0, 0.0, 1.0], [nan, 3.0, -1.0, nan, 3.0]])
for ax in (0, 1, -1):
    case(f'sort ax{ax}', 'sort', [S], [ax], lambda x: torch.sort(x, ax))
    case(f'sort desc ax{ax}', 'sort', [S], [ax, {'descending': True}], lambda x: torch.sort(x, ax, descending=True))
    case(f'argsort ax{ax}', 'argsort', [S], [ax], lambda x: torch.argsort(x, ax))
    case(f'topk ax{ax}', 'topk', [S], [2, ax], lambda x: torch.topk(x, 2, ax))
    case(f'topk smallest ax{ax}', 'topk', [S], [2, ax, {'largest': False}], lambda x: torch.topk(x, 2, ax, largest=False))
    case(f'kthvalue ax{ax}', 'kthvalue', [S], [2, ax], lambda x: torch.kthvalue(x, 2, ax))
case('sort stable ties nan', 'sort', [Ties], [1, {'stable': True}], lambda x: torch.sort(x, dim=1, stable=True))
case('sort stable desc ties nan', 'sort', [Ties], [1, {'descending': True, 'stable': True}],
     lambda x: torch.sort(x, dim=1, descending=True, stable=True))
case('argsort stable ties', 'argsort', [Ties], [1, {'stable': True}], lambda x: torch.sort(x, dim=1, stable=True)[1])
case('sort int', 'sort', [ints([2, 6], -50, 50)], [], lambda x: torch.sort(x, stable=True))
case('sort bool', 'sort', [torch.tensor([True, False, True, False])], [-1, {'stable': True}], lambda x: torch.sort(x, stable=True))
case('sort 0-d', 'sort', [torch.tensor(1.5)], [], lambda x: torch.sort(x))
case('sort empty', 'sort', [torch.zeros(2, 0)], [], lambda x: torch.sort(x))
case('topk k=0', 'topk', [S], [0], lambda x: torch.topk(x, 0))
case('topk nan', 'topk', [torch.tensor([1.0, nan, 3.0, 2.0])], [2], lambda x: torch.topk(x, 2))
case('kthvalue keepdim', 'kthvalue', [S], [3, 1, True], lambda x: torch.kthvalue(x, 3, 1, keepdim=True))
U = torch.tensor([[3, 1, 2], [1, 3, 5]], dtype=torch.int32)
case('unique', 'unique', [U], [], lambda x: torch.unique(x))
case('unique inverse counts', 'unique', [U], [{'returnInverse': True, 'returnCounts': True}],
     lambda x: torch.unique(x, return_inverse=True, return_counts=True))
case('unique counts float', 'unique', [torch.tensor([1.5, -1.0, 1.5, 0.0])], [{'returnCounts': True}],
     lambda x: torch.unique(x, return_counts=True))
case('unique inverse', 'unique', [torch.tensor([1.5, -1.0, 1.5, 0.0])], [{'returnInverse': True}],
     lambda x: torch.unique(x, return_inverse=True))
case('unique bool', 'unique', [torch.tensor([True, True])], [], lambda x: torch.unique(x))
Seq = torch.tensor([1.0, 3.0, 5.0, 7.0, 9.0])
Vals = torch.tensor([[3.0, 6.0, 9.0], [0.0, 10.0, 5.0]])
case('searchsorted', 'searchsorted', [Seq, Vals], ['$1'], lambda s, v: torch.searchsorted(s, v))
case('searchsorted right', 'searchsorted', [Seq, Vals], ['$1', {'right': True}], lambda s, v: torch.searchsorted(s, v, right=True))
case('searchsorted side', 'searchsorted', [Seq, Vals], ['$1', {'side': 'right'}], lambda s, v: torch.searchsorted(s, v, side='right'))
Seq2 = torch.tensor([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]])
case('searchsorted batched', 'searchsorted', [Seq2, torch.tensor([[3.0, 0.0], [6.0, 5.0]])], ['$1'],
     lambda s, v: torch.searchsorted(s, v))
case('searchsorted int', 'searchsorted', [torch.tensor([1, 2, 2, 4], dtype=torch.int32), torch.tensor([2, 3], dtype=torch.int32)],
     ['$1'], lambda s, v: torch.searchsorted(s, v))
case('bucketize', 'bucketize', [Vals, Seq], ['$1'], lambda x, b: torch.bucketize(x, b))
case('bucketize right', 'bucketize', [Vals, Seq], ['$1', {'right': True}], lambda x, b: torch.bucketize(x, b, right=True))

# ---------------------------------------------------------------- shape
T = rnd([2, 3, 4])
case('flip', 'flip', [T], [[0, 2]], lambda x: torch.flip(x, [0, 2]))
case('flip neg', 'flip', [T], [-2], lambda x: torch.flip(x, [-2]))
case('flip int', 'flip', [ints([3, 2])], [[0]], lambda x: torch.flip(x, [0]))
case('roll', 'roll', [T], [1, 2], lambda x: torch.roll(x, 1, 2))
case('roll multi', 'roll', [T], [[-1, 5], [0, 1]], lambda x: torch.roll(x, (-1, 5), (0, 1)))
case('roll flat', 'roll', [T], [7], lambda x: torch.roll(x, 7))
for k in (1, 2, 3, -1, 4):
    case(f'rot90 k{k}', 'rot90', [T], [k, [1, 2]], lambda x: torch.rot90(x, k, [1, 2]))
case('rot90 default', 'rot90', [T], [], lambda x: torch.rot90(x))
case('repeat', 'repeat', [rnd([2, 3])], [2, 1, 3], lambda x: x.repeat(2, 1, 3))
case('repeat array', 'repeat', [rnd([2, 3])], [[3, 2]], lambda x: x.repeat(3, 2))
case('repeat 0-d', 'repeat', [torch.tensor(1.5)], [[2, 2]], lambda x: x.repeat(2, 2))
case('tile', 'tile', [rnd([2, 3])], [[2]], lambda x: torch.tile(x, (2,)))
case('tile more', 'tile', [rnd([2, 3])], [[2, 1, 2]], lambda x: torch.tile(x, (2, 1, 2)))
case('repeatInterleave', 'repeatInterleave', [rnd([2, 3])], [2, 1], lambda x: torch.repeat_interleave(x, 2, 1))
case('repeatInterleave flat', 'repeatInterleave', [rnd([2, 3])], [2], lambda x: torch.repeat_interleave(x, 2))
case('repeatInterleave tensor', 'repeatInterleave', [rnd([3, 2]), torch.tensor([1, 0, 2], dtype=torch.int32)], ['$1', 0],
     lambda x, r: torch.repeat_interleave(x, r.long(), 0))
case('movedim', 'movedim', [T], [0, 2], lambda x: torch.movedim(x, 0, 2))
case('movedim multi', 'movedim', [T], [[0, 1], [2, 0]], lambda x: torch.movedim(x, (0, 1), (2, 0)))
case('swapaxes', 'swapaxes', [T], [0, -1], lambda x: torch.swapaxes(x, 0, -1))
case('unflatten', 'unflatten', [T], [2, [2, -1]], lambda x: torch.unflatten(x, 2, (2, -1)))
case('broadcastTo', 'broadcastTo', [rnd([3, 1])], [[2, 3, 4]], lambda x: torch.broadcast_to(x, (2, 3, 4)))
case('expandAs', 'expandAs', [rnd([3, 1]), torch.zeros(2, 3, 4)], ['$1'], lambda x, o: x.expand_as(o))
case('reshapeAs', 'reshapeAs', [T, torch.zeros(6, 4)], ['$1'], lambda x, o: x.reshape_as(o))
case('viewAs', 'viewAs', [T, torch.zeros(4, 6)], ['$1'], lambda x, o: x.view_as(o))
a1, b1, c1 = rnd([3]), rnd([4]), rnd([2])
case('meshgrid ij', 'meshgrid', [a1, b1, c1], [['$0', '$1', '$2']], lambda a, b, c: torch.meshgrid(a, b, c, indexing='ij'))
case('meshgrid xy', 'meshgrid', [a1, b1, c1], [['$0', '$1', '$2'], {'indexing': 'xy'}], lambda a, b, c: torch.meshgrid(a, b, c, indexing='xy'))
case('broadcastTensors', 'broadcastTensors', [rnd([3, 1]), rnd([4]), rnd([2, 1, 1])], ['$1', '$2'],
     lambda a, b, c: torch.broadcast_tensors(a, b, c))
case('hstack', 'hstack', [rnd([2, 3]), rnd([2, 1])], [['$0', '$1']], lambda a, b: torch.hstack([a, b]))
case('hstack 1-d', 'hstack', [rnd([2]), rnd([3])], [['$0', '$1']], lambda a, b: torch.hstack([a, b]))
case('vstack', 'vstack', [rnd([3]), rnd([2, 3])], [['$0', '$1']], lambda a, b: torch.vstack([a, b]))
P4 = rnd([1, 2, 4, 5])
for mode in ('constant', 'reflect', 'replicate', 'circular'):
    case(f'pad {mode}', 'pad', [P4], [[1, 2, 3, 1], {'mode': mode}], lambda x: torch.nn.functional.pad(x, (1, 2, 3, 1), mode=mode))
    case(f'pad {mode} 1 dim', 'pad', [rnd([2, 3, 5])], [[2, 1], {'mode': mode}], lambda x: torch.nn.functional.pad(x, (2, 1), mode=mode))
case('pad constant value 3 dims', 'pad', [rnd([2, 3])], [[1, 0, 0, 2], {'value': 1.5}], lambda x: torch.nn.functional.pad(x, (1, 0, 0, 2), value=1.5))
case('pad constant negative', 'pad', [rnd([3, 5])], [[-1, 2, 1, -2]], lambda x: torch.nn.functional.pad(x, (-1, 2, 1, -2)))
case('pad int', 'pad', [ints([2, 2])], [[1, 1], {'value': 7}], lambda x: torch.nn.functional.pad(x, (1, 1), value=7))
E1, E2, E3 = rnd([2, 3, 4]), rnd([2, 4, 5]), rnd([5, 3])
for eqn, ins in [('bij,bjk->bik', [E1, E2]), ('bij,bjk', [E1, E2]), ('ijk->kji', [E1]), ('ijk->', [E1]), ('ijk', [E1]),
                 ('bij,bjk,kl->bil', [E1, E2, E3]), ('i,j->ij', [a1, b1]), ('i,i->', [b1, b1]), ('ij,ij->ij', [E3, E3]),
                 ('bij,bkj->bik', [E1, rnd([2, 5, 4])]), ('...ij,...jk->...ik', [E1, E2]), ('b...,b->...', [E1, rnd([2])]),
                 ('ij,jk', [rnd([3, 4]), rnd([1, 2])]), ('ijk,kl->il', [E1, rnd([4, 2])])]:
    case(f'einsum {eqn}', 'einsum', ins, [eqn] + [f'${k}' for k in range(len(ins))],
         lambda *xs, e=eqn: torch.einsum(e, *xs))

out = os.path.join(HERE, '..', 'test', 'fixtures', 'ops_more.json')
with open(out, 'w') as f:
    json.dump({'generator': 'scripts/gen_ops_more_fixtures.py', 'torch': torch.__version__, 'cases': cases}, f,
              separators=(',', ':'))
print(f'{len(cases)} cases -> {os.path.relpath(out)}')
