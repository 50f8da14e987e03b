/**
 * Sort and scan along one axis, one invocation per line (a line is the run of elements along
 * the axis at one position of the other axes). Lines are independent, so a tensor of many
 * lines keeps the device busy; a single very long line runs serially, which is correct but
 * slow (a workgroup-wide sort or scan would be the next step if that matters).
 *
 * sort: a bottom-up merge sort of the line's positions (int32), ping-ponging between the
 * indices output and a scratch buffer of the same layout, comparing x's elements; a merge
 * takes from the left run on ties, so the sort is stable. NaN is the largest value. The
 * values are then gathered from x by the sorted positions.
 *
 * scan: a running sum, product or log-sum-exp (with a running maximum) along the line,
 * forwards or from the end.
 *
 * Parameter words: nLines, n (line length), x's stride along the axis, out's stride along it,
 * keptShape[kr], x offset, x keptStrides[kr], out offset, out keptStrides[kr] (kr ≥ 1: a
 * tensor of one line has kept shape [1]).
 */
import type { DType, ScanOp } from '@tsgrad/core';
import { withHelpers } from './elementwise.js';
import { LINEAR_BUILTINS, linearIndex, offsetsCode, p, paramDecl } from './strided-index.js';
import { wgslType } from './wgsl-types.js';

const WG = 64;

function lineHeader(kr: number): { words: number; offsets: string } {
  const shapeBase = 4;
  const xBase = shapeBase + kr;
  const oBase = xBase + 1 + kr;
  return {
    words: oBase + 1 + kr,
    offsets: offsetsCode('line', kr, shapeBase, [
      { name: 'xb', base: xBase, contig: false },
      { name: 'ob', base: oBase, contig: false },
    ]),
  };
}

/** The cache key of a sort program. */
export function sortKey(dtype: DType, kr: number, descending: boolean): string {
  return `sort|${dtype}|${kr}|${descending ? 'desc' : 'asc'}`;
}

/** The WGSL sort program (bindings: x, values, indices, scratch). */
export function sortSource(dtype: DType, kr: number, descending: boolean): string {
  const T = wgslType(dtype);
  const { words, offsets } = lineHeader(kr);
  const float = dtype === 'float32';
  // before(a, b): a comes strictly before b in the sorted order.
  const before = float
    ? descending
      ? 'if (isnan_f(b)) { return false; } if (isnan_f(a)) { return true; } return a > b;'
      : 'if (isnan_f(a)) { return false; } if (isnan_f(b)) { return true; } return a < b;'
    : `return a ${descending ? '>' : '<'} b;`;
  return withHelpers(`${paramDecl(words)}
@group(0) @binding(1) var<storage, read> x: array<${T}>;
@group(0) @binding(2) var<storage, read_write> vals: array<${T}>;
@group(0) @binding(3) var<storage, read_write> idx: array<i32>;
@group(0) @binding(4) var<storage, read_write> tmp: array<i32>;
fn before(a: ${T}, b: ${T}) -> bool { ${before} }
fn rd(fromTmp: bool, o: u32) -> i32 { if (fromTmp) { return tmp[o]; } return idx[o]; }
fn wr(toTmp: bool, o: u32, v: i32) { if (toTmp) { tmp[o] = v; } else { idx[o] = v; } }
@compute @workgroup_size(${WG})
fn main(${LINEAR_BUILTINS}) {
  let line = ${linearIndex(WG)};
  if (line >= ${p(0)}) { return; }
  ${offsets}
  let n = ${p(1)};
  let xs = ${p(2)};
  let os = ${p(3)};
  for (var j = 0u; j < n; j = j + 1u) { idx[ob + j * os] = i32(j); }
  var inTmp = false;
  for (var width = 1u; width < n; width = width * 2u) {
    for (var lo = 0u; lo < n; lo = lo + 2u * width) {
      let mid = min(lo + width, n);
      let hi = min(lo + 2u * width, n);
      var i = lo;
      var k = mid;
      for (var t = lo; t < hi; t = t + 1u) {
        var takeRight = false;
        if (i >= mid) {
          takeRight = true;
        } else if (k < hi) {
          let l = rd(inTmp, ob + i * os);
          let r = rd(inTmp, ob + k * os);
          takeRight = before(x[xb + u32(r) * xs], x[xb + u32(l) * xs]);
        }
        if (takeRight) {
          wr(!inTmp, ob + t * os, rd(inTmp, ob + k * os));
          k = k + 1u;
        } else {
          wr(!inTmp, ob + t * os, rd(inTmp, ob + i * os));
          i = i + 1u;
        }
      }
    }
    inTmp = !inTmp;
  }
  for (var j = 0u; j < n; j = j + 1u) {
    let o = ob + j * os;
    let s = rd(inTmp, o);
    if (inTmp) { idx[o] = s; }
    vals[o] = x[xb + u32(s) * xs];
  }
}
`);
}

