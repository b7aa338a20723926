// tf.linalg and the plain linear-algebra functions:
//  (a) forward against PyTorch 1.13 (test/fixtures/linalg.json, scripts/gen_linalg_fixtures.py),
//      comparing what is unique: factors defined up to sign are compared in absolute value, plus
//      reconstruction and orthogonality;
//  (b) gradients against PyTorch's for the same gauge-invariant losses;
//  (c) gradients and second derivatives against finite differences in float64;
//  (d) result objects, batching, errors.
// Run on both builds (CI: OpenBLAS's LAPACK, and TENSORFOLD_BLAS=0 with the engine's own routines).
'use strict';
const fs = require('fs');
const path = require('path');
const {
  tf, fromSpec, expectClose, expectShape, checkGrad, randTensor, weightedSum, expectThrowsKind, values64,
} = require('./helpers');

const FIX = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'linalg.json'), 'utf8')).cases;
const ordOf = (o) => (o === 'inf' ? Infinity : o === '-inf' ? -Infinity : o);
const L = tf.linalg;

// Each fixture function's outputs, in PyTorch's order.
const FN = {
  det: ([A]) => [L.det(A)],
  slogdet: ([A]) => [...L.slogdet(A)],
  inv: ([A]) => [L.inv(A)],
  solve: ([A, B], o) => [L.solve(A, B, o)],
  solveTriangular: ([A, B], o) => [L.solveTriangular(A, B, o)],
  cholesky: ([A], o) => [L.cholesky(A, o)],
  qr: ([A], o) => [...L.qr(A, o)],
  svd: ([A], o) => [...L.svd(A, o)],
  svdvals: ([A]) => [L.svdvals(A)],
  eigh: ([A], o) => [...L.eigh(A, o)],
  eigvalsh: ([A]) => [L.eigvalsh(A)],
  pinv: ([A], o) => [L.pinv(A, o)],
  lstsq: ([A, B], o) => {
    const r = L.lstsq(A, B, o);
    return [r.solution, r.residuals, r.rank, r.singularValues];
  },
  matrixPower: ([A], o) => [L.matrixPower(A, o.n)],
  matrixExp: ([A]) => [L.matrixExp(A)],
  vectorNorm: ([x], o) => [L.vectorNorm(x, ordOf(o.ord ?? 2), o.dim ?? undefined, o.keepdim ?? false)],
  matrixNorm: ([A], o) => [L.matrixNorm(A, ordOf(o.ord ?? 'fro'), o.dim ?? [-2, -1], o.keepdim ?? false)],
  norm: ([A], o) => [L.norm(A, o.ord === undefined ? undefined : ordOf(o.ord), o.dim, o.keepdim ?? false)],
  matmul: ([a, b]) => [L.matmul(a, b)],
  vecdot: ([a, b]) => [L.vecdot(a, b)],
  multiDot: (ts) => [L.multiDot(ts)],
  matrixRank: ([A], o) => [L.matrixRank(A, o)],
  cond: ([A], o) => [L.cond(A, o.p)],
  dot: ([a, b]) => [tf.dot(a, b)],
  outer: ([a, b]) => [tf.outer(a, b)],
  mm: ([a, b]) => [tf.mm(a, b)],
  bmm: ([a, b]) => [tf.bmm(a, b)],
  mv: ([a, b]) => [tf.mv(a, b)],
  addmm: ([c, a, b], o) => [tf.addmm(c, a, b, o)],
  baddbmm: ([c, a, b], o) => [tf.baddbmm(c, a, b, o)],
  cross: ([a, b], o) => [tf.cross(a, b, o.dim)],
  kron: ([a, b]) => [tf.kron(a, b)],
  cdist: ([a, b], o) => [tf.cdist(a, b, ordOf(o.p))],
};

function tolOf(dtype) {
  return dtype === 'float32' ? { rtol: 3e-4, atol: 3e-5 } : { rtol: 1e-9, atol: 1e-10 };
}
const abs = (t) => Float64Array.from(t.toTypedArray(), Math.abs);
const absVals = (spec) => spec.values.map((v) => Math.abs(v));

