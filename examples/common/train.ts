// The training and evaluation loops shared by the MNIST examples.
import type * as TF from '../..';
import { tf, Tensor } from './tf';
import { Progress } from './progress';

type Module = TF.nn.Module;
type Optimizer = { zeroGrad(): void; step(): void };

export interface EpochResult {
  loss: number;
  accuracy: number;
  seconds: number;
}

/**
 * One pass over the loader: forward, cross-entropy, backward, optimizer step per batch. `onBatch`
 * gets each batch's loss and accuracy (for logging).
 */
export async function trainEpoch(model: Module, opt: Optimizer, loader: TF.data.DataLoader<Tensor[]>,
  label: string, onBatch?: (loss: number, accuracy: number) => void): Promise<EpochResult> {
  model.train();
  const bar = new Progress(loader.length, label);
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  let step = 0;
  // `for await`: the loader builds the next batch between steps while this one is being consumed.
  for await (const [x, y] of loader) {
    const n = y.shape[0];
    // tidy frees every intermediate of the step (activations, the graph) as soon as it ends.
    const [loss, hits] = tf.tidy(() => {
      opt.zeroGrad();
      const logits = model.forward(x) as Tensor;
      const l = tf.F.crossEntropy(logits, y);
      l.backward();
      opt.step();
      return [l.item(), logits.argmax(1).eq(y).float().sum().item()];
    });
    tf.dispose([x, y]);
    lossSum += loss * n;
    correct += hits;
    seen += n;
    onBatch?.(loss, hits / n);
    bar.update(++step, { loss: lossSum / seen, acc: correct / seen });
  }
  const seconds = bar.done({ loss: lossSum / seen, 'train acc': correct / seen });
  return { loss: lossSum / seen, accuracy: correct / seen, seconds };
}

/** Mean loss and accuracy on a held-out set, in batches, without recording gradients. */
export function evaluate(model: Module, x: Tensor, y: Tensor, batchSize = 500): { loss: number; accuracy: number } {
  model.eval();
  const n = x.shape[0];
  let lossSum = 0;
  let correct = 0;
  tf.noGrad(() => {
    for (let i = 0; i < n; i += batchSize) {
      const m = Math.min(batchSize, n - i);
      tf.tidy(() => {
        const logits = model.forward(x.narrow(0, i, m)) as Tensor;
        const yb = y.narrow(0, i, m);
        lossSum += tf.F.crossEntropy(logits, yb, { reduction: 'sum' }).item();
        correct += logits.argmax(1).eq(yb).float().sum().item();
      });
    }
  });
  return { loss: lossSum / n, accuracy: correct / n };
}
