/**
 * Variable-length sequences (`torch.nn.utils.rnn`): `padSequence`, `PackedSequence`,
 * `packPaddedSequence` and `padPackedSequence`. The recurrent layers take a PackedSequence
 * (or a `lengths` option) and then stop each sequence at its own length, as PyTorch does.
 */
import {
  cat,
  formatShape,
  full,
  ShapeError,
  sameShape,
  stack,
  type Tensor,
  tensor,
  ValueError,
} from '@tsgrad/core';

/** Options of {@link padSequence}. */
export interface PadSequenceOptions {
  /** Return [B, T, *] instead of [T, B, *] (false). */
  batchFirst?: boolean;
  /** The value of the padding (0). */
  paddingValue?: number;
  /** Pad after each sequence ('right', the default) or before it ('left'). */
  paddingSide?: 'right' | 'left';
}

/**
 * Stacks sequences of shapes [Lᵢ, *] into one [T, B, *] tensor (T the longest length),
 * padding the shorter ones with `paddingValue`.
 *
 * @example
 * ```ts
 * padSequence([randn([3, 4]), randn([1, 4])], { batchFirst: true }).shape; // [2, 3, 4]
 * ```
 */
export function padSequence(sequences: readonly Tensor[], opts: PadSequenceOptions = {}): Tensor {
  const op = 'padSequence';
  if (sequences.length === 0) throw new ValueError(`${op}: expected at least one sequence`);
  const rest = sequences[0]!.shape.slice(1);
  for (const s of sequences) {
    if (s.ndim < 1 || !sameShape(s.shape.slice(1), rest)) {
      throw new ShapeError(
        `${op}: every sequence must be [L, ${rest.join(', ')}] like the first, got ${formatShape(s.shape)}`,
      );
    }
  }
  const T = Math.max(...sequences.map((s) => s.shape[0]!));
  const side = opts.paddingSide ?? 'right';
  if (side !== 'right' && side !== 'left')
    throw new ValueError(`${op}: paddingSide must be 'right' or 'left', got '${side}'`);
  const padded = sequences.map((s) => {
    const n = T - s.shape[0]!;
    if (n === 0) return s;
    const pad = full([n, ...rest], opts.paddingValue ?? 0, { dtype: s.dtype, device: s.device });
    return cat(side === 'right' ? [s, pad] : [pad, s], 0);
  });
  return stack(padded, opts.batchFirst ? 0 : 1);
}

/**
 * A batch of variable-length sequences packed time step by time step, as PyTorch's:
 * `data` [Σ lengths, *] holds step 0 of every sequence (longest first), then step 1 of every
 * sequence still running, and so on; `batchSizes[t]` is how many sequences run at step t.
 * `sortedIndices[i]` is the original batch index of the i-th longest sequence and
 * `unsortedIndices` its inverse. Make one with {@link packPaddedSequence}.
 *
 * @example
 * ```ts
 * const packed = packPaddedSequence(padded, [3, 1], { batchFirst: true });
 * packed.batchSizes; // [2, 1, 1]
 * ```
 */
export class PackedSequence {
  constructor(
    readonly data: Tensor,
    readonly batchSizes: readonly number[],
    readonly sortedIndices: readonly number[],
    readonly unsortedIndices: readonly number[],
  ) {}

  /**
   * The length of each sequence, in the original batch order.
   *
   * @example
   * ```ts
   * packPaddedSequence(x, [2, 3], { enforceSorted: false }).lengths(); // [2, 3]
   * ```
   */
  lengths(): number[] {
    const sortedLens = this.sortedIndices.map((_, i) => this.batchSizes.filter((b) => b > i).length);
    return this.unsortedIndices.map((j) => sortedLens[j]!);
  }
}

/** Options of {@link packPaddedSequence}. */
export interface PackOptions {
  /** The input is [B, T, *] instead of [T, B, *] (false). */
  batchFirst?: boolean;
  /** Require lengths in decreasing order (true); false sorts them (stably). */
  enforceSorted?: boolean;
}

/** Reads lengths given as numbers or as an integer tensor on the CPU. */
function readLengths(op: string, lengths: readonly number[] | Tensor): number[] {
  if (Array.isArray(lengths)) return [...lengths];
  const t = lengths as Tensor;
  if (t.device !== 'cpu') {
    throw new ValueError(`${op}: lengths must be a plain array or a CPU tensor, got a tensor on ${t.device}`);
  }
  if (t.ndim !== 1) throw new ShapeError(`${op}: lengths must be 1-D, got ${formatShape(t.shape)}`);
  return Array.from(t.dataSync(), Number);
}

