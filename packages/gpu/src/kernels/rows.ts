/**
 * Fused row kernels (core's `fused` group): softmax, log-softmax and layer norm over the last
 * `L` elements of contiguous float32 rows, forward and backward. One workgroup takes one row:
 * its invocations stride along the row, and row sums and maxima meet in workgroup memory.
 * Each kernel replaces a chain of elementwise dispatches and reductions with one dispatch.
 *
 * Parameter words: rows, L, then each operand's offset in binding order (inputs, then the
 * outputs, which start at 0), then for layer norm eps as f32 bits.
 */
import { withHelpers } from './elementwise.js';
import { p, paramDecl } from './strided-index.js';

const WG = 64;

/** The fused row kernels. */
export type RowKernel =
  | 'softmax'
  | 'softmaxBackward'
  | 'logSoftmax'
  | 'logSoftmaxBackward'
  | 'layerNorm'
  | 'layerNormBackward'
  | 'columnSums';

/** A row program: which kernel, and for layer norm whether weight and bias are bound. */
export interface RowSpec {
  kernel: RowKernel;
  weight?: boolean;
  bias?: boolean;
}

/** The cache key of a spec. */
export function rowKey(s: RowSpec): string {
  return `rows|${s.kernel}|${s.weight ? 'w' : ''}${s.bias ? 'b' : ''}`;
}

/** The operands of a spec in binding order: name and whether the program writes it. */
function operands(s: RowSpec): [string, boolean][] {
  switch (s.kernel) {
    case 'softmax':
    case 'logSoftmax':
      return [
        ['x', false],
        ['y', true],
      ];
    case 'softmaxBackward':
    case 'logSoftmaxBackward':
      return [
        ['y', false],
        ['g', false],
        ['dx', true],
      ];
    case 'layerNorm':
      return [
        ['x', false],
        ...(s.weight ? ([['w', false]] as [string, boolean][]) : []),
        ...(s.bias ? ([['b', false]] as [string, boolean][]) : []),
        ['y', true],
        ['stats', true],
      ];
    case 'layerNormBackward':
      return [
        ['g', false],
        ['x', false],
        ...(s.weight ? ([['w', false]] as [string, boolean][]) : []),
        ['stats', false],
        ['dx', true],
      ];
    case 'columnSums':
      // Σ over rows of g·x̂ (into dw) and of g (into db), column by column.
      return [
        ['g', false],
        ['x', false],
        ['stats', false],
        ['dw', true],
        ['db', true],
      ];
  }
}

/** The storage bindings of a spec, read (`r`) or written (`w`), in order. */
export function rowBindings(s: RowSpec): string {
  return operands(s)
    .map(([, w]) => (w ? 'w' : 'r'))
    .join('');
}

/** Parameter words: `rows`, `L`, the operands' offsets in binding order, then eps. */
export function rowParams(rows: number, L: number, offsets: readonly number[], eps = 0): Uint32Array {
  const w = new Uint32Array(3 + offsets.length);
  w[0] = rows;
  w[1] = L;
  w.set(offsets, 2);
  new Float32Array(w.buffer)[2 + offsets.length] = eps;
  return w;
}

/** Workgroups to dispatch: one per row, or for column sums one invocation per column. */
export function rowGroups(s: RowSpec, rows: number, L: number): number {
  return s.kernel === 'columnSums' ? Math.ceil(L / WG) : rows;
}

