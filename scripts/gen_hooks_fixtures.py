#!/usr/bin/env python3
"""Reference values from PyTorch 1.13 for Tensor.registerHook (issue #10).

    /usr/bin/python3 scripts/gen_hooks_fixtures.py   # writes test/fixtures/hooks.json

Each case is a small graph, written here and again, step for step, in test/hooks.test.js (keyed
by the case name), where hooks scale or replace gradients on leaves and intermediates. A case
records its float64 inputs, the leaves' .grad after backward(), and the gradient each hook was
called with, in call order. Only backward() is used: PyTorch 1.13 does not run the hooks of
autograd.grad's own inputs (2.0 does, and so does tensorfold; test/hooks.test.js covers that).
"""
import json
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(1010)
cases = []


def rnd(*shape, lo=-1.5, hi=1.5):
    return torch.tensor(rng.uniform(lo, hi, size=shape), dtype=torch.float64)


def flat(t):
    return t.detach().reshape(-1).tolist()


def spec(t):
    return {'values': flat(t), 'shape': list(t.shape)}


def case(name, inputs, build):
    """build(leaves, consts, record) runs forward and backward; record(tag) makes a logging hook."""
    leaves = {k: v.clone().requires_grad_(True) for k, v in inputs.items() if not k.startswith('w')}
    consts = {k: v for k, v in inputs.items() if k.startswith('w')}
    calls = []

    def record(tag, fn):
        def hook(g):
            calls.append({'hook': tag, 'grad': flat(g)})
            return fn(g)
        return hook

    extra = build(leaves, consts, record) or {}
    cases.append({
        'name': name,
        'inputs': {k: spec(v) for k, v in inputs.items()},
        'grads': {k: flat(v.grad) for k, v in leaves.items() if v.grad is not None},
        'calls': calls,
        'extra': {k: flat(v) for k, v in extra.items()},
    })


def scale_intermediate(L, W, rec):
    # y = 2 sin(x); the hook triples dz/dy, so x.grad = 3 * 2y * w * 2 cos(x)
    y = L['x'].sin() * 2
    y.register_hook(rec('y', lambda g: g * 3))
    (y * y * W['w']).sum().backward()


case('scale intermediate', {'x': rnd(2, 3), 'w': rnd(2, 3)}, scale_intermediate)


def replace_leaf(L, W, rec):
    # x is used twice: its hook sees the summed gradient 2x + w exp(x) once, and replaces it
    x = L['x']
    x.register_hook(rec('x', lambda g: g.clamp(-0.5, 0.5)))
    (x * x + x.exp() * W['w']).sum().backward()


case('replace leaf used twice', {'x': rnd(5), 'w': rnd(5)}, replace_leaf)


def order(L, W, rec):
    # hooks compose in registration order: ((g + 1) * 2), then the leaf's hook negates
    x = L['x']
    y = x.tanh()
    y.register_hook(rec('y1', lambda g: g + 1))
    y.register_hook(rec('y2', lambda g: g * 2))
    x.register_hook(rec('x', lambda g: -g))
    (y * W['w']).sum().backward()


case('order of hooks', {'x': rnd(4), 'w': rnd(4)}, order)


def observer(L, W, rec):
    # a hook returning None leaves the gradient as it is
    x, v = L['x'], L['v']
    y = x.matmul(v)
    y.register_hook(rec('y', lambda g: None))
    v.register_hook(rec('v', lambda g: None))
    (y.exp() * W['w']).sum().backward()


case('observing hooks', {'x': rnd(2, 3), 'v': rnd(3, 2), 'w': rnd(2, 2)}, observer)


def multi_output(L, W, rec):
    # outputs of one node (split) hooked separately
    p, q = L['x'].split(2)
    p.register_hook(rec('p', lambda g: -g))
    q.register_hook(rec('q', lambda g: g * 0.5))
    ((p * W['w']).sum() + q.exp().sum()).backward()


