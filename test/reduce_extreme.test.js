// max / min / argmax / argmin against a plain JS reference: row lengths around the vector kernel's
// unrolled width (4 vectors: 32 floats at AVX2, 64 at AVX-512) and the argmax vector path (64),
// whole tensors larger than one chunk of the pool's split (2^18), NaN anywhere (max and min give
// NaN, argmax the first NaN), infinities, ties (the first index, as PyTorch), float64, and column
// reductions (max over dim 0). Run at every SIMD level by CI (TENSORFOLD_SIMD).
'use strict';
const { tf } = require('./helpers');

// Deterministic values with many ties: integers in [-50, 50] scaled.
function values(n, seed) {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s >>> 8) % 101) - 50 + ((s >>> 3) % 4) * 0.25;
  }
  return out;
}

// Reference over rows of length R of a [rows, R] array: [extreme value, first index of it].
function refRow(x, off, R, isMax) {
  let best = off;
  for (let i = off; i < off + R; i++) {
    if (Number.isNaN(x[i])) return [NaN, i - off];
    if (isMax ? x[i] > x[best] : x[i] < x[best]) best = i;
  }
  return [x[best], best - off];
}

function same(a, b) {
  return (Number.isNaN(a) && Number.isNaN(b)) || a === b;
}

function checkRows(x, rows, R, dtype, label) {
  const t = tf.tensor(x).reshape([rows, R]).to(dtype);
  for (const isMax of [true, false]) {
    const vals = (isMax ? t.max(1) : t.min(1)).toTypedArray();
    const idx = (isMax ? t.argmax(1) : t.argmin(1)).toTypedArray();
    for (let r = 0; r < rows; r++) {
      const [v, i] = refRow(x, r * R, R, isMax);
      if (!same(vals[r], v)) throw new Error(`${label} ${isMax ? 'max' : 'min'} row ${r}: ${vals[r]} vs ${v}`);
      if (idx[r] !== i) throw new Error(`${label} ${isMax ? 'argmax' : 'argmin'} row ${r}: ${idx[r]} vs ${i}`);
    }
  }
}

describe('max / min / argmax / argmin along the last dim', () => {
  const lengths = [1, 7, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 1000];
  for (const dtype of ['float32', 'float64']) {
    test(`${dtype}: lengths ${lengths.join(', ')}`, () => {
      for (const R of lengths) {
        const rows = 5;
        // float32 holds these values exactly (multiples of 0.25 below 64)
        checkRows(values(rows * R, R), rows, R, dtype, `${dtype} R=${R}`);
      }
    });

    test(`${dtype}: a NaN at every position of a 70-long row, alone and with infinities`, () => {
      const R = 70;
      for (let p = 0; p < R; p += 3) {
        const x = values(2 * R, p);
        x[p] = NaN; // row 0
        x[R + p] = NaN; // row 1, and a second NaN later in it
        x[R + Math.min(R - 1, p + 5)] = NaN;
        x[(p + 1) % R] = Infinity;
        x[R + ((p + 2) % R)] = -Infinity;
        checkRows(x, 2, R, dtype, `${dtype} NaN at ${p}`);
      }
    });

    test(`${dtype}: infinities and ties`, () => {
      const R = 96;
      const x = new Float64Array(3 * R).fill(1);
      x[10] = Infinity;
      x[50] = Infinity; // tie: first index wins
      x[R + 5] = -Infinity;
      x[R + 90] = -Infinity;
      x[2 * R + 40] = 2;
      x[2 * R + 41] = 2;
      checkRows(x, 3, R, dtype, `${dtype} inf/ties`);
    });
  }
});

