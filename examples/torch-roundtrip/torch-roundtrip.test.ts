/**
 * The PyTorch round trip. Without PyTorch: the files tsgrad writes are checked byte by byte
 * against the safetensors format (a parser written here) and against the keys and shapes of
 * PyTorch's `state_dict()` for the same models; the gate order of LSTM and GRU is checked by
 * its effect; the way back is checked on files standing in for PyTorch's. With PyTorch
 * (`python3 -c "import torch, safetensors"` works), `roundtrip.py` runs for real.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { noGrad, safetensors, tensor, zeros } from '@tsgrad/core';
import { GRU, LSTM } from '@tsgrad/nn';
import { describe, expect, it } from 'vitest';
import { checkTorchFiles, writeFixture } from './roundtrip.js';

const here = dirname(fileURLToPath(import.meta.url));
const tmp = () => mkdtempSync(join(tmpdir(), 'tsgrad-torch-'));

/** The safetensors format, read from its description (no code shared with core). */
function parse(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  expect(n % 8n).toBe(0n); // the header is padded to 8 bytes, so the data is aligned
  const len = Number(n);
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + len));
  expect(text).toMatch(/^\{.*\} *$/s); // JSON, then spaces
  const header = JSON.parse(text) as Record<string, any>;
  const size: Record<string, number> = { F32: 4, F64: 8, I32: 4, I64: 8, BOOL: 1 };
  const entries = Object.entries(header).filter(([k]) => k !== '__metadata__');
  let at = 0;
  for (const [name, info] of [...entries].sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0])) {
    expect(Object.keys(info).sort(), name).toEqual(['data_offsets', 'dtype', 'shape']);
    const [b, e] = info.data_offsets;
    expect(b, `${name} starts where the previous tensor ends`).toBe(at);
    expect(e - b, `${name} byte length`).toBe(
      info.shape.reduce((x: number, y: number) => x * y, 1) * size[info.dtype]!,
    );
    at = e;
  }
  expect(at, 'tensors cover the data section').toBe(bytes.length - 8 - len);
  const layout = Object.fromEntries(entries.map(([k, v]) => [k, `${v.dtype}[${v.shape.join(',')}]`]));
  return { header, layout, metadata: header.__metadata__ as Record<string, string> | undefined };
}

/** The keys, dtypes and shapes of PyTorch's `state_dict()` for the fixture's models. */
const torchLayouts: Record<string, Record<string, string>> = {
  mlp: {
    '0.weight': 'F32[16,6]',
    '0.bias': 'F32[16]',
    '2.weight': 'F32[16]',
    '2.bias': 'F32[16]',
    '3.weight': 'F32[3,16]',
    '3.bias': 'F32[3]',
  },
  embedding: { weight: 'F32[10,4]' },
  lstm: Object.fromEntries(
    [0, 1].flatMap((l) => [
      [`weight_ih_l${l}`, `F32[20,${l === 0 ? 4 : 5}]`],
      [`weight_hh_l${l}`, 'F32[20,5]'],
      [`bias_ih_l${l}`, 'F32[20]'],
      [`bias_hh_l${l}`, 'F32[20]'],
    ]),
  ),
  gru: Object.fromEntries(
    ['', '_reverse'].flatMap((s) => [
      [`weight_ih_l0${s}`, 'F32[15,4]'],
      [`weight_hh_l0${s}`, 'F32[15,5]'],
      [`bias_ih_l0${s}`, 'F32[15]'],
      [`bias_hh_l0${s}`, 'F32[15]'],
    ]),
  ),
  mha: {
    in_proj_weight: 'F32[24,8]',
    in_proj_bias: 'F32[24]',
    'out_proj.weight': 'F32[8,8]',
    'out_proj.bias': 'F32[8]',
  },
  encoder: {
    'self_attn.in_proj_weight': 'F32[24,8]',
    'self_attn.in_proj_bias': 'F32[24]',
    'self_attn.out_proj.weight': 'F32[8,8]',
    'self_attn.out_proj.bias': 'F32[8]',
    'linear1.weight': 'F32[16,8]',
    'linear1.bias': 'F32[16]',
    'linear2.weight': 'F32[8,16]',
    'linear2.bias': 'F32[8]',
    'norm1.weight': 'F32[8]',
    'norm1.bias': 'F32[8]',
    'norm2.weight': 'F32[8]',
    'norm2.bias': 'F32[8]',
  },
  // PyTorch's num_batches_tracked is int64; load_state_dict copies tsgrad's int32 into it.
  batchnorm: {
    weight: 'F32[3]',
    bias: 'F32[3]',
    running_mean: 'F32[3]',
    running_var: 'F32[3]',
    num_batches_tracked: 'I32[]',
  },
};

