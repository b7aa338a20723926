// matmul at every SIMD level this CPU has, and through both GEMM kernels (own, OpenBLAS): the
// level is fixed per process (TENSORFOLD_SIMD caps it), so each combination runs in a child
// process. An AVX-512 machine thereby still checks the AVX2 and scalar code paths.
// Every product is compared with a float64 loop in JavaScript, over odd shapes that cross the
// register tile and cache blocks, transposed operands, and batched/broadcast/permuted views.
const { spawnSync } = require('child_process');
const path = require('path');

const CHILD = `
const tf = require(${JSON.stringify(path.resolve(__dirname, '..', 'dist', 'index.js'))});
const out = { simd: tf.backendInfo().simd, blas: tf.backendInfo().blas, failures: [], checked: 0 };
let seed = 7;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
let dtype = 'float32';
// Values exactly representable in the dtype under test, so the reference sees the same inputs.
function rand(shape) {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = dtype === 'float32' ? Math.fround(rnd()) : rnd();
  return d;
}
const T = (data, shape) => tf.tensor(dtype === 'float32' ? Float32Array.from(data) : data, { shape });
// Reference: C[b] = A[b] · B[b] on plain row-major float64 arrays.
function ref(a, b, nb, M, K, N) {
  const c = new Float64Array(nb * M * N), mag = new Float64Array(nb * M * N);
  for (let t = 0; t < nb; t++)
    for (let i = 0; i < M; i++)
      for (let k = 0; k < K; k++) {
        const x = a[t * M * K + i * K + k];
        for (let j = 0; j < N; j++) {
          const p = x * b[t * K * N + k * N + j];
          c[t * M * N + i * N + j] += p;
          mag[t * M * N + i * N + j] += Math.abs(p);
        }
      }
  return [c, mag];
}
function compare(name, got, want, mag, dtype) {
  out.checked++;
  const eps = dtype === 'float32' ? 2e-6 : 1e-13;
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i] - want[i]) / (eps * (mag[i] + 1));
    if (!(e <= 1)) worst = Math.max(worst, Number.isNaN(e) ? Infinity : e);
  }
  if (worst > 0) out.failures.push(name + ': worst ' + worst.toFixed(2) + ' x tolerance');
}
const dims = [1, 7, 17, 63, 65, 129];
const shapes = [];
for (const M of dims) for (const K of dims) for (const N of dims) shapes.push([M, K, N]);
// All of the small ones, a spread of the rest, and shapes across the cache blocks (K > 384).
// [100, 64, 64]: row panels shorter than the register tile, A read in place; [290, 300, 272]:
// the same, packed, in thread ranges of whole 4-row units, over two K blocks. [100, 200, 64],
// [37, 160, 96], [256, 256, 64]: B read in place too (128 <= K <= 256, C whole panels wide; NT
// and TT pack it), short last row panels (37 = 3 x 12 + 1).
const picked = shapes.filter((s, i) => s[0] * s[1] * s[2] <= 17 * 17 * 17 || i % 5 === 0)
  .concat([[300, 513, 257], [129, 1000, 65], [2, 700, 300], [100, 64, 64], [290, 300, 272],
    [100, 200, 64], [37, 160, 96], [256, 256, 64]]);
for (dtype of ['float32', 'float64']) {
  for (const [M, K, N] of picked) {
    const a = rand([M, K]), b = rand([K, N]);
    const [c, mag] = ref(a, b, 1, M, K, N);
    const A = T(a, [M, K]), B = T(b, [K, N]);
    // Transposed operands reach GEMM as views: store the transpose, then transpose it back.
    const At = T(a, [M, K]).transpose(0, 1).contiguous().transpose(0, 1);
    const Bt = T(b, [K, N]).transpose(0, 1).contiguous().transpose(0, 1);
    for (const [label, x, y] of [['NN', A, B], ['TN', At, B], ['NT', A, Bt], ['TT', At, Bt]]) {
      const r = x.matmul(y);
      compare(dtype + ' ' + label + ' ' + M + 'x' + K + 'x' + N, r.toTypedArray(), c, mag, dtype);
      r.dispose();
    }
    tf.dispose([A, B, At, Bt]);
  }
  // A C over a quarter of L3 (9 MB in float32 here) takes deep K blocks (two of 520 at AVX-512,
  // MC 60) and splits its rows over the threads: rows on both sides of the block and thread
  // boundaries are checked against the reference.
  {
    const M = 1100, K = 1040, N = 2048;
    const rows = [0, 1, 59, 60, 61, 547, 548, 549, 550, 551, 611, 1039, 1090, 1098, 1099];
    const a = rand([M, K]), b = rand([K, N]);
    const sub = new Float64Array(rows.length * K);
    rows.forEach((r, i) => sub.set(a.subarray(r * K, (r + 1) * K), i * K));
    const [c, mag] = ref(sub, b, 1, rows.length, K, N);
    const A = T(a, [M, K]), B = T(b, [K, N]);
    const At = T(a, [M, K]).transpose(0, 1).contiguous().transpose(0, 1);
    for (const [label, x] of dtype === 'float32' ? [['NN', A], ['TN', At]] : [['NN', A]]) {
      const r = x.matmul(B), all = r.toTypedArray(), got = new Float64Array(rows.length * N);
      rows.forEach((row, i) => got.set(all.subarray(row * N, (row + 1) * N), i * N));
      compare(dtype + ' ' + label + ' ' + M + 'x' + K + 'x' + N + ' (big C)', got, c, mag, dtype);
      r.dispose();
    }
    tf.dispose([A, B, At]);
  }
  // A C out of L2 (1.3 MB in float64) with K over one normal K block: float64 takes deep K
  // blocks at AVX-512 (one K block of 700, MC 48), its rows split over the threads at 200; float32
  // (its C fits L2) the normal blocks. Every element is checked, across row blocks and the split.
  {
    const M = 400, K = 700, N = 420;
    const a = rand([M, K]), b = rand([K, N]);
    const [c, mag] = ref(a, b, 1, M, K, N);
    const A = T(a, [M, K]), B = T(b, [K, N]);
    const At = T(a, [M, K]).transpose(0, 1).contiguous().transpose(0, 1);
    const Bt = T(b, [K, N]).transpose(0, 1).contiguous().transpose(0, 1);
    for (const [label, x, y] of [['NN', A, B], ['TT', At, Bt]]) {
      const r = x.matmul(y);
      compare(dtype + ' ' + label + ' ' + M + 'x' + K + 'x' + N + ' (C out of L2)', r.toTypedArray(), c,
        mag, dtype);
      r.dispose();
    }
    tf.dispose([A, B, At, Bt]);
  }
  // Batched: [2,3] batch of [M,K]·[K,N]; B shared (broadcast) or transposed per item via permute.
  for (const [M, K, N] of [[1, 1, 1], [7, 17, 63], [65, 7, 17], [64, 256, 64], [17, 129, 65],
    [37, 160, 96]]) {
    const nb = 6;
    const a = rand([nb, M, K]), b = rand([nb, K, N]), b1 = rand([K, N]);
    const shared = new Float64Array(nb * K * N);
    for (let t = 0; t < nb; t++) shared.set(b1, t * K * N);
    const [c, mag] = ref(a, b, nb, M, K, N), [cs, ms] = ref(a, shared, nb, M, K, N);
    const A = T(a, [2, 3, M, K]), B = T(b, [2, 3, K, N]);
    const B1 = T(b1, [K, N]);
    const Bp = T(b, [2, 3, K, N]).permute([0, 1, 3, 2]).contiguous().permute([0, 1, 3, 2]);
    const Ap = T(a, [2, 3, M, K]).permute([1, 0, 2, 3]).contiguous().permute([1, 0, 2, 3]);
    for (const [label, x, y, want, m] of [['batched', A, B, c, mag], ['batched B^T view', A, Bp, c, mag],
      ['batched broadcast B', A, B1, cs, ms], ['batched permuted A', Ap, B, c, mag]]) {
      const r = x.matmul(y);
      compare(dtype + ' ' + label + ' ' + M + 'x' + K + 'x' + N, r.toTypedArray(), want, m, dtype);
      r.dispose();
    }
    tf.dispose([A, B, B1, Bp, Ap]);
  }
}
console.log(JSON.stringify(out));
`;

function runChild(env) {
  const r = spawnSync(process.execPath, ['-e', CHILD], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120000,
  });
  if (r.status !== 0) throw new Error(`child failed (${JSON.stringify(env)}): ${r.stderr || r.error}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const ORDER = ['scalar', 'avx2', 'avx512'];
const hardware = runChild({ TENSORFOLD_SIMD: '' });
const levels = process.arch === 'x64'
  ? ORDER.slice(0, ORDER.indexOf(hardware.simd) + 1)
  : ['scalar', hardware.simd];
const kernels = hardware.blas === 'openblas' ? ['own', 'blas'] : ['own'];

describe('matmul at every SIMD level and GEMM kernel (child processes)', () => {
  for (const level of levels)
    for (const kernel of kernels)
      test(`TENSORFOLD_SIMD=${level} TENSORFOLD_GEMM=${kernel}`, () => {
        const r = runChild({ TENSORFOLD_SIMD: level, TENSORFOLD_GEMM: kernel });
        expect(r.simd).toBe(level);
        expect(r.checked).toBeGreaterThan(100);
        expect(r.failures).toEqual([]);
      });
  test('the default routing (no TENSORFOLD_GEMM) at the best level', () => {
    expect(hardware.failures).toEqual([]);
  });
});
