// Comparisons (eq ne lt le gt ge) take separate loops for a contiguous pair, a scalar on either side,
// and strided or broadcast operands (ops_elementwise.cpp compare_loop): each layout against a plain JS
// reference, NaN and infinities included, float32, float64 and int32, small and pool-sized.
'use strict';
const { tf } = require('./helpers');

const ops = {
  eq: (u, v) => u === v, ne: (u, v) => u !== v, lt: (u, v) => u < v,
  le: (u, v) => u <= v, gt: (u, v) => u > v, ge: (u, v) => u >= v,
};

function data(n, seed, ints) {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s >>> 8) % 9) - 4; // many equal values
    if (!ints && i % 17 === 3) out[i] = NaN;
    if (!ints && i % 29 === 5) out[i] = i % 2 ? Infinity : -Infinity;
  }
  return out;
}

function check(t, ref, label) {
  const got = t.toTypedArray();
  expect(t.dtype).toBe('bool');
  for (let i = 0; i < ref.length; i++) {
    if (Boolean(got[i]) !== ref[i]) throw new Error(`${label}: element ${i} is ${got[i]}, expected ${ref[i]}`);
  }
}

describe('comparisons in every operand layout', () => {
  for (const dtype of ['float32', 'float64', 'int32']) {
    for (const n of [37, 70000]) {
      test(`${dtype}, ${n} elements`, () => {
        const ints = dtype === 'int32';
        const xa = data(n, 1, ints), xb = data(n, 2, ints);
        const a = tf.tensor(xa).to(dtype), b = tf.tensor(xb).to(dtype);
        const rows = n === 37 ? 1 : 350, cols = n / rows;
        for (const [name, f] of Object.entries(ops)) {
          check(a[name](b), Array.from(xa, (u, i) => f(u, xb[i])), `${dtype} ${name} contiguous`);
          check(a[name](1), Array.from(xa, (u) => f(u, 1)), `${dtype} ${name} scalar right`);
          check(tf.tensor([1]).to(dtype)[name](a), Array.from(xa, (u) => f(1, u)), `${dtype} ${name} scalar left`);
          if (rows > 1) {
            // transposed (strided) operand and a broadcast row
            const at = a.reshape([rows, cols]).transpose();
            const ref = [];
            for (let j = 0; j < cols; j++) for (let i = 0; i < rows; i++) ref.push(f(xa[i * cols + j], xb[j * rows + i]));
            check(at[name](b.reshape([cols, rows])), ref, `${dtype} ${name} strided`);
            const row = b.narrow(0, 0, cols);
            const ref2 = Array.from(xa, (u, i) => f(u, xb[i % cols]));
            check(a.reshape([rows, cols])[name](row), ref2, `${dtype} ${name} broadcast row`);
          }
        }
      });
    }
  }
});
