#!/usr/bin/env python3
"""Reference files for the io and data tests, produced with PyTorch.

    /usr/bin/python3 scripts/gen_io_fixtures.py            # (re)write test/fixtures/io_* (io_dtypes.* included)
    /usr/bin/python3 scripts/gen_io_fixtures.py check F    # load a safetensors file F with torch and print it

The `safetensors` Python package is not installed on this machine, so the file is written by the small
writer below, which follows the format's specification and the reference (Rust) writer's choices:
compact JSON, "__metadata__" first, tensors sorted by dtype size (largest first) then name, header
padded with spaces to a multiple of 8 bytes. The tensor values and their raw bytes come from torch.
`check` is the reverse direction: it parses a file (for example one written by tf.save) with an
independent reader and rebuilds torch tensors with torch.frombuffer.
"""
import gzip
import json
import math
import os
import struct
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "test", "fixtures")

ST_DTYPE = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
    torch.bool: "BOOL",
}
TORCH_DTYPE = {v: k for k, v in ST_DTYPE.items()}


def raw_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: reinterpret the bits
        t = t.view(torch.int16)
    if t.dtype == torch.bool:
        t = t.to(torch.uint8)
    b = t.numpy().tobytes()
    assert sys.byteorder == "little"
    return b


def write_safetensors(path, tensors, metadata=None):
    order = sorted(tensors, key=lambda k: (-tensors[k].element_size(), k))
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs, offset = [], 0
    for name in order:
        t = tensors[name]
        b = raw_bytes(t)
        header[name] = {"dtype": ST_DTYPE[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    body = data[8 + n:]
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        dt = TORCH_DTYPE[info["dtype"]]
        chunk = bytearray(body[b:e])
        if dt == torch.bool:
            t = torch.frombuffer(chunk, dtype=torch.uint8).to(torch.bool) if chunk else torch.zeros(0, dtype=torch.bool)
        else:
            t = torch.frombuffer(chunk, dtype=dt) if chunk else torch.zeros(0, dtype=dt)
        out[name] = t.reshape(info["shape"])
    return out, meta


# The dtypes tensorfold holds as themselves; the rest are converted on load (lib/io/safetensors.ts).
TF_DTYPE = {
    torch.float32: "float32", torch.float64: "float64", torch.int32: "int32", torch.bool: "bool",
    torch.int64: "int64", torch.uint8: "uint8", torch.float16: "float16", torch.bfloat16: "bfloat16",
}


def values(t):
    """Flat values as JSON numbers, non-finite ones as strings (JSON has no NaN)."""
    def enc(v):
        if isinstance(v, float) and not math.isfinite(v):
            return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        return v
    return [enc(v) for v in t.reshape(-1).tolist()]


def gen():
    torch.manual_seed(0)
    f16_special = torch.tensor([float("inf"), float("-inf"), float("nan"), 0.0, -0.0, 65504.0, 5.960464477539063e-08,
                                6.103515625e-05, 1.0, -2.5, 0.333251953125], dtype=torch.float16)
    tensors = {
        "f32": torch.randn(2, 3),
        "f64": torch.randn(4, dtype=torch.float64),
        "i32": torch.randint(-1000, 1000, (2, 2), dtype=torch.int32),
        "flags": torch.rand(5) > 0.5,
        "f16": torch.randn(3, 2).half(),
        "f16_special": f16_special,
        "bf16": torch.randn(4).bfloat16(),
        "i64": torch.arange(-3, 3, dtype=torch.int64) * 1000000,
        "u8": torch.randint(0, 256, (6,), dtype=torch.uint8),
        "i8": torch.randint(-128, 128, (6,), dtype=torch.int8),
        "i16": torch.randint(-32768, 32768, (2, 2), dtype=torch.int16),
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 3),
        "conv.weight": torch.randn(2, 1, 3, 3),
    }
    write_safetensors(os.path.join(FIX, "io_torch.safetensors"), tensors, {"format": "pt", "source": "gen_io_fixtures.py"})
    expected = {}
    for name, t in tensors.items():
        if t.dtype in TF_DTYPE:  # kept as itself
            tf_dtype, conv = TF_DTYPE[t.dtype], t.to(torch.int64 if t.dtype == torch.bool else t.dtype)
        elif t.is_floating_point():
            tf_dtype, conv = "float32", t.to(torch.float32)
        else:
            tf_dtype, conv = "int32", t.to(torch.int32)
        expected[name] = {"dtype": tf_dtype, "shape": list(t.shape), "values": values(conv.double())}
    # Only dtypes tensorfold writes itself: tf.save of what tf.load returns must reproduce it byte for byte.
    plain = {"bias": torch.randn(3, dtype=torch.float64), "weight": torch.randn(3, 2), "step": torch.tensor([7], dtype=torch.int32),
             "mask": torch.tensor([True, False, True])}
    write_safetensors(os.path.join(FIX, "io_torch_plain.safetensors"), plain, {"epoch": "3"})
    # int64 beyond int32: once refused, now kept as int64.
    write_safetensors(os.path.join(FIX, "io_i64_big.safetensors"), {"ids": torch.tensor([1, 2 ** 40], dtype=torch.int64)})

    # A tiny MNIST-style pair, gzip-compressed images and plain labels, written with big-endian
    # headers exactly as the MNIST distribution files are.
    imgs = torch.randint(0, 256, (5, 4, 3), dtype=torch.uint8)
    labels = torch.randint(0, 10, (5,), dtype=torch.uint8)
    with gzip.open(os.path.join(FIX, "io_tiny-images-idx3-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, 5, 4, 3) + imgs.numpy().tobytes())
    with open(os.path.join(FIX, "io_tiny-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">II", 0x801, 5) + labels.numpy().tobytes())
    expected_idx = {"images": {"shape": [5, 4, 3], "values": imgs.reshape(-1).tolist()},
                    "labels": {"shape": [5], "values": labels.tolist()}}

    with open(os.path.join(FIX, "io_expected.json"), "w") as f:
        json.dump({"safetensors": expected, "metadata": {"format": "pt", "source": "gen_io_fixtures.py"},
                   "idx": expected_idx}, f, indent=None)
        f.write("\n")
    print("wrote", len(tensors), "tensors and the IDX pair to", FIX)


def bits(t):
    """Flat stored bit patterns of a tensor as unsigned integers (the half types via an int16 view)."""
    t = t.contiguous().reshape(-1)
    if t.dtype in (torch.float16, torch.bfloat16):
        return [v & 0xFFFF for v in t.view(torch.int16).tolist()]
    if t.dtype == torch.float32:
        return [v & 0xFFFFFFFF for v in t.view(torch.int32).tolist()]
    if t.dtype == torch.float64:
        return [str(v & 0xFFFFFFFFFFFFFFFF) for v in t.view(torch.int64).tolist()]
    return None


def gen_dtypes():
    """io_dtypes.safetensors: every dtype tensorfold holds, with values at the edges of each.

    io_dtypes.json records, per tensor, the dtype tensorfold must load it as, the shape, the values as
    torch prints them (int64 as decimal strings so that no digit is lost to JSON doubles) and, for the
    float dtypes, the stored bit patterns, which tell -0 from 0 and compare NaN exactly.
    """
    f32 = torch.float32
    # float16 rounding: ties to even (1 + 2^-11 -> 1, 1 + 3*2^-11 -> 1 + 2^-9), overflow to inf past
    # 65519.99, subnormals down to 2^-24, half of that rounding to 0 (a tie) and just over it to 2^-24.
    f16_src = torch.tensor([
        0.1, 1 / 3, -2.0 / 3, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 1 + 2 ** -10, 65504.0, 65519.0, 65520.0, -1e6,
        2 ** -24, 2 ** -25, 2 ** -25 * 1.0001, 2 ** -14 - 2 ** -24, 2 ** -14, 3e-6,
        float("inf"), float("-inf"), float("nan"), 0.0, -0.0, -1e-9,
    ], dtype=f32)
    # bfloat16: same 8-bit exponent as float32, 8-bit significand.
    bf16_src = torch.tensor([
        0.1, 1 / 3, -2.0 / 3, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.0e38, 3.4e38, -3.39e38, 1e-38, 2 ** -133, 2 ** -126,
        1.17e-38, float("inf"), float("-inf"), float("nan"), 0.0, -0.0, 123456.0,
    ], dtype=f32)
    tensors = {
        "f16_edges": f16_src.half(),
        "f16_matrix": (torch.randn(3, 4) * 100).half(),
        "f16_scalar": torch.tensor(-0.0, dtype=torch.float16),
        "bf16_edges": bf16_src.bfloat16(),
        "bf16_matrix": (torch.randn(2, 3, 2) * 1e4).bfloat16(),
        "bf16_empty": torch.zeros(0, 5, dtype=torch.bfloat16),
        "i64": torch.tensor([0, -1, 2 ** 31, -2 ** 31 - 1, 2 ** 53, -2 ** 53, 2 ** 53 - 1, 1234567890123,
                             2 ** 63 - 1, -2 ** 63, 2 ** 53 + 1], dtype=torch.int64),
        "i64_matrix": torch.arange(6, dtype=torch.int64).reshape(2, 3) * 3000000000,
        "u8": torch.tensor([0, 1, 127, 128, 200, 254, 255], dtype=torch.uint8),
        "u8_image": torch.randint(0, 256, (2, 3, 4), dtype=torch.uint8),
        "f32": torch.tensor([1.5, -0.0, float("nan"), float("inf"), 1e-45, 3.4028234663852886e38], dtype=f32),
        "f64": torch.tensor([0.1, -0.0, 5e-324, 1.7976931348623157e308, float("-inf")], dtype=torch.float64),
        "i32": torch.tensor([-2 ** 31, 2 ** 31 - 1, 0], dtype=torch.int32),
        "mask": torch.tensor([[True, False], [False, True]]),
    }
    meta = {"format": "pt", "source": "gen_io_fixtures.py gen_dtypes"}
    write_safetensors(os.path.join(FIX, "io_dtypes.safetensors"), tensors, meta)
    expected = {}
    for name, t in tensors.items():
        if t.dtype == torch.int64:
            vals = [str(v) for v in t.reshape(-1).tolist()]
        elif t.dtype == torch.bool:
            vals = t.to(torch.int64).reshape(-1).tolist()
        else:
            vals = values(t.double() if t.is_floating_point() else t.to(torch.int64))
        e = {"dtype": TF_DTYPE[t.dtype], "shape": list(t.shape), "values": vals}
        b = bits(t)
        if b is not None:
            e["bits"] = b
        expected[name] = e
    with open(os.path.join(FIX, "io_dtypes.json"), "w") as f:
        json.dump({"torch": torch.__version__, "metadata": meta, "tensors": expected}, f, indent=None)
        f.write("\n")
    print("wrote", len(tensors), "tensors to io_dtypes.safetensors")


def check(path):
    tensors, meta = read_safetensors(path)
    print("metadata", json.dumps(meta))
    for name, t in tensors.items():
        print(name, str(t.dtype).replace("torch.", ""), list(t.shape), json.dumps(values(t.double() if t.dtype != torch.bool else t.int())))


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "check":
        check(sys.argv[2])
    else:
        gen()
        gen_dtypes()
