/**
 * WebGPU benchmark: fp32 matmul TFLOP/s, the cost of a queued elementwise op, and training
 * steps per second of an MLP (on WebGPU and on the CPU backend) and of a tiny GPT; with
 * `--torch`, the same figures from PyTorch on the same machine (torch-bench.py, beside this
 * file).
 *
 *   pnpm bench:gpu [--sizes 1024,4096,8192] [--mlp-steps 100] [--gpt-steps 20] [--rounds 10]
 *                  [--warmup-ms 2000] [--torch] [--queued 2000] [--matmul auto|tiled|direct]
 *                  [--matmul-config auto|<name>] [--only matmul,queued,mlp,gpt] [--max-dispatches 256]
 *
 * Training steps are timed at steady state: `--warmup-ms` of steps first (V8 compiles the
 * per-step code, pipelines and buffer pools fill), then `--rounds` rounds of `--*-steps` steps,
 * each round timed to the read of its last loss. A step's mean is the whole time over all steps
 * (what an epoch costs); its median is that of the rounds.
 *
 * On a machine without a GPU it runs on lavapipe; pass small sizes (`--sizes 128,256`) there.
 * To run it on a remote GPU machine, see pack.ts (`pnpm bench:gpu:pack`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  arange,
  manualSeed,
  noGrad,
  randint,
  randn,
  type Tensor,
  tensor,
  tidy,
  type View,
} from '@tsgrad/core';
import { initWebGPU, type MatmulConfigName, type WebGPUBackend } from '@tsgrad/gpu';
import { crossEntropyLoss, Embedding, LayerNorm, Linear, TransformerEncoderLayer } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { formatCheck, formatRate, freeOperands, squareOperands, timeMatmul } from './matmul-bench.js';

const PARTS = ['matmul', 'queued', 'mlp', 'gpt'] as const;
type Part = (typeof PARTS)[number];

interface Args {
  sizes: number[];
  mlpSteps: number;
  gptSteps: number;
  rounds: number;
  warmupMs: number;
  only: Set<Part>;
  torch: boolean;
  queued: number;
  matmul: 'auto' | 'tiled' | 'direct';
  matmulConfig: 'auto' | MatmulConfigName;
  maxDispatches: number | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    sizes: [1024, 4096, 8192],
    mlpSteps: 100,
    gptSteps: 20,
    rounds: 10,
    warmupMs: 2000,
    only: new Set(PARTS),
    torch: false,
    queued: 2000,
    matmul: 'auto',
    matmulConfig: 'auto',
    maxDispatches: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--sizes') args.sizes = argv[++i]!.split(',').map(Number);
    else if (a === '--mlp-steps') args.mlpSteps = Number(argv[++i]);
    else if (a === '--gpt-steps') args.gptSteps = Number(argv[++i]);
    else if (a === '--rounds') args.rounds = Number(argv[++i]);
    else if (a === '--warmup-ms') args.warmupMs = Number(argv[++i]);
    else if (a === '--queued') args.queued = Number(argv[++i]);
    else if (a === '--max-dispatches') args.maxDispatches = Number(argv[++i]);
    else if (a === '--only') {
      const parts = argv[++i]!.split(',');
      const bad = parts.filter((q) => !(PARTS as readonly string[]).includes(q));
      if (bad.length > 0)
        throw new Error(`--only: unknown part ${bad.join(', ')} (parts: ${PARTS.join(', ')})`);
      args.only = new Set(parts as Part[]);
    } else if (a === '--torch') args.torch = true;
    else if (a === '--matmul') args.matmul = argv[++i] as Args['matmul'];
    else if (a === '--matmul-config') args.matmulConfig = argv[++i] as Args['matmulConfig'];
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

const view = (storage: unknown, shape: number[]): View => {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, q) => p * q, 1));
  return { storage, dtype: 'float32', layout: { shape, strides, offset: 0 } };
};

function fmt(x: number, digits = 2): string {
  return x.toFixed(digits);
}

/** Matmul TFLOP/s at n×n×n: median of timed batches after a warm-up, checked on sampled entries. */
async function benchMatmul(gpu: WebGPUBackend, n: number): Promise<string> {
  const ops = squareOperands(gpu, n);
  const { ms, flops, worst } = await timeMatmul(gpu, ops);
  freeOperands(gpu, ops);
  return (
    `matmul fp32 ${n}x${n}x${n}: ${formatRate(flops)} (${fmt(ms, 3)} ms median, ` +
    `matmul program '${gpu.matmulKernel}' config '${gpu.matmulConfig}', check ${formatCheck(worst)})`
  );
}

