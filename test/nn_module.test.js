// nn.Module: discovery and naming of parameters, buffers and submodules; modes; state dicts and
// their errors; dtype conversion; containers.
'use strict';
const { tf, expectThrowsKind, expectClose } = require('./helpers');

const { nn } = tf;

class Block extends nn.Module {
  constructor() {
    super();
    this.fc = new nn.Linear(3, 4);
    this.bn = new nn.BatchNorm1d(4);
  }
  forward(x) {
    return this.bn.forward(this.fc.forward(x)).relu();
  }
}

class Net extends nn.Module {
  constructor() {
    super();
    this.encoder = new Block();
    this.layers = [new nn.Linear(4, 4), new nn.Linear(4, 2, { bias: false })];
    this.heads = { a: new nn.Linear(2, 1) };
    this.scale = nn.Parameter(tf.ones([1]));
    this.cache = tf.zeros([2]); // a plain tensor field: neither parameter nor buffer
    this.registerBuffer('step', tf.zeros([], { dtype: 'int32' }));
    this.name = 'net';
  }
  forward(x) {
    let h = this.encoder.forward(x);
    for (const l of this.layers) h = l.forward(h);
    return this.heads.a.forward(h).mul(this.scale);
  }
}

describe('parameter discovery and names', () => {
  test('fields, arrays and objects of modules get PyTorch-style dotted names', () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual([
      'scale', 'encoder.fc.weight', 'encoder.fc.bias', 'encoder.bn.weight', 'encoder.bn.bias',
      'layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'heads.a.weight', 'heads.a.bias',
    ]);
    expect(net.parameters().length).toBe(10);
    expect(net.namedBuffers().map(([n]) => n)).toEqual([
      'step', 'encoder.bn.running_mean', 'encoder.bn.running_var', 'encoder.bn.num_batches_tracked',
    ]);
    expect(net.namedModules().map(([n]) => n)).toEqual(['', 'encoder', 'encoder.fc', 'encoder.bn', 'layers.0', 'layers.1', 'heads.a']);
    expect(net.namedChildren().map(([n]) => n)).toEqual(['encoder', 'layers.0', 'layers.1', 'heads.a']);
  });
  test('Sequential names children 0, 1, ... and skips parameter-free ones', () => {
    const s = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1));
    expect(s.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(s.length).toBe(3);
    expect(s.at(-1)).toBeInstanceOf(nn.Linear);
    const named = new nn.Sequential({ fc: new nn.Linear(2, 2), act: new nn.Tanh() });
    expect(Object.keys(named.stateDict())).toEqual(['fc.weight', 'fc.bias']);
    const y = s.forward(tf.randn([5, 2]));
    expect(y.shape).toEqual([5, 1]);
    expect(s.call(tf.randn([1, 2])).shape).toEqual([1, 1]);
  });
  test('ModuleList and ModuleDict register their modules', () => {
    class M extends nn.Module {
      constructor() {
        super();
        this.blocks = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2)]);
        this.byName = new nn.ModuleDict({ out: new nn.Linear(2, 1) });
      }
    }
    expect(new M().namedParameters().map(([n]) => n)).toEqual([
      'blocks.0.weight', 'blocks.0.bias', 'blocks.1.weight', 'blocks.1.bias', 'byName.out.weight', 'byName.out.bias',
    ]);
  });
  test('shared modules and parameters are listed once', () => {
    const shared = new nn.Linear(2, 2);
    const s = new nn.Sequential(shared, new nn.ReLU(), shared);
    expect(s.parameters().length).toBe(2);
  });
  test('a frozen parameter stays a parameter', () => {
    const l = new nn.Linear(2, 2);
    l.weight.requiresGrad = false;
    expect(l.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
    expect(Object.keys(l.stateDict())).toEqual(['weight', 'bias']);
  });
  test('RNN parameter names follow PyTorch', () => {
    const gru = new nn.GRU(3, 4, { numLayers: 2, bidirectional: true, bias: false });
    expect(gru.namedParameters().map(([n, t]) => `${n}:${t.shape}`)).toEqual([
      'weight_ih_l0:12,3', 'weight_hh_l0:12,4', 'weight_ih_l0_reverse:12,3', 'weight_hh_l0_reverse:12,4',
      'weight_ih_l1:12,8', 'weight_hh_l1:12,4', 'weight_ih_l1_reverse:12,8', 'weight_hh_l1_reverse:12,4',
    ]);
    expect(new nn.LSTMCell(2, 3).namedParameters().map(([n, t]) => `${n}:${t.shape}`)).toEqual([
      'weight_ih:12,2', 'weight_hh:12,3', 'bias_ih:12', 'bias_hh:12',
    ]);
  });
});

