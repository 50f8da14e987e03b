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

import { batchOffset, type FloatArray, type MatmulDims, type MatOperand } from './mat-operand.js';

const MR = 4;
const NR = 4;
/** Lines per packed panel: A's panels hold MR rows, B's NR columns, so one packer serves both. */
const PANEL = 4;
const KC = 256;
const MC = 64;

const packA = new Float64Array(MC * KC);
let packB = new Float64Array(KC * 256);

/** Below this many multiply-adds the packing costs more than it saves. */
const DIRECT_MACS = 4096;

/** out[bt,i,j] = sum_k A[bt,i,k] * B[bt,k,j]; see `matmul` for the operand convention. */
export function matmulTs(a: MatOperand, b: MatOperand, out: FloatArray, dims: MatmulDims): void {
  const { batch, m: M, n: N, k: K } = dims;
  if (batch <= 0 || M <= 0 || N <= 0) return;
  if (K <= 0) {
    out.fill(0, 0, batch * M * N);
    return;
  }
  if (M * N * K <= DIRECT_MACS) {
    direct(a, b, out, dims);
    return;
  }
  const { data: ad, rowStride: aRS, colStride: aCS } = a;
  const { data: bd, rowStride: bRS, colStride: bCS } = b;
  const np = Math.ceil(N / NR) * NR;
  if (packB.length < KC * np) packB = new Float64Array(KC * np);
  for (let bt = 0; bt < batch; bt++) {
    const ao = batchOffset(a, bt);
    const bo = batchOffset(b, bt);
    const co = bt * M * N;
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      const first = pc === 0;
      // B's columns are its lines: one column stride apart, stepped along k by the row stride.
      packPanels(bd, bo + pc * bRS, bCS, bRS, N, kc, packB);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = Math.min(MC, M - ic);
        // A's rows are its lines: one row stride apart, stepped along k by the column stride.
        packPanels(ad, ao + ic * aRS + pc * aCS, aRS, aCS, mc, kc, packA);
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
function direct(a: MatOperand, b: MatOperand, out: FloatArray, dims: MatmulDims): void {
  const { batch, m: M, n: N, k: K } = dims;
  const { data: ad, rowStride: aRS, colStride: aCS } = a;
  const { data: bd, rowStride: bRS, colStride: bCS } = b;
  let o = 0;
  for (let bt = 0; bt < batch; bt++) {
    const ab = batchOffset(a, bt);
    const bb = batchOffset(b, bt);
    for (let i = 0; i < M; i++) {
      const ai = ab + i * aRS;
      for (let j = 0; j < N; j++) {
        let s = 0;
        let pa = ai;
        let pb = bb + j * bCS;
        for (let k = 0; k < K; k++) {
          s += ad[pa] * bd[pb];
          pa += aCS;
          pb += bRS;
        }
        out[o++] = s;
      }
    }
  }
}

/**
 * Packs `lines` lines of `kc` elements (line l, element k at `off + l * lineStride +
 * k * kStride`) into panels of PANEL lines stored [k][PANEL], the last panel padded with
 * zeros. A's lines are its rows, B's its columns.
 */
function packPanels(
  src: FloatArray,
  off: number,
  lineStride: number,
  kStride: number,
  lines: number,
  kc: number,
  dst: Float64Array,
): void {
  let d = 0;
  for (let i = 0; i < lines; i += PANEL) {
    const count = Math.min(PANEL, lines - i);
    const l0 = off + i * lineStride;
    if (count === PANEL) {
      const l1 = l0 + lineStride;
      const l2 = l1 + lineStride;
      const l3 = l2 + lineStride;
      for (let k = 0, o = 0; k < kc; k++, o += kStride) {
        dst[d] = src[l0 + o];
        dst[d + 1] = src[l1 + o];
        dst[d + 2] = src[l2 + o];
        dst[d + 3] = src[l3 + o];
        d += PANEL;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let l = 0; l < PANEL; l++) dst[d + l] = l < count ? src[l0 + l * lineStride + k * kStride] : 0;
        d += PANEL;
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