/**
 * Microseconds per op of `count` calls of `op` and the wait for the GPU to finish them, and of
 * the calls alone (recording): the medians of 7 rounds after one round of warm-up.
 */
async function perOp(
  gpu: WebGPUBackend,
  count: number,
  op: () => void,
): Promise<{ us: number; recordUs: number }> {
  const total: number[] = [];
  const record: number[] = [];
  for (let round = 0; round < 8; round++) {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) op();
    const t1 = performance.now();
    await gpu.sync();
    if (round === 0) continue;
    total.push(((performance.now() - t0) / count) * 1000);
    record.push(((t1 - t0) / count) * 1000);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;
  return { us: median(total), recordUs: median(record) };
}

/** Wall time per op of a long chain of small queued adds, and of one op plus its readback. */
async function benchQueued(gpu: WebGPUBackend, count: number): Promise<string[]> {
  const n = 1024;
  let x = gpu.fill(n, 1, 'float32');
  const one = gpu.fill(n, 1e-3, 'float32');
  // Backend level: what the GPU path costs.
  const backend = await perOp(gpu, count, () => {
    const y = gpu.binary('add', view(x, [n]), view(one, [n]), 'float32');
    gpu.free(x);
    x = y;
  });
  // Tensor level: the same through core's Tensor (shape checks, autograd bookkeeping, dispose).
  let t = tensor(new Array(n).fill(1), { device: 'webgpu' });
  const d = tensor(new Array(n).fill(1e-3), { device: 'webgpu' });
  const tensors = await perOp(gpu, count, () => {
    const u = t.add(d);
    t.dispose();
    t = u;
  });
  // One op and its readback, the latency of a synchronous step.
  const lat: number[] = [];
  for (let i = 0; i < 20; i++) {
    const s = performance.now();
    const y = gpu.binary('add', view(x, [n]), view(one, [n]), 'float32');
    await gpu.read(y, 'float32', 1);
    gpu.free(y);
    lat.push(performance.now() - s);
  }
  lat.sort((p, q) => p - q);
  gpu.free(x);
  gpu.free(one);
  t.dispose();
  d.dispose();
  return [
    `queued elementwise add [${n}]: ${fmt(tensors.us)} us/op through Tensor (${fmt(tensors.recordUs)} to record), ` +
      `${fmt(backend.us)} through the backend (${fmt(backend.recordUs)} to record); median of 7 rounds of ${count} ops`,
    `one add + readback: ${fmt(lat[Math.floor(lat.length / 2)]!, 3)} ms median`,
    rawDawnFloor(gpu.gpu, n, count),
  ];
}

/**
 * What Dawn alone costs per dispatch on this machine: `count` dispatches of one small kernel
 * recorded straight into one compute pass (a bind group with a dynamic offset each), no
 * tsgrad code between them. The floor under the figures above.
 */
function rawDawnFloor(device: GPUDevice, n: number, count: number): string {
  const module = device.createShaderModule({
    code: `@group(0) @binding(0) var<uniform> k: vec4<f32>;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@compute @workgroup_size(256) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  if (g.x < arrayLength(&x)) { x[g.x] = x[g.x] + k.x; }
}`,
  });
  const layout = device.createBindGroupLayout({
    entries: [
      { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } },
      { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
    ],
  });
  const pipeline = device.createComputePipeline({
    layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
    compute: { module, entryPoint: 'main' },
  });
  const align = device.limits.minUniformBufferOffsetAlignment;
  const uniforms = device.createBuffer({ size: align * 256, usage: GPUBufferUsage.UNIFORM });
  const x = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE });
  const group = device.createBindGroup({
    layout,
    entries: [
      { binding: 0, resource: { buffer: uniforms, size: 16 } },
      { binding: 1, resource: { buffer: x } },
    ],
  });
  const offsets = [0];
  const record = () => {
    const t0 = performance.now();
    let encoder = device.createCommandEncoder();
    let pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    for (let i = 0; i < count; i++) {
      offsets[0] = (i % 256) * align;
      pass.setBindGroup(0, group, offsets);
      pass.dispatchWorkgroups(Math.ceil(n / 256));
      if (i % 256 === 255) {
        pass.end();
        device.queue.submit([encoder.finish()]);
        encoder = device.createCommandEncoder();
        pass = encoder.beginComputePass();
        pass.setPipeline(pipeline);
      }
    }
    pass.end();
    device.queue.submit([encoder.finish()]);
    return ((performance.now() - t0) / count) * 1000;
  };
  record();
  const us = record();
  uniforms.destroy();
  x.destroy();
  return `Dawn alone, ${count} dispatches recorded and submitted by 256: ${fmt(us)} us/dispatch`;
}

