// The engine's configuration: BLAS / SIMD in use and the thread pool size.
import { native } from './native';
import { intArg } from './args';

/** Which engine runs the ops: the BLAS and LAPACK libraries, the SIMD level, and the thread count. */
export function backendInfo(): { blas: string; lapack: string; simd: string; threads: number } {
  return native.backendInfo();
}

/** Sets the number of threads the engine's kernels use (as torch.set_num_threads). */
export function setNumThreads(n: number): void {
  native.setNumThreads(intArg(n, 'setNumThreads', 'n'));
}
