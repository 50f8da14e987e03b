/**
 * Batched matrix product over strided operands: out[b, m, n] = Σ_k A[b, m, k] · B[b, k, n].
 *
 * Two programs:
 *
 * - The direct program gives each invocation one output element. It serves small products,
 *   where tiles would be mostly empty, and on CPU drivers (lavapipe, SwiftShader), which take
 *   seconds to compile tiled programs, every product but the largest.
 * - Tiled programs, generated from a {@link MatmulConfig}: each workgroup computes a BM×BN block
 *   of the output, each of its invocations a TM×TN sub-block held in registers. Blocks of A
 *   (BM×BK) and B (BK×BN) are staged through workgroup memory, optionally double-buffered: the
 *   next slab is read from storage into registers while the current one is multiplied, and
 *   stored to the other buffer afterwards, so one barrier per slab suffices.
 *
 * Workgroup memory holds each slab as rows of vec4, one row per k. Slot s of a row holds the
 * operand's rows (columns for B) s, s + R/4, s + R/2, s + 3R/4 (R = BM or BN), so that one
 * vec4 read gives an invocation four of its rows and neighbouring invocations read
 * neighbouring slots. An invocation (tx, ty) owns slots g·WY + ty of A (g < TM/4, WY = BM/TM
 * invocations down) and h·WX + tx of B: its outputs are rows g·WY + ty + j·BM/4 and columns
 * h·WX + tx + c·BN/4, so a row of invocations stores consecutive columns.
 *
 * Staging: each invocation reads whole slots (four elements, one per quarter of the block) and
 * writes each as one vec4. Which slots it takes depends on the operand's unit stride, so that
 * neighbouring invocations read neighbouring addresses: along k for a row-major A (or a
 * column-major B), where rows of workgroup memory are padded by one vec4 to keep those stores
 * free of bank conflicts; along m (n) otherwise. That choice is compiled in. Every read
 * is masked against M, N and K, so any shape and any strides work; the masks cost a few
 * instructions per slab against TM·TN·BK multiply-adds.
 *
 * Workgroups take output blocks in bands of G block-rows, each walked column by column (G = 1:
 * row by row), so that the workgroups running at one time read fewer distinct rows of A and
 * columns of B. G is a parameter word, so configurations that differ only in it share one
 * compiled program.
 *
 * The inner product is fully unrolled with one variable per accumulator vec4, so the compiler
 * keeps them in registers (nothing is indexed dynamically).
 *
 * Parameter words: M, N, K, batch0, aOff, aBatch, aRow(m), aCol(k), bOff, bBatch, bRow(k), bCol(n),
 * G (tiled programs).
 */
import { p, paramDecl } from './strided-index.js';

/**
 * How an operand is best read: 'col' when its second-last stride is 1 (a transposed matrix),
 * else 'row'. Addresses always use both strides; this only picks which invocations read which
 * elements.
 *
 * @example
 * ```ts
 * const order: MajorOrder = 'col'; // a transposed operand
 * ```
 */
export type MajorOrder = 'row' | 'col';

/**
 * The shape of a tiled matmul program: output block `bm`×`bn` per workgroup, `bk` deep slabs,
 * `tm`×`tn` outputs per invocation (multiples of 4), `db` double-buffered workgroup memory.
 * A workgroup has (bm / tm)·(bn / tn) invocations.
 *
 * @example
 * ```ts
 * const { bm, bn } = MATMUL_CONFIGS.t128x128k16uw; // 128, 128
 * ```
 */
