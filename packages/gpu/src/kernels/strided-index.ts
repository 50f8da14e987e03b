/**
 * WGSL that turns a linear element number into storage offsets of strided operands, and the
 * matching parameter words. Shapes and strides travel in the uniform parameter block, so one
 * compiled program serves every shape of a given rank.
 */

/** The WGSL expression reading parameter word `i` of the uniform block `P`. */
export function p(i: number): string {
  return `P[${i >> 2}].${'xyzw'[i & 3]}`;
}

/** The uniform declaration for `words` parameter words. */
export function paramDecl(words: number): string {
  return `@group(0) @binding(0) var<uniform> P: array<vec4<u32>, ${Math.max(1, Math.ceil(words / 4))}>;`;
}

/** An operand's place in the parameter block: its offset word and `rank` stride words follow. */
export interface OperandParams {
  /** Variable that will hold the operand's storage offset. */
  name: string;
  /** Word of its offset; strides follow at `base + 1 …`. */
  base: number;
  /** Contiguous over the shape: offset + linear index, no strides needed. */
  contig: boolean;
}

/**
 * Statements declaring `let <name>: u32` for each operand: the storage offset of element
 * `idx` of a row-major shape whose dims sit at words `shapeBase …`. u32 arithmetic wraps, so
 * negative strides written as two's complement come out right too.
 */
export function offsetsCode(
  idx: string,
  rank: number,
  shapeBase: number,
  ops: readonly OperandParams[],
): string {
  const lines: string[] = [];
  const strided = ops.filter((o) => !o.contig);
  for (const o of ops) if (o.contig) lines.push(`let ${o.name} = ${p(o.base)} + ${idx};`);
  if (strided.length === 0) return lines.join('\n  ');
  for (const o of strided) lines.push(`var ${o.name}_ = ${p(o.base)};`);
  lines.push(`var r_ = ${idx};`);
  for (let d = rank - 1; d >= 1; d--) {
    lines.push(`{ let s_ = ${p(shapeBase + d)}; let c_ = r_ % s_; r_ = r_ / s_;`);
    for (const o of strided) lines.push(`  ${o.name}_ += c_ * ${p(o.base + 1 + d)};`);
    lines.push('}');
  }
  for (const o of strided) lines.push(`${o.name}_ += r_ * ${p(o.base + 1)};`);
  for (const o of strided) lines.push(`let ${o.name} = ${o.name}_;`);
  return lines.join('\n  ');
}

/** The linear invocation number of a 1-D kernel dispatched with `grid()`. */
export function linearIndex(workgroupSize: number): string {
  return `gid.x + gid.y * nwg.x * ${workgroupSize}u`;
}

/** The builtins `linearIndex` uses. */
export const LINEAR_BUILTINS =
  '@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>';