/** Steps per second of a 784-512-10 ReLU MLP with cross-entropy and SGD at batch 128. */
async function benchMlp(device: 'webgpu' | 'cpu', timing: StepTiming): Promise<StepStats> {
  manualSeed(0);
  const batch = 128;
  const to = (t: Tensor) => (device === 'cpu' ? t : t.to(device));
  const w1 = to(randn([784, 512]).mul(0.05))
    .detach()
    .requiresGrad_();
  const b1 = to(tensor(new Array(512).fill(0))).requiresGrad_();
  const w2 = to(randn([512, 10]).mul(0.05))
    .detach()
    .requiresGrad_();
  const b2 = to(tensor(new Array(10).fill(0))).requiresGrad_();
  const x = to(randn([batch, 784]));
  const labels = to(randint(0, 10, [batch, 1]));
  const params = [w1, b1, w2, b2];
  const step = () =>
    tidy(() => {
      const logits = x.matmul(w1).add(b1).relu().matmul(w2).add(b2);
      const loss = logits.logSoftmax(1).gather(1, labels).mean().neg();
      loss.backward();
      noGrad(() => {
        for (const p of params) {
          p.sub_(p.grad!.mul(0.01));
          p.grad!.dispose();
          p.grad = null;
        }
      });
      return loss;
    });
  const stats = await timeSteps(step, timing);
  for (const t of [...params, x, labels]) t.dispose();
  return stats;
}

/** How a training step is timed: warm-up, then rounds of steps (see the file's comment). */
interface StepTiming {
  warmupMs: number;
  rounds: number;
  steps: number;
}

/** A training step's time at steady state: its mean over all timed steps and the rounds' median. */
interface StepStats {
  meanMs: number;
  medianMs: number;
  loss: number;
}

/**
 * Times `step` (each call returning its loss): warm-up steps for `warmupMs` (at least 3), then
 * `rounds` rounds of `steps` steps, each round timed up to the read of its last loss, which
 * waits for the whole queue.
 */
async function timeSteps(step: () => Tensor, t: StepTiming): Promise<StepStats> {
  const round = async (n: number): Promise<{ ms: number; loss: number }> => {
    const t0 = performance.now();
    let last: Tensor | null = null;
    for (let i = 0; i < n; i++) {
      last?.dispose();
      last = step();
    }
    const loss = await last!.item();
    last!.dispose();
    return { ms: performance.now() - t0, loss };
  };
  const w0 = performance.now();
  do await round(3);
  while (performance.now() - w0 < t.warmupMs);
  const perStep: number[] = [];
  let total = 0;
  let loss = Number.NaN;
  for (let r = 0; r < t.rounds; r++) {
    const x = await round(t.steps);
    perStep.push(x.ms / t.steps);
    total += x.ms;
    loss = x.loss;
  }
  perStep.sort((p, q) => p - q);
  return { meanMs: total / (t.rounds * t.steps), medianMs: perStep[perStep.length >> 1]!, loss };
}

/** `steps/s by the mean (by the median), ms per step` of a timed step. */
function formatSteps(s: StepStats): string {
  return `${fmt(1000 / s.meanMs, 1)} steps/s (median ${fmt(1000 / s.medianMs, 1)}; ${fmt(s.meanMs, 3)} ms mean)`;
}

/**
 * Steps per second of the tiny GPT of the CPU bench's gpt suite (65 token types, 64-token
 * context, 2 pre-norm blocks of width 128 with 4 heads and feed-forward 512, batch 32, Adam) on
 * WebGPU.
 */
