// Every error tensorfold raises carries a stable `code` from tf.ErrorCodes (README "Errors"),
// whichever layer raised it: the C++ engine, the binding's argument checks, or TypeScript. Errors
// of the user's own code pass through untouched. test/errors.test.js checks that each of its
// cases has a documented code; here the code itself is checked, then the fuzzer's hostile calls
// (test/fuzz_harness.js, shorter than test/fuzz.test.js) must all produce coded errors.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('..');
const { native } = require('../dist/native');
const { runChild, report, bindingChild, publicChild } = require('./fuzz_harness');

const CODES = Object.values(tf.ErrorCodes);

function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

const i32 = (a) => tf.tensor(a, { dtype: 'int32' });

// [what, thunk, error class name, code]
const CASES = [
  // engine: shapes, dtypes, axes, state
  ['matmul shapes', () => tf.ones([2, 3]).matmul(tf.ones([4, 5])), 'Error', 'ERR_TENSORFOLD_SHAPE'],
  ['broadcast', () => tf.ones([2, 3]).add(tf.ones([4, 3])), 'Error', 'ERR_TENSORFOLD_SHAPE'],
  ['reshape', () => tf.ones([6]).reshape([4, 2]), 'Error', 'ERR_TENSORFOLD_SHAPE'],
  ['concat', () => tf.concat([tf.ones([2, 3]), tf.ones([2, 4])], 0), 'Error', 'ERR_TENSORFOLD_SHAPE'],
  ['conv2d input', () => tf.F.conv2d(tf.ones([1, 3, 5, 5]), tf.ones([2, 4, 3, 3])), 'Error', 'ERR_TENSORFOLD_SHAPE'],
  ['bool neg', () => tf.tensor([true]).neg(), 'TypeError', 'ERR_TENSORFOLD_DTYPE'],
  ['where cond', () => tf.where(tf.ones([2]), 1, 0), 'TypeError', 'ERR_TENSORFOLD_DTYPE'],
  ['flip dim out of range', () => tf.ones([2]).flip([5]), 'RangeError', 'ERR_TENSORFOLD_AXIS'],
  ['sort axis out of range', () => tf.ones([2]).sort(5), 'RangeError', 'ERR_TENSORFOLD_AXIS'],
  ['gather index dtype', () => tf.ones([3]).gather(0, tf.zeros([3])), 'TypeError', 'ERR_TENSORFOLD_DTYPE'],
  ['int requiresGrad', () => { tf.ones([2], { dtype: 'int32' }).requiresGrad = true; }, 'TypeError', 'ERR_TENSORFOLD_DTYPE'],
  ['sum axis', () => tf.ones([2, 3]).sum(2), 'RangeError', 'ERR_TENSORFOLD_AXIS'],
  ['select index', () => tf.ones([2, 3]).select(1, 3), 'RangeError', 'ERR_TENSORFOLD_AXIS'],
  ['indexSelect index', () => tf.ones([3]).indexSelect(0, i32([5])), 'RangeError', 'ERR_TENSORFOLD_AXIS'],
  ['negative size', () => tf.zeros([-1, 3]), 'RangeError', 'ERR_TENSORFOLD_ARGUMENT'],
  ['too large', () => tf.zeros([1e15]), 'RangeError', 'ERR_TENSORFOLD_ARGUMENT'],
  ['backward without grad', () => tf.ones([3]).backward(), 'Error', 'ERR_TENSORFOLD_STATE'],
  ['backward twice', () => { const y = tf.ones([2], { requiresGrad: true }).exp().sum(); y.backward(); y.backward(); }, 'Error', 'ERR_TENSORFOLD_STATE'],
  ['modified in place', () => {
    const y = tf.tensor([1, 2], { requiresGrad: true }).mul(2);
    const z = y.mul(y).sum();
    y.fill_(0);
    z.backward();
  }, 'Error', 'ERR_TENSORFOLD_STATE'],
  ['disposed', () => { const a = tf.ones([2]); a.dispose(); a.add(1); }, 'Error', 'ERR_TENSORFOLD_DISPOSED'],
  ['disposed accessor', () => { const a = tf.ones([2]); a.dispose(); return a.shape; }, 'Error', 'ERR_TENSORFOLD_DISPOSED'],
  ['setNumThreads', () => tf.setNumThreads(0), 'RangeError', 'ERR_TENSORFOLD_ARGUMENT'],
  // TypeScript argument checks (lib/args.ts, creation.ts, tensor_class.ts, ops.ts)
  ['tensor data', () => tf.tensor([1, 'x']), 'TypeError', 'ERR_TENSORFOLD_ARGUMENT'],
  ['tensor fill', () => tf.tensor([1, 2, 3], { shape: [2, 2] }), 'Error', 'ERR_TENSORFOLD_SHAPE'],
  ['unknown dtype', () => tf.zeros([2], { dtype: 'float8' }), 'TypeError', 'ERR_TENSORFOLD_DTYPE'],
  ['add string', () => tf.ones([2]).add('3'), 'TypeError', 'ERR_TENSORFOLD_ARGUMENT'],
  ['axis NaN', () => tf.ones([2, 3]).sum(NaN), 'TypeError', 'ERR_TENSORFOLD_ARGUMENT'],
  ['concat empty', () => tf.concat([]), 'Error', 'ERR_TENSORFOLD_ARGUMENT'],
  ['tidy non-function', () => tf.tidy(3), 'TypeError', 'ERR_TENSORFOLD_ARGUMENT'],
  ['options null', () => tf.zeros([2], null), 'TypeError', 'ERR_TENSORFOLD_ARGUMENT'],
  // nn, F, optim, data, io, functional, transforms, autograd, typed
  ['Linear input', () => new tf.nn.Linear(3, 2).forward(tf.ones([4, 5])), 'Error', 'ERR_TENSORFOLD_SHAPE'],
  ['Conv2d kernelSize', () => new tf.nn.Conv2d(1, 2), 'TypeError', 'ERR_TENSORFOLD_ARGUMENT'],
  ['Dropout p', () => new tf.nn.Dropout(2), 'RangeError', 'ERR_TENSORFOLD_ARGUMENT'],
  ['Sequential.at', () => new tf.nn.Sequential(new tf.nn.ReLU()).at(3), 'RangeError', 'ERR_TENSORFOLD_AXIS'],
  ['loadStateDict', () => new tf.nn.Linear(2, 2).loadStateDict({ weight: tf.ones([3, 3]) }), 'Error', 'ERR_TENSORFOLD_STATE'],
  ['crossEntropy target dtype', () => tf.F.crossEntropy(tf.ones([2, 3]), tf.ones([2])), 'TypeError', 'ERR_TENSORFOLD_DTYPE'],
  ['crossEntropy class', () => tf.F.crossEntropy(tf.ones([2, 3]), i32([0, 7])), 'RangeError', 'ERR_TENSORFOLD_AXIS'],
  ['init dtype', () => tf.nn.init.normal_(tf.ones([2], { dtype: 'int32' })), 'TypeError', 'ERR_TENSORFOLD_DTYPE'],
  ['optimizer empty', () => new tf.optim.SGD([], { lr: 0.1 }), 'Error', 'ERR_TENSORFOLD_ARGUMENT'],
  ['optimizer lr', () => new tf.optim.SGD([tf.ones([2], { requiresGrad: true })], { lr: -1 }), 'RangeError', 'ERR_TENSORFOLD_ARGUMENT'],
  ['optimizer state dict', () => {
    const o = new tf.optim.Adam([tf.ones([2], { requiresGrad: true })]);
    o.loadStateDict({ state: {}, paramGroups: [] });
  }, 'Error', 'ERR_TENSORFOLD_STATE'],
  ['dataset index', () => new tf.data.TensorDataset(tf.ones([3, 2])).get(5), 'RangeError', 'ERR_TENSORFOLD_AXIS'],
  ['readIdx missing file', () => tf.data.readIdx(path.join(os.tmpdir(), 'tensorfold-no-such-file.idx')), 'Error', 'ERR_TENSORFOLD_IO'],
  ['load missing file', () => tf.load(path.join(os.tmpdir(), 'tensorfold-no-such-file.safetensors')), 'Error', 'ERR_TENSORFOLD_IO'],
  ['load garbage', () => {
    const f = path.join(os.tmpdir(), `tensorfold-garbage-${process.pid}.safetensors`);
    fs.writeFileSync(f, 'not a safetensors file at all');
    try {
      tf.load(f);
    } finally {
      fs.rmSync(f, { force: true });
    }
  }, 'Error', 'ERR_TENSORFOLD_IO'],
  ['fold xs scalar', () => tf.scan((h, x) => [h, x], tf.zeros([2]), tf.tensor(1)), 'Error', 'ERR_TENSORFOLD_SHAPE'],
  ['mapWindows stride', () => tf.mapWindows((w) => w.sum(), tf.ones([4]), { size: 2, stride: 0 }), 'RangeError', 'ERR_TENSORFOLD_ARGUMENT'],
  ['permutation n', () => tf.data.permutation(-1, 0, 0), 'RangeError', 'ERR_TENSORFOLD_ARGUMENT'],
  ['Module.apply', () => new tf.nn.ReLU().apply(3), 'TypeError', 'ERR_TENSORFOLD_ARGUMENT'],
  ['grad non-scalar', () => tf.grad((x) => x.mul(2))(tf.ones([3])), 'Error', 'ERR_TENSORFOLD_SHAPE'],
  ['hvp shapes', () => tf.hvp((x) => x.sum(), tf.ones([3]), tf.ones([2])), 'Error', 'ERR_TENSORFOLD_SHAPE'],
  ['typed chain', () => require('../dist/typed').checkChain([new tf.nn.Linear(4, 8), new tf.nn.Linear(6, 2)]), 'Error', 'ERR_TENSORFOLD_SHAPE'],
];

