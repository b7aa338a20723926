#!/usr/bin/python3
"""Reference values for tf.linalg and the plain linear-algebra functions from PyTorch 1.13:
writes test/fixtures/linalg.json.

Each case holds the inputs, the options, PyTorch's outputs, and the gradients of
loss = sum_i sum(W_i * f_i(out_i)) with respect to every float input, where W_i is a fixed random
tensor per output and f_i is the identity or, for outputs defined only up to sign (the columns of
U, V, Q, eigenvectors), the elementwise square, which makes the loss gauge-invariant as in
PyTorch's own tests. test/linalg.test.js computes the same loss with tensorfold.

    /usr/bin/python3 scripts/gen_linalg_fixtures.py
"""
import json
import math
import os

import torch

torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'linalg.json')
D = torch.float64


def enc(t):
    t = t.detach()
    if t.dtype in (torch.int64, torch.int32, torch.bool):
        return {'shape': list(t.shape), 'dtype': 'int32', 'values': [int(v) for v in t.flatten().tolist()]}
    vals = [v if math.isfinite(v) else ('nan' if math.isnan(v) else ('inf' if v > 0 else '-inf'))
            for v in t.double().flatten().tolist()]
    return {'shape': list(t.shape), 'dtype': 'float32' if t.dtype == torch.float32 else 'float64', 'values': vals}


def rnd(*shape, dtype=D):
    return torch.randn(*shape, dtype=torch.float64).to(dtype)


def spd(*shape, dtype=D):
    x = torch.randn(*shape, dtype=torch.float64)
    n = shape[-1]
    return (x @ x.transpose(-1, -2) + n * torch.eye(n, dtype=torch.float64)).to(dtype)


def sym(*shape, dtype=D):
    x = torch.randn(*shape, dtype=torch.float64)
    return ((x + x.transpose(-1, -2)) / 2).to(dtype)


def well(*shape, dtype=D):
    """Well-conditioned square matrices (random + n·I)."""
    n = shape[-1]
    return (torch.randn(*shape, dtype=torch.float64) + n * torch.eye(n, dtype=torch.float64)).to(dtype)


cases = []


def case(name, fn, inputs, opts, run, square=None, grad=True):
    xs = [x.clone().requires_grad_(grad and x.dtype.is_floating_point) for x in inputs]
    outs = run(*xs)
    if isinstance(outs, torch.Tensor):
        outs = (outs,)
    outs = tuple(outs)
    square = square or [False] * len(outs)
    c = {'name': name, 'fn': fn, 'inputs': [enc(x) for x in inputs], 'opts': opts,
         'outputs': [enc(o) for o in outs], 'square': square}
    if grad:
        ws, loss = [], 0
        for o, sq in zip(outs, square):
            if not o.dtype.is_floating_point or o.numel() == 0 or not o.requires_grad:
                ws.append(None)
                continue
            w = torch.randn(o.shape, dtype=torch.float64).to(o.dtype)
            ws.append(enc(w))
            loss = loss + (w * (o * o if sq else o)).sum()
        gs = torch.autograd.grad(loss, [x for x in xs if x.requires_grad], allow_unused=True)
        c['weights'] = ws
        it = iter(gs)
        c['grads'] = [enc(next(it)) if x.requires_grad else None for x in xs]
    cases.append(c)


L = torch.linalg
# ---- determinants, inverses, solves
case('det 3x3', 'det', [well(3, 3)], {}, L.det)
case('det batched', 'det', [rnd(2, 3, 3)], {}, L.det)
case('det float32', 'det', [well(4, 4, dtype=torch.float32)], {}, L.det)
case('slogdet', 'slogdet', [rnd(4, 4)], {}, L.slogdet)
case('slogdet batched', 'slogdet', [rnd(3, 3, 3)], {}, L.slogdet)
case('inv', 'inv', [well(4, 4)], {}, L.inv)
case('inv batched', 'inv', [well(2, 3, 3)], {}, L.inv)
case('inv float32', 'inv', [well(3, 3, dtype=torch.float32)], {}, L.inv)
case('solve matrix', 'solve', [well(3, 3), rnd(3, 2)], {}, L.solve)
case('solve vector batched A', 'solve', [well(2, 3, 3), rnd(3)], {}, L.solve)
case('solve batched vectors', 'solve', [well(2, 3, 3), rnd(2, 3)], {}, L.solve)
case('solve broadcast', 'solve', [well(3, 3), rnd(2, 3, 2)], {}, L.solve)
case('solve right', 'solve', [well(3, 3), rnd(2, 3)], {'left': False}, lambda a, b: L.solve(a, b, left=False))
case('solve float32', 'solve', [well(4, 4, dtype=torch.float32), rnd(4, 3, dtype=torch.float32)], {}, L.solve)
case('solveTriangular upper', 'solveTriangular', [well(4, 4), rnd(4, 2)], {'upper': True},
     lambda a, b: L.solve_triangular(a, b, upper=True))
