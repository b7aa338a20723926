// Moved to lib/kernels.ts (the one typed module between lib/nn, lib/optim and the addon); kept so
// that imports of './kernels' inside lib/optim keep working.
export { kernels } from '../kernels';
export type { OptimKernels, Kernels } from '../kernels';
