import { type Tensor, tensor, toDot, toMermaid } from '@tsgrad/core';
import { Value, toDot as valueToDot } from '@tsgrad/core/scalar';
import { describe, expect, it } from 'vitest';

interface Parsed {
  nodes: Map<string, { label: string[]; attrs: Record<string, string> }>;
  edges: [string, string][];
}

/**
 * A parser for the DOT subset the writer may emit: `digraph ID { stmt* }` where a statement is
 * `ID = ID;`, `node [attrs];`, `ID [attrs];` or `ID -> ID;`, and attribute values are IDs,
 * numbers or double-quoted strings with backslash escapes. Throws on anything else.
 */
function parseDot(text: string): Parsed {
  const tokens = [
    ...text.matchAll(/\s*("(?:[^"\\\n]|\\.)*"|->|[A-Za-z_][\w]*|-?\d+(?:\.\d+)?|[{}[\];=,])\s*/gy),
  ];
  expect(tokens.map((m) => m[0]).join(''), 'the whole text is made of DOT tokens').toBe(text);
  const t = tokens.map((m) => m[1]!);
  let k = 0;
  const take = (want?: RegExp | string) => {
    const tok = t[k++];
    if (tok === undefined) throw new Error('unexpected end');
    if (typeof want === 'string' && tok !== want) throw new Error(`expected ${want}, got ${tok}`);
    if (want instanceof RegExp && !want.test(tok)) throw new Error(`unexpected ${tok}`);
    return tok;
  };
  const ID = /^([A-Za-z_]\w*|-?\d+(\.\d+)?)$/;
  const VALUE = /^([A-Za-z_]\w*|-?\d+(\.\d+)?|".*")$/s;
  const unquote = (s: string) =>
    s.startsWith('"') ? s.slice(1, -1).replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c)) : s;
  const attrList = () => {
    const attrs: Record<string, string> = {};
    take('[');
    while (t[k] !== ']') {
      const key = take(ID);
      take('=');
      attrs[key] = unquote(take(VALUE));
      if (t[k] === ',') k++;
    }
    take(']');
    return attrs;
  };
  const out: Parsed = { nodes: new Map(), edges: [] };
  take('digraph');
  take(ID);
  take('{');
  while (t[k] !== '}') {
    const id = take(ID);
    if (t[k] === '=') {
      k++;
      take(VALUE);
    } else if (t[k] === '->') {
      k++;
      out.edges.push([id, take(ID)]);
    } else {
      const attrs = attrList();
      if (id !== 'node') out.nodes.set(id, { label: (attrs.label ?? '').split('\n'), attrs });
    }
    take(';');
  }
  take('}');
  expect(k, 'nothing after the graph').toBe(t.length);
  expect(undeclared(out), 'edges between declared nodes only').toEqual([]);
  return out;
}

/** Edges whose ends are not declared nodes. */
function undeclared(p: Parsed): [string, string][] {
  return p.edges.filter(([a, b]) => !p.nodes.has(a) || !p.nodes.has(b));
}

const entities: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>' };

/**
 * A parser for the Mermaid subset the writer may emit: `flowchart LR`, then node lines
 * `ID["label"]:::class` or `ID(["label"]):::class`, edge lines `ID --> ID` and `classDef` lines.
 * A label holds no raw quote; entity codes and `<br/>` are decoded.
 */
