# PyTorch 1.13's figures for scripts/bench_conv_shapes.js (same cases, median of 10 after 3
# warm-ups, float32, 2 threads).
# Usage: flock -x /tmp/tf-measure.lock /usr/bin/python3 scripts/bench_conv_shapes_torch.py [filter]
import sys
import time
import torch
import torch.nn.functional as F

torch.set_num_threads(2)
filt = sys.argv[1] if len(sys.argv) > 1 else ''


def median(f, reps=10):
    for _ in range(3):
        f()
    t = []
    for _ in range(reps):
        s = time.perf_counter()
        f()
        t.append((time.perf_counter() - s) * 1e3)
    return sorted(t)[reps // 2]


def row(label, ms):
    print(f'{label:<34} {ms:.3f} ms')


convs = [
    ('r18 3x3 64', [8, 64, 56, 56], [64, 64, 3, 3], dict(padding=1)),
    ('r18 3x3 128', [8, 128, 28, 28], [128, 128, 3, 3], dict(padding=1)),
    ('r18 3x3 256', [8, 256, 14, 14], [256, 256, 3, 3], dict(padding=1)),
    ('r18 3x3 s2 64->128', [8, 64, 56, 56], [128, 64, 3, 3], dict(padding=1, stride=2)),
    ('r18 1x1 256->512', [8, 256, 14, 14], [512, 256, 1, 1], dict()),
    ('r18 1x1 s2 256->512', [8, 256, 14, 14], [512, 256, 1, 1], dict(stride=2)),
    ('r18 stem 7x7 s2', [8, 3, 224, 224], [64, 3, 7, 7], dict(padding=3, stride=2)),
    ('depthwise 3x3 128', [8, 128, 56, 56], [128, 1, 3, 3], dict(padding=1, groups=128)),
    ('cifar 3->32', [64, 3, 32, 32], [32, 3, 3, 3], dict(padding=1)),
    ('cifar 32->64', [64, 32, 32, 32], [64, 32, 3, 3], dict(padding=1)),
]
for name, xs, ws, opts in convs:
    if filt and filt not in name:
        continue
    x = torch.randn(xs)
    w = torch.randn(ws) * 0.1
    with torch.no_grad():
        row(f'{name} fwd', median(lambda: F.conv2d(x, w, None, **opts)))
    x.requires_grad_(True)
    w.requires_grad_(True)
    gy = torch.randn_like(F.conv2d(x, w, None, **opts).detach())

    def step():
        F.conv2d(x, w, None, **opts).backward(gy)
        x.grad = None
        w.grad = None
    row(f'{name} fwd+bwd', median(step))

if not filt or filt in 'batchNorm2d':
    x = torch.randn(8, 64, 56, 56, requires_grad=True)
    wt = torch.ones(64, requires_grad=True)
    b = torch.zeros(64, requires_grad=True)
    gy = torch.randn(8, 64, 56, 56)
    with torch.no_grad():
        row('batchNorm2d fwd', median(lambda: F.batch_norm(x, None, None, wt, b, training=True)))

    def bn_step():
        F.batch_norm(x, None, None, wt, b, training=True).backward(gy)
        x.grad = None
        wt.grad = None
        b.grad = None
    row('batchNorm2d fwd+bwd', median(bn_step))

if not filt or filt in 'maxPool2d':
    x = torch.randn(8, 64, 112, 112, requires_grad=True)
    gy = torch.randn(8, 64, 56, 56)
    with torch.no_grad():
        row('maxPool2d 3x3 s2 fwd', median(lambda: F.max_pool2d(x, 3, 2, 1)))

    def mp_step():
        F.max_pool2d(x, 3, 2, 1).backward(gy)
        x.grad = None
    row('maxPool2d 3x3 s2 fwd+bwd', median(mp_step))
