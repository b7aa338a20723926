// The fused recurrent ops (native/core/ops_rnn.h) against the op-by-op formulas they replace:
// values, gradients (autograd of the composite math and central finite differences in float64),
// second-order gradients, and errors.
const tf = require('..');
const { native } = require('../dist/native');
const { wrap } = require('../dist/tensor');

const lstmCell = (gates, c) => native.lstmCell(gates._h, c._h).map(wrap);
const gruCell = (gi, gh, h) => wrap(native.gruCell(gi._h, gh._h, h._h));
const lstmLayer = (xp, h0, c0, w, b, reverse) =>
  native.lstmLayer(xp._h, h0._h, c0._h, w._h, b ? b._h : null, reverse).map(wrap);

// ---- the composite reference: the math the layers used before the fused ops ----
function refLstmCell(gates, c) {
  const [i, f, g, o] = gates.chunk(4, -1);
  const c2 = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
  return [o.sigmoid().mul(c2.tanh()), c2];
}
function refGruCell(gi, gh, h) {
  const [xr, xz, xn] = gi.chunk(3, -1);
  const [hr, hz, hn] = gh.chunk(3, -1);
  const r = xr.add(hr).sigmoid();
  const z = xz.add(hz).sigmoid();
  const n = xn.add(r.mul(hn)).tanh();
  return z.neg().add(1).mul(n).add(z.mul(h));
}
function refLstmLayer(xp, h0, c0, w, b, reverse) {
  const T = xp.shape[0];
  let h = h0, c = c0;
  const ys = new Array(T);
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    let g = xp.select(0, t).add(h.matmul(w.T));
    if (b) g = g.add(b);
    [h, c] = refLstmCell(g, c);
    ys[t] = h;
  }
  return [tf.stack(ys, 0), h, c];
}

let seed = 100;
function rnd(shape, dtype = 'float64', scale = 1) {
  tf.manualSeed(seed++);
  return tf.randn(shape, { dtype }).mul(scale);
}
function close(a, b, tol) {
  expect(a.shape).toEqual(b.shape);
  const x = a.toTypedArray(), y = b.toTypedArray();
  let worst = 0;
  for (let k = 0; k < x.length; k++) worst = Math.max(worst, Math.abs(x[k] - y[k]) / (1 + Math.abs(y[k])));
  expect(worst).toBeLessThan(tol);
}
// A fixed random weighting of the outputs, so the scalar depends on every element.
function weighted(outs, s = 7) {
  let total = null;
  outs.forEach((o, k) => {
    tf.manualSeed(s + k);
    const v = o.mul(tf.randn(o.shape, { dtype: o.dtype })).sum();
    total = total ? total.add(v) : v;
  });
  return total;
}
// Central differences of scalar f w.r.t. argument k, compared with the gradient `g`.
function fdCheck(f, args, k, g, tol = 1e-6) {
  const base = args[k].toTypedArray();
  const eps = 1e-6;
  const num = new Float64Array(base.length);
  for (let j = 0; j < base.length; j++) {
    const plus = Float64Array.from(base), minus = Float64Array.from(base);
    plus[j] += eps;
    minus[j] -= eps;
    const at = (v) => f(...args.map((a, i) => (i === k ? tf.tensor(v, { dtype: 'float64' }).reshape(a.shape) : a))).item();
    num[j] = (at(plus) - at(minus)) / (2 * eps);
  }
  close(g, tf.tensor(num, { dtype: 'float64' }).reshape(args[k].shape), tol);
}

