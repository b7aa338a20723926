// The tensor module: the Tensor class with its methods, creation, memory and backend functions.
// Each job lives in its own file; this one gathers them (and installs the elementwise methods),
// so `import { ... } from './tensor'` keeps working everywhere.
export { Tensor, wrap } from './tensor_class';
export type { DType, TensorLike, NestedArray } from './args';
export { DTYPES, dtypeCode, describe, checkOptions, intArg, checkTensor, numbersOf, int32Index, isFloating, isHalf, isInteger, dtypeBytes } from './args';
export type { TensorOptions, CreateOptions } from './creation';
export { tensor, zeros, ones, full, zerosLike, onesLike, fullLike, arange, linspace, eye, randn, rand, randint,
  manualSeed } from './creation';
export { tidy, keep, collectTensors, dispose, memory, emptyCache } from './memory';
export { backendInfo, setNumThreads } from './backend';
import './methods';