export interface MatmulConfig {
  bm: number;
  bn: number;
  bk: number;
  tm: number;
  tn: number;
  db: boolean;
  /**
   * The k loop within a slab written out in full (else a loop the driver's compiler may
   * unroll; much quicker to compile on CPU drivers).
   */
  unroll: boolean;
  /**
   * Each 32 consecutive invocations (a warp on most GPUs) cover 8×4 invocations of the
   * workgroup's grid rather than 16×2, so that together they read 4 slots of A and 8 of B per k
   * (fewer workgroup-memory transactions than 2 and 16). Needs BN/TN % 8 = 0 and BM/TM % 4 = 0.
   */
  warp8x4: boolean;
  /**
   * The order in which workgroups take output blocks: 1 for row by row; G > 1 for bands of G
   * block-rows, each walked column by column (G blocks down, then the next column), so that
   * workgroups running at the same time read fewer distinct rows of A and columns of B and
   * share more of them through the cache. The last band may be shorter. A parameter of the
   * dispatch: it does not change the compiled program.
   */
  group: number;
}

/**
 * The tiled configurations, by name: `t<BM>x<BN>k<BK>[d][u][w][g<G>]`, `d` for double-buffered,
 * `u` for the k loop written out, `w` for warps of 8×4 invocations, `g<G>` for blocks taken in
 * bands of G block-rows. Each has 256 invocations per workgroup. Pick one with the backend's
 * `matmulConfig`.
 *
 * @example
 * ```ts
 * const gpu = await initWebGPU({ matmulConfig: 't128x128k16uw' });
 * gpu.matmulConfig = 't64x64k16';
 * ```
 */
export const MATMUL_CONFIGS = {
  t64x64k16: {
    bm: 64,
    bn: 64,
    bk: 16,
    tm: 4,
    tn: 4,
    db: false,
    unroll: false,
    warp8x4: false,
    group: 1,
  },
  t128x64k16d: {
    bm: 128,
    bn: 64,
    bk: 16,
    tm: 8,
    tn: 4,
    db: true,
    unroll: false,
    warp8x4: false,
    group: 1,
  },
  t128x128k8uw: {
    bm: 128,
    bn: 128,
    bk: 8,
    tm: 8,
    tn: 8,
    db: false,
    unroll: true,
    warp8x4: true,
    group: 1,
  },
  t128x128k16uw: {
    bm: 128,
    bn: 128,
    bk: 16,
    tm: 8,
    tn: 8,
    db: false,
    unroll: true,
    warp8x4: true,
    group: 1,
  },
  t128x128k16uwg8: {
    bm: 128,
    bn: 128,
    bk: 16,
    tm: 8,
    tn: 8,
    db: false,
    unroll: true,
    warp8x4: true,
    group: 8,
  },
  t128x128k16uwg16: {
    bm: 128,
    bn: 128,
    bk: 16,
    tm: 8,
    tn: 8,
    db: false,
    unroll: true,
    warp8x4: true,
    group: 16,
  },
} as const satisfies Record<string, MatmulConfig>;

/**
 * The name of a tiled configuration (a key of {@link MATMUL_CONFIGS}).
 *
 * @example
 * ```ts
 * const name: MatmulConfigName = 't128x128k16uw';
 * ```
 */
export type MatmulConfigName = keyof typeof MATMUL_CONFIGS;

/** What a matmul program computes: the direct program, or a tiled configuration. */
export interface MatmulSpec {
  tiled: boolean;
  a: MajorOrder;
  b: MajorOrder;
  /** The tiled configuration (ignored by the direct program). */
  config: MatmulConfigName;
}

/** The cache key of a spec: configurations that differ only in `group` share a program. */
export function matmulKey(s: MatmulSpec): string {
  if (!s.tiled) return 'mm|d';
  const c: MatmulConfig = MATMUL_CONFIGS[s.config];
  return `mm|${c.bm}x${c.bn}k${c.bk}t${c.tm}x${c.tn}${c.db ? 'd' : ''}${c.unroll ? 'u' : ''}${c.warp8x4 ? 'w' : ''}|${s.a}|${s.b}`;
}

/** Whether staging an operand reads along k (the operand's unit stride is along k). */
function alongK(op: 'a' | 'b', order: MajorOrder): boolean {
  return op === 'a' ? order === 'row' : order === 'col';
}

/** Vec4 slots in one k-row of an operand's workgroup memory (padded when staged along k). */
function rowSlots(r: number, kFirst: boolean): number {
  return r / 4 + (kFirst ? 1 : 0);
}

