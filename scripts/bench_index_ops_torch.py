# PyTorch 1.13's times for scripts/bench_index_ops.js (same ops, median of 15, 2 threads):
#   flock -x /tmp/tf-measure.lock /usr/bin/python3 scripts/bench_index_ops_torch.py [n]
import sys, time
import torch

torch.set_num_threads(2)
n = int(sys.argv[1]) if len(sys.argv) > 1 else 4096
torch.manual_seed(0)
x = torch.randn(n, n)
xt = x.t()
idx = torch.randint(0, n, (n, n))
ops = {
    'tril(0)': lambda: torch.tril(x),
    'triu(1)': lambda: torch.triu(x, 1),
    'tril(0) transposed': lambda: torch.tril(xt),
    'gather(1)': lambda: torch.gather(x, 1, idx),
    'gather(0)': lambda: torch.gather(x, 0, idx),
    'topk(16)': lambda: torch.topk(x, 16),
    'topk(16, largest=false)': lambda: torch.topk(x, 16, largest=False),
    'flip(0)': lambda: torch.flip(x, [0]),
    'flip(1)': lambda: torch.flip(x, [1]),
}
print(f'n={n} torch {torch.__version__}')
for name, f in ops.items():
    for _ in range(3): f()
    ts = []
    for _ in range(15):
        t0 = time.perf_counter()
        f()
        ts.append((time.perf_counter() - t0) * 1e3)
    ts.sort()
    print(f'{name:26s} {ts[7]:.2f} ms (min {ts[0]:.2f})')
