#!/usr/bin/env node
// Checks that WebGPU works in Node on this machine through the `webgpu` package (Dawn):
// requests an adapter and a device, doubles a small array in a compute shader, reads it
// back and prints what adapter was used. Exit code 0 when all of that worked, 1 otherwise.
//
//   node scripts/webgpu-probe.mjs          # human-readable lines
//   node scripts/webgpu-probe.mjs --json   # one JSON object on stdout
//
// `webgpu` is resolved from packages/gpu, which is the package that depends on it.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const json = process.argv.includes('--json');
const TIMEOUT_MS = Number(process.env.WEBGPU_PROBE_TIMEOUT_MS ?? 60_000);

// Dawn's instance must stay referenced for as long as any adapter or device lives: if the
// object returned by create() is garbage-collected, the process crashes shortly after.
// Keeping it on a module-level object (not only in a local) guarantees that.
const keepAlive = {};

function fail(message, extra = {}) {
  if (json) {
    console.log(JSON.stringify({ ok: false, error: message, ...extra }));
  } else {
    console.error(`webgpu-probe: FAILED: ${message}`);
    if (extra.hint) console.error(`webgpu-probe: hint: ${extra.hint}`);
  }
  process.exit(1);
}

const timer = setTimeout(() => fail(`timed out after ${TIMEOUT_MS} ms`), TIMEOUT_MS);

async function loadWebgpu() {
  const gpuPackageJson = fileURLToPath(new URL('../packages/gpu/package.json', import.meta.url));
  let entry;
  try {
    entry = createRequire(gpuPackageJson).resolve('webgpu');
  } catch {
    fail('cannot resolve the `webgpu` package from packages/gpu', {
      hint: 'run `npx -y pnpm@10.34.9 install` at the repository root',
    });
  }
  return import(pathToFileURL(entry).href);
}

async function main() {
  const started = performance.now();
  const { create, globals } = await loadWebgpu();
  Object.assign(globalThis, globals);
  keepAlive.gpu = create([]);
  const gpu = keepAlive.gpu;

  let adapter = await gpu.requestAdapter();
  if (!adapter) adapter = await gpu.requestAdapter({ forceFallbackAdapter: true });
  if (!adapter) {
    fail('no WebGPU adapter found', {
      hint:
        'on a machine without a GPU run `bash scripts/install-system-deps.sh` (libvulkan1 and ' +
        "Mesa's lavapipe from bookworm-backports); VK_DRIVER_FILES may point at a Vulkan ICD json",
    });
  }
  const info = adapter.info ?? {};
  const adapterInfo = {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? null,
    maxStorageBufferBindingSize: adapter.limits?.maxStorageBufferBindingSize,
    features: [...(adapter.features ?? [])].sort(),
  };

  const device = await adapter.requestDevice();
  keepAlive.device = device;
  let uncaptured = null;
  device.addEventListener?.('uncapturederror', (e) => {
    uncaptured = e.error?.message ?? String(e.error);
  });
  const openedMs = performance.now() - started;

  const input = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, -1.5, 0, 1e6, 0.25]);
  const bytes = input.byteLength;
  const storage = device.createBuffer({
    size: bytes,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    mappedAtCreation: true,
  });
  new Float32Array(storage.getMappedRange()).set(input);
  storage.unmap();
  const readback = device.createBuffer({
    size: bytes,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });

  device.pushErrorScope('validation');
  const module = device.createShaderModule({
    code: /* wgsl */ `
      @group(0) @binding(0) var<storage, read_write> data: array<f32>;
      @compute @workgroup_size(64)
      fn main(@builtin(global_invocation_id) id: vec3u) {
        if (id.x < arrayLength(&data)) {
          data[id.x] = data[id.x] * 2.0;
        }
      }`,
  });
  const pipeline = device.createComputePipeline({
    layout: 'auto',
    compute: { module, entryPoint: 'main' },
  });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: storage } }],
  });
  const dispatchStarted = performance.now();
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(Math.ceil(input.length / 64));
  pass.end();
  encoder.copyBufferToBuffer(storage, 0, readback, 0, bytes);
  device.queue.submit([encoder.finish()]);
  const validationError = await device.popErrorScope();
  if (validationError) fail(`validation error: ${validationError.message}`);

  await readback.mapAsync(GPUMapMode.READ);
  const output = new Float32Array(readback.getMappedRange().slice(0));
  readback.unmap();
  const dispatchMs = performance.now() - dispatchStarted;
  if (uncaptured) fail(`uncaptured device error: ${uncaptured}`);

  const expected = input.map((x) => x * 2);
  const mismatch = expected.findIndex((x, i) => output[i] !== x);
  if (mismatch !== -1) {
    fail(`wrong result at index ${mismatch}: got ${output[mismatch]}, expected ${expected[mismatch]}`, {
      output: [...output],
    });
  }

  storage.destroy();
  readback.destroy();
  device.destroy();
  clearTimeout(timer);

  const result = {
    ok: true,
    adapter: adapterInfo,
    openMs: Math.round(openedMs),
    dispatchAndReadbackMs: Number(dispatchMs.toFixed(2)),
    env: {
      VK_DRIVER_FILES: process.env.VK_DRIVER_FILES ?? null,
      VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? null,
    },
  };
  if (json) {
    console.log(JSON.stringify(result));
  } else {
    const a = adapterInfo;
    console.log(
      `webgpu-probe: OK adapter vendor=${a.vendor || '?'} architecture=${a.architecture || '?'} ` +
        `device=${a.device || '?'} fallback=${a.isFallbackAdapter}`,
    );
    if (a.description) console.log(`webgpu-probe: description: ${a.description}`);
    console.log(`webgpu-probe: features: ${a.features.join(', ') || '(none)'}`);
    console.log(
      `webgpu-probe: maxStorageBufferBindingSize=${a.maxStorageBufferBindingSize} ` +
        `open=${result.openMs} ms, dispatch+readback=${result.dispatchAndReadbackMs} ms, ` +
        `doubled [${[...input].join(', ')}] correctly`,
    );
  }
  // Reference the instance once more so it provably outlives the device.
  if (!keepAlive.gpu) throw new Error('unreachable');
  process.exit(0);
}

main().catch((err) => fail(err?.stack ?? String(err)));
