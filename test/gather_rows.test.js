// gather and scatterAdd over whole rows (contiguous input and index, the index as large as the input
// in every dim but the gathered one), and indexSelect / indexAdd on contiguous tensors, take a loop over
// [outer, m, inner] in the engine (gather copies a strided input of whole rows to take it too);
// everything else takes the general strided walk. Both must agree element for element, raise the same errors,
// and give the same gradients.
'use strict';
const tf = require('..');
const { checkGrad, weightedSum, weights } = require('./helpers');

const i32 = (v, shape) => tf.tensor(Int32Array.from(v), { dtype: 'int32', shape });
// The same values as a non-contiguous view: the engine takes the general path for it.
const strided = (t) => (t.ndim < 2 ? t.unsqueeze(1).expand([t.shape[0], 2]).select(1, 0) : t.transpose(0, 1).contiguous().transpose(0, 1));
const values = (t) => Array.from(t.toTypedArray());

function randomIndex(shape, size, seed) {
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    v.push(((s >>> 8) % (2 * size)) - size);  // negative indices count from the end
  }
  return i32(v, shape);
}

describe.each(['float32', 'float64', 'int32', 'bool'])('%s', (dtype) => {
  const x = dtype === 'bool' ? weights([3, 5, 4], 'float64', 3).gt(0) : weights([3, 5, 4], 'float64', 3).mul(100).to(dtype);

  test.each([0, 1, 2, -1])('gather along dim %i: whole rows and the strided path agree', (dim) => {
    const d = (dim + 3) % 3;
    const shape = [3, 5, 4];
    shape[d] = 7;  // more picks than the dim holds, with repeats
    const index = randomIndex(shape, x.shape[d], 11 + d);
    expect(strided(index).isContiguous()).toBe(false);
    const fast = x.gather(dim, index);
    expect(fast.shape).toEqual(shape);
    expect(values(fast)).toEqual(values(x.gather(dim, strided(index))));
    expect(values(fast)).toEqual(values(strided(x).gather(dim, index)));
  });
});

test('scatterAdd along each dim: whole rows and the strided path agree, repeats accumulate', () => {
  for (const dim of [0, 1, 2]) {
    const base = weights([3, 5, 4], 'float64', 5);
    const shape = [3, 5, 4];
    shape[dim] = 6;
    const index = randomIndex(shape, base.shape[dim], 7 + dim);
    const src = weights(shape, 'float64', 9);
    const fast = base.scatterAdd(dim, index, src);
    const slow = base.scatterAdd(dim, strided(index), strided(src));
    const got = values(fast), want = values(slow);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 12));
  }
  // Three adds into one place.
  expect(values(tf.zeros([1, 2]).scatterAdd(1, i32([0, 0, -2], [1, 3]), tf.ones([1, 3])))).toEqual([3, 0]);
});

test('an out-of-range index is a RangeError naming the op, before anything is written', () => {
  const x = tf.ones([2, 3]);
  for (const bad of [3, -4]) {
    let err;
    try { x.gather(1, i32([0, 1, bad, 0, 0, 0], [2, 3])); } catch (e) { err = e; }
    expect(err.name).toBe('RangeError');
    expect(err.message).toMatch(new RegExp(`gather: index ${bad} is out of range for a dimension of size 3`));
    err = undefined;
    try { x.scatterAdd(1, i32([0, 1, bad, 0, 0, 0], [2, 3]), tf.ones([2, 3])); } catch (e) { err = e; }
    expect(err.name).toBe('RangeError');
    expect(err.message).toMatch(/scatterAdd: index .* is out of range/);
  }
});

test('gradients through whole-row gather and scatterAdd match finite differences (float64)', () => {
  const index = randomIndex([3, 6, 2], 4, 3);
  checkGrad((x) => weightedSum(x.gather(1, index)), [weights([3, 4, 2], 'float64', 1)], { label: 'gather' });
  checkGrad((a, s) => weightedSum(a.scatterAdd(1, index, s)), [weights([3, 4, 2], 'float64', 2), weights([3, 6, 2], 'float64', 4)],
    { label: 'scatterAdd' });
  // Second order: the gradient of gather is a scatterAdd, whose gradient is a gather.
  checkGrad((x) => {
    const g = tf.grad((y) => weightedSum(y.gather(1, index).pow(2)))(x);
    return weightedSum(g, 6);
  }, [weights([3, 4, 2], 'float64', 1)], { label: 'gather, second order' });
});