// Columns [0, k) of a [..., r, c] array given flat (for factors whose further columns are arbitrary).
function leadingCols(flat, shape, k) {
  const r = shape[shape.length - 2], c = shape[shape.length - 1];
  const out = [];
  for (let b = 0; b < flat.length / (r * c); b++)
    for (let i = 0; i < r; i++) for (let j = 0; j < k; j++) out.push(flat[b * r * c + i * c + j]);
  return out;
}

function expectOrthonormalCols(Q, tol, label) {
  const n = Q.shape[Q.ndim - 1];
  const I = tf.eye(n, undefined, { dtype: Q.dtype }).expand([...Q.shape.slice(0, -2), n, n]);
  expectClose(Q.transpose(-1, -2).matmul(Q), I.contiguous(), tol, `${label} QᵀQ = I`);
}

// Sign-ambiguous outputs are compared in absolute value; in 'svd full' and 'qr tall complete'
// only the columns determined by A.
function compareOutputs(c, outs, tol) {
  c.outputs.forEach((spec, i) => {
    const label = `${c.name} output ${i}`;
    const got = outs[i];
    expectShape(got, spec.shape, label);
    if (spec.dtype === 'int32') {
      expect(Array.from(got.toTypedArray())).toEqual(spec.values);
      return;
    }
    if (!c.square[i]) {
      expectClose(got, spec.values, tol, label);
      return;
    }
    const completes = (c.fn === 'svd' && c.opts.fullMatrices !== false) || c.opts.mode === 'complete';
    if (completes && spec.shape.length >= 2) {
      const k = Math.min(...c.inputs[0].shape.slice(-2));
      if (i === 0) {
        expectClose(leadingCols(abs(got), spec.shape, k), leadingCols(absVals(spec), spec.shape, k), tol, label);
        expectOrthonormalCols(got, tol, label);
        return;
      }
      if (c.fn === 'svd') {
        // Vh: its first k rows are determined; compare those (as columns of the transpose).
        const t = got.transpose(-1, -2).contiguous();
        const ref = tf.tensor(spec.values, { dtype: 'float64', shape: spec.shape }).transpose(-1, -2).contiguous();
        expectClose(leadingCols(abs(t), t.shape, k), leadingCols(abs(ref), t.shape, k), tol, label);
        expectOrthonormalCols(got.transpose(-1, -2), tol, label);
        return;
      }
    }
    expectClose(abs(got), absVals(spec), tol, label);
  });
}

// ============================================================ (a) forward vs PyTorch
describe('forward against PyTorch', () => {
  test('backendInfo reports the LAPACK in use', () => {
    const info = tf.backendInfo();
    expect(['openblas', 'own']).toContain(info.lapack);
    expect(L.lapackBackend()).toBe(info.lapack);
    if (info.blas === 'own') expect(info.lapack).toBe('own');
  });
  for (const c of FIX) {
    test(c.name, () => {
      const xs = c.inputs.map((s) => fromSpec(s));
      const outs = FN[c.fn](xs, c.opts);
      compareOutputs(c, outs, tolOf(c.inputs[0].dtype));
      // Reconstructions: what the decomposition promises, whatever signs were chosen.
      const tol = tolOf(c.inputs[0].dtype);
      const A = xs[0];
      if (c.fn === 'svd') {
        const [U, S, Vh] = outs;
        const k = S.shape[S.ndim - 1];
        const Uk = U.narrow(-1, 0, k), Vk = Vh.narrow(-2, 0, k);
        expectClose(Uk.mul(S.unsqueeze(-2)).matmul(Vk), A, tol, `${c.name} U S Vh = A`);
      }
      if (c.fn === 'qr' && c.opts.mode !== 'r') expectClose(outs[0].matmul(outs[1]), A, tol, `${c.name} QR = A`);
      if (c.fn === 'eigh') {
        // Only one triangle of A is read (UPLO): compare the reconstruction there.
        const [w, V] = outs;
        const recon = V.mul(w.unsqueeze(-2)).matmul(V.transpose(-1, -2));
        const n = A.shape[A.ndim - 1];
        const upper = c.opts.UPLO === 'U';
        const mask = tf.tensor(Array.from({ length: n * n }, (_, q) => {
          const i = Math.floor(q / n), j = q % n;
          return (upper ? i <= j : i >= j) ? 1 : 0;
        }), { dtype: A.dtype, shape: [n, n] });
        expectClose(recon.mul(mask), A.mul(mask), tol, `${c.name} V diag(w) Vᵀ = A`);
      }
      if (c.fn === 'cholesky') {
        const F = outs[0];
        const LL = c.opts.upper ? F.transpose(-1, -2).matmul(F) : F.matmul(F.transpose(-1, -2));
        expectClose(LL, A, tol, `${c.name} L Lᵀ = A`);
      }
    });
  }
});

