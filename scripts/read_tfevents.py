#!/usr/bin/env python3
"""Reads TensorBoard event files independently of tensorfold and prints them as JSON.

    /usr/bin/python3 scripts/read_tfevents.py LOGDIR

Compiles the published TensorBoard protos (the subset in scripts/proto/) with protoc, walks LOGDIR
for events.out.tfevents.* files, checks the TFRecord framing of every record (both masked CRC-32Cs,
computed here by a separate implementation) and parses each record as an Event with the official
protobuf runtime. Exits non-zero on any framing or parse error. Needs Debian's protobuf-compiler and
python3-protobuf. Used by test/tensorboard.test.js.
"""
import base64
import importlib
import json
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.join(HERE, "proto")


def crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


TABLE = crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def compile_protos(out_dir):
    protos = sorted(f for f in os.listdir(PROTO_DIR) if f.endswith(".proto"))
    subprocess.run(["protoc", "-I", PROTO_DIR, "--python_out", out_dir] + protos, check=True)
    sys.path.insert(0, out_dir)
    return {name: importlib.import_module(name + "_pb2") for name in ("event", "hparams", "text")}


def read_records(path):
    with open(path, "rb") as f:
        data = f.read()
    pos = 0
    records = []
    while pos < len(data):
        if pos + 12 > len(data):
            raise ValueError("%s: truncated record header at byte %d" % (path, pos))
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (len_crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        if len_crc != masked(header):
            raise ValueError("%s: bad length CRC at byte %d" % (path, pos))
        body = data[pos + 12:pos + 12 + length]
        if len(body) != length or pos + 16 + length > len(data):
            raise ValueError("%s: truncated record at byte %d" % (path, pos))
        (data_crc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
        if data_crc != masked(body):
            raise ValueError("%s: bad data CRC at byte %d" % (path, pos))
        records.append(body)
        pos += 16 + length
    return records


def hparams_json(pb, content):
    d = pb["hparams"].HParamsPluginData()
    d.ParseFromString(content)
    kind = d.WhichOneof("data")
    out = {"version": d.version, "kind": kind}
    if kind == "experiment":
        out["hparam_infos"] = [
            {"name": h.name, "type": pb["hparams"].DataType.Name(h.type)} for h in d.experiment.hparam_infos
        ]
        out["metric_infos"] = [{"group": m.name.group, "tag": m.name.tag} for m in d.experiment.metric_infos]
    elif kind == "session_start_info":
        hp = {}
        for k, v in d.session_start_info.hparams.items():
            which = v.WhichOneof("kind")
            hp[k] = {"kind": which, "value": getattr(v, which)}
        out["hparams"] = hp
    elif kind == "session_end_info":
        out["status"] = pb["hparams"].Status.Name(d.session_end_info.status)
    return out


def value_json(pb, v):
    out = {"tag": v.tag}
    kind = v.WhichOneof("value")
    if kind == "simple_value":
        out["simple_value"] = v.simple_value
    elif kind == "histo":
        h = v.histo
        out["histo"] = {
            "min": h.min, "max": h.max, "num": h.num, "sum": h.sum, "sum_squares": h.sum_squares,
            "bucket_limit": list(h.bucket_limit), "bucket": list(h.bucket),
        }
    elif kind == "tensor":
        t = v.tensor
        out["tensor"] = {
            "dtype": t.dtype,
            "shape": [d.size for d in t.tensor_shape.dim],
            "string_val": [s.decode("utf-8") for s in t.string_val],
        }
    if v.HasField("metadata"):
        plugin = v.metadata.plugin_data
        meta = {"plugin_name": plugin.plugin_name, "content_b64": base64.b64encode(plugin.content).decode()}
        if plugin.plugin_name == "hparams":
            meta["hparams"] = hparams_json(pb, plugin.content)
        elif plugin.plugin_name == "text":
            t = pb["text"].TextPluginData()
            t.ParseFromString(plugin.content)
            meta["text_version"] = t.version
        out["metadata"] = meta
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: read_tfevents.py LOGDIR")
    logdir = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        pb = compile_protos(tmp)
        files = []
        for root, _, names in sorted(os.walk(logdir)):
            for name in sorted(names):
                if not name.startswith("events.out.tfevents."):
                    continue
                path = os.path.join(root, name)
                events = []
                for body in read_records(path):
                    e = pb["event"].Event()
                    e.ParseFromString(body)
                    ev = {"wall_time": e.wall_time, "step": e.step}
                    what = e.WhichOneof("what")
                    if what == "file_version":
                        ev["file_version"] = e.file_version
                    elif what == "summary":
                        ev["summary"] = [value_json(pb, v) for v in e.summary.value]
                    events.append(ev)
                files.append({"run": os.path.relpath(root, logdir), "name": name, "events": events})
    json.dump({"files": files}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
