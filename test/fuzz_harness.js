// The fuzzer of test/fuzz.test.js (see there), shared with test/error_codes.test.js, which runs it
// shorter and checks that every error it provokes carries a documented code.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');

// ---------------------------------------------------------------------------------------------
// Shared by both children (serialised with Function.prototype.toString, so self-contained).
function fuzzCommon(cfg) {
  const fs = require('fs');
  const util = require('util');

  // mulberry32: tiny, seedable, identical on every platform.
  let s = cfg.seed >>> 0;
  function rnd() {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
  const chance = (p) => rnd() < p;

  const logFd = fs.openSync(cfg.logFile, 'w');
  function logLine(line) {
    fs.writeSync(logFd, line + '\n');
  }

  // Values that misbehave when looked at: getters that throw, arrays that grow while being read,
  // objects whose conversion throws.
  function hostile() {
    const throwingGetter = [2, 3];
    Object.defineProperty(throwingGetter, 0, { get() { throw new Error('fuzz: getter throws'); } });
    const growing = [2, 3];
    Object.defineProperty(growing, 0, {
      get() {
        for (let i = 0; i < 4096; i++) growing.push(1);
        return 2;
      },
    });
    const shrinking = [2, 3, 4, 5];
    Object.defineProperty(shrinking, 0, {
      get() {
        shrinking.length = 1;
        return 2;
      },
    });
    const badValueOf = { valueOf() { throw new Error('fuzz: valueOf throws'); }, toString() { throw new Error('fuzz: toString throws'); } };
    const proxyArr = new Proxy([2, 3], {});
    const throwingProxy = new Proxy([2, 3], { get() { throw new Error('fuzz: proxy get throws'); } });
    const holes = new Array(3);
    const cyclic = [1];
    cyclic.push(cyclic);
    const cyclicObj = { value: 1 };
    cyclicObj.children = [cyclicObj];
    const detachedBuf = new ArrayBuffer(16);
    const detached = new Float32Array(detachedBuf);
    structuredClone(detachedBuf, { transfer: [detachedBuf] });
    return {
      throwingGetter, growing, shrinking, badValueOf, proxyArr, throwingProxy, holes, cyclic, cyclicObj,
      detached,
    };
  }

  function baseBad() {
    const h = hostile();
    return [
      undefined, null, 0, -1, 1, 1.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 63, 1e300, -0,
      -(2 ** 53), -(2 ** 31), '', 'abc', '0', '1', 'sum', true, false, {}, { length: 3 }, { shape: [2] },
      [], [[]], [1, [2]], [1e9, 1e9], [-1], [-1, -1], [NaN], [Infinity], [2 ** 31], [2 ** 53, 2 ** 53], [0.5],
      ['a'], [null], [undefined], [true], [{}],
      new Float32Array(0), new Float32Array(6), new Float32Array(3).fill(NaN), new Float64Array(3),
      new Int32Array(2), new Uint8Array(6), new Int8Array(3), new Uint16Array(2), new Uint8ClampedArray(1),
      new BigInt64Array(2), new Int16Array(4), new Uint32Array(3), new Float32Array(new ArrayBuffer(32), 8, 3),
      new DataView(new ArrayBuffer(8)), new ArrayBuffer(8),
      () => 0, function named() { return undefined; }, () => { throw new Error('fuzz: callback throws'); },
      Symbol('s'), 10n, -1n, new Date(0), /re/, new Map(), new Set(), Promise.resolve(1), new Error('e'),
      Object.create(null), h.throwingGetter, h.growing, h.shrinking, h.badValueOf, h.proxyArr,
      h.throwingProxy, h.holes, h.cyclic, h.cyclicObj, h.detached,
    ];
  }

  function describe(v, labels, depth = 0) {
    if (labels && (typeof v === 'object' || typeof v === 'function') && v !== null && labels.has(v)) return labels.get(v);
    try {
      if (typeof v === 'symbol') return 'Symbol()';
      if (typeof v === 'bigint') return v + 'n';
      if (typeof v === 'function') return 'fn:' + (v.fuzzName || v.name || 'anon');
      if (Object.is(v, -0)) return '-0';
      if (typeof v === 'number' || typeof v === 'boolean' || v === undefined || v === null) return String(v);
      if (typeof v === 'string') return JSON.stringify(v);
      if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${v.length === undefined ? v.byteLength + 'B' : v.length})`;
      if (Array.isArray(v)) {
        if (depth > 2) return '[…]';
        const own = Object.getOwnPropertyDescriptor(v, 0);
        if (own && own.get) return '[array with element getter]';
        if (util.types.isProxy(v)) return '[proxy array]';
        return '[' + Array.from({ length: Math.min(v.length, 6) }, (_, i) => describe(v[i], labels, depth + 1)).join(',') +
          (v.length > 6 ? ',…' : '') + ']';
      }
      if (util.types.isProxy(v)) return 'Proxy';
      if (v && v.constructor && v.constructor !== Object) return v.constructor.name;
      if (depth > 1) return '{…}';
      return '{' + Object.keys(v).map((k) => `${k}:${describe(v[k], labels, depth + 1)}`).join(',') + '}';
    } catch (e) {
      return '<hostile>';
    }
  }

  // Formerly kept every returned handle reachable to dodge the GC-time abort described at the top;
  // that crash is fixed, so handles are now left to the collector like any user's.
  const keepAlive = [];
  function keepHandles() {}
  function safePoint() {
    keepAlive.length = 0;
    if (global.gc) global.gc();
  }

  return { rnd, pick, chance, logLine, baseBad, describe, hostile, keepHandles, keepAlive, safePoint };
}

// ---------------------------------------------------------------------------------------------
// Layer a: the raw binding.
function bindingChild(cfg) {
  const { rnd, pick, chance, logLine, baseBad, describe, keepHandles, keepAlive, safePoint } = fuzzCommon(cfg);
  const { native } = require(cfg.root + '/dist/native');
  const tf = require(cfg.root);
  keepHandles(native);

  const labels = new Map();
  const F32 = 0, F64 = 1, I32 = 2, BOOL = 3;
  const DT = ['f32', 'f64', 'i32', 'bool'];
  const typedOf = [Float32Array, Float64Array, Int32Array, Uint8Array];

  function mk(label, shape, dtype, valueFn) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new typedOf[dtype](n);
    for (let i = 0; i < n; i++) data[i] = valueFn(i);
    const h = native.fromTyped(data, shape, dtype);
    labels.set(h, label);
    return h;
  }

  // The tensor pool: every dtype and the edge shapes, views, graph tensors, a disposed handle.
  // Rebuilt regularly, because in-place functions, dispose and setRequiresGrad change its members.
  let pool = [];
  let conv = {};
  function makePool() {
    for (const h of pool) native.dispose(h);
    labels.clear();
    native.setGradEnabled(true);
    const p = [];
    const floatVals = [1.5, -2, 0, 3, 0.25, -0.5];
    const shapes = [[], [0], [3], [2, 3], [1, 1, 1, 1]];
    for (let d = 0; d < 4; d++) {
      for (const sh of shapes) {
        const val = d === BOOL ? (i) => i % 2 : d === I32 ? (i) => i % 3 : (i) => floatVals[i % 6];
        p.push(mk(`${DT[d]}[${sh}]`, sh, d, val));
      }
    }
    p.push(mk('f32[3]{nan,inf,-inf}', [3], F32, (i) => [NaN, Infinity, -Infinity][i]));
    p.push(mk('i32[3]{-1,5,2^31-1}', [3], I32, (i) => [-1, 5, 2 ** 31 - 1][i]));
    p.push(mk('i32[2,3]{-2^31..}', [2, 3], I32, (i) => [-(2 ** 31), 7, -1, 0, 1, 2][i]));
    const base = mk('f32[2,3]#base', [2, 3], F32, (i) => i - 2);
    p.push(base);
    const tr = native.transpose(base, 0, 1);
    labels.set(tr, 'f32[3,2]transposed');
    p.push(tr);
    const ex = native.expand(mk('f32[1,3]', [1, 3], F32, (i) => i), [4, 3]);
    labels.set(ex, 'f32[4,3]expanded(stride0)');
    p.push(ex);
    const nr = native.narrow(mk('f64[4,3]', [4, 3], F64, (i) => i), 0, 1, 2);
    labels.set(nr, 'f64[2,3]narrowed(offset)');
    p.push(nr);
    const leaf = mk('f32[2,3]requiresGrad', [2, 3], F32, (i) => i / 3);
    native.setRequiresGrad(leaf, true);
    p.push(leaf);
    const leaf64 = mk('f64[3]requiresGrad', [3], F64, (i) => i + 1);
    native.setRequiresGrad(leaf64, true);
    p.push(leaf64);
    const leafS = mk('f32[]requiresGrad', [], F32, () => 2);
    native.setRequiresGrad(leafS, true);
    p.push(leafS);
    const nonLeaf = native.binary(2, leaf, 2);
    labels.set(nonLeaf, 'f32[2,3]nonLeaf(mul)');
    p.push(nonLeaf);
    const nonLeafS = native.reduce('sum', nonLeaf, null, false);
    labels.set(nonLeafS, 'f32[]nonLeaf(sum)');
    p.push(nonLeafS);
    const trLeaf = native.transpose(leaf, 0, 1);
    labels.set(trLeaf, 'f32[3,2]transposedGrad');
    p.push(trLeaf);
    const disposed = mk('disposed', [2], F32, () => 1);
    native.dispose(disposed);
    p.push(disposed);
    // Shapes the nn / rnn kernels accept, so their deeper checks are reached too.
    conv = {
      x4: mk('f32[1,2,5,5]', [1, 2, 5, 5], F32, (i) => (i % 7) - 3),
      w4: mk('f32[3,2,3,3]', [3, 2, 3, 3], F32, (i) => (i % 5) - 2),
      b3: mk('f32[3]bias', [3], F32, () => 0.5),
      x3: mk('f32[2,4,6]', [2, 4, 6], F32, (i) => i % 3),
      w3: mk('f32[3,4,3]', [3, 4, 3], F32, (i) => i % 2),
      gates: mk('f32[2,8]', [2, 8], F32, (i) => i / 8),
      c: mk('f32[2,2]', [2, 2], F32, () => 0.1),
      gi: mk('f32[2,6]', [2, 6], F32, (i) => i / 6),
      xp: mk('f32[3,2,8]', [3, 2, 8], F32, (i) => (i % 4) / 4),
      whh: mk('f32[8,2]', [8, 2], F32, () => 0.2),
      b8: mk('f32[8]', [8], F32, () => 0),
      idx: mk('i32[2,3]idx', [2, 3], I32, (i) => i % 2),
      x4d: mk('f64[1,1,4,4]', [1, 1, 4, 4], F64, (i) => i),
    };
    for (const k of Object.keys(conv)) p.push(conv[k]);
    pool = p;
  }

  const bad = baseBad();
  const fnPool = [
    () => undefined,
    (g) => { keepAlive.push(g); return g; },
    (g) => { keepAlive.push(g); return [null]; },
    (g) => { keepAlive.push(g); return Array.isArray(g) ? g.map(() => null) : null; },
    (g) => { keepAlive.push(g); return [1, 2]; },
    () => 'x',
    (g) => { keepAlive.push(g); throw new Error('fuzz: backward callback throws'); },
    (g) => { keepAlive.push(g); return Array.isArray(g) ? g.map(() => pick(pool)) : []; },
  ];
  fnPool.forEach((f, i) => { f.fuzzName = 'cb' + i; });

  const ints = [0, 1, -1, 2, 3, -2, -3, 4, 5, 1000, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 53, 1.5, NaN];
  const nums = [0, 1, -1, 0.5, 2, 1e-8, NaN, Infinity, -Infinity, 1e300, -0, 0.9, 0.999];
  const shapesPool = [[], [0], [3], [2, 3], [3, 2], [6], [1, 1, 1, 1], [-1], [-1, 3], [3, -1], [2, -1, -1], [0, 5],
    [1, 0, 3], [1e9, 1e9], [2 ** 31], [2 ** 53, 2 ** 53], [2 ** 40, 2], [2 ** 20, 2 ** 20, 2 ** 20], [-2], [NaN],
    [1.5], [1, 2, 3, 4, 5, 6, 7, 8, 9], [0, 1], [1, 0], [2, 2], [1, 2, 5, 5], [3, 2, 3, 3], [1, 3, 3, 3], [3, 2, 1, 1]];
  const dtypes = [0, 1, 2, 3, -1, 4, 1.5, NaN];
  const bools = [true, false, 0, 1, undefined, null, 'x'];
  const typedPool = [new Float32Array(6), new Float32Array(3), new Float32Array(0), new Float32Array(1),
    new Float64Array(6), new Int32Array(6).fill(-7), new Uint8Array(6).fill(255), new Uint8Array(1),
    new Float32Array(new ArrayBuffer(64), 4, 6), new Int8Array(6), new BigInt64Array(6), new Float32Array(2 ** 16)];
  const pairs = [1, 2, 0, -1, [1, 1], [2, 1], [1], [0, 0], [1, 2, 3], [], [-1, 1], [2 ** 31, 1], [2 ** 53, 2 ** 53],
    [1000, 1000], 2 ** 31 - 1, 2 ** 53, 1000, 1.5, [1.5, 1]];
  const kinds = {
    random: ['rand', 'randn', 'randint', 'bernoulli'],
    inPlace: ['uniform', 'normal', 'fill', 'copy'],
    reduce: ['sum', 'mean', 'max', 'min', 'logsumexp', 'var', 'std', 'argmax', 'argmin'],
    customOp: ['fuzzOp', ''],
  };

  const T = () => pick(pool);
  const gen = {
    T,
    TN: () => (chance(0.3) ? pick(nums) : T()),
    TNB: () => (chance(0.2) ? pick(nums) : chance(0.15) ? pick([true, false]) : T()),
    O: () => (chance(0.3) ? pick([null, undefined]) : T()),
    TL: () => {
      const n = pick([0, 1, 2, 3]);
      return Array.from({ length: n }, () => (chance(0.1) ? null : T()));
    },
    I: () => pick(ints),
    UI: () => pick([0, 1, 2, 3, 5, 8, 14, 15, 16, 20, -1]),
    N: () => pick(nums),
    NN: () => (chance(0.3) ? null : pick(nums)),
    S: () => pick(shapesPool),
    D: () => pick(dtypes),
    B: () => pick(bools),
    A: () => (chance(0.3) ? null : chance(0.5) ? pick(ints) : pick(shapesPool)),
    TA: () => pick(typedPool),
    F: () => pick(fnPool),
    P: () => pick(pairs),
    IN: () => (chance(0.3) ? null : pick(ints)),
  };
  const K = (list) => () => (chance(0.9) ? pick(list) : pick(['', 'nope', 'SUM']));

  // Argument templates: a "plausible" generator per position. Functions missing here (added to
  // the binding later) are still fuzzed, with random argument lists.
  const templates = {
    fromTyped: ['TA', 'S', 'D'], toTyped: ['T'], item: ['T'], shape: ['T'], dtype: ['T'], strides: ['T'],
    sameStorage: ['T', 'T'], dispose: ['T'], isDisposed: ['T'], memory: [], backendInfo: [], emptyCache: [],
    setNumThreads: [() => pick([1, 2, 3, 0, -1, 1025, 1.5, NaN])], manualSeed: ['N'], full: ['S', 'N', 'D'],
    arange: ['N', 'N', 'N', 'D'], linspace: ['N', 'N', 'I', 'D'], eye: ['I', 'I', 'D'],
    random: [K(kinds.random), 'S', 'D', 'I', 'I'], inPlace: [K(kinds.inPlace), 'T', 'TN', 'N'],
    unary: ['UI', 'T'], binary: ['UI', 'TN', 'TN'], compare: ['UI', 'TNB', 'TNB'], where: ['T', 'TN', 'TN'],
    clamp: ['T', 'NN', 'NN'], leakyRelu: ['T', 'N'], reduce: [K(kinds.reduce), 'T', 'A', 'B', 'N'],
    softmax: ['T', 'I', 'B'], matmul: ['T', 'T'], to: ['T', 'D'], clone: ['T'], contiguous: ['T'], detach: ['T'],
    reshape: ['T', 'S'], transpose: ['T', 'I', 'I'], permute: ['T', 'S'], squeeze: ['T', 'IN'], unsqueeze: ['T', 'I'],
    expand: ['T', 'S'], flatten: ['T', 'I', 'I'], narrow: ['T', 'I', 'I', 'I'], select: ['T', 'I', 'I'],
    concat: ['TL', 'I'], stack: ['TL', 'I'], split: ['T', 'I', 'I'], chunk: ['T', 'I', 'I'], unbind: ['T', 'I'],
    gather: ['T', 'I', 'T'], indexSelect: ['T', 'I', 'T'], scatterAdd: ['T', 'I', 'T', 'T'],
    indexAdd: ['T', 'I', 'T', 'T'], oneHot: ['T', 'I'],
    requiresGrad: ['T'], setRequiresGrad: ['T', 'B'], isLeaf: ['T'], gradFn: ['T'], getGrad: ['T'], setGrad: ['T', 'O'],
    backward: ['T', 'O', 'B', 'B'], gradOf: ['TL', 'TL', 'TL', 'B', 'B'], setGradEnabled: ['B'], isGradEnabled: [],
    customOp: [K(kinds.customOp), 'TL', 'TL', 'F'],
    conv2d: ['T', 'T', 'O', 'P', 'P', 'P', 'IN'], conv1d: ['T', 'T', 'O', 'P', 'P', 'P', 'IN'],
    conv2dInputGrad: ['T', 'T', 'S', 'P', 'P', 'P', 'IN'], conv2dWeightGrad: ['T', 'T', 'S', 'P', 'P', 'P', 'IN'],
    maxPool2d: ['T', 'P', 'P', 'P', 'P', 'B', 'B'], avgPool2d: ['T', 'P', 'P', 'P', 'B', 'B'],
    sgdStep: ['T', 'T', 'O', 'N', 'N', 'N', 'N', 'B', 'B'],
    adamStep: ['T', 'T', 'T', 'T', 'O', 'N', 'N', 'N', 'N', 'N', 'I', 'B', 'B'],
    rmspropStep: ['T', 'T', 'T', 'O', 'O', 'N', 'N', 'N', 'N', 'N', 'B'],
    adagradStep: ['T', 'T', 'T', 'N', 'N', 'N', 'N', 'I'], gradNormPow: ['T', 'N'], scaleInPlace: ['T', 'N'],
    clampAbsInPlace: ['T', 'N'], lstmCell: ['T', 'T'], gruCell: ['T', 'T', 'T'], lstmLayer: ['T', 'T', 'T', 'T', 'O', 'B'],
  };
  // Well-formed tensor arguments for the kernels with shape requirements, mixed in sometimes.
  const wellFormed = {
    conv2d: () => [conv.x4, conv.w4, conv.b3],
    conv2dInputGrad: () => [native.conv2d(conv.x4, conv.w4, null), conv.w4, [1, 2, 5, 5]],
    conv2dWeightGrad: () => [conv.x4, native.conv2d(conv.x4, conv.w4, null), [3, 2, 3, 3]],
    conv1d: () => [conv.x3, conv.w3, conv.b3],
    maxPool2d: () => [conv.x4d],
    avgPool2d: () => [conv.x4d],
    lstmCell: () => [conv.gates, conv.c],
    gruCell: () => [conv.gi, conv.gi, conv.c],
    lstmLayer: () => [conv.xp, conv.c, conv.c, conv.whh, conv.b8],
    gather: () => [T(), pick([0, 1, -1]), conv.idx],
    indexSelect: () => [T(), pick([0, 1, -1]), pick(pool.filter((h) => labels.get(h)?.startsWith('i32')))],
  };

  function genArgs(name) {
    const tpl = templates[name];
    if (!tpl || chance(0.25)) {
      const n = Math.floor(rnd() * 8);
      return Array.from({ length: n }, () => (chance(0.4) ? T() : pick(bad)));
    }
    let args = tpl.map((g) => {
      if (chance(0.12)) return pick(bad);
      return (typeof g === 'function' ? g : gen[g])();
    });
    if (wellFormed[name] && chance(0.4)) {
      const wf = wellFormed[name]();
      for (let i = 0; i < wf.length; i++) args[i] = wf[i];
    }
    if (chance(0.08)) args = args.slice(0, Math.floor(rnd() * args.length));
    else if (chance(0.05)) args.push(pick(bad));
    return args;
  }

  const names = Object.keys(native).filter((k) => typeof native[k] === 'function').sort();
  const stats = { calls: 0, threw: 0, returned: 0, perFn: {}, errorKinds: {} };
  const nonErrors = [];
  // Errors without one of the documented codes (tf.ErrorCodes), one sample per function.
  const codes = new Set(Object.values(tf.ErrorCodes || {}));
  const uncoded = new Map();
  for (const name of names) {
    makePool();
    safePoint();
    const n = cfg.callsPerFn;
    let fnCalls = 0;
    for (let i = 0; i < n; i++) {
      if (i % 150 === 149) {
        makePool();
        safePoint();
      }
      const args = genArgs(name);
      logLine(`#${stats.calls} native.${name}(${args.map((a) => describe(a, labels)).join(', ')})`);
      stats.calls++;
      fnCalls++;
      try {
        const r = native[name](...args);
        stats.returned++;
        // Dispose results now rather than letting them pile up until GC.
        const out = Array.isArray(r) ? r : [r];
        for (const h of out) if (h && typeof h === 'object' && !labels.has(h) && native.isDisposed(h) === false) native.dispose(h);
      } catch (e) {
        stats.threw++;
        const kind = e && e.constructor ? e.constructor.name : typeof e;
        stats.errorKinds[kind] = (stats.errorKinds[kind] || 0) + 1;
        if (!(e instanceof Error) && nonErrors.length < 20) nonErrors.push(`native.${name}: threw ${describe(e)}`);
        else if (e instanceof Error && !codes.has(e.code) && !String(e.message).startsWith('fuzz:') && !uncoded.has(name))
          uncoded.set(`native.${name}`, `${e.name}: ${String(e.message).split('\n')[0].slice(0, 160)}`);
      }
    }
    stats.perFn[name] = fnCalls;
  }
  logLine('# fuzzing done; checking that the library still works');
  native.setGradEnabled(true);
  for (const h of pool) native.dispose(h);
  const ok = JSON.stringify(tf.ones([2]).add(1).toArray()) === '[2,2]';
  if (global.gc) global.gc();
  logLine('# done');
  process.stdout.write(JSON.stringify({ layer: 'binding', functions: names.length, calls: stats.calls,
    returned: stats.returned, threw: stats.threw, errorKinds: stats.errorKinds, nonErrors,
    uncoded: Object.fromEntries(uncoded), libraryWorks: ok }) + '\n');
  process.exitCode = ok ? 0 : 3;
}

