/**
 * Optimizer state files in PyTorch's state-dict layout: the bytes are checked by a parser
 * written here (not the library's), and a run that saves, loads into a fresh optimizer and
 * continues must match a run that never stopped, bit for bit.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  manualSeed,
  memory,
  noGrad,
  randn,
  safetensors,
  type Tensor,
  tensor,
  ValueError,
} from '@tsgrad/core';
import {
  Adam,
  AdamW,
  ASGD,
  LBFGS,
  loadOptimizerState,
  NAdam,
  type Optimizer,
  optimizerStateFromBytes,
  optimizerStateToBytes,
  RMSprop,
  SGD,
  saveOptimizerState,
} from '@tsgrad/optim';
import { describe, expect, it } from 'vitest';

/** A safetensors reader written from the format's description, sharing no code with core. */
function parseSafetensors(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  const header = JSON.parse(text) as Record<string, any>;
  const tensors: Record<string, { dtype: string; shape: number[]; data: number[] }> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [b, e] = info.data_offsets as [number, number];
    expect(info.dtype).toBe('F32');
    const raw = bytes.slice(8 + n + b, 8 + n + e);
    tensors[name] = { dtype: info.dtype, shape: info.shape, data: [...new Float32Array(raw.buffer)] };
  }
  return { n, text, header, tensors, dataLength: bytes.length - 8 - n };
}

const makers: Array<[string, (p: Tensor[]) => Optimizer]> = [
  ['SGD momentum', (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true })],
  ['RMSprop centered', (p) => new RMSprop(p, { lr: 0.01, momentum: 0.5, centered: true })],
  ['Adam amsgrad', (p) => new Adam(p, { lr: 0.01, amsgrad: true })],
  ['AdamW', (p) => new AdamW(p, { lr: 0.01 })],
  ['NAdam', (p) => new NAdam(p, { lr: 0.01 })],
  ['ASGD', (p) => new ASGD(p, { lr: 0.01, t0: 1 })],
];

function params(): Tensor[] {
  manualSeed(3);
  return [randn([3, 4], { requiresGrad: true }), randn([4], { requiresGrad: true })];
}

/** A fixed sequence of gradients, so two runs see the same ones. */
function grads(step: number, ps: Tensor[]): Tensor[] {
  manualSeed(100 + step);
  return ps.map((p) => randn(p.shape));
}

function run(opt: Optimizer, ps: Tensor[], from: number, to: number): void {
  for (let s = from; s < to; s++) {
    const g = grads(s, ps);
    ps.forEach((p, i) => {
      // Freed here rather than by the garbage collector, whose finalizers could run during a
      // later await and change the tensor counts a test compares.
      p.grad?.dispose();
      p.grad = g[i]!;
    });
    opt.step();
  }
}

const copies = (ps: Tensor[]) => noGrad(() => ps.map((p) => p.clone().requiresGrad_(true)));