case('solveTriangular lower right', 'solveTriangular', [well(3, 3), rnd(2, 3)], {'upper': False, 'left': False},
     lambda a, b: L.solve_triangular(a, b, upper=False, left=False))
case('solveTriangular unit batched', 'solveTriangular', [well(2, 3, 3), rnd(2, 3, 2)],
     {'upper': True, 'unitriangular': True}, lambda a, b: L.solve_triangular(a, b, upper=True, unitriangular=True))
case('cholesky', 'cholesky', [spd(4, 4)], {}, L.cholesky)
case('cholesky upper batched', 'cholesky', [spd(2, 3, 3)], {'upper': True}, lambda a: L.cholesky(a, upper=True))
case('cholesky float32', 'cholesky', [spd(5, 5, dtype=torch.float32)], {}, L.cholesky)

# ---- decompositions (sign-ambiguous factors enter the loss squared)
case('qr tall', 'qr', [rnd(5, 3)], {}, L.qr, square=[True, True])
case('qr wide', 'qr', [rnd(3, 5)], {}, L.qr, square=[True, True])
case('qr square complete', 'qr', [rnd(4, 4)], {'mode': 'complete'}, lambda a: L.qr(a, mode='complete'),
     square=[True, True])
case('qr tall complete', 'qr', [rnd(5, 3)], {'mode': 'complete'}, lambda a: L.qr(a, mode='complete'),
     square=[True, True], grad=False)
case('qr r', 'qr', [rnd(4, 3)], {'mode': 'r'}, lambda a: L.qr(a, mode='r'), square=[True, True], grad=False)
case('qr batched', 'qr', [rnd(2, 4, 3)], {}, L.qr, square=[True, True])
case('qr float32', 'qr', [rnd(6, 4, dtype=torch.float32)], {}, L.qr, square=[True, True], grad=False)
case('svd tall', 'svd', [rnd(5, 3)], {'fullMatrices': False}, lambda a: L.svd(a, full_matrices=False),
     square=[True, False, True])
case('svd wide', 'svd', [rnd(3, 5)], {'fullMatrices': False}, lambda a: L.svd(a, full_matrices=False),
     square=[True, False, True])
case('svd square batched', 'svd', [rnd(2, 4, 4)], {'fullMatrices': False},
     lambda a: L.svd(a, full_matrices=False), square=[True, False, True])
case('svd full', 'svd', [rnd(5, 3)], {}, L.svd, square=[True, False, True], grad=False)
case('svd very tall', 'svd', [rnd(8, 3)], {'fullMatrices': False}, lambda a: L.svd(a, full_matrices=False),
     square=[True, False, True])
case('svd very tall full', 'svd', [rnd(7, 3)], {}, L.svd, square=[True, False, True], grad=False)
case('svd very wide batched', 'svd', [rnd(2, 2, 6)], {'fullMatrices': False},
     lambda a: L.svd(a, full_matrices=False), square=[True, False, True])
case('svd full wide', 'svd', [rnd(2, 4)], {}, L.svd, square=[True, False, True], grad=False)
case('svd float32', 'svd', [rnd(6, 4, dtype=torch.float32)], {'fullMatrices': False},
     lambda a: L.svd(a, full_matrices=False), square=[True, False, True], grad=False)
case('svdvals', 'svdvals', [rnd(4, 3)], {}, L.svdvals)
case('svdvals wide batched', 'svdvals', [rnd(2, 3, 5)], {}, L.svdvals)
case('eigh', 'eigh', [sym(4, 4)], {}, L.eigh, square=[False, True])
case('eigh batched', 'eigh', [sym(2, 3, 3)], {}, L.eigh, square=[False, True])
case('eigh lower triangle only', 'eigh', [rnd(4, 4)], {}, L.eigh, square=[False, True], grad=False)
case('eigh UPLO U', 'eigh', [rnd(4, 4)], {'UPLO': 'U'}, lambda a: L.eigh(a, UPLO='U'), square=[False, True],
     grad=False)
