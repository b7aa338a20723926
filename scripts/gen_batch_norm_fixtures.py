#!/usr/bin/env python3
"""Reference values for training-mode batch normalisation (the fused node of
native/core/fused_batch_norm.cpp), from PyTorch.

Run with the system Python that has torch (CI has no torch, so the output is committed):
    /usr/bin/python3 scripts/gen_batch_norm_fixtures.py   # writes test/fixtures/batch_norm.json

float32 inputs, references in float64 from those numbers: the output, the gradients of
sum(out * R) with respect to input, weight and bias, and the running statistics after one update
(momentum 0.1, from mean 0 / var 1).
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(777)


def flat(x):
    # Shortest round-trip digits: values near 1000 need more than 9 significant digits to carry
    # the 0.01 spread of the cancellation case exactly.
    return [float(repr(v)) for v in x.detach().reshape(-1).tolist()]


def enc(x):
    return {"shape": list(x.shape), "data": flat(x)}


cases = []


def case(name, xs, affine=True, loc=0.0, scale=1.0, eps=1e-5):
    x = (torch.randn(*xs, dtype=torch.float32) * scale + loc).double().requires_grad_(True)
    C = xs[1]
    inputs = {"x": x}
    if affine:
        inputs["w"] = torch.randn(C, dtype=torch.float32).double().requires_grad_(True)
        inputs["b"] = torch.randn(C, dtype=torch.float32).double().requires_grad_(True)
    rm = torch.zeros(C, dtype=torch.float64)
    rv = torch.ones(C, dtype=torch.float64)
    out = F.batch_norm(x, rm, rv, inputs.get("w"), inputs.get("b"), training=True, momentum=0.1,
                       eps=eps)
    r = torch.randn(*out.shape, dtype=torch.float32).double()
    grads = torch.autograd.grad((out * r).sum(), list(inputs.values()))
    cases.append({
        "name": name, "eps": eps,
        "inputs": {k: enc(v) for k, v in inputs.items()},
        "R": enc(r), "out": enc(out),
        "grads": {k: enc(g) for k, g in zip(inputs.keys(), grads)},
        "runningMean": enc(rm), "runningVar": enc(rv),
    })


case("4-d with weight and bias", [2, 3, 4, 5])
case("4-d without affine", [3, 2, 3, 3], affine=False)
case("batch 1", [1, 4, 5, 3])
case("2-d [N, C] (one value per sample)", [6, 5])
case("5-d", [2, 3, 2, 3, 4])
case("rows longer than 16 values, 17 channels", [2, 17, 5, 7])
case("large mean, small spread (cancellation)", [4, 3, 6, 6], loc=1000.0, scale=0.01)
case("eps 0.1", [2, 3, 3, 3], eps=0.1)

out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "batch_norm.json")
with open(out, "w") as f:
    json.dump({"generator": "scripts/gen_batch_norm_fixtures.py", "torch": torch.__version__,
               "cases": cases}, f, separators=(",", ":"))
print(f"wrote {len(cases)} cases to {out}")
