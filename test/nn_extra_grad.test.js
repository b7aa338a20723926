// Issue #10's layers in float64 against central finite differences (first order everywhere, second
// order through the transposed convolution), behaviour that PyTorch fixtures cannot pin down
// (random layers, module copies), and the errors for misuse.
'use strict';
const { tf, checkGrad, randTensor, weightedSum, expectThrowsKind, expectClose } = require('./helpers');

const F = tf.F;
const nn = tf.nn;
const r = (shape, seed, lo = -1, hi = 1) => randTensor(shape, { seed, lo, hi });

describe('gradients match finite differences (float64)', () => {
  test('convTranspose2d: input, weight, bias', () => {
    // d/dx of <convT(x, w), R> is conv2d(R, w): the adjoint's adjoint
    checkGrad((x, w, b) => weightedSum(F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 })),
      [r([1, 2, 3, 3], 1), r([2, 3, 3, 3], 2), r([3], 3)], { label: 'convT2d' });
    checkGrad((x, w) => weightedSum(F.convTranspose1d(x, w, null, { stride: 2, groups: 2 })),
      [r([2, 4, 3], 4), r([4, 1, 3], 5)], { label: 'convT1d' });
  });
  test('convTranspose2d second order: grad of <∂f/∂x, V> w.r.t. w', () => {
    const x = r([1, 2, 3, 3], 6), V = r([1, 2, 3, 3], 7);
    const s = (w) => {
      const gx = tf.grad((xx, ww) => weightedSum(F.convTranspose2d(xx, ww, null, { stride: 2 })), { createGraph: true })(x, w);
      return gx.mul(V).sum();
    };
    checkGrad(s, [r([2, 3, 2, 2], 8)], { label: 'convT2d 2nd' });
  });
  test('conv3d and 3-d pooling', () => {
    checkGrad((x, w) => weightedSum(F.conv3d(x, w, null, { stride: [2, 1, 1], padding: 1 })),
      [r([1, 2, 4, 3, 3], 9), r([2, 2, 2, 2, 2], 10)], { label: 'conv3d' });
    checkGrad((x) => weightedSum(F.avgPool3d(x, 2, { stride: 1, padding: 1, countIncludePad: false })),
      [r([1, 1, 3, 3, 4], 11)], { label: 'avgPool3d' });
    checkGrad((x) => weightedSum(F.maxPool3d(x, 2, { stride: 1 })), [r([1, 1, 3, 3, 3], 12)], { label: 'maxPool3d' });
  });
  test('fold and unfold', () => {
    checkGrad((x) => weightedSum(F.unfold(x, 2, { padding: 1, stride: 2 })), [r([1, 2, 3, 4], 13)], { label: 'unfold' });
    checkGrad((x) => weightedSum(F.fold(x, [3, 3], 2)), [r([1, 8, 4], 14)], { label: 'fold' });
  });
  test('interpolate (bicubic, bilinear) and pad (reflect, circular)', () => {
    checkGrad((x) => weightedSum(F.interpolate(x, { scaleFactor: 1.5, mode: 'bicubic' })), [r([1, 1, 3, 4], 15)],
      { label: 'bicubic' });
    checkGrad((x) => weightedSum(F.interpolate(x, { size: [4, 2], mode: 'bilinear', alignCorners: true })),
      [r([1, 2, 3, 3], 16)], { label: 'bilinear' });
    checkGrad((x) => weightedSum(F.pad(x, [2, 1, 1, 2], 'reflect')), [r([1, 1, 3, 3], 17)], { label: 'reflect' });
    checkGrad((x) => weightedSum(F.pad(x, [1, 3], 'circular')), [r([2, 4], 18)], { label: 'circular' });
  });
  test('gridSample: input and grid (bilinear)', () => {
    // Grid points are kept off integer pixel positions, where the bilinear weights have kinks.
    const grid = randTensor([1, 2, 3, 2], { seed: 19, lo: -0.9, hi: 0.9 });
    checkGrad((x, g) => weightedSum(F.gridSample(x, g, { alignCorners: false })), [r([1, 2, 3, 4], 20), grid],
      { label: 'gridSample' });
    checkGrad((t) => weightedSum(F.affineGrid(t, [1, 1, 2, 3])), [r([1, 2, 3], 21)], { label: 'affineGrid' });
  });
  test('norms', () => {
    const w = r([4], 22), b = r([4], 23);
    checkGrad((x) => weightedSum(F.groupNorm(x, 2, w, b)), [r([2, 4, 3], 24)], { label: 'groupNorm' });
    checkGrad((x) => weightedSum(F.instanceNorm(x)), [r([2, 2, 5], 25)], { label: 'instanceNorm' });
    checkGrad((x) => weightedSum(F.rmsNorm(x, 3)), [r([2, 3], 26)], { label: 'rmsNorm' });
    checkGrad((x) => weightedSum(F.localResponseNorm(x, 3)), [r([1, 4, 2], 27)], { label: 'lrn' });
  });
  test('activations and distances', () => {
    // Inputs kept away from the kinks at 0 and ±3.
    const x = randTensor([3, 4], { seed: 28, lo: -4, hi: 4, awayFrom: [0, 3, -3] });
    for (const f of ['selu', 'celu', 'mish', 'hardswish', 'hardsigmoid', 'logSigmoid', 'softsign', 'softmin', 'glu', 'relu6'])
      checkGrad((t) => weightedSum(F[f](t)), [x], { label: f });
    checkGrad((a, b) => weightedSum(F.cosineSimilarity(a, b)), [r([3, 4], 29), r([3, 4], 30)], { label: 'cos' });
    checkGrad((a, b) => weightedSum(F.pairwiseDistance(a, b, 3)), [r([3, 4], 31), r([3, 4], 32)], { label: 'pdist' });
    checkGrad((a, b, w) => weightedSum(F.bilinear(a, b, w)), [r([2, 3], 33), r([2, 2], 34), r([4, 3, 2], 35)],
      { label: 'bilinear' });
  });
  test('losses', () => {
    const y = tf.tensor([1, -1, 1], { dtype: 'float64' });
    checkGrad((a, b) => F.cosineEmbeddingLoss(a, b, y, { margin: -0.5 }), [r([3, 4], 36), r([3, 4], 37)], { label: 'cosEmb' });
    checkGrad((a, p, n) => F.tripletMarginLoss(a, p, n, { margin: 3 }), [r([3, 4], 38), r([3, 4], 39), r([3, 4], 40)],
      { label: 'triplet' });
    checkGrad((x, t, v) => F.gaussianNllLoss(x, t, v), [r([3, 2], 41), r([3, 2], 42), r([3, 2], 43, 0.5, 2)],
      { label: 'gaussianNll' });
    checkGrad((x) => F.crossEntropy(x, tf.softmax(r([3, 4], 44), 1), { labelSmoothing: 0.1 }), [r([3, 4], 45)],
      { label: 'ce probs' });
  });
});