describe('lstm_cell', () => {
  test.each(['float32', 'float64'])('values match the composite math (%s)', (dtype) => {
    const gates = rnd([5, 4 * 7], dtype, 2), c = rnd([5, 7], dtype);
    const [h2, c2] = lstmCell(gates, c);
    const [rh, rc] = refLstmCell(gates, c);
    const tol = dtype === 'float32' ? 1e-5 : 1e-12;
    close(h2, rh, tol);
    close(c2, rc, tol);
  });

  test('gradients w.r.t. gates and c: composite autograd and finite differences', () => {
    const gates = rnd([3, 4 * 4], 'float64', 2), c = rnd([3, 4]);
    const f = (g, cc) => weighted(lstmCell(g, cc));
    const fr = (g, cc) => weighted(refLstmCell(g, cc));
    const [dg, dc] = tf.grad(f, { argnums: [0, 1] })(gates, c);
    const [rg, rc] = tf.grad(fr, { argnums: [0, 1] })(gates, c);
    close(dg, rg, 1e-12);
    close(dc, rc, 1e-12);
    fdCheck(f, [gates, c], 0, dg);
    fdCheck(f, [gates, c], 1, dc);
    // only h' or only c' used: the other output's gradient is zero
    const [gh] = tf.grad((g, cc) => weighted([lstmCell(g, cc)[0]]), { argnums: [0, 1] })(gates, c);
    const [rgh] = tf.grad((g, cc) => weighted([refLstmCell(g, cc)[0]]), { argnums: [0, 1] })(gates, c);
    close(gh, rgh, 1e-12);
  });

  test('float32 gradients match the composite math', () => {
    const gates = rnd([4, 4 * 8], 'float32', 2), c = rnd([4, 8], 'float32');
    const [dg, dc] = tf.grad((g, cc) => weighted(lstmCell(g, cc)), { argnums: [0, 1] })(gates, c);
    const [rg, rc] = tf.grad((g, cc) => weighted(refLstmCell(g, cc)), { argnums: [0, 1] })(gates, c);
    close(dg, rg, 1e-5);
    close(dc, rc, 1e-5);
  });

  test('second order: tf.grad(tf.grad(...)) equals the composite and finite differences', () => {
    const gates = rnd([2, 4 * 3], 'float64', 2), c = rnd([2, 3]);
    const g1 = tf.grad((g, cc) => weighted(lstmCell(g, cc)), { argnums: [0, 1] });
    const r1 = tf.grad((g, cc) => weighted(refLstmCell(g, cc)), { argnums: [0, 1] });
    const f2 = (g, cc) => weighted(g1(g, cc), 21);
    const r2 = (g, cc) => weighted(r1(g, cc), 21);
    const [a, b] = tf.grad(f2, { argnums: [0, 1] })(gates, c);
    const [ra, rb] = tf.grad(r2, { argnums: [0, 1] })(gates, c);
    close(a, ra, 1e-10);
    close(b, rb, 1e-10);
    fdCheck(f2, [gates, c], 0, a, 1e-5);
    fdCheck(f2, [gates, c], 1, b, 1e-5);
  });

  test('non-contiguous inputs', () => {
    const gates = rnd([4 * 6, 3]).T, c = rnd([6, 3]).T;
    const [h2, c2] = lstmCell(gates, c);
    const [rh, rc] = refLstmCell(gates, c);
    close(h2, rh, 1e-12);
    close(c2, rc, 1e-12);
  });

  test('errors name the op and the shapes', () => {
    expect(() => lstmCell(rnd([2, 12]), rnd([2, 4]))).toThrow(/lstm_cell.*\[2,12\].*\[2,4\]/);
    expect(() => lstmCell(rnd([3, 16]), rnd([2, 4]))).toThrow(/lstm_cell/);
    expect(() => lstmCell(rnd([2, 16]), rnd([2, 4], 'float32'))).toThrow(/lstm_cell: all inputs must have one dtype/);
    expect(() => lstmCell(tf.zeros([2, 16], { dtype: 'int32' }), tf.zeros([2, 4], { dtype: 'int32' })))
      .toThrow(/lstm_cell: gates must be float32 or float64/);
  });
});

