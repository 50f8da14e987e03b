/**
 * ONNX export: the model runs twice under `traced` (core's mode in which every op records a
 * node with its attributes), once on the example inputs and once on inputs whose dynamic
 * axes are one longer and whose values are shuffled. The two graphs must match op for op;
 * the dims that differ between them are the dynamic ones, which decides how Reshape/Expand
 * targets are written (from the input's Shape rather than baked), and a constant that differs
 * between them depends on the input in a way no node recorded, which is refused.
 */
import { type DType, Tensor, TsgradError, tensor } from '@tsgrad/core';
import { traced } from '@tsgrad/core/internal';
import { AttrType, ElemType, ModelProto } from './proto.js';

/** A model the exporter can trace: a module (or anything with `forward`). */
export interface ExportableModel {
  /** Called with the example inputs; returns a tensor or an array of tensors. */
  forward(...inputs: any[]): unknown;
  /** Parameters by dotted name; they become initializers with these names. */
  namedParameters?(): Iterable<[string, Tensor]>;
  /** Buffers (BatchNorm's running statistics) by dotted name; initializers too. */
  namedBuffers?(): Iterable<[string, Tensor]>;
}

/** Options of {@link exportOnnx}. */
export interface OnnxExportOptions {
  /** Names of the graph inputs (`input_0`, … by default). */
  inputNames?: readonly string[];
  /** Names of the graph outputs (`output_0`, … by default). */
  outputNames?: readonly string[];
  /** The ai.onnx opset (17 by default; 17 to 21 are supported). */
  opset?: number;
  /**
   * Axes of inputs whose size may change, by input name: `{ tokens: { 0: 'batch' } }` makes
   * dim 0 of input `tokens` the symbolic dim `batch`.
   */
  dynamicAxes?: Readonly<Record<string, Readonly<Record<number, string>>>>;
  /** The graph's name ('tsgrad'). */
  modelName?: string;
  /** The model's doc string. */
  docString?: string;
}

/** Raised when a traced graph cannot be written as ONNX (an op without a mapping, a data-dependent constant). */
export class OnnxExportError extends TsgradError {
  override name = 'OnnxExportError';
}

interface Trace {
  /** Tensors in topological order (inputs of a node before it). */
  order: Tensor[];
  outputs: Tensor[];
  inputs: Tensor[];
}

function attrTensors(t: Tensor): Tensor[] {
  const out: Tensor[] = [];
  const attrs = t.gradFn?.attrs;
  if (attrs === undefined) return out;
  for (const k of Object.keys(attrs)) {
    const v = attrs[k];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(v as Tensor);
  }
  return out;
}

function runTrace(model: ExportableModel, inputs: Tensor[]): Trace {
  const result = traced(() => model.forward(...inputs));
  const outputs = Array.isArray(result) ? [...(result as unknown[])] : [result];
  if (!outputs.every((t) => t instanceof Tensor))
    throw new OnnxExportError('exportOnnx: forward must return a tensor or an array of tensors');
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const inputSet = new Set(inputs);
  // Iterative post-order walk: deep unrolled graphs would overflow a recursive one.
  for (const root of outputs) {
    const stack: [Tensor, number][] = [[root, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [t, i] = top;
      if (i === 0 && seen.has(t)) {
        stack.pop();
        continue;
      }
      const kids = t.gradFn === null || inputSet.has(t) ? [] : [...t.gradFn.inputs, ...attrTensors(t)];
      if (i < kids.length) {
        top[1] = i + 1;
        if (!seen.has(kids[i]!)) stack.push([kids[i]!, 0]);
      } else {
        stack.pop();
        if (!seen.has(t)) {
          seen.add(t);
          order.push(t);
        }
      }
    }
  }
  return { order, outputs: outputs as Tensor[], inputs };
}

/** Inputs for the second trace: dynamic axes one longer, values drawn from the example's. */
function variedInputs(inputs: Tensor[], names: string[], dyn: OnnxExportOptions['dynamicAxes']): Tensor[] {
  let seed = 12345;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed;
  };
  return inputs.map((x, k) => {
    const axes = dyn?.[names[k]!] ?? {};
    const shape = x.shape.map((s, i) => (axes[i] !== undefined ? s + 1 : s));
    const flat = Array.from(x.dataSync() as ArrayLike<number>);
    const n = shape.reduce((a, b) => a * b, 1);
    const vals = Array.from({ length: n }, () => flat[next() % flat.length]!);
    return tensor(vals, { dtype: x.dtype }).reshape(shape);
  });
}

