// Run by `pnpm check` after the build: asks the built @tsgrad/gpu whether WebGPU finds an
// adapter here, and runs one op on it. Without one the WebGPU tests report skipped, so this
// only warns, unless TSGRAD_REQUIRE_WEBGPU=1 makes it fail.
const { initWebGPU, isWebGPUAvailable } = await import('../packages/gpu/dist/index.js');
const { tensor } = await import('../packages/core/dist/index.js');

const required = process.env.TSGRAD_REQUIRE_WEBGPU === '1';
const fail = (why) => {
  console.log(`webgpu: ${why}; WebGPU tests will report skipped (see scripts/install-system-deps.sh)`);
  process.exit(required ? 1 : 0);
};
setTimeout(() => fail('no answer within 60 s'), 60_000).unref();

if (!(await isWebGPUAvailable())) fail('no adapter');
const gpu = await initWebGPU();
const doubled = await tensor([1, 2, 3], { device: 'webgpu' }).mul(2).data();
if (doubled.join() !== '2,4,6') fail(`[1,2,3] * 2 gave [${doubled.join()}]`);
const info = gpu.adapterInfo;
console.log(`webgpu: ${[info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' / ')}`);
process.exit(0);