describe('behaviour', () => {
  test('TransformerEncoder copies its layer: independent parameters, same values', () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0 });
    const enc = new nn.TransformerEncoder(layer, 2);
    const p0 = enc.stateDict()['layers.0.linear1.weight'], p1 = enc.stateDict()['layers.1.linear1.weight'];
    expectClose(p0, p1.toTypedArray(), { rtol: 0, atol: 0 });
    tf.noGrad(() => p0.fill_(0));
    expect(p1.abs().sum().item()).toBeGreaterThan(0);
    expect(layer.linear1.weight.abs().sum().item()).toBeGreaterThan(0);
    expect(enc.parameters().length).toBe(2 * layer.parameters().length);
  });
  test('generateSquareSubsequentMask', () => {
    expect(nn.Transformer.generateSquareSubsequentMask(3).toArray()).toEqual([[0, -Infinity, -Infinity], [0, 0, -Infinity], [0, 0, 0]]);
  });
  test('gumbelSoftmax: rows sum to 1; hard gives one-hot rows with the soft gradient', () => {
    tf.manualSeed(1);
    const logits = r([4, 5], 46);
    logits.requiresGrad = true;
    const soft = F.gumbelSoftmax(logits, { tau: 0.5 });
    expectClose(soft.sum(1), [1, 1, 1, 1], { rtol: 1e-12, atol: 1e-12 });
    const hard = F.gumbelSoftmax(logits, { hard: true, dim: 0 });
    expectClose(hard.sum(0), [1, 1, 1, 1, 1], { rtol: 1e-12, atol: 1e-12 });
    for (const v of hard.toTypedArray()) expect(v === 0 || v === 1 || Math.abs(v) < 1e-12 || Math.abs(v - 1) < 1e-12).toBe(true);
    weightedSum(hard).backward();
    expect(logits.grad.abs().sum().item()).toBeGreaterThan(0);
  });
  test('Dropout2d zeroes whole channels and scales the rest; identity in eval', () => {
    tf.manualSeed(3);
    const d = new nn.Dropout2d(0.5);
    const y = d.forward(tf.ones([4, 6, 3, 3]));
    const perChannel = y.sum([2, 3]).toTypedArray();
    for (const v of perChannel) expect(v === 0 || v === 18).toBe(true);
    d.eval();
    expect(d.forward(tf.ones([2, 2, 2])).sum().item()).toBe(8);
  });
  test('oneHot infers the class count', () => {
    expect(F.oneHot(tf.tensor(new Int32Array([0, 2]))).toArray()).toEqual([[1, 0, 0], [0, 0, 1]]);
  });
  test('loss modules keep weights as buffers under PyTorch names', () => {
    const w = tf.tensor([1, 2, 3]);
    expect(Object.keys(new nn.CrossEntropyLoss({ weight: w }).stateDict())).toEqual(['weight']);
    expect(Object.keys(new nn.BCEWithLogitsLoss({ posWeight: w }).stateDict())).toEqual(['pos_weight']);
    expect(Object.keys(new nn.MSELoss().stateDict())).toEqual([]);
  });
});

