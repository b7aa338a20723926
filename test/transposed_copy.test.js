// Copies whose source is transposed relative to the destination (x.transpose().contiguous(), permutes
// that move the last dim, dtype conversions of such views): ops_create.cpp copies them in tiles.
// Every value is checked by index arithmetic, across the tiling's edges (sizes around the band
// and tile widths), every stored dtype, conversions, broadcast sources and batched permutes.
'use strict';
const { tf } = require('./helpers');

function stridesOf(shape) {
  const s = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

// Flat source index of every element of x.permute(perm), in row-major order of the result.
function permutedIndices(shape, perm) {
  const st = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  const n = outShape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n);
  const idx = new Array(outShape.length).fill(0);
  for (let k = 0; k < n; k++) {
    let src = 0;
    for (let d = 0; d < perm.length; d++) src += idx[d] * st[perm[d]];
    out[k] = src;
    for (let d = outShape.length - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

function expectValues(t, expected, label) {
  const got = t.toTypedArray();
  expect(got.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const g = typeof got[i] === 'bigint' ? Number(got[i]) : Number(got[i]);
    if (g !== expected[i]) throw new Error(`${label}: element ${i} is ${g}, expected ${expected[i]}`);
  }
}

describe('transposed copies by index arithmetic', () => {
  // 2-D transposes around the tiles (8 columns) and bands (up to 256 rows, narrower when few).
  const sizes2d = [[8, 8], [7, 9], [9, 300], [257, 31], [33, 513], [300, 17], [1000, 12], [16, 2050]];
  for (const [r, c] of sizes2d) {
    test(`[${r}, ${c}].transpose().contiguous()`, () => {
      const x = tf.arange(r * c).reshape([r, c]);
      const y = x.transpose().contiguous();
      expect(y.shape).toEqual([c, r]);
      expectValues(y, permutedIndices([r, c], [1, 0]), `[${r}, ${c}]`);
    });
  }

  const permutes = [
    [[4, 40, 24], [0, 2, 1]],
    [[40, 4, 24], [2, 1, 0]],
    [[3, 17, 33], [2, 0, 1]],
    [[2, 3, 20, 30], [0, 1, 3, 2]],
    [[2, 20, 3, 30], [0, 3, 2, 1]],
    [[5, 16, 4, 9], [3, 1, 0, 2]],
    [[2, 64, 8, 32], [0, 2, 1, 3]], // attention's head split: the inner dim stays contiguous
  ];
  for (const [shape, perm] of permutes) {
    test(`[${shape}].permute(${perm}).contiguous()`, () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const y = tf.arange(n).reshape(shape).permute(perm).contiguous();
      expect(y.shape).toEqual(perm.map((p) => shape[p]));
      expectValues(y, permutedIndices(shape, perm), `${shape} ${perm}`);
    });
  }

  test('large enough to run on the pool: [600, 700]', () => {
    const x = tf.arange(600 * 700).reshape([600, 700]);
    expectValues(x.transpose().contiguous(), permutedIndices([600, 700], [1, 0]), '[600, 700]');
  });

  test('a view with an offset and steps: narrowed rows and columns, then transposed', () => {
    const x = tf.arange(50 * 40).reshape([50, 40]);
    const v = x.narrow(0, 5, 40).narrow(1, 3, 30).transpose(); // rows 5..44, cols 3..32, transposed
    const y = v.contiguous();
    const exp = [];
    for (let j = 0; j < 30; j++) for (let i = 0; i < 40; i++) exp.push((i + 5) * 40 + (j + 3));
    expectValues(y, Float64Array.from(exp), 'slice');
  });

  const dtypes = ['float32', 'float64', 'int32', 'int64', 'uint8', 'float16', 'bfloat16'];
  for (const dtype of dtypes) {
    test(`stored dtype ${dtype}`, () => {
      const [r, c] = [37, 45];
      // values small enough to be exact in every dtype (uint8: < 256; bfloat16: integers < 256)
      const src = Float64Array.from({ length: r * c }, (_, i) => i % 251);
      const x = tf.tensor(src).reshape([r, c]).to(dtype);
      const y = x.transpose().contiguous();
      expect(y.dtype).toBe(dtype);
      expectValues(y, permutedIndices([r, c], [1, 0]).map((i) => src[i]), dtype);
    });
  }

  test('converting copies of transposed views: float32 -> float64, int32 -> float32, float32 -> bfloat16', () => {
    const [r, c] = [41, 66];
    const x = tf.arange(r * c).reshape([r, c]);
    const exp = permutedIndices([r, c], [1, 0]);
    expectValues(x.transpose().to('float64'), exp, 'to float64');
    expectValues(x.to('int32').transpose().to('float32'), exp, 'int32 to float32');
    const small = tf.arange(r * c).remainder(200).reshape([r, c]);
    expectValues(small.transpose().to('bfloat16').to('float32'), exp.map((i) => i % 200), 'to bfloat16');
  });

  test('copy_ from a transposed source, and a broadcast source', () => {
    const dst = tf.zeros([20, 30]);
    const src = tf.arange(30 * 20).reshape([30, 20]);
    dst.copy_(src.transpose());
    expectValues(dst, permutedIndices([30, 20], [1, 0]), 'copy_');
    // A source broadcast along one dim and transposed: expand, then permute, then copy.
    const b = tf.arange(24 * 16).reshape([24, 1, 16]).expand([24, 10, 16]).permute([2, 1, 0]).contiguous();
    const exp = [];
    for (let k = 0; k < 16; k++) for (let j = 0; j < 10; j++) for (let i = 0; i < 24; i++) exp.push(i * 16 + k);
    expectValues(b, Float64Array.from(exp), 'broadcast');
  });

  test('gradient flows through a transposed contiguous copy', () => {
    const x = tf.arange(12 * 20).reshape([12, 20]).to('float64').requiresGrad_();
    const w = tf.arange(20 * 12).reshape([20, 12]).to('float64');
    x.transpose().contiguous().mul(w).sum().backward();
    expectValues(x.grad, permutedIndices([20, 12], [1, 0]), 'grad');
  });
});
