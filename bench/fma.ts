/**
 * The two paths of tsgrad's float32 matmul: fused multiply-add through relaxed SIMD (where
 * the engine has it; `pnpm bench` turns it on in Node 20, which keeps it behind a flag) and
 * the plain SIMD kernel, so that every suite can time both.
 */
import { matmulInfo, setMatmulTuning } from '../packages/core/src/backend/cpu/kernels/matmul.js';

/** Whether tsgrad's matmuls run the fused multiply-add kernel here. */
export function fmaAvailable(): boolean {
  return matmulInfo().relaxedSimd;
}

/** `fn` with the plain SIMD matmul kernel instead of the fused one. */
export function withoutFma(fn: () => void): () => void {
  return () => {
    setMatmulTuning({ fma: false });
    try {
      fn();
    } finally {
      setMatmulTuning({ fma: true });
    }
  };
}

/** The label of tsgrad's row: which matmul kernel it ran. */
export function tsgradLabel(fma = fmaAvailable()): string {
  return fma ? 'tsgrad (relaxed-SIMD FMA)' : 'tsgrad (SIMD, no FMA)';
}
