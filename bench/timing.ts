/**
 * Timing helpers: warm up, then time several repetitions and keep the median, so that one
 * garbage collection or JIT recompilation does not decide a result.
 */

/** How long to spend measuring one function, and the repetition bounds. */
export interface MeasureOptions {
  /** Rough wall-clock budget in ms for the timed repetitions (default 600). */
  budgetMs?: number;
  /** Warm-up time in ms for fast functions (default a fifth of the budget). */
  warmupMs?: number;
  /** Fewest timed repetitions (default 3). */
  minReps?: number;
  /** Most timed repetitions (default 15). */
  maxReps?: number;
  /** {@link measureInterleaved}: how long each function runs in one turn (default 250 ms). */
  turnMs?: number;
}

/** A call slower than this is timed once: repeating it would blow the whole run's budget. */
const SINGLE_CALL_MS = 3000;

/** Milliseconds per call of `fn` over `calls` calls in a row. */
function perCall(fn: () => void, calls: number): number {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) fn();
  return (performance.now() - t0) / calls;
}

/** Calls `fn` for `ms` (at least twice) so the JIT settles; returns milliseconds per call. */
function warmUp(fn: () => void, ms: number): number {
  const end = performance.now() + ms;
  let calls = 0;
  const t0 = performance.now();
  while (performance.now() < end || calls < 2) {
    fn();
    calls++;
  }
  return (performance.now() - t0) / calls;
}

/** Repetitions that fit `budget` ms at `repMs` each, within the options' bounds. */
function repsFor(budget: number, repMs: number, opts: MeasureOptions): number {
  return Math.min(opts.maxReps ?? 15, Math.max(opts.minReps ?? 3, Math.floor(budget / repMs)));
}

/**
 * Median milliseconds per call of `fn` over several timed repetitions after a warm-up. A call
 * slower than the budget is timed twice (the faster counts), once if slower than 3 s.
 */
export function measure(fn: () => void, opts: MeasureOptions = {}): number {
  const budget = opts.budgetMs ?? 600;
  // Warm-up: at least one call, more for fast functions, so the JIT has settled.
  let first = perCall(fn, 1);
  // Calls of seconds each: warm-up costs are noise next to them; time one more at most.
  if (first > budget) return first > SINGLE_CALL_MS ? first : Math.min(first, perCall(fn, 1));
  const warmup = opts.warmupMs ?? budget / 5;
  if (first < warmup) first = warmUp(fn, warmup);
  // Each repetition runs enough calls to last about 20 ms, so timer resolution does not matter.
  const inner = Math.max(1, Math.round(20 / Math.max(first, 1e-3)));
  const reps = repsFor(budget, inner * first, opts);
  const times: number[] = [];
  for (let r = 0; r < reps; r++) times.push(perCall(fn, inner));
  return median(times);
}

/** The medians of {@link measureInterleavedStats}. */
export function measureInterleaved(fns: readonly (() => void)[], opts: MeasureOptions = {}): number[] {
  return measureInterleavedStats(fns, opts).map((s) => s.median);
}

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Mean and median milliseconds per call. */
export interface Stats {
  mean: number;
  median: number;
}

/**
 * Mean and median milliseconds per call of each of `fns`, timed in alternation: every round
 * runs each function in turn for `turnMs`, so a slow spell of a shared machine hits them all
 * alike and their ratios stay fair. Turns are long enough for each function to reach its
 * steady state, garbage collection included, which the mean shows beside the median.
 */
export function measureInterleavedStats(fns: readonly (() => void)[], opts: MeasureOptions = {}): Stats[] {
  const budget = opts.budgetMs ?? 600;
  const warmup = opts.warmupMs ?? budget / 5;
  const first = fns.map((fn) => warmUp(fn, warmup));
  const turn = opts.turnMs ?? 250;
  const inner = first.map((ms) => Math.max(1, Math.round(turn / Math.max(ms, 1e-3))));
  const roundMs = first.reduce((sum, ms, i) => sum + ms * inner[i]!, 0);
  const reps = repsFor(budget * fns.length, roundMs, opts);
  const times = fns.map(() => [] as number[]);
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < fns.length; i++) times[i]!.push(perCall(fns[i]!, inner[i]!));
  }
  return times.map((ts) => ({ mean: ts.reduce((a, b) => a + b, 0) / ts.length, median: median(ts) }));
}

/** One side of an interleaved comparison: runs for about `ms` and returns the ms of each call. */
export interface Contender {
  /**
   * Calls the contender until `ms` have passed (at least once) and returns the milliseconds of
   * each call; with `leadMs`, the turn first calls it untimed for that long (at least once).
   */
  turn(ms: number, leadMs?: number): number[] | Promise<number[]>;
  /** Frees what the contender holds (a peer process) once the comparison is over. */
  close?(): void;
}

/** A function of this process as a contender (see {@link Contender.turn}). */
export function localContender(fn: () => void): Contender {
  return {
    turn(ms, leadMs = 0) {
      if (leadMs > 0) {
        const lead = performance.now() + leadMs;
        do fn();
        while (performance.now() < lead);
      }
      const times: number[] = [];
      const end = performance.now() + ms;
      do {
        const t0 = performance.now();
        fn();
        times.push(performance.now() - t0);
      } while (performance.now() < end);
      return times;
    },
  };
}

/** Options of {@link interleaveStats}. */
export interface InterleaveOptions {
  /** Each contender's warm-up turn, not counted (default 500 ms; 0 for none). */
  warmupMs?: number;
  /** Length of one turn (default 250 ms). */
  turnMs?: number;
  /** Rounds of turns (default 8). */
  rounds?: number;
  /** Calls every contender makes at least, rounds added as needed (default 20). */
  minCalls?: number;
  /**
   * Untimed lead-in at the start of every turn, in ms (default 0). A contender that was idle
   * through the others' turns starts slower for a few calls (cold caches; on a small virtual
   * machine, worker threads whose cores were handed elsewhere), which a training loop that
   * runs step after step does not see; the lead-in leaves those calls out, for every
   * contender alike.
   */
  leadMs?: number;
}

/**
 * Mean and median milliseconds per call of each contender, timed in alternation: after a
 * warm-up turn each, every round gives each contender one turn of `turnMs`, so a slow spell
 * of a shared machine hits them all alike and their ratios stay fair. Every call is timed on
 * its own; the mean is the total time over the calls (garbage collection included), the
 * median that of the single calls. Contenders may be other processes (see `torchContender`).
 */
export async function interleaveStats(
  contenders: readonly Contender[],
  opts: InterleaveOptions = {},
): Promise<Stats[]> {
  const turnMs = opts.turnMs ?? 250;
  const rounds = opts.rounds ?? 8;
  const minCalls = opts.minCalls ?? 20;
  const warmup = opts.warmupMs ?? 500;
  const lead = opts.leadMs ?? 0;
  if (warmup > 0) for (const c of contenders) await c.turn(warmup);
  const times = contenders.map(() => [] as number[]);
  for (let r = 0; r < 8 * rounds; r++) {
    if (r >= rounds && times.every((ts) => ts.length >= minCalls)) break;
    for (let i = 0; i < contenders.length; i++) times[i]!.push(...(await contenders[i]!.turn(turnMs, lead)));
  }
  return times.map((ts) => ({ mean: ts.reduce((a, b) => a + b, 0) / ts.length, median: median(ts) }));
}