describe('optimizer state files', () => {
  it.each(makers)('%s: save, load into a fresh optimizer, continue identically', async (_name, make) => {
    const a = params();
    const optA = make(a);
    run(optA, a, 0, 3);
    const bytes = await optimizerStateToBytes(optA.stateDict());
    const b = copies(a);
    const optB = make(b);
    optB.paramGroups[0]!.lr = 123; // the file's options win, as in PyTorch
    optB.loadStateDict(optimizerStateFromBytes(bytes));
    expect(optB.paramGroups[0]!.lr).toBe(optA.paramGroups[0]!.lr);
    run(optA, a, 3, 6);
    run(optB, b, 3, 6);
    for (const [i, p] of a.entries()) expect(b[i]!.toArraySync()).toEqual(p.toArraySync());
  });

  it('writes the safetensors layout PyTorch reads, with the state dict in the metadata', async () => {
    const ps = params();
    const opt = new Adam(ps, { lr: 0.01, betas: [0.8, 0.9] });
    run(opt, ps, 0, 2);
    const sd = opt.stateDict();
    const f = parseSafetensors(await optimizerStateToBytes(sd));
    // 8-byte little-endian length; the header is padded with spaces to a multiple of 8.
    expect(f.n % 8).toBe(0);
    expect(f.text.slice(f.text.trimEnd().length)).toMatch(/^ *$/);
    expect(f.header.__metadata__.format).toBe('pt');
    expect(Object.keys(f.tensors).sort()).toEqual([
      'state.0.exp_avg',
      'state.0.exp_avg_sq',
      'state.1.exp_avg',
      'state.1.exp_avg_sq',
    ]);
    // Offsets tile the data section without gaps, in the order they appear.
    const spans = Object.entries(f.header)
      .filter(([k]) => k !== '__metadata__')
      .map(([, v]) => v.data_offsets as [number, number])
      .sort((x, y) => x[0] - y[0]);
    let at = 0;
    for (const [b, e] of spans) {
      expect(b).toBe(at);
      at = e;
    }
    expect(at).toBe(f.dataLength);
    expect(f.tensors['state.0.exp_avg']!.shape).toEqual([3, 4]);
    expect(f.tensors['state.1.exp_avg_sq']!.data).toEqual([
      ...((sd.state[1]!.exp_avg_sq as Tensor).dataSync() as Float32Array),
    ]);
    const meta = JSON.parse(f.header.__metadata__.state_dict);
    expect(meta.state['0'].step).toBe(2);
    expect(meta.state['0'].exp_avg).toEqual({ $tensor: 'state.0.exp_avg' });
    expect(meta.param_groups).toEqual([
      {
        params: [0, 1],
        lr: 0.01,
        betas: [0.8, 0.9],
        eps: 1e-8,
        weight_decay: 0,
        amsgrad: false,
        maximize: false,
        decoupled_weight_decay: false,
      },
    ]);
  });

  it("reads PyTorch's form: step as a 0-d tensor, PyTorch-only group keys, non-finite numbers", async () => {
    const ps = params();
    const ref = new Adam(ps, { lr: 0.01 });
    run(ref, ps, 0, 2);
    const sd = ref.stateDict();
    const tensors: Record<string, Tensor> = {};
    const state: Record<string, unknown> = {};
    for (const [i, s] of Object.entries(sd.state)) {
      tensors[`state.${i}.step`] = tensor(s.step as number);
      tensors[`state.${i}.exp_avg`] = s.exp_avg as Tensor;
      tensors[`state.${i}.exp_avg_sq`] = s.exp_avg_sq as Tensor;
      state[i] = Object.fromEntries(
        ['step', 'exp_avg', 'exp_avg_sq'].map((k) => [k, { $tensor: `state.${i}.${k}` }]),
      );
    }
    const groups = [
      {
        ...sd.param_groups[0],
        foreach: null,
        capturable: false,
        differentiable: false,
        fused: null,
        max_grad: { $number: 'Infinity' },
      },
    ];
    const bytes = safetensors.serialize(tensors, {
      format: 'pt',
      state_dict: JSON.stringify({ state, param_groups: groups }),
    });
    const b = copies(ps);
    const opt = new Adam(b, { lr: 0.01 });
    opt.loadStateDict(optimizerStateFromBytes(bytes));
    expect(opt.paramGroups[0]!.maxGrad).toBe(Infinity);
    expect(opt.stateDict().state[0]!.step).toBe(2);
    run(ref, ps, 2, 4);
    run(opt, b, 2, 4);
    for (const [i, p] of ps.entries()) expect(b[i]!.toArraySync()).toEqual(p.toArraySync());
  });

  it('keeps tensor lists (LBFGS history) and round-trips non-finite numbers', async () => {
    const make = (p: Tensor) => new LBFGS([p], { lr: 0.5, maxIter: 3, historySize: 3 });
    manualSeed(1);
    const p = randn([5], { requiresGrad: true });
    const target = tensor([1, -2, 3, 0.5, 0]);
    const closure = (q: Tensor, opt: Optimizer) => () => {
      opt.zeroGrad();
      const loss = q.sub(target).square().sum().add(q.pow(4).sum().mul(0.01));
      loss.backward();
      return loss;
    };
    const opt = make(p);
    (opt as LBFGS).step(closure(p, opt));
    const sd = opt.stateDict();
    sd.param_groups[0]!.extra_limit = -Infinity;
    const bytes = await optimizerStateToBytes(sd);
    const names = Object.keys(parseSafetensors(bytes).tensors);
    expect(names).toContain('state.0.old_dirs.0');
    expect(names).toContain('state.0.d');
    const q = copies([p])[0]!;
    const opt2 = make(q);
    const back = optimizerStateFromBytes(bytes);
    expect(back.param_groups[0]!.extra_limit).toBe(-Infinity);
    opt2.loadStateDict(back);
    (opt as LBFGS).step(closure(p, opt));
    (opt2 as LBFGS).step(closure(q, opt2));
    expect(q.toArraySync()).toEqual(p.toArraySync());
  });

  it('saves and loads files atomically, freeing the tensors it made', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgrad-optim-'));
    const path = join(dir, 'adam.safetensors');
    manualSeed(0);
    const ps = [randn([40, 40], { requiresGrad: true })]; // CPU arrays under 1024 elements are not counted
    const opt = new Adam(ps, { lr: 0.01 });
    run(opt, ps, 0, 2);
    const b = copies(ps);
    const opt2 = new Adam(b, { lr: 0.01 });
    const before = memory().cpu!.tensors;
    await saveOptimizerState(path, opt);
    expect(memory().cpu!.tensors).toBe(before);
    await loadOptimizerState(path, opt2);
    // opt2 now holds its two moment tensors; nothing else the load made is alive.
    expect(memory().cpu!.tensors - before).toBe(2);
    expect(readdirSync(dir)).toEqual(['adam.safetensors']);
    run(opt, ps, 2, 3);
    run(opt2, b, 2, 3);
    for (const [i, p] of ps.entries()) expect(b[i]!.toArraySync()).toEqual(p.toArraySync());
  });

  it('writes a state dict given as such, leaving its tensors to the caller; a dict may lack state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgrad-optim-'));
    const path = join(dir, 'sgd.safetensors');
    const ps = params();
    const opt = new SGD(ps, { lr: 0.1, momentum: 0.9 });
    run(opt, ps, 0, 2);
    const dict = opt.stateDict();
    await saveOptimizerState(path, dict);
    const buf = dict.state[0]!.momentum_buffer as Tensor;
    expect(buf.isDisposed).toBe(false);
    const opt2 = new SGD(copies(ps), { lr: 0.5 });
    await loadOptimizerState(path, opt2);
    expect(opt2.paramGroups[0]!.lr).toBe(0.1);
    const loaded = opt2.state.get(opt2.paramGroups[0]!.params[0]!)!.momentumBuffer as Tensor;
    expect(loaded.toArraySync()).toEqual(buf.toArraySync());
    const bare = optimizerStateFromBytes(
      await optimizerStateToBytes({ param_groups: dict.param_groups } as never),
    );
    expect(bare.state).toEqual({});
    expect(bare.param_groups).toEqual(dict.param_groups);
    await expect(optimizerStateToBytes(null as never)).rejects.toThrow(
      /expected a state dict with param_groups/,
    );
  });

  it('rejects files that are not optimizer state, naming what is missing', () => {
    const notJson = safetensors.serialize({}, { state_dict: '{"state": ' });
    expect(() => optimizerStateFromBytes(notJson)).toThrow(/the 'state_dict' metadata is not valid JSON/);
    const plain = safetensors.serialize({ w: tensor([1]) });
    expect(() => optimizerStateFromBytes(plain)).toThrow(
      /optimizerStateFromBytes: not an optimizer state file/,
    );
    const dangling = safetensors.serialize(
      {},
      {
        state_dict: JSON.stringify({
          state: { 0: { exp_avg: { $tensor: 'state.0.exp_avg' } } },
          param_groups: [],
        }),
      },
    );
    expect(() => optimizerStateFromBytes(dangling)).toThrow(
      /'state.0.exp_avg' is named in the state dict but not in the file/,
    );
    const noGroups = safetensors.serialize({}, { state_dict: '{"state":{}}' });
    expect(() => optimizerStateFromBytes(noGroups)).toThrow(/no param_groups/);
    for (const json of [
      'null',
      '{"state":{"0":null},"param_groups":[]}',
      '{"state":[1],"param_groups":[]}',
    ]) {
      const broken = safetensors.serialize({}, { state_dict: json });
      expect(() => optimizerStateFromBytes(broken), json).toThrow(ValueError);
    }
    // A tensor name that is also an Object.prototype property is looked up as a name.
    const inherited = safetensors.serialize(
      {},
      {
        state_dict: JSON.stringify({
          state: { 0: { exp_avg: { $tensor: 'constructor' } } },
          param_groups: [],
        }),
      },
    );
    expect(() => optimizerStateFromBytes(inherited)).toThrow(/'constructor' is named in the state dict/);
  });
});
