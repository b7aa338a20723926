#!/usr/bin/env python3
"""The PyTorch twin of examples/gpt.ts: nanoGPT's character-level model and training recipe.

It replays a run that examples/gpt.ts recorded with --trace: the same initial weights
(<dir>/gpt_init.safetensors, under nanoGPT's parameter names), the same tokens, the same batches in
the same order and the same evaluations (<dir>/gpt_trace.safetensors), the same two AdamW groups,
warmup + cosine schedule and clipping. It prints how far its per-step losses are from tensorfold's
and the ratio of the two per-iteration times.

  node examples/dist/gpt.js --trace --steps 200 --threads 2 --out /tmp/gpt
  /usr/bin/python3 scripts/gpt_torch.py --dir /tmp/gpt --threads 2

PyTorch 1.13 has no F.scaled_dot_product_attention, so attention is nanoGPT's manual path
(softmax(q·kᵀ/√d + causal mask)·v), the same mathematics as tensorfold's fused kernel.

On a shared machine whose cores are oversubscribed, libgomp's spinning worker threads can make
PyTorch many times slower (seconds per step); OMP_WAIT_POLICY=PASSIVE avoids that. Quote both.
"""
import argparse
import json
import math
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {'F32': np.float32, 'F64': np.float64, 'I32': np.int32, 'I64': np.int64}


