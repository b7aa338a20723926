#!/usr/bin/env python3
"""The PyTorch side of `tensorfold bench --compare`.

Defines the workloads of WORKLOADS.md exactly as lib/bench/workloads.ts does (same shapes, models,
hyperparameters, same counted operations) and times them with the same scheme as
lib/bench/runner.ts: warm-up, samples of >= 2 ms (>= 50 ms for per-op rows), the median of 3..200 samples filling about
--time seconds. Progress goes to stderr; with --json, stdout holds only the JSON result.

    /usr/bin/python3 scripts/bench_torch.py --threads 2 --json gemm256 small_add
"""
import argparse
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

N16M = 1 << 24


def gemm(n, dtype=torch.float32):
    def prepare():
        a = torch.randn(n, n, dtype=dtype)
        b = torch.randn(n, n, dtype=dtype)
        return lambda: torch.matmul(a, b)
    return {'unit': 'GFLOP/s', 'count': 2 * n ** 3, 'prepare': prepare}


def bmm_attn():
    q, k, v = torch.randn(8, 8, 256, 64), torch.randn(8, 8, 64, 256), torch.randn(8, 8, 256, 64)
    return lambda: torch.matmul(torch.matmul(q, k), v)


def ew_fma():
    a, b, c = torch.randn(N16M), torch.randn(N16M), torch.randn(N16M)
    return lambda: a.mul(b).add(c)


def ew_exp():
    a = torch.randn(N16M)
    return lambda: a.exp()


def sum16m():
    a = torch.randn(N16M)
    return lambda: a.sum()


def train_step(params, forward, target):
    opt = torch.optim.Adam(params, lr=1e-3)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(forward(), target)
        loss.backward()
        opt.step()
    return step


def mlp():
    l1, l2, l3 = nn.Linear(784, 1024), nn.Linear(1024, 1024), nn.Linear(1024, 10)
    x = torch.randn(256, 784)
    y = torch.randint(0, 10, (256,))
    params = [*l1.parameters(), *l2.parameters(), *l3.parameters()]
    return train_step(params, lambda: l3(l2(l1(x).relu()).relu()), y)


def cnn():
    c1, c2 = nn.Conv2d(1, 32, 3), nn.Conv2d(32, 64, 3)
    pool = nn.MaxPool2d(2)
    f1, f2 = nn.Linear(9216, 128), nn.Linear(128, 10)
    x = torch.randn(64, 1, 28, 28)
    y = torch.randint(0, 10, (64,))
    params = [p for m in (c1, c2, f1, f2) for p in m.parameters()]

    def forward():
        h = pool(c2(c1(x).relu()).relu())
        return f2(f1(h.flatten(1)).relu())
    return train_step(params, forward, y)


def lstm():
    rnn = nn.LSTM(128, 256)
    fc = nn.Linear(256, 10)
    x = torch.randn(32, 32, 128)
    y = torch.randint(0, 10, (32,))
    params = [*rnn.parameters(), *fc.parameters()]

    def forward():
        out, _ = rnn(x)
        return fc(out[-1])
    return train_step(params, forward, y)


def small_add():
    a, b = torch.randn(16), torch.randn(16)

    def step():
        for _ in range(10000):
            a.add(b)
    return step


def small_tape():
    x = torch.randn(16, requires_grad=True)
    b = torch.randn(16)

    def step():
        x.grad = None
        s = x
        for _ in range(2000):
            s = s.mul(1.0001).add(b)
        s.sum().backward()
    return step


class GptBlock(nn.Module):
    """nanoGPT's Block as in lib/bench/gpt.ts; attention is nanoGPT's manual path (torch 1.13 has no SDPA)."""

    def __init__(self, C, nh, block):
        super().__init__()
        self.nh = nh
        self.ln_1, self.ln_2 = nn.LayerNorm(C), nn.LayerNorm(C)
        self.c_attn, self.attn_proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
        self.c_fc, self.mlp_proj = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)
        self.register_buffer('bias', torch.tril(torch.ones(block, block)).view(1, 1, block, block))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q, k, v = [t.view(B, T, self.nh, C // self.nh).transpose(1, 2) for t in (q, k, v)]
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float('-inf'))
        y = F.softmax(att, dim=-1) @ v
        x = x + self.attn_proj(y.transpose(1, 2).contiguous().view(B, T, C))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x))))


