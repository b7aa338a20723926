#!/usr/bin/env python3
"""Randomized differential testing against PyTorch: random programs that chain several ops
(broadcasting, views, non-contiguous inputs, 0-d and empty tensors, NaN / inf / -0 inputs, float32
and float64), run here through PyTorch; test/differential.test.js replays each program in
tensorfold and compares the result and the gradient of every input.

    /usr/bin/python3 scripts/gen_differential_fixtures.py [N]   # writes test/fixtures/differential.json

A program is a list of steps over a stack of values (the inputs first, then each step's result);
the loss is sum(last * weights). The op vocabulary below is the one source of what the tester
covers: each entry names the tensorfold method and the PyTorch function it must agree with.
"""
import json
import math
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'differential.json')
SEED = 20261129

# tensorfold method -> PyTorch function, and the input domain that keeps it defined.
UNARY = {
    'neg': (torch.neg, None), 'abs': (torch.abs, None), 'exp': (torch.exp, None),
    'tanh': (torch.tanh, None), 'sigmoid': (torch.sigmoid, None), 'relu': (torch.relu, None),
    'gelu': (torch.nn.functional.gelu, None), 'silu': (torch.nn.functional.silu, None),
    'softplus': (torch.nn.functional.softplus, None), 'sin': (torch.sin, None), 'cos': (torch.cos, None),
    'square': (torch.square, None), 'erf': (torch.erf, None), 'expm1': (torch.expm1, None),
    'atan': (torch.atan, None), 'sinh': (torch.sinh, None), 'softsign': (torch.nn.functional.softsign, None),
    'log': (torch.log, 'pos'), 'sqrt': (torch.sqrt, 'pos'), 'rsqrt': (torch.rsqrt, 'pos'),
    'log1p': (torch.log1p, 'pos'),
}
BINARY = {
    'add': torch.add, 'sub': torch.sub, 'mul': torch.mul, 'div': torch.div,
    'maximum': torch.maximum, 'minimum': torch.minimum,
}
REDUCE = {
    'sum': lambda x, ax, k: x.sum(ax, keepdim=k),
    'mean': lambda x, ax, k: x.mean(ax, keepdim=k),
    'amax': lambda x, ax, k: x.amax(ax, keepdim=k),
    'logsumexp': lambda x, ax, k: x.logsumexp(ax, keepdim=k),
}
SPECIAL = [math.nan, math.inf, -math.inf, -0.0, 0.0]

rng = np.random.default_rng(SEED)


def enc(v):
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    if v == 0 and math.copysign(1, v) < 0:
        return '-0'
    return float(v)


def rand_shape():
    nd = int(rng.integers(0, 4))
    return [int(rng.choice([1, 2, 3, 4])) if rng.random() > 0.05 else 0 for _ in range(nd)]


def broadcast_partner(shape):
    """A shape that broadcasts against `shape` (some dims 1, maybe fewer dims)."""
    keep = int(rng.integers(0, len(shape) + 1))
    tail = shape[len(shape) - keep:]
    return [1 if rng.random() < 0.4 else d for d in tail]


def make_input(shape, dtype, specials):
    n = int(np.prod(shape)) if shape else 1
    vals = rng.uniform(-2, 2, n)
    if specials and n:
        for i in range(n):
            if rng.random() < 0.15:
                vals[i] = SPECIAL[int(rng.integers(0, len(SPECIAL)))]
    return vals


def program(i):
    dtype = 'float64' if i % 2 else 'float32'
    specials = i % 5 == 0
    s0 = rand_shape()
    shapes = [s0, broadcast_partner(s0)]
    inputs = [dict(shape=s, dtype=dtype, values=make_input(s, dtype, specials)) for s in shapes]
    tdt = torch.float64 if dtype == 'float64' else torch.float32
    ts = [torch.tensor(inp['values'], dtype=tdt).reshape(inp['shape']).requires_grad_(True) for inp in inputs]
    stack = list(ts)
    steps = []
    for _ in range(int(rng.integers(2, 6))):
        kind = rng.choice(['unary', 'unary', 'binary', 'binary', 'reduce', 'softmax', 'transpose'])
        a = int(rng.integers(0, len(stack)))
        x = stack[a]
        if kind == 'unary':
            name = rng.choice(sorted(UNARY))
            fn, dom = UNARY[name]
            src = a
            if dom == 'pos':  # keep the domain: apply to abs(x) + 0.5 (recorded as two steps)
                steps.append(dict(op='unary', name='abs', arg=a))
                stack.append(torch.abs(x))
                steps.append(dict(op='binary', name='add', a=len(stack) - 1, scalar=0.5))
                stack.append(stack[-1] + 0.5)
                src = len(stack) - 1
            steps.append(dict(op='unary', name=name, arg=src))
            stack.append(fn(stack[src]))
        elif kind == 'binary':
            b = int(rng.integers(0, len(stack)))
            y = stack[b]
            try:
                torch.broadcast_shapes(x.shape, y.shape)
            except RuntimeError:
                continue
            name = rng.choice(sorted(BINARY))
            steps.append(dict(op='binary', name=name, a=a, b=b))
            stack.append(BINARY[name](x, y))
        elif kind == 'reduce':
            if x.dim() == 0:
                continue
            ax = int(rng.integers(-x.dim(), x.dim()))
            if x.shape[ax] == 0 and True:
                continue  # max over an empty dim is an error in both; sums of empty dims are covered elsewhere
            keep = bool(rng.random() < 0.5)
            name = rng.choice(sorted(REDUCE))
            steps.append(dict(op='reduce', name=name, arg=a, axis=ax, keepdim=keep))
            stack.append(REDUCE[name](x, ax, keep))
        elif kind == 'softmax':
            if x.dim() == 0:
                continue
            ax = int(rng.integers(-x.dim(), x.dim()))
            log = bool(rng.random() < 0.5)
            steps.append(dict(op='logSoftmax' if log else 'softmax', arg=a, axis=ax))
            stack.append(torch.log_softmax(x, ax) if log else torch.softmax(x, ax))
        elif kind == 'transpose':  # a non-contiguous view feeding the next steps
            if x.dim() < 2:
                continue
            steps.append(dict(op='transpose', arg=a, d0=0, d1=x.dim() - 1))
            stack.append(x.transpose(0, x.dim() - 1))
    if not steps:
        steps.append(dict(op='unary', name='tanh', arg=0))
        stack.append(torch.tanh(stack[0]))
    out = stack[-1]
    w = torch.tensor(rng.uniform(-1, 1, out.numel()), dtype=tdt).reshape(out.shape)
    loss = (out * w).sum()
    grads = torch.autograd.grad(loss, ts, allow_unused=True)
    return dict(
        id=i, inputs=[dict(shape=inp['shape'], dtype=inp['dtype'], values=[enc(v) for v in inp['values']]) for inp in inputs],
        steps=steps, weights=[enc(v) for v in w.detach().reshape(-1).tolist()],
        expected=dict(shape=list(out.shape), out=[enc(v) for v in out.detach().reshape(-1).tolist()],
                      grads=[None if g is None else [enc(v) for v in g.reshape(-1).tolist()] for g in grads]))


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    progs = [program(i) for i in range(n)]
    with open(OUT, 'w') as f:
        json.dump(dict(generator='scripts/gen_differential_fixtures.py', torch=torch.__version__, seed=SEED,
                       programs=progs), f, separators=(',', ':'))
    print(f'wrote {len(progs)} programs to {os.path.relpath(OUT)}')


if __name__ == '__main__':
    main()
