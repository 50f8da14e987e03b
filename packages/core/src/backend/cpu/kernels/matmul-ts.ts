/**
 * Portable matmul in plain TypeScript: packed operands and a register-blocked
 * micro-kernel. It serves float64, float32 where WebAssembly is unavailable or the
 * problem is too small to be worth copying into wasm memory, and it is the reference
 * the WebAssembly kernel is tested against.
 *
 * Layout: A panels hold MR rows, stored [k][MR]; B panels hold NR columns, stored
 * [k][NR]; both as float64 so the inner loop does no conversions. Sums accumulate in
 * float64 and are rounded once per KC block when written to a float32 output.
 */

export type FloatArray = Float32Array | Float64Array;

const MR = 4;
const NR = 4;
const KC = 256;
const MC = 64;

const packA = new Float64Array(MC * KC);
let packB = new Float64Array(KC * 256);

/** Below this many multiply-adds the packing costs more than it saves. */
const DIRECT_MACS = 4096;

/** out[bt,i,j] = sum_k A[bt,i,k] * B[bt,k,j]; see `matmul` for the argument convention. */
export function matmulTs(
  a: FloatArray,
  aOff: number,
  aBatchStride: number,
  aRowStride: number,
  aColStride: number,
  b: FloatArray,
  bOff: number,
  bBatchStride: number,
  bRowStride: number,
  bColStride: number,
  out: FloatArray,
  batch: number,
  M: number,
  N: number,
  K: number,
): void {
  if (batch <= 0 || M <= 0 || N <= 0) return;
  if (K <= 0) {
    out.fill(0, 0, batch * M * N);
    return;
  }
  if (M * N * K <= DIRECT_MACS) {
    direct(
      a,
      aOff,
      aBatchStride,
      aRowStride,
      aColStride,
      b,
      bOff,
      bBatchStride,
      bRowStride,
      bColStride,
      out,
      batch,
      M,
      N,
      K,
    );
    return;
  }
  const np = Math.ceil(N / NR) * NR;
  if (packB.length < KC * np) packB = new Float64Array(KC * np);
  for (let bt = 0; bt < batch; bt++) {
    const ao = aOff + bt * aBatchStride;
    const bo = bOff + bt * bBatchStride;
    const co = bt * M * N;
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      const first = pc === 0;
      packPanelsB(b, bo + pc * bRowStride, bRowStride, bColStride, kc, N, packB);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = Math.min(MC, M - ic);
        packPanelsA(a, ao + ic * aRowStride + pc * aColStride, aRowStride, aColStride, mc, kc, packA);
        for (let jr = 0; jr < N; jr += NR) {
          const nr = Math.min(NR, N - jr);
          const bp = jr * kc;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            micro(packA, ir * kc, packB, bp, kc, out, co + (ic + ir) * N + jr, N, mr, nr, first);
          }
        }
      }
    }
  }
}

/** Plain dot products, for problems too small to pack. */
function direct(
  a: FloatArray,
  aOff: number,
  aBS: number,
  aRS: number,
  aCS: number,
  b: FloatArray,
  bOff: number,
  bBS: number,
  bRS: number,
  bCS: number,
  out: FloatArray,
  batch: number,
  M: number,
  N: number,
  K: number,
): void {
  let o = 0;
  for (let bt = 0; bt < batch; bt++) {
    const ab = aOff + bt * aBS;
    const bb = bOff + bt * bBS;
    for (let i = 0; i < M; i++) {
      const ai = ab + i * aRS;
      for (let j = 0; j < N; j++) {
        let s = 0;
        let pa = ai;
        let pb = bb + j * bCS;
        for (let k = 0; k < K; k++) {
          s += a[pa] * b[pb];
          pa += aCS;
          pb += bRS;
        }
        out[o++] = s;
      }
    }
  }
}

/** Packs rows [0, mc) x columns [0, kc) of A (at `off`) into MR-row panels [k][MR]. */
function packPanelsA(
  a: FloatArray,
  off: number,
  rs: number,
  cs: number,
  mc: number,
  kc: number,
  dst: Float64Array,
): void {
  let d = 0;
  for (let i = 0; i < mc; i += MR) {
    const rows = Math.min(MR, mc - i);
    const r0 = off + i * rs;
    if (rows === MR) {
      const r1 = r0 + rs;
      const r2 = r1 + rs;
      const r3 = r2 + rs;
      for (let k = 0, o = 0; k < kc; k++, o += cs) {
        dst[d] = a[r0 + o];
        dst[d + 1] = a[r1 + o];
        dst[d + 2] = a[r2 + o];
        dst[d + 3] = a[r3 + o];
        d += 4;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let r = 0; r < MR; r++) dst[d + r] = r < rows ? a[r0 + r * rs + k * cs] : 0;
        d += MR;
      }
    }
  }
}