def gpt_step():
    vocab, block, layers, heads, embd, batch = 65, 64, 4, 4, 128, 12
    wte, wpe = nn.Embedding(vocab, embd), nn.Embedding(block, embd)
    blocks = nn.ModuleList([GptBlock(embd, heads, block) for _ in range(layers)])
    ln_f = nn.LayerNorm(embd)
    params = [*wte.parameters(), *wpe.parameters(), *ln_f.parameters(), *blocks.parameters()]
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.1}, {'params': no_decay, 'weight_decay': 0.0}],
                            lr=1e-3, betas=(0.9, 0.99))
    data = torch.randint(0, vocab, (batch, block + 1))
    x, y = data[:, :block].contiguous(), data[:, 1:].contiguous()
    pos = torch.arange(0, block)

    def lr_at(it):
        lr, min_lr, warmup, decay_iters = 1e-3, 1e-4, 100, 5000
        if it < warmup:
            return lr * (it + 1) / (warmup + 1)
        if it > decay_iters:
            return min_lr
        r = (it - warmup) / (decay_iters - warmup)
        return min_lr + 0.5 * (1 + math.cos(math.pi * r)) * (lr - min_lr)
    it = [0]

    def step():
        for g in opt.param_groups:
            g['lr'] = lr_at(it[0])
        opt.zero_grad(set_to_none=True)
        h = wte(x) + wpe(pos)
        for b in blocks:
            h = b(h)
        logits = F.linear(ln_f(h), wte.weight)  # nanoGPT's weight-tied lm_head
        loss = F.cross_entropy(logits.view(-1, vocab), y.view(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        it[0] += 1
    return step


def attention():
    q, k, v = [torch.randn(8, 8, 256, 64, requires_grad=True) for _ in range(3)]
    scale = 1.0 / math.sqrt(64)

    def step():
        q.grad = k.grad = v.grad = None
        (F.softmax((q @ k.transpose(-2, -1)) * scale, dim=-1) @ v).sum().backward()
    return step


WORKLOADS = {
    'gemm256': gemm(256),
    'gemm512': gemm(512),
    'gemm1024': gemm(1024),
    'gemm2048': gemm(2048),
    'gemm512_f64': gemm(512, torch.float64),
    'gemm1024_f64': gemm(1024, torch.float64),
    'bmm_attn': {'unit': 'GFLOP/s', 'count': 2 * (2 * 64 * 256 * 64 * 256), 'prepare': bmm_attn},
    'ew_fma_16M': {'unit': 'ms', 'prepare': ew_fma},
    'ew_exp_16M': {'unit': 'ms', 'prepare': ew_exp},
    'sum_16M': {'unit': 'ms', 'prepare': sum16m},
    'mlp_step': {'unit': 'ms/step', 'prepare': mlp},
    'cnn_step': {'unit': 'ms/step', 'prepare': cnn},
    'lstm_step': {'unit': 'ms/step', 'prepare': lstm},
    'small_add': {'unit': 'µs/op', 'count': 10000, 'prepare': small_add},
    'small_tape': {'unit': 'µs/op', 'count': 4000, 'prepare': small_tape},
    'transformer_step': {'unit': 'ms/step', 'prepare': gpt_step},
    'attention': {'unit': 'ms', 'prepare': attention},
}


# Shortest sample of a per-op (µs/op) row in ms: perOpSampleMs in lib/bench/runner.ts.
PER_OP_SAMPLE_MS = 50


def measure(step, target_s, min_sample_ms=2):
    """Median ms per step; the same scheme as measure() in lib/bench/runner.ts."""
    budget_ms = target_s * 1000
    best = float('inf')
    warm_start = time.perf_counter()
    n = 0
    while n < 2 or ((time.perf_counter() - warm_start) * 1000 < budget_ms * 0.1 and n < 1000):
        t0 = time.perf_counter()
        step()
        best = min(best, (time.perf_counter() - t0) * 1000)
        n += 1
    est = max(best, 1e-4)
    inner = max(1, math.ceil(min_sample_ms / est))
    samples = int(min(200, max(3, (budget_ms * 0.9) // (inner * est))))
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(inner):
            step()
        times.append((time.perf_counter() - t0) * 1000 / inner)
    times.sort()
    mid = len(times) // 2
    median = times[mid] if len(times) % 2 else (times[mid - 1] + times[mid]) / 2
    return median, samples, inner


def figure(w, ms):
    if w['unit'] == 'GFLOP/s':
        return w['count'] / (ms * 1e6)
    if w['unit'] == 'µs/op':
        return ms * 1000 / w['count']
    return ms


def run_one(wid, target_s, tag):
    w = WORKLOADS[wid]
    print(tag + ' …', file=sys.stderr, flush=True)
    torch.manual_seed(0)
    try:
        # Only small_tape records a graph; the others match tensorfold's calls, which record
        # nothing because no input requires grad.
        ms, samples, inner = measure(w['prepare'](), target_s,
                                     PER_OP_SAMPLE_MS if w['unit'] == 'µs/op' else 2)
        value = figure(w, ms)
        print('%s: %.4g %s (median of %d samples x %d)' % (tag, value, w['unit'], samples, inner),
              file=sys.stderr, flush=True)
        return {'workload': wid, 'unit': w['unit'], 'value': value, 'msPerStep': ms,
                'samples': samples, 'inner': inner}
    except Exception as e:  # report and go on: one broken workload must not hide the rest
        print('%s: failed: %s' % (tag, e), file=sys.stderr, flush=True)
        return {'workload': wid, 'unit': w['unit'], 'value': None, 'error': str(e)}


def serve(target_s):
    """Line protocol for `tensorfold bench --compare`: one JSON header line, then for each workload
    id read on stdin one JSON row line. The CLI alternates tensorfold and PyTorch workload by
    workload, so a burst of load from elsewhere on the machine hits both sides of a row alike."""
    print(json.dumps({'version': torch.__version__, 'threads': torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        wid = line.strip()
        if not wid:
            continue
        if wid not in WORKLOADS:
            row = {'workload': wid, 'unit': '', 'value': None, 'error': 'unknown workload'}
        else:
            row = run_one(wid, target_s, '[torch] ' + wid)
        print(json.dumps(row), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('workloads', nargs='*', help='workload ids (default: all)')
    p.add_argument('--threads', type=int, default=None)
    p.add_argument('--time', type=float, default=1.5, help='target seconds per workload')
    p.add_argument('--json', action='store_true')
    p.add_argument('--serve', action='store_true', help='read workload ids from stdin, one JSON row per line')
    p.add_argument('--rss', action='store_true',
                   help='run each workload a few steps in this process and print its peak resident memory '
                        '(ru_maxrss) as JSON, with the resident memory after import as baseKB')
    args = p.parse_args()
    unknown = [w for w in args.workloads if w not in WORKLOADS]
    if unknown:
        p.error('unknown workload(s) %s; valid: %s' % (', '.join(unknown), ', '.join(WORKLOADS)))
    if args.threads:
        torch.set_num_threads(args.threads)
    ids = args.workloads or list(WORKLOADS)

    if args.serve:
        serve(args.time)
        return
    if args.rss:
        # One workload per process (the CLI starts one per training row): the peak only grows.
        # VmHWM, not ru_maxrss: Linux carries the parent's ru_maxrss across fork and exec.
        import resource

        def hwm():
            try:
                with open('/proc/self/status') as f:
                    for line in f:
                        if line.startswith('VmHWM:'):
                            return int(line.split()[1])
            except OSError:
                pass
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        base = hwm()
        torch.manual_seed(0)
        for wid in ids:
            step = WORKLOADS[wid]['prepare']()
            t0 = time.perf_counter()
            n = 0
            while n < 3 or (time.perf_counter() - t0 < args.time and n < 50):
                step()
                n += 1
        peak = hwm()
        print(json.dumps({'peakKB': peak, 'baseKB': base, 'steps': n}))
        return
    rows = [run_one(wid, args.time, '[torch %d/%d] %s' % (i + 1, len(ids), wid)) for i, wid in enumerate(ids)]
    result = {'version': torch.__version__, 'threads': torch.get_num_threads(), 'rows': rows}
    if args.json:
        print(json.dumps(result))
    else:
        for r in rows:
            print('%-12s %10s %s' % (r['workload'], '%.4g' % r['value'] if r['value'] is not None else '—', r['unit']))


if __name__ == '__main__':
    main()
