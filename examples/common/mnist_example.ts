// The command line, data, training loop, checkpoints and logs of the single-process MNIST examples
// (mnist_mlp.ts, mnist_cnn.ts): each of them only says what its network is.
import * as fs from 'fs';
import * as path from 'path';
import type * as TF from '../..';
import { tf } from './tf';
import { parseArgs } from './args';
import { loadMnist } from './mnist';
import { trainEpoch, evaluate } from './train';
import { RunLog } from './runlog';

/** The options every MNIST example takes (mnist_ddp.ts adds to them). */
export function mnistOptions(epochs: number) {
  return {
    epochs: { default: epochs, help: 'training epochs' },
    batchSize: { default: 64, help: 'examples per batch' },
    lr: { default: 1e-3, help: 'Adam learning rate' },
    gamma: { default: 0.7, help: 'learning-rate factor after every epoch (StepLR)' },
    seed: { default: 1, help: 'random seed (weights and data order)' },
    dataDir: { default: '', help: 'the original MNIST IDX files (default: the 10,000 digits of the mnist package)' },
    trainLimit: { default: 0, help: 'use at most N training digits (0: all)' },
    testLimit: { default: 0, help: 'use at most N test digits (0: all)' },
    threads: { default: 0, help: 'engine threads (0: the default)' },
  };
}

/**
 * Trains `build()`'s network on MNIST with Adam and a per-epoch StepLR, evaluating on the test digits
 * after each epoch, saving a checkpoint (model, optimizer, schedule, epoch, accuracy) to
 * <out>/<name>.safetensors that --resume continues from, and drawing/logging the curves.
 */
export async function runMnistExample(name: string, summary: string, epochs: number,
  build: () => TF.nn.Module): Promise<void> {
  const args = parseArgs({ name, summary }, {
    ...mnistOptions(epochs),
    resume: { default: false, help: 'continue from the checkpoint in --out' },
  });
  const checkpoint = path.join(args.out, `${name}.safetensors`);
  fs.mkdirSync(args.out, { recursive: true });
  if (args.threads) tf.setNumThreads(args.threads);
  tf.manualSeed(args.seed);
  const data = loadMnist({ dataDir: args.dataDir || undefined, trainLimit: args.trainLimit, testLimit: args.testLimit });
  console.log(`data: ${data.source}; train ${data.trainX.shape[0]}, test ${data.testX.shape[0]}`);

  const { optim } = tf;
  const model = build();
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
  const log = new RunLog(name, args);
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

/** Runs an example's main, printing an error and exiting 1 if it fails. */
export function runMain(main: () => Promise<void>): void {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
