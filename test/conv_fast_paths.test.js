// The special paths of conv2d besides im2col + GEMM:
// - Winograd F(2x2,3x3) (native/core/conv_winograd.h, conv_winograd_body.h): 3x3 kernels,
//   stride 1, dilation 1, groups 1, at least 16 input and 16 output channels, outputs under 8
//   rows or columns; forward, input and weight gradients;
// - Winograd F(4x4,3x3) (conv_winograd43*.h): the same with outputs of at least 8x8;
// - the direct weight gradient for a single input channel (conv_direct_body.h): stride 1,
//   dilation 1, no padding (3x3 unrolled, other sizes generic).
// Each is compared with a direct float64 convolution written here, in float32 and float64, for
// odd and even sizes, paddings, batches that split across threads unevenly and blocks of several
// samples; float64 gradients of first and second order against central finite differences.
// Run it under each TENSORFOLD_SIMD level: the kernels are compiled per level.
'use strict';
const path = require('path');

const B = require(path.join(__dirname, '..', 'dist', 'native')).native;

const F32 = 0;
const F64 = 1;
const MUL = 2;
const ADD = 0;

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2147483648 - 1;
  };
}
const randArray = (n, r) => Array.from({ length: n }, () => r());
const numel = (shape) => shape.reduce((a, b) => a * b, 1);
function tensor(data, shape, dtype = F64, requiresGrad = false) {
  const t = B.fromTyped(dtype === F32 ? Float32Array.from(data) : Float64Array.from(data), shape, dtype);
  if (requiresGrad) B.setRequiresGrad(t, true);
  return t;
}
const values = (t) => Array.from(B.toTyped(t));
const dot = (a, b) => B.reduce('sum', B.binary(MUL, a, b), null, false);
const add = (a, b) => B.binary(ADD, a, b);

// Direct convolution in float64: y, and the adjoints dx = Σ g·w and dw = Σ g·x.
function direct(x, xs, w, ws, b, ph, pw) {
  const [N, C, H, W] = xs;
  const [O, , kh, kw] = ws;
  const Ho = H + 2 * ph - kh + 1;
  const Wo = W + 2 * pw - kw + 1;
  const y = new Float64Array(N * O * Ho * Wo);
  const each = (fn) => {
    for (let n = 0; n < N; n++)
      for (let o = 0; o < O; o++)
        for (let i = 0; i < Ho; i++)
          for (let j = 0; j < Wo; j++)
            for (let c = 0; c < C; c++)
              for (let p = 0; p < kh; p++)
                for (let q = 0; q < kw; q++) {
                  const h = i + p - ph;
                  const v = j + q - pw;
                  if (h >= 0 && h < H && v >= 0 && v < W)
                    fn(((n * O + o) * Ho + i) * Wo + j, ((n * C + c) * H + h) * W + v, ((o * C + c) * kh + p) * kw + q);
                }
  };
  each((yi, xi, wi) => { y[yi] += x[xi] * w[wi]; });
  if (b) for (let k = 0; k < y.length; k++) y[k] += b[Math.floor(k / (Ho * Wo)) % O];
  return {
    y,
    oshape: [N, O, Ho, Wo],
    inputGrad: (g) => { const dx = new Float64Array(numel(xs)); each((yi, xi, wi) => { dx[xi] += g[yi] * w[wi]; }); return dx; },
    weightGrad: (g) => { const dw = new Float64Array(numel(ws)); each((yi, xi, wi) => { dw[wi] += g[yi] * x[xi]; }); return dw; },
  };
}

// |a - e| <= tol · (1 + max |e|): the Winograd transforms round like a sum of that magnitude.
function expectNear(actual, expected, tol, what) {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  let at = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.abs(actual[i] - expected[i]);
    if (!(e <= worst)) { worst = e; at = i; }
  }
  if (!(worst <= tol * (1 + scale)))
    throw new Error(`${what}: element ${at} is ${actual[at]}, expected ${expected[at]} (max |ref| ${scale})`);
}

