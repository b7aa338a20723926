#!/usr/bin/env python3
"""Reference values for depthwise convolution (groups == input channels), from PyTorch.

Run with the system Python that has torch (CI has no torch, so the output is committed):
    /usr/bin/python3 scripts/gen_conv_depthwise_fixtures.py   # writes test/fixtures/conv_depthwise.json

Same layout as scripts/gen_conv_fixtures.py: float32 inputs, references in float64 from those
numbers, gradients of sum(out * R) for a fixed random R. The cases cover the depthwise path's
edges: batch 1, channel counts and row widths around the vector widths (8 and 16 floats),
padding, stride, dilation, rectangular kernels, a channel multiplier (Og > 1), kernels as large
as the padded input, and a batch that splits across threads.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(4321)


def t(shape):
    return torch.randn(*shape, dtype=torch.float32).double().requires_grad_(True)


def flat(x):
    return [float(f"{v:.9g}") for v in x.detach().reshape(-1).tolist()]


def enc(x):
    return {"shape": list(x.shape), "data": flat(x)}


cases = []


def case(name, xs, ws, bias, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=None):
    groups = groups or xs[1]
    inputs = {"x": t(xs), "w": t(ws)}
    if bias:
        inputs["b"] = t([ws[0]])
    out = F.conv2d(inputs["x"], inputs["w"], inputs.get("b"), stride=stride, padding=padding,
                   dilation=dilation, groups=groups)
    r = torch.randn(*out.shape, dtype=torch.float32).double()
    grads = torch.autograd.grad((out * r).sum(), list(inputs.values()))
    cases.append({
        "name": name,
        "params": {"stride": list(stride), "padding": list(padding), "dilation": list(dilation),
                   "groups": groups},
        "inputs": {k: enc(v) for k, v in inputs.items()},
        "R": enc(r),
        "out": enc(out),
        "grads": {k: enc(g) for k, g in zip(inputs.keys(), grads)},
    })


case("batch 1, 3x3 pad 1, bias", [1, 3, 5, 5], [3, 1, 3, 3], True, padding=(1, 1))
case("8 channels, width 10", [2, 8, 9, 10], [8, 1, 3, 3], True, padding=(1, 1))
case("16 channels, width 17, stride 2", [2, 16, 11, 17], [16, 1, 3, 3], False, stride=(2, 2),
     padding=(1, 1))
case("17 channels, width 33, no padding", [1, 17, 6, 33], [17, 1, 3, 3], True)
case("dilation 2 padding 2", [2, 4, 11, 13], [4, 1, 3, 3], True, padding=(2, 2), dilation=(2, 2))
case("channel multiplier 2", [2, 4, 7, 8], [8, 1, 3, 3], True, padding=(1, 1))
case("5x5 stride [1,2] padding 2", [2, 6, 9, 12], [6, 1, 5, 5], False, stride=(1, 2),
     padding=(2, 2))
case("1x3 kernel stride [2,1] padding [0,1]", [2, 5, 7, 9], [5, 1, 1, 3], True, stride=(2, 1),
     padding=(0, 1))
case("3x1 kernel, width 1", [2, 3, 6, 1], [3, 1, 3, 1], True, padding=(1, 0))
case("7x7 padding 3 stride 2", [1, 5, 12, 12], [5, 1, 7, 7], True, stride=(2, 2), padding=(3, 3))
case("kernel as large as padded input", [2, 2, 3, 4], [2, 1, 5, 6], True, padding=(1, 1))
case("batch split across threads", [4, 16, 12, 12], [16, 1, 3, 3], True, padding=(1, 1))
case("stride 3 dilation [1,3] padding [1,3]", [2, 3, 10, 16], [6, 1, 3, 3], False,
     stride=(3, 3), padding=(1, 3), dilation=(1, 3))
case("3x3 padding [2,0] (one-pass path's widest padding)", [2, 3, 5, 7], [3, 1, 3, 3], True,
     padding=(2, 0))
case("3x3 padding [0,2], width 16, multiplier 2", [1, 2, 4, 16], [4, 1, 3, 3], False,
     padding=(0, 2))

out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "conv_depthwise.json")
with open(out, "w") as f:
    json.dump({"generator": "scripts/gen_conv_depthwise_fixtures.py", "torch": torch.__version__,
               "cases": cases}, f, separators=(",", ":"))
print(f"wrote {len(cases)} cases to {out}")
