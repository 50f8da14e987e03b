import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  // The declarations name WebGPU's types (GPUDevice …): a reference lets users' type checks
  // find them in @webgpu/types, a dependency of this package.
  dts: { banner: '/// <reference types="@webgpu/types" />' },
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