// ---------------------------------------------------------------------------------------------
// Layer b: the public API.
function publicChild(cfg) {
  const { rnd, pick, chance, logLine, baseBad, describe, keepHandles, safePoint } = fuzzCommon(cfg);
  keepHandles(require(cfg.root + '/dist/native').native);
  const tf = require(cfg.root);
  const labels = new Map();

  let pool = [];
  function lbl(t, name) {
    labels.set(t, name);
    return t;
  }
  function makePool() {
    for (const t of pool) if (t instanceof tf.Tensor) t.dispose();
    labels.clear();
    const p = [];
    for (const dtype of ['float32', 'float64', 'int32', 'bool']) {
      for (const shape of [[], [0], [3], [2, 3], [1, 1, 1, 1]]) p.push(lbl(tf.ones(shape, { dtype }), `${dtype}[${shape}]`));
    }
    const leaf = lbl(tf.tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true }), 'f32[2,3]requiresGrad');
    p.push(leaf);
    p.push(lbl(leaf.mul(2), 'f32[2,3]nonLeaf'));
    p.push(lbl(leaf.transpose(), 'f32[3,2]transposedGrad'));
    p.push(lbl(tf.tensor([1, -2, 3], { dtype: 'float64', requiresGrad: true }), 'f64[3]requiresGrad'));
    p.push(lbl(tf.tensor(2, { requiresGrad: true }), 'f32[]requiresGrad'));
    p.push(lbl(tf.tensor([[0, 1, 2], [2, 1, 0]], { dtype: 'int32' }), 'i32[2,3]idx'));
    p.push(lbl(tf.tensor([-1, 5, 2 ** 31 - 1], { dtype: 'int32' }), 'i32[3]wild'));
    p.push(lbl(tf.tensor([NaN, Infinity, -Infinity]), 'f32[3]nan'));
    p.push(lbl(tf.arange(6).reshape([2, 3]).transpose(0, 1), 'f32[3,2]transposed'));
    p.push(lbl(tf.ones([1, 3]).expand([4, 3]), 'f32[4,3]expanded'));
    p.push(lbl(tf.ones([1, 2, 5, 5]), 'f32[1,2,5,5]'));
    p.push(lbl(tf.ones([3, 2, 4]), 'f32[3,2,4]'));
    const d = tf.ones([2]);
    d.dispose();
    p.push(lbl(d, 'disposed'));
    pool = p;
  }

  const fnPool = [() => 0, (x) => x, (...a) => a[0], (x) => (x instanceof tf.Tensor ? x.sum() : x), () => { throw new Error('fuzz: callback throws'); },
    (c, x) => c, () => tf.ones([2])];
  fnPool.forEach((f, i) => { f.fuzzName = 'cb' + i; });
  const bad = baseBad();
  const extra = [
    0, 1, 2, 3, -1, 1000, 0.5, 1e-3, 'float32', 'float64', 'int32', 'bool', 'float16', 'mean', 'sum', 'none',
    [2, 3], [3], [0], [-1, 3], [1, 2, 5, 5], [6],
    { dtype: 'float64' }, { dtype: 'bogus' }, { requiresGrad: true }, { shape: [2, 3] }, { reduction: 'sum' },
    { reduction: 'bogus' }, { lr: 1e-3 }, { lr: -1 }, { lr: NaN }, { momentum: 0.9, nesterov: true },
    { keepdim: true }, { argnums: [0, 1] }, { argnums: 5 }, { checkpoint: true }, { size: 2, stride: 1 },
    { size: 0 }, { batchSize: 2, shuffle: true }, { bias: false }, { stride: 0 }, { padding: -1 }, { groups: 0 },
    { batchFirst: true }, { maxSteps: 3, until: () => true }, { leaf: (v) => v, node: (c) => c[0] },
    { value: 1, children: [] }, { retainGraph: true, createGraph: true },
  ];
  const A = () => {
    const r = rnd();
    if (r < 0.35) return pick(pool);
    if (r < 0.6) return pick(extra);
    if (r < 0.7) return pick(fnPool);
    if (r < 0.75) return [pick(pool), pick(pool)];
    return pick(bad);
  };
  const genArgs = () => Array.from({ length: Math.floor(rnd() * 5) }, A);

  // Calls that legitimately run for as long as they are told to.
  function hasBig(v, depth) {
    if (typeof v === 'number') return Math.abs(v) > 1000;
    if (Array.isArray(v) && depth < 3) return v.some((x) => hasBig(x, depth + 1));
    return false;
  }
  function tooSlow(name, args) {
    try {
      return tooSlowUnsafe(name, args);
    } catch (e) {
      return true; // a hostile options object: skip rather than let it throw out here
    }
  }
  function tooSlowUnsafe(name, args) {
    // permutation(n) loops n times, and `i < n` with a non-number n coerces (see the report).
    // Hundreds of threads cannot be created under the child's address-space limit, and a failed
    // spawn leaves the engine's pool waiting forever (native/core/parallel.cpp Pool::spawn; see the
    // report). Valid up to 1024, so only large counts are skipped.
    if (name === 'setNumThreads') return typeof args[0] === 'number' && args[0] > 64;
    if (name === 'permutation') return !(typeof args[0] === 'number' && Math.abs(args[0]) <= 1e6);
    // adaptive pooling runs a JavaScript loop over every output cell: [1e9, 1e9] never ends.
    if (/^adaptive/i.test(name)) return hasBig(args, 0);
    if (name === 'unfold') {
      const st = args[2];
      if (typeof st === 'number' && st > 100) return true;
      if (st && typeof st === 'object' && !(st instanceof tf.Tensor) && !(typeof st.maxSteps === 'number' && st.maxSteps <= 100)) return true;
    }
    return false;
  }

  const stats = { calls: 0, threw: 0, returned: 0 };
  const notError = [];
  const unnamed = new Map(); // op -> sample message
  const emptyMsg = new Set();
  const disposedUnnamed = new Set();
  const codes = new Set(Object.values(tf.ErrorCodes || {}));
  const uncoded = new Map(); // label -> sample of an error without a documented code
  function isOwnError(e) {
    return e && typeof e.message === 'string' && e.message.startsWith('fuzz:');
  }
  function call(label, opName, thunk, argsDesc) {
    logLine(`#${stats.calls} ${label}(${argsDesc})`);
    stats.calls++;
    let r;
    try {
      r = thunk();
      stats.returned++;
    } catch (e) {
      stats.threw++;
      if (isOwnError(e)) return undefined;
      if (!(e instanceof Error)) {
        if (notError.length < 30) notError.push(`${label}: threw ${describe(e)}`);
        return undefined;
      }
      // Only API usage counts: a method called on a non-Tensor receiver (opName null) is not.
      if (opName !== null && !codes.has(e.code) && !uncoded.has(label)) uncoded.set(label, `${e.name}: ${e.message.split('\n')[0].slice(0, 160)}`);
      if (!e.message) emptyMsg.add(label);
      else if (opName && !e.message.toLowerCase().includes(opName.toLowerCase())) {
        // A disposed operand is reported by whichever accessor touched it first (`shape: tensor
        // has been disposed`): counted apart so other findings are not hidden behind it.
        if (/has been disposed/.test(e.message)) disposedUnnamed.add(label);
        else if (!unnamed.has(label)) unnamed.set(label, `${e.name}: ${e.message.split('\n')[0].slice(0, 160)}`);
      }
      return undefined;
    }
    // Functions returned by higher-order helpers (tf.grad, vjp, ...) get fuzzed too, once.
    return r;
  }

  const skip = new Set(['Tensor']);
  const fnNames = Object.keys(tf).filter((k) => typeof tf[k] === 'function' && !skip.has(k)).sort();
  const protoNames = Object.getOwnPropertyNames(tf.Tensor.prototype).filter((k) => k !== 'constructor').sort();
  const nsEntries = [];
  for (const ns of ['nn', 'F', 'optim', 'data', 'linalg', 'distributions']) {
    const o = tf[ns];
    if (!o) continue;
    for (const k of Object.keys(o).sort()) {
      if (typeof o[k] === 'function') nsEntries.push([`tf.${ns}.${k}`, o[k], k]);
      else if (o[k] && typeof o[k] === 'object') {
        for (const k2 of Object.keys(o[k]).sort()) if (typeof o[k][k2] === 'function') nsEntries.push([`tf.${ns}.${k}.${k2}`, o[k][k2], k2]);
      }
    }
  }
  const isClass = (f) => /^class\b/.test(Function.prototype.toString.call(f));

  const n = cfg.callsPerFn;
  let instancesMade = 0;
  const instanceMethodCalls = { n: 0 };
  function fuzzInstance(label, obj) {
    // Methods of a constructed module / optimizer / scheduler / dataset, with bad arguments.
    const names = new Set();
    for (let p = Object.getPrototypeOf(obj); p && p !== Object.prototype; p = Object.getPrototypeOf(p))
      for (const k of Object.getOwnPropertyNames(p)) {
        const d = Object.getOwnPropertyDescriptor(p, k);
        if (k !== 'constructor' && d && typeof d.value === 'function') names.add(k);
      }
    for (const m of [...names].sort()) {
      for (let i = 0; i < 4; i++) {
        const args = genArgs();
        instanceMethodCalls.n++;
        const r = call(`${label}#${m}`, null, () => obj[m](...args), args.map((a) => describe(a, labels)).join(', '));
        if (r && typeof r[Symbol.iterator] === 'function' && !(r instanceof tf.Tensor) && !Array.isArray(r) && typeof r !== 'string') {
          // Iterators (DataLoader): take a couple of items only.
          call(`${label}#${m}:iterate`, null, () => { const it = r[Symbol.iterator](); it.next(); it.next(); }, '');
        }
      }
    }
  }

  makePool();
  safePoint();
  // tf.* functions
  for (const name of fnNames) {
    for (let i = 0; i < n; i++) {
      if (i % 100 === 99) {
        makePool();
        safePoint();
      }
      const args = genArgs();
      if (tooSlow(name, args)) continue;
      // Top-level classes (tf.Generator) are constructed, as the namespaced ones below.
      const cls = isClass(tf[name]);
      const r = call(cls ? `new tf.${name}` : `tf.${name}`, name, () => (cls ? new tf[name](...args) : tf[name](...args)), args.map((a) => describe(a, labels)).join(', '));
      if (typeof r === 'function' && chance(0.5)) {
        const a2 = genArgs();
        call(`tf.${name}(…)→fn`, null, () => r(...a2), a2.map((a) => describe(a, labels)).join(', '));
      } else if (Array.isArray(r) && typeof r[1] === 'function') {
        const a2 = genArgs();
        call(`tf.${name}(…)[1]`, null, () => r[1](...a2), a2.map((a) => describe(a, labels)).join(', '));
      }
    }
  }
  // Tensor methods, getters and setters, on every kind of receiver (and on non-tensors, via call()).
  for (const name of protoNames) {
    const d = Object.getOwnPropertyDescriptor(tf.Tensor.prototype, name);
    for (let i = 0; i < n; i++) {
      if (i % 100 === 99) {
        makePool();
        safePoint();
      }
      const self = chance(0.95) ? pick(pool) : pick(bad);
      const args = genArgs();
      const sd = describe(self, labels);
      if (typeof d.value === 'function') {
        // A non-Tensor receiver is not API usage: only crashes count there, not message quality.
        call(`Tensor#${name}`, self instanceof tf.Tensor ? name : null, () => d.value.apply(self, args), `this=${sd}; ` + args.map((a) => describe(a, labels)).join(', '));
      } else {
        if (d.get) call(`Tensor#get ${name}`, null, () => d.get.call(self), `this=${sd}`);
        // As for methods, a non-Tensor receiver is not API usage: only crashes count there.
        if (d.set) call(`Tensor#set ${name}`, self instanceof tf.Tensor ? name : null, () => d.set.call(self, args[0]), `this=${sd}; ${describe(args[0], labels)}`);
      }
    }
  }
  // tf.nn / tf.F / tf.optim / tf.data: functions and constructors.
  for (const [label, f, short] of nsEntries) {
    const cls = isClass(f);
    for (let i = 0; i < n; i++) {
      if (i % 100 === 99) {
        makePool();
        safePoint();
      }
      const args = genArgs();
      if (tooSlow(short, args)) continue;
      const r = call(cls ? `new ${label}` : label, short, () => (cls ? new f(...args) : f(...args)), args.map((a) => describe(a, labels)).join(', '));
      if (cls && r && instancesMade < cfg.maxInstances && chance(0.3) && !/^Adaptive/.test(short)) {
        instancesMade++;
        fuzzInstance(label, r);
      }
    }
  }

  logLine('# fuzzing done; checking that the library still works');
  for (const t of pool) if (t instanceof tf.Tensor) t.dispose();
  tf.setNumThreads(tf.backendInfo().threads || 1);
  const ok = JSON.stringify(tf.ones([2]).add(1).toArray()) === '[2,2]';
  logLine('# done');
  process.stdout.write(JSON.stringify({ layer: 'public', functions: fnNames.length, methods: protoNames.length,
    namespaced: nsEntries.length, instancesFuzzed: instancesMade, instanceMethodCalls: instanceMethodCalls.n,
    calls: stats.calls, returned: stats.returned, threw: stats.threw, notError, emptyMessage: [...emptyMsg],
    messageMissesOpName: Object.fromEntries(unnamed), disposedMessageMissesOpName: [...disposedUnnamed].sort(),
    uncoded: Object.fromEntries(uncoded),
    libraryWorks: ok }) + '\n');
  process.exitCode = ok ? 0 : 3;
}

