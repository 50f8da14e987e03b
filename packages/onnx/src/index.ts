/**
 * `@tsgrad/onnx`: export a tsgrad model to ONNX, to serve it with ONNX Runtime (Node,
 * browsers, servers).
 *
 * @example
 * ```ts
 * import { exportOnnx, saveOnnx } from '@tsgrad/onnx';
 * const bytes = exportOnnx(model.eval(), [randn([1, 4])]);
 * await saveOnnx('model.onnx', model, [randn([1, 4])]);
 * ```
 *
 * @packageDocumentation
 * @module @tsgrad/onnx
 */
export {
  type ExportableModel,
  exportOnnx,
  OnnxExportError,
  type OnnxExportOptions,
} from './export.js';
export { saveOnnx } from './save.js';
