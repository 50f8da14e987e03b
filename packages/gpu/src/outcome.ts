/**
 * Which results a GPU failure spoils.
 *
 * WebGPU reports a failed command late, through error scopes, and a command buffer that fails
 * validation runs none of its commands. So the unit that fails is the batch: the commands of
 * one submit, with the buffers, programs and bind groups its ops created. If a batch fails,
 * every buffer written in it holds garbage, and so does every buffer later computed from one
 * of those.
 *
 * Each write leaves an {@link Origin} on the buffer it wrote: the batch, the op, and the
 * origins of what the command read. Reading a buffer resolves its origin: the read throws the
 * failure of any batch the contents come from, naming the op, and reads of buffers with a
 * clean history are unaffected. Resolved history is dropped, so origins stay short.
 */
import { DeviceError, formatShape } from '@tsgrad/core';

/** An op as error messages name it: its name and the shapes it was called with. */
export class OpInfo {
  constructor(
    readonly name: string,
    readonly shapes: readonly (readonly number[])[],
  ) {}

  toString(): string {
    return this.shapes.length === 0
      ? this.name
      : `${this.name} of ${this.shapes.map(formatShape).join(' and ')}`;
  }
}

/** What went wrong: the ops that failed and the device's message. */
export interface Fault {
  readonly ops: readonly OpInfo[];
  readonly message: string;
}

/** The work of one submit: its ops, and the answers of the error scopes guarding it. */
export class Batch {
  /** The ops that recorded commands or created objects in it. */
  readonly ops: OpInfo[] = [];
  /** Set once every answer is in; `fault` is then final. */
  settled = false;
  fault: Fault | null = null;
  /** Resolves when settled (set by `close`). */
  outcome: Promise<void> = Promise.resolve();
  private readonly answers: Promise<string | null>[] = [];

  /** Notes that `op` worked in this batch. */
  add(op: OpInfo): void {
    if (this.ops[this.ops.length - 1] !== op) this.ops.push(op);
  }

  /** Adds the answer of an error scope: an error message, or null. */
  expect(answer: Promise<string | null>): void {
    this.answers.push(answer);
  }

  /** Ends the batch: it settles, failed with the first error, once every answer is in. */
  close(): Promise<void> {
    this.outcome = Promise.all(this.answers).then((messages) => {
      const message = messages.find((m) => m !== null);
      if (message != null) this.fault = { ops: this.ops, message };
      this.settled = true;
    });
    return this.outcome;
  }
}

/** How the buffer pool and the pipeline cache create device objects (the recorder does it). */
export interface Guard {
  /** Gives the current op a batch of its own and returns it. */
  isolate(): Batch;
  /** Runs device calls inside error scopes that count against the current batch. */
  guarded<T>(call: () => T): T;
  /** What to keep as a reused object's `createdIn` (null once known good); isolates if it failed. */
  vet(createdIn: Batch): Batch | null;
}

/** Where a buffer's contents came from. */
export class Origin {
  constructor(
    /** The op whose command wrote the buffer last. */
    readonly op: OpInfo,
    /** The batch that command ran in; null once resolved. */
    public batch: Batch | null,
    /** Origins of what the command read (and of the buffer before a partial write); null once resolved. */
    public from: Origin[] | null,
    /** Once resolved: the fault in the history, or null for a clean one. */
    public fault: Fault | null = null,
  ) {}
}

/** Returned by {@link resolve} while a batch in the history has not answered. */
export const PENDING = Symbol('pending');

/**
 * The origin of what a command of `op`, running in `batch`, writes after reading `buffers`
 * (every buffer it binds, written ones too: a partial write keeps what was there).
 */
export function originOf(
  op: OpInfo,
  batch: Batch,
  buffers: readonly { readonly origin: Origin | null; readonly shared?: boolean }[],
): Origin {
  let from: Origin[] | null = null;
  for (let i = 0; i < buffers.length; i++) {
    const buf = buffers[i]!;
    const p = buf.origin;
    if (p === null || buf.shared === true) continue;
    const r = p.from === null ? p.fault : p.batch?.settled === false ? PENDING : resolve(p);
    if (r === null) continue;
    if (r !== PENDING) return new Origin(op, null, null, r);
    // An origin in this same batch adds only its history (the batch's failure is ours too);
    // sharing its list, never changed once made, keeps a chain of ops from allocating.
    const add = p.batch === batch ? p.from! : [p];
    from = from === null || from.length === 0 ? add : union(from, add);
  }
  return new Origin(op, batch, from ?? NO_ORIGINS);
}

function union(a: Origin[], b: Origin[]): Origin[] {
  if (a === b || b.length === 0) return a;
  const out = a.slice();
  for (const o of b) if (!out.includes(o)) out.push(o);
  return out;
}

/** The origin of a buffer whose write failed at once, while it was being recorded. */
export function failedOrigin(op: OpInfo, message: string): Origin {
  return new Origin(op, null, null, { ops: [op], message });
}

const NO_ORIGINS: Origin[] = [];

/**
 * The fault in an origin's history, null if it is clean, or {@link PENDING} while a batch in
 * it has not answered. Resolved origins drop their history; each is walked once.
 */
export function resolve(root: Origin): Fault | null | typeof PENDING {
  const stack = [root];
  while (stack.length > 0) {
    const o = stack[stack.length - 1]!;
    const from = o.from;
    if (from === null) {
      stack.pop();
      continue;
    }
    if (o.batch !== null && !o.batch.settled) return PENDING;
    const next = from.find((p) => p.from !== null);
    if (next !== undefined) {
      stack.push(next);
      continue;
    }
    // An input's failure first: a command fed a failed buffer often fails itself because of it.
    o.fault = from.find((p) => p.fault !== null)?.fault ?? o.batch?.fault ?? null;
    o.from = null;
    o.batch = null;
    stack.pop();
  }
  return root.fault;
}

/** The error a read of a buffer of origin `o` throws for `fault`. */
export function faultError(o: Origin, fault: Fault): DeviceError {
  const own = fault.ops.includes(o.op);
  if (own && fault.ops.length === 1) {
    return new DeviceError(`${o.op}: failed on the GPU (${fault.message})`);
  }
  if (own) {
    const others = fault.ops.filter((op) => op !== o.op);
    return new DeviceError(
      `${o.op}: not computed: the GPU rejected the batch of commands holding it and ${list(others)} ` +
        `(${fault.message})`,
    );
  }
  return new DeviceError(
    `${o.op}: not computed: its inputs come from ${list(fault.ops)}, which failed on the GPU (${fault.message})`,
  );
}

function list(ops: readonly OpInfo[]): string {
  const shown = ops.slice(0, 4).map(String).join(', ');
  return ops.length > 4 ? `${shown} and ${ops.length - 4} more ops` : shown;
}
