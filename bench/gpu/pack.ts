/**
 * Packs the WebGPU benchmark into one folder that runs on a bare Linux x64 machine with an
 * NVIDIA driver but no Node and no Vulkan loader (as the lent GPU machines are):
 *
 *   bench.mjs       gpu-bench.ts bundled with core and gpu (only `webgpu` stays outside)
 *   sweep.mjs       matmul-sweep.ts, likewise
 *   node_modules/webgpu/   the Dawn binding, its dawn.node xz-compressed
 *   node.xz         this machine's Node binary, compressed
 *   *.deb           Debian's Vulkan loader and glvnd libraries, unpacked there by run.sh
 *   torch-bench.py  PyTorch's side of the comparison (with peer.py, whose GPT it imports)
 *   run.sh          unpacks what is needed and runs the benchmark with its arguments
 *   sweep.sh        the same for the matmul configuration sweep
 *
 *   pnpm bench:gpu:pack [outDir=.tmp/gpu-bench]
 *   # then, on the GPU machine, from the repository root:
 *   bash .tmp/gpu-bench/run.sh --torch
 *   bash .tmp/gpu-bench/sweep.sh --configs t128x128k16uw,t128x128k16uwg8 --sizes 8192
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const out = resolve(root, process.argv[2] ?? '.tmp/gpu-bench');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entry: { bench: join(here, 'gpu-bench.ts'), sweep: join(here, 'matmul-sweep.ts') },
  outDir: out,
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  bundle: true,
  splitting: false,
  dts: false,
  clean: false,
  silent: true,
  tsconfig: join(root, 'tsconfig.json'),
  noExternal: [/^@tsgrad\//],
  external: ['webgpu'],
  outExtension: () => ({ js: '.mjs' }),
});

// The Dawn binding: its loader and the linux-x64 addon.
const require = createRequire(join(root, 'packages/gpu/package.json'));
const webgpuDir = dirname(require.resolve('webgpu/package.json'));
const dest = join(out, 'node_modules/webgpu');
mkdirSync(join(dest, 'dist/linux-x64'), { recursive: true });
for (const f of ['package.json', 'index.js']) copyFileSync(join(webgpuDir, f), join(dest, f));
copyFileSync(join(webgpuDir, 'dist/linux-x64/dawn.node'), join(dest, 'dist/linux-x64/dawn.node'));
execFileSync('xz', ['-T0', '-6', join(dest, 'dist/linux-x64/dawn.node')]);

// Node itself (official builds need only glibc and libstdc++).
copyFileSync(process.execPath, join(out, 'node'));
execFileSync('xz', ['-T0', '-6', join(out, 'node')]);

// The Vulkan loader and glvnd (NVIDIA's Vulkan driver lives in libGLX_nvidia, which needs
// libGLdispatch), as .debs to unpack there.
const debs = ['libvulkan1', 'libglvnd0', 'libglx0', 'libegl1'];
try {
  execFileSync('apt-get', ['download', ...debs], { cwd: out, stdio: 'pipe' });
} catch (e) {
  console.warn(
    `could not download ${debs.join(', ')} (${(e as Error).message.split('\n')[0]}); run.sh will use the machine's`,
  );
}

copyFileSync(join(here, 'torch-bench.py'), join(out, 'torch-bench.py'));
copyFileSync(join(root, 'bench/torch/peer.py'), join(out, 'peer.py'));
/** A script that unpacks what is needed (once) and runs `script` with its arguments. */
const launcher = (what: string, script: string) => `#!/usr/bin/env bash
# Runs the packed ${what}; arguments go to it.
set -euo pipefail
cd "$(dirname "$0")"
if ! ldconfig -p | grep -q libvulkan.so.1 || ! ldconfig -p | grep -q libGLdispatch.so.0; then
  for f in ./*.deb; do [ -e "$f" ] && dpkg -x "$f" /; done
  ldconfig
fi
ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "\${VK_DRIVER_FILES:-}" ] && [ -f "$ICD" ] && ! ls /usr/share/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
  export VK_DRIVER_FILES="$ICD"
fi
[ -x node ] || { xz -dkf node.xz && chmod +x node; }
[ -f node_modules/webgpu/dist/linux-x64/dawn.node ] || xz -dkf node_modules/webgpu/dist/linux-x64/dawn.node.xz
exec ./node ${script} "$@"
`;
writeFileSync(
  join(out, 'run.sh'),
  launcher('WebGPU benchmark (e.g. --torch --sizes 1024,4096,8192)', 'bench.mjs'),
  { mode: 0o755 },
);
writeFileSync(
  join(out, 'sweep.sh'),
  launcher('matmul configuration sweep (e.g. --configs t128x128k16uw,t64x64k16 --sizes 4096)', 'sweep.mjs'),
  { mode: 0o755 },
);
console.log(`packed into ${out}: ${readdirSync(out).join(', ')}`);