describe('gru_cell', () => {
  test.each(['float32', 'float64'])('values match the composite math (%s)', (dtype) => {
    const gi = rnd([5, 3 * 6], dtype, 2), gh = rnd([5, 3 * 6], dtype, 2), h = rnd([5, 6], dtype);
    close(gruCell(gi, gh, h), refGruCell(gi, gh, h), dtype === 'float32' ? 1e-5 : 1e-12);
  });

  test('gradients: composite autograd and finite differences', () => {
    const args = [rnd([3, 3 * 4], 'float64', 2), rnd([3, 3 * 4], 'float64', 2), rnd([3, 4])];
    const f = (a, b, c) => weighted([gruCell(a, b, c)]);
    const fr = (a, b, c) => weighted([refGruCell(a, b, c)]);
    const d = tf.grad(f, { argnums: [0, 1, 2] })(...args);
    const r = tf.grad(fr, { argnums: [0, 1, 2] })(...args);
    for (let k = 0; k < 3; k++) {
      close(d[k], r[k], 1e-12);
      fdCheck(f, args, k, d[k]);
    }
  });

  test('second order', () => {
    const args = [rnd([2, 3 * 3], 'float64', 2), rnd([2, 3 * 3], 'float64', 2), rnd([2, 3])];
    const g1 = tf.grad((a, b, c) => weighted([gruCell(a, b, c)]), { argnums: [0, 1, 2] });
    const r1 = tf.grad((a, b, c) => weighted([refGruCell(a, b, c)]), { argnums: [0, 1, 2] });
    const f2 = (a, b, c) => weighted(g1(a, b, c), 31);
    const d = tf.grad(f2, { argnums: [0, 1, 2] })(...args);
    const r = tf.grad((a, b, c) => weighted(r1(a, b, c), 31), { argnums: [0, 1, 2] })(...args);
    for (let k = 0; k < 3; k++) {
      close(d[k], r[k], 1e-10);
      fdCheck(f2, args, k, d[k], 1e-5);
    }
  });

  test('errors name the op and the shapes', () => {
    expect(() => gruCell(rnd([2, 9]), rnd([2, 6]), rnd([2, 3]))).toThrow(/gru_cell.*\[2,9\].*\[2,6\].*\[2,3\]/);
    expect(() => gruCell(rnd([2, 9]), rnd([2, 9]), rnd([2, 3], 'float32'))).toThrow(/gru_cell: all inputs must have one dtype.*float32/);
  });
});

describe('lstm_layer', () => {
  const cases = [
    ['forward, bias', false, true],
    ['reverse, bias', true, true],
    ['forward, no bias', false, false],
  ];
  test.each(cases)('values and gradients match the step-by-step composite (%s)', (_, reverse, bias) => {
    const T = 4, B = 3, H = 5;
    const args = [rnd([T, B, 4 * H]), rnd([B, H]), rnd([B, H]), rnd([4 * H, H], 'float64', 0.4),
      bias ? rnd([4 * H]) : null];
    const outs = lstmLayer(...args, reverse);
    const ref = refLstmLayer(...args, reverse);
    for (let k = 0; k < 3; k++) close(outs[k], ref[k], 1e-12);
    const n = bias ? 5 : 4;
    const argnums = [...Array(n).keys()];
    const f = (...a) => weighted(lstmLayer(...a.slice(0, 4), bias ? a[4] : null, reverse));
    const fr = (...a) => weighted(refLstmLayer(...a.slice(0, 4), bias ? a[4] : null, reverse));
    const used = args.slice(0, n);
    const d = tf.grad(f, { argnums })(...used);
    const r = tf.grad(fr, { argnums })(...used);
    for (let k = 0; k < n; k++) close(d[k], r[k], 1e-11);
    fdCheck(f, used, 3, d[3]);  // w_hh
    fdCheck(f, used, 1, d[1]);  // h0
  });

  test('float32 matches the composite', () => {
    const T = 6, B = 4, H = 8;
    const args = [rnd([T, B, 4 * H], 'float32'), rnd([B, H], 'float32'), rnd([B, H], 'float32'),
      rnd([4 * H, H], 'float32', 0.3), rnd([4 * H], 'float32')];
    const outs = lstmLayer(...args, false);
    const ref = refLstmLayer(...args, false);
    for (let k = 0; k < 3; k++) close(outs[k], ref[k], 1e-5);
    const argnums = [0, 1, 2, 3, 4];
    const d = tf.grad((...a) => weighted(lstmLayer(...a, false)), { argnums })(...args);
    const r = tf.grad((...a) => weighted(refLstmLayer(...a, false)), { argnums })(...args);
    for (let k = 0; k < 5; k++) close(d[k], r[k], 1e-4);
  });

  test('second order through the layer', () => {
    const T = 3, B = 2, H = 2;
    const args = [rnd([T, B, 4 * H]), rnd([B, H]), rnd([B, H]), rnd([4 * H, H], 'float64', 0.5), rnd([4 * H])];
    const argnums = [0, 1, 2, 3, 4];
    const g1 = tf.grad((...a) => weighted(lstmLayer(...a, true)), { argnums });
    const r1 = tf.grad((...a) => weighted(refLstmLayer(...a, true)), { argnums });
    const f2 = (...a) => weighted(g1(...a), 41);
    const d = tf.grad(f2, { argnums })(...args);
    const r = tf.grad((...a) => weighted(r1(...a), 41), { argnums })(...args);
    for (let k = 0; k < 5; k++) close(d[k], r[k], 1e-10);
    fdCheck(f2, args, 3, d[3], 1e-5);
  });

  test('zero steps', () => {
    const h0 = rnd([2, 3]), c0 = rnd([2, 3]);
    const [ys, h, c] = lstmLayer(tf.zeros([0, 2, 12], { dtype: 'float64' }), h0, c0, rnd([12, 3]), null, false);
    expect(ys.shape).toEqual([0, 2, 3]);
    close(h, h0, 1e-15);
    close(c, c0, 1e-15);
  });

  test('errors name the op and the shapes', () => {
    expect(() => lstmLayer(rnd([2, 3, 12]), rnd([3, 3]), rnd([3, 3]), rnd([12, 4]), null, false))
      .toThrow(/lstm_layer.*\[2,3,12\].*\[12,4\]/);
    expect(() => lstmLayer(rnd([2, 3, 12]), rnd([3, 3]), rnd([3, 3]), rnd([12, 3]), rnd([8]), false))
      .toThrow(/lstm_layer.*bias \[8\]/);
  });
});

