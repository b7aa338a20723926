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
export * as data from './data';
export * as optim from './optim';
export * as nn from './nn';
export { functional as F } from './nn';
export { fold, scan, unfold, bidirectional, mapWindows, foldTree } from './loops';
export { jvp, jacobian, hessian, hvp } from './transforms';
export { ErrorCodes, isTensorfoldError } from './errors';
export type { ErrorCode, TensorfoldError } from './errors';
export * as linalg from './linalg';
export { cdist } from './linalg/functions';
export * from './linalg/methods';
export { getRngState, setRngState } from './random_state';
export type { RngState } from './random_state';
export * as utils from './utils';
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
export * as distributions from './distributions';
