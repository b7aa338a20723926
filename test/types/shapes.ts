// Compile-time shape checks (lib/typed.ts). Every `@ts-expect-error` line must fail to compile;
// test/types.test.js compiles this file, and again with one of those markers removed.
import * as tf from '../../lib/index';
import {
  Linear, Conv2d, BatchNorm2d, Embedding, ReLU, Dropout, MaxPool2d, Flatten, Sequential, CheckChain, Mismatch, ChainOut,
} from '../../lib/typed';

// Literal sizes are kept in the types.
const fc: Linear<784, 128> = new Linear(784, 128);
void fc;

// tf.nn's own classes carry the same checks.
new tf.nn.Sequential(new tf.nn.Linear(784, 128), new tf.nn.ReLU(), new tf.nn.Linear(128, 10));
// @ts-expect-error Linear out 128 does not match next Linear in 64 (tf.nn directly)
new tf.nn.Sequential(new tf.nn.Linear(784, 128), new tf.nn.Linear(64, 10));
// @ts-expect-error Conv out 32 does not match next Conv in 16
new tf.nn.Sequential(new tf.nn.Conv2d(1, 32, 3), new tf.nn.ReLU(), new tf.nn.Conv2d(16, 64, 3));
// Sizes computed at run time type-check (and are checked when the model runs).
const hiddenSize: number = 64;
new tf.nn.Sequential(new tf.nn.Linear(784, hiddenSize), new tf.nn.Linear(128, 10));
// Named layers are not checked at compile time.
new tf.nn.Sequential({ fc1: new tf.nn.Linear(3, 4), fc2: new tf.nn.Linear(4, 1) });

// Sizes that agree compile, with size-keeping layers in between.
new Sequential(new Linear(784, 128), new ReLU(), new Dropout(0.1), new Linear(128, 10));

// The same mistake, directly and across an activation:
// @ts-expect-error Linear out 128 does not match next Linear in 64
new Sequential(new Linear(784, 128), new Linear(64, 10));
// @ts-expect-error Linear out 128 does not match next Linear in 64
new Sequential(new Linear(784, 128), new ReLU(), new Dropout(0.5), new Linear(64, 10));
// @ts-expect-error the error is found further down the chain too
new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 16), new ReLU(), new Linear(15, 1));

// Sizes computed at run time are plain `number`: never a compile error (checkChain checks them
// when the model is built).
const hidden: number = [128, 256][Math.floor(Math.random() * 2)];
new Sequential(new Linear(784, hidden), new ReLU(), new Linear(hidden, 10));
new Sequential(new Linear(784, hidden), new Linear(64, 10));
// tf.nn layers carry literal sizes too, so they mix with the typed constructors and are checked.
// @ts-expect-error Linear out 128 does not match next Linear in 64 (mixed)
new Sequential(new tf.nn.Linear(784, 128), new Linear(64, 10));

// Channels (dim 1) are tracked through pooling; Flatten resets the tracking.
new Sequential(new Conv2d(1, 32, 3), new ReLU(), new Conv2d(32, 64, 3), new MaxPool2d(2), new Flatten(),
  new Linear(9216, 128), new ReLU(), new Linear(128, 10));
// @ts-expect-error Conv out 32 does not match next Conv in 16
new Sequential(new Conv2d(1, 32, 3), new ReLU(), new Conv2d(16, 64, 3));
// @ts-expect-error Conv out 32 does not match next Conv in 30 (pooling keeps channels)
new Sequential(new Conv2d(1, 32, 3), new MaxPool2d(2), new Conv2d(30, 64, 3));
// @ts-expect-error Conv out 16 does not match next BatchNorm in 32
new Sequential(new Conv2d(1, 16, 3), new BatchNorm2d(32));
new Sequential(new Conv2d(1, 16, 3), new BatchNorm2d(16), new ReLU());
// Channels and features are different axes: a Linear after a Conv (no Flatten) is not compared.
new Sequential(new Conv2d(1, 16, 3), new Linear(26, 5));

// Embedding produces features.
new Sequential(new Embedding(100, 16), new Linear(16, 4));
// @ts-expect-error Embedding out 16 does not match next Linear in 8
new Sequential(new Embedding(100, 16), new Linear(8, 4));

// The machinery on its own: the error type, and what a chain produces.
const msg: Mismatch<['features', 128, 'Linear'], Linear<64, 10>> = 'Linear out 128 does not match next Linear in 64';
void msg;
type Bad = CheckChain<[Linear<784, 128>, Linear<64, 10>]>;
const bad: Bad[1] = 'Linear out 128 does not match next Linear in 64';
void bad;
const out: ChainOut<[Linear<784, 128>, ReLU, Linear<128, 10>]> = 10;
void out;
type ReLU = InstanceType<typeof ReLU>;