// ============================================================ (b) gradients vs PyTorch
function fixtureLoss(c, outs) {
  let loss = null;
  c.weights.forEach((w, i) => {
    if (!w) return;
    const o = c.square[i] ? outs[i].mul(outs[i]) : outs[i];
    const term = o.mul(fromSpec(w)).sum();
    loss = loss ? loss.add(term) : term;
  });
  return loss;
}

describe('gradients against PyTorch', () => {
  for (const c of FIX.filter((f) => f.grads)) {
    test(c.name, () => {
      const xs = c.inputs.map((s) => fromSpec(s));
      const argnums = xs.map((_, i) => i).filter((i) => c.grads[i]);
      const f = (...args) => fixtureLoss(c, FN[c.fn](args, c.opts));
      const gs = tf.grad(f, { argnums })(...xs);
      const dtype = c.inputs[0].dtype;
      const tol = dtype === 'float32' ? { rtol: 2e-3, atol: 2e-4 } : { rtol: 1e-7, atol: 1e-9 };
      argnums.forEach((i, q) => expectClose(gs[q], c.grads[i].values, tol, `${c.name} d/dx${i}`));
    });
  }
});

// ============================================================ (c) finite differences (float64)
const sym = (X) => X.add(X.transpose(-1, -2)).mul(0.5);
const spdOf = (X) => X.matmul(X.transpose(-1, -2)).add(tf.eye(X.shape[X.ndim - 1], undefined, { dtype: 'float64' }).mul(X.shape[X.ndim - 1]));
const wellOf = (X) => X.add(tf.eye(X.shape[X.ndim - 1], undefined, { dtype: 'float64' }).mul(2));
const sq = (t) => t.mul(t);

