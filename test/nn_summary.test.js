// module.summary(inputShape): rows {name, type, outputShape, params} from one forward pass on
// zeros, the totals, and a printable table; without an input shape, layers and params only.
// The pass leaves the model as it was: modes, BatchNorm statistics, no hooks, no tensors.
'use strict';
const tf = require('..');
const { nn } = tf;

const numel = (m) => m.parameters().reduce((n, p) => n + p.size, 0);

class Encoder extends nn.Module {
  constructor() {
    super();
    this.emb = new nn.Embedding(100, 16);
    this.lstm = new nn.LSTM(16, 32);
    this.head = new nn.Sequential(new nn.Linear(32, 8), new nn.GELU(), new nn.Linear(8, 4));
  }
  forward(x) {
    const [out] = this.lstm.forward(this.emb.forward(x));
    return this.head.forward(out);
  }
}

describe('Module.summary', () => {
  test('Sequential MLP: a row per layer with its output shape and parameters, and the totals', () => {
    tf.manualSeed(0);
    const mlp = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(128, 10));
    const s = mlp.summary([32, 784]);
    expect(s.rows).toEqual([
      { name: '0', type: 'Linear', depth: 1, outputShape: [32, 128], params: 784 * 128 + 128 },
      { name: '1', type: 'ReLU', depth: 1, outputShape: [32, 128], params: 0 },
      { name: '2', type: 'Dropout', depth: 1, outputShape: [32, 128], params: 0 },
      { name: '3', type: 'Linear', depth: 1, outputShape: [32, 10], params: 128 * 10 + 10 },
    ]);
    expect(s.outputShape).toEqual([32, 10]);
    expect([s.totalParams, s.trainableParams, s.nonTrainableParams]).toEqual([101770, 101770, 0]);
    expect(s.table).toMatch(/^Sequential\n=+\nLayer \(type\) +Output shape +Params\n=+\n0 \(Linear\) +\[32, 128\] +100,480\n/);
    expect(s.table).toMatch(/\nTotal params: 101,770\nTrainable params: 101,770\nNon-trainable params: 0$/);
    expect(String(s)).toBe(s.table);
    // console.log(model.summary(...)) shows the table, not the object.
    expect(require('util').inspect(s)).toBe(s.table);
  });

  test('CNN: convolution, BatchNorm, pooling and flatten shapes; the pass changes nothing', () => {
    const cnn = new nn.Sequential(
      new nn.Conv2d(1, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Flatten(), new nn.Linear(8 * 14 * 14, 10),
    );
    const statsBefore = cnn.stateDict();
    const before = Object.fromEntries(Object.entries(statsBefore).map(([k, t]) => [k, t.toArray()]));
    const live = tf.memory().tensors;
    const s = cnn.summary([2, 1, 28, 28]);
    const liveAfter = tf.memory().tensors;
    expect(s.rows.map((r) => [r.type, r.outputShape, r.params])).toEqual([
      ['Conv2d', [2, 8, 28, 28], 8 * 9 + 8],
      ['BatchNorm2d', [2, 8, 28, 28], 16],
      ['ReLU', [2, 8, 28, 28], 0],
      ['MaxPool2d', [2, 8, 14, 14], 0],
      ['Flatten', [2, 1568], 0],
      ['Linear', [2, 10], 1568 * 10 + 10],
    ]);
    expect(s.totalParams).toBe(numel(cnn));
    // Still in training mode, running statistics untouched (the pass ran in eval mode), no hooks
    // left on the instances, and nothing allocated survives.
    expect(cnn.modules().every((m) => m.training)).toBe(true);
    for (const [k, v] of Object.entries(cnn.stateDict())) expect([k, v.toArray()]).toEqual([k, before[k]]);
    expect(cnn.modules().some((m) => Object.prototype.hasOwnProperty.call(m, 'forward'))).toBe(false);
    expect(liveAfter).toBe(live);
    expect(cnn.parameters().every((p) => p.grad === null)).toBe(true);
  });

  test('nested custom module: dotted names, depth, tuple outputs and frozen parameters', () => {
    const enc = new Encoder();
    enc.emb.weight.requiresGrad = false;
    const s = enc.summary([5, 3], { dtype: 'int32' });
    expect(s.rows.map((r) => [r.name, r.type, r.depth, r.outputShape])).toEqual([
      ['emb', 'Embedding', 1, [5, 3, 16]],
      ['lstm', 'LSTM', 1, [[5, 3, 32], [[1, 3, 32], [1, 3, 32]]]],
      ['head', 'Sequential', 1, [5, 3, 4]],
      ['head.0', 'Linear', 2, [5, 3, 8]],
      ['head.1', 'GELU', 2, [5, 3, 8]],
      ['head.2', 'Linear', 2, [5, 3, 4]],
    ]);
    // A container's count includes its children's.
    expect(s.rows.find((r) => r.name === 'head').params).toBe(32 * 8 + 8 + 8 * 4 + 4);
    expect(s.totalParams).toBe(numel(enc));
    expect(s.nonTrainableParams).toBe(100 * 16);
    expect(s.trainableParams).toBe(numel(enc) - 1600);
    expect(s.table).toMatch(/\nlstm \(LSTM\) +\(\[5, 3, 32\], \(\[1, 3, 32\], \[1, 3, 32\]\)\) +6,400\n/);
    expect(s.table).toMatch(/\n {2}0 \(Linear\) +\[5, 3, 8\] +264\n/);
  });

  test('without an input shape: layers and parameters only', () => {
    const enc = new Encoder();
    const s = enc.summary();
    expect(s.rows.map((r) => r.name)).toEqual(['emb', 'lstm', 'head', 'head.0', 'head.1', 'head.2']);
    expect(s.rows.every((r) => !('outputShape' in r))).toBe(true);
    expect(s.outputShape).toBeUndefined();
    expect(s.table).toMatch(/^Encoder\n=+\nLayer \(type\) +Params\n/);
    expect(s.table).not.toMatch(/Output shape/);
    expect(s.totalParams).toBe(numel(enc));
  });

  test('a module called twice keeps its first output; several inputs take an array of shapes', () => {
    class Twice extends nn.Module {
      constructor() {
        super();
        this.fc = new nn.Linear(4, 4);
      }
      forward(a, b) {
        return this.fc.forward(this.fc.forward(a).add(b));
      }
    }
    const s = new Twice().summary([[2, 4], [1, 4]]);
    expect(s.rows).toEqual([{ name: 'fc', type: 'Linear', depth: 1, outputShape: [2, 4], params: 20 }]);
  });

  test('bad input shapes and failing forwards are coded errors, and leave no hooks behind', () => {
    const mlp = new nn.Sequential(new nn.Linear(3, 2));
    for (const bad of ['x', [2, -1], [[2, 3], 'x'], [1.5]]) {
      let e;
      try {
        mlp.summary(bad);
      } catch (err) {
        e = err;
      }
      expect([e.name, e.code]).toEqual(['TypeError', 'ERR_TENSORFOLD_ARGUMENT']);
    }
    let e;
    try {
      mlp.summary([4, 5]);
    } catch (err) {
      e = err;
    }
    expect(e.code).toBe('ERR_TENSORFOLD_SHAPE');
    expect(mlp.modules().some((m) => Object.prototype.hasOwnProperty.call(m, 'forward'))).toBe(false);
    expect(mlp.training).toBe(true);
  });
});