case('outputs of one node', {'x': rnd(4), 'w': rnd(2)}, multi_output)


def shared(L, W, rec):
    # y feeds two consumers: its hook runs once, on the sum, and squares it
    x = L['x']
    y = x * 3
    y.register_hook(rec('y', lambda g: g * g))
    (y.sin() * W['w']).sum().add((y * y).sum()).backward()


case('intermediate used twice', {'x': rnd(3), 'w': rnd(3)}, shared)


def chain(L, W, rec):
    # hooks at several depths of one chain; a leaf feeding two intermediates
    a, b = L['a'], L['b']
    h1 = a * b
    h2 = h1.sigmoid() + a
    h1.register_hook(rec('h1', lambda g: g * 10))
    h2.register_hook(rec('h2', lambda g: g - 0.25))
    b.register_hook(rec('b', lambda g: g / 4))
    (h2 * h2 * W['w']).sum().backward()


case('hooks along a chain', {'a': rnd(2, 2), 'b': rnd(2, 2), 'w': rnd(2, 2)}, chain)


def broadcast(L, W, rec):
    # the leaf is broadcast: its hook sees the gradient already summed to its own shape
    x, bias = L['x'], L['bias']
    y = x + bias
    bias.register_hook(rec('bias', lambda g: g * 2))
    y.register_hook(rec('y', lambda g: g + W['w']))
    (y.relu() * y).sum().backward()


case('broadcast leaf', {'x': rnd(3, 4), 'bias': rnd(4), 'w': rnd(3, 4)}, broadcast)


def create_graph(L, W, rec):
    # hooks whose result depends on x: y = x^3 with dz/dy scaled by x, and x's gradient by (1 + x),
    # so x.grad = G(x) = 3x^3 (1 + x), differentiable; then d(sum w G)/dx = w (9x^2 + 12x^3)
    x = L['x']
    y = x.pow(3)
    y.register_hook(lambda g: g * x)
    x.register_hook(lambda g: g * (1 + x))
    y.sum().backward(create_graph=True)
    G = x.grad
    x.grad = None
    (G * W['w']).sum().backward()
    return {'G': G}


case('create graph', {'x': rnd(4, lo=0.2, hi=1.2), 'w': rnd(4)}, create_graph)


def double_backward(L, W, rec):
    # a hook stays on its node: the second-order pass goes through y again (dz/dy depends on y),
    # and the hook scales that gradient too
    x = L['x']
    y = x * x
    y.register_hook(lambda g: g * x)
    G, = torch.autograd.grad((y.sin() * W['w']).sum(), x, create_graph=True)
    H, = torch.autograd.grad(G.sum(), x)
    return {'G': G, 'H': H}


case('double backward through a hooked node', {'x': rnd(3, lo=0.2, hi=1.5), 'w': rnd(3)}, double_backward)


def inplace(L, W, rec):
    # a hook registered before an in-place op stays with the node that produced the old value:
    # it sees the gradient with respect to y before y.mul_(w)
    y = L['x'] * 2
    y.register_hook(rec('y', lambda g: g * 10))
    y.mul_(W['w'])
    (y * y).sum().backward()


case('hook before an in-place op', {'x': rnd(3), 'w': rnd(3)}, inplace)


def repeated(L, W, rec):
    # two backward passes: the hook runs in each, and .grad accumulates the hooked gradients
    x = L['x']
    x.register_hook(rec('x', lambda g: g * 2))
    y = (x * W['w']).exp()
    y.sum().backward(retain_graph=True)
    y.sum().backward()


case('two backward passes', {'x': rnd(3), 'w': rnd(3)}, repeated)

out = os.path.join(HERE, '..', 'test', 'fixtures', 'hooks.json')
with open(out, 'w') as f:
    json.dump({'generator': 'scripts/gen_hooks_fixtures.py', 'torch': torch.__version__, 'cases': cases}, f, indent=1)
print(f'{len(cases)} cases -> {os.path.relpath(out)}')
