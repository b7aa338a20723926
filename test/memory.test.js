// Memory: dispose, tidy, tf.memory(), and a training-style loop that never disposes anything
// staying bounded because native bytes are reported to V8's collector.
const v8 = require('v8');
const vm = require('vm');
const tf = require('..');

// Tensors that earlier code dropped are freed whenever the collector runs, which would make exact
// counts drift; a full collection before each baseline leaves nothing pending.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
function settled() {
  gc();
  gc();
  return tf.memory();
}

describe('memory', () => {
  test('dispose frees the handle and tf.memory() counts live tensors and bytes', () => {
    const before = settled();
    const a = tf.zeros([1000]);
    const b = a.reshape([10, 100]); // a view: same storage, counted once
    const m = tf.memory();
    expect(m.tensors).toBe(before.tensors + 2);
    expect(m.bytes).toBe(before.bytes + 4000);
    a.dispose();
    expect(tf.memory().bytes).toBe(before.bytes + 4000); // b still holds the storage
    b.dispose();
    const { reportedBytes, ...after } = tf.memory();
    expect(after.cachedBytes).toBe(before.cachedBytes);
    expect({ tensors: after.tensors, bytes: after.bytes }).toEqual({ tensors: before.tensors, bytes: before.bytes });
    expect(reportedBytes).toBeGreaterThanOrEqual(after.bytes);
    expect(() => a.add(1)).toThrow(/add: tensor has been disposed/);
    a.dispose(); // disposing twice is harmless
  });

  test('tidy disposes what fn creates except what it returns', () => {
    const before = settled().tensors;
    const kept = tf.tidy(() => {
      const x = tf.ones([3]);
      const y = x.mul(2).add(1);
      return { y, list: [x.sum()] };
    });
    expect(tf.memory().tensors).toBe(before + 2);
    expect(kept.y.toArray()).toEqual([3, 3, 3]);
    expect(kept.list[0].item()).toBe(3);
    tf.dispose(kept);
    expect(tf.memory().tensors).toBe(before);
  });

  test('nested tidy hands returned tensors to the outer scope; keep() survives', () => {
    const before = settled().tensors;
    let inner;
    let kept;
    tf.tidy(() => {
      inner = tf.tidy(() => tf.ones([2]).mul(3));
      kept = tf.keep(tf.ones([1]));
      expect(inner.isDisposed).toBe(false);
      return null;
    });
    expect(inner.isDisposed).toBe(true);
    expect(kept.isDisposed).toBe(false);
    kept.dispose();
    expect(tf.memory().tensors).toBe(before);
  });

  test('tidy disposes on throw and rejects async functions', () => {
    const before = settled().tensors;
    expect(() => tf.tidy(() => { tf.ones([4]); throw new Error('boom'); })).toThrow('boom');
    expect(tf.memory().tensors).toBe(before);
    expect(() => tf.tidy(async () => tf.ones([1]))).toThrow(/synchronous/);
  });

  test('a training loop that never disposes stays bounded (finalizers + external memory)', () => {
    // 3,000 steps, each allocating ~3 MB of native tensors that are never disposed: 9 GB if leaked.
    const w = tf.randn([512, 512], { requiresGrad: true });
    const x = tf.randn([64, 512]);
    const rss = [];
    for (let step = 0; step < 3000; step++) {
      const loss = x.matmul(w).relu().sum();
      loss.backward();
      w.grad = null;
      if (step === 300 || step === 2999) {
        gc();
        rss.push(process.memoryUsage().rss);
      }
    }
    const growth = (rss[1] - rss[0]) / 1e6;
    // Flat within noise: far less than the 8 GB the un-collected tensors would take.
    expect(growth).toBeLessThan(300);
  });
});

describe('what V8 is told of tensor memory', () => {
  const { PerformanceObserver, constants } = require('perf_hooks');
  const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

  // First in this file's big allocations: what V8 was told is then close to what is live.
  test('disposed memory is reported gone within two windows of a second; a rise at once', () => {
    settled();
    const reported = () => tf.memory().reportedBytes;
    const base = reported();
    const big = tf.zeros([1 << 26]); // 256 MiB
    expect(reported() - base).toBeGreaterThanOrEqual(256 << 20);
    big.dispose();
    // Freed by the program: V8 still counts it (the peak of the current window) ...
    expect(reported() - base).toBeGreaterThanOrEqual(256 << 20);
    // ... until two window ends have passed; a free of 1 MiB or more is when the clock is read.
    for (let k = 0; k < 2; k++) {
      sleep(1100);
      tf.zeros([1 << 19]).dispose();
    }
    expect(reported() - base).toBeLessThan(16 << 20);
    expect(tf.memory().bytes).toBeLessThan(1 << 20);
  });

  test('memory freed by the collector is reported at once', () => {
    settled();
    const base = tf.memory().reportedBytes;
    (() => tf.zeros([1 << 26]))(); // dropped at once, never disposed
    expect(tf.memory().reportedBytes).toBeGreaterThanOrEqual(tf.memory().bytes);
    expect(tf.memory().bytes).toBeGreaterThanOrEqual(256 << 20);
    settled();
    expect(tf.memory().reportedBytes - base).toBeLessThan(16 << 20);
  });

  test('a loop that frees its own 64 MiB temporaries (tidy) triggers no full collection per step', async () => {
    settled();
    const n = 1 << 24; // 64 MiB of float32
    const [a, b] = [tf.ones([n]), tf.full([n], 2)];
    const majors = [];
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors.push(e);
    });
    obs.observe({ entryTypes: ['gc'] });
    // Each step holds 3 x 64 MiB more than the step before it ended; reported exactly, that rise
    // made V8 start a full collection in every step.
    for (let step = 0; step < 20; step++) tf.tidy(() => { a.mul(b); a.add(b); b.sub(a); });
    await new Promise((r) => setTimeout(r, 50));
    obs.disconnect();
    expect(majors.length).toBeLessThanOrEqual(3);
    tf.dispose([a, b]);
  });
});

