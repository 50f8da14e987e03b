/**
 * Graphviz DOT and Mermaid text for a graph already reduced to labelled nodes and edges, so
 * tensor graphs and Value graphs share one writer for each format.
 */

/** How a node is drawn: an op's result, a leaf that requires grad, or one that does not. */
export type DrawnKind = 'op' | 'parameter' | 'constant';

/** A node of a drawing: an id unique in the graph, the lines of its label, its kind. */
export interface DrawnNode {
  readonly id: string;
  readonly lines: readonly string[];
  readonly kind: DrawnKind;
}

/** Nodes in forward order (inputs first) and edges from each input to the node it feeds. */
export interface DrawnGraph {
  readonly nodes: readonly DrawnNode[];
  readonly edges: readonly (readonly [from: string, to: string])[];
}

const dotStyle: Record<DrawnKind, string> = {
  op: 'shape=ellipse',
  parameter: 'shape=box, style=filled, fillcolor="#dbeafe"',
  constant: 'shape=box, style=dashed',
};

/** A DOT double-quoted string: backslash and quote escaped, lines joined by DOT's `\n`. */
function dotLabel(lines: readonly string[]): string {
  return `"${lines.map((l) => l.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')).join('\\n')}"`;
}

/** The graph as a Graphviz `digraph`, drawn left to right from the leaves to the root. */
export function writeDot(g: DrawnGraph): string {
  const out = ['digraph autograd {', '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=11];'];
  for (const n of g.nodes) out.push(`  ${n.id} [label=${dotLabel(n.lines)}, ${dotStyle[n.kind]}];`);
  for (const [from, to] of g.edges) out.push(`  ${from} -> ${to};`);
  out.push('}');
  return `${out.join('\n')}\n`;
}

const mermaidShape: Record<DrawnKind, readonly [string, string]> = {
  op: ['([', '])'],
  parameter: ['[', ']'],
  constant: ['[', ']'],
};

/**
 * A Mermaid quoted label: characters that Mermaid or HTML would read replaced by Mermaid's
 * entity codes (`#quot;` and the like), lines joined by `<br/>`.
 */
function mermaidLabel(lines: readonly string[]): string {
  const encode = (l: string) =>
    l
      .replace(/#/g, '#35;')
      .replace(/"/g, '#quot;')
      .replace(/&/g, '#amp;')
      .replace(/</g, '#lt;')
      .replace(/>/g, '#gt;')
      .replace(/\r?\n/g, '<br/>');
  return `"${lines.map(encode).join('<br/>')}"`;
}

/** The graph as a Mermaid `flowchart`, left to right from the leaves to the root. */
export function writeMermaid(g: DrawnGraph): string {
  const out = ['flowchart LR'];
  for (const n of g.nodes) {
    const [open, close] = mermaidShape[n.kind];
    out.push(`  ${n.id}${open}${mermaidLabel(n.lines)}${close}:::${n.kind}`);
  }
  for (const [from, to] of g.edges) out.push(`  ${from} --> ${to}`);
  out.push(
    '  classDef op fill:#f8fafc,stroke:#475569',
    '  classDef parameter fill:#dbeafe,stroke:#1d4ed8',
    '  classDef constant fill:#ffffff,stroke:#94a3b8,stroke-dasharray:4 3',
  );
  return `${out.join('\n')}\n`;
}