/** @internal Checks lengths against a batch of B sequences of at most T steps. */
export function checkLengths(
  op: string,
  lengths: readonly number[] | Tensor,
  B: number,
  T: number,
): number[] {
  const lens = readLengths(op, lengths);
  if (lens.length !== B)
    throw new ShapeError(`${op}: expected ${B} lengths (one per sequence), got ${lens.length}`);
  for (const l of lens) {
    if (!Number.isInteger(l) || l < 1 || l > T) {
      throw new ValueError(`${op}: lengths must be integers in [1, ${T}] (the padded length), got ${l}`);
    }
  }
  return lens;
}

/** @internal Packs time-major [T, B, *] with a given order of the batch. */
export function packWithOrder(x: Tensor, lens: readonly number[], sorted: readonly number[]): PackedSequence {
  const B = x.shape[1]!;
  const T = Math.max(...lens);
  const batchSizes: number[] = [];
  const idx: number[] = [];
  for (let t = 0; t < T; t++) {
    let n = 0;
    for (const b of sorted) {
      if (lens[b]! > t) {
        idx.push(t * B + b);
        n++;
      }
    }
    batchSizes.push(n);
  }
  const flat = x.reshape([x.shape[0]! * B, ...x.shape.slice(2)]);
  const data = flat.indexSelect(0, tensor(idx, { dtype: 'int32', device: x.device }));
  const unsorted = new Array<number>(B);
  sorted.forEach((b, i) => {
    unsorted[b] = i;
  });
  return new PackedSequence(data, batchSizes, sorted, unsorted);
}

/**
 * Packs a padded batch ([T, B, *], or [B, T, *] with `batchFirst`) of sequences of the given
 * lengths into a {@link PackedSequence}, for the recurrent layers. Gradients flow back to the
 * padded input.
 *
 * @example
 * ```ts
 * const packed = packPaddedSequence(padded, [5, 3, 2]);
 * const [out, hN] = gru.forward(packed);
 * ```
 */
export function packPaddedSequence(
  input: Tensor,
  lengths: readonly number[] | Tensor,
  opts: PackOptions = {},
): PackedSequence {
  const op = 'packPaddedSequence';
  if (input.ndim < 2)
    throw new ShapeError(`${op}: expected input [T, B, *], got ${formatShape(input.shape)}`);
  const x = opts.batchFirst ? input.transpose(0, 1) : input;
  const B = x.shape[1]!;
  const lens = checkLengths(op, lengths, B, x.shape[0]!);
  const order = lens.map((_, i) => i);
  if (opts.enforceSorted ?? true) {
    for (let i = 1; i < B; i++) {
      if (lens[i]! > lens[i - 1]!) {
        throw new ValueError(
          `${op}: lengths [${lens.join(', ')}] are not in decreasing order; sort them or pass enforceSorted: false`,
        );
      }
    }
  } else order.sort((a, b) => lens[b]! - lens[a]! || a - b);
  return packWithOrder(x, lens, order);
}

/** Options of {@link padPackedSequence}. */
export interface PadPackedOptions {
  /** Return [B, T, *] instead of [T, B, *] (false). */
  batchFirst?: boolean;
  /** The value of the padding (0). */
  paddingValue?: number;
  /** Pad to this many steps instead of the longest length. */
  totalLength?: number | null;
}

/**
 * Unpacks a {@link PackedSequence} into a padded batch in the original batch order; returns
 * `[padded, lengths]` with padded [T, B, *] (or [B, T, *]) and lengths an int32 [B].
 *
 * @example
 * ```ts
 * const [out, lens] = padPackedSequence(packedOut, { batchFirst: true });
 * ```
 */
export function padPackedSequence(packed: PackedSequence, opts: PadPackedOptions = {}): [Tensor, Tensor] {
  const op = 'padPackedSequence';
  const lens = packed.lengths();
  const maxLen = Math.max(...lens);
  const T = opts.totalLength ?? maxLen;
  if (!Number.isInteger(T) || T < maxLen) {
    throw new ValueError(`${op}: totalLength ${T} is less than the longest sequence (${maxLen})`);
  }
  const B = lens.length;
  const data = packed.data;
  const rest = data.shape.slice(1);
  const padRow = data.shape[0]!;
  // Where step t of sequence b sits in data (or the padding row after data).
  const offsets: number[] = [];
  let o = 0;
  for (const n of packed.batchSizes) {
    offsets.push(o);
    o += n;
  }
  const idx: number[] = [];
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const i = packed.unsortedIndices[b]!;
      idx.push(t < packed.batchSizes.length && i < packed.batchSizes[t]! ? offsets[t]! + i : padRow);
    }
  }
  const pad = full([1, ...rest], opts.paddingValue ?? 0, { dtype: data.dtype, device: data.device });
  let out = cat([data, pad], 0)
    .indexSelect(0, tensor(idx, { dtype: 'int32', device: data.device }))
    .reshape([T, B, ...rest]);
  if (opts.batchFirst) out = out.transpose(0, 1);
  return [out, tensor(lens, { dtype: 'int32' })];
}