function parseMermaid(text: string): Parsed & { classes: Map<string, string> } {
  const lines = text.trimEnd().split('\n');
  expect(lines[0]).toBe('flowchart LR');
  const out = { nodes: new Map(), edges: [] as [string, string][], classes: new Map<string, string>() };
  const defined = new Set<string>();
  for (const line of lines.slice(1)) {
    const node = /^ {2}(\w+)(\(\[|\[)"([^"]*)"(\]\)|\]):::(\w+)$/.exec(line);
    const edge = /^ {2}(\w+) --> (\w+)$/.exec(line);
    const classDef = /^ {2}classDef (\w+) [\w:#.,\- ]+$/.exec(line);
    if (node !== null) {
      if ((node[2] === '([' ? '])' : ']') !== node[4]) throw new Error(`unmatched brackets: ${line}`);
      const label = node[3]!
        .split('<br/>')
        .map((l) =>
          l.replace(/#(\w+);/g, (_, e: string) =>
            /^\d+$/.test(e) ? String.fromCharCode(Number(e)) : entities[e]!,
          ),
        );
      out.nodes.set(node[1]!, { label, attrs: { shape: node[2]! } });
      out.classes.set(node[1]!, node[5]!);
    } else if (edge !== null) out.edges.push([edge[1]!, edge[2]!]);
    else if (classDef !== null) defined.add(classDef[1]!);
    else throw new Error(`not a Mermaid flowchart line: ${line}`);
  }
  expect(undeclared(out), 'edges between declared nodes only').toEqual([]);
  expect(
    [...new Set(out.classes.values())].filter((c) => !defined.has(c)),
    'classes without classDef',
  ).toEqual([]);
  return out;
}

/** y = tanh(x·w + b): x a constant, w and b parameters. */
function neuron() {
  const x = tensor([0.5, -1]);
  const w = tensor([0.3, 0.2], { requiresGrad: true });
  const b = tensor(0.1, { requiresGrad: true });
  const y = x.mul(w).sum().add(b).tanh();
  return { x, w, b, y };
}

const labelOf = (p: Parsed, first: string) => [...p.nodes.values()].find((n) => n.label[0] === first)?.label;

describe('toDot and toMermaid', () => {
  it('draw one node per tensor and one edge per op input', () => {
    const { w, b, y } = neuron();
    for (const p of [
      parseDot(toDot(y, { names: { w, b } })),
      parseMermaid(toMermaid(y, { names: { w, b } })),
    ]) {
      // x, w, mul, sum, b, add, tanh
      expect(p.nodes.size).toBe(7);
      expect(p.edges).toHaveLength(6);
      expect(labelOf(p, 'w')).toEqual(['w', 'parameter', '[2] float32']);
      expect(labelOf(p, 'b')).toEqual(['b', 'parameter', '[] float32']);
      expect(labelOf(p, 'const1')).toEqual(['const1', '[2] float32']);
      expect(labelOf(p, 'tanh')).toEqual(['tanh', '[] float32']);
      // Every op has its inputs drawn into it: mul ← x, w; the root feeds nothing.
      const id = (first: string) => [...p.nodes].find(([, n]) => n.label[0] === first)![0];
      expect(
        p.edges.filter(([, to]) => to === id('mul')).map(([from]) => p.nodes.get(from)!.label[0]),
      ).toEqual(['const1', 'w']);
      expect(p.edges.filter(([from]) => from === id('tanh'))).toEqual([]);
    }
    const dot = parseDot(toDot(y));
    expect(labelOf(dot, 'leaf1')![1]).toBe('parameter');
    expect([...dot.nodes.values()].map((n) => n.attrs.shape)).toEqual([
      'box',
      'box',
      'ellipse',
      'ellipse',
      'box',
      'ellipse',
      'ellipse',
    ]);
    const mermaid = parseMermaid(toMermaid(y));
    expect([...mermaid.classes.values()]).toEqual([
      'constant',
      'parameter',
      'op',
      'op',
      'parameter',
      'op',
      'op',
    ]);
  });

  it('draw a tensor used twice once, with an edge for each use', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const p = parseDot(toDot(x.mul(x)));
    expect(p.nodes.size).toBe(2);
    expect(p.edges).toEqual([
      ['n0', 'n1'],
      ['n0', 'n1'],
    ]);
  });

  it('show the number operand of an op, and .grad values or shapes when asked', () => {
    const { w, y } = neuron();
    const m = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    const loss = y.mul(3).add(m.sum());
    loss.backward();
    const p = parseDot(toDot(loss, { grads: true, names: { w, m } }));
    expect(labelOf(p, 'mul 3')).toEqual(['mul 3', '[] float32']);
    const gw = Array.from(w.grad!.dataSync(), (v) => Number(v.toFixed(4)));
    expect(labelOf(p, 'w')).toEqual(['w', 'parameter', '[2] float32', `grad [${gw.join(', ')}]`]);
    expect(labelOf(p, 'm')).toEqual(['m', 'parameter', '[2,3] float32', 'grad [2,3]']);
    expect(labelOf(parseDot(toDot(loss, { names: { w } })), 'w')).toHaveLength(3);
  });

  it('escape labels: quotes, backslashes, newlines, Mermaid and HTML characters', () => {
    const nasty = 'w "q" \\n <b>#1</b> & #quot; a\nb';
    const w = tensor([1], { requiresGrad: true });
    const y = w.exp();
    const dot = parseDot(toDot(y, { names: { [nasty]: w } }));
    expect(labelOf(dot, 'w "q" \\n <b>#1</b> & #quot; a')).toEqual([
      'w "q" \\n <b>#1</b> & #quot; a',
      'b',
      'parameter',
      '[1] float32',
    ]);
    const text = toMermaid(y, { names: { [nasty]: w } });
    expect(text).not.toMatch(/<b>|"q"/);
    const mermaid = parseMermaid(text);
    expect(labelOf(mermaid, 'w "q" \\n <b>#1</b> & #quot; a')).toEqual([
      'w "q" \\n <b>#1</b> & #quot; a',
      'b',
      'parameter',
      '[1] float32',
    ]);
  });

  it('draw a Value graph with the same writers', () => {
    const a = new Value(2, 'a');
    const y = a.mul(3).add(a);
    y.label = 'y';
    y.backward();
    expect(valueToDot).toBe(toDot);
    const dot = parseDot(toDot(y, { grads: true }));
    const mermaid = parseMermaid(toMermaid(y, { grads: true }));
    for (const p of [dot, mermaid]) {
      // a, the constant 3, mul, add
      expect(p.nodes.size).toBe(4);
      expect(p.edges).toHaveLength(4);
      expect(labelOf(p, 'a')).toEqual(['a', 'data 2', 'grad 4']);
      expect(labelOf(p, 'value')).toEqual(['value', 'data 3', 'grad 2']);
      expect(labelOf(p, 'mul')).toEqual(['mul', 'data 6', 'grad 1']);
      expect(labelOf(p, 'y = add')).toEqual(['y = add', 'data 8', 'grad 1']);
    }
    expect(labelOf(parseDot(toDot(y)), 'a')).toEqual(['a', 'data 2']);
  });

  it('walk a long graph without overflowing the stack', () => {
    let t: Tensor = tensor(0, { requiresGrad: true });
    for (let i = 0; i < 20_000; i++) t = t.add(1);
    expect(parseMermaid(toMermaid(t)).nodes.size).toBe(20_001);
  });
});
