#!/usr/bin/env python3
"""Reference values for convolution and pooling, from PyTorch.

Run with the system Python that has torch (CI has no torch, so the output is committed):
    /usr/bin/python3 scripts/gen_conv_fixtures.py        # writes test/fixtures/conv.json

Each case holds the inputs (float32 values), the output, and the gradients of sum(out * R) for a
fixed random R with respect to every input. Inputs are float32 numbers; the references are computed
in float64 from those same numbers, so the only error left in a comparison is the engine's.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1234)


def t(shape):
    # float32-representable values, kept in float64 for the reference computation
    return torch.randn(*shape, dtype=torch.float32).double().requires_grad_(True)


def flat(x):
    # 9 significant digits: exact for the float32 inputs, far below the tests' tolerance otherwise.
    return [float(f"{v:.9g}") for v in x.detach().reshape(-1).tolist()]


def enc(x):
    return {"shape": list(x.shape), "data": flat(x)}


def run_case(case, fn, inputs):
    out = fn(*[inputs[k] for k in inputs])
    r = torch.randn(*out.shape, dtype=torch.float32).double()
    grads = torch.autograd.grad((out * r).sum(), list(inputs.values()))
    case["inputs"] = {k: enc(v) for k, v in inputs.items()}
    case["R"] = enc(r)
    case["out"] = enc(out)
    case["grads"] = {k: enc(g) for k, g in zip(inputs.keys(), grads)}
    return case


cases = []


def conv2d_case(name, xs, ws, bias, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
    inputs = {"x": t(xs), "w": t(ws)}
    if bias:
        inputs["b"] = t([ws[0]])
    params = {"stride": list(stride), "padding": list(padding), "dilation": list(dilation),
              "groups": groups}

    def fn(x, w, b=None):
        return F.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

    cases.append(run_case({"op": "conv2d", "name": name, "params": params}, fn, inputs))


def conv1d_case(name, xs, ws, bias, stride=1, padding=0, dilation=1, groups=1):
    inputs = {"x": t(xs), "w": t(ws)}
    if bias:
        inputs["b"] = t([ws[0]])
    params = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}

    def fn(x, w, b=None):
        return F.conv1d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

    cases.append(run_case({"op": "conv1d", "name": name, "params": params}, fn, inputs))


def max_pool_case(name, xs, kernel, stride, padding=(0, 0), dilation=(1, 1), ceil_mode=False):
    params = {"kernel": list(kernel), "stride": list(stride), "padding": list(padding),
              "dilation": list(dilation), "ceilMode": ceil_mode}

    def fn(x):
        return F.max_pool2d(x, kernel, stride, padding, dilation, ceil_mode=ceil_mode)

    cases.append(run_case({"op": "max_pool2d", "name": name, "params": params}, fn, {"x": t(xs)}))


def avg_pool_case(name, xs, kernel, stride, padding=(0, 0), ceil_mode=False, count_include_pad=True):
    params = {"kernel": list(kernel), "stride": list(stride), "padding": list(padding),
              "ceilMode": ceil_mode, "countIncludePad": count_include_pad}

    def fn(x):
        return F.avg_pool2d(x, kernel, stride, padding, ceil_mode=ceil_mode,
                            count_include_pad=count_include_pad)

    cases.append(run_case({"op": "avg_pool2d", "name": name, "params": params}, fn, {"x": t(xs)}))


conv2d_case("basic 3x3 with bias", [2, 3, 7, 6], [4, 3, 3, 3], True)
conv2d_case("stride 2 padding 1", [2, 3, 8, 7], [5, 3, 3, 3], True, stride=(2, 2), padding=(1, 1))
conv2d_case("dilation 2, stride [1,2], no bias", [2, 2, 9, 9], [3, 2, 3, 3], False, stride=(1, 2),
            padding=(2, 2), dilation=(2, 2))
conv2d_case("groups 2, rectangular kernel", [2, 4, 6, 6], [6, 2, 3, 2], True, stride=(2, 1),
            padding=(1, 0), groups=2)
conv2d_case("pointwise 1x1", [2, 5, 4, 4], [3, 5, 1, 1], True)
conv2d_case("1x1 stride 2", [2, 5, 5, 5], [3, 5, 1, 1], False, stride=(2, 2))
conv2d_case("depthwise", [1, 3, 5, 5], [3, 1, 3, 3], True, padding=(1, 1), groups=3)
conv2d_case("batch split across threads", [4, 8, 8, 8], [16, 8, 3, 3], True, padding=(1, 1))
conv2d_case("grouped, batch split across threads", [4, 8, 12, 12], [16, 4, 3, 3], True,
            padding=(1, 1), groups=2)
conv2d_case("pointwise, batch split across threads", [4, 24, 8, 8], [48, 24, 1, 1], True)
conv2d_case("kernel as large as padded input", [1, 2, 3, 4], [2, 2, 5, 6], True, padding=(1, 1))
conv1d_case("conv1d stride 2 padding 1", [2, 3, 10], [4, 3, 3], True, stride=2, padding=1)
conv1d_case("conv1d groups 3 dilation 2", [2, 3, 11], [6, 1, 3], False, dilation=2, groups=3)

max_pool_case("2x2 stride 2", [2, 3, 8, 8], (2, 2), (2, 2))
max_pool_case("3x3 stride 2 padding 1", [2, 2, 7, 7], (3, 3), (2, 2), (1, 1))
max_pool_case("3x3 stride 2 padding 1 ceil", [2, 2, 8, 8], (3, 3), (2, 2), (1, 1), ceil_mode=True)
max_pool_case("2x2 stride 2 ceil on odd size", [1, 2, 7, 5], (2, 2), (2, 2), ceil_mode=True)
max_pool_case("dilated rectangular", [2, 2, 9, 8], (2, 3), (1, 2), (1, 1), (2, 1))
max_pool_case("stride 1 overlapping", [1, 3, 6, 6], (3, 3), (1, 1))

avg_pool_case("2x2 stride 2", [2, 3, 8, 8], (2, 2), (2, 2))
avg_pool_case("3x3 stride 2 padding 1 include pad", [2, 2, 7, 7], (3, 3), (2, 2), (1, 1))
avg_pool_case("3x3 stride 2 padding 1 exclude pad", [2, 2, 7, 7], (3, 3), (2, 2), (1, 1),
              count_include_pad=False)
avg_pool_case("ceil with padding, include pad", [1, 2, 8, 6], (3, 2), (2, 2), (1, 1), ceil_mode=True)
avg_pool_case("ceil with padding, exclude pad", [1, 2, 8, 6], (3, 2), (2, 2), (1, 1), ceil_mode=True,
              count_include_pad=False)
avg_pool_case("stride 1 rectangular", [2, 1, 5, 6], (2, 3), (1, 1))

out_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures",
                        "conv.json")
os.makedirs(os.path.dirname(out_path), exist_ok=True)
with open(out_path, "w") as f:
    json.dump({"generator": "scripts/gen_conv_fixtures.py", "torch": torch.__version__,
               "cases": cases}, f, separators=(",", ":"))
print(f"wrote {len(cases)} cases to {os.path.normpath(out_path)}")