describe('layers use the fused ops and still agree with the composite math', () => {
  test('nn.LSTM (2 layers, bidirectional) equals a hand-written composite', () => {
    tf.manualSeed(3);
    const m = new tf.nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, dtype: 'float64' });
    const x = rnd([5, 2, 3]);
    const p = (n) => m[n];
    let inp = x;
    for (let l = 0; l < 2; l++) {
      const outs = [];
      for (let d = 0; d < 2; d++) {
        const sfx = `_l${l}${d ? '_reverse' : ''}`;
        const [T, B] = inp.shape;
        const xp = inp.reshape([T * B, -1]).matmul(p(`weight_ih${sfx}`).T).add(p(`bias_ih${sfx}`)).reshape([T, B, -1]);
        const z = tf.zeros([B, 4], { dtype: 'float64' });
        outs.push(refLstmLayer(xp, z, z, p(`weight_hh${sfx}`), p(`bias_hh${sfx}`), d === 1)[0]);
      }
      inp = tf.concat(outs, 2);
    }
    close(m.forward(x)[0], inp, 1e-12);
  });

  test('nn.GRUCell and nn.LSTMCell equal the composite math', () => {
    tf.manualSeed(4);
    const gc = new tf.nn.GRUCell(3, 4, { dtype: 'float64' });
    const x = rnd([2, 3]), h = rnd([2, 4]);
    const gi = x.matmul(gc.weight_ih.T).add(gc.bias_ih), gh = h.matmul(gc.weight_hh.T).add(gc.bias_hh);
    close(gc.forward(x, h), refGruCell(gi, gh, h), 1e-12);
    const lc = new tf.nn.LSTMCell(3, 4, { dtype: 'float64' });
    const c = rnd([2, 4]);
    const gates = x.matmul(lc.weight_ih.T).add(lc.bias_ih).add(h.matmul(lc.weight_hh.T)).add(lc.bias_hh);
    const [h2, c2] = lc.forward(x, [h, c]);
    const [rh, rc] = refLstmCell(gates, c);
    close(h2, rh, 1e-12);
    close(c2, rc, 1e-12);
  });
});