const torchCheck = spawnSync('python3', ['-c', 'import torch, safetensors'], { stdio: 'ignore' });
const hasTorch = torchCheck.status === 0;

describe('PyTorch round trip: files', () => {
  const dir = tmp();
  const written = writeFixture(dir);

  it('writes every model with PyTorch keys, dtypes and shapes, in the exact safetensors format', async () => {
    const files = await written;
    expect(files).toContain('train.optimizer.safetensors');
    for (const [name, layout] of Object.entries(torchLayouts)) {
      const f = parse(new Uint8Array(readFileSync(join(dir, `${name}.safetensors`))));
      expect(f.layout, name).toEqual(layout);
      expect(f.metadata).toEqual({ format: 'pt' });
      const io = parse(new Uint8Array(readFileSync(join(dir, `${name}.io.safetensors`))));
      expect(Object.keys(io.layout).sort()).toEqual(['input', 'output']);
    }
    const opt = parse(new Uint8Array(readFileSync(join(dir, 'train.optimizer.safetensors'))));
    expect(Object.keys(opt.layout)).toContain('state.0.exp_avg_sq');
    expect(opt.layout['state.0.exp_avg']).toBe('F32[16,6]');
    const groups = JSON.parse(opt.metadata!.state_dict!).param_groups;
    expect(groups[0]).toMatchObject({ params: [0, 1, 2, 3, 4, 5], lr: 0.01, weight_decay: 0.01 });
  });

  it('orders LSTM gates i, f, g, o and GRU gates r, z, n, as PyTorch does', () => {
    // With zero weights, input and state, only the biases act, each gate on its own block.
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    noGrad(() => {
      const lstm = new LSTM(1, 1);
      lstm.loadStateDict({
        weight_ih_l0: zeros([4, 1]),
        weight_hh_l0: zeros([4, 1]),
        bias_ih_l0: tensor([3, -1, 0.5, 0.2]), // i f g o
        bias_hh_l0: zeros([4]),
      });
      const h = lstm.forward(zeros([1, 1, 1]))[0].itemSync() as number;
      expect(h).toBeCloseTo(sig(0.2) * Math.tanh(sig(3) * Math.tanh(0.5)), 6);
      const gru = new GRU(1, 1);
      gru.loadStateDict({
        weight_ih_l0: zeros([3, 1]),
        weight_hh_l0: zeros([3, 1]),
        bias_ih_l0: tensor([2, -1, 0.3]), // r z n
        bias_hh_l0: tensor([0, 0, 0.7]),
      });
      const g = gru.forward(zeros([1, 1, 1]))[0].itemSync() as number;
      expect(g).toBeCloseTo((1 - sig(-1)) * Math.tanh(0.3 + sig(2) * 0.7), 6);
    });
  });

  it("loads files in PyTorch's place and reports a model whose output differs", async () => {
    await written;
    // Stand-ins for roundtrip.py's output: tsgrad's own files, one step further for training.
    const torchDir = join(dir, 'torch');
    mkdirSync(torchDir, { recursive: true });
    for (const f of readdirSync(dir)) if (f.endsWith('.safetensors')) cpSync(join(dir, f), join(torchDir, f));
    // train.*: state after 3 steps and the batch with tsgrad's 4th step, as roundtrip.py lays them out.
    let checks = await checkTorchFiles(dir);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['mlp', 'lstm', 'batchnorm', 'train 0.weight']),
    );
    const io = await safetensors.load(join(torchDir, 'gru.io.safetensors'));
    await safetensors.save(
      { input: io.input!, output: io.output!.add(1e-3) },
      join(torchDir, 'gru.io.safetensors'),
    );
    checks = await checkTorchFiles(dir);
    expect(checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['gru']);
  });
});

const withTorch = 'roundtrip.py loads tsgrad files into torch.nn, and tsgrad loads what it writes back';
const reason = `${withTorch} — skipped: PyTorch is not installed here (python3 -c "import torch, safetensors" fails)`;

describe('PyTorch round trip with PyTorch', () => {
  it.skipIf(!hasTorch)(hasTorch ? withTorch : reason, async () => {
    const dir = tmp();
    await writeFixture(dir);
    const py = spawnSync('python3', [join(here, 'roundtrip.py'), dir], { encoding: 'utf8' });
    expect(py.status, `${py.stdout}\n${py.stderr}`).toBe(0);
    const checks = await checkTorchFiles(dir);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
  });
});