describe('error codes', () => {
  test.each(CASES)('%s', (what, fn, name, code) => {
    const e = thrown(fn);
    expect([e.name, e.code, e.message]).toEqual([name, code, expect.any(String)]);
  });

  test('the codes are the documented ones, and the README lists each', () => {
    expect(CODES.sort()).toEqual([
      'ERR_TENSORFOLD_ARGUMENT', 'ERR_TENSORFOLD_AXIS', 'ERR_TENSORFOLD_DISPOSED', 'ERR_TENSORFOLD_DISTRIBUTED',
      'ERR_TENSORFOLD_DTYPE', 'ERR_TENSORFOLD_INTERNAL', 'ERR_TENSORFOLD_IO', 'ERR_TENSORFOLD_MEMORY',
      'ERR_TENSORFOLD_SHAPE', 'ERR_TENSORFOLD_STATE',
    ]);
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    for (const c of CODES) expect(readme).toMatch(new RegExp('\\| `' + c + '` \\|'));
  });

  test('isTensorfoldError tells tensorfold errors from others', () => {
    expect(tf.isTensorfoldError(thrown(() => tf.ones([2]).sum(5)))).toBe(true);
    expect(tf.isTensorfoldError(new Error('x'))).toBe(false);
    expect(tf.isTensorfoldError(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe(false);
  });

  test("the user's own errors pass through tensorfold untouched", () => {
    const mine = new Error('mine');
    expect(thrown(() => tf.tidy(() => { throw mine; }))).toBe(mine);
    expect(mine.code).toBeUndefined();
    const viaCallback = thrown(() => tf.fold((h, x) => { throw new TypeError('user fold step'); }, tf.zeros([2]), tf.ones([3, 2])));
    expect([viaCallback.message, viaCallback.code]).toEqual(['user fold step', undefined]);
    // ...through a custom backward that the engine calls, too.
    const x = tf.ones([2], { requiresGrad: true });
    const y = tf.noGrad(() => x.mul(2));
    native.customOp('boom', [x._h], [y._h], () => { throw new RangeError('custom backward failed'); });
    const e = thrown(() => y.sum().backward());
    expect([e.message, e.code]).toEqual(['custom backward failed', undefined]);
  });

  test('the binding: its own argument checks are coded (the raw addon too)', () => {
    for (const [fn, code] of [
      [() => native.unary(1, {}), 'ERR_TENSORFOLD_ARGUMENT'],
      [() => native.full([2], 'x', 0), 'ERR_TENSORFOLD_ARGUMENT'],
      [() => native.full([2], 0, 9), 'ERR_TENSORFOLD_DTYPE'],
      [() => native.reduce({ toString() { throw new Error('no'); } }, null, null, false), 'ERR_TENSORFOLD_ARGUMENT'],
      [() => native.concat([null], 0), 'ERR_TENSORFOLD_ARGUMENT'],
    ])
      expect(thrown(fn).code).toBe(code);
  });
});

test('the fuzzer: every error from hostile calls to the binding and the public API has a documented code', () => {
  const bindingRes = runChild(bindingChild, { seed: 0x5eed1, callsPerFn: 150 }, 600000);
  report(bindingRes);
  expect(bindingRes.summary.uncoded).toEqual({});
  const publicRes = runChild(publicChild, { seed: 0x5eed2, callsPerFn: 40, maxInstances: 30 }, 600000);
  report(publicRes);
  expect(publicRes.summary.threw).toBeGreaterThan(1000);
  expect(publicRes.summary.uncoded).toEqual({});
}, 600000);

test('codes work where code generation from strings is disallowed', () => {
  const { spawnSync } = require('child_process');
  const code = `const tf = require(${JSON.stringify(path.join(__dirname, '..'))});
    try { tf.zeros([2]).sum('x'); } catch (e) { console.log(e.code); }`;
  const r = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', '-e', code], { encoding: 'utf8' });
  expect([r.status, r.stdout.trim()]).toEqual([0, 'ERR_TENSORFOLD_ARGUMENT']);
});