/**
 * Bytes of workgroup memory a tiled program of `config` uses for operands of these major
 * orders (a device allows `limits.maxComputeWorkgroupStorageSize`).
 *
 * @example
 * ```ts
 * matmulWorkgroupBytes(MATMUL_CONFIGS.t128x128k16uw, 'row', 'row'); // 16640
 * ```
 */
export function matmulWorkgroupBytes(config: MatmulConfig, a: MajorOrder, b: MajorOrder): number {
  const slots = config.bk * (rowSlots(config.bm, alongK('a', a)) + rowSlots(config.bn, alongK('b', b)));
  return slots * 16 * (config.db ? 2 : 1);
}

/** Throws unless a configuration describes a program this generator can write. */
export function checkMatmulConfig(c: MatmulConfig): void {
  const wx = c.bn / c.tn;
  const wy = c.bm / c.tm;
  const nt = wx * wy;
  // Slots per slab must split evenly over the invocations in both staging directions.
  const ok =
    c.tm % 4 === 0 &&
    c.tn % 4 === 0 &&
    Number.isInteger(wx) &&
    Number.isInteger(wy) &&
    c.bk > 0 &&
    nt % c.bk === 0 &&
    Number.isInteger(c.group) &&
    c.group >= 1 &&
    (!c.warp8x4 || (wx % 8 === 0 && wy % 4 === 0)) &&
    [c.bm, c.bn].every((r) => nt % (r / 4) === 0 && ((r / 4) * c.bk) % nt === 0);
  if (!ok) throw new Error(`matmul: unsupported tiled configuration ${JSON.stringify(c)}`);
}

const HEADER = `${paramDecl(13)}
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;`;

const M = p(0);
const N = p(1);
const K = p(2);

