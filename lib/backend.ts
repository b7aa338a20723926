// The engine's configuration: BLAS / SIMD in use and the thread pool size.
import { native } from './native';
import { intArg } from './args';

export function backendInfo(): { blas: string; lapack: string; simd: string; threads: number } {
  return native.backendInfo();
}

export function setNumThreads(n: number): void {
  native.setNumThreads(intArg(n, 'setNumThreads', 'n'));
}
