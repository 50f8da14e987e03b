/**
 * A small ONNX model for the onnxruntime-web test, written with protobufjs from a subset of
 * the ONNX schema (`onnx.proto`, the fields this model uses, with their field numbers): a
 * tsgrad MLP's `Linear` layers become `Gemm` nodes (`transB`, as PyTorch's weights are
 * `[out, in]`) with the weights as initializers, and the batch axis is dynamic.
 */
import { manualSeed, randn, type Tensor } from '@tsgrad/core';
import { Linear, Module, ReLU, Tanh } from '@tsgrad/nn';
import protobuf from 'protobufjs';

const schema = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
          },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            type: { type: 'int32', id: 20 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
          },
        },
        ValueInfoProto: {
          fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } },
        },
        TypeProto: {
          fields: { tensorType: { type: 'TypeProtoTensor', id: 1 } },
        },
        TypeProtoTensor: {
          fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } },
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } },
        },
        Dimension: {
          oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
          fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } },
        },
      },
    },
  },
};

const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTRIBUTE_INT = 2; // AttributeProto.AttributeType.INT

/** The model the fixture exports: 4 → 8 (ReLU) → 3 (tanh). */
export class SmallMlp extends Module {
  readonly fc1 = new Linear(4, 8);
  readonly fc2 = new Linear(8, 3);
  readonly relu = new ReLU();
  readonly tanh = new Tanh();

  override forward(x: Tensor): Tensor {
    return this.tanh.call(this.fc2.call(this.relu.call(this.fc1.call(x))));
  }
}

async function initializer(name: string, t: Tensor): Promise<object> {
  const data = (await t.contiguous().data()) as Float32Array;
  return {
    name,
    dims: t.shape,
    dataType: FLOAT,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

function floatInput(name: string, dims: (number | string)[]): object {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim } } } };
}

/** Writes `model` as ONNX (opset 17): input `x` `[batch, 4]`, output `y` `[batch, 3]`. */
export async function smallMlpToOnnx(model: SmallMlp): Promise<Uint8Array> {
  const gemm = (name: string, input: string, output: string) => ({
    name,
    opType: 'Gemm',
    input: [input, `${name}.weight`, `${name}.bias`],
    output: [output],
    attribute: [{ name: 'transB', i: 1, type: ATTRIBUTE_INT }],
  });
  const graph = {
    name: 'small_mlp',
    node: [
      gemm('fc1', 'x', 'h1'),
      { name: 'relu', opType: 'Relu', input: ['h1'], output: ['h2'] },
      gemm('fc2', 'h2', 'h3'),
      { name: 'tanh', opType: 'Tanh', input: ['h3'], output: ['y'] },
    ],
    initializer: [
      await initializer('fc1.weight', model.fc1.weight),
      await initializer('fc1.bias', model.fc1.bias!),
      await initializer('fc2.weight', model.fc2.weight),
      await initializer('fc2.bias', model.fc2.bias!),
    ],
    input: [floatInput('x', ['batch', 4])],
    output: [floatInput('y', ['batch', 3])],
  };
  const ModelProto = protobuf.Root.fromJSON(schema).lookupType('onnx.ModelProto');
  const message = ModelProto.fromObject({
    irVersion: 8,
    producerName: 'tsgrad',
    opsetImport: [{ domain: '', version: 17 }],
    graph,
  });
  return ModelProto.encode(message).finish();
}

/** A seeded model, its ONNX bytes, an input batch and tsgrad's output for it. */
export async function smallMlpFixture(batch = 5): Promise<{
  onnx: Uint8Array;
  input: { data: Float32Array; dims: number[] };
  expected: { data: Float32Array; dims: number[] };
}> {
  manualSeed(0);
  const model = new SmallMlp();
  model.eval();
  const x = randn([batch, 4]);
  const y = model.call(x);
  return {
    onnx: await smallMlpToOnnx(model),
    input: { data: (await x.data()) as Float32Array, dims: x.shape.slice() },
    expected: { data: (await y.data()) as Float32Array, dims: y.shape.slice() },
  };
}
