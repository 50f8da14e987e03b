/**
 * The LSTM cell as one op: a backend's fused kernel where it has one (one pass over a step's
 * gates, forward and backward, instead of a dozen elementwise ops), else the composite, which
 * is its reference and the gradient of a pass that builds a graph.
 */
import { isGradEnabled, isTracing } from '../autograd/grad-mode.js';
import { record } from '../autograd/node.js';
import { isFloating } from '../dtype.js';
import { DTypeError, formatShape, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { fromStorage, sameDevice } from './make.js';
import { cat } from './movement.js';

/** `t`, or a copy of it when its columns are not adjacent (what the fused kernels read). */
function unitColumns(t: Tensor): Tensor {
  return t.strides[1] === 1 ? t : t.contiguous();
}

/**
 * One LSTM step in PyTorch's gate order (input, forget, cell, output): from the gate
 * pre-activations gx + gh ([B, 4H], the input's and the hidden state's parts) and the
 * previous cell c ([B, H]), hc = [h | c'] ([B, 2H]) with c' = σ(f)·c + σ(i)·tanh(g) and
 * h = σ(o)·tanh(c').
 *
 * @example
 * ```ts
 * const hc = lstmCell(x.matmul(wIh.T), h.matmul(wHh.T), c); // [B, 2H]
 * const [h2, c2] = [hc.narrow(1, 0, H), hc.narrow(1, H, H)];
 * ```
 */
export function lstmCell(gx: Tensor, gh: Tensor, c: Tensor): Tensor {
  const backend = sameDevice('lstmCell', gx, gh, c);
  const [B, H] = c.shape as [number, number];
  if (
    c.ndim !== 2 ||
    gx.ndim !== 2 ||
    gh.ndim !== 2 ||
    gx.shape[0] !== B ||
    gh.shape[0] !== B ||
    gx.shape[1] !== 4 * H ||
    gh.shape[1] !== 4 * H
  ) {
    throw new ShapeError(
      `lstmCell: expected gates [B, 4H] and cell [B, H], got ${formatShape(gx.shape)}, ${formatShape(gh.shape)} and ${formatShape(c.shape)}`,
    );
  }
  if (!isFloating(gx.dtype) || gh.dtype !== gx.dtype || c.dtype !== gx.dtype) {
    throw new DTypeError(`lstmCell: expected one float dtype, got ${gx.dtype}, ${gh.dtype} and ${c.dtype}`);
  }
  const kernels = backend.fused;
  if (kernels?.lstmCell === undefined || isTracing() || B * H === 0) return lstmCellComposite(gx, gh, c);
  const [x, y, cp] = [unitColumns(gx), unitColumns(gh), unitColumns(c)];
  const r = kernels.lstmCell(x._view('lstmCell'), y._view('lstmCell'), cp._view('lstmCell'));
  for (const [t, u] of [
    [x, gx],
    [y, gh],
  ] as const) {
    if (t !== u) t.dispose();
  }
  const hc = fromStorage(backend, r.hc, [B, 2 * H], gx.dtype);
  const acts = fromStorage(backend, r.acts, [B, 4 * H], gx.dtype);
  return record(hc, 'lstmCell', [gx, gh, c], [gx, gh, c, hc], (g) => {
    if (isGradEnabled() || kernels.lstmCellBackward === undefined) return lstmCellGrads(g, gx, gh, c);
    const gc = unitColumns(g);
    const d = kernels.lstmCellBackward(
      acts._view('lstmCell'),
      cp._view('lstmCell'),
      hc._view('lstmCell'),
      gc._view('lstmCell'),
    );
    if (gc !== g) gc.dispose();
    const dGates = fromStorage(backend, d.dGates, [B, 4 * H], gx.dtype);
    return [dGates, dGates, fromStorage(backend, d.dc, [B, H], gx.dtype)];
  });
}

/** The four gate activations (i, f, g, o) of gates gx + gh. */
function activations(gx: Tensor, gh: Tensor, H: number): [Tensor, Tensor, Tensor, Tensor] {
  const g = gx.add(gh);
  return [
    g.narrow(1, 0, H).sigmoid(),
    g.narrow(1, H, H).sigmoid(),
    g.narrow(1, 2 * H, H).tanh(),
    g.narrow(1, 3 * H, H).sigmoid(),
  ];
}

/** The step in elementwise ops: the reference of the fused kernel. */
function lstmCellComposite(gx: Tensor, gh: Tensor, c: Tensor): Tensor {
  const [i, f, g, o] = activations(gx, gh, c.shape[1]!);
  const c2 = f.mul(c).add(i.mul(g));
  return cat([o.mul(c2.tanh()), c2], 1);
}

/**
 * The gradients of the step for the gradient of hc, in tensor ops from the inputs (so a pass
 * that builds a graph can differentiate them): one for gx and gh alike, one for c.
 */
function lstmCellGrads(grad: Tensor, gx: Tensor, gh: Tensor, c: Tensor): Tensor[] {
  const H = c.shape[1]!;
  const [i, f, g, o] = activations(gx, gh, H);
  const c2 = f.mul(c).add(i.mul(g));
  const t = c2.tanh();
  const dh = grad.narrow(1, 0, H);
  const dc = grad.narrow(1, H, H).add(dh.mul(o).mul(t.mul(t).neg().add(1)));
  const slope = (s: Tensor) => s.mul(s.neg().add(1));
  const dGates = cat(
    [
      dc.mul(g).mul(slope(i)),
      dc.mul(c).mul(slope(f)),
      dc.mul(i).mul(g.mul(g).neg().add(1)),
      dh.mul(t).mul(slope(o)),
    ],
    1,
  );
  return [dGates, dGates, dc.mul(f)];
}
