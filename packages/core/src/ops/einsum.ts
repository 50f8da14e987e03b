/**
 * Einstein summation, composed from views, sums and batched matmuls (so gradients of every
 * order come from those ops). Operands are combined left to right: labels of a pair that no
 * later operand or the output needs are contracted by one matmul, labels both share and
 * still need become batch dims, labels only one has and no one else needs are summed first.
 */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { sameDevice } from './make.js';
import { permute, reshape } from './movement.js';
import { diagonal } from './views.js';

/** A label: a letter's char code, or −1, −2 … for the dims under `...` (counted from the right). */
type Label = number;

interface Operand {
  t: Tensor;
  labels: Label[];
}

const isLetter = (c: string) => /^[a-zA-Z]$/.test(c);

function labelName(l: Label): string {
  return l >= 0 ? String.fromCharCode(l) : '...';
}

/** The labels of one term (`ij`, `...ij`), with its ellipsis expanded for a tensor of `ndim` dims. */
function parseTerm(term: string, ndim: number | null, eq: string): { labels: Label[]; ellipsis: boolean } {
  const parts = term.split('...');
  if (parts.length > 2) throw new ValueError(`einsum: '${eq}': more than one '...' in term '${term}'`);
  for (const c of parts.join('')) {
    if (!isLetter(c))
      throw new ValueError(`einsum: '${eq}': invalid subscript '${c}' (only letters a-z, A-Z and '...')`);
  }
  const before = [...parts[0]!].map((c) => c.charCodeAt(0));
  if (parts.length === 1) {
    if (ndim !== null && before.length !== ndim) {
      throw new ValueError(
        `einsum: '${eq}': term '${term}' has ${before.length} subscripts but its operand has ${ndim} dims`,
      );
    }
    return { labels: before, ellipsis: false };
  }
  const after = [...parts[1]!].map((c) => c.charCodeAt(0));
  if (ndim === null) return { labels: [...before, ...after], ellipsis: true };
  const k = ndim - before.length - after.length;
  if (k < 0) {
    throw new ValueError(
      `einsum: '${eq}': term '${term}' has more subscripts than its operand has dims (${ndim})`,
    );
  }
  const ell = Array.from({ length: k }, (_, i) => -(k - i));
  return { labels: [...before, ...ell, ...after], ellipsis: true };
}

/** Sums `op` over the labels `drop`. */
function sumLabels(op: Operand, drop: Set<Label>): Operand {
  const axes = op.labels.flatMap((l, i) => (drop.has(l) ? [i] : []));
  if (axes.length === 0) return op;
  return { t: op.t.sum(axes), labels: op.labels.filter((l) => !drop.has(l)) };
}

/** Takes diagonals of labels repeated within one operand, so that every label appears once. */
function dedupe(op: Operand): Operand {
  let { t, labels } = op;
  for (;;) {
    const i = labels.findIndex((l, k) => labels.indexOf(l) !== k);
    if (i < 0) return { t, labels };
    const first = labels.indexOf(labels[i]!);
    if (t.shape[first] !== t.shape[i]) {
      throw new ValueError(
        `einsum: subscript '${labelName(labels[i]!)}' is repeated in one operand for dims of sizes ${t.shape[first]} and ${t.shape[i]}`,
      );
    }
    const l = labels[i]!;
    t = diagonal(t, 0, first, i);
    labels = [...labels.filter((_, k) => k !== first && k !== i), l];
  }
}

const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/** Contracts two operands into one whose labels are those `needed` later. */
function contractPair(a0: Operand, b0: Operand, needed: Set<Label>): Operand {
  let a = a0;
  let b = b0;
  // A shared label of size 1 on one side and n on the other, not needed later: sum the n side.
  for (const l of a.labels) {
    const j = b.labels.indexOf(l);
    if (j < 0 || needed.has(l)) continue;
    const na = a.t.shape[a.labels.indexOf(l)]!;
    const nb = b.t.shape[j]!;
    if (na !== nb && na === 1) b = sumLabels(b, new Set([l]));
    else if (na !== nb && nb === 1) a = sumLabels(a, new Set([l]));
  }
  // Labels only one side has and no one needs are summed now.
  a = sumLabels(a, new Set(a.labels.filter((l) => !b.labels.includes(l) && !needed.has(l))));
  b = sumLabels(b, new Set(b.labels.filter((l) => !a.labels.includes(l) && !needed.has(l))));
  const batch = a.labels.filter((l) => b.labels.includes(l) && needed.has(l));
  const contracted = a.labels.filter((l) => b.labels.includes(l) && !needed.has(l));
  const onlyA = a.labels.filter((l) => !b.labels.includes(l));
  const onlyB = b.labels.filter((l) => !a.labels.includes(l));
  const sizeIn = (op: Operand, l: Label) => op.t.shape[op.labels.indexOf(l)]!;
  for (const l of contracted) {
    if (sizeIn(a, l) !== sizeIn(b, l)) {
      throw new ValueError(
        `einsum: subscript '${labelName(l)}' has size ${sizeIn(a, l)} in one operand and ${sizeIn(b, l)} in another`,
      );
    }
  }
  const order = (op: Operand, ls: Label[]) =>
    permute(
      op.t,
      ls.map((l) => op.labels.indexOf(l)),
    );
  const batchA = batch.map((l) => sizeIn(a, l));
  const batchB = batch.map((l) => sizeIn(b, l));
  const k = prod(contracted.map((l) => sizeIn(a, l)));
  const sa = onlyA.map((l) => sizeIn(a, l));
  const sb = onlyB.map((l) => sizeIn(b, l));
  const A = reshape(order(a, [...batch, ...onlyA, ...contracted]), [...batchA, prod(sa), k]);
  const B = reshape(order(b, [...batch, ...contracted, ...onlyB]), [...batchB, k, prod(sb)]);
  const y = A.matmul(B);
  const batchOut = y.shape.slice(0, batch.length);
  return { t: reshape(y, [...batchOut, ...sa, ...sb]), labels: [...batch, ...onlyA, ...onlyB] };
}