const DIRECT = `${HEADER}
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

/**
 * Where invocation `tid` of `nt` finds its v-th slot in a slab of slots numbered with `inner`
 * (a divisor of `nt`) fastest: WGSL expressions for the inner and outer coordinates.
 */
function slotOf(v: number, nt: number, inner: number): [string, string] {
  return [`tid % ${inner}u`, `tid / ${inner}u + ${(nt * v) / inner}u`];
}

/** WGSL staging one operand: reads into registers and the stores into workgroup memory. */
function staging(
  op: 'a' | 'b',
  order: MajorOrder,
  c: MatmulConfig,
  nt: number,
): { decl: string[]; load: (k0: string) => string[]; store: (buf: string) => string[] } {
  const r = op === 'a' ? c.bm : c.bn;
  const q = r / 4;
  const kFirst = alongK(op, order);
  const row = rowSlots(r, kFirst);
  const slots = (q * c.bk) / nt;
  const name = op === 'a' ? 'A' : 'B';
  const base = op === 'a' ? 'aBase' : 'bBase';
  const r0 = op === 'a' ? 'm0' : 'n0';
  const lim = op === 'a' ? M : N;
  const [rStride, kStride] = op === 'a' ? [p(6), p(7)] : [p(11), p(10)];
  const decl: string[] = [];
  const coords: [string, string][] = [];
  for (let v = 0; v < slots; v++) {
    const [inner, outer] = slotOf(v, nt, kFirst ? c.bk : q);
    const [kk, s] = kFirst ? [inner, outer] : [outer, inner];
    decl.push(`let ${op}k${v} = ${kk};`, `let ${op}s${v} = ${s};`);
    // The storage offsets and bounds of this slot's four rows do not change along k.
    for (let j = 0; j < 4; j++) {
      decl.push(
        `let ${op}r${v}_${j} = ${r0} + ${op}s${v} + ${j * q}u;`,
        `let ${op}o${v}_${j} = ${base} + ${op}r${v}_${j} * ${rStride};`,
        `let ${op}in${v}_${j} = ${op}r${v}_${j} < ${lim};`,
      );
    }
    coords.push([kk, s]);
  }
  const load = (k0: string) => {
    const out: string[] = [];
    for (let v = 0; v < slots; v++) {
      const kx = `${k0} + ${op}k${v}`;
      const el = [0, 1, 2, 3].map(
        (j) =>
          `select(0.0, ${name}[${op}o${v}_${j} + (${kx}) * ${kStride}], ${op}in${v}_${j} && ${kx} < ${K})`,
      );
      out.push(`let ${op}v${v} = vec4<f32>(\n      ${el.join(',\n      ')});`);
    }
    return out;
  };
  const store = (buf: string) => {
    const out: string[] = [];
    for (let v = 0; v < slots; v++)
      out.push(`${name}s[${buf} + ${op}k${v} * ${row}u + ${op}s${v}] = ${op}v${v};`);
    return out;
  };
  return { decl, load, store };
}

/** The WGSL program of a spec. */
export function matmulSource(s: MatmulSpec): string {
  if (!s.tiled) return DIRECT;
  const c: MatmulConfig = MATMUL_CONFIGS[s.config];
  checkMatmulConfig(c);
  const wx = c.bn / c.tn;
  const wy = c.bm / c.tm;
  const nt = wx * wy;
  const ga = c.tm / 4;
  const gb = c.tn / 4;
  const rowA = rowSlots(c.bm, alongK('a', s.a));
  const rowB = rowSlots(c.bn, alongK('b', s.b));
  const sizeA = c.bk * rowA;
  const sizeB = c.bk * rowB;
  const bufs = c.db ? 2 : 1;
  const sa = staging('a', s.a, c, nt);
  const sb = staging('b', s.b, c, nt);

  const accs: string[] = [];
  for (let g = 0; g < ga; g++)
    for (let j = 0; j < 4; j++) for (let h = 0; h < gb; h++) accs.push(`var c${g}_${j}_${h} = vec4<f32>();`);

  // One slab: for each k (in a scope of its own, so that names repeat), TM/4 vec4 reads of A,
  // TN/4 of B and TM·TN/4 vec4 multiply-adds.
  const compute = (bufA: string, bufB: string) => {
    // The reads and multiply-adds of one k (`k` is its WGSL expression).
    const step = (k: string) => {
      const lines: string[] = [];
      for (let g = 0; g < ga; g++) lines.push(`let a${g} = As[${bufA} + ${k} * ${rowA}u + ${g * wy}u + ty];`);
      for (let h = 0; h < gb; h++) lines.push(`let b${h} = Bs[${bufB} + ${k} * ${rowB}u + ${h * wx}u + tx];`);
      for (let g = 0; g < ga; g++)
        for (let j = 0; j < 4; j++)
          for (let h = 0; h < gb; h++)
            lines.push(`c${g}_${j}_${h} = fma(vec4<f32>(a${g}.${'xyzw'[j]}), b${h}, c${g}_${j}_${h});`);
      return lines.join('\n      ');
    };
    if (!c.unroll) {
      return `    for (var kk = 0u; kk < ${c.bk}u; kk = kk + 1u) {\n      ${step('kk')}\n    }`;
    }
    const blocks: string[] = [];
    for (let kk = 0; kk < c.bk; kk++) blocks.push(`    {\n      ${step(`${kk}u`)}\n    }`);
    return blocks.join('\n');
  };

  const stores: string[] = [];
  for (let g = 0; g < ga; g++) {
    for (let j = 0; j < 4; j++) {
      const row = `m0 + ${g * wy + (j * c.bm) / 4}u + ty`;
      const cols: string[] = [];
      for (let h = 0; h < gb; h++) {
        for (let q = 0; q < 4; q++) {
          const col = `n0 + ${h * wx + (q * c.bn) / 4}u + tx`;
          cols.push(`if (${col} < ${N}) { C[o + ${col}] = c${g}_${j}_${h}.${'xyzw'[q]}; }`);
        }
      }
      stores.push(`if (${row} < ${M}) {
    let o = (b * ${M} + ${row}) * ${N};
    ${cols.join('\n    ')}
  }`);
    }
  }

  const ind = (xs: string[], n: number) => xs.join(`\n${' '.repeat(n)}`);
  // The invocation's place (tx, ty) in the WX×WY grid: row-major, or 8×4 per 32 invocations
  // with those groups laid row-major over the grid.
  const lanes = c.warp8x4
    ? [
        'let lane = tid % 32u;',
        'let warp = tid / 32u;',
        `let tx = (warp % ${wx / 8}u) * 8u + lane % 8u;`,
        `let ty = (warp / ${wx / 8}u) * 4u + lane / 8u;`,
      ]
    : [`let tx = tid % ${wx}u;`, `let ty = tid / ${wx}u;`];
  // The output block (m0, n0) of this workgroup: the one at its place in the order
  // (workgroup numbers run along x, then y), G blocks down each column of a band of G
  // block-rows (the last band maybe fewer) before the next column; G = 1 gives block-row wid.y,
  // column wid.x.
  const G = p(12);
  const block = [
    'let wg = wid.y * nwg.x + wid.x;',
    `let first = wg / (${G} * nwg.x) * ${G};`,
    `let rows = min(nwg.y - first, ${G});`,
    'let inBand = wg - first * nwg.x;',
    `let m0 = (first + inBand % rows) * ${c.bm}u;`,
    `let n0 = inBand / rows * ${c.bn}u;`,
  ];
  const body = c.db
    ? `  {
    ${ind(sa.load('0u'), 4)}
    ${ind(sb.load('0u'), 4)}
    ${ind(sa.store('0u'), 4)}
    ${ind(sb.store('0u'), 4)}
  }
  workgroupBarrier();
  var cur = 0u;
  for (var k0 = 0u; k0 < ${K}; k0 = k0 + ${c.bk}u) {
    // The next slab (zeros past K) is read while this one is multiplied.
    ${ind(sa.load(`k0 + ${c.bk}u`), 4)}
    ${ind(sb.load(`k0 + ${c.bk}u`), 4)}
    let curA = cur * ${sizeA}u;
    let curB = cur * ${sizeB}u;
${compute('curA', 'curB')}
    let nxt = 1u - cur;
    ${ind(sa.store(`nxt * ${sizeA}u`), 4)}
    ${ind(sb.store(`nxt * ${sizeB}u`), 4)}
    cur = nxt;
    workgroupBarrier();
  }`
    : `  for (var k0 = 0u; k0 < ${K}; k0 = k0 + ${c.bk}u) {
    ${ind(sa.load('k0'), 4)}
    ${ind(sb.load('k0'), 4)}
    ${ind(sa.store('0u'), 4)}
    ${ind(sb.store('0u'), 4)}
    workgroupBarrier();
${compute('0u', '0u')}
    workgroupBarrier();
  }`;

  return `${HEADER}
var<workgroup> As: array<vec4<f32>, ${sizeA * bufs}>;
var<workgroup> Bs: array<vec4<f32>, ${sizeB * bufs}>;
@compute @workgroup_size(${nt})
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) tid: u32,
) {
  let b = wid.z + ${p(3)};
  ${ind(block, 2)}
  let aBase = ${p(4)} + b * ${p(5)};
  let bBase = ${p(8)} + b * ${p(9)};
  ${ind(lanes, 2)}
  ${ind(sa.decl, 2)}
  ${ind(sb.decl, 2)}
  ${ind(accs, 2)}
${body}
  ${stores.join('\n  ')}
}
`;
}

/** Parameter words (see the file header); `group` is the configuration's G (1 for the direct program). */
export function matmulParams(
  M: number,
  N: number,
  K: number,
  batch0: number,
  a: { offset: number; strides: readonly number[] },
  b: { offset: number; strides: readonly number[] },
  group: number,
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
    group,
  ]);
}

/** The major order of a [batch, rows, cols] operand. */
export function majorOrder(shape: readonly number[], strides: readonly number[]): MajorOrder {
  return strides[2] !== 1 && shape[2] !== 1 && (strides[1] === 1 || shape[1] === 1) ? 'col' : 'row';
}
