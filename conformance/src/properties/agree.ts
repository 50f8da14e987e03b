/**
 * The verdict of one call against its reference: a call the reference rejects must throw a
 * TsgradError; any other call must return a tensor of the reference's shape, dtype and
 * values (within the error the reference allows). Any other exception fails, and so does a
 * TsgradError for a valid call (unless the reference says refusing it is right too).
 */
import { type Tensor, TsgradError } from '@tsgrad/core';
import { type Arr, type DType, Rejected } from './reference.js';

/** Runs `actual` and `expected`; throws (failing the property) when they disagree. */
export function agree(what: string, actual: () => unknown, expected: () => Arr): void {
  let want: Arr | Rejected;
  try {
    want = expected();
  } catch (e) {
    if (!(e instanceof Rejected)) throw e;
    want = e;
  }
  let got: unknown;
  try {
    got = actual();
  } catch (e) {
    if (!(e instanceof TsgradError)) {
      throw new Error(`${what}: threw ${(e as Error)?.name}: ${(e as Error)?.message} (not a TsgradError)`);
    }
    if (want instanceof Rejected || want.orReject !== undefined) return;
    throw new Error(`${what}: threw ${e.name}: ${e.message}, but it is valid: expected ${show(want)}`);
  }
  if (want instanceof Rejected) {
    throw new Error(`${what}: returned ${describe(got)}, but the call is invalid (${want.message})`);
  }
  compare(what, got as Tensor, want);
}

function compare(what: string, got: Tensor, want: Arr): void {
  const shape = got?.shape;
  if (!Array.isArray(shape)) throw new Error(`${what}: returned ${describe(got)}, not a tensor`);
  if (shape.join() !== want.shape.join() || got.dtype !== want.dtype) {
    throw new Error(`${what}: gave ${describe(got)}, expected ${show(want)}`);
  }
  const data = got.dataSync();
  for (let i = 0; i < want.data.length; i++) {
    if (!close(data[i]!, want.data[i]!, want.err?.[i] ?? 0, want.ulps ?? 0, want.dtype)) {
      throw new Error(
        `${what}: element ${i} is ${data[i]}, expected ${want.data[i]}` +
          `${want.err?.[i] ? ` ± ${want.err[i]}` : ''} (${describe(got)}: ${fmt(Array.from(data))})`,
      );
    }
  }
}

/** Whether `got` is `want` (NaN equals NaN, -0 equals 0) within `err`, or `ulps` units apart. */
export function close(got: number, want: number, err: number, ulps: number, dtype: DType): boolean {
  if (Number.isNaN(want)) return Number.isNaN(got) || err === Number.POSITIVE_INFINITY;
  if (got === want || err === Number.POSITIVE_INFINITY) return true;
  if (!Number.isFinite(want) || !Number.isFinite(got)) return false;
  // A rounding error bound also allows the last rounding to the dtype.
  const slack = err > 0 ? 1 : 0;
  if (Math.abs(got - want) <= err) return true;
  return ulpDistance(got, want, dtype) <= ulps + slack;
}

/** How many representable values of `dtype` lie between a and b. */
function ulpDistance(a: number, b: number, dtype: DType): number {
  if (dtype === 'float32') {
    const i = new Int32Array(new Float32Array([a, b]).buffer);
    const key = (v: number) => (v < 0 ? -(v & 0x7fffffff) : v);
    return Math.abs(key(i[0]!) - key(i[1]!));
  }
  if (dtype === 'float64') {
    const i = new BigInt64Array(new Float64Array([a, b]).buffer);
    const key = (v: bigint) => (v < 0n ? -(v & 0x7fffffffffffffffn) : v);
    const d = key(i[0]!) - key(i[1]!);
    return Number(d < 0n ? -d : d);
  }
  return Number.POSITIVE_INFINITY;
}

function describe(v: unknown): string {
  const t = v as Tensor;
  if (t !== null && typeof t === 'object' && Array.isArray(t.shape))
    return `a ${t.dtype} tensor [${t.shape}]`;
  return typeof v;
}

function show(a: Arr): string {
  return `a ${a.dtype} tensor [${a.shape}] ${fmt(a.data)}`;
}

function fmt(v: readonly number[]): string {
  const s = v.slice(0, 12).join(', ');
  return `[${s}${v.length > 12 ? ', …' : ''}]`;
}

/** An argument as a failure message shows it. */
export function arg(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return `[${v.map(arg).join(', ')}]`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (v !== null && typeof v === 'object') return '{}';
  return String(v);
}
