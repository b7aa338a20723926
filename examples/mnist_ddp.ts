// ci: --epochs 1 --train-limit 1000 --test-limit 500 --out /tmp/tensorfold-examples --logdir /tmp/tensorfold-examples/logs/mnist_ddp
// The MNIST CNN of mnist_cnn.ts, trained data-parallel with tf.distributed: every rank holds a
// replica of the model, trains on its own share of each epoch (DistributedSampler), and
// DistributedDataParallel averages the gradients during backward, so all replicas take the same
// steps as one process would on the whole batch.
//
//   npx tsc -p examples/tsconfig.json
//   npx tensorfold launch -np 2 examples/dist/mnist_ddp.js [--epochs 3]     # 2 processes
//   node examples/dist/mnist_ddp.js                                         # a job of one
//
// --batch-size is the global batch (split over the ranks), so any number of ranks follows the same
// training schedule as the single-process mnist_cnn.ts and reaches the same accuracy. Rank 0
// evaluates, prints and saves the checkpoint <out>/mnist_ddp.safetensors (atomically, with
// tf.saveCheckpoint), and draws its curves to <out>/mnist_ddp.svg (--logdir: TensorBoard logs too).
import * as fs from 'fs';
import * as path from 'path';
import { tf, Tensor } from './common/tf';
import { parseArgs } from './common/args';
import { loadMnist } from './common/mnist';
import { evaluate } from './common/train';
import { RunLog } from './common/runlog';
import { mnistOptions } from './common/mnist_example';

async function main(): Promise<void> {
  const args = parseArgs({ name: 'mnist_ddp', summary: 'The MNIST CNN of mnist_cnn trained data-parallel over MPI ranks (tensorfold launch -np N), or as a job of one under plain node.' }, {
    ...mnistOptions(3),
    batchSize: { default: 64, help: 'global examples per step, split over the ranks' },
    threads: { default: 0, help: 'engine threads per rank (0: the default)' },
  });
  const checkpoint = path.join(args.out, 'mnist_ddp.safetensors');
  const D = tf.distributed;
  // Without the MPI backend (a build without MPI) this still trains, as a job of one.
  if (D.isAvailable()) D.initProcessGroup({ backend: 'mpi' });
  else console.log('tf.distributed is not available in this build: training in this process only');
  const rank = D.isInitialized() ? D.getRank() : 0;
  const world = D.isInitialized() ? D.getWorldSize() : 1;
  const log = (s: string) => { if (rank === 0) console.log(s); };
  if (args.batchSize % world !== 0) throw new Error(`--batch-size ${args.batchSize} must be divisible by the ${world} ranks`);
  if (args.threads) tf.setNumThreads(args.threads);

  tf.manualSeed(args.seed);
  const data = loadMnist({ dataDir: args.dataDir || undefined, trainLimit: args.trainLimit, testLimit: args.testLimit });
  log(`data: ${data.source}; train ${data.trainX.shape[0]}, test ${data.testX.shape[0]}; ${world} rank(s), ` +
    `${args.batchSize / world} examples per rank per step`);

  const { nn, optim } = tf;
  const net = new nn.Sequential(
    new nn.Conv2d(1, 32, 3), new nn.ReLU(),
    new nn.Conv2d(32, 64, 3), new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(9216, 128), new nn.ReLU(),
    new nn.Linear(128, 10),
  );
  // Rank 0's initial weights go to every rank here.
  const model = D.isInitialized() ? new nn.parallel.DistributedDataParallel(net) : net;
  const opt = new optim.Adam(model.parameters(), { lr: args.lr });
  const schedule = new optim.lrScheduler.StepLR(opt, { stepSize: 1, gamma: args.gamma });
  const train = new tf.data.TensorDataset(data.trainX, data.trainY);
  const sampler = new tf.data.DistributedSampler(train, { numReplicas: world, rank, shuffle: true, seed: args.seed });
  const loader = new tf.data.DataLoader(train, { batchSize: args.batchSize / world, sampler });

  if (rank === 0) fs.mkdirSync(args.out, { recursive: true });
  const runlog = rank === 0 ? new RunLog('mnist_ddp', args) : null;
  let step = 0;
  let accuracy = NaN;
  for (let epoch = 0; epoch < args.epochs; epoch++) {
    sampler.setEpoch(epoch);  // a new order each epoch, the same on every rank
    model.train();
    const t0 = Date.now();
    let lossSum = 0;
    let steps = 0;
    for (const [x, y] of loader) {
      lossSum += tf.tidy(() => {
        opt.zeroGrad();
        const loss = tf.F.crossEntropy(model.forward(x) as Tensor, y);
        loss.backward();  // gradients averaged across the ranks here
        opt.step();
        return loss.item();
      });
      step++;
      tf.dispose([x, y]);
      steps++;
    }
    schedule.step();
    const seconds = (Date.now() - t0) / 1000;
    if (rank === 0) {
      const r = evaluate(net, data.testX, data.testY);
      accuracy = r.accuracy;
      log(`epoch ${epoch + 1}/${args.epochs}: train loss (rank 0) ${(lossSum / steps).toFixed(4)}  ` +
        `test loss ${r.loss.toFixed(4)}  test accuracy ${(100 * r.accuracy).toFixed(2)}%  ${seconds.toFixed(1)} s`);
      runlog?.scalar('loss/train', lossSum / steps, step);
      runlog?.scalar('loss/test', r.loss, step);
      runlog?.scalar('accuracy/test', r.accuracy, step);
      tf.saveCheckpoint(checkpoint, { model: net, optimizer: opt, epoch, schedule: schedule.stateDict(), testAccuracy: r.accuracy });
    }
  }
  log(`final test accuracy ${(100 * accuracy).toFixed(2)}%; checkpoint ${checkpoint}`);
  await runlog?.close({ 'accuracy/test': accuracy });
  if (D.isInitialized()) D.destroyProcessGroup();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
