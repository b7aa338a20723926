// The 2x2 / stride-2 max-pooling fast path against a direct reference: values, the argmax that
// receives the gradient (first maximum in the window wins ties), NaN propagation, odd sizes.
const tf = require('..');

function reference(x, N, C, H, W) {
  const Ho = Math.floor(H / 2), Wo = Math.floor(W / 2);
  const y = new Float64Array(N * C * Ho * Wo), g = new Float64Array(N * C * H * W);
  for (let p = 0; p < N * C; p++)
    for (let oh = 0; oh < Ho; oh++)
      for (let ow = 0; ow < Wo; ow++) {
        let best = -Infinity, bi = -1;
        for (let i = 0; i < 2; i++)
          for (let j = 0; j < 2; j++) {
            const k = p * H * W + (2 * oh + i) * W + 2 * ow + j;
            const v = x[k];
            if (bi < 0 || v > best || Number.isNaN(v)) { best = v; bi = k; }
          }
        y[p * Ho * Wo + oh * Wo + ow] = best;
        g[bi] += 1;
      }
  return { y, g, Ho, Wo };
}

test.each([[2, 3, 6, 8], [1, 2, 7, 9], [3, 1, 2, 2]])('maxPool2d(2) on [%i,%i,%i,%i] equals the reference', (N, C, H, W) => {
  tf.manualSeed(N * 100 + H);
  // Values from a small set so windows have ties; a few NaNs.
  const x = tf.randint(-2, 3, [N, C, H, W]).to('float64').toTypedArray();
  x[3] = NaN;
  x[x.length - 2] = NaN;
  const xt = tf.tensor(x, { shape: [N, C, H, W], requiresGrad: true });
  const y = tf.F.maxPool2d(xt, 2);
  y.backward(tf.onesLike(y));
  const r = reference(x, N, C, H, W);
  expect(y.shape).toEqual([N, C, r.Ho, r.Wo]);
  expect(Array.from(y.toTypedArray())).toEqual(Array.from(r.y));
  expect(Array.from(xt.grad.toTypedArray())).toEqual(Array.from(r.g));
});
