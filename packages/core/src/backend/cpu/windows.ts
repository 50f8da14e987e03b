/**
 * Convolution windows on the CPU: `im2col` copies every window's taps as contiguous row
 * segments (a strided copy, padding filled by range, no index arrays), `col2im` adds them back.
 */
import type { TypedArray } from '../../dtype.js';
import type { View, WindowSpec } from '../backend.js';
import { alloc } from './alloc.js';
import { filled } from './elementwise.js';
import { col2imWasm, im2colWasm, type WindowPlan } from './kernels/wasm/elementwise-wasm.js';

/**
 * The output columns [lo, hi) whose tap at column offset `shift` (= k·dilation − padding)
 * falls inside [0, size): lo·stride + shift ≥ 0 and (hi − 1)·stride + shift < size.
 */
function inside(shift: number, stride: number, size: number, out: number): [number, number] {
  const lo = shift >= 0 ? 0 : Math.ceil(-shift / stride);
  const hi = size - shift <= 0 ? 0 : Math.ceil((size - shift) / stride);
  const a = Math.min(lo, out);
  return [a, Math.max(a, Math.min(hi, out))];
}

/**
 * The window geometry the WebAssembly kernels read (`WindowPlan`): per kernel column its
 * [lo, hi) and the first tap's offset (`colScale` bytes per input column), per (kernel row,
 * window row) the input row's offset (`rowScale` bytes per row) or -1 in the padding.
 */
function plan(spec: WindowSpec, colScale: number, rowScale: number): WindowPlan {
  const { size, kernel, stride, padding, dilation, out } = spec;
  const cols = new Int32Array(3 * kernel[1]);
  for (let kw = 0; kw < kernel[1]; kw++) {
    const shift = kw * dilation[1] - padding[1];
    const [lo, hi] = inside(shift, stride[1], size[1], out[1]);
    cols.set([lo, hi, (lo * stride[1] + shift) * colScale], 3 * kw);
  }
  const rows = new Int32Array(kernel[0] * out[0]);
  for (let kh = 0; kh < kernel[0]; kh++) {
    for (let oh = 0; oh < out[0]; oh++) {
      const ih = oh * stride[0] - padding[0] + kh * dilation[0];
      rows[kh * out[0] + oh] = ih < 0 || ih >= size[0] ? -1 : ih * rowScale;
    }
  }
  return { cols, rows };
}

/** x [N, C, H, W] (any strides) as contiguous [N, C, kH·kW, oH·oW]. */
export function im2col(x: View, spec: WindowSpec, padValue: number): TypedArray {
  const [N, C, H, W] = x.layout.shape as [number, number, number, number];
  const [sn, sc, sh, sw] = x.layout.strides as [number, number, number, number];
  const [KH, KW] = spec.kernel;
  const [strH, strW] = spec.stride;
  const [padH, padW] = spec.padding;
  const [dilH, dilW] = spec.dilation;
  const [OH, OW] = spec.out;
  const src = x.storage as TypedArray;
  const out = alloc(x.dtype, N * C * KH * KW * OH * OW);
  if (
    src instanceof Float32Array &&
    out instanceof Float32Array &&
    im2colWasm(
      { data: src, offset: x.layout.offset, sn, sc, N, C, spec, plan: plan(spec, 4 * sw, 4 * sh) },
      out,
      strW * sw,
      padValue,
    )
  ) {
    return out;
  }
  const colLo = new Int32Array(KW);
  const colHi = new Int32Array(KW);
  for (let kw = 0; kw < KW; kw++) {
    const [lo, hi] = inside(kw * dilW - padW, strW, W, OW);
    colLo[kw] = lo;
    colHi[kw] = hi;
  }
  const step = strW * sw;
  let at = 0;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = x.layout.offset + n * sn + c * sc;
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          const lo = colLo[kw]!;
          const hi = colHi[kw]!;
          const colShift = (kw * dilW - padW) * sw;
          for (let oh = 0; oh < OH; oh++) {
            const ih = oh * strH - padH + kh * dilH;
            if (ih < 0 || ih >= H) {
              out.fill(padValue, at, at + OW);
              at += OW;
              continue;
            }
            if (lo > 0) out.fill(padValue, at, at + lo);
            let s = plane + ih * sh + lo * strW * sw + colShift;
            const end = at + hi;
            let o = at + lo;
            // Four taps per turn: the rows are short, so loop overhead matters.
            for (; o + 4 <= end; o += 4, s += 4 * step) {
              out[o] = src[s]!;
              out[o + 1] = src[s + step]!;
              out[o + 2] = src[s + 2 * step]!;
              out[o + 3] = src[s + 3 * step]!;
            }
            for (; o < end; o++, s += step) out[o] = src[s]!;
            if (hi < OW) out.fill(padValue, at + hi, at + OW);
            at += OW;
          }
        }
      }
    }
  }
  return out;
}

/** cols [N, C, kH·kW, oH·oW] (any strides) summed into a contiguous [N, C, H, W]. */
export function col2im(cols: View, spec: WindowSpec): TypedArray {
  const [N, C, , P] = cols.layout.shape as [number, number, number, number];
  const [sn, sc, sk, sp] = cols.layout.strides as [number, number, number, number];
  const [H, W] = spec.size;
  const [KH, KW] = spec.kernel;
  const [strH, strW] = spec.stride;
  const [padH, padW] = spec.padding;
  const [dilH, dilW] = spec.dilation;
  const [OH, OW] = spec.out;
  const src = cols.storage as TypedArray;
  const out = filled(N * C * H * W, 0, cols.dtype);
  if (P !== OH * OW) throw new Error(`col2im: ${P} columns for a ${OH}×${OW} grid`);
  if (
    src instanceof Float32Array &&
    out instanceof Float32Array &&
    col2imWasm(
      { data: src, offset: cols.layout.offset, sn, sc, N, C, spec, plan: plan(spec, 4, 4 * W) },
      out,
      sk,
      sp,
    )
  ) {
    return out;
  }
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = (n * C + c) * H * W;
      const base = cols.layout.offset + n * sn + c * sc;
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          const [lo, hi] = inside(kw * dilW - padW, strW, W, OW);
          const row = base + (kh * KW + kw) * sk;
          for (let oh = 0; oh < OH; oh++) {
            const ih = oh * strH - padH + kh * dilH;
            if (ih < 0 || ih >= H) continue;
            let d = plane + ih * W + lo * strW + kw * dilW - padW;
            let s = row + (oh * OW + lo) * sp;
            let o = lo;
            for (; o + 4 <= hi; o += 4, d += 4 * strW, s += 4 * sp) {
              out[d] += src[s]!;
              out[d + strW] += src[s + sp]!;
              out[d + 2 * strW] += src[s + 2 * sp]!;
              out[d + 3 * strW] += src[s + 3 * sp]!;
            }
            for (; o < hi; o++, d += strW, s += sp) out[d] += src[s]!;
          }
        }
      }
    }
  }
  return out;
}