/** Packs rows [0, kc) x columns [0, n) of B (at `off`) into NR-column panels [k][NR]. */
function packPanelsB(
  b: FloatArray,
  off: number,
  rs: number,
  cs: number,
  kc: number,
  n: number,
  dst: Float64Array,
): void {
  let d = 0;
  for (let j = 0; j < n; j += NR) {
    const cols = Math.min(NR, n - j);
    const c0 = off + j * cs;
    if (cols === NR) {
      const c1 = c0 + cs;
      const c2 = c1 + cs;
      const c3 = c2 + cs;
      for (let k = 0, o = 0; k < kc; k++, o += rs) {
        dst[d] = b[c0 + o];
        dst[d + 1] = b[c1 + o];
        dst[d + 2] = b[c2 + o];
        dst[d + 3] = b[c3 + o];
        d += 4;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let c = 0; c < NR; c++) dst[d + c] = c < cols ? b[c0 + c * cs + k * rs] : 0;
        d += NR;
      }
    }
  }
}

/**
 * C[0:mr, 0:nr] (row stride ldc, at co) = (first) or += the product of an A panel
 * (at ao, [k][MR]) and a B panel (at bo, [k][NR]) over kc steps.
 */
function micro(
  ap: Float64Array,
  ao: number,
  bp: Float64Array,
  bo: number,
  kc: number,
  c: FloatArray,
  co: number,
  ldc: number,
  mr: number,
  nr: number,
  first: boolean,
): void {
  let c00 = 0;
  let c01 = 0;
  let c02 = 0;
  let c03 = 0;
  let c10 = 0;
  let c11 = 0;
  let c12 = 0;
  let c13 = 0;
  let c20 = 0;
  let c21 = 0;
  let c22 = 0;
  let c23 = 0;
  let c30 = 0;
  let c31 = 0;
  let c32 = 0;
  let c33 = 0;
  const end = ao + kc * MR;
  for (; ao < end; ao += MR, bo += NR) {
    const b0 = bp[bo];
    const b1 = bp[bo + 1];
    const b2 = bp[bo + 2];
    const b3 = bp[bo + 3];
    const a0 = ap[ao];
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    const a1 = ap[ao + 1];
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    const a2 = ap[ao + 2];
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    const a3 = ap[ao + 3];
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
  }
  if (mr === MR && nr === NR) {
    const r1 = co + ldc;
    const r2 = r1 + ldc;
    const r3 = r2 + ldc;
    if (first) {
      c[co] = c00;
      c[co + 1] = c01;
      c[co + 2] = c02;
      c[co + 3] = c03;
      c[r1] = c10;
      c[r1 + 1] = c11;
      c[r1 + 2] = c12;
      c[r1 + 3] = c13;
      c[r2] = c20;
      c[r2 + 1] = c21;
      c[r2 + 2] = c22;
      c[r2 + 3] = c23;
      c[r3] = c30;
      c[r3 + 1] = c31;
      c[r3 + 2] = c32;
      c[r3 + 3] = c33;
    } else {
      c[co] += c00;
      c[co + 1] += c01;
      c[co + 2] += c02;
      c[co + 3] += c03;
      c[r1] += c10;
      c[r1 + 1] += c11;
      c[r1 + 2] += c12;
      c[r1 + 3] += c13;
      c[r2] += c20;
      c[r2 + 1] += c21;
      c[r2 + 2] += c22;
      c[r2 + 3] += c23;
      c[r3] += c30;
      c[r3 + 1] += c31;
      c[r3 + 2] += c32;
      c[r3 + 3] += c33;
    }
    return;
  }
  const t = edge;
  t[0] = c00;
  t[1] = c01;
  t[2] = c02;
  t[3] = c03;
  t[4] = c10;
  t[5] = c11;
  t[6] = c12;
  t[7] = c13;
  t[8] = c20;
  t[9] = c21;
  t[10] = c22;
  t[11] = c23;
  t[12] = c30;
  t[13] = c31;
  t[14] = c32;
  t[15] = c33;
  for (let r = 0; r < mr; r++) {
    for (let j = 0; j < nr; j++) {
      const idx = co + r * ldc + j;
      c[idx] = first ? t[r * NR + j] : c[idx] + t[r * NR + j];
    }
  }
}

const edge = new Float64Array(MR * NR);
