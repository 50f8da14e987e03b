import { rename, writeFile } from 'node:fs/promises';
import type { Tensor } from '@tsgrad/core';
import { type ExportableModel, exportOnnx, type OnnxExportOptions } from './export.js';

/**
 * Exports `model` (see {@link exportOnnx}) and writes the `.onnx` file at `path` (Node):
 * written to a temporary file beside it, then renamed, so a reader never sees half a file.
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
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}
