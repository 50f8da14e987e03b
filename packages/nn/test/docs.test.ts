/**
 * What the nn package's TSDoc promises a reader:
 * - every layer's `forward` names the shapes it takes and gives (`@param x - [N, C_in, H, W]`,
 *   `@returns [N, C_out, H_out, W_out]`);
 * - the ```ts examples in module.ts compile under the repository's own tsconfig (strict,
 *   `noImplicitOverride`), so a learner who copies `class … extends Module` gets code that
 *   builds. Each example is type-checked as a module of its own with the TypeScript compiler.
 *   The examples are fragments: the names they use without declaring them (the library's
 *   exports, and `x`, `layer`, `model` …) are declared globally in {@link GIVEN}, where a
 *   declaration or import of the example's own takes precedence.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const nnSrc = join(root, 'packages/nn/src');
const source = join(nnSrc, 'module.ts');

/** What the examples may use without importing or declaring it. */
const GIVEN = `
type Tensor = import('@tsgrad/core').Tensor;
declare const ones: typeof import('@tsgrad/core').ones;
declare const randn: typeof import('@tsgrad/core').randn;
declare const zeros: typeof import('@tsgrad/core').zeros;
declare const safetensors: typeof import('@tsgrad/core').safetensors;
type Module = import('@tsgrad/nn').Module;
declare const Module: typeof import('@tsgrad/nn').Module;
type Linear = import('@tsgrad/nn').Linear;
declare const Linear: typeof import('@tsgrad/nn').Linear;
type Parameter = import('@tsgrad/nn').Parameter;
declare const Parameter: typeof import('@tsgrad/nn').Parameter;
declare const cloneModule: typeof import('@tsgrad/nn').cloneModule;
declare const init: typeof import('@tsgrad/nn').init;
declare const SGD: typeof import('@tsgrad/optim').SGD;
declare const x: Tensor;
declare const m: Module;
declare const layer: Linear;
declare const layer1: Linear;
declare const model: Module & { fc1: Linear };
`;

/** Every ```ts block in the file's doc comments, with the line it starts on. */
function examples(text: string): { line: number; code: string }[] {
  const out: { line: number; code: string }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\*\s*```ts\s*$/.test(lines[i]!)) continue;
    const start = i + 1;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*\*\s*```\s*$/.test(lines[i]!); i++) {
      body.push(lines[i]!.replace(/^\s*\* ?/, ''));
    }
    out.push({ line: start + 1, code: body.join('\n') });
  }
  return out;
}

/** Diagnostics of each example, type-checked together against the repository's tsconfig. */
function typeCheck(blocks: { line: number; code: string }[]): string[][] {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  )!;
  const dir = join(root, 'packages/nn/src/.examples');
  const files = new Map<string, string>([[join(dir, 'given.d.ts'), GIVEN]]);
  blocks.forEach((b, k) => {
    files.set(join(dir, `example-${k}.ts`), `${b.code}\nexport {};\n`);
  });
  const options = { ...config.options, noEmit: true, incremental: false };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (f) => files.has(f) || ts.sys.fileExists(f);
  host.readFile = (f) => files.get(f) ?? readFile(f);
  host.getSourceFile = (f, lang, onError) =>
    files.has(f) ? ts.createSourceFile(f, files.get(f)!, lang, true) : getSourceFile(f, lang, onError);
  const program = ts.createProgram([...files.keys()], options, host);
  return blocks.map((_, k) => {
    const file = program.getSourceFile(join(dir, `example-${k}.ts`))!;
    return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) => {
      const { line } = file.getLineAndCharacterOfPosition(d.start ?? 0);
      return `line ${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
  });
}

describe('the ```ts examples of packages/nn/src/module.ts', () => {
  const blocks = examples(readFileSync(source, 'utf8'));
  it('are found', () => {
    expect(blocks.length).toBeGreaterThan(10);
  });
  it('type-check under the repository tsconfig', () => {
    const diagnostics = typeCheck(blocks);
    const failures = blocks.flatMap((b, k) =>
      diagnostics[k]!.map((d) => `module.ts example at line ${b.line}, ${d}\n${b.code}`),
    );
    expect(failures).toEqual([]);
  }, 60_000);
});

/** The `forward` declarations that carry documentation: the overload signatures, else the body. */
function forwards(file: string): { where: string; decl: ts.MethodDeclaration }[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: { where: string; decl: ts.MethodDeclaration }[] = [];
  for (const node of sf.statements) {
    if (!ts.isClassDeclaration(node) || node.name === undefined) continue;
    const decls = node.members.filter(
      (m): m is ts.MethodDeclaration =>
        ts.isMethodDeclaration(m) &&
        m.name.getText(sf) === 'forward' &&
        !m.modifiers?.some((k) => k.kind === ts.SyntaxKind.AbstractKeyword),
    );
    const signatures = decls.filter((d) => d.body === undefined);
    for (const decl of signatures.length > 0 ? signatures : decls) {
      out.push({ where: `${node.name.text}.forward (${file.slice(nnSrc.length + 1)})`, decl });
    }
  }
  return out;
}

describe('every forward in packages/nn/src', () => {
  const files = readdirSync(nnSrc, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(nnSrc, f));
  const all = files.flatMap(forwards);
  it('is found', () => {
    expect(all.length).toBeGreaterThan(60);
  });
  it.each(all.map((f) => [f.where, f.decl] as const))('%s documents its shapes', (_, decl) => {
    const tags = ts.getJSDocTags(decl);
    const text = (t: ts.JSDocTag) => ts.getTextOfJSDocComment(t.comment) ?? '';
    for (const p of decl.parameters) {
      const name = p.name.getText();
      const tag = tags.find((t) => ts.isJSDocParameterTag(t) && t.name.getText() === name);
      expect(tag, `@param ${name}`).toBeDefined();
      if (/\b(Tensor|IndexLike|PackedSequence)\b/.test(p.type?.getText() ?? '')) {
        expect(text(tag!), `@param ${name} names a shape`).toMatch(/\[|PackedSequence/);
      }
    }
    const returns = tags.find((t) => t.tagName.text === 'returns');
    expect(returns, '@returns').toBeDefined();
    expect(text(returns!), '@returns names a shape').toMatch(/\[/);
  });
});
