/**
 * PyTorch-style printing: `tensor([[1.0000, 2.0000], [3.0000, 4.0000]], requiresGrad=true)`.
 */
import { isFloating } from './dtype.js';
import type { Tensor } from './tensor.js';

const EDGE = 3;
const SUMMARIZE_OVER = 1000;

function fmtNumber(v: number, floating: boolean, sci: boolean): string {
  if (!floating) return String(v);
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  // PyTorch writes exponents with at least two digits: 1.0000e-05.
  return sci ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : v.toFixed(4);
}

/** Formats a CPU tensor's values with a shared width, eliding the middle of big tensors. */
export function formatTensor(t: Tensor): string {
  const data = t.dataSync();
  const floating = isFloating(t.dtype);
  const bool = t.dtype === 'bool';
  let maxAbs = 0;
  let minAbs = Infinity;
  for (let i = 0; i < data.length; i++) {
    const a = Math.abs(data[i]!);
    if (Number.isFinite(a)) {
      maxAbs = Math.max(maxAbs, a);
      if (a > 0) minAbs = Math.min(minAbs, a);
    }
  }
  const sci = floating && (maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs !== Infinity));
  const strs = Array.from(data, (v) => (bool ? (v ? 'True' : 'False') : fmtNumber(v, floating, sci)));
  const width = strs.reduce((w, s) => Math.max(w, s.length), 0);
  const summarize = data.length > SUMMARIZE_OVER;
  const shape = t.shape;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const render = (dim: number, start: number, indent: string): string => {
    if (shape.length === 0) return strs[0]!.padStart(width);
    const n = shape[dim]!;
    const idx: (number | null)[] = [];
    if (summarize && n > 2 * EDGE) {
      for (let i = 0; i < EDGE; i++) idx.push(i);
      idx.push(null);
      for (let i = n - EDGE; i < n; i++) idx.push(i);
    } else for (let i = 0; i < n; i++) idx.push(i);
    if (dim === shape.length - 1) {
      return `[${idx.map((i) => (i === null ? '...' : strs[start + i]!.padStart(width))).join(', ')}]`;
    }
    const sep = `,${'\n'.repeat(shape.length - dim - 1)}${indent} `;
    return `[${idx.map((i) => (i === null ? '...' : render(dim + 1, start + i * strides[dim]!, `${indent} `))).join(sep)}]`;
  };
  const extras: string[] = [];
  if (t.dtype !== 'float32' && t.dtype !== 'bool' && t.dtype !== 'int32') extras.push(`dtype=${t.dtype}`);
  if (t.dtype === 'int32' && t.numel === 0) extras.push('dtype=int32');
  if (t.device !== 'cpu') extras.push(`device='${t.device}'`);
  if (t.gradFn !== null) extras.push(`gradFn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) extras.push('requiresGrad=true');
  const body = render(0, 0, '       ');
  return `tensor(${body}${extras.map((e) => `, ${e}`).join('')})`;
}

/**
 * One number as `explain()` and the graph drawings write it: at most four decimals and no
 * trailing zeros (0.4502, 0.85, 1), exponent form for magnitudes below 1e-4 or from 1e6 on.
 */
export function formatShort(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v === 0 ? 0 : v);
  const a = Math.abs(v);
  if (a < 1e-4 || a >= 1e6) return v.toExponential(3);
  const s = String(Number(v.toFixed(4)));
  return s === '-0' ? '0' : s;
}

/**
 * Numbers as `formatShort` writes them: one alone, several in brackets, nested by `shape`
 * when it has several dims (`[[1, 2], [3, 4]]`).
 */
export function formatShortList(values: ArrayLike<number>, shape?: readonly number[]): string {
  const parts = Array.from(values, formatShort);
  if (parts.length === 1) return parts[0]!;
  const dims = shape !== undefined && shape.length > 1 ? shape : [parts.length];
  let k = 0;
  const nest = (d: number): string => {
    const items: string[] = [];
    for (let i = 0; i < dims[d]!; i++) items.push(d === dims.length - 1 ? parts[k++]! : nest(d + 1));
    return `[${items.join(', ')}]`;
  };
  return nest(0);
}
