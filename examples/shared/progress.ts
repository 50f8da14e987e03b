/**
 * A progress bar for the examples' training loops: `[=====     ] 50/100  loss 0.4123  ETA 0:12`.
 * On a terminal it redraws in place on stderr; in a log (no TTY) it prints a line every tenth.
 */

/** Formats seconds as m:ss (or --:-- while unknown). */
export function clock(sec: number): string {
  if (!Number.isFinite(sec)) return '--:--';
  const s = Math.max(0, Math.round(sec));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** A bar over `total` steps; `update(done, fields)` draws it, `end()` finishes the line. */
export class ProgressBar {
  private readonly started = performance.now();
  private lastTenth = -1;
  private readonly tty = process.stderr.isTTY === true;

  /**
   * @param total - the number of steps
   * @param label - printed before the bar (e.g. `epoch 1/3`)
   */
  constructor(
    readonly total: number,
    readonly label = '',
  ) {}

  /** Draws the bar at `done` steps, followed by `fields` (e.g. `{ loss: '0.4123' }`) and the ETA. */
  update(done: number, fields: Record<string, string> = {}): void {
    const width = 24;
    const filled = Math.round((Math.min(done, this.total) / this.total) * width);
    const elapsed = (performance.now() - this.started) / 1000;
    const eta = done > 0 ? (elapsed / done) * (this.total - done) : Number.NaN;
    const extra = Object.entries(fields)
      .map(([k, v]) => `  ${k} ${v}`)
      .join('');
    const pad = String(this.total).length;
    const line =
      `${this.label ? `${this.label} ` : ''}[${'='.repeat(filled)}${' '.repeat(width - filled)}] ` +
      `${String(done).padStart(pad)}/${this.total}${extra}  ETA ${clock(eta)}`;
    if (this.tty) {
      process.stderr.write(`\r${line}\x1b[K`);
      return;
    }
    const tenth = Math.floor((done / this.total) * 10);
    if (tenth !== this.lastTenth) {
      this.lastTenth = tenth;
      console.log(line);
    }
  }

  /** Ends the bar's line on a terminal; returns the seconds since the bar was made. */
  end(): number {
    if (this.tty) process.stderr.write('\n');
    return (performance.now() - this.started) / 1000;
  }
}
