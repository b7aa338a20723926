// The storage dtypes (int64, uint8, float16, bfloat16) as the engine holds them: the dtype list
// agrees across layers, every float16 / bfloat16 bit pattern decodes as IEEE says, float32 values
// round to nearest even, int64 goes in and out as BigInt64Array, int64 index tensors work wherever
// int32 ones do, and training runs end to end in the half dtypes (nn layers, optimizers, clipping).
// Values against PyTorch: test/dtype_storage.test.js.
const tf = require('../dist');
const native = require('../build/Release/tensorfold.node');
const { DTYPES } = require('../dist/args');
const { expectThrowsKind } = require('./helpers');

// IEEE binary16 bits -> number, written independently of the engine's conversion.
function halfToNumber(h) {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
function bf16ToNumber(b) {
  const buf = new DataView(new ArrayBuffer(4));
  buf.setUint32(0, b << 16);
  return buf.getFloat32(0);
}
const sameValue = (a, b) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

describe('dtype list', () => {
  test('the engine and the TypeScript layer list the same dtypes in the same order', () => {
    expect(native.dtypeNames).toEqual(DTYPES);
    expect(native.dtypeSizes).toEqual([4, 8, 4, 1, 8, 1, 2, 2]);
    expect(DTYPES).toEqual(['float32', 'float64', 'int32', 'bool', 'int64', 'uint8', 'float16', 'bfloat16']);
  });
  test('every dtype round-trips through zeros, ones, to and its own name', () => {
    for (const dt of DTYPES) {
      expect(tf.zeros([2], { dtype: dt }).dtype).toBe(dt);
      expect(tf.ones([3], { dtype: dt }).toArray()).toEqual(dt === 'bool' ? [true, true, true] : [1, 1, 1]);
      for (const to of DTYPES) expect(tf.ones([1], { dtype: dt }).to(to).dtype).toBe(to);
    }
  });
});

describe('half-precision bits', () => {
  const all = new Uint8Array(65536 * 2);
  for (let i = 0; i < 65536; i++) { all[2 * i] = i & 0xff; all[2 * i + 1] = i >> 8; }
  test.each([['float16', halfToNumber], ['bfloat16', bf16ToNumber]])('all 65536 %s patterns decode exactly', (dt, decode) => {
    const t = new tf.Tensor(native.fromBytes(all, [65536], DTYPES.indexOf(dt)));
    const v = t.toTypedArray();
    expect(v.constructor.name).toBe('Float32Array');
    let bad = 0;
    for (let i = 0; i < 65536; i++) if (!sameValue(v[i], decode(i))) bad++;
    expect(bad).toBe(0);
    // And back: every non-NaN pattern is reproduced bit for bit by float32 -> dtype.
    const back = native.toBytes(t.to('float32').to(dt)._h);
    for (let i = 0; i < 65536; i++) {
      if (Number.isNaN(decode(i))) continue;
      if (back[2 * i] !== all[2 * i] || back[2 * i + 1] !== all[2 * i + 1]) bad++;
    }
    expect(bad).toBe(0);
  });
  test('float32 -> float16 rounds to nearest, ties to even, overflows to inf, keeps NaN and -0', () => {
    const x = tf.tensor([1 + 2 ** -11, 1 + 3 * 2 ** -11, 65504, 65519.99, 65520, -70000, 2 ** -25, 2 ** -25 * 1.0001, -0, NaN],
      { dtype: 'float32' });
    const r = Array.from(x.to('float16').toTypedArray());
    expect(r.slice(0, 8)).toEqual([1, 1 + 4 * 2 ** -11, 65504, 65504, Infinity, -Infinity, 0, 2 ** -24]);
    expect(Object.is(r[8], -0)).toBe(true);
    expect(Number.isNaN(r[9])).toBe(true);
  });
  test('float32 -> bfloat16 rounds to nearest, ties to even', () => {
    const x = tf.tensor([1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.4e38, NaN], { dtype: 'float32' });
    const r = Array.from(x.to('bfloat16').toTypedArray());
    expect(r.slice(0, 2)).toEqual([1, 1 + 4 * 2 ** -8]);
    expect(r[2]).toBe(Infinity);  // above bfloat16's largest finite value after rounding
    expect(Number.isNaN(r[3])).toBe(true);
  });
});

describe('int64 and uint8', () => {
  test('BigInt64Array in and out, exact beyond 2^31 and 2^53', () => {
    const big = [1n, -5n, 2n ** 40n + 1n, 2n ** 53n + 1n, -(2n ** 62n)];
    const t = tf.tensor(new BigInt64Array(big));
    expect(t.dtype).toBe('int64');
    expect(Array.from(t.toTypedArray())).toEqual(big);
    expect(Array.from(t.add(t).toTypedArray())).toEqual(big.map((v) => BigInt.asIntN(64, v * 2n)));
    expect(t.index(2).item()).toBe(2 ** 40 + 1);
    expect(tf.tensor([3, -7, 2 ** 40], { dtype: 'int64' }).toArray()).toEqual([3, -7, 2 ** 40]);
  });
  test('uint8 wraps as PyTorch does and promotes with int32 to int32', () => {
    const u = tf.tensor([250, 3, 0], { dtype: 'uint8' });
    expect(u.add(10).toArray()).toEqual([4, 13, 10]);
    expect(u.sub(tf.tensor([251, 0, 1], { dtype: 'uint8' })).toArray()).toEqual([255, 3, 255]);
    expect(u.add(tf.tensor([1, 1, 1], { dtype: 'int32' })).dtype).toBe('int32');
    expect(u.div(2).dtype).toBe('float32');
    expect(u.sum().toArray()).toBe(253);  // int32, no wrap at 255
    expect(u.max().dtype).toBe('uint8');
  });
  test('int64 index tensors work wherever int32 ones do', () => {
    const x = tf.arange(12).reshape([3, 4]).to('float32');
    const i64 = tf.tensor([2, 0], { dtype: 'int64' }), i32 = i64.to('int32');
    expect(x.indexSelect(0, i64).toArray()).toEqual(x.indexSelect(0, i32).toArray());
    expect(x.gather(1, tf.tensor([[3], [1], [0]], { dtype: 'int64' })).toArray()).toEqual([[3], [5], [8]]);
    expect(x.index(i64).toArray()).toEqual(x.index(i32).toArray());
    expect(tf.F.embedding(i64, x).toArray()).toEqual(tf.F.embedding(i32, x).toArray());
    expect(tf.F.crossEntropy(x, tf.tensor([1, 2, 3], { dtype: 'int64' })).item())
      .toBeCloseTo(tf.F.crossEntropy(x, tf.tensor([1, 2, 3], { dtype: 'int32' })).item(), 6);
    expect(tf.zeros([3]).indexAdd(0, tf.tensor([0, 0], { dtype: 'int64' }), tf.ones([2])).toArray()).toEqual([2, 0, 0]);
    expectThrowsKind(() => x.indexSelect(0, tf.tensor([2 ** 40], { dtype: 'int64' })), 'RangeError', /indexSelect: index 1099511627776 is out of range/);
    expectThrowsKind(() => x.indexSelect(0, tf.tensor([1], { dtype: 'uint8' })), 'TypeError', /indexSelect: index must be an int32 or int64 tensor, got uint8/);
  });
});

describe('training in float16 / bfloat16', () => {
  test.each(['float16', 'bfloat16'])('%s: conv, norm, linear, loss, backward, clipping and AdamW', (dt) => {
    tf.manualSeed(1);
    const model = new tf.nn.Sequential(new tf.nn.Conv2d(2, 4, 3), new tf.nn.BatchNorm2d(4), new tf.nn.ReLU(),
      new tf.nn.Flatten(), new tf.nn.Linear(4 * 4 * 4, 3));
    model.to(dt);
    const opt = new tf.optim.AdamW(model.parameters(), { lr: 0.01 });
    const x = tf.randn([8, 2, 6, 6]).to(dt), y = tf.tensor([0, 1, 2, 0, 1, 2, 0, 1], { dtype: 'int64' });
    const losses = [];
    for (let i = 0; i < 30; i++) {
      opt.zeroGrad();
      const loss = tf.F.crossEntropy(model.forward(x), y);
      expect(loss.dtype).toBe(dt);
      loss.backward();
      for (const p of model.parameters()) expect(p.grad.dtype).toBe(dt);
      tf.nn.utils.clipGradNorm(model.parameters(), 1.0);
      opt.step();
      losses.push(loss.item());
    }
    for (const p of model.parameters()) expect(p.dtype).toBe(dt);
    expect(losses[29]).toBeLessThan(losses[0] * 0.5);
  });
  test('Module.to keeps tied weights one tensor (a GPT head tied to its embedding)', () => {
    const emb = new tf.nn.Embedding(5, 4), head = new tf.nn.Linear(4, 5, { bias: false });
    head.weight = emb.weight;
    const m = new tf.nn.Sequential(emb, head);
    const n = m.parameters().length;
    m.to('bfloat16');
    expect(head.weight).toBe(emb.weight);
    expect(emb.weight.dtype).toBe('bfloat16');
    expect(m.parameters().length).toBe(n);
  });
  test('a half-precision parameter takes the float32 step rounded once', () => {
    const p32 = tf.tensor([0.1, -2.5, 3.0, 100.0]);
    const p16 = p32.to('bfloat16').detach();
    const ref = p16.to('float32').detach();
    p16.requiresGrad = true; ref.requiresGrad = true;
    const o16 = new tf.optim.Adam([p16], { lr: 0.05 }), oref = new tf.optim.Adam([ref], { lr: 0.05 });
    p16.mul(p16).sum().backward();
    ref.mul(ref).sum().backward();
    o16.step(); oref.step();
    expect(p16.toArray()).toEqual(ref.to('bfloat16').toArray());
  });
  test.each(['LSTM', 'GRU', 'RNN'])('%s runs in bfloat16, within bfloat16 precision of float32', (cls) => {
    tf.manualSeed(3);
    const m = new tf.nn[cls](4, 8, { numLayers: 2 });
    m.to('bfloat16');
    const x = tf.randn([5, 3, 4]).to('bfloat16');
    const [y] = m.forward(x);
    expect(y.dtype).toBe('bfloat16');
    y.sum().backward();
    for (const p of m.parameters()) expect(p.grad.dtype).toBe('bfloat16');
    m.to('float32');
    const [y32] = m.forward(x.to('float32'));
    // Each op rounds to bfloat16 (8 significant bits): a few ulps over two layers of five steps.
    expect(y.to('float32').sub(y32).abs().max().item()).toBeLessThan(8 * 2 ** -8 * y32.abs().max().item());
  });
  test('the fused kernels give the float32 result rounded once', () => {
    const x = tf.randn([4, 8]), w = tf.randn([5, 8]);
    for (const dt of ['float16', 'bfloat16']) {
      const got = tf.F.linear(x.to(dt), w.to(dt));
      const want = tf.F.linear(x.to(dt).to('float32'), w.to(dt).to('float32')).to(dt);
      expect(got.dtype).toBe(dt);
      expect(got.toArray()).toEqual(want.toArray());
      const ln = tf.F.layerNorm(x.to(dt), [8]);
      expect(ln.toArray()).toEqual(tf.F.layerNorm(x.to(dt).to('float32'), [8]).to(dt).toArray());
    }
  });
});

describe('errors', () => {
  test('what the half dtypes do not support says so, naming the op', () => {
    expectThrowsKind(() => tf.linalg.inv(tf.eye(2).to('float16')), 'TypeError', /linalg.inv/);
    expectThrowsKind(() => tf.tensor([1], { dtype: 'float8' }), 'TypeError', /unknown dtype/);
    expectThrowsKind(() => tf.ones([2], { dtype: 'uint8' }).oneHot(3), 'TypeError', /oneHot: index must be an int32 or int64 tensor/);
  });
});