function sameValues(a: Tensor, b: Tensor): boolean {
  const x = a.dataSync();
  const y = b.dataSync();
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++)
    if (x[i] !== y[i] && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) return false;
  return true;
}

function elemType(d: DType): number {
  return ElemType[d];
}

function rawBytes(t: Tensor): Uint8Array {
  const a = t.dataSync();
  if (t.dtype === 'bool') return Uint8Array.from(a as ArrayLike<number>, (v) => (v ? 1 : 0));
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

type Attr = Record<string, unknown>;
const intAttr = (name: string, i: number): Attr => ({ name, type: AttrType.INT, i });
const intsAttr = (name: string, ints: readonly number[]): Attr => ({
  name,
  type: AttrType.INTS,
  ints: [...ints],
});

const unaryOps: Record<string, string> = {
  neg: 'Neg',
  exp: 'Exp',
  log: 'Log',
  sqrt: 'Sqrt',
  abs: 'Abs',
  sin: 'Sin',
  cos: 'Cos',
  tan: 'Tan',
  tanh: 'Tanh',
  erf: 'Erf',
  sigmoid: 'Sigmoid',
  relu: 'Relu',
  sign: 'Sign',
  floor: 'Floor',
  ceil: 'Ceil',
  round: 'Round',
  reciprocal: 'Reciprocal',
  not: 'Not',
  atan: 'Atan',
  asin: 'Asin',
  acos: 'Acos',
  sinh: 'Sinh',
  cosh: 'Cosh',
  clone: 'Identity',
  to: 'Identity',
  detach: 'Identity',
};

const binaryOps: Record<string, string> = {
  add: 'Add',
  sub: 'Sub',
  mul: 'Mul',
  div: 'Div',
  pow: 'Pow',
  maximum: 'Max',
  minimum: 'Min',
  eq: 'Equal',
  lt: 'Less',
  le: 'LessOrEqual',
  gt: 'Greater',
  ge: 'GreaterOrEqual',
  and: 'And',
  or: 'Or',
  xor: 'Xor',
};

const INT64_MAX = 9223372036854775807n;

/**
 * The bytes of an ONNX model computing `model.forward(...exampleInputs)`.
 *
 * The forward pass is traced on the example inputs: parameters become initializers named
 * by `namedParameters()`, other constants unnamed initializers. Axes listed in
 * `dynamicAxes` become symbolic dims; the model is traced a second time with those axes one
 * longer to tell them apart, so a model whose graph changes with a dynamic size (an unrolled
 * RNN over a dynamic sequence length, positions built from the sequence length) is refused
 * with an {@link OnnxExportError}. Models are exported in their current mode: call `eval()`
 * first so Dropout is the identity and BatchNorm uses its running statistics.
 *
 * @example
 * ```ts
 * const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 2)).eval();
 * const bytes = exportOnnx(model, [randn([1, 4])], { inputNames: ['x'], dynamicAxes: { x: { 0: 'batch' } } });
 * ```
 */
export function exportOnnx(
  model: ExportableModel,
  exampleInputs: Tensor | readonly Tensor[],
  options: OnnxExportOptions = {},
): Uint8Array {
  const inputs = Array.isArray(exampleInputs) ? [...(exampleInputs as Tensor[])] : [exampleInputs as Tensor];
  const opset = options.opset ?? 17;
  if (!Number.isInteger(opset) || opset < 17 || opset > 21)
    throw new OnnxExportError(`exportOnnx: opset ${opset} is not supported (17 to 21)`);
  const inputNames = inputs.map((_, i) => options.inputNames?.[i] ?? `input_${i}`);
  const dyn = options.dynamicAxes ?? {};
  for (const name of Object.keys(dyn)) {
    const k = inputNames.indexOf(name);
    if (k < 0)
      throw new OnnxExportError(`exportOnnx: dynamicAxes names '${name}', which is not an input name`);
    for (const ax of Object.keys(dyn[name]!)) {
      if (Number(ax) >= inputs[k]!.ndim)
        throw new OnnxExportError(`exportOnnx: dynamic axis ${ax} of '${name}' is out of range`);
    }
  }
  const a = runTrace(model, inputs);
  const b = runTrace(model, variedInputs(inputs, inputNames, dyn));
  if (
    a.order.length !== b.order.length ||
    a.order.some((t, i) => t.gradFn?.name !== b.order[i]!.gradFn?.name)
  ) {
    throw new OnnxExportError(
      'exportOnnx: the traced graph changes with the input sizes or values (control flow that depends on them); ' +
        'it cannot be exported with these dynamic axes',
    );
  }
  const params = new Map<Tensor, string>();
  for (const [n, p] of model.namedParameters?.() ?? []) if (!params.has(p)) params.set(p, n);
  for (const [n, p] of model.namedBuffers?.() ?? []) if (!params.has(p)) params.set(p, n);

  const nodes: Attr[] = [];
  const initializers: Attr[] = [];
  const names = new Map<Tensor, string>();
  const shapeB = new Map<Tensor, readonly number[]>();
  a.order.forEach((t, i) => {
    shapeB.set(t, b.order[i]!.shape);
  });
  let counter = 0;
  const fresh = (base: string) => `${base}_${counter++}`;
  const emit = (opType: string, ins: string[], attrs: Attr[] = [], out?: string): string => {
    const o = out ?? fresh(opType);
    nodes.push({ opType, input: ins, output: [o], name: `${opType}_${nodes.length}`, attribute: attrs });
    return o;
  };
  const addInit = (name: string, dims: readonly number[], type: number, raw: Uint8Array) => {
    initializers.push({ name, dims: [...dims], dataType: type, rawData: raw });
    return name;
  };
  const int64s = (vals: readonly (number | bigint)[], dims: readonly number[] = [vals.length]) =>
    addInit(
      fresh('const'),
      dims,
      ElemType.int64,
      new Uint8Array(BigInt64Array.from(vals.map((v) => BigInt(v))).buffer),
    );

  // Dims of graph inputs, to rebuild a dynamic size from Shape(input).
  const inputDims: { name: string; a: number; b: number; dim: number; symbol?: string }[] = [];
  inputs.forEach((x, k) => {
    x.shape.forEach((s, d) => {
      inputDims.push({
        name: inputNames[k]!,
        a: s,
        b: b.inputs[k]!.shape[d]!,
        dim: d,
        symbol: dyn[inputNames[k]!]?.[d],
      });
    });
  });

  const shapeCache = new Map<string, string>();
  const dimOf = (src: string, d: number): string => {
    const key = `${src}:${d}`;
    let n = shapeCache.get(key);
    if (n === undefined) {
      let shp = shapeCache.get(src);
      if (shp === undefined) {
        shp = emit('Shape', [src]);
        shapeCache.set(src, shp);
      }
      n = emit('Gather', [shp, int64s([d])], [intAttr('axis', 0)]);
      shapeCache.set(key, n);
    }
    return n;
  };
  /** A 1-D int64 tensor holding `target`, built from Shape of `sources` where a dim is dynamic. */
  const shapeTensor = (
    op: string,
    targetA: readonly number[],
    targetB: readonly number[],
    sources: { name: string; a: readonly number[]; b: readonly number[] }[],
    allowInfer: boolean,
    fixed: (i: number) => number | undefined = () => undefined,
  ): string => {
    const dynamic = targetA.map((s, i) => s !== targetB[i] && fixed(i) === undefined);
    const nDyn = dynamic.filter(Boolean).length;
    if (nDyn === 0) return int64s(targetA.map((s, i) => fixed(i) ?? s));
    const pieces: string[] = [];
    let run: number[] = [];
    const flush = () => {
      if (run.length > 0) pieces.push(int64s(run));
      run = [];
    };
    let inferred = !allowInfer;
    targetA.forEach((s, i) => {
      if (!dynamic[i]) {
        run.push(fixed(i) ?? s);
        return;
      }
      if (!inferred && nDyn === 1) {
        inferred = true;
        run.push(-1);
        return;
      }
      for (const src of sources) {
        const j = src.a.findIndex((v, k) => v === s && src.b[k] === targetB[i]);
        if (j >= 0) {
          flush();
          pieces.push(dimOf(src.name, j));
          return;
        }
      }
      const inp = inputDims.find((d) => d.a === s && d.b === targetB[i]);
      if (inp !== undefined) {
        flush();
        pieces.push(dimOf(inp.name, inp.dim));
        return;
      }
      if (!inferred) {
        inferred = true;
        run.push(-1);
        return;
      }
      throw new OnnxExportError(
        `exportOnnx: '${op}' to a shape whose dim ${i} (${s}) changes with a dynamic axis but matches no input dim`,
      );
    });
    flush();
    return pieces.length === 1 ? pieces[0]! : emit('Concat', pieces, [intAttr('axis', 0)]);
  };

  inputs.forEach((x, k) => {
    names.set(x, inputNames[k]!);
  });
  a.order.forEach((t, idx) => {
    if (names.has(t)) return;
    const tb = b.order[idx]!;
    const node = t.gradFn;
    if (node === null) {
      const p = params.get(t);
      if (p !== undefined) {
        names.set(t, addInit(p, t.shape, elemType(t.dtype), rawBytes(t)));
        return;
      }
      if (t.shape.every((s, i) => s === tb.shape[i])) {
        if (!sameValues(t, tb)) {
          throw new OnnxExportError(
            `exportOnnx: a constant of shape [${t.shape}] changes with the input's values: it was computed from ` +
              'the input by an op that records no node, so it cannot be exported',
          );
        }
        names.set(t, addInit(fresh('const'), t.shape, elemType(t.dtype), rawBytes(t)));
        return;
      }
      // A constant whose shape follows a dynamic axis: only a filled one (zeros of [batch, h]).
      const v = t.dataSync();
      const w = tb.dataSync();
      const first = v[0];
      if (![...v, ...w].every((x) => x === first)) {
        throw new OnnxExportError(
          `exportOnnx: a constant of shape [${t.shape}] changes size with a dynamic axis and is not filled with one ` +
            'value; it cannot be exported with these dynamic axes (fix the axis instead)',
        );
      }
      const scalar = addInit(
        fresh('const'),
        [],
        elemType(t.dtype),
        rawBytes(t.reshape([-1]).narrow(0, 0, 1)),
      );
      names.set(t, emit('Expand', [scalar, shapeTensor('constant', t.shape, tb.shape, [], false)]));
      return;
    }
    const ins = node.inputs.map((x) => names.get(x)!);
    const at = node.attrs;
    const op = node.name;
    const x0 = node.inputs[0]!;
    let out: string;
    if (unaryOps[op] !== undefined) {
      out = emit(unaryOps[op]!, ins);
    } else if (binaryOps[op] !== undefined || op === 'ne') {
      let operands = ins;
      if (typeof at.scalar === 'number') {
        const src = op === 'pow' ? x0.dtype : x0.dtype;
        const c = tensor([at.scalar], { dtype: src });
        operands = [ins[0]!, addInit(fresh('const'), [], elemType(src), rawBytes(c))];
      }
      out = op === 'ne' ? emit('Not', [emit('Equal', operands)]) : emit(binaryOps[op]!, operands);
    } else if (op === 'where') {
      out = emit('Where', [names.get(at.cond as Tensor)!, ...ins]);
    } else if (op === 'cast') {
      out = emit('Cast', ins, [intAttr('to', elemType(t.dtype))]);
    } else if (op === 'reshape' || op === 'view') {
      const src = { name: ins[0]!, a: x0.shape, b: shapeB.get(x0)! };
      out = emit('Reshape', [ins[0]!, shapeTensor(op, t.shape, tb.shape, [src], true)]);
    } else if (op === 'expand') {
      const lead = t.ndim - x0.ndim;
      const xb = shapeB.get(x0)!;
      const keep = (i: number) =>
        i >= lead && x0.shape[i - lead] === t.shape[i] && xb[i - lead] === tb.shape[i] ? 1 : undefined;
      out = emit('Expand', [ins[0]!, shapeTensor(op, t.shape, tb.shape, [], false, keep)]);
    } else if (op === 'permute') {
      out = emit('Transpose', ins, [intsAttr('perm', at.dims as number[])]);
    } else if (op === 'narrow' || op === 'slice') {
      const d = at.dim as number;
      const start = at.start as number;
      const step = (at.step as number | undefined) ?? 1;
      const full = x0.shape[d]!;
      const len = t.shape[d]!;
      const dynamicDim = full !== shapeB.get(x0)![d];
      let end: number | bigint = start + (len - 1) * step + 1;
      if (dynamicDim) {
        if (start !== 0 || step !== 1 || len !== full)
          throw new OnnxExportError(`exportOnnx: '${op}' of part of dynamic dim ${d} cannot be exported`);
        end = INT64_MAX;
      }
      out = emit('Slice', [ins[0]!, int64s([start]), int64s([end]), int64s([d]), int64s([step])]);
    } else if (op === 'select') {
      out = emit('Gather', [ins[0]!, int64s([at.index as number], [])], [intAttr('axis', at.dim as number)]);
    } else if (op === 'cat') {
      out = emit('Concat', ins, [intAttr('axis', at.dim as number)]);
    } else if (op === 'sum' || op === 'max' || op === 'min') {
      const axes = at.axes as number[];
      const keep = at.keepdim === true ? 1 : 0;
      const onnxOp = op === 'sum' ? 'ReduceSum' : op === 'max' ? 'ReduceMax' : 'ReduceMin';
      if (axes.length === 0) out = emit('Identity', ins);
      else if (op === 'sum' || opset >= 18)
        out = emit(onnxOp, [ins[0]!, int64s(axes)], [intAttr('keepdims', keep)]);
      else out = emit(onnxOp, ins, [intsAttr('axes', axes), intAttr('keepdims', keep)]);
    } else if (op === 'argmax' || op === 'argmin') {
      const axes = at.axes as number[];
      const r = emit(op === 'argmax' ? 'ArgMax' : 'ArgMin', ins, [
        intAttr('axis', axes[0]!),
        intAttr('keepdims', 1),
      ]);
      out = emit('Cast', [r], [intAttr('to', ElemType.int32)]);
    } else if (op === 'matmul') {
      out = emit('MatMul', ins);
    } else if (op === 'addmm') {
      out = emit('Gemm', [ins[1]!, ins[2]!, ins[0]!]);
    } else if (op === 'im2col') {
      // Pad the plane with the pad value, flatten it, and gather every window's taps with one
      // constant index [kH·kW, oH·oW] (the plane's size is fixed; the batch may be dynamic).
      const [H, W] = at.size as [number, number];
      const [kH, kW] = at.kernel as [number, number];
      const [sH, sW] = at.stride as [number, number];
      const [pH, pW] = at.padding as [number, number];
      const [dH, dW] = at.dilation as [number, number];
      const [oH, oW] = at.out as [number, number];
      const endH = Math.max(0, (oH - 1) * sH + (kH - 1) * dH + 1 - pH - H);
      const endW = Math.max(0, (oW - 1) * sW + (kW - 1) * dW + 1 - pW - W);
      const Wp = pW + W + endW;
      const fill = tensor([at.padValue as number], { dtype: x0.dtype });
      const padded = emit('Pad', [
        ins[0]!,
        int64s([0, 0, pH, pW, 0, 0, endH, endW]),
        addInit(fresh('const'), [], elemType(x0.dtype), rawBytes(fill)),
      ]);
      const flat = emit('Reshape', [padded, int64s([0, 0, (pH + H + endH) * Wp])]);
      const taps: number[] = [];
      for (let ky = 0; ky < kH; ky++)
        for (let kx = 0; kx < kW; kx++)
          for (let oy = 0; oy < oH; oy++)
            for (let ox = 0; ox < oW; ox++) taps.push((oy * sH + ky * dH) * Wp + ox * sW + kx * dW);
      out = emit('Gather', [flat, int64s(taps, [kH * kW, oH * oW])], [intAttr('axis', 2)]);
    } else if (op === 'gather') {
      out = emit(
        'GatherElements',
        [ins[0]!, names.get(at.index as Tensor)!],
        [intAttr('axis', at.dim as number)],
      );
    } else {
      throw new OnnxExportError(
        `exportOnnx: op '${op}' has no ONNX mapping (in a node of shape [${t.shape}])`,
      );
    }
    names.set(t, out);
  });

  const outputNames = a.outputs.map((_, i) => options.outputNames?.[i] ?? `output_${i}`);
  a.outputs.forEach((t, i) => {
    emit('Identity', [names.get(t)!], [], outputNames[i]!);
  });
  const valueInfo = (
    name: string,
    t: Tensor,
    tb: readonly number[],
    symbols?: Readonly<Record<number, string>>,
  ) => ({
    name,
    type: {
      tensorType: {
        elemType: elemType(t.dtype),
        shape: {
          dim: t.shape.map((s, i) => {
            if (symbols?.[i] !== undefined) return { dimParam: symbols[i] };
            if (s === tb[i]) return { dimValue: s };
            const sym = inputDims.find((d) => d.symbol !== undefined && d.a === s && d.b === tb[i])?.symbol;
            return sym !== undefined ? { dimParam: sym } : { dimParam: `${name}_dim${i}` };
          }),
        },
      },
    },
  });
  const message = {
    irVersion: opset <= 18 ? 8 : opset <= 20 ? 9 : 10,
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'tsgrad',
    producerVersion: '0.1.0',
    docString: options.docString ?? '',
    graph: {
      name: options.modelName ?? 'tsgrad',
      node: nodes,
      initializer: initializers,
      input: inputs.map((x, k) => valueInfo(inputNames[k]!, x, b.inputs[k]!.shape, dyn[inputNames[k]!])),
      output: a.outputs.map((t, i) => valueInfo(outputNames[i]!, t, b.outputs[i]!.shape)),
    },
  };
  const err = ModelProto.verify(message);
  if (err !== null) throw new OnnxExportError(`exportOnnx: invalid model message: ${err}`);
  // A plain Uint8Array (protobufjs hands out a Node Buffer, possibly a pooled one).
  return new Uint8Array(ModelProto.encode(ModelProto.fromObject(message)).finish());
}
