// tf.data: datasets, batching loaders and readers for common dataset file formats.
export { TensorDataset } from './dataset';
export type { Dataset } from './dataset';
export { DataLoader, permutation, defaultCollate } from './loader';
export type { DataLoaderOptions, Collated } from './loader';
export { readIdx } from './idx';
export type { ReadIdxOptions } from './idx';
export { Subset, ConcatDataset, randomSplit } from './subset';
export { SequentialSampler, RandomSampler, WeightedRandomSampler, BatchSampler } from './samplers';
export type { Sampler, BatchSamplerLike, RandomSamplerOptions } from './samplers';
export { Generator } from './generator';
export type { GeneratorState } from './generator';
export { DistributedSampler } from './distributed_sampler';
export type { DistributedSamplerOptions } from './distributed_sampler';