/** The cache key of a scan program. */
export function scanKey(op: ScanOp, dtype: DType, kr: number, reverse: boolean): string {
  return `scan|${op}|${dtype}|${kr}|${reverse ? 'rev' : 'fwd'}`;
}

/** The WGSL scan program (bindings: x, out). logsumexp is float32 only. */
export function scanSource(op: ScanOp, dtype: DType, kr: number, reverse: boolean): string {
  const T = wgslType(dtype);
  const { words, offsets } = lineHeader(kr);
  const zero = dtype === 'float32' ? '0.0' : '0i';
  const one = dtype === 'float32' ? '1.0' : '1i';
  let init: string;
  let step: string;
  if (op === 'logsumexp') {
    // m: running maximum (-inf while every term is), acc: Σ exp(v − m).
    init = 'var acc = 0.0; var m = -inf_f(); var nan = false;';
    step = `if (isnan_f(v)) { nan = true; }
    else if (v == -inf_f() || m == inf_f()) { }
    else if (v > m) {
      if (m == -inf_f() || v == inf_f()) { acc = 1.0; } else { acc = acc * exp(m - v) + 1.0; }
      m = v;
    } else { acc = acc + exp(v - m); }
    var r = m;
    if (nan) { r = nan_f(); } else if (m != -inf_f() && m != inf_f()) { r = m + log(acc); }
    out[ob + j * os] = r;`;
  } else {
    init = `var acc: ${T} = ${op === 'sum' ? zero : one};`;
    step = `acc = acc ${op === 'sum' ? '+' : '*'} v;
    out[ob + j * os] = acc;`;
  }
  return withHelpers(`${paramDecl(words)}
@group(0) @binding(1) var<storage, read> x: array<${T}>;
@group(0) @binding(2) var<storage, read_write> out: array<${T}>;
@compute @workgroup_size(${WG})
fn main(${LINEAR_BUILTINS}) {
  let line = ${linearIndex(WG)};
  if (line >= ${p(0)}) { return; }
  ${offsets}
  let n = ${p(1)};
  let xs = ${p(2)};
  let os = ${p(3)};
  ${init}
  for (var t = 0u; t < n; t = t + 1u) {
    let j = ${reverse ? 'n - 1u - t' : 't'};
    let v = x[xb + j * xs];
    ${step}
  }
}
`);
}

/**
 * Parameter words for lines along `dim` of x (layout) written to a contiguous output of
 * x's shape; also the number of lines.
 */
export function lineParams(
  x: { shape: readonly number[]; strides: readonly number[]; offset: number },
  dim: number,
): { params: Uint32Array; lines: number; kr: number } {
  const shape = x.shape;
  const outStrides: number[] = [];
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    outStrides[d] = acc;
    acc *= shape[d]!;
  }
  let keptShape: number[] = [];
  let keptX: number[] = [];
  let keptO: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (d === dim) continue;
    keptShape.push(shape[d]!);
    keptX.push(x.strides[d]!);
    keptO.push(outStrides[d]!);
  }
  if (keptShape.length === 0) {
    keptShape = [1];
    keptX = [0];
    keptO = [0];
  }
  const kr = keptShape.length;
  const w = new Uint32Array(6 + 3 * kr);
  const lines = keptShape.reduce((a, b) => a * b, 1);
  w[0] = lines;
  w[1] = shape[dim]!;
  w[2] = x.strides[dim]! >>> 0;
  w[3] = outStrides[dim]!;
  for (let d = 0; d < kr; d++) w[4 + d] = keptShape[d]!;
  const xBase = 4 + kr;
  w[xBase] = x.offset;
  for (let d = 0; d < kr; d++) w[xBase + 1 + d] = keptX[d]! >>> 0;
  const oBase = xBase + 1 + kr;
  w[oBase] = 0;
  for (let d = 0; d < kr; d++) w[oBase + 1 + d] = keptO[d]!;
  return { params: w, lines, kr };
}
