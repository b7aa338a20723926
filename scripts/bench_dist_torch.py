#!/usr/bin/env python3
"""PyTorch's gloo allreduce on this machine, for `tensorfold bench --distributed`.

Same sizes, dtype (float32), in-place sum and timing method as the tensorfold ranks
(lib/bench/distributed.ts): warm-up, a probe that rank 0 broadcasts to fix the repeat count,
then five timed batches of repeats, each after a barrier, keeping the median batch. Prints one JSON line: [{bytes, us, busGBs}, ...].

    python3 scripts/bench_dist_torch.py --np 2 --time 0.4
"""
import argparse
import json
import os
import socket
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

SIZES = [4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20, 64 << 20]


def rank_main(rank, n, port, budget, out):
    torch.set_num_threads(1)
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    dist.init_process_group("gloo", rank=rank, world_size=n)
    rows = []
    w = torch.ones(1024)
    for _ in range(200):
        dist.all_reduce(w)
    for nbytes in SIZES:
        t = torch.ones(nbytes // 4)
        for _ in range(3):
            dist.all_reduce(t)
        dist.barrier()
        t0 = time.perf_counter()
        dist.all_reduce(t)
        probe = torch.tensor([time.perf_counter() - t0], dtype=torch.float64)
        dist.broadcast(probe, 0)
        reps = max(5, min(2000, round(budget / max(probe.item(), 1e-6))))
        per = max(1, reps // 5)
        batches = []
        for _ in range(5):
            dist.barrier()
            t0 = time.perf_counter()
            for _ in range(per):
                dist.all_reduce(t)
            batches.append((time.perf_counter() - t0) / per)
        s = sorted(batches)[2]
        rows.append({"bytes": nbytes, "us": s * 1e6, "busGBs": nbytes * 2 * (n - 1) / n / s / 1e9})
    if rank == 0:
        out.put(rows)
    dist.destroy_process_group()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--np", type=int, default=2)
    p.add_argument("--time", type=float, default=0.4)
    a = p.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctx = mp.get_context("spawn")
    q = ctx.SimpleQueue()
    procs = [ctx.Process(target=rank_main, args=(r, a.np, port, a.time, q)) for r in range(a.np)]
    for pr in procs:
        pr.start()
    rows = q.get()
    for pr in procs:
        pr.join()
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
