// Copies from a broadcast (stride-0) source into a contiguous destination run as a fill (ops_create.cpp
// copy_cast_run): expand(...).contiguous(), conversions of an expanded tensor, and the backward of sum /
// mean, which expands the gradient. Lengths around the vector widths and past the threaded split, every
// stored dtype, and gradients against finite differences in float64.
const { tf, checkGrad, weightedSum, randTensor } = require('./helpers');

const widths = [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65];

function flat(t) {
  return Array.from(t.toTypedArray(), Number);
}

describe('broadcast source copied as a fill', () => {
  test.each(['float32', 'float64', 'int32', 'int64', 'uint8', 'float16', 'bfloat16', 'bool'])('%s: [r,1] and a scalar expanded', (dtype) => {
    for (const n of widths) {
      const vals = dtype === 'bool' ? [1, 0, 1] : [1, 0, 3];
      const col = tf.tensor(vals.map((v) => [v]), { dtype });
      const want = vals.flatMap((v) => new Array(n).fill(v));
      expect(flat(col.expand([3, n]).contiguous())).toEqual(want);
      const s = tf.tensor(dtype === 'bool' ? 1 : 5, { dtype });
      expect(flat(s.expand([2, n]).contiguous())).toEqual(new Array(2 * n).fill(dtype === 'bool' ? 1 : 5));
    }
  });

  test('converting while filling: an expanded float32 to float64, int32 and float16', () => {
    const v = tf.tensor([[0.1], [-2.5]]);
    expect(flat(v.expand([2, 33]).to('float64'))).toEqual([...new Array(33).fill(Math.fround(0.1)), ...new Array(33).fill(-2.5)]);
    expect(flat(v.expand([2, 17]).to('int32'))).toEqual([...new Array(17).fill(0), ...new Array(17).fill(-2)]);
    expect(flat(v.expand([2, 9]).to('float16'))).toEqual([...new Array(9).fill(0.0999755859375), ...new Array(9).fill(-2.5)]);
  });

  test('threaded: a scalar over 2^21 elements and a column over [4096, 512]', () => {
    const big = tf.tensor(0.75).expand([2048, 1024]).contiguous();
    const a = big.toTypedArray();
    expect(a.length).toBe(1 << 21);
    expect(a.every((v) => v === 0.75)).toBe(true);
    const col = tf.arange(4096).reshape([4096, 1]).to('float32');
    const wide = col.expand([4096, 512]).contiguous().toTypedArray();
    for (let r = 0; r < 4096; r += 511) for (const c of [0, 255, 511]) expect(wide[r * 512 + c]).toBe(r);
    expect(wide[4095 * 512 + 511]).toBe(4095);
  });

  test('only the destination range is written (a narrow view as destination)', () => {
    const dst = tf.zeros([3, 20]);
    dst.narrow(1, 2, 17).copy_(tf.tensor([[4], [5], [6]]));
    const v = flat(dst);
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 20; c++) expect(v[r * 20 + c]).toBe(c >= 2 && c < 19 ? 4 + r : 0);
  });
});

describe('gradients of reductions (the gradient is expanded back)', () => {
  test('sum, sum(dim), mean(dim, keepdim) in float64 against finite differences', () => {
    for (const shape of [[5, 17], [3, 4, 9]]) {
      const x = randTensor(shape, { seed: shape.length });
      checkGrad((x) => x.sum().mul(x.sum()), [x], { label: 'sum()^2' });
      checkGrad((x) => weightedSum(x.sum(-1)), [x], { label: 'sum(-1)' });
      checkGrad((x) => weightedSum(x.mean(0, true)), [x], { label: 'mean(0, keepdim)' });
      checkGrad((x) => weightedSum(x.sum(1).unsqueeze(1).expand(x.shape.slice(0, 1).concat([4], x.shape.slice(2)))), [x], { label: 'sum(1) expanded' });
    }
  });

  test('float32 sum() over [4096, 512]: the gradient is all ones; sum(-1) repeats each row\'s g', () => {
    const x = tf.randn([4096, 512]).requiresGrad_(true);
    x.sum().backward();
    expect(x.grad.toTypedArray().every((v) => v === 1)).toBe(true);
    x.grad = null;
    const g = tf.arange(4096).to('float32');
    x.sum(-1).backward(g);
    const a = x.grad.toTypedArray();
    for (let r = 0; r < 4096; r += 97) for (const c of [0, 1, 15, 16, 17, 511]) expect(a[r * 512 + c]).toBe(r);
  });
});
