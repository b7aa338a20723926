// The engine's configuration: BLAS / SIMD in use and the thread pool size.
import { native } from './native';
import { intArg } from './args';

/** The own GEMM's register tile (mr x nr) and cache blocks (K, rows, columns) for one dtype. */
export interface GemmBlocks { mr: number; nr: number; kc: number; mc: number; nc: number; deepKc: number; deepMc: number }

/** What backendInfo() returns. */
export interface BackendInfo {
  blas: string;
  lapack: string;
  simd: string;
  threads: number;
  blasThreads: number;
  /** Data cache sizes in bytes (0 = unknown), as detected or set by TENSORFOLD_CPU_CACHES. */
  caches: { l1d: number; l2: number; l3: number };
  /** The own GEMM's blocks at the SIMD level in use, derived from `caches`. */
  gemmBlocks: { float32: GemmBlocks; float64: GemmBlocks };
}

/**
 * Which engine runs the ops: the BLAS and LAPACK libraries, the SIMD level, the thread count,
 * OpenBLAS's own thread count (`blasThreads`: 1 unless TENSORFOLD_BLAS_THREADS=openblas; 0 without BLAS),
 * the data cache sizes, and the own GEMM's blocks derived from them.
 */
export function backendInfo(): BackendInfo {
  return native.backendInfo();
}

/** Sets the number of threads the engine's kernels use (as torch.set_num_threads). */
export function setNumThreads(n: number): void {
  native.setNumThreads(intArg(n, 'setNumThreads', 'n'));
}
