# PyTorch 1.13's figures for scripts/bench_backward.js (same ops, shapes and output gradients; median of
# `reps` after 3 warm-ups, 2 threads). "fwd" is the recorded forward alone, "f+b" forward + backward(g).
# Usage: flock -x /tmp/tf-measure.lock /usr/bin/python3 scripts/bench_backward_torch.py [filter]
import sys
import time
import torch
import torch.nn.functional as F

torch.set_num_threads(2)
filt = sys.argv[1] if len(sys.argv) > 1 else ''


def median(f, reps):
    for _ in range(3):
        f()
    t = []
    for _ in range(reps):
        s = time.perf_counter()
        f()
        t.append((time.perf_counter() - s) * 1e3)
    return sorted(t)[reps // 2]


def leaf(shape):
    return torch.randn(shape).requires_grad_()


def ints(shape, hi):
    return torch.randint(0, hi, shape)


cases = []


def add(name, make, reps=15):
    cases.append((name, make, reps))


A = [4096, 512]
S = [32, 128, 768]


def one(shape, f):
    def make():
        x = leaf(shape)
        return [x], lambda: f(x)
    return make


add('softmax(-1) [4096,512]', one(A, lambda x: x.softmax(-1)))
add('logSoftmax(-1) [4096,512]', one(A, lambda x: x.log_softmax(-1)))
add('softmax(-1) [32,12,128,128]', one([32, 12, 128, 128], lambda x: x.softmax(-1)))


def ln():
    x, w, b = leaf(S), leaf([768]), leaf([768])
    return [x, w, b], lambda: F.layer_norm(x, [768], w, b)


add('layerNorm [32,128,768] w,b', ln)


def ce(n, c):
    def make():
        x, t = leaf([n, c]), ints([n], c)
        return [x], lambda: F.cross_entropy(x, t)
    return make


add('crossEntropy [4096,1000]', ce(4096, 1000))
add('crossEntropy [1024,50257]', ce(1024, 50257), 7)


def emb():
    w, i = leaf([50257, 768]), ints([8, 128], 50257)
    return [w], lambda: F.embedding(i, w)


add('embedding 50257x768 [8,128]', emb)
add('gelu [4096,2048]', one([4096, 2048], F.gelu))
add('gelu(tanh) [4096,2048]', one([4096, 2048], lambda x: F.gelu(x, approximate='tanh')))
add('silu [4096,2048]', one([4096, 2048], F.silu))
add('relu [4096,2048]', one([4096, 2048], torch.relu))
add('tanh [4096,2048]', one([4096, 2048], torch.tanh))
add('dropout(0.1) [32,128,768]', one(S, lambda x: F.dropout(x, 0.1)))


def two(sa, sb, f):
    def make():
        a, b = leaf(sa), leaf(sb)
        return [a, b], lambda: f(a, b)
    return make


add('matmul a@wT [4096,768]x[768,768]T', two([4096, 768], [768, 768], lambda a, w: a @ w.t()))
add('bmm q@kT [384,128,64]', two([384, 128, 64], [384, 128, 64], lambda q, k: q @ k.transpose(-2, -1)))


def lin(xs, o, reps=15):
    def make():
        x, w, b = leaf(xs), leaf([o, xs[-1]]), leaf([o])
        return [x, w, b], lambda: F.linear(x, w, b)
    return make


add('linear [4096,768]->3072 w,b', lin([4096, 768], 3072), 7)
add('linear [32,128,768]->768 w,b', lin(S, 768))
add('add bias [4096,512]+[512]', two(A, [512], lambda x, b: x + b))
add('mul [4096,512]*[4096,512]', two(A, A, lambda x, y: x * y))
add('sum(-1) [4096,512]', one(A, lambda x: x.sum(-1)))
add('mean(0) [4096,512]', one(A, lambda x: x.mean(0)))
add('sum() [4096,512]', one(A, lambda x: x.sum()))


def mse():
    x, y = leaf(A), torch.randn(A)
    return [x], lambda: F.mse_loss(x, y)


add('mseLoss [4096,512]', mse)


def wh():
    x, y, m = leaf(A), leaf(A), torch.rand(A) < 0.5
    return [x, y], lambda: torch.where(m, x, y)


add('where [4096,512]', wh)


def mf():
    x, m = leaf([32, 12, 128, 128]), torch.ones(128, 128).triu(1) > 0
    return [x], lambda: x.masked_fill(m, -1e9)


add('maskedFill [32,12,128,128] causal', mf)


def cat(f):
    def make():
        xs = [leaf([4096, 256]) for _ in range(3)]
        return xs, lambda: f(xs)
    return make


add('concat 3x[4096,256] dim1', cat(lambda xs: torch.cat(xs, 1)))
add('stack 3x[4096,256] dim0', cat(lambda xs: torch.stack(xs, 0)))
add('narrow(1,128,256) [4096,512]', one(A, lambda x: x.narrow(1, 128, 256)))
add("index(':', '::2') [4096,512]", one(A, lambda x: x[:, ::2]))


def idx():
    x, i = leaf(A), ints([1024], 4096)
    return [x], lambda: x[i]


add('index(int32[1024]) [4096,512]', idx)


def gat():
    x, i = leaf(A), ints([4096, 64], 512)
    return [x], lambda: x.gather(1, i)


add('gather(1) [4096,512] k=64', gat)
add('transpose(0,1).contiguous [32,128,768]', one(S, lambda x: x.transpose(0, 1).contiguous()))
add('heads permute [32,128,12,64]->[32,12,128,64]',
    one(S, lambda x: x.reshape(32, 128, 12, 64).permute(0, 2, 1, 3).contiguous()))
add('maxPool2d(2) [32,64,56,56]', one([32, 64, 56, 56], lambda x: F.max_pool2d(x, 2)))
add('avgPool2d(2) [32,64,56,56]', one([32, 64, 56, 56], lambda x: F.avg_pool2d(x, 2)))

for name, make, reps in cases:
    if filt and filt not in name:
        continue
    leaves, f = make()
    y0 = f()
    g = None if y0.dim() == 0 else torch.randn(y0.shape)
    del y0
    fwd = median(lambda: f(), reps)

    def both():
        y = f()
        y.backward(g)
        for l in leaves:
            l.grad = None
    fb = median(both, reps)
    print(f"{name:<46} fwd {fwd:9.3f}  f+b {fb:9.3f} ms")