// [N, C, O, H, W, ph, pw]
const cases = [
  [2, 16, 16, 9, 9, 0, 0],     // odd output (7x7): cut last tile row and column
  [3, 16, 17, 6, 7, 1, 1],     // O not a multiple of any vector width
  [2, 20, 16, 7, 6, 2, 1],     // padding 2, 1
  [1, 16, 16, 6, 7, 3, 0],     // padding wider than the kernel's reach: tiles wholly in the padding
  [5, 16, 24, 6, 6, 0, 1],     // batch split 3 + 2 over two threads
  [30, 16, 16, 9, 9, 0, 0],    // several blocks of samples per thread
  // F(4x4,3x3) from here on (output at least 8x8)
  [2, 32, 64, 26, 26, 0, 0],   // the MNIST net's second layer, 2 samples
  [2, 16, 16, 10, 10, 0, 0],   // 8x8 output: exactly 2x2 tiles
  [3, 16, 17, 8, 11, 1, 1],    // 8x11: the last tile column cut to 3
  [2, 20, 16, 11, 9, 2, 1],    // padding 2, 1; 13x9 output: cut row and column
  [1, 16, 16, 7, 8, 3, 2],     // padding 3: tiles wholly in the padding
  [5, 17, 24, 12, 13, 1, 0],   // batch split 3 + 2, odd C
  [9, 16, 16, 10, 10, 1, 1],   // several samples per block and blocks per thread
  // The in-place products' column edges (a block's tiles = their N; F(4x4) for outputs of 8x8
  // and more, F(2x2) below): narrower than one vector, between one and two, and a
  // last panel shifted onto the one before it; rows (O or C) not a multiple of the register tile.
  [1, 16, 17, 6, 6, 0, 0],     // 4x4 output, 1 sample: 8 tiles
  [1, 17, 16, 6, 8, 0, 0],     // 4x6 output: 10 tiles
  [2, 16, 19, 8, 8, 0, 0],     // 6x6 output, 2 samples in one block: 30 tiles
  [3, 19, 16, 6, 6, 0, 0],     // 4x4 output, 3 samples: 24 tiles
  [3, 16, 17, 10, 10, 0, 0],   // 8x8 output, 3 samples: F(4x4) blocks of 4, 8 or 12 tiles
  [1, 16, 25, 11, 13, 0, 0],   // 9x11 output, 1 sample: F(4x4) 9 tiles, F(2x2) 40
  // F(4x4) tiles are th·tw with no unused column: a tile's columns 4 and 5 come from the shifted
  // residue planes, the input adjoint's block column tw from its own array.
  [2, 16, 17, 22, 22, 0, 0],   // 20x20 output: 25-tile samples, blocks of 2 (50 tiles)
  [1, 17, 16, 14, 18, 0, 1],   // 12x18 output, padding 0, 1: 3x5 tiles, last column cut to 2
  [2, 16, 16, 13, 12, 1, 1],   // 13x12 output, padding 1: the last input column in block tw
];
// Float32 tolerance, relative to the largest reference value: F(4x4) rounds through transforms
// with factors up to 8 and 1/24; measured up to about 5e-6 for the MNIST layer.
const tol32 = (H, W, ph, pw) => (H + 2 * ph - 2 >= 8 && W + 2 * pw - 2 >= 8 ? 1e-5 : 2e-6);

// Float64 finite-difference inputs for conv2d(x, w) with parameters p: x, w and a random
// cotangent R of the output's shape.
function convSpecs(xs, ws, p, r) {
  const specs = {
    x: { data: randArray(numel(xs), r), shape: xs },
    w: { data: randArray(numel(ws), r), shape: ws },
  };
  const oshape = B.shape(B.conv2d(tensor(specs.x.data, xs), tensor(specs.w.data, ws), null, ...p));
  specs.R = { data: randArray(numel(oshape), r), shape: oshape };
  return specs;
}

// Second order: the gradients of <dx, V> + <dw, U>, i.e. conv2dInputGrad and conv2dWeightGrad
// differentiated, against finite differences.
function checkSecondOrder(specs, xs, ws, p, r) {
  const V = tensor(randArray(numel(xs), r), xs);
  const U = tensor(randArray(numel(ws), r), ws);
  const s = (t, create) => {
    const f = dot(B.conv2d(t.x, t.w, null, ...p), t.R);
    const [gx, gw] = B.gradOf([f], [null], [t.x, t.w], create, create);
    return add(dot(gx, V), dot(gw, U));
  };
  checkSampled(s, specs, 40, r, 'double backward');
}

// Random inputs of one Winograd case, exactly representable in float32 so both dtypes see the same
// values, with the direct float64 convolution's results and the tolerance for the dtype.
function winoCase(N, C, O, H, W, ph, pw, dtype, seed) {
  const r = rng(seed);
  const xs = [N, C, H, W];
  const ws = [O, C, 3, 3];
  const q = (a) => a.map((v) => Math.fround(v));
  const xd = q(randArray(numel(xs), r));
  const wd = q(randArray(numel(ws), r));
  const bd = q(randArray(O, r));
  const ref = direct(xd, xs, wd, ws, bd, ph, pw);
  const gd = q(randArray(numel(ref.oshape), r));
  const tol = dtype === F32 ? tol32(H, W, ph, pw) : 1e-13;
  return { xs, ws, xd, wd, bd, ref, gd, tol };
}

