#!/usr/bin/env python3
"""Reference values for x.pow(e) with a scalar exponent, from PyTorch.

Run with the system Python that has torch (CI has no torch, so the output is committed):
    /usr/bin/python3 scripts/gen_pow_scalar_fixtures.py   # writes test/fixtures/pow_scalar.json

PyTorch computes the exponents 2, 3, 0.5, -0.5, -1, -2, 1 and 0 with cheaper forms (x*x, sqrt, ...)
whose special values differ from std::pow's (pow(-0, 0.5) is -0, pow(-inf, 0.5) NaN); the engine
takes the same forms (kernels.cpp pow_by_scalar). Other exponents go through std::pow. Inputs: the
special values, then random float32 numbers of both signs over many magnitudes. Values are written
as strings (repr of the float), so NaN, infinities and -0 survive JSON.
"""
import json
import os

import torch

torch.manual_seed(4321)
specials = [0.0, -0.0, float('inf'), float('-inf'), float('nan'), 1.0, -1.0, 2.0, -2.0, 0.5, 1e-30, -1e-30,
            1e30, -1e30, 1.5e-45, 3.4e38]
rand = (torch.randn(200) * torch.exp(torch.randn(200) * 4)).tolist()
xs = torch.tensor(specials + rand, dtype=torch.float32)
exponents = [2, 3, 0.5, -0.5, -1, -2, 1, 0, 1.5, 4, -3, 2.5]


def s(v):
    return repr(float(v))


cases = []
for dtype in (torch.float32, torch.float64):
    x = xs.to(dtype)
    for e in exponents:
        cases.append({'dtype': str(dtype).replace('torch.', ''), 'exponent': e,
                      'x': [s(v) for v in x.tolist()], 'y': [s(v) for v in x.pow(e).tolist()]})

out = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'pow_scalar.json')
with open(out, 'w') as f:
    json.dump({'torch': torch.__version__, 'cases': cases}, f)
print('wrote', os.path.normpath(out), len(cases), 'cases')