describe('modes and gradients', () => {
  test('train() / eval() set training recursively', () => {
    const net = new Net();
    expect(net.training).toBe(true);
    expect(net.eval()).toBe(net);
    expect(net.modules().every((m) => m.training === false)).toBe(true);
    net.train();
    expect(net.encoder.bn.training).toBe(true);
  });
  test('zeroGrad sets every gradient to null', () => {
    const net = new Net();
    net.forward(tf.randn([4, 3])).sum().backward();
    expect(net.parameters().every((p) => p.grad !== null)).toBe(true);
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
  });
  test('to("float64") converts parameters and buffers in place of the fields', () => {
    const net = new Net().double();
    for (const p of net.parameters()) {
      expect(p.dtype).toBe('float64');
      expect(p.requiresGrad).toBe(true);
    }
    expect(net.encoder.bn.running_var.dtype).toBe('float64');
    expect(net.step.dtype).toBe('int32');
    expect(net.forward(tf.randn([2, 3], { dtype: 'float64' })).dtype).toBe('float64');
  });
});

describe('stateDict / loadStateDict', () => {
  test('round trip copies values (and buffers) into another instance', () => {
    tf.manualSeed(1);
    const a = new Net();
    a.forward(tf.randn([8, 3])); // updates BatchNorm running statistics
    const b = new Net();
    const sd = a.stateDict();
    expect(Object.keys(sd)).toEqual([
      'scale', 'step', 'encoder.fc.weight', 'encoder.fc.bias', 'encoder.bn.weight', 'encoder.bn.bias',
      'encoder.bn.running_mean', 'encoder.bn.running_var', 'encoder.bn.num_batches_tracked',
      'layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'heads.a.weight', 'heads.a.bias',
    ]);
    const r = b.loadStateDict(sd);
    expect(r).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const sb = b.stateDict();
    for (const k of Object.keys(sd)) expectClose(sb[k], sd[k], { rtol: 0, atol: 0 }, k);
    expect(sb['encoder.bn.num_batches_tracked'].item()).toBe(1);
    a.eval();
    b.eval();
    const x = tf.randn([3, 3]);
    expectClose(b.forward(x), a.forward(x), { rtol: 0, atol: 0 });
    // Loading copies: the parameters keep their identity (optimizers hold them).
    expect(b.parameters()[0]).toBe(b.scale);
  });
  test('stateDict tensors share storage but do not require grad', () => {
    const l = new nn.Linear(2, 2);
    const w = l.stateDict().weight;
    expect(w.requiresGrad).toBe(false);
    tf.noGrad(() => w.fill_(3));
    expect(l.weight.toTypedArray()[0]).toBe(3);
  });
  test('strict mode: missing and unexpected keys are errors naming the keys', () => {
    const net = new Net();
    const sd = net.stateDict();
    delete sd['layers.1.weight'];
    expectThrowsKind(() => net.loadStateDict(sd), 'Error', /missing key\(s\) "layers\.1\.weight"/);
    const sd2 = { ...net.stateDict(), 'layers.2.bias': tf.zeros([2]) };
    expectThrowsKind(() => net.loadStateDict(sd2), 'Error', /unexpected key\(s\) "layers\.2\.bias"/);
  });
  test('non-strict mode reports instead of throwing; a failed load changes nothing', () => {
    const net = new Net();
    const before = net.encoder.fc.weight.toTypedArray();
    const sd = { 'encoder.fc.weight': tf.ones([4, 3]), extra: tf.zeros([1]) };
    const r = net.loadStateDict(sd, { strict: false });
    expect(r.unexpectedKeys).toEqual(['extra']);
    expect(r.missingKeys).toContain('encoder.fc.bias');
    expect(Array.from(net.encoder.fc.weight.toTypedArray())).toEqual(new Array(12).fill(1));
    const bad = { ...net.stateDict(), 'encoder.fc.weight': tf.ones([3, 4]) };
    const w = net.encoder.fc.weight.toTypedArray();
    expectThrowsKind(() => net.loadStateDict(bad), 'Error',
      /size mismatch for "encoder\.fc\.weight": .*shape \[3,4\].*shape \[4,3\]/);
    expect(net.encoder.fc.weight.toTypedArray()).toEqual(w);
    expect(before.length).toBe(12);
  });
  test('shape mismatch is an error even when not strict', () => {
    const l = new nn.Linear(2, 3);
    expectThrowsKind(() => l.loadStateDict({ weight: tf.zeros([2, 3]) }, { strict: false }), 'Error', /size mismatch for "weight"/);
  });
  test('a Map is accepted', () => {
    const l = new nn.Linear(2, 2);
    l.loadStateDict(new Map([['weight', tf.zeros([2, 2])], ['bias', tf.ones([2])]]));
    expect(Array.from(l.bias.toTypedArray())).toEqual([1, 1]);
  });
});