describe('Winograd conv2d against a direct float64 convolution', () => {
  for (const [N, C, O, H, W, ph, pw] of cases) {
    for (const dtype of [F32, F64]) {
      test(`x [${N},${C},${H},${W}] w [${O},${C},3,3] padding [${ph},${pw}] ${dtype === F32 ? 'float32' : 'float64'}`, () => {
        const { xs, ws, xd, wd, bd, ref, gd, tol } = winoCase(N, C, O, H, W, ph, pw, dtype, N * 1000 + C * 31 + O + H * 7 + ph);
        const x = tensor(xd, xs, dtype);
        const w = tensor(wd, ws, dtype);
        const g = tensor(gd, ref.oshape, dtype);
        const y = B.conv2d(x, w, tensor(bd, [O], dtype), [1, 1], [ph, pw], [1, 1], 1);
        expect(B.shape(y)).toEqual(ref.oshape);
        expectNear(values(y), ref.y, tol, 'forward');
        expectNear(values(B.conv2dInputGrad(g, w, xs, [1, 1], [ph, pw], [1, 1], 1)), ref.inputGrad(gd), tol, 'input gradient');
        expectNear(values(B.conv2dWeightGrad(x, g, ws, [1, 1], [ph, pw], [1, 1], 1)), ref.weightGrad(gd), tol, 'weight gradient');
      });
    }
  }
});

// conv2d's backward with both x and w wanting gradients (and no create_graph) computes them, and
// the bias gradient, in one pass over the transformed output gradient (ops_conv.cpp:
// winograd_backward): dx and dw with the same arithmetic as the separate conv2dInputGrad /
// conv2dWeightGrad, so the same bits, and the direct convolution's values.
describe('Winograd conv2d backward of x and w together against the separate gradients', () => {
  for (const [N, C, O, H, W, ph, pw] of cases) {
    for (const dtype of [F32, F64]) {
      test(`x [${N},${C},${H},${W}] w [${O},${C},3,3] padding [${ph},${pw}] ${dtype === F32 ? 'float32' : 'float64'}`, () => {
        const { xs, ws, xd, wd, bd, ref, gd, tol } = winoCase(N, C, O, H, W, ph, pw, dtype, N * 977 + C * 13 + O + W * 5 + pw);
        const p = [[1, 1], [ph, pw], [1, 1], 1];
        const g = tensor(gd, ref.oshape, dtype);
        const grads = (needX, needW, create) => {
          const x = tensor(xd, xs, dtype, needX);
          const w = tensor(wd, ws, dtype, needW);
          const b = tensor(bd, [O], dtype, true);
          const f = dot(B.conv2d(x, w, b, ...p), g);
          const wrt = [needX ? x : null, needW ? w : null, b].filter((t) => t);
          return B.gradOf([f], [null], wrt, create, create).map(values);
        };
        const [gx, gw, gb] = grads(true, true, false);
        const x = tensor(xd, xs, dtype);
        const w = tensor(wd, ws, dtype);
        expect(gx).toEqual(values(B.conv2dInputGrad(g, w, xs, ...p)));
        expect(gw).toEqual(values(B.conv2dWeightGrad(x, g, ws, ...p)));
        expectNear(gx, ref.inputGrad(gd), tol, 'input gradient');
        expectNear(gw, ref.weightGrad(gd), tol, 'weight gradient');
        // One of them alone, and both under create_graph, take the separate kernels.
        expect(grads(true, false, false)[0]).toEqual(gx);
        expect(grads(false, true, false)[0]).toEqual(gw);
        const [cx, cw, cb] = grads(true, true, true);
        expect(cx).toEqual(gx);
        expect(cw).toEqual(gw);
        // The fused bias gradient sums the transformed gradient's tile totals (rounded per tile),
        // the separate one sums gy directly.
        const [, , Ho, Wo] = ref.oshape;
        const gbRef = new Float64Array(O);
        for (let k = 0; k < gd.length; k++) gbRef[Math.floor(k / (Ho * Wo)) % O] += gd[k];
        const btol = dtype === F32 ? 1e-6 : 1e-13;
        expectNear(gb, gbRef, btol, 'bias gradient (fused)');
        expectNear(cb, gbRef, btol, 'bias gradient (separate)');
      });
    }
  }
});