describe('whole-tensor and column reductions', () => {
  test('whole tensor larger than one chunk (600,000 floats): max, min, argmax, argmin; then with a NaN', () => {
    const n = 600000;
    const x = values(n, 7);
    x[412345] = 60; // the unique max
    x[333] = -60; // the unique min
    const t = tf.tensor(x).to('float32');
    expect(t.max().item()).toBe(60);
    expect(t.min().item()).toBe(-60);
    expect(t.argmax().item()).toBe(412345);
    expect(t.argmin().item()).toBe(333);
    x[500001] = NaN;
    x[599999] = NaN;
    const u = tf.tensor(x).to('float32');
    expect(Number.isNaN(u.max().item())).toBe(true);
    expect(Number.isNaN(u.min().item())).toBe(true);
    expect(u.argmax().item()).toBe(500001);
    expect(u.argmin().item()).toBe(500001);
  });

  test('max and min over dim 0 (columns), with NaN in some columns', () => {
    const [R, B] = [37, 45];
    const x = values(R * B, 3);
    x[5 * B + 2] = NaN;
    x[30 * B + 44] = NaN;
    x[0 * B + 10] = NaN;
    for (const dtype of ['float32', 'float64', 'int32']) {
      const xs = dtype === 'int32' ? x.map((v) => (Number.isNaN(v) ? 0 : Math.round(v))) : x;
      const t = tf.tensor(xs).reshape([R, B]).to(dtype);
      const mx = t.max(0).toTypedArray(), mn = t.min(0).toTypedArray();
      for (let b = 0; b < B; b++) {
        let hi = xs[b], lo = xs[b];
        for (let r = 0; r < R; r++) {
          const v = xs[r * B + b];
          if (Number.isNaN(v) || Number.isNaN(hi)) hi = NaN; else hi = Math.max(hi, v);
          if (Number.isNaN(v) || Number.isNaN(lo)) lo = NaN; else lo = Math.min(lo, v);
        }
        if (!same(mx[b], hi)) throw new Error(`${dtype} max col ${b}: ${mx[b]} vs ${hi}`);
        if (!same(mn[b], lo)) throw new Error(`${dtype} min col ${b}: ${mn[b]} vs ${lo}`);
      }
    }
  });

  // Column extremes run in row blocks (several above 16K elements) and, for rows over 16K
  // elements, column pieces; each block's partial row is combined in order. NaN in the first or
  // last row of a later block, -inf/inf, a middle axis ([A, R, B]), float32 and float64.
  test('max and min over leading and middle dims across row blocks and column pieces', () => {
    for (const [shape, axis] of [[[300, 200], 0], [[5, 40000], 0], [[3, 700, 30], 1], [[1000, 33], 0]]) {
      const [A, R, B] = axis === 0 ? [1, shape[0], shape[1]] : shape;
      const n = A * R * B;
      const x = values(n, 11);
      const at = (a, r, b) => (a * R + r) * B + b;
      x[at(A - 1, R - 1, B - 1)] = NaN;
      x[at(0, R - 1, 0)] = NaN;
      x[at(0, Math.floor(R / 2), 1)] = NaN;
      x[at(0, 0, 2)] = Infinity;
      x[at(A - 1, R - 2, 3)] = -Infinity;
      for (const dtype of ['float32', 'float64']) {
        const t = tf.tensor(x).reshape(shape).to(dtype);
        const xs = t.toTypedArray();
        const mx = t.max(axis).toTypedArray(), mn = t.min(axis).toTypedArray();
        for (let a = 0; a < A; a++)
          for (let b = 0; b < B; b++) {
            let hi = -Infinity, lo = Infinity;
            for (let r = 0; r < R; r++) {
              const v = xs[at(a, r, b)];
              hi = Number.isNaN(v) || Number.isNaN(hi) ? NaN : Math.max(hi, v);
              lo = Number.isNaN(v) || Number.isNaN(lo) ? NaN : Math.min(lo, v);
            }
            if (!same(mx[a * B + b], hi)) throw new Error(`${dtype} ${shape} max [${a},${b}]: ${mx[a * B + b]} vs ${hi}`);
            if (!same(mn[a * B + b], lo)) throw new Error(`${dtype} ${shape} min [${a},${b}]: ${mn[a * B + b]} vs ${lo}`);
          }
      }
    }
  });

  test('gradient of max over a row still splits among ties', () => {
    const x = tf.tensor([1, 3, 3, 2, ...new Array(80).fill(0)]).reshape([1, 84]).to('float64').requiresGrad_();
    x.max(1).sum().backward();
    const g = x.grad.toTypedArray();
    expect(g[1]).toBe(0.5);
    expect(g[2]).toBe(0.5);
    expect(g[0]).toBe(0);
  });
});
