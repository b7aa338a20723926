#!/usr/bin/env python3
"""Reference values from PyTorch 1.13 for the ops of lib/indexing_ops.ts (issue #9, indexing and masking).

    /usr/bin/python3 scripts/gen_indexing_fixtures.py   # writes test/fixtures/indexing.json

Each case: the method call inputs[0].op(...args), where an arg '$k' (also inside an array or an
options object) is inputs[k], and PyTorch's outputs. int64 results are written as int32 (the
library's index dtype). 'indexPut_' cases give x after the write. test/indexing.test.js runs them.
"""
import json
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(909)
cases = []
DT = {torch.float32: 'float32', torch.float64: 'float64', torch.int32: 'int32', torch.int64: 'int32', torch.bool: 'bool'}


def spec(t):
    t = t.detach()
    return {'values': t.reshape(-1).tolist(), 'shape': list(t.shape), 'dtype': DT[t.dtype]}


def rnd(*shape):
    return torch.tensor(rng.uniform(-2, 2, size=shape), dtype=torch.float32)


def ix(vals):
    return torch.tensor(vals, dtype=torch.int64)


def case(name, op, inputs, args, fn):
    out = fn(*inputs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    cases.append({'name': name, 'op': op, 'inputs': [spec(i) for i in inputs], 'args': args, 'outputs': [spec(o) for o in outs]})


X = rnd(4, 5)
B3 = rnd(2, 3, 4)
for k in (0, 1, -1, 3, -5):
    case(f'tril k{k}', 'tril', [X], [k], lambda x: torch.tril(x, k))
    case(f'triu k{k}', 'triu', [X], [k], lambda x: torch.triu(x, k))
case('tril batched', 'tril', [B3], [], lambda x: torch.tril(x))
case('triu batched int', 'triu', [torch.arange(24, dtype=torch.int32).reshape(2, 3, 4)], [1], lambda x: torch.triu(x, 1))
case('tril empty', 'tril', [torch.zeros(0, 3)], [], lambda x: torch.tril(x))
for off, d1, d2 in ((0, 0, 1), (1, 0, 1), (-2, 0, 1), (7, 0, 1), (0, 1, 0), (1, -1, 0), (0, 0, 2), (-1, 2, 1)):
    case(f'diagonal {off} {d1} {d2}', 'diagonal', [B3 if d1 == 2 or d2 == 2 or d1 == -1 else X], [off, d1, d2],
         lambda x: torch.diagonal(x, off, d1, d2))
for k in (0, 2, -1):
    case(f'diag 1-D k{k}', 'diag', [rnd(3)], [k], lambda x: torch.diag(x, k))
    case(f'diag 2-D k{k}', 'diag', [X], [k], lambda x: torch.diag(x, k))
case('trace', 'trace', [X], [], lambda x: torch.trace(x))
case('trace int', 'trace', [torch.arange(9, dtype=torch.int32).reshape(3, 3)], [], lambda x: torch.trace(x))

M = X > 0
case('maskedFill', 'maskedFill', [X, M], ['$1', 7.5], lambda x, m: x.masked_fill(m, 7.5))
case('maskedFill broadcast', 'maskedFill', [B3, torch.tensor([True, False, True, False])], ['$1', -1], lambda x, m: x.masked_fill(m, -1))
case('maskedFill 0-d value', 'maskedFill', [X, M, torch.tensor(2.25)], ['$1', '$2'], lambda x, m, v: x.masked_fill(m, v))
case('maskedFill int', 'maskedFill', [torch.arange(6, dtype=torch.int32).reshape(2, 3), torch.tensor([[True, False, True]])], ['$1', 9],
     lambda x, m: x.masked_fill(m, 9))
case('maskedSelect', 'maskedSelect', [X, M], ['$1'], lambda x, m: x.masked_select(m))
case('maskedSelect broadcast', 'maskedSelect', [B3, torch.tensor([True, False, True, True])], ['$1'], lambda x, m: x.masked_select(m))
case('maskedSelect none', 'maskedSelect', [X, torch.zeros(4, 5, dtype=torch.bool)], ['$1'], lambda x, m: x.masked_select(m))
Z = torch.tensor([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])
case('nonzero', 'nonzero', [Z], [], lambda x: torch.nonzero(x))
case('nonzero asTuple', 'nonzero', [Z], [{'asTuple': True}], lambda x: torch.nonzero(x, as_tuple=True))
case('nonzero 3-D bool', 'nonzero', [B3 > 0.5], [], lambda x: torch.nonzero(x))
case('nonzero empty', 'nonzero', [torch.zeros(2, 2)], [], lambda x: torch.nonzero(x))
case('nonzero 0-d', 'nonzero', [torch.tensor(3.0)], [], lambda x: torch.nonzero(x))
TI = ix(rng.integers(0, 5, size=(4, 2)))
case('takeAlongDim', 'takeAlongDim', [X, TI], ['$1', 1], lambda x, i: torch.take_along_dim(x, i, 1))
case('takeAlongDim argsort', 'takeAlongDim', [X, torch.argsort(X, 0)], ['$1', 0], lambda x, i: torch.take_along_dim(x, i, 0))
case('takeAlongDim broadcast', 'takeAlongDim', [B3, ix([[[0], [3], [1]]])], ['$1', 2], lambda x, i: torch.take_along_dim(x, i, 2))
case('takeAlongDim flat', 'takeAlongDim', [X, ix([3, 19, 0])], ['$1'], lambda x, i: torch.take_along_dim(x, i))
case('take', 'take', [X, ix([[0, 19], [-1, 7]])], ['$1'], lambda x, i: torch.take(x, i))
case('take empty', 'take', [X, ix([])], ['$1'], lambda x, i: torch.take(x, i))

SI = ix([[0, 1, 2, 0, 1], [2, 0, 0, 1, 2]])
S = rnd(2, 5)
Y = torch.zeros(3, 5)
case('scatter src', 'scatter', [Y, SI[:, :3].contiguous() * 0 + ix([[0, 1, 2], [2, 0, 1]]), S], [0, '$1', '$2'], lambda y, i, s: y.scatter(0, i, s))
case('scatter value', 'scatter', [Y, ix([[0, 1, 2], [2, 0, 1]])], [0, '$1', 1.5], lambda y, i: y.scatter(0, i, 1.5))
case('scatter dim1', 'scatter', [rnd(2, 4), ix([[3, 0], [1, 2]]), rnd(2, 3)], [1, '$1', '$2'], lambda y, i, s: y.scatter(1, i, s))
case('scatter add', 'scatter', [rnd(3, 5), SI, S], [0, '$1', '$2', {'reduce': 'add'}], lambda y, i, s: y.scatter(0, i, s, reduce='add'))
case('scatter multiply', 'scatter', [rnd(3, 5), SI, S], [0, '$1', '$2', {'reduce': 'multiply'}], lambda y, i, s: y.scatter(0, i, s, reduce='multiply'))
for red in ('sum', 'prod', 'mean', 'amax', 'amin'):
    for inc in (True, False):
        case(f'scatterReduce {red} includeSelf={inc}', 'scatterReduce', [rnd(3, 5), SI, S], [0, '$1', '$2', red, {'includeSelf': inc}],
             lambda y, i, s: y.scatter_reduce(0, i, s, red, include_self=inc))
case('scatterReduce mean int', 'scatterReduce', [torch.arange(15, dtype=torch.int32).reshape(3, 5), SI, torch.arange(10, dtype=torch.int32).reshape(2, 5) * 3],
     [0, '$1', '$2', 'mean'], lambda y, i, s: y.scatter_reduce(0, i, s, 'mean'))
case('indexFill', 'indexFill', [X, ix([0, 2])], [1, '$1', -3.0], lambda x, i: x.index_fill(1, i, -3.0))
case('indexFill neg dim', 'indexFill', [B3, ix([1])], [-2, '$1', 0.5], lambda x, i: x.index_fill(-2, i, 0.5))
case('indexCopy', 'indexCopy', [X, ix([3, 0]), rnd(2, 5)], [0, '$1', '$2'], lambda x, i, s: x.index_copy(0, i, s))
case('indexCopy dim1', 'indexCopy', [B3, ix([2, 0, 3]), rnd(2, 3, 3)], [2, '$1', '$2'], lambda x, i, s: x.index_copy(2, i, s))

# x.index(...spec): the spec items in JS form and the equivalent Python indexing
Q = rnd(3, 4, 5)
A = ix([2, 0])
SPECS = [
    ('int', [1], lambda x: x[1]),
    ('neg int', [-1, 2], lambda x: x[-1, 2]),
    ('slice', ['1:'], lambda x: x[1:]),
    ('slice stop', [':', ':-1'], lambda x: x[:, :-1]),
    ('step', ['::2'], lambda x: x[::2]),
    ('step range', [':', '1:4:2', '0:5:3'], lambda x: x[:, 1:4:2, 0:5:3]),
    ('empty slice', ['2:1'], lambda x: x[2:1]),
    ('clamped slice', ['-10:10'], lambda x: x[-10:10]),
    ('ellipsis', ['...', 1], lambda x: x[..., 1]),
    ('ellipsis mid', [0, '...', '::2'], lambda x: x[0, ..., ::2]),
    ('new axis', [None, 1, None, ':'], lambda x: x[None, 1, None, :]),
    ('adv one', ['$1'], lambda x: x[A]),
    ('adv dim1', [':', '$1'], lambda x: x[:, A]),
    ('adv two adjacent', [':', '$1', '$2'], lambda x: x[:, A, ix([[1], [4]])]),
    ('adv two apart', ['$1', ':', '$2'], lambda x: x[A, :, ix([[1], [4]])]),
    ('adv with int', ['$1', 0, '$2'], lambda x: x[A, 0, ix([1, 3])]),
    ('adv neg', ['$3'], lambda x: x[ix([-1, 0, -3])]),
    ('adv with slice after', ['$1', '1:3'], lambda x: x[A, 1:3]),
    ('bool mask 2-D', ['$4'], lambda x: x[Q[:, :, 0] > 0]),
    ('bool mask last', ['...', '$5'], lambda x: x[..., Q[0, 0] > 0]),
]
for name, js, fn in SPECS:
    case(f'index {name}', 'index', [Q, A, ix([[1], [4]]) if 'adjacent' in name or 'apart' in name else ix([1, 3]), ix([-1, 0, -3]), Q[:, :, 0] > 0, Q[0, 0] > 0],
         js, lambda x, *rest: fn(x))


def put(spec_fn, value):
    def f(x, *rest):
        y = x.clone()
        y[spec_fn(rest)] = value
        return y
    return f


case('indexPut_ basic', 'indexPut_', [Q], [[1, '::2'], 0.5], put(lambda r: (1, slice(None, None, 2)), 0.5))
case('indexPut_ tensor value', 'indexPut_', [Q, torch.arange(5, dtype=torch.float32)], [[0, ':'], '$1'],
     lambda x, v: (lambda y: (y.__setitem__((0, slice(None)), v), y)[1])(x.clone()))
case('indexPut_ advanced', 'indexPut_', [Q, A], [['$1', ':', 3], -2.0], lambda x, a: (lambda y: (y.__setitem__((a, slice(None), 3), -2.0), y)[1])(x.clone()))
case('indexPut_ mask', 'indexPut_', [Q, Q > 1], [['$1'], 0.0], lambda x, m: (lambda y: (y.__setitem__(m, 0.0), y)[1])(x.clone()))

with open(os.path.join(HERE, '..', 'test', 'fixtures', 'indexing.json'), 'w') as f:
    json.dump({'generator': 'scripts/gen_indexing_fixtures.py', 'torch': torch.__version__, 'cases': cases}, f, separators=(',', ':'))
print(len(cases), 'cases')
