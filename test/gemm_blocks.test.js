// The own GEMM's cache blocks follow the cache sizes it is given (TENSORFOLD_CPU_CACHES, read once
// per process, so each setting runs in a child process), at every SIMD level this CPU has, and
// products stay correct under blocks derived from small caches (every block boundary crossed).
const { spawnSync } = require('child_process');
const path = require('path');

const INDEX = JSON.stringify(path.resolve(__dirname, '..', 'dist', 'index.js'));
const INFO = `const tf = require(${INDEX}); console.log(JSON.stringify(tf.backendInfo()));`;

function child(code, env) {
  const r = spawnSync(process.execPath, ['-e', code], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120000,
  });
  if (r.status !== 0) throw new Error(`child failed (${JSON.stringify(env)}): ${r.stderr || r.error}`);
  return { out: JSON.parse(r.stdout.trim().split('\n').pop()), stderr: r.stderr };
}

const ORDER = ['scalar', 'avx2', 'avx512'];
const hw = child(INFO, { TENSORFOLD_SIMD: '', TENSORFOLD_CPU_CACHES: '' }).out;
const levels = process.arch === 'x64' ? ORDER.slice(0, ORDER.indexOf(hw.simd) + 1) : ['scalar', hw.simd];
const ZEN3 = 'l1d=32K,l2=512K,l3=32M';

describe('GEMM blocks from the cache sizes (TENSORFOLD_CPU_CACHES)', () => {
  test('backendInfo reports the detected caches and the blocks', () => {
    for (const k of ['l1d', 'l2', 'l3']) expect(hw.caches[k]).toBeGreaterThanOrEqual(0);
    for (const dt of ['float32', 'float64']) {
      const b = hw.gemmBlocks[dt];
      for (const k of ['mr', 'nr', 'kc', 'mc', 'nc', 'deepKc', 'deepMc']) expect(b[k]).toBeGreaterThan(0);
      expect(b.mc % b.mr).toBe(0);
      expect(b.nc % b.nr).toBe(0);
    }
  });

  for (const level of levels)
    test(`blocks follow the given caches at ${level}`, () => {
      const env = { TENSORFOLD_SIMD: level };
      const zen3 = child(INFO, { ...env, TENSORFOLD_CPU_CACHES: ZEN3 }).out;
      const tiny = child(INFO, { ...env, TENSORFOLD_CPU_CACHES: 'l1d=16K,l2=128K,l3=1M' }).out;
      const part = child(INFO, { ...env, TENSORFOLD_CPU_CACHES: 'l2=2M' }).out;
      expect(zen3.simd).toBe(level);
      expect(zen3.caches).toEqual({ l1d: 32768, l2: 524288, l3: 33554432 });
      expect(part.caches).toEqual({ ...hw.caches, l2: 2097152 });
      for (const [dt, t] of [['float32', 4], ['float64', 8]]) {
        const z = zen3.gemmBlocks[dt], s = tiny.gemmBlocks[dt];
        for (const [info, b] of [[zen3, z], [tiny, s]]) {
          // The B micro-panel in half of L1D (down to the smallest K block, 128), A's block in a
          // quarter of L2 (down to 4 register tiles), whole tiles.
          expect(b.kc === 128 || b.kc * b.nr * t <= info.caches.l1d / 2).toBe(true);
          expect(b.mc === 4 * b.mr || b.mc * b.kc * t <= info.caches.l2 / 4).toBe(true);
          expect(b.deepMc === 4 * b.mr || b.deepMc * b.deepKc * t <= info.caches.l2 / 4).toBe(true);
          expect(b.mc % b.mr).toBe(0);
          expect(b.nc % b.nr).toBe(0);
        }
        // Smaller caches, blocks no larger.
        expect(s.kc).toBeLessThanOrEqual(z.kc);
        expect(s.mc * s.kc).toBeLessThan(z.mc * z.kc);
        expect(s.nc * s.kc).toBeLessThan(z.nc * z.kc);
      }
      if (level === 'avx2') {
        // Zen 3's AVX2 float blocks as gemm.cpp's comment gives them.
        expect(zen3.gemmBlocks.float32).toMatchObject({ mr: 6, nr: 16, kc: 256, mc: 126 });
      }
    });

  test('a malformed value is ignored whole, with a message', () => {
    // The same SIMD level as `hw` (the detected one), whatever TENSORFOLD_SIMD the suite runs under.
    const r = child(INFO, { TENSORFOLD_SIMD: '', TENSORFOLD_CPU_CACHES: 'l1d=32K,l2=lots' });
    expect(r.out.caches).toEqual(hw.caches);
    expect(r.out.gemmBlocks).toEqual(hw.gemmBlocks);
    expect(r.stderr).toMatch(/ignoring TENSORFOLD_CPU_CACHES='l1d=32K,l2=lots'/);
  });
});