async function benchGpt(timing: StepTiming): Promise<StepStats> {
  manualSeed(0);
  const [vocab, d, seq, batch] = [65, 128, 64, 32];
  const tok = new Embedding(vocab, d).to('webgpu');
  const pos = new Embedding(seq, d).to('webgpu');
  const blocks = [0, 1].map(() =>
    new TransformerEncoderLayer(d, 4, {
      dimFeedforward: 512,
      dropout: 0,
      batchFirst: true,
      normFirst: true,
    }).to('webgpu'),
  );
  const norm = new LayerNorm(d).to('webgpu');
  const head = new Linear(d, vocab).to('webgpu');
  const opt = new Adam(
    [tok, pos, ...blocks, norm, head].flatMap((m) => m.parameters()),
    { lr: 1e-3 },
  );
  const tokens = randint(0, vocab, [batch, seq], { dtype: 'int32' }).to('webgpu');
  const targets = randint(0, vocab, [batch * seq], { dtype: 'int32' }).to('webgpu');
  const positions = arange(seq, undefined, 1, { dtype: 'int32' }).to('webgpu');
  const mask = tensor(
    Array.from({ length: seq * seq }, (_, i) => (i % seq > Math.floor(i / seq) ? -Infinity : 0)),
    { shape: [seq, seq] },
  ).to('webgpu');
  const step = () =>
    tidy(() => {
      opt.zeroGrad();
      let x = tok.call(tokens).add(pos.call(positions));
      for (const b of blocks) x = b.forward(x, { srcMask: mask });
      const loss = crossEntropyLoss(head.call(norm.call(x)).reshape([batch * seq, vocab]), targets);
      loss.backward();
      opt.step();
      return loss;
    });
  const stats = await timeSteps(step, timing);
  if (!Number.isFinite(stats.loss)) throw new Error(`gpt: loss ${stats.loss}`);
  return stats;
}

function runTorch(args: Args): string[] {
  const script = fileURLToPath(new URL('./torch-bench.py', import.meta.url));
  const py = process.env.PYTHON ?? 'python3';
  if (!existsSync(script)) return ['pytorch: torch-bench.py not found beside this script'];
  const r = spawnSync(
    py,
    [
      script,
      '--sizes',
      args.sizes.join(','),
      '--mlp-steps',
      String(args.mlpSteps),
      '--gpt-steps',
      String(args.gptSteps),
      '--rounds',
      String(args.rounds),
      '--warmup-ms',
      String(args.warmupMs),
      '--only',
      [...args.only].join(','),
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0)
    return [`pytorch: not run (${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`];
  return r.stdout.trim().split('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const gpu = await initWebGPU({
    matmulKernel: args.matmul,
    matmulConfig: args.matmulConfig,
    maxDispatchesPerSubmit: args.maxDispatches,
  });
  const info = gpu.adapterInfo;
  console.log(
    `adapter: ${info?.vendor ?? '?'} / ${info?.architecture ?? '?'} / ${info?.device ?? '?'} (${info?.description ?? ''})`,
  );
  if (args.only.has('matmul')) for (const n of args.sizes) console.log(await benchMatmul(gpu, n));
  if (args.only.has('queued')) for (const line of await benchQueued(gpu, args.queued)) console.log(line);
  if (args.only.has('mlp')) {
    const timing = { warmupMs: args.warmupMs, rounds: args.rounds, steps: args.mlpSteps };
    const g = await benchMlp('webgpu', timing);
    const c = await benchMlp('cpu', { ...timing, steps: Math.max(3, Math.ceil(args.mlpSteps / 5)) });
    console.log(`MLP 784-512-10, batch 128, SGD: webgpu ${formatSteps(g)}, cpu ${formatSteps(c)}`);
  }
  if (args.only.has('gpt')) {
    const g = await benchGpt({ warmupMs: args.warmupMs, rounds: args.rounds, steps: args.gptSteps });
    console.log(`tiny GPT (2 blocks, d 128, batch 32 x 64 tokens), Adam: webgpu ${formatSteps(g)}`);
  }
  const s = gpu.stats();
  console.log(`(${s.submits} submits, ${s.dispatches} dispatches, ${s.pipelines} pipelines)`);
  if (args.torch) for (const line of runTorch(args)) console.log(line);
}

await main();
