# PyTorch 1.13's figures for scripts/bench_reduce.js (same ops, shapes, median of 15, 2 threads).
# Usage: flock -x /tmp/tf-measure.lock /usr/bin/python3 scripts/bench_reduce_torch.py
import time
import torch

torch.set_num_threads(2)


def median(f, reps=15):
    for _ in range(3):
        f()
    t = []
    for _ in range(reps):
        s = time.perf_counter()
        f()
        t.append((time.perf_counter() - s) * 1e3)
    return sorted(t)[reps // 2]


cases = [
    ('prod(1)', [4096, 4096], torch.float32, lambda x: x.prod(1), 15),
    ('prod(0)', [4096, 4096], torch.float32, lambda x: x.prod(0), 15),
    ('prod()', [4096, 4096], torch.float32, lambda x: x.prod(), 15),
    ('norm()', [4096, 4096], torch.float32, lambda x: x.norm(), 15),
    ('norm(2,1)', [4096, 4096], torch.float32, lambda x: x.norm(2, 1), 15),
    ('norm()', [768, 768], torch.float32, lambda x: x.norm(), 201),
    ('norm()', [768], torch.float32, lambda x: x.norm(), 201),
]
for dt in (torch.float32, torch.float64):
    cases.append(('sum(0)', [4096, 4096], dt, lambda x: x.sum(0), 15))
    for s in ([256, 1024], [768, 128], [768, 384], [3072, 768], [64, 64], [128, 256], [64, 512], [512, 96]):
        cases.append(('sum(0)', s, dt, lambda x: x.sum(0), 101))
with torch.no_grad():
    for name, shape, dt, f, reps in cases:
        x = torch.randn(shape, dtype=dt)
        ms = median(lambda: f(x), reps)
        label = f"{name} [{','.join(map(str, shape))}] {str(dt).replace('torch.', '')}"
        print(f"{label:<34} {ms:.{4 if ms < 0.1 else 3}f} ms")