case('eigh float32', 'eigh', [sym(5, 5, dtype=torch.float32)], {}, L.eigh, square=[False, True], grad=False)
case('eigvalsh', 'eigvalsh', [sym(4, 4)], {}, L.eigvalsh)
case('pinv tall', 'pinv', [rnd(5, 3)], {}, L.pinv)
case('pinv wide batched', 'pinv', [rnd(2, 3, 4)], {}, L.pinv)
case('pinv hermitian', 'pinv', [spd(4, 4)], {'hermitian': True}, lambda a: L.pinv(a, hermitian=True))
_u = rnd(4, 2)
case('pinv rank deficient', 'pinv', [_u @ _u.T], {}, L.pinv, grad=False)
case('lstsq tall', 'lstsq', [rnd(5, 3), rnd(5, 2)], {}, lambda a, b: tuple(L.lstsq(a, b))[:3])
# PyTorch 1.13 cannot differentiate lstsq with a vector right-hand side (an IndexError in its backward).
case('lstsq vector', 'lstsq', [rnd(6, 3), rnd(6)], {}, lambda a, b: tuple(L.lstsq(a, b))[:3], grad=False)
case('lstsq gelsd', 'lstsq', [rnd(5, 3), rnd(5, 2)], {'driver': 'gelsd'},
     lambda a, b: tuple(L.lstsq(a, b, driver='gelsd')))
case('lstsq wide', 'lstsq', [rnd(3, 5), rnd(3, 2)], {}, lambda a, b: tuple(L.lstsq(a, b))[:3])
case('lstsq batched', 'lstsq', [rnd(2, 5, 3), rnd(2, 5, 2)], {}, lambda a, b: tuple(L.lstsq(a, b))[:3])

# ---- matrix functions and norms
case('matrixPower 3', 'matrixPower', [rnd(3, 3)], {'n': 3}, lambda a: L.matrix_power(a, 3))
case('matrixPower -2 batched', 'matrixPower', [well(2, 3, 3)], {'n': -2}, lambda a: L.matrix_power(a, -2))
case('matrixPower 0', 'matrixPower', [rnd(3, 3)], {'n': 0}, lambda a: L.matrix_power(a, 0), grad=False)
case('matrixExp', 'matrixExp', [rnd(3, 3)], {}, L.matrix_exp)
case('matrixExp large norm batched', 'matrixExp', [rnd(2, 4, 4) * 3], {}, L.matrix_exp)
case('matrixExp float32', 'matrixExp', [rnd(3, 3, dtype=torch.float32)], {}, L.matrix_exp, grad=False)
x34 = rnd(3, 4)
for ordv, dimv, keep in [(2, None, False), (1, -1, False), (math.inf, 0, False), (-math.inf, 1, True),
                         (0, None, False), (3, [0, 1], True), (0.5, 1, False)]:
    o = {'ord': 'inf' if ordv == math.inf else '-inf' if ordv == -math.inf else ordv, 'dim': dimv, 'keepdim': keep}
    case(f'vectorNorm ord={o["ord"]} dim={dimv}', 'vectorNorm', [x34], o,
         lambda a, ordv=ordv, dimv=dimv, keep=keep: L.vector_norm(a, ordv, dimv, keep), grad=ordv != 0)
a345 = rnd(3, 4, 5)
for ordv in ['fro', 'nuc', 1, -1, 2, -2, math.inf, -math.inf]:
    o = {'ord': 'inf' if ordv == math.inf else '-inf' if ordv == -math.inf else ordv}
    case(f'matrixNorm ord={o["ord"]}', 'matrixNorm', [a345], o, lambda a, ordv=ordv: L.matrix_norm(a, ordv))
case('matrixNorm dim (0, 2) keepdim', 'matrixNorm', [a345], {'ord': 1, 'dim': [0, 2], 'keepdim': True},
     lambda a: L.matrix_norm(a, 1, (0, 2), True))
case('matrixNorm nuc dim (2, 0)', 'matrixNorm', [a345], {'ord': 'nuc', 'dim': [2, 0]},
     lambda a: L.matrix_norm(a, 'nuc', (2, 0)))
