import { safetensors, type Tensor } from '@tsgrad/core';
import { type ExportableModel, exportOnnx, type OnnxExportOptions } from './export.js';

/**
 * Exports `model` (see {@link exportOnnx}) and writes the `.onnx` file at `path` (Node):
 * written to a temporary file beside it, then renamed, so a reader never sees half a file
 * (`safetensors.writeFileAtomic`, which also removes temporary files of killed saves).
 *
 * @example
 * ```ts
 * await saveOnnx('mlp.onnx', model.eval(), [randn([1, 4])], { dynamicAxes: { input_0: { 0: 'batch' } } });
 * ```
 */
export async function saveOnnx(
  path: string,
  model: ExportableModel,
  exampleInputs: Tensor | readonly Tensor[],
  options?: OnnxExportOptions,
): Promise<void> {
  const bytes = exportOnnx(model, exampleInputs, options);
  await safetensors.writeFileAtomic(path, bytes);
}
