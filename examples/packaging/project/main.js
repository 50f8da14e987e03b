// The page: trains on the CPU, then on WebGPU where the browser gives an adapter, and leaves
// the record on `window.packRun`.
import { initWebGPU, isWebGPUAvailable } from '@tsgrad/gpu';
import { train } from './train.js';

const run = { cpu: null, webgpu: null, webgpuSkipped: null, done: false, error: null };
window.packRun = run;
try {
  run.cpu = await train('cpu');
  if (await isWebGPUAvailable()) {
    await initWebGPU();
    run.webgpu = await train('webgpu');
  } else {
    run.webgpuSkipped = navigator.gpu ? 'navigator.gpu gave no adapter' : 'no navigator.gpu';
  }
} catch (e) {
  run.error = String(e?.stack ?? e);
}
run.done = true;
document.getElementById('status').textContent = JSON.stringify(run, null, 2);