describe('errors name the layer and the shapes', () => {
  test('Linear input size', () => {
    expectThrowsKind(() => new nn.Linear(3, 2).forward(tf.randn([4, 5])), 'Error', /linear: input of shape \[4,5\].*\[2,3\]/);
  });
  test('LSTM input features and state shape', () => {
    const l = new nn.LSTM(3, 4);
    expectThrowsKind(() => l.forward(tf.randn([5, 2, 2])), 'Error', /LSTM: input of shape \[5,2,2\] has 2 features, expected inputSize 3/);
    expectThrowsKind(() => l.forward(tf.randn([5, 2, 3]), [tf.zeros([1, 3, 4]), tf.zeros([1, 2, 4])]), 'Error',
      /LSTM: h0 must have shape \[1,2,4\], got \[1,3,4\]/);
  });
  test('BatchNorm channels, Embedding dtype, MultiheadAttention heads', () => {
    expectThrowsKind(() => new nn.BatchNorm1d(3).forward(tf.randn([4, 5])), 'Error', /BatchNorm1d: expected 3 channels/);
    expectThrowsKind(() => new nn.Embedding(4, 2).forward(tf.tensor([1, 2])), 'TypeError', /embedding: input must be int32/);
    expectThrowsKind(() => new nn.MultiheadAttention(6, 4), 'Error', /embedDim \(6\) must be divisible by numHeads \(4\)/);
  });
});

describe('memory', () => {
  test('a model built inside tf.tidy keeps its parameters and buffers', () => {
    const m = tf.tidy(() => {
      const net = new nn.Sequential(new nn.Linear(3, 3), new nn.BatchNorm1d(3));
      net.forward(tf.randn([4, 3]));
      return net;
    });
    expect(m.parameters().every((p) => !p.isDisposed)).toBe(true);
    expect(m.buffers().every((b) => !b.isDisposed)).toBe(true);
    expect(m.forward(tf.randn([2, 3])).shape).toEqual([2, 3]);
  });
  test('a training step inside tf.tidy leaves no tensors behind', () => {
    const m = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
    const x = tf.randn([5, 4]);
    const t = tf.tensor(new Int32Array([0, 1, 2, 0, 1]));
    const step = () => tf.tidy(() => {
      m.zeroGrad();
      tf.F.crossEntropy(m.forward(x), t).backward();
    });
    step();
    const before = tf.memory().tensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().tensors).toBeLessThanOrEqual(before);
  });
});