/**
 * Einstein summation over the operands, like `torch.einsum`: `'ij,jk->ik'` is a matrix
 * product, `'ii->i'` a diagonal, `'ij->ji'` a transpose, `'i,i->'` a dot product,
 * `'bhqd,bhkd->bhqk'` batched attention scores. Without `->` the output holds the labels that
 * appear once, in alphabetical order (after the `...` dims). `...` stands for broadcast
 * leading dims. A label repeated within one operand takes its diagonal; labels left out of
 * the output are summed.
 *
 * @example
 * ```ts
 * einsum('ij,jk->ik', a, b); // a.matmul(b)
 * einsum('bij->bji', x);     // x.transpose(1, 2)
 * einsum('i,i', u, v);       // the dot product
 * ```
 */
export function einsum(equation: string, ...tensors: Tensor[]): Tensor {
  const eq = equation.replace(/\s+/g, '');
  if (tensors.length === 0) throw new ValueError(`einsum: '${equation}' needs at least one operand`);
  sameDevice('einsum', ...tensors);
  const arrow = eq.split('->');
  if (arrow.length > 2) throw new ValueError(`einsum: '${equation}' has more than one '->'`);
  const terms = arrow[0]!.split(',');
  if (terms.length !== tensors.length) {
    throw new ValueError(
      `einsum: '${equation}' has ${terms.length} operand term(s) but ${tensors.length} tensor(s) were given`,
    );
  }
  let ops: Operand[] = terms.map((term, i) => ({
    t: tensors[i]!,
    labels: parseTerm(term, tensors[i]!.ndim, equation).labels,
  }));
  const maxEll = Math.max(0, ...ops.map((o) => o.labels.filter((l) => l < 0).length));
  const ellipsis = Array.from({ length: maxEll }, (_, i) => -(maxEll - i));
  let out: Label[];
  if (arrow.length === 2) {
    const parsed = parseTerm(arrow[1]!, null, equation);
    const seen = new Set<Label>();
    for (const l of parsed.labels) {
      if (seen.has(l))
        throw new ValueError(
          `einsum: '${equation}': output subscript '${labelName(l)}' appears more than once`,
        );
      seen.add(l);
      if (!ops.some((o) => o.labels.includes(l))) {
        throw new ValueError(
          `einsum: '${equation}': output subscript '${labelName(l)}' does not appear in any operand`,
        );
      }
    }
    const usesEllipsis = terms.some((t) => t.includes('...'));
    if (parsed.ellipsis && !usesEllipsis) {
      throw new ValueError(`einsum: '${equation}': the output has '...' but no operand does`);
    }
    if (!parsed.ellipsis && maxEll > 0) {
      throw new ValueError(
        `einsum: '${equation}': the operands have '...' dims, so the output needs '...' too`,
      );
    }
    const [head, tail] = arrow[1]!.split('...');
    out = parsed.ellipsis
      ? [...[...head!].map((c) => c.charCodeAt(0)), ...ellipsis, ...[...tail!].map((c) => c.charCodeAt(0))]
      : parsed.labels;
  } else {
    const count = new Map<Label, number>();
    for (const o of ops) for (const l of o.labels) if (l >= 0) count.set(l, (count.get(l) ?? 0) + 1);
    const once = [...count].filter(([, c]) => c === 1).map(([l]) => l);
    out = [...ellipsis, ...once.sort((x, y) => String.fromCharCode(x).localeCompare(String.fromCharCode(y)))];
  }
  ops = ops.map(dedupe);
  // Sizes of one label must agree across operands (or be 1, which broadcasts).
  const sizes = new Map<Label, number>();
  for (const o of ops) {
    o.labels.forEach((l, i) => {
      const n = o.t.shape[i]!;
      const prev = sizes.get(l);
      if (prev !== undefined && prev !== n && prev !== 1 && n !== 1) {
        throw new ValueError(
          `einsum: '${equation}': subscript '${labelName(l)}' has size ${prev} in one operand and ${n} in another`,
        );
      }
      if (prev === undefined || prev === 1) sizes.set(l, n);
    });
  }
  const outSet = new Set(out);
  const neededAfter = (k: number) => {
    const s = new Set(outSet);
    for (let j = k; j < ops.length; j++) for (const l of ops[j]!.labels) s.add(l);
    return s;
  };
  let acc = sumLabels(ops[0]!, new Set(ops[0]!.labels.filter((l) => !neededAfter(1).has(l))));
  for (let k = 1; k < ops.length; k++) acc = contractPair(acc, ops[k]!, neededAfter(k + 1));
  // Output labels no operand had left (e.g. '...' dims of size 1 everywhere) cannot happen:
  // every output label was checked to occur, and sumLabels only drops unneeded ones.
  const y = permute(
    acc.t,
    out.map((l) => acc.labels.indexOf(l)),
  );
  return y;
}
