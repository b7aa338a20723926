#!/usr/bin/env python3
"""Reference files for the io and data tests, produced with PyTorch.

    /usr/bin/python3 scripts/gen_io_fixtures.py            # (re)write test/fixtures/io_*
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
        if t.is_floating_point():
            tf_dtype = "float64" if t.dtype == torch.float64 else "float32"
            conv = t.to(torch.float64 if t.dtype == torch.float64 else torch.float32)
        elif t.dtype == torch.bool:
            tf_dtype, conv = "bool", t.to(torch.int32)
        else:
            tf_dtype, conv = "int32", t.to(torch.int32)
        expected[name] = {"dtype": tf_dtype, "shape": list(t.shape), "values": values(conv.double())}
    # Only dtypes tensorfold writes itself: tf.save of what tf.load returns must reproduce it byte for byte.
    plain = {"bias": torch.randn(3, dtype=torch.float64), "weight": torch.randn(3, 2), "step": torch.tensor([7], dtype=torch.int32),
             "mask": torch.tensor([True, False, True])}
    write_safetensors(os.path.join(FIX, "io_torch_plain.safetensors"), plain, {"epoch": "3"})
    # int64 beyond int32: tensorfold must refuse rather than wrap around.
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
