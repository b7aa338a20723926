// The engine's configuration: BLAS / SIMD in use and the thread pool size.
import { native } from './native';
import { intArg } from './args';

/**
 * Which engine runs the ops: the BLAS and LAPACK libraries, the SIMD level, the thread count, and
 * OpenBLAS's own thread count (`blasThreads`: 1 unless TENSORFOLD_BLAS_THREADS=openblas; 0 without BLAS).
 */
export function backendInfo(): { blas: string; lapack: string; simd: string; threads: number; blasThreads: number } {
  return native.backendInfo();
}

/** Sets the number of threads the engine's kernels use (as torch.set_num_threads). */
export function setNumThreads(n: number): void {
  native.setNumThreads(intArg(n, 'setNumThreads', 'n'));
}
