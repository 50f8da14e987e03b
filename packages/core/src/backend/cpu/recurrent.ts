/**
 * The fused LSTM cell for the CPU: one pass over a step's gates instead of a dozen elementwise
 * ops (adds, three sigmoids, two tanhs, products) and their intermediates, forward and
 * backward. Float32 operands in the arena run in WebAssembly (`lstm_fwd`, `lstm_bwd` in
 * `elementwise-wat.mjs`), the rest in the TypeScript loops here.
 */
import type { TypedArray } from '../../dtype.js';
import type { View } from '../backend.js';
import { alloc } from './alloc.js';
import { lstmCellBackwardWasm, lstmCellWasm, type RowsAt } from './kernels/wasm/elementwise-wasm.js';
import { sigmoid } from './math.js';

/** A [rows, cols] view with unit column stride: its storage, first element and row stride. */
function rowsAt(v: View): RowsAt & { generic: TypedArray } {
  const s = v.storage as TypedArray;
  return { data: s as Float32Array, generic: s, offset: v.layout.offset, stride: v.layout.strides[0]! };
}

const float32 = (...vs: View[]) => vs.every((v) => v.storage instanceof Float32Array);

/**
 * One LSTM step from the gate pre-activations gx + gh ([B, 4H], gates i, f, g, o) and the
 * previous cell c ([B, H]): hc = [h | c'] ([B, 2H]) and the activations ([B, 4H]).
 */
export function lstmCell(gx: View, gh: View, c: View): { hc: TypedArray; acts: TypedArray } {
  const [B, H] = c.layout.shape as [number, number];
  const hc = alloc(gx.dtype, 2 * B * H);
  const acts = alloc(gx.dtype, 4 * B * H);
  const x = rowsAt(gx);
  const y = rowsAt(gh);
  const cp = rowsAt(c);
  if (float32(gx, gh, c) && lstmCellWasm(x, y, cp, B, H, hc as Float32Array, acts as Float32Array)) {
    return { hc, acts };
  }
  const [xs, ys, cs] = [x.generic, y.generic, cp.generic];
  for (let b = 0; b < B; b++) {
    const xo = x.offset + b * x.stride;
    const yo = y.offset + b * y.stride;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(xs[xo + j]! + ys[yo + j]!);
      const f = sigmoid(xs[xo + H + j]! + ys[yo + H + j]!);
      const g = Math.tanh(xs[xo + 2 * H + j]! + ys[yo + 2 * H + j]!);
      const o = sigmoid(xs[xo + 3 * H + j]! + ys[yo + 3 * H + j]!);
      const a = b * 4 * H + j;
      acts[a] = i;
      acts[a + H] = f;
      acts[a + 2 * H] = g;
      acts[a + 3 * H] = o;
      const c2 = f * cs[cp.offset + b * cp.stride + j]! + i * g;
      hc[b * 2 * H + H + j] = c2;
      hc[b * 2 * H + j] = o * Math.tanh(c2);
    }
  }
  return { hc, acts };
}

/**
 * The gradient of one LSTM step for the gradient g of hc: of the gate pre-activations
 * ([B, 4H]) and of the previous cell ([B, H]).
 */
export function lstmCellBackward(
  acts: View,
  c: View,
  hc: View,
  g: View,
): { dGates: TypedArray; dc: TypedArray } {
  const [B, H] = c.layout.shape as [number, number];
  const dGates = alloc(acts.dtype, 4 * B * H);
  const dc = alloc(acts.dtype, B * H);
  const [a, cp, y, gr] = [rowsAt(acts), rowsAt(c), rowsAt(hc), rowsAt(g)];
  if (
    float32(acts, c, hc, g) &&
    lstmCellBackwardWasm(a, cp, y, gr, B, H, dGates as Float32Array, dc as Float32Array)
  ) {
    return { dGates, dc };
  }
  const [as, cs, ys, gs] = [a.generic, cp.generic, y.generic, gr.generic];
  for (let b = 0; b < B; b++) {
    const ao = a.offset + b * a.stride;
    const yo = y.offset + b * y.stride;
    const go = gr.offset + b * gr.stride;
    for (let j = 0; j < H; j++) {
      const i = as[ao + j]!;
      const f = as[ao + H + j]!;
      const gg = as[ao + 2 * H + j]!;
      const o = as[ao + 3 * H + j]!;
      const t = Math.tanh(ys[yo + H + j]!);
      const gh = gs[go + j]!;
      const d = gs[go + H + j]! + gh * o * (1 - t * t);
      const r = b * 4 * H + j;
      dc[b * H + j] = d * f;
      dGates[r] = d * gg * (i * (1 - i));
      dGates[r + H] = d * cs[cp.offset + b * cp.stride + j]! * (f * (1 - f));
      dGates[r + 2 * H] = d * i * (1 - gg * gg);
      dGates[r + 3 * H] = gh * t * (o * (1 - o));
    }
  }
  return { dGates, dc };
}