case('norm default', 'norm', [a345], {}, lambda a: L.norm(a))
case('norm dim 1', 'norm', [a345], {'dim': 1}, lambda a: L.norm(a, dim=1))
case('norm 2-D ord 2', 'norm', [x34], {'ord': 2}, lambda a: L.norm(a, 2))
case('norm 1-D ord 1', 'norm', [rnd(5)], {'ord': 1}, lambda a: L.norm(a, 1))
case('norm at zero', 'vectorNorm', [torch.zeros(3, dtype=D)], {'ord': 2}, lambda a: L.vector_norm(a))

case('matmul', 'matmul', [rnd(2, 3, 4), rnd(4, 2)], {}, L.matmul)
case('vecdot', 'vecdot', [rnd(3, 4), rnd(4)], {}, lambda a, b: (a * b).sum(-1))
case('multiDot', 'multiDot', [rnd(3), rnd(3, 4), rnd(4, 2), rnd(2)], {}, lambda *ts: L.multi_dot(ts))
case('matrixRank', 'matrixRank', [_u @ _u.T], {}, L.matrix_rank, grad=False)
case('matrixRank batched hermitian', 'matrixRank', [torch.stack([_u @ _u.T, spd(4, 4)])], {'hermitian': True},
     lambda a: L.matrix_rank(a, hermitian=True), grad=False)
case('cond', 'cond', [well(2, 3, 3)], {}, L.cond)
# PyTorch 1.13's own backward of cond(A, 'fro') fails (an in-place change of a saved inverse).
case('cond fro', 'cond', [well(3, 3)], {'p': 'fro'}, lambda a: L.cond(a, 'fro'), grad=False)
case('cond -2', 'cond', [rnd(3, 3)], {'p': -2}, lambda a: L.cond(a, -2))

# ---- plain functions
case('dot', 'dot', [rnd(5), rnd(5)], {}, torch.dot)
case('outer', 'outer', [rnd(3), rnd(4)], {}, torch.outer)
case('mm', 'mm', [rnd(2, 3), rnd(3, 4)], {}, torch.mm)
case('bmm', 'bmm', [rnd(2, 2, 3), rnd(2, 3, 4)], {}, torch.bmm)
case('mv', 'mv', [rnd(2, 3), rnd(3)], {}, torch.mv)
case('addmm', 'addmm', [rnd(2, 4), rnd(2, 3), rnd(3, 4)], {'beta': 0.5, 'alpha': 2},
     lambda c, a, b: torch.addmm(c, a, b, beta=0.5, alpha=2))
case('addmm broadcast', 'addmm', [rnd(4), rnd(2, 3), rnd(3, 4)], {}, torch.addmm)
case('baddbmm', 'baddbmm', [rnd(2, 2, 4), rnd(2, 2, 3), rnd(2, 3, 4)], {'beta': 2, 'alpha': -1},
     lambda c, a, b: torch.baddbmm(c, a, b, beta=2, alpha=-1))
case('cross default dim', 'cross', [rnd(3, 2), rnd(3, 2)], {}, lambda a, b: torch.cross(a, b))
case('cross dim -1 broadcast', 'cross', [rnd(2, 3), rnd(1, 3)], {'dim': -1}, lambda a, b: torch.cross(a, b, -1))
case('kron 2-D', 'kron', [rnd(2, 3), rnd(3, 2)], {}, torch.kron)
case('kron 1-D with 2-D', 'kron', [rnd(2), rnd(2, 3)], {}, torch.kron)
case('cdist p=2', 'cdist', [rnd(4, 3), rnd(5, 3)], {'p': 2}, lambda a, b: torch.cdist(a, b, 2))
case('cdist p=1 batched', 'cdist', [rnd(2, 3, 2), rnd(2, 4, 2)], {'p': 1}, lambda a, b: torch.cdist(a, b, 1))
case('cdist p=inf', 'cdist', [rnd(3, 3), rnd(2, 3)], {'p': 'inf'}, lambda a, b: torch.cdist(a, b, math.inf))
case('cdist p=3', 'cdist', [rnd(3, 2), rnd(2, 2)], {'p': 3}, lambda a, b: torch.cdist(a, b, 3))
case('cdist p=0', 'cdist', [rnd(3, 2), rnd(2, 2)], {'p': 0}, lambda a, b: torch.cdist(a, b, 0), grad=False)

with open(OUT, 'w') as f:
    json.dump({'generator': 'scripts/gen_linalg_fixtures.py', 'torch': torch.__version__, 'cases': cases}, f)
print(f'wrote {len(cases)} cases to {os.path.normpath(OUT)}')
