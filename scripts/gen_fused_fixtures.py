#!/usr/bin/python3
"""Reference values for the fused kernels from PyTorch 1.13: writes test/fixtures/fused.json.

Each case holds float64 inputs, the forward output, the gradients of sum(out * R) with respect to
every input (R a fixed random tensor), and for GELU, softmax, log-softmax and LayerNorm the second
order term d/dx sum(grad_x * R2). PyTorch 1.13 has neither F.rms_norm nor
F.scaled_dot_product_attention, so those references are the defining formulas in torch ops.

    /usr/bin/python3 scripts/gen_fused_fixtures.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'fused.json')
gen = torch.Generator().manual_seed(1234)


def rnd(*shape, scale=1.0):
    return torch.randn(*shape, generator=gen) * scale


def enc(t):
    t = t.detach()
    if t.dtype == torch.bool:
        return {'shape': list(t.shape), 'dtype': 'bool', 'data': [bool(v) for v in t.flatten().tolist()]}
    return {'shape': list(t.shape), 'dtype': 'float64', 'data': t.double().flatten().tolist()}


def case(name, fn, inputs, consts=None, second=False, opts=None):
    """inputs: dict of differentiable tensors; consts: dict of non-differentiable ones."""
    xs = {k: v.clone().requires_grad_(True) for k, v in inputs.items()}
    out = fn(**xs, **(consts or {}))
    R = rnd(*out.shape)
    grads = torch.autograd.grad((out * R).sum(), list(xs.values()), create_graph=second)
    c = {'name': name, 'inputs': {k: enc(v) for k, v in inputs.items()},
         'consts': {k: enc(v) for k, v in (consts or {}).items()}, 'opts': opts or {},
         'R': enc(R), 'out': enc(out), 'grads': {k: enc(g) for k, g in zip(xs, grads)}}
    if second:
        first = list(xs)[0]
        R2 = rnd(*grads[0].shape)
        g2 = torch.autograd.grad((grads[0] * R2).sum(), list(xs.values()), allow_unused=True)
        c['R2'] = enc(R2)
        c['second'] = {k: enc(g if g is not None else torch.zeros_like(xs[k])) for k, g in zip(xs, g2)}
        c['secondOf'] = first
    return c


cases = []
xg = torch.cat([torch.linspace(-7, 7, 57), torch.tensor([-40.0, -12.0, 0.0, 12.0, 40.0, 0.3, -0.3])])
cases.append(case('gelu', lambda x: F.gelu(x), {'x': xg}, second=True, opts={'approximate': 'none'}))
cases.append(case('gelu', lambda x: F.gelu(x, approximate='tanh'), {'x': xg}, second=True, opts={'approximate': 'tanh'}))

xs = rnd(3, 4, 19, scale=2.0)
for axis in (-1, 1):
    cases.append(case('softmax', lambda x, axis=axis: F.softmax(x, dim=axis), {'x': xs}, second=True, opts={'axis': axis}))
    cases.append(case('logSoftmax', lambda x, axis=axis: F.log_softmax(x, dim=axis), {'x': xs}, second=True,
                      opts={'axis': axis}))

xl = rnd(3, 5, 24, scale=3.0) + 1.5
for ns in ([24], [5, 24]):
    w, b = rnd(*ns) * 0.5 + 1, rnd(*ns) * 0.5
    cases.append(case('layerNorm', lambda x, w, b, ns=ns: F.layer_norm(x, ns, w, b, 1e-5), {'x': xl, 'w': w, 'b': b},
                      second=True, opts={'normalizedShape': ns, 'eps': 1e-5}))
cases.append(case('layerNorm', lambda x: F.layer_norm(x, [24], None, None, 1e-5), {'x': xl}, second=True,
                  opts={'normalizedShape': [24], 'eps': 1e-5}))


def rms(x, w, ns, eps):
    dims = tuple(range(x.dim() - len(ns), x.dim()))
    y = x * torch.rsqrt(x.pow(2).mean(dims, keepdim=True) + eps)
    return y * w if w is not None else y


for ns in ([24], [5, 24]):
    w = rnd(*ns) * 0.5 + 1
    cases.append(case('rmsNorm', lambda x, w, ns=ns: rms(x, w, ns, 1e-6), {'x': xl, 'w': w}, second=True,
                      opts={'normalizedShape': ns, 'eps': 1e-6}))


def sdpa(q, k, v, mask=None, causal=False, scale=None):
    s = (q @ k.transpose(-2, -1)) * (scale if scale is not None else 1 / math.sqrt(q.shape[-1]))
    if causal:
        L, S = q.shape[-2], k.shape[-2]
        s = s.masked_fill(torch.ones(L, S).tril().logical_not(), float('-inf'))
    if mask is not None:
        s = s.masked_fill(mask.logical_not(), float('-inf')) if mask.dtype == torch.bool else s + mask
    return F.softmax(s, -1) @ v


q, k, v = rnd(2, 3, 5, 8), rnd(2, 3, 6, 8), rnd(2, 3, 6, 4)
qkv = {'q': q, 'k': k, 'v': v}
cases.append(case('sdpa', sdpa, qkv, opts={}))
cases.append(case('sdpa', lambda q, k, v: sdpa(q, k, v, causal=True), qkv, opts={'isCausal': True}))
cases.append(case('sdpa', lambda q, k, v: sdpa(q, k, v, scale=0.3), qkv, opts={'scale': 0.3}))
fm = rnd(5, 6)
cases.append(case('sdpa', lambda q, k, v, mask: sdpa(q, k, v, mask=mask), qkv, {'mask': fm}, opts={}))
bm = torch.rand(2, 1, 5, 6, generator=gen) > 0.4
bm[..., 0] = True  # every query keeps at least one key
cases.append(case('sdpa', lambda q, k, v, mask: sdpa(q, k, v, mask=mask, causal=True), qkv, {'mask': bm},
                  opts={'isCausal': True}))
q3, k3, v3 = rnd(4, 7, 16), rnd(4, 7, 16), rnd(4, 7, 16)
cases.append(case('sdpa', lambda q, k, v: sdpa(q, k, v, causal=True), {'q': q3, 'k': k3, 'v': v3},
                  opts={'isCausal': True}))

with open(OUT, 'w') as f:
    json.dump({'generator': 'scripts/gen_fused_fixtures.py', 'torch': torch.__version__, 'cases': cases}, f)
print('wrote', OUT, len(cases), 'cases')