describe.each(['float32', 'float64', 'int32', 'bool'])('indexSelect, %s', (dtype) => {
  const x = dtype === 'bool' ? weights([3, 5, 4], 'float64', 3).gt(0) : weights([3, 5, 4], 'float64', 3).mul(100).to(dtype);
  test.each([0, 1, 2, -1])('along dim %i: contiguous rows and the strided path agree', (dim) => {
    const d = (dim + 3) % 3;
    const index = randomIndex([9], x.shape[d], 5 + d);
    const fast = x.indexSelect(dim, index);
    expect(values(fast)).toEqual(values(strided(x).indexSelect(dim, index)));
    expect(fast.shape[d]).toBe(9);
  });
});

test('indexAdd: contiguous rows and the strided path agree, repeats accumulate', () => {
  for (const dim of [0, 1, 2]) {
    const base = weights([3, 5, 4], 'float64', 5);
    const index = randomIndex([7], base.shape[dim], 13 + dim);
    const shape = [3, 5, 4];
    shape[dim] = 7;
    const src = weights(shape, 'float64', 9);
    const got = values(base.indexAdd(dim, index, src)), want = values(strided(base).indexAdd(dim, index, src));
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 12));
  }
  expect(values(tf.zeros([3]).indexAdd(0, i32([1, 1, -2], [3]), tf.ones([3])))).toEqual([0, 3, 0]);
  // A 1-d gather of many elements (the case the row loop exists for).
  const big = tf.arange(0, 1000).to('float32');
  const idx = randomIndex([5000], 1000, 17);
  const want = Array.from(idx.toTypedArray(), (v) => (v < 0 ? v + 1000 : v));
  expect(values(big.indexSelect(0, idx))).toEqual(want);
});

test('indexSelect / indexAdd: an out-of-range index is a RangeError', () => {
  for (const [what, f] of [['indexSelect', () => tf.ones([4]).indexSelect(0, i32([0, 4], [2]))],
    ['indexAdd', () => tf.ones([4]).indexAdd(0, i32([0, -5], [2]), tf.ones([2]))]]) {
    let err;
    try { f(); } catch (e) { err = e; }
    expect(err.name).toBe('RangeError');
    expect(err.message).toMatch(new RegExp(`${what}: index -?[45] is out of range for a dimension of size 4`));
  }
});

test('gradients through contiguous indexSelect and indexAdd match finite differences (float64)', () => {
  const index = i32([2, 0, 2, -1, 1], [5]);
  checkGrad((x) => weightedSum(x.indexSelect(1, index)), [weights([2, 4, 3], 'float64', 1)], { label: 'indexSelect' });
  checkGrad((a, s) => weightedSum(a.indexAdd(1, index, s)), [weights([2, 4, 3], 'float64', 2), weights([2, 5, 3], 'float64', 4)],
    { label: 'indexAdd' });
  const g1 = tf.grad((y) => weightedSum(y.indexSelect(1, index).pow(2)));
  checkGrad((x) => weightedSum(g1(x), 6), [weights([2, 4, 3], 'float64', 1)], { label: 'indexSelect, second order' });
});

// Found by the differential tester (a division by a zero row length picked the thread grain):
// empty rows, indices and outer dims take the row paths without dividing by zero.
test('row paths on empty tensors: gather, scatterAdd, indexSelect, indexAdd and their gradients', () => {
  for (const shape of [[2, 3, 0], [0, 3, 2], [2, 0, 2]]) {
    const x = tf.zeros(shape, { requiresGrad: true });
    const idxShape = shape.slice(); idxShape[1] = 2;
    const idx = tf.zeros(idxShape, { dtype: 'int32' });
    const g = x.gather(1, shape[1] ? idx : tf.zeros([shape[0], 0, shape[2]], { dtype: 'int32' }));
    expect(g.shape[1]).toBe(shape[1] ? 2 : 0);
    if (shape[1]) expect(x.scatterAdd(1, idx, tf.ones(idxShape)).shape).toEqual(shape);
    const s = x.indexSelect(1, tf.zeros([shape[1] ? 1 : 0], { dtype: 'int32' }));
    s.sum().add(g.sum()).backward();
    expect(x.grad.shape).toEqual(shape);
  }
  expect(tf.zeros([0]).indexSelect(0, tf.zeros([0], { dtype: 'int32' })).shape).toEqual([0]);
  expect(tf.zeros([3, 0]).indexAdd(0, tf.tensor([0, 2], { dtype: 'int32' }), tf.zeros([2, 0])).shape).toEqual([3, 0]);
});