// Products across the blocks of tiny caches (K blocks of 128, a few tiles per row block, narrow
// column blocks, deep K blocks for a C out of the 128 KiB L2): odd sizes, transposes, and
// power-of-two row strides, against a float64 reference.
const CHECK = `
const tf = require(${INDEX});
let seed = 11;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
const failures = [];
let checked = 0;
for (const dtype of ['float32', 'float64']) {
  const eps = dtype === 'float32' ? 2e-6 : 1e-13;
  for (const [M, K, N] of [[131, 301, 515], [64, 512, 256], [257, 700, 129], [7, 1024, 1024], [300, 700, 420]]) {
    const a = new Float64Array(M * K), b = new Float64Array(K * N);
    for (let i = 0; i < a.length; i++) a[i] = dtype === 'float32' ? Math.fround(rnd()) : rnd();
    for (let i = 0; i < b.length; i++) b[i] = dtype === 'float32' ? Math.fround(rnd()) : rnd();
    const c = new Float64Array(M * N), mag = new Float64Array(M * N);
    for (let i = 0; i < M; i++)
      for (let k = 0; k < K; k++) {
        const x = a[i * K + k];
        for (let j = 0; j < N; j++) { const p = x * b[k * N + j]; c[i * N + j] += p; mag[i * N + j] += Math.abs(p); }
      }
    const T = (d, s) => tf.tensor(dtype === 'float32' ? Float32Array.from(d) : d, { shape: s });
    const A = T(a, [M, K]), B = T(b, [K, N]);
    const At = T(a, [M, K]).transpose(0, 1).contiguous().transpose(0, 1);
    const Bt = T(b, [K, N]).transpose(0, 1).contiguous().transpose(0, 1);
    for (const [label, x, y] of [['NN', A, B], ['TN', At, B], ['NT', A, Bt], ['TT', At, Bt]]) {
      const got = x.matmul(y).toTypedArray();
      checked++;
      let worst = 0;
      for (let i = 0; i < c.length; i++) {
        const e = Math.abs(got[i] - c[i]) / (eps * (mag[i] + 1));
        if (!(e <= 1)) worst = Math.max(worst, Number.isNaN(e) ? Infinity : e);
      }
      if (worst > 0) failures.push(dtype + ' ' + label + ' ' + M + 'x' + K + 'x' + N + ': ' + worst.toFixed(2) + ' x tol');
    }
  }
}
console.log(JSON.stringify({ simd: tf.backendInfo().simd, kc: tf.backendInfo().gemmBlocks.float32.kc, checked, failures }));
`;

// The second setting's small L3 halves the deep K blocks of [300, 700, 420] at AVX-512 (KC 256
// -> 128: the threads' packed B panels would take half of it).
describe('matmul under blocks from small caches', () => {
  for (const caches of ['l1d=16K,l2=128K,l3=1M', 'l1d=32K,l2=256K,l3=1M'])
    for (const level of levels)
      test(`TENSORFOLD_SIMD=${level}, TENSORFOLD_CPU_CACHES=${caches}`, () => {
        const r = child(CHECK, { TENSORFOLD_SIMD: level, TENSORFOLD_GEMM: 'own', TENSORFOLD_CPU_CACHES: caches }).out;
        expect(r.simd).toBe(level);
        expect(r.kc).toBeGreaterThanOrEqual(128);
        expect(r.checked).toBe(40);
        expect(r.failures).toEqual([]);
      });
});