// Gauge-invariant scalar functions of each op.
const FD = {
  det: [[[2, 3, 3]], (X) => weightedSum(L.det(wellOf(X)))],
  'slogdet logabsdet': [[[3, 3]], (X) => weightedSum(L.slogdet(wellOf(X)).logabsdet)],
  inv: [[[3, 3]], (X) => weightedSum(L.inv(wellOf(X)))],
  solve: [[[2, 3, 3], [3, 2]], (X, B) => weightedSum(L.solve(wellOf(X), B))],
  'solve right': [[[3, 3], [2, 3]], (X, B) => weightedSum(L.solve(wellOf(X), B, { left: false }))],
  'solveTriangular upper': [[[3, 3], [3, 2]], (X, B) => weightedSum(L.solveTriangular(wellOf(X), B, { upper: true }))],
  'solveTriangular lower right unit': [[[3, 3], [2, 3]],
    (X, B) => weightedSum(L.solveTriangular(X, B, { upper: false, left: false, unitriangular: true }))],
  cholesky: [[[3, 3]], (X) => weightedSum(L.cholesky(spdOf(X)))],
  'cholesky upper': [[[2, 3, 3]], (X) => weightedSum(L.cholesky(spdOf(X), { upper: true }))],
  'qr tall': [[[4, 3]], (X) => { const [Q, R] = L.qr(X); return weightedSum(sq(Q), 2).add(weightedSum(sq(R), 3)); }],
  'qr wide': [[[3, 5]], (X) => { const [Q, R] = L.qr(X); return weightedSum(sq(Q), 2).add(weightedSum(sq(R), 3)); }],
  'svd tall': [[[4, 3]], (X) => {
    const [U, S, Vh] = L.svd(X, { fullMatrices: false });
    return weightedSum(sq(U), 2).add(weightedSum(S, 3)).add(weightedSum(sq(Vh), 4));
  }],
  'svd wide batched': [[[2, 2, 4]], (X) => {
    const [U, S, Vh] = L.svd(X, { fullMatrices: false });
    return weightedSum(sq(U), 2).add(weightedSum(S, 3)).add(weightedSum(sq(Vh), 4));
  }],
  'svd U Vh product': [[[3, 3]], (X) => { const [U, , Vh] = L.svd(X); return weightedSum(U.matmul(Vh)); }],
  svdvals: [[[3, 4]], (X) => weightedSum(L.svdvals(X))],
  eigh: [[[4, 4]], (X) => {
    const [w, V] = L.eigh(sym(X));
    return weightedSum(w, 2).add(weightedSum(sq(V), 3));
  }],
  eigvalsh: [[[2, 3, 3]], (X) => weightedSum(L.eigvalsh(sym(X)))],
  'pinv tall': [[[4, 2]], (X) => weightedSum(L.pinv(X))],
  'pinv wide': [[[2, 4]], (X) => weightedSum(L.pinv(X))],
  'pinv hermitian': [[[3, 3]], (X) => weightedSum(L.pinv(spdOf(X), { hermitian: true }))],
  lstsq: [[[5, 3], [5, 2]], (A, B) => weightedSum(L.lstsq(A, B).solution)],
  'lstsq wide': [[[2, 4], [2, 1]], (A, B) => weightedSum(L.lstsq(A, B).solution)],
  matrixExp: [[[3, 3]], (X) => weightedSum(L.matrixExp(X.mul(2)))],
  'matrixPower -3': [[[3, 3]], (X) => weightedSum(L.matrixPower(wellOf(X), -3))],
  'matrixNorm nuc': [[[3, 4]], (X) => L.matrixNorm(X, 'nuc')],
  'cond fro': [[[3, 3]], (X) => L.cond(wellOf(X), 'fro')],
  cond: [[[3, 3]], (X) => L.cond(X)],
  'matrixNorm 2': [[[3, 4]], (X) => L.matrixNorm(X, 2)],
  'vectorNorm 3': [[[3, 4]], (X) => weightedSum(L.vectorNorm(X, 3, 1))],
  cdist: [[[3, 2], [4, 2]], (a, b) => weightedSum(tf.cdist(a, b))],
  'cdist p=1.5': [[[3, 2], [4, 2]], (a, b) => weightedSum(tf.cdist(a, b, 1.5))],
  cross: [[[2, 3], [2, 3]], (a, b) => weightedSum(tf.cross(a, b, 1))],
  kron: [[[2, 2], [2, 3]], (a, b) => weightedSum(tf.kron(a, b))],
  addmm: [[[2, 4], [2, 3], [3, 4]], (c, a, b) => weightedSum(tf.addmm(c, a, b, { beta: 0.5, alpha: 3 }))],
};

describe('gradients against finite differences (float64)', () => {
  Object.entries(FD).forEach(([name, [shapes, f]], k) => {
    test(name, () => {
      const xs = shapes.map((s, i) => randTensor(s, { seed: 11 + 7 * k + i }));
      checkGrad(f, xs, { rtol: 1e-5, atol: 1e-6, label: name });
    });
  });
});

// Second order: x ↦ ⟨∇f(x), R⟩ differentiated again, against finite differences of ∇f.
const SECOND = ['det', 'slogdet logabsdet', 'inv', 'solve', 'solveTriangular upper', 'cholesky', 'qr tall', 'svd tall',
  'svdvals', 'eigh', 'pinv tall', 'lstsq', 'matrixExp', 'cdist'];