// ---------------------------------------------------------------------------------------------
function runChild(main, cfg, timeoutMs) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-fuzz-'));
  const logFile = path.join(dir, 'calls.log');
  const full = { ...cfg, root: ROOT, logFile };
  const code = `const fuzzCommon = ${fuzzCommon.toString()};\n(${main.toString()})(${JSON.stringify(full)});`;
  const scriptFile = path.join(dir, 'child.js');
  fs.writeFileSync(scriptFile, code);
  const env = { ...process.env, TENSORFOLD_NUM_THREADS: '2' };
  // ~2.6 GB of address space: Node itself reserves ~1.4 GB; the rest bounds what fuzzed sizes may
  // really allocate, and anything beyond fails fast as an "out of memory" RangeError.
  const useUlimit = process.platform === 'linux';
  const cmd = useUlimit ? '/bin/sh' : process.execPath;
  const argv = useUlimit
    ? ['-c', 'ulimit -v 2600000 2>/dev/null; exec "$0" "$@"', process.execPath, '--expose-gc', scriptFile]
    : ['--expose-gc', scriptFile];
  const r = spawnSync(cmd, argv, { cwd: dir, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  let lastCalls = '';
  try {
    const text = fs.readFileSync(logFile, 'utf8');
    lastCalls = text.trimEnd().split('\n').slice(-3).join('\n');
  } catch (e) {
    lastCalls = '(no call log)';
  }
  const ok = r.status === 0 && !r.signal && !r.error;
  if (ok) fs.rmSync(dir, { recursive: true, force: true });
  let summary = null;
  try {
    summary = JSON.parse(r.stdout.trim().split('\n').pop());
  } catch (e) {
    summary = null;
  }
  return { ok, status: r.status, signal: r.signal, error: r.error, stderr: (r.stderr || '').slice(-4000), lastCalls, summary, dir };
}

function report(res) {
  if (res.ok) return;
  throw new Error(
    `fuzz child died: status=${res.status} signal=${res.signal}${res.error ? ' error=' + res.error.message : ''}\n` +
      `last calls (the final one is the culprit):\n${res.lastCalls}\nstderr:\n${res.stderr}\n(log kept in ${res.dir})`,
  );
}

module.exports = { runChild, report, bindingChild, publicChild, ROOT };