describe('block cache', () => {
  test('freed large blocks are reused (bounded), counted in cachedBytes, and released by emptyCache', () => {
    tf.emptyCache();
    expect(tf.memory().cachedBytes).toBe(0);
    const a = tf.ones([1 << 20]); // 4 MiB
    a.dispose();
    gc();
    const cached = tf.memory().cachedBytes;
    expect(cached).toBeGreaterThanOrEqual(4 << 20);
    // The next tensor of that size takes the cached block (and is still correctly filled).
    const b = tf.zeros([1 << 20]);
    expect(tf.memory().cachedBytes).toBeLessThanOrEqual(cached - (4 << 20));
    expect(b.sum().item()).toBe(0);
    const c = tf.full([1 << 20], 2);
    expect(c.sum().item()).toBe(2 * (1 << 20));
    b.dispose();
    c.dispose();
    tf.emptyCache();
    expect(tf.memory().cachedBytes).toBe(0);
  });

  test('blocks from 128 KiB up are cached too (malloc would trim and refault them), smaller ones are not', () => {
    tf.emptyCache();
    const small = tf.ones([16384]); // 64 KiB: left to malloc
    small.dispose();
    expect(tf.memory().cachedBytes).toBe(0);
    const mid = tf.ones([65536]); // 256 KiB
    mid.dispose();
    expect(tf.memory().cachedBytes).toBeGreaterThanOrEqual(256 << 10);
    // A result of that size takes the block and is filled correctly; twice in one tidy (two blocks).
    for (let i = 0; i < 3; i++) {
      const s = tf.tidy(() => tf.zeros([65536]).add(tf.full([65536], 3)).sum().item());
      expect(s).toBe(3 * 65536);
    }
    expect(tf.zeros([65536]).sum().item()).toBe(0);
    tf.emptyCache();
    expect(tf.memory().cachedBytes).toBe(0);
  });
});

describe('handles of disposed tensors are reused', () => {
  // Tensor.dispose() (and tidy) give the native handle back for the next result; the disposed
  // Tensor holds a permanently disposed handle instead, so it keeps failing clearly.
  test('the next result reuses the handle; the disposed tensor stays disposed', () => {
    const a = tf.tensor([1, 2, 3]);
    const h = a._h;
    a.dispose();
    expect(a.isDisposed).toBe(true);
    const b = tf.tensor([7, 8, 9]);
    expect(b._h).toBe(h);
    expect(a.isDisposed).toBe(true);
    expect(() => a.toArray()).toThrow(/tensor has been disposed/);
    expect(() => a.add(1)).toThrow(/add: tensor has been disposed/);
    expect(b.toArray()).toEqual([7, 8, 9]);
    a.dispose(); // twice: harmless, and b is untouched
    expect(b.isDisposed).toBe(false);
    expect(b.add(1).toArray()).toEqual([8, 9, 10]);
    b.dispose();
  });

  test('tidy gives handles back too; counts and values stay exact through many reuses', () => {
    const before = settled();
    const x = tf.arange(0, 16);
    let sum = 0;
    for (let i = 0; i < 5000; i++) {
      const y = tf.tidy(() => x.add(i).mul(2).sum());
      sum += y.item();
      y.dispose();
    }
    // sum over i of 2 * (120 + 16 i)
    expect(sum).toBe(2 * (120 * 5000 + 16 * (4999 * 5000) / 2));
    x.dispose();
    const after = tf.memory();
    expect({ tensors: after.tensors, bytes: after.bytes }).toEqual({ tensors: before.tensors, bytes: before.bytes });
  });

  test('a burst of disposals larger than the pool, then as many new tensors', () => {
    const before = settled();
    const ts = [];
    for (let i = 0; i < 3000; i++) ts.push(tf.full([4], i));
    for (const t of ts) t.dispose();
    expect(tf.memory().tensors).toBe(before.tensors);
    const again = [];
    for (let i = 0; i < 3000; i++) again.push(tf.full([4], i + 0.5));
    for (let i = 0; i < 3000; i++) expect(again[i].toArray()).toEqual([i + 0.5, i + 0.5, i + 0.5, i + 0.5]);
    for (const t of ts) expect(t.isDisposed).toBe(true);
    expect(tf.memory().tensors).toBe(before.tensors + 3000);
    tf.dispose(again);
    const after = settled();
    expect({ tensors: after.tensors, bytes: after.bytes }).toEqual({ tensors: before.tensors, bytes: before.bytes });
  });

  test('a view keeps its storage when its base is disposed and the base handle is reused', () => {
    const a = tf.tensor([[1, 2], [3, 4]]);
    const v = a.transpose(0, 1);
    a.dispose();
    const c = tf.tensor([5, 6]);
    expect(v.toArray()).toEqual([[1, 3], [2, 4]]);
    expect(c.toArray()).toEqual([5, 6]);
    tf.dispose([v, c]);
  });
});