describe('second order (grad of grad) against finite differences', () => {
  for (const name of SECOND) {
    test(name, () => {
      const [shapes, f] = FD[name];
      const xs = shapes.map((s, i) => randTensor(s, { seed: 101 + i }));
      const argnums = xs.map((_, i) => i);
      const g1 = tf.grad(f, { argnums });
      const h = (...args) => g1(...args).map((g, i) => weightedSum(g, 5 + i)).reduce((a, b) => a.add(b));
      checkGrad(h, xs, { rtol: 1e-4, atol: 1e-5, label: `${name} (2nd order)` });
    });
  }
});

// ============================================================ (d) results, batching, errors
describe('results and batching', () => {
  const A = randTensor([2, 3, 4, 4], { seed: 3 });
  test('decompositions destructure and carry their PyTorch field names', () => {
    const r = L.svd(A);
    const [U, S, Vh] = r;
    expect(r.U).toBe(U);
    expect(r.S).toBe(S);
    expect(r.Vh).toBe(Vh);
    expect(r.length).toBe(3);
    expectShape(U, [2, 3, 4, 4]);
    expectShape(S, [2, 3, 4]);
    const e = L.eigh(sym(A));
    expect(e.eigenvalues).toBe(e[0]);
    expect(e.eigenvectors).toBe(e[1]);
    const q = L.qr(A);
    expect([q.Q, q.R]).toEqual([q[0], q[1]]);
    const s = L.slogdet(A);
    expect([s.sign, s.logabsdet]).toEqual([s[0], s[1]]);
    const l = L.lstsq(A, A);
    expect(l.solution).toBe(l[0]);
    expect(Object.keys(l)).toEqual(['0', '1', '2', '3']);  // array-like, fields not enumerable
  });
  test('batched results equal the per-matrix results', () => {
    const flat = A.reshape([6, 4, 4]);
    const dets = values64(L.det(A));
    const invs = L.inv(A).reshape([6, 4, 4]);
    const svals = L.svdvals(A).reshape([6, 4]);
    for (let b = 0; b < 6; b++) {
      const m = flat.select(0, b);
      expectClose([dets[b]], [L.det(m).item()], { rtol: 1e-12, atol: 1e-14 }, `det ${b}`);
      expectClose(invs.select(0, b), L.inv(m), { rtol: 1e-12, atol: 1e-13 }, `inv ${b}`);
      expectClose(svals.select(0, b), L.svdvals(m), { rtol: 1e-12, atol: 1e-13 }, `svdvals ${b}`);
    }
  });
  test('many small matrices at once (the batch runs on the thread pool)', () => {
    const B = randTensor([300, 3, 3], { seed: 12 }).add(tf.eye(3, undefined, { dtype: 'float64' }).mul(2));
    const I = tf.eye(3, undefined, { dtype: 'float64' }).expand([300, 3, 3]).contiguous();
    expectClose(B.matmul(L.inv(B)), I, { rtol: 1e-10, atol: 1e-12 }, 'B inv(B)');
    const [w, V] = L.eigh(sym(B));
    expectClose(V.mul(w.unsqueeze(-2)).matmul(V.transpose(-1, -2)), sym(B), { rtol: 1e-10, atol: 1e-12 }, 'eigh');
    const dets = values64(L.det(B));
    expectClose([dets[17], dets[299]], [L.det(B.select(0, 17)).item(), L.det(B.select(0, 299)).item()], { rtol: 1e-12, atol: 0 });
  });
  test('larger matrices: 40x40 eigh and 50x30 svd reconstruct', () => {
    const X = randTensor([40, 40], { seed: 13 });
    const [w, V] = L.eigh(sym(X));
    expectClose(V.mul(w.unsqueeze(-2)).matmul(V.transpose(0, 1)), sym(X), { rtol: 1e-9, atol: 1e-11 }, 'eigh 40');
    expectOrthonormalCols(V, { rtol: 1e-9, atol: 1e-11 }, 'eigh 40');
    const T = randTensor([60, 20], { seed: 19 });
    const [Ut, St, Vht] = L.svd(T);
    expectClose(Ut.narrow(1, 0, 20).mul(St).matmul(Vht), T, { rtol: 1e-9, atol: 1e-11 }, 'svd 60x20');
    expectOrthonormalCols(Ut, { rtol: 1e-9, atol: 1e-11 }, 'svd 60x20 U');
    expectClose(L.svdvals(T), St, { rtol: 1e-12, atol: 1e-13 }, 'svdvals 60x20');
    const Y = randTensor([50, 30], { seed: 14 });
    const [U, S, Vh] = L.svd(Y);
    expectShape(U, [50, 50]);
    expectClose(U.narrow(1, 0, 30).mul(S).matmul(Vh), Y, { rtol: 1e-9, atol: 1e-11 }, 'svd 50x30');
    expectOrthonormalCols(U, { rtol: 1e-9, atol: 1e-11 }, 'svd U');
  });
  test('svd of rank-deficient matrices: orthonormal factors that still reconstruct', () => {
    for (const [m, n] of [[5, 4], [12, 4], [4, 12]]) {
      const B = randTensor([m, 2], { seed: 15 }), C = randTensor([2, n], { seed: 16 });
      const A = B.matmul(C);  // rank 2
      const k = Math.min(m, n);
      for (const fullMatrices of [true, false]) {
        const [U, S, Vh] = L.svd(A, { fullMatrices });
        const s = values64(S);
        expect(s[2]).toBeLessThan(1e-12);
        expectOrthonormalCols(U, { rtol: 1e-10, atol: 1e-12 }, `U ${m}x${n}`);
        expectOrthonormalCols(Vh.transpose(0, 1), { rtol: 1e-10, atol: 1e-12 }, `V ${m}x${n}`);
        expectClose(U.narrow(1, 0, k).mul(S).matmul(Vh.narrow(0, 0, k)), A, { rtol: 1e-10, atol: 1e-12 }, `recon ${m}x${n}`);
      }
    }
    const B = randTensor([5, 2], { seed: 15 }), C = randTensor([2, 4], { seed: 16 });
    const A = B.matmul(C);
    expect(values64(L.lstsq(A, randTensor([5, 1], { seed: 17 }), { driver: 'gelsd' }).rank)).toEqual(Float64Array.from([2]));
  });
  test('matrices with a zero dimension', () => {
    expectShape(L.svdvals(tf.zeros([3, 0])), [0]);
    expectClose(L.det(tf.zeros([2, 0, 0])), [1, 1], { rtol: 0, atol: 0 });
    expectShape(L.inv(tf.zeros([0, 0])), [0, 0]);
    const [Q, R] = L.qr(tf.zeros([2, 0]));
    expectShape(Q, [2, 0]);
    expectShape(R, [0, 0]);
  });
  test('float32 in, float32 out', () => {
    const B = randTensor([3, 3], { seed: 9, dtype: 'float32' });
    for (const t of [L.det(B), L.inv(B), ...L.svd(B), ...L.qr(B), L.pinv(B), L.matrixExp(B)]) expect(t.dtype).toBe('float32');
  });
  test('det of a singular matrix is 0 and slogdet gives -inf', () => {
    const S = tf.tensor([[1, 2], [2, 4]], { dtype: 'float64' });
    expect(L.det(S).item()).toBe(0);
    const [sign, logabs] = L.slogdet(S);
    expect(sign.item()).toBe(0);
    expect(logabs.item()).toBe(-Infinity);
  });
  test('det gradient at a singular matrix is the cofactor matrix (PyTorch\'s SVD branch)', () => {
    const S = tf.tensor([[1, 2], [2, 4]], { dtype: 'float64' });
    expectClose(tf.grad((x) => L.det(x))(S), [4, -2, -2, 1], { rtol: 1e-12, atol: 1e-12 });
    const S3 = tf.tensor([[1, 2, 3], [1, 2, 3], [0, 1, 5]], { dtype: 'float64' });
    checkGrad((x) => L.det(x), [S3], { rtol: 1e-6, atol: 1e-7, label: 'det at a singular 3x3' });
    const batch = tf.stack([S3, randTensor([3, 3], { seed: 4 })]);
    checkGrad((x) => weightedSum(L.det(x)), [batch], { rtol: 1e-6, atol: 1e-7, label: 'det, one singular in the batch' });
  });
  test('slogdet gradient at a singular matrix is infinite, as in PyTorch (not an error)', () => {
    const S = tf.tensor([[1, 2], [2, 4]], { dtype: 'float64' });
    const g = values64(tf.grad((x) => L.slogdet(x).logabsdet)(S));
    expect(Array.from(g).every((v) => !Number.isFinite(v) && Math.abs(v) === Infinity)).toBe(true);
  });
  test('gradients of an svd whose singular values repeat stay finite for svdvals', () => {
    const X = tf.eye(3, undefined, { dtype: 'float64' });
    const g = tf.grad((x) => L.svdvals(x).sum())(X);
    expectClose(g, X, { rtol: 1e-12, atol: 1e-12 });  // d Σσ / dA = U Vᵀ = I
  });
  test('vectorNorm has gradient 0 at the zero vector, as in PyTorch', () => {
    const g = tf.grad((x) => L.vectorNorm(x))(tf.zeros([3], { dtype: 'float64' }));
    expectClose(g, [0, 0, 0], { rtol: 0, atol: 0 });
  });
});

