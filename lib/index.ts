// tensorfold: automatic differentiation and neural networks for Node.js.
//
//   import * as tf from 'tensorfold';
//   const w = tf.randn([3, 1], { requiresGrad: true });
//   const loss = tf.tensor([[1, 2, 3]]).matmul(w).square().sum();
//   loss.backward();            // w.grad now holds d loss / d w
export { Tensor, tensor, zeros, ones, full, zerosLike, onesLike, fullLike, arange, linspace, eye, randn, rand,
  randint, manualSeed, tidy, keep, dispose, memory, emptyCache, backendInfo, setNumThreads } from './tensor';
export type { DType, TensorLike, NestedArray, TensorOptions, CreateOptions } from './tensor';
export * from './ops';
export { noGrad, enableGrad, isGradEnabled, grad, valueAndGrad, vjp } from './autograd';
export type { GradOptions } from './autograd';
export { save, load } from './io/safetensors';
export { saveCheckpoint, loadCheckpoint } from './io/checkpoint';
/** tf.data: datasets (TensorDataset, Subset), samplers, and the batching DataLoader. */
export * as data from './data';
/** tf.optim: optimizers (SGD, Adam, AdamW, ...) and learning-rate schedulers (tf.optim.lrScheduler). */
export * as optim from './optim';
/** tf.nn: Module and its layers (Linear, Conv2d, LSTM, ...), losses, tf.nn.functional and tf.nn.init. */
export * as nn from './nn';
export { functional as F } from './nn';
export { fold, scan, unfold, bidirectional, mapWindows, foldTree } from './loops';
export { jvp, jacobian, hessian, hvp } from './transforms';
export { ErrorCodes, isTensorfoldError } from './errors';
export type { ErrorCode, TensorfoldError } from './errors';
/** tf.linalg: torch.linalg's decompositions (qr, cholesky, eigh, svd, ...), solvers, inverses and norms. */
export * as linalg from './linalg';
export { cdist } from './linalg/functions';
export * from './linalg/methods';
export { getRngState, setRngState } from './random_state';
export type { RngState } from './random_state';
/** tf.utils: training tools (tf.utils.tensorboard's SummaryWriter, tf.utils.plot's charts). */
export * as utils from './utils';
/** tf.distributed: process groups and collectives (allReduce, broadcast, ...) for data-parallel training. */
export * as distributed from './distributed';
export * from './device';
export { device } from './device_name';
export type { Device } from './device_name';
export * from './inplace';
export * from './reduction_ops';
export * from './sorting';
export * from './shape_ops';
export { meshgrid, broadcastTensors, broadcastShapes, einsum, hstack, vstack, pad } from './shape_functions';
export * from './indexing_ops';
export * from './random';
export type { RandomOptions } from './creation';
export { customGrad } from './custom_grad';
/**
 * tf.distributions: probability distributions (Normal, Categorical, ...) with sampling, logProb, entropy and KL
 * divergence.
 */
export * as distributions from './distributions';
