/**
 * Batched matrix product over strided operands: out[b, m, n] = Σ_k A[b, m, k] · B[b, k, n].
 *
 * The tiled program gives each workgroup of 16×16 invocations a 64×64 block of the output,
 * each invocation a 4×4 sub-block (rows ty + 16i, columns tx + 16j, so that stores and
 * workgroup-memory reads are consecutive across a row of invocations). Blocks of A and B are
 * staged through workgroup memory TK columns at a time. How invocations are assigned to the
 * elements they stage depends on which of the operand's strides is 1, so that a transposed
 * operand is still read along consecutive addresses; that choice is compiled in.
 *
 * Small products use a direct program, one invocation per output element, where tiles would be
 * mostly empty; on CPU drivers (lavapipe, SwiftShader), which take seconds to compile the tiled
 * program, so does every product but the largest.
 *
 * Parameter words: M, N, K, batch0, aOff, aBatch, aRow(m), aCol(k), bOff, bBatch, bRow(k), bCol(n).
 */
import { p, paramDecl } from './strided-index.js';

/**
 * How an operand is best read: 'col' when its second-last stride is 1 (a transposed matrix),
 * else 'row'. Addresses always use both strides; this only picks which invocations read which
 * elements.
 */
export type MajorOrder = 'row' | 'col';

/** What a matmul program computes. */
export interface MatmulSpec {
  tiled: boolean;
  a: MajorOrder;
  b: MajorOrder;
}

/** Output tile edge of the tiled program. */
export const TILE = 64;
const TK = 16;

/** The cache key of a spec. */
export function matmulKey(s: MatmulSpec): string {
  return s.tiled ? `mm|t|${s.a}|${s.b}` : 'mm|d';
}

const HEADER = `${paramDecl(12)}
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;`;

const M = p(0);
const N = p(1);
const K = p(2);

/** The WGSL program of a spec. */
export function matmulSource(s: MatmulSpec): string {
  if (!s.tiled) {
    return `${HEADER}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 64u;
  let b = gid.z + ${p(3)};
  if (i >= ${M} * ${N}) { return; }
  let m = i / ${N};
  let n = i % ${N};
  let aBase = ${p(4)} + b * ${p(5)};
  let bBase = ${p(8)} + b * ${p(9)};
  var acc = 0.0;
  for (var k = 0u; k < ${K}; k = k + 1u) {
    acc = fma(A[aBase + m * ${p(6)} + k * ${p(7)}], B[bBase + k * ${p(10)} + n * ${p(11)}], acc);
  }
  C[(b * ${M} + m) * ${N} + n] = acc;
}
`;
  }
  // Each invocation stages four elements of A (rows r, r+16, r+32, r+48 of one column k) and
  // four of B, and stores each group as one vec4. Which of (r, k) follows the invocation number
  // depends on the operand's unit stride, so that neighbours read neighbouring addresses.
  const aRK = s.a === 'col' ? ['tid % 16u', 'tid / 16u'] : ['tid / 16u', 'tid % 16u'];
  const bRK = s.b === 'col' ? ['tid / 16u', 'tid % 16u'] : ['tid % 16u', 'tid / 16u'];
  const loadA = [0, 1, 2, 3]
    .map(
      (q) =>
        `select(0.0, A[aBase + (gm + ${16 * q}u) * ${p(6)} + gk * ${p(7)}], gk < ${K} && gm + ${16 * q}u < ${M})`,
    )
    .join(',\n        ');
  const loadB = [0, 1, 2, 3]
    .map(
      (q) =>
        `select(0.0, B[bBase + hk * ${p(10)} + (hn + ${16 * q}u) * ${p(11)}], hk < ${K} && hn + ${16 * q}u < ${N})`,
    )
    .join(',\n        ');
  const stores: string[] = [];
  for (let i = 0; i < 4; i++) {
    const cols = [0, 1, 2, 3].map(
      (j) => `if (n0 + tx + ${16 * j}u < ${N}) { C[row + n0 + tx + ${16 * j}u] = acc${i}.${'xyzw'[j]}; }`,
    );
    stores.push(`if (m0 + ty + ${16 * i}u < ${M}) {
    let row = (b * ${M} + m0 + ty + ${16 * i}u) * ${N};
    ${cols.join('\n    ')}
  }`);
  }
  // Workgroup memory holds each block as vec4s: As[k * 16 + r] is rows r, r+16, r+32, r+48 of
  // column k (Bs likewise for columns of B), so the inner loop reads two vec4s per 16 products.
  return `${HEADER}
var<workgroup> As: array<vec4<f32>, ${TK * 16}>;
var<workgroup> Bs: array<vec4<f32>, ${TK * 16}>;
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) tid: u32) {
  let b = wid.z + ${p(3)};
  let m0 = wid.y * ${TILE}u;
  let n0 = wid.x * ${TILE}u;
  let aBase = ${p(4)} + b * ${p(5)};
  let bBase = ${p(8)} + b * ${p(9)};
  let tx = lid.x;
  let ty = lid.y;
  let ar = ${aRK[0]};
  let ak = ${aRK[1]};
  let bc = ${bRK[0]};
  let bk = ${bRK[1]};
  let gm = m0 + ar;
  let hn = n0 + bc;
  var acc0 = vec4<f32>();
  var acc1 = vec4<f32>();
  var acc2 = vec4<f32>();
  var acc3 = vec4<f32>();
  for (var k0 = 0u; k0 < ${K}; k0 = k0 + ${TK}u) {
    let gk = k0 + ak;
    let hk = k0 + bk;
    As[ak * 16u + ar] = vec4<f32>(
        ${loadA});
    Bs[bk * 16u + bc] = vec4<f32>(
        ${loadB});
    workgroupBarrier();
    for (var k = 0u; k < ${TK}u; k = k + 1u) {
      let a = As[k * 16u + ty];
      let bb = Bs[k * 16u + tx];
      acc0 = fma(vec4<f32>(a.x), bb, acc0);
      acc1 = fma(vec4<f32>(a.y), bb, acc1);
      acc2 = fma(vec4<f32>(a.z), bb, acc2);
      acc3 = fma(vec4<f32>(a.w), bb, acc3);
    }
    workgroupBarrier();
  }
  ${stores.join('\n  ')}
}
`;
}

/** Parameter words (see the file header). */
export function matmulParams(
  M: number,
  N: number,
  K: number,
  batch0: number,
  a: { offset: number; strides: readonly number[] },
  b: { offset: number; strides: readonly number[] },
): Uint32Array {
  return new Uint32Array([
    M,
    N,
    K,
    batch0,
    a.offset,
    a.strides[0]!,
    a.strides[1]!,
    a.strides[2]!,
    b.offset,
    b.strides[0]!,
    b.strides[1]!,
    b.strides[2]!,
  ]);
}

/** The major order of a [batch, rows, cols] operand. */
export function majorOrder(shape: readonly number[], strides: readonly number[]): MajorOrder {
  return strides[2] !== 1 && shape[2] !== 1 && (strides[1] === 1 || shape[1] === 1) ? 'col' : 'row';
}