describe('memory', () => {
  test('a tidy loop of decompositions and their backward leaves no tensors behind', () => {
    const X = randTensor([2, 4, 4], { seed: 18 }).requiresGrad_();
    const step = () => tf.tidy(() => {
      const [U, S, Vh] = L.svd(X);
      const [w] = L.eigh(sym(X));
      const loss = sq(U).sum().add(S.sum()).add(sq(Vh).sum()).add(w.sum()).add(L.det(X).sum())
        .add(L.lstsq(X, X).solution.sum()).add(L.vectorNorm(X)).add(L.inv(wellOf(X)).sum());
      loss.backward();
    });
    step();
    X.grad = null;
    const before = tf.memory().tensors;
    for (let i = 0; i < 20; i++) step();
    X.grad = null;
    // At most: the collector may free earlier tests' tensors meanwhile, never add any.
    expect(tf.memory().tensors).toBeLessThanOrEqual(before);
  });
});

describe('errors', () => {
  const sq2 = tf.tensor([[1, 2], [3, 4]], { dtype: 'float64' });
  test('non-square input', () => {
    for (const f of [L.det, L.inv, L.cholesky, (x) => L.slogdet(x), L.eigh, L.matrixExp, (x) => L.matrixPower(x, 2)])
      expectThrowsKind(() => f(tf.zeros([2, 3])), 'Error', /A must be batches of square matrices.*2 by 3/);
  });
  test('singular matrices in inv and solve (as PyTorch raises)', () => {
    const S = tf.tensor([[1, 2], [2, 4]], { dtype: 'float64' });
    expectThrowsKind(() => L.inv(S), 'Error', /linalg\.inv: the input matrix is singular.*shape \[2,2\]/);
    expectThrowsKind(() => L.solve(S, tf.ones([2], { dtype: 'float64' })), 'Error', /linalg\.solve: the input matrix is singular/);
    expectThrowsKind(() => L.inv(tf.stack([sq2, S])), 'Error', /batch element 1/);
  });
  test('cholesky of a matrix that is not positive-definite names the leading minor', () => {
    const A = tf.tensor([[4, 0, 0], [0, 1, 0], [0, 0, -1]], { dtype: 'float64' });
    expectThrowsKind(() => L.cholesky(A), 'Error', /leading minor of order 3 is not positive-definite/);
  });
  test('wrong dtypes are TypeErrors', () => {
    const I = tf.tensor([[1, 0], [0, 1]], { dtype: 'int32' });
    for (const f of [L.det, L.inv, L.svdvals, L.qr, (x) => L.vectorNorm(x)])
      expectThrowsKind(() => f(I), 'TypeError', /float32 or float64, got int32/);
    expectThrowsKind(() => L.solve(sq2, tf.ones([2, 1])), 'TypeError', /same dtype/);
    expectThrowsKind(() => L.det([[1, 2], [3, 4]]), 'TypeError', /must be a Tensor/);
  });
  test('bad shapes and options', () => {
    expectThrowsKind(() => L.det(tf.zeros([3])), 'Error', /at least 2 dimensions/);
    expectThrowsKind(() => L.solve(sq2, tf.ones([3, 1], { dtype: 'float64' })), 'Error', /incompatible shapes/);
    expectThrowsKind(() => L.qr(sq2, { mode: 'full' }), 'RangeError', /mode/);
    expectThrowsKind(() => L.eigh(sq2, { UPLO: 'X' }), 'RangeError', /UPLO/);
    expectThrowsKind(() => L.svd(sq2, null), 'TypeError', /options must be an object/);
    expectThrowsKind(() => L.solveTriangular(sq2, sq2), 'TypeError', /upper/);
    expectThrowsKind(() => tf.dot(tf.ones([2]), tf.ones([3])), 'Error', /inconsistent/);
    expectThrowsKind(() => tf.mm(tf.ones([2]), tf.ones([2, 2])), 'Error', /a must be 2-D/);
    expectThrowsKind(() => tf.bmm(tf.ones([2, 2, 2]), tf.ones([3, 2, 2])), 'Error', /batch sizes differ/);
    expectThrowsKind(() => tf.cross(tf.ones([2, 2]), tf.ones([2, 2])), 'Error', /size 3/);
    expectThrowsKind(() => tf.cdist(tf.ones([2, 2]), tf.ones([2, 3])), 'Error', /same number of columns/);
    expectThrowsKind(() => L.matrixNorm(sq2, 3), 'RangeError', /ord/);
  });
  test('every error carries its documented code', () => {
    const S = tf.tensor([[1, 2], [2, 4]], { dtype: 'float64' });
    const cases = [
      [() => L.inv(S), 'ERR_TENSORFOLD_ARGUMENT'],
      [() => L.solve(S, tf.ones([2], { dtype: 'float64' })), 'ERR_TENSORFOLD_ARGUMENT'],
      [() => L.cholesky(S.neg()), 'ERR_TENSORFOLD_ARGUMENT'],
      [() => L.det(tf.zeros([2, 3])), 'ERR_TENSORFOLD_SHAPE'],
      [() => L.inv(tf.zeros([2, 3])), 'ERR_TENSORFOLD_SHAPE'],
      [() => L.svd(tf.zeros([2, 2], { dtype: 'int32' })), 'ERR_TENSORFOLD_DTYPE'],
      [() => L.qr(S, { mode: 'full' }), 'ERR_TENSORFOLD_ARGUMENT'],
      [() => L.vectorNorm(S, 2, 5), 'ERR_TENSORFOLD_AXIS'],
      [() => L.det('A'), 'ERR_TENSORFOLD_ARGUMENT'],
      [() => tf.dot(tf.ones([2]), tf.ones([3])), 'ERR_TENSORFOLD_SHAPE'],
      [() => tf.cdist(tf.ones([2, 2]), tf.ones([2, 2]), -1), 'ERR_TENSORFOLD_ARGUMENT'],
      [() => tf.grad((x) => L.qr(x, { mode: 'r' }).R.sum())(S), 'ERR_TENSORFOLD_ARGUMENT'],
    ];
    for (const [f, code] of cases) {
      let err = null;
      try { f(); } catch (e) { err = e; }
      expect(err && err.code).toBe(code);
    }
  });
  test('qr backward where PyTorch refuses it', () => {
    const X = randTensor([4, 3], { seed: 5 });
    expectThrowsKind(() => tf.grad((x) => L.qr(x, { mode: 'r' }).R.sum())(X), 'Error', /mode='r'/);
    expectThrowsKind(() => tf.grad((x) => L.qr(x, { mode: 'complete' }).Q.sum())(X), 'Error', /not differentiable when mode='complete'/);
  });
});