/** The WGSL program of a spec. */
export function rowSource(s: RowSpec): string {
  const ops = operands(s);
  const decls = ops.map(
    ([name, w], i) =>
      `@group(0) @binding(${i + 1}) var<storage, ${w ? 'read_write' : 'read'}> ${name}_: array<f32>;`,
  );
  // at(name, index) reads or writes operand `name` at its offset plus `index`.
  const off = new Map(ops.map(([name], i) => [name, p(2 + i)]));
  const at = (name: string, index: string) => `${name}_[${off.get(name)} + ${index}]`;
  const eps = `bitcast<f32>(${p(2 + ops.length)})`;
  const head = `${paramDecl(3 + ops.length)}
${decls.join('\n')}`;
  if (s.kernel === 'columnSums') {
    return `${head}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let rows = ${p(0)};
  let L = ${p(1)};
  let j = gid.x;
  if (j >= L) { return; }
  var sw = 0.0;
  var sb = 0.0;
  for (var r = 0u; r < rows; r = r + 1u) {
    let gv = ${at('g', 'r * L + j')};
    sw = sw + gv * (${at('x', 'r * L + j')} - ${at('stats', '2u * r')}) * ${at('stats', '2u * r + 1u')};
    sb = sb + gv;
  }
  ${at('dw', 'j')} = sw;
  ${at('db', 'j')} = sb;
}
`;
  }
  const loop = (body: string) => `for (var j = t; j < L; j = j + ${WG}u) { ${body} }`;
  let body: string;
  switch (s.kernel) {
    case 'softmax':
    case 'logSoftmax': {
      const write =
        s.kernel === 'softmax'
          ? `${at('y', 'base + j')} = exp(${at('x', 'base + j')} - mx) / total;`
          : `${at('y', 'base + j')} = ${at('x', 'base + j')} - mx - lt;`;
      body = `var m = -inf_f();
  ${loop(`m = max(m, ${at('x', 'base + j')});`)}
  let mx = reduceMax(m, t);
  var e = 0.0;
  ${loop(`e = e + exp(${at('x', 'base + j')} - mx);`)}
  let total = reduceSum(e, t);
  let lt = log(total);
  ${loop(write)}`;
      break;
    }
    case 'softmaxBackward':
      body = `var d = 0.0;
  ${loop(`d = d + ${at('y', 'base + j')} * ${at('g', 'base + j')};`)}
  let dot = reduceSum(d, t);
  ${loop(`${at('dx', 'base + j')} = ${at('y', 'base + j')} * (${at('g', 'base + j')} - dot);`)}`;
      break;
    case 'logSoftmaxBackward':
      body = `var d = 0.0;
  ${loop(`d = d + ${at('g', 'base + j')};`)}
  let total = reduceSum(d, t);
  ${loop(`${at('dx', 'base + j')} = ${at('g', 'base + j')} - exp(${at('y', 'base + j')}) * total;`)}`;
      break;
    case 'layerNorm': {
      let v = '(xv - mean) * rstd';
      if (s.weight) v = `${v} * ${at('w', 'j')}`;
      if (s.bias) v = `${v} + ${at('b', 'j')}`;
      body = `var a = 0.0;
  ${loop(`a = a + ${at('x', 'base + j')};`)}
  let mean = reduceSum(a, t) / f32(L);
  var q = 0.0;
  ${loop(`let c = ${at('x', 'base + j')} - mean; q = q + c * c;`)}
  let rstd = 1.0 / sqrt(reduceSum(q, t) / f32(L) + ${eps});
  if (t == 0u) { ${at('stats', '2u * row')} = mean; ${at('stats', '2u * row + 1u')} = rstd; }
  ${loop(`let xv = ${at('x', 'base + j')}; ${at('y', 'base + j')} = ${v};`)}`;
      break;
    }
    case 'layerNormBackward': {
      const gh = s.weight ? `${at('g', 'base + j')} * ${at('w', 'j')}` : at('g', 'base + j');
      body = `let mean = ${at('stats', '2u * row')};
  let rstd = ${at('stats', '2u * row + 1u')};
  var a = 0.0;
  var c = 0.0;
  ${loop(`let gh = ${gh}; a = a + gh; c = c + gh * (${at('x', 'base + j')} - mean) * rstd;`)}
  let sa = reduceSum(a, t) / f32(L);
  let sc = reduceSum(c, t) / f32(L);
  ${loop(`let gh = ${gh}; let xh = (${at('x', 'base + j')} - mean) * rstd; ${at('dx', 'base + j')} = rstd * (gh - sa - xh * sc);`)}`;
      break;
    }
  }
  return withHelpers(`${head}
var<workgroup> red: array<f32, ${WG}>;

fn reduceSum(v: f32, t: u32) -> f32 {
  red[t] = v;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (t < s) { red[t] = red[t] + red[t + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

fn reduceMax(v: f32, t: u32) -> f32 {
  red[t] = v;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (t < s) { red[t] = max(red[t], red[t + s]); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= ${p(0)}) { return; }
  let L = ${p(1)};
  let base = row * L;
  ${body}
}
`);
}
