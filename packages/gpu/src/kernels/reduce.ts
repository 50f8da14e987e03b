/**
 * Reductions over any set of axes. Kept axes index the outputs; reduced axes are walked
 * either by one invocation per output (many outputs, or short rows read with a stride that
 * neighbouring invocations share) or by one workgroup per output, whose invocations stride
 * over the row and then combine their partial results in workgroup memory.
 *
 * Parameter words: nOut, R (elements per output), offset, keptStrides[kr], keptShape[kr],
 * 0, redStrides[rr], redShape[rr].
 *
 * argmax/argmin keep the first index of the extreme value, and a NaN wins, as on the CPU.
 */
import type { DType, ReduceOp } from '@tsgrad/core';
import { withHelpers } from './elementwise.js';
import { LINEAR_BUILTINS, linearIndex, offsetsCode, p, paramDecl } from './strided-index.js';
import { convert, wgslType } from './wgsl-types.js';

/** What a reduce program computes. */
export interface ReduceSpec {
  op: ReduceOp;
  dtype: DType;
  keptRank: number;
  redRank: number;
  /** 0: one invocation per output; otherwise the workgroup size of one workgroup per output. */
  group: number;
}

/** The cache key of a spec. */
export function reduceKey(s: ReduceSpec): string {
  return `red|${s.op}|${s.dtype}|${s.keptRank}|${s.redRank}|${s.group}`;
}

const NO_INDEX = '0xffffffffu';

function pieces(s: ReduceSpec) {
  const float = s.dtype === 'float32';
  const T = float ? 'f32' : 'i32';
  const domain: DType = float ? 'float32' : 'int32';
  const isArg = s.op === 'argmax' || s.op === 'argmin';
  const lowest = float ? '-inf_f()' : 'bitcast<i32>(0x80000000u)';
  const highest = float ? 'inf_f()' : '2147483647i';
  const init = {
    sum: float ? '0.0' : '0i',
    prod: float ? '1.0' : '1i',
    max: lowest,
    min: highest,
    argmax: lowest,
    argmin: highest,
  }[s.op];
  const cmp = s.op === 'argmax' ? '>' : '<';
  const take = float
    ? `fn take(cv: f32, ci: u32, bv: f32, bi: u32) -> bool {
  let cn = isnan_f(cv);
  let bn = isnan_f(bv);
  if (cn != bn) { return cn; }
  if (cn || cv == bv) { return ci < bi; }
  return cv ${cmp} bv;
}`
    : `fn take(cv: i32, ci: u32, bv: i32, bi: u32) -> bool {
  if (cv == bv) { return ci < bi; }
  return cv ${cmp} bv;
}`;
  const combine = (acc: string, v: string): string => {
    switch (s.op) {
      case 'sum':
        return `${acc} = ${acc} + ${v};`;
      case 'prod':
        return `${acc} = ${acc} * ${v};`;
      case 'max':
        return float ? `${acc} = max_f(${acc}, ${v});` : `${acc} = max(${acc}, ${v});`;
      case 'min':
        return float ? `${acc} = min_f(${acc}, ${v});` : `${acc} = min(${acc}, ${v});`;
      default:
        return '';
    }
  };
  const outType = isArg ? 'i32' : wgslType(s.dtype);
  const final = isArg ? `i32(select(bi, 0u, bi == ${NO_INDEX}))` : convert('acc', domain, s.dtype);
  const load = (offset: string) => convert(`x[${offset}]`, s.dtype, domain);
  return { T, init, take: isArg ? take : '', combine, outType, final, load, isArg };
}

/** The WGSL program of a spec. */
export function reduceSource(s: ReduceSpec): string {
  const kr = s.keptRank;
  const rr = s.redRank;
  const words = 4 + 2 * kr + 2 * rr;
  const keptShapeBase = 3 + kr;
  const redBase = 3 + 2 * kr;
  const redShapeBase = redBase + 1 + rr;
  const { T, init, take, combine, outType, final, load, isArg } = pieces(s);
  const header = `${take}
${paramDecl(words)}
@group(0) @binding(1) var<storage, read> x: array<${wgslType(s.dtype)}>;
@group(0) @binding(2) var<storage, read_write> out: array<${outType}>;`;
  const baseCode =
    kr === 0
      ? `let base = ${p(2)};`
      : offsetsCode('o', kr, keptShapeBase, [{ name: 'base', base: 2, contig: false }]);
  const step = (v: string, j: string) =>
    isArg ? `if (take(${v}, ${j}, acc, bi)) { acc = ${v}; bi = ${j}; }` : combine('acc', v);

  if (s.group === 0) {
    // Nested loops over the reduced dims, one invocation per output.
    let loops = '';
    let close = '';
    let prev = 'base';
    for (let d = 0; d < rr; d++) {
      loops += `for (var j${d} = 0u; j${d} < ${p(redShapeBase + d)}; j${d} = j${d} + 1u) {
    let q${d} = ${prev} + j${d} * ${p(redBase + 1 + d)};
    `;
      close += '}';
      prev = `q${d}`;
    }
    return withHelpers(`${header}
@compute @workgroup_size(64)
fn main(${LINEAR_BUILTINS}) {
  let o = ${linearIndex(64)};
  if (o >= ${p(0)}) { return; }
  ${baseCode}
  var acc: ${T} = ${init};
  var bi = ${NO_INDEX};
  var j = 0u;
  ${loops}let v = ${load(prev)};
    ${step('v', 'j')}
    j = j + 1u;
  ${close}
  out[o] = ${final};
}
`);
  }

  const wg = s.group;
  const redOffsets = offsetsCode('j', rr, redShapeBase, [{ name: 'ro', base: redBase, contig: false }]);
  const merge = isArg
    ? `if (take(sv[lid + s], si[lid + s], sv[lid], si[lid])) { sv[lid] = sv[lid + s]; si[lid] = si[lid + s]; }`
    : combine('sv[lid]', 'sv[lid + s]');
  return withHelpers(`${header}
var<workgroup> sv: array<${T}, ${wg}>;
var<workgroup> si: array<u32, ${wg}>;
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = wid.x + wid.y * nwg.x;
  if (o >= ${p(0)}) { return; }
  ${baseCode}
  var acc: ${T} = ${init};
  var bi = ${NO_INDEX};
  for (var j = lid; j < ${p(1)}; j = j + ${wg}u) {
    ${redOffsets}
    let v = ${load('base + ro')};
    ${step('v', 'j')}
  }
  sv[lid] = acc;
  si[lid] = bi;
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      ${merge}
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let acc = sv[0];
    let bi = si[0];
    out[o] = ${final};
  }
}
`);
}

/** Parameter words (see the file header). */
export function reduceParams(
  nOut: number,
  offset: number,
  kept: { shape: readonly number[]; strides: readonly number[] },
  red: { shape: readonly number[]; strides: readonly number[] },
): Uint32Array {
  const kr = kept.shape.length;
  const rr = red.shape.length;
  const w = new Uint32Array(4 + 2 * kr + 2 * rr);
  let R = 1;
  for (const d of red.shape) R *= d;
  w[0] = nOut;
  w[1] = R;
  w[2] = offset;
  for (let d = 0; d < kr; d++) {
    w[3 + d] = kept.strides[d]!;
    w[3 + kr + d] = kept.shape[d]!;
  }
  const rb = 3 + 2 * kr;
  w[rb] = 0;
  for (let d = 0; d < rr; d++) {
    w[rb + 1 + d] = red.strides[d]!;
    w[rb + 1 + rr + d] = red.shape[d]!;
  }
  return w;
}
