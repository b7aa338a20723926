#!/usr/bin/python3
"""Reference values for SiLU's fused backward (native/core/fused_act.h silu_backward) from PyTorch 1.13:
writes test/fixtures/silu_backward.json.

Inputs of every awkward kind (±0, ±inf, NaN, subnormal, ±1e30, far tails where sigmoid underflows, the
derivative's zero near x = -1.2785) and random ones, 37 of them (not a multiple of any vector width);
for each dtype the gradient g·silu'(x) of sum(silu(x)·g), and in float64 the second-order term
d/dx sum(grad_x · r2).

    /usr/bin/python3 scripts/gen_silu_fixtures.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'silu_backward.json')
gen = torch.Generator().manual_seed(4321)


def enc(v):
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    return v


special = [0.0, -0.0, math.inf, -math.inf, math.nan, 1e-40, -1e-40, 1e30, -1e30, 100.0, -100.0, -88.0, -104.0,
           -120.0, 20.0, -20.0, -1.2784645, -1.27846, 1.0, -1.0, 0.5]
xs = special + (torch.randn(37 - len(special), generator=gen) * 4).tolist()
gs = (torch.randn(len(xs), generator=gen)).tolist()
r2 = (torch.randn(len(xs), generator=gen)).tolist()

cases = {}
for name, dt in (('float32', torch.float32), ('float64', torch.float64)):
    x = torch.tensor(xs, dtype=dt, requires_grad=True)
    g = torch.tensor(gs, dtype=dt)
    (gx,) = torch.autograd.grad(F.silu(x), x, g, create_graph=True)
    case = {'grad': [enc(v) for v in gx.detach().tolist()]}
    if dt == torch.float64:
        (gxx,) = torch.autograd.grad(gx, x, torch.tensor(r2, dtype=dt))
        case['second'] = [enc(v) for v in gxx.tolist()]
    cases[name] = case

with open(OUT, 'w') as f:
    json.dump({'x': [enc(v) for v in xs], 'g': gs, 'r2': r2, 'cases': cases}, f, indent=1)
print('wrote', OUT)
