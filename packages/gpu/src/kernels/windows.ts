/**
 * Convolution windows: `im2col` (one invocation per output element: a window tap, read from
 * the strided input or the padding value) and its adjoint `col2im` (one invocation per input
 * element: the sum of the taps that read it, so no two invocations write one element).
 * Parameter words: n, C, H, W, kH, kW, sH, sW, pH, pW, dH, dW, oH, oW, then the operand's
 * offset and four strides, then (im2col) the padding value's bits.
 */
import type { DType, View, WindowSpec } from '@tsgrad/core';
import { LINEAR_BUILTINS, linearIndex, p, paramDecl } from './strided-index.js';
import { wgslType, zeroOf } from './wgsl-types.js';

const WORDS = 20;

/** The cache key of a window program. */
export function windowsKey(kind: 'im2col' | 'col2im', dtype: DType): string {
  return `${kind}|${dtype}`;
}

const geometry = `let C = ${p(1)}; let H = ${p(2)}; let W = ${p(3)}; let KH = ${p(4)}; let KW = ${p(5)};
  let sH = ${p(6)}; let sW = ${p(7)}; let pH = ${p(8)}; let pW = ${p(9)}; let dH = ${p(10)}; let dW = ${p(11)};
  let OH = ${p(12)}; let OW = ${p(13)};`;

/** The WGSL program of `im2col` or `col2im` for one dtype. */
export function windowsSource(kind: 'im2col' | 'col2im', dtype: DType): string {
  const t = wgslType(dtype);
  const head = `${paramDecl(WORDS)}
@group(0) @binding(1) var<storage, read> x: array<${t}>;
@group(0) @binding(2) var<storage, read_write> out: array<${t}>;
@compute @workgroup_size(256)
fn main(${LINEAR_BUILTINS}) {
  let i = ${linearIndex(256)};
  if (i >= ${p(0)}) { return; }
  ${geometry}`;
  if (kind === 'im2col') {
    const pad = t === 'u32' ? p(19) : `bitcast<${t}>(${p(19)})`;
    return `${head}
  let ow = i % OW; var r = i / OW;
  let oh = r % OH; r = r / OH;
  let kw = r % KW; r = r / KW;
  let kh = r % KH; r = r / KH;
  let c = r % C; let n = r / C;
  let ih = i32(oh * sH + kh * dH) - i32(pH);
  let iw = i32(ow * sW + kw * dW) - i32(pW);
  if (ih < 0i || ih >= i32(H) || iw < 0i || iw >= i32(W)) {
    out[i] = ${pad};
    return;
  }
  out[i] = x[${p(14)} + n * ${p(15)} + c * ${p(16)} + u32(ih) * ${p(17)} + u32(iw) * ${p(18)}];
}
`;
  }
  return `${head}
  let iw = i % W; var r = i / W;
  let ih = r % H; r = r / H;
  let c = r % C; let n = r / C;
  let base = ${p(14)} + n * ${p(15)} + c * ${p(16)};
  var acc = ${zeroOf(dtype)};
  for (var kh = 0u; kh < KH; kh++) {
    let th = i32(ih + pH) - i32(kh * dH);
    if (th < 0i || th % i32(sH) != 0i) { continue; }
    let oh = u32(th) / sH;
    if (oh >= OH) { continue; }
    for (var kw = 0u; kw < KW; kw++) {
      let tw = i32(iw + pW) - i32(kw * dW);
      if (tw < 0i || tw % i32(sW) != 0i) { continue; }
      let ow = u32(tw) / sW;
      if (ow >= OW) { continue; }
      acc += x[base + (kh * KW + kw) * ${p(17)} + (oh * OW + ow) * ${p(18)}];
    }
  }
  out[i] = acc;
}
`;
}

/** Parameter words for `n` invocations over operand `v` ([N, C, …], any strides). */
export function windowsParams(n: number, v: View, spec: WindowSpec, padValue = 0): Uint32Array {
  const w = new Uint32Array(WORDS);
  w[0] = n;
  w[1] = v.layout.shape[1]!;
  w.set(
    [
      ...spec.size,
      ...spec.kernel,
      ...spec.stride,
      ...spec.padding,
      ...spec.dilation,
      ...spec.out,
      v.layout.offset,
      ...v.layout.strides,
    ].map((x) => x >>> 0),
    2,
  );
  if (v.dtype === 'float32') w[19] = new Uint32Array(new Float32Array([padValue]).buffer)[0]!;
  else if (v.dtype === 'int32') w[19] = padValue | 0;
  else w[19] = padValue !== 0 ? 1 : 0;
  return w;
}