def read_safetensors(path):
    """Tensors and string metadata of a safetensors file (no safetensors package needed)."""
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop('__metadata__', {})
    out = {}
    for name, h in header.items():
        a, b = h['data_offsets']
        arr = np.frombuffer(data[a:b], dtype=DTYPES[h['dtype']]).reshape(h['shape'])
        out[name] = torch.from_numpy(arr.copy())
    return out, meta


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_head = cfg['nHead']
        self.c_attn = nn.Linear(cfg['nEmbd'], 3 * cfg['nEmbd'])
        self.c_proj = nn.Linear(cfg['nEmbd'], cfg['nEmbd'])
        T = cfg['blockSize']
        self.register_buffer('bias', torch.tril(torch.ones(T, T)).view(1, 1, T, T), persistent=False)

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float('-inf'))
        y = F.softmax(att, dim=-1) @ v
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.c_fc = nn.Linear(cfg['nEmbd'], 4 * cfg['nEmbd'])
        self.c_proj = nn.Linear(4 * cfg['nEmbd'], cfg['nEmbd'])

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln_1 = nn.LayerNorm(cfg['nEmbd'])
        self.attn = CausalSelfAttention(cfg)
        self.ln_2 = nn.LayerNorm(cfg['nEmbd'])
        self.mlp = MLP(cfg)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(cfg['vocabSize'], cfg['nEmbd']),
            wpe=nn.Embedding(cfg['blockSize'], cfg['nEmbd']),
            h=nn.ModuleList([Block(cfg) for _ in range(cfg['nLayer'])]),
            ln_f=nn.LayerNorm(cfg['nEmbd']),
        ))
        self.lm_head = nn.Linear(cfg['nEmbd'], cfg['vocabSize'], bias=False)
        self.lm_head.weight = self.transformer.wte.weight

    def forward(self, idx):
        pos = torch.arange(0, idx.size(1), dtype=torch.long)
        x = self.transformer.wte(idx) + self.transformer.wpe(pos)
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.ln_f(x))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--dir', required=True, help='the --out directory of a `gpt.js --trace` run')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--steps', type=int, default=0, help='replay only the first N steps (0: all)')
    ap.add_argument('--json', default='', help='also write the comparison to this file')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)

    init, _ = read_safetensors(os.path.join(a.dir, 'gpt_init.safetensors'))
    trace, meta = read_safetensors(os.path.join(a.dir, 'gpt_trace.safetensors'))
    cfg = json.loads(meta['config'])
    tokens = trace['tokens'].long()
    train_offsets, eval_offsets = trace['train_offsets'].long(), trace['eval_offsets'].long()
    js_losses, js_ms = trace['losses'].numpy(), trace['step_ms'].numpy()
    T = cfg['blockSize']
    window = torch.arange(T)

    model = GPT(cfg)
    model.load_state_dict(init)
    decay = [p for n, p in model.named_parameters() if n.endswith(('c_attn.weight', 'c_proj.weight', 'c_fc.weight'))]
    ids = {id(p) for p in decay}
    other = [p for p in model.parameters() if id(p) not in ids]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': cfg['weightDecay']},
                             {'params': other, 'weight_decay': 0.0}], lr=cfg['lr'], betas=(0.9, 0.99))
    lr, min_lr, warmup, steps = cfg['lr'], cfg['minLr'], cfg['warmup'], cfg['steps']

    def lr_factor(it):  # nanoGPT's get_lr as a factor of the peak rate
        if it < warmup:
            return (it + 1) / (warmup + 1)
        if it > steps:
            return min_lr / lr
        ratio = (it - warmup) / max(1, steps - warmup)
        return (min_lr + 0.5 * (1 + math.cos(math.pi * ratio)) * (lr - min_lr)) / lr
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)

    def batch(offsets):
        rows = offsets[:, None] + window[None, :]
        return tokens[rows], tokens[rows + 1]

    eval_row = 0
    evals = []

    def estimate():
        nonlocal eval_row
        model.eval()
        out = []
        with torch.no_grad():
            for _ in range(2):  # train, then val: the order gpt.ts drew them in
                s = 0.0
                for _ in range(cfg['evalIters']):
                    x, y = batch(eval_offsets[eval_row])
                    eval_row += 1
                    s += F.cross_entropy(model(x).view(-1, cfg['vocabSize']), y.view(-1)).item()
                out.append(s / cfg['evalIters'])
        model.train()
        return out

    n = min(len(js_losses), a.steps) if a.steps > 0 else len(js_losses)
    js_losses, js_ms = js_losses[:n], js_ms[:n]
    losses, ms = np.zeros(n), np.zeros(n)
    evals.append((0, *estimate()))
    for it in range(n):
        t0 = time.perf_counter()
        x, y = batch(train_offsets[it])
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x).view(-1, cfg['vocabSize']), y.view(-1))
        loss.backward()
        if cfg['gradClip'] > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg['gradClip'])
        opt.step()
        sched.step()
        losses[it] = loss.item()
        ms[it] = (time.perf_counter() - t0) * 1000
        step = it + 1
        if step % cfg['evalInterval'] == 0 or step == steps:
            evals.append((step, *estimate()))

    diff = np.abs(losses - js_losses)
    report = {'steps': n, 'threads': a.threads, 'torch': torch.__version__,
              'loadavg_js_end': meta.get('loadavg', ''), 'loadavg_torch_end': open('/proc/loadavg').read().strip()}
    print(f'replayed {n} steps of {a.dir} on PyTorch {torch.__version__} ({a.threads} threads)')
    for k in sorted({10, 50, 100, 200, 500, n}):
        if k <= n:
            report[f'max_abs_diff_first_{k}'] = float(diff[:k].max())
            print(f'  per-step loss, max |tensorfold - torch| over the first {k:5d} steps: {diff[:k].max():.2e}')
    for i in sorted({0, 1, 9, n // 2, n - 1} & set(range(n))):
        print(f'  step {i + 1:5d}: tensorfold {js_losses[i]:.6f}  torch {losses[i]:.6f}')
    # gpt.ts drew the evaluation batches in the same order: compare the estimates where both made them.
    pairs = list(zip(evals, trace['estimates'].tolist()))
    for (step, tr, va), (_, jtr, jva) in pairs:
        print(f'  step {step:5d} estimate: train {jtr:.4f} | {tr:.4f}   val {jva:.4f} | {va:.4f}   (tensorfold | torch)')
    report['eval_max_abs_diff'] = max(max(abs(tr - jtr), abs(va - jva)) for (_, tr, va), (_, jtr, jva) in pairs)
    skip = min(5, n // 4)  # the first steps include one-time allocation and warm-up
    jm, tm = float(np.median(js_ms[skip:])), float(np.median(ms[skip:]))
    report.update(js_ms_median=jm, torch_ms_median=tm, ratio=jm / tm, js_ms_mean=float(js_ms[skip:].mean()),
                  torch_ms_mean=float(ms[skip:].mean()), evals=evals)
    print(f'  iteration time (median of steps {skip + 1}-{n}): tensorfold {jm:.2f} ms, torch {tm:.2f} ms, '
          f'ratio {jm / tm:.3f}; loadavg at the end of the tensorfold run {report["loadavg_js_end"]!r}, '
          f'of this one {report["loadavg_torch_end"]!r}')
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(report, f, indent=1)


if __name__ == '__main__':
    main()
