// The gradient of max pooling (zero-fill + scatter at the argmax, ops_pool.cpp) for geometries
// around the 2x2 / stride-2 fast path: even and odd sizes, ceil mode, overlapping windows (repeated
// indices sum), sparse and dilated windows with an output of the same size. Checked against a
// direct reference of pooling and its gradient, first order and the second-order path (the
// gradient is linear in g; its derivative is the gather at the argmax). A dense one-pass
// gradient for 2x2 / stride 2 was tried (no zero-fill, one store per element): as selects it
// compiled to branches, as bit masks it was still 1.5x slower than fill + scatter at the MNIST
// shape, so the scatter stays.
const tf = require('..');

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2147483648 - 1;
  };
}

const outSize = (n, k, s, p, d, ceil) => {
  const span = n + 2 * p - (d * (k - 1) + 1);
  let o = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (o - 1) * s >= n + p) o--;
  return o;
};

// Max pooling of x [N, C, H, W]: argmax (flat index into x, first maximum wins, NaN propagates).
function reference(x, [N, C, H, W], [kh, kw], [sh, sw], [ph, pw], [dh, dw], ceil) {
  const Ho = outSize(H, kh, sh, ph, dh, ceil), Wo = outSize(W, kw, sw, pw, dw, ceil);
  const arg = new Int32Array(N * C * Ho * Wo);
  for (let p = 0; p < N * C; p++)
    for (let oh = 0; oh < Ho; oh++)
      for (let ow = 0; ow < Wo; ow++) {
        let best = -Infinity, bi = -1;
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) {
            const h = oh * sh - ph + i * dh, w = ow * sw - pw + j * dw;
            if (h < 0 || h >= H || w < 0 || w >= W) continue;
            const k = p * H * W + h * W + w;
            if (bi < 0 || x[k] > best || Number.isNaN(x[k])) { best = x[k]; bi = k; }
          }
        arg[(p * Ho + oh) * Wo + ow] = bi;
      }
  return { arg, oshape: [N, C, Ho, Wo] };
}

// [shape, kernel, stride, padding, dilation, ceilMode]
const cases = [
  [[2, 3, 6, 8], [2, 2], [2, 2], [0, 0], [1, 1], false],  // dense
  [[1, 2, 7, 9], [2, 2], [2, 2], [0, 0], [1, 1], false],  // dense, odd H and W: last row, column 0
  [[3, 1, 2, 2], [2, 2], [2, 2], [0, 0], [1, 1], false],  // dense, one window a plane
  [[2, 2, 5, 4], [2, 2], [2, 2], [0, 0], [1, 1], true],   // ceil: 3x2 output, scattered
  [[2, 3, 8, 8], [3, 3], [2, 2], [1, 1], [1, 1], false],  // 4x4 output of overlapping windows: scattered, sums
  [[2, 2, 8, 6], [1, 1], [2, 2], [0, 0], [1, 1], false],  // 4x3 output, argmax at each block's corner: dense
  [[1, 3, 9, 8], [2, 1], [2, 2], [0, 0], [1, 1], false],  // 2x1 windows in 2x2 blocks: dense
  [[2, 2, 9, 9], [2, 2], [2, 2], [0, 0], [2, 2], false],  // dilated: 4x4 output, argmax outside its block
];

for (const dtype of ['float64', 'float32']) {
  describe(`maxPool2d gradient (${dtype}) against a reference scatter`, () => {
    cases.forEach(([shape, k, s, p, d, ceil], ci) => {
      test(`x [${shape}] kernel [${k}] stride [${s}] padding [${p}] dilation [${d}]${ceil ? ' ceil' : ''}`, () => {
        const r = rng(ci * 7 + 3);
        const n = shape.reduce((a, b) => a * b, 1);
        // Few distinct values so windows have ties; one NaN.
        const xd = Array.from({ length: n }, () => Math.floor((r() + 1) * 2.5) - 2);
        xd[n >> 1] = NaN;
        const ref = reference(xd, shape, k, s, p, d, ceil);
        const L = ref.arg.length;
        const gd = Array.from({ length: L }, () => Math.fround(r()));
        const vd = Array.from({ length: n }, () => Math.fround(r()));
        const G = tf.tensor(gd, { shape: ref.oshape, dtype, requiresGrad: true });
        const V = tf.tensor(vd, { shape, dtype });
        const opts = { stride: s, padding: p, dilation: d, ceilMode: ceil };
        // h(x, G) = <d<maxPool(x), G>/dx, V>: its gradient in G is V gathered at the argmax.
        const x = tf.tensor(xd, { shape, dtype, requiresGrad: true });
        const gx = tf.grad((xx, gg) => tf.F.maxPool2d(xx, k, opts).mul(gg).sum(), { argnums: [0], createGraph: true })(x, G)[0];
        const want = new Float64Array(n);
        for (let o = 0; o < L; o++) if (ref.arg[o] >= 0) want[ref.arg[o]] += gd[o];
        const got = Array.from(gx.toTypedArray());
        for (let i = 0; i < n; i++) expect(got[i]).toBeCloseTo(want[i], dtype === 'float32' ? 5 : 12);
        const dG = tf.grad((gg) => {
          const g2 = tf.grad((xx) => tf.F.maxPool2d(xx, k, opts).mul(gg).sum(), { createGraph: true })(x);
          return g2.mul(V).sum();
        })(G);
        const gotG = Array.from(dG.toTypedArray());
        for (let o = 0; o < L; o++) expect(gotG[o]).toBe(Math.fround(vd[ref.arg[o]]));
      });
    });
  });
}

test('the MNIST shape ([64,64,24,24] -> 12x12) without createGraph equals the scatter', () => {
  tf.manualSeed(5);
  const x = tf.randn([64, 64, 24, 24], { requiresGrad: true });
  const y = tf.F.maxPool2d(x, 2);
  const g = tf.randn(y.shape);
  y.backward(g);
  const ref = reference(x.toTypedArray(), x.shape, [2, 2], [2, 2], [0, 0], [1, 1], false);
  const gd = g.toTypedArray();
  const want = new Float32Array(64 * 64 * 24 * 24);
  for (let o = 0; o < ref.arg.length; o++) want[ref.arg[o]] += gd[o];
  const got = x.grad.toTypedArray();
  expect(got.length).toBe(want.length);
  let bad = 0;
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) bad++;
  expect(bad).toBe(0);
});