// Central differences of a scalar function at `count` coordinates of each input, chosen at random.
function checkSampled(s, specs, count, r, what) {
  const ts = {};
  for (const k of Object.keys(specs)) ts[k] = tensor(specs[k].data, specs[k].shape, F64, true);
  const names = Object.keys(specs);
  const grads = B.gradOf([s(ts, true)], [null], names.map((k) => ts[k]), false, false);
  const eps = 1e-6;
  names.forEach((k, ki) => {
    const ga = values(grads[ki]);
    const n = specs[k].data.length;
    for (let m = 0; m < Math.min(count, n); m++) {
      const i = Math.floor(((r() + 1) / 2) * n);
      const at = (delta) => {
        const t = {};
        for (const nm of names) {
          const d = specs[nm].data.slice();
          if (nm === k) d[i] += delta;
          t[nm] = tensor(d, specs[nm].shape, F64, true);
        }
        return B.item(s(t, false));
      };
      const num = (at(eps) - at(-eps)) / (2 * eps);
      if (!(Math.abs(ga[i] - num) <= 1e-6 * Math.abs(num) + 1e-6))
        throw new Error(`${what}: d/d${k}[${i}] is ${ga[i]}, finite differences give ${num}`);
    }
  });
}

// [xs, padding]: F(2x2) (4x6 output), F(4x4) (9x10 output, cut tiles).
const fdCases = [
  [[2, 16, 5, 6], [1, 0]],
  [[2, 16, 9, 8], [1, 2]],
];
for (const [xs, pad] of fdCases) describe(`Winograd conv2d float64 gradients against finite differences, x [${xs}] padding [${pad}]`, () => {
  const ws = [16, 16, 3, 3];
  const p = [[1, 1], pad, [1, 1], 1];

  test('first order: x, w, bias', () => {
    const r = rng(41);
    const specs = {
      x: { data: randArray(numel(xs), r), shape: xs },
      w: { data: randArray(numel(ws), r), shape: ws },
      b: { data: randArray(16, r), shape: [16] },
    };
    const y0 = B.conv2d(tensor(specs.x.data, xs), tensor(specs.w.data, ws), null, ...p);
    const R = tensor(randArray(numel(B.shape(y0)), r), B.shape(y0));
    checkSampled((t) => dot(B.conv2d(t.x, t.w, t.b, ...p), R), specs, 60, r, 'conv2d');
  });

  test('second order: the gradients of <dx, V> + <dw, U> (conv2dInputGrad and conv2dWeightGrad differentiated)', () => {
    const r = rng(42);
    checkSecondOrder(convSpecs(xs, ws, p, r), xs, ws, p, r);
  });
});

// [N, O, H, W, kh, kw]
const singleChannel = [
  [64, 32, 28, 28, 3, 3],  // the MNIST net's first layer
  [3, 5, 7, 9, 3, 3],      // batch split 2 + 1, odd sizes
  [1, 4, 5, 6, 2, 3],      // generic taps
  [2, 3, 9, 8, 5, 5],
  [2, 3, 3, 3, 3, 3],      // 1x1 output: only the tail loop
];

describe('single-input-channel weight gradient against a direct float64 convolution', () => {
  for (const [N, O, H, W, kh, kw] of singleChannel) {
    for (const dtype of [F32, F64]) {
      test(`x [${N},1,${H},${W}] w [${O},1,${kh},${kw}] ${dtype === F32 ? 'float32' : 'float64'}`, () => {
        const r = rng(N * 100 + O * 7 + H + kh);
        const xs = [N, 1, H, W];
        const ws = [O, 1, kh, kw];
        const q = (a) => a.map((v) => Math.fround(v));
        const xd = q(randArray(numel(xs), r));
        const wd = q(randArray(numel(ws), r));
        const ref = direct(xd, xs, wd, ws, null, 0, 0);
        const gd = q(randArray(numel(ref.oshape), r));
        const tol = dtype === F32 ? 2e-6 : 1e-13;
        const x = tensor(xd, xs, dtype);
        const g = tensor(gd, ref.oshape, dtype);
        expectNear(values(B.conv2dWeightGrad(x, g, ws, [1, 1], [0, 0], [1, 1], 1)), ref.weightGrad(gd), tol, 'weight gradient');
        expectNear(values(B.conv2d(x, tensor(wd, ws, dtype), null, [1, 1], [0, 0], [1, 1], 1)), ref.y, tol, 'forward');
      });
    }
  }

  test('float64 first and second order against finite differences', () => {
    const r = rng(43);
    const xs = [2, 1, 6, 7];
    const ws = [3, 1, 3, 3];
    const p = [[1, 1], [0, 0], [1, 1], 1];
    const specs = convSpecs(xs, ws, p, r);
    checkSampled((t) => dot(B.conv2d(t.x, t.w, null, ...p), t.R), specs, 40, r, 'conv2d');
    checkSecondOrder(specs, xs, ws, p, r);
  });
});
