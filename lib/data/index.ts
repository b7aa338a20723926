// tf.data: datasets, batching loaders and readers for common dataset file formats.
export { TensorDataset } from './dataset';
export type { Dataset } from './dataset';
export { DataLoader, permutation } from './loader';
export type { DataLoaderOptions, Collated } from './loader';
export { readIdx } from './idx';
export type { ReadIdxOptions } from './idx';
export { DistributedSampler } from './distributed_sampler';
export type { DistributedSamplerOptions } from './distributed_sampler';
