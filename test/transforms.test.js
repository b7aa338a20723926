// jvp / jacobian / hessian / hvp against analytic answers and finite differences (float64).
'use strict';
const tf = require('..');

const F64 = { dtype: 'float64' };
const arr = (t) => Array.from(t.toTypedArray());
function close(a, b, tol, label = '') {
  const x = a instanceof tf.Tensor ? arr(a) : a, y = b instanceof tf.Tensor ? arr(b) : b;
  expect(x.length).toBe(y.length);
  x.forEach((v, i) => {
    if (!(Math.abs(v - y[i]) <= tol * (1 + Math.abs(y[i])))) throw new Error(`${label}[${i}]: ${v} vs ${y[i]}`);
  });
}
// Central differences of f along direction t.
function fdDirectional(f, xs, ts, h = 1e-6) {
  const plus = f(...xs.map((x, i) => x.add(ts[i].mul(h))));
  const minus = f(...xs.map((x, i) => x.sub(ts[i].mul(h))));
  return plus.sub(minus).div(2 * h);
}

const f = (x) => x.sin().mul(x.exp()).add(x.pow(3).sum());  // R^n -> R^n
const x0 = tf.tensor([0.3, -0.7, 1.1], F64);

describe('jvp', () => {
  test('equals a finite-difference directional derivative', () => {
    const t = tf.tensor([1, -2, 0.5], F64);
    const [out, tout] = tf.jvp(f, x0, t);
    close(out, f(x0), 1e-14);
    close(tout, fdDirectional(f, [x0], [t]), 1e-8, 'jvp');
  });
  test('several primals; matmul', () => {
    const g = (a, b) => a.matmul(b).tanh();
    tf.manualSeed(2);
    const a = tf.randn([2, 3], F64), b = tf.randn([3, 4], F64), ta = tf.randn([2, 3], F64), tb = tf.randn([3, 4], F64);
    const [, tout] = tf.jvp(g, [a, b], [ta, tb]);
    expect(tout.shape).toEqual([2, 4]);
    close(tout, fdDirectional(g, [a, b], [ta, tb]), 1e-8, 'jvp2');
  });
  test('through a scan', () => {
    const xs = tf.tensor([[0.1, 0.2], [0.3, -0.1], [0.5, 0.4]], F64);
    const g = (w) => tf.scan((h, x) => { const n = h.mul(w).add(x).tanh(); return [n, n]; }, tf.zeros([2], F64), xs)[1];
    const w = tf.tensor([0.8, -0.4], F64), t = tf.tensor([1, 1], F64);
    close(tf.jvp(g, w, t)[1], fdDirectional(g, [w], [t]), 1e-8, 'jvp scan');
  });
  test('errors', () => {
    expect(() => tf.jvp(f, x0, tf.ones([2], F64))).toThrow(/jvp: tangent 0 of shape \[2\] does not match primal of shape \[3\]/);
    expect(() => tf.jvp(f, [x0], [])).toThrow(/1 primal\(s\) but 0 tangent\(s\)/);
    expect(() => tf.jvp(f, 3, x0)).toThrow(TypeError);
  });
});

describe('jacobian', () => {
  test('rows are gradients of each output; shape [...out, ...in]', () => {
    const J = tf.jacobian(f)(x0);
    expect(J.shape).toEqual([3, 3]);
    // d f_i / d x_j = δij (cos x_i + sin x_i) e^{x_i} + 3 x_j^2
    const xv = arr(x0);
    const exp = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++)
      exp.push((i === j ? (Math.cos(xv[i]) + Math.sin(xv[i])) * Math.exp(xv[i]) : 0) + 3 * xv[j] ** 2);
    close(J, exp, 1e-13, 'J');
  });
  test('matrix input and output', () => {
    tf.manualSeed(4);
    const A = tf.randn([2, 3], F64);
    const J = tf.jacobian((X) => A.matmul(X))(tf.randn([3, 2], F64));
    expect(J.shape).toEqual([2, 2, 3, 2]);
    // d (A X)_{ik} / d X_{jl} = A_ij δkl
    const a = arr(A), exp = [];
    for (let i = 0; i < 2; i++) for (let k = 0; k < 2; k++) for (let j = 0; j < 3; j++) for (let l = 0; l < 2; l++)
      exp.push(k === l ? a[i * 3 + j] : 0);
    close(J, exp, 1e-14, 'J matmul');
  });
});

describe('hessian and hvp', () => {
  const s = (x) => x.pow(3).sum().add(x.select(0, 0).mul(x.select(0, 1))).add(x.sin().sum());
  // H = diag(6x - sin x) + (e0 e1ᵀ + e1 e0ᵀ)
  const Hexp = (xv) => {
    const H = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++)
      H.push((i === j ? 6 * xv[i] - Math.sin(xv[i]) : 0) + ((i === 0 && j === 1) || (i === 1 && j === 0) ? 1 : 0));
    return H;
  };
  test('hessian is analytic', () => {
    const H = tf.hessian(s)(x0);
    expect(H.shape).toEqual([3, 3]);
    close(H, Hexp(arr(x0)), 1e-13, 'H');
  });
  test('hvp equals H v and finite differences of the gradient', () => {
    const v = tf.tensor([0.5, 2, -1], F64);
    const hv = tf.hvp(s, x0, v);
    const H = Hexp(arr(x0)), vv = arr(v);
    close(hv, [0, 1, 2].map((i) => H[i * 3] * vv[0] + H[i * 3 + 1] * vv[1] + H[i * 3 + 2] * vv[2]), 1e-13, 'hvp');
    close(hv, fdDirectional((x) => tf.grad(s)(x), [x0], [v]), 1e-7, 'hvp fd');
  });
  test('hvp rejects a non-scalar function', () => {
    expect(() => tf.hvp((x) => x.mul(2), x0, x0)).toThrow(/hvp: the function must return a scalar Tensor, got shape \[3\]/);
  });
});
