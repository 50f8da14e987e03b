/**
 * One generator for every kernel that maps elements one to one: unary, binary, where, copy,
 * cast, and the strided writes behind assign and concat. Each operand is read through its
 * own layout; the output is contiguous or, for writes into a view, strided too.
 *
 * Parameter words: n, shape[rank], then per operand (inputs, then output) offset, strides[rank].
 */
import { type DType, isContiguous, type View } from '@tsgrad/core';
import { LINEAR_BUILTINS, linearIndex, offsetsCode, p, paramDecl } from './strided-index.js';
import { helpersFor } from './wgsl-library.js';
import { wgslType } from './wgsl-types.js';

const WG = 256;

/** What an elementwise program computes. */
export interface ElementwiseSpec {
  /** Rank of the (collapsed) iteration shape, ≥ 1. */
  rank: number;
  /** Input dtypes and whether each is contiguous over the shape. */
  inputs: readonly { dtype: DType; contig: boolean }[];
  /** Output dtype and whether it is contiguous over the shape. */
  out: { dtype: DType; contig: boolean };
  /** WGSL expression of `v0`, `v1` … giving the output's WGSL type. */
  expr: string;
}

/** The cache key of a spec. */
export function elementwiseKey(s: ElementwiseSpec): string {
  const ins = s.inputs.map((i) => `${i.dtype}${i.contig ? 'c' : 's'}`).join(',');
  return `ew|${s.rank}|${ins}|${s.out.dtype}${s.out.contig ? 'c' : 's'}|${s.expr}`;
}

/** The WGSL program of a spec. */
export function elementwiseSource(s: ElementwiseSpec): string {
  const r = s.rank;
  const k = s.inputs.length;
  const words = 1 + r + (k + 1) * (1 + r);
  const operand = (j: number) => 1 + r + j * (1 + r);
  const decls = s.inputs.map(
    (inp, j) => `@group(0) @binding(${j + 1}) var<storage, read> in${j}: array<${wgslType(inp.dtype)}>;`,
  );
  const outDecl = `@group(0) @binding(${k + 1}) var<storage, read_write> out: array<${wgslType(s.out.dtype)}>;`;
  const ops = [
    ...s.inputs.map((inp, j) => ({ name: `o${j}`, base: operand(j), contig: inp.contig })),
    { name: 'oo', base: operand(k), contig: s.out.contig },
  ];
  const loads = s.inputs.map((_, j) => `let v${j} = in${j}[o${j}];`).join('\n  ');
  return withHelpers(`${paramDecl(words)}
${decls.join('\n')}
${outDecl}
@compute @workgroup_size(${WG})
fn main(${LINEAR_BUILTINS}) {
  let i = ${linearIndex(WG)};
  if (i >= ${p(0)}) { return; }
  ${offsetsCode('i', r, 1, ops)}
  ${loads}
  out[oo] = ${s.expr};
}
`);
}

/** A program preceded by the library functions it calls. */
export function withHelpers(body: string): string {
  return `${helpersFor(body)}\n${body}`;
}

/**
 * Parameter words for `n` elements over `shape`, operands' layouts in binding order, written
 * into an array from `words` (see {@link ParamWords}).
 */
export function elementwiseParams(
  n: number,
  shape: readonly number[],
  layouts: readonly { offset: number; strides: readonly number[] }[],
  words: ParamWords,
): Uint32Array {
  const r = shape.length;
  const w = words.take(1 + r + layouts.length * (1 + r));
  w[0] = n;
  for (let d = 0; d < r; d++) w[1 + d] = shape[d]!;
  layouts.forEach((l, j) => {
    const base = 1 + r + j * (1 + r);
    w[base] = l.offset;
    for (let d = 0; d < r; d++) w[base + 1 + d] = l.strides[d]! >>> 0;
  });
  return w;
}

/**
 * The words of {@link elementwiseParams} where every input is contiguous and the output is
 * new: rank 1 over `n` elements, the inputs at their offsets, the output at 0, all of stride 1.
 */
export function contiguousParams(n: number, inputs: readonly View[], words: ParamWords): Uint32Array {
  const k = inputs.length;
  const w = words.take(2 + 2 * (k + 1));
  w[0] = n;
  w[1] = n;
  for (let j = 0; j <= k; j++) {
    w[2 + 2 * j] = j < k ? inputs[j]!.layout.offset : 0;
    w[3 + 2 * j] = 1;
  }
  return w;
}

/** Codes of the dtypes an elementwise program reads or writes, for {@link elementwiseCode}. */
const DTYPE_CODES: Partial<Record<DType, number>> = { float32: 0, int32: 1, bool: 2 };

/**
 * A number naming an elementwise program among those of one expression: the rank and each
 * operand's dtype and contiguity, as in its {@link ElementwiseSpec} (whose key names it in full).
 */
export function elementwiseCode(rank: number, inputs: readonly View[], outDtype: DType): number {
  let code = DTYPE_CODES[outDtype]!;
  for (const v of inputs) code = code * 8 + DTYPE_CODES[v.dtype]! * 2 + (isContiguous(v.layout) ? 1 : 0);
  return code * 256 + rank;
}

/**
 * Reusable parameter words: ops write their parameters here, and the recorder copies them
 * into its arena as it records the dispatch, so no array is made per op.
 */
export class ParamWords {
  private readonly byLength = new Map<number, Uint32Array>();

  /** An array of exactly `length` words (the same one each time for a length). */
  take(length: number): Uint32Array {
    let w = this.byLength.get(length);
    if (w === undefined) {
      w = new Uint32Array(length);
      this.byLength.set(length, w);
    }
    return w;
  }
}

/** Workgroup size of elementwise programs. */
export const ELEMENTWISE_WG = WG;
