/**
 * A loss curve on a canvas: steps along x, loss along y (from 0 to the largest value seen).
 */

/**
 * Draws `points` ([step, loss] pairs) as a line, with the axis range written in the corners.
 *
 * @example
 * ```ts
 * drawLoss(canvas, [[0, 0.7], [10, 0.5]], 500);
 * ```
 */
export function drawLoss(
  canvas: HTMLCanvasElement,
  points: readonly [number, number][],
  maxStep: number,
): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const { width: w, height: h } = canvas;
  const pad = 30;
  ctx.clearRect(0, 0, w, h);
  ctx.strokeStyle = '#999';
  ctx.beginPath();
  ctx.moveTo(pad, pad / 2);
  ctx.lineTo(pad, h - pad);
  ctx.lineTo(w - pad / 2, h - pad);
  ctx.stroke();
  if (points.length === 0) return;
  const top = Math.max(...points.map((p) => p[1]), 1e-9);
  const x = (step: number) => pad + ((w - 1.5 * pad) * step) / Math.max(maxStep, 1);
  const y = (loss: number) => h - pad - ((h - 1.5 * pad) * loss) / top;
  ctx.strokeStyle = '#c33';
  ctx.lineWidth = 2;
  ctx.beginPath();
  for (const [i, [s, l]] of points.entries()) {
    if (i === 0) ctx.moveTo(x(s), y(l));
    else ctx.lineTo(x(s), y(l));
  }
  ctx.stroke();
  ctx.fillStyle = '#555';
  ctx.font = '12px sans-serif';
  ctx.fillText(top.toFixed(3), 2, pad / 2 + 8);
  ctx.fillText('0', pad - 12, h - pad);
  ctx.fillText(`step ${maxStep}`, w - 70, h - 8);
}
