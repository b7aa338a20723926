// tf.distributed: data-parallel training over MPI (see README, "Training on several processes or
// machines"). Collectives here; DistributedDataParallel in nn/parallel.ts; DistributedSampler in
// data/distributed_sampler.ts.
export {
  initProcessGroup, isAvailable, isInitialized, getRank, getWorldSize, getLocalRank, destroyProcessGroup,
} from './group';
export type { InitOptions } from './group';
export { allReduce, allReduceAsync, broadcast, allGather, reduceScatter, barrier, send, recv } from './collectives';
export type { ReduceOp, ReduceOptions } from './collectives';
