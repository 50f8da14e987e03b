/**
 * Sweep of the tiled matmul configurations: for each configuration and each size n, TFLOP/s
 * of an n×n×n fp32 product (median of timed batches), checked at 32 entries against float64
 * dot products; then the best configuration per size.
 *
 *   tsx bench/gpu/matmul-sweep.ts [--configs t128x128k16uw,t64x64k16 | all] [--sizes 1024,4096,8192]
 *                                 [--budget-ms 600]
 *
 * Configurations default to SWEEP_CONFIGS (every one). One that needs more workgroup memory
 * than the device allows is reported and skipped. On a machine without a GPU it runs on lavapipe;
 * pass small sizes there (`--sizes 128,256`). Packed for a GPU machine by pack.ts (sweep.sh).
 */
import { initWebGPU, MATMUL_CONFIGS, type MatmulConfigName, matmulWorkgroupBytes } from '@tsgrad/gpu';
import { formatCheck, formatRate, freeOperands, squareOperands, timeMatmul } from './matmul-bench.js';

/**
 * The configurations swept by default: the large program of `'auto'`, its variants (blocks
 * taken in bands of 8 and 16 block-rows, 8-deep slabs), then the mid-size and small ones.
 */
const SWEEP_CONFIGS: MatmulConfigName[] = [
  't128x128k16uw',
  't128x128k16uwg8',
  't128x128k16uwg16',
  't128x128k8uw',
  't64x64k16',
  't128x64k16d',
];

interface Args {
  configs: MatmulConfigName[];
  sizes: number[];
  budgetMs: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    configs: SWEEP_CONFIGS,
    sizes: [1024, 4096, 8192],
    budgetMs: 600,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--configs') args.configs = argv[++i]!.split(',') as MatmulConfigName[];
    else if (a === '--sizes') args.sizes = argv[++i]!.split(',').map(Number);
    else if (a === '--budget-ms') args.budgetMs = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  if (args.configs.length === 1 && args.configs[0] === ('all' as MatmulConfigName)) {
    args.configs = Object.keys(MATMUL_CONFIGS) as MatmulConfigName[];
  }
  for (const c of args.configs) {
    if (!(c in MATMUL_CONFIGS)) {
      throw new Error(`unknown configuration ${c} (known: ${Object.keys(MATMUL_CONFIGS).join(', ')})`);
    }
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const gpu = await initWebGPU({ matmulKernel: 'tiled' });
  const info = gpu.adapterInfo;
  const limit = gpu.gpu.limits.maxComputeWorkgroupStorageSize;
  console.log(
    `adapter: ${info?.vendor ?? '?'} / ${info?.architecture ?? '?'} / ${info?.device ?? '?'} (${info?.description ?? ''}); ` +
      `workgroup memory ${limit} bytes`,
  );
  const configs = args.configs.filter((name) => {
    const need = matmulWorkgroupBytes(MATMUL_CONFIGS[name], 'row', 'row');
    if (need <= limit) return true;
    console.log(`${name}: skipped (needs ${need} bytes of workgroup memory)`);
    return false;
  });
  const best = new Map<number, [string, number]>();
  for (const n of args.sizes) {
    const t0 = performance.now();
    const ops = squareOperands(gpu, n);
    for (const name of configs) {
      gpu.matmulConfig = name;
      const { ms, flops, worst } = await timeMatmul(gpu, ops, args.budgetMs, 10);
      console.log(
        `${String(n).padStart(5)}  ${name.padEnd(16)} ${formatRate(flops).padStart(16)}  ${ms.toFixed(3).padStart(9)} ms  ${formatCheck(worst)}`,
      );
      if (worst < 1e-3 && flops > (best.get(n)?.[1] ?? 0)) best.set(n, [name, flops]);
    }
    freeOperands(gpu, ops);
    console.log(`       (${((performance.now() - t0) / 1000).toFixed(1)} s for n = ${n})`);
  }
  for (const [n, [name, flops]] of best) console.log(`best at ${n}: ${name} ${formatRate(flops)}`);
}

await main();