describe('errors', () => {
  test('shape and argument errors name the op', () => {
    expectThrowsKind(() => F.convTranspose2d(tf.randn([1, 3, 4, 4]), tf.randn([2, 2, 3, 3])), 'Error',
      /^convTranspose2d: input \[1,3,4,4\] has 3 channels but weight \[2,2,3,3\] expects 2$/);
    expectThrowsKind(() => F.convTranspose2d(tf.randn([1, 2, 4, 4]), tf.randn([2, 2, 3, 3]), null, { outputPadding: 1 }),
      'Error', /outputPadding/);
    expectThrowsKind(() => F.pad(tf.randn([2, 3]), [3, 0], 'reflect'), 'Error', /^pad: reflect padding \[3, 0\] must be smaller/);
    expectThrowsKind(() => F.pad(tf.randn([2, 3]), [1], 'constant'), 'TypeError', /^pad: pad must be an array of an even number/);
    expectThrowsKind(() => F.interpolate(tf.randn([1, 1, 3]), { size: 4, mode: 'bilinear' }), 'Error',
      /^interpolate: mode 'bilinear' needs a 4-d input, got \[1,1,3\]$/);
    expectThrowsKind(() => F.interpolate(tf.randn([1, 1, 3])), 'Error', /exactly one of size and scaleFactor/);
    expectThrowsKind(() => new nn.GroupNorm(3, 4), 'Error', /^GroupNorm: numChannels \(4\) must be divisible by numGroups \(3\)$/);
    expectThrowsKind(() => F.pixelShuffle(tf.randn([1, 3, 2, 2]), 2), 'Error', /not divisible by 2² = 4/);
    expectThrowsKind(() => F.fold(tf.randn([1, 8, 5]), [3, 3], 2), 'Error', /^fold: input \[1,8,5\] has 5 blocks/);
    expectThrowsKind(() => F.conv3d(tf.randn([1, 2, 3, 3]), tf.randn([1, 2, 1, 1, 1])), 'Error',
      /^conv3d: input \[1,1,2,3,3\] has 1 channels/);
    expectThrowsKind(() => F.crossEntropy(tf.randn([2, 3]), tf.rand([2, 4])), 'Error',
      /^crossEntropy: target must be int32 or int64 class indices of shape \[2\] \(or class probabilities of shape \[2,3\]\), got float32 \[2,4\]$/);
    expectThrowsKind(() => F.glu(tf.randn([2, 3])), 'Error', /^glu: dim -1 of input \[2,3\] must have an even size, got 3$/);
  });
});
