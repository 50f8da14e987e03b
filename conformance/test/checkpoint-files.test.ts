/**
 * Checkpoint files under failure: restoring is all or nothing, a broken file is a
 * TsgradError, saves killed with SIGKILL never leave a file that fails to load, and their
 * temporary files are removed by the next save or load of the path.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  getRngState,
  manualSeed,
  randn,
  ShapeError,
  safetensors,
  type Tensor,
  TsgradError,
  ValueError,
} from '@tsgrad/core';
import {
  checkpointBytes,
  Linear,
  loadCheckpoint,
  restoreCheckpoint,
  Sequential,
  type Stateful,
  saveCheckpoint,
} from '@tsgrad/nn';
import { loadOptimizerState, SGD, saveOptimizerState } from '@tsgrad/optim';
import { describe, expect, it } from 'vitest';

const tmp = () => mkdtempSync(join(tmpdir(), 'tsgrad-ckpt-files-'));
const makeModel = () => new Sequential(new Linear(3, 4), new Linear(4, 2));

/** A model and an SGD optimizer that has momentum state. */
function trained(seed: number) {
  manualSeed(seed);
  const model = makeModel();
  const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  model
    .forward(randn([5, 3]))
    .sum()
    .backward();
  optimizer.step();
  return { model, optimizer };
}

const values = (sd: Record<string, Tensor>) =>
  Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, Array.from(v.dataSync())]));
const optimizerValues = (o: SGD) => {
  const { state, param_groups } = o.stateDict();
  return {
    param_groups,
    state: Object.entries(state).map(([i, s]) => [i, Array.from((s.momentum_buffer as Tensor).dataSync())]),
  };
};

/** Metadata edited: the checkpoint JSON passed through `edit`. */
async function withMeta(bytes: Uint8Array, edit: (meta: string) => string): Promise<Uint8Array> {
  const { metadata } = safetensors.readHeader(bytes);
  const meta = { ...metadata, 'tsgrad.checkpoint': edit(metadata['tsgrad.checkpoint']!) };
  return safetensors.serialize(safetensors.deserialize(bytes), meta);
}

/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

describe('restoreCheckpoint is all or nothing', () => {
  it('a broken optimizer part leaves the weights unchanged', async () => {
    const a = trained(1);
    const badOptimizer: Stateful = {
      stateDict: () => ({
        state: { 0: { momentum_buffer: randn([9, 9]) } },
        param_groups: a.optimizer.stateDict().param_groups,
      }),
      loadStateDict: () => undefined,
    };
    const bytes = await checkpointBytes({ model: a.model, optimizer: badOptimizer, epoch: 2 });
    const b = trained(2);
    const before = values(b.model.stateDict());
    const optBefore = optimizerValues(b.optimizer);
    const rng = getRngState();
    expect(() => restoreCheckpoint(bytes, { model: b.model, optimizer: b.optimizer })).toThrow(ShapeError);
    expect(values(b.model.stateDict())).toEqual(before);
    expect(optimizerValues(b.optimizer)).toEqual(optBefore);
    expect(getRngState()).toEqual(rng);
  });

  it('a scheduler that refuses its state puts the optimizer back and leaves the model', async () => {
    const a = trained(1);
    const refusing: Stateful = {
      stateDict: () => ({ lastEpoch: 3 }),
      loadStateDict: () => {
        throw new ValueError('StepLR.loadStateDict: refused');
      },
    };
    const bytes = await checkpointBytes({
      model: a.model,
      optimizer: a.optimizer,
      others: { sched: refusing },
    });
    const b = trained(2);
    const before = values(b.model.stateDict());
    const optBefore = optimizerValues(b.optimizer);
    expect(() =>
      restoreCheckpoint(bytes, { model: b.model, optimizer: b.optimizer, others: { sched: refusing } }),
    ).toThrow(/refused/);
    expect(values(b.model.stateDict())).toEqual(before);
    expect(optimizerValues(b.optimizer)).toEqual(optBefore);
    expect(optimizerValues(b.optimizer)).not.toEqual(optimizerValues(a.optimizer));
  });

  it('mismatched model keys or shapes, a missing scheduler and a bad RNG state change nothing', async () => {
    const a = trained(1);
    const bytes = await checkpointBytes({ model: a.model, optimizer: a.optimizer, epoch: 1 });
    const b = trained(2);
    const before = values(b.model.stateDict());
    const optBefore = optimizerValues(b.optimizer);
    const other = new Sequential(new Linear(3, 5), new Linear(5, 2));
    const otherBefore = values(other.stateDict());
    const otherOpt = new SGD(other.parameters(), { lr: 0.1 });
    const wider = new Sequential(new Linear(3, 4), new Linear(4, 2), new Linear(2, 2));
    const rng = getRngState();
    expect(() => restoreCheckpoint(bytes, { model: other, optimizer: otherOpt })).toThrow(ShapeError);
    expect(values(other.stateDict())).toEqual(otherBefore);
    expect(() => restoreCheckpoint(bytes, { model: wider })).toThrow(/missing key '2.weight'/);
    const never: Stateful = { stateDict: () => ({}), loadStateDict: () => undefined };
    expect(() => restoreCheckpoint(bytes, { model: b.model, others: { never } })).toThrow(
      /no state for 'never'/,
    );
    for (const rngState of ['{"seed":1.5,"counter":0}', '{"seed":1,"counter":-2}', '"x"', 'null']) {
      const broken = await withMeta(bytes, (m) =>
        m.replace(/"rngState":\{[^}]*\}/, `"rngState":${rngState}`),
      );
      expect(() => restoreCheckpoint(broken, { model: b.model, optimizer: b.optimizer })).toThrow(/rngState/);
    }
    const notTensor = await withMeta(bytes, (m) =>
      m.replace(/"0\.bias":\{"\$tensor":"[^"]*"\}/, '"0.bias":5'),
    );
    expect(() => restoreCheckpoint(notTensor, { model: b.model })).toThrow(/'0.bias' is not a tensor/);
    expect(values(b.model.stateDict())).toEqual(before);
    expect(optimizerValues(b.optimizer)).toEqual(optBefore);
    expect(getRngState()).toEqual(rng);
    // And the intact file restores everything.
    restoreCheckpoint(bytes, { model: b.model, optimizer: b.optimizer });
    expect(values(b.model.stateDict())).toEqual(values(a.model.stateDict()));
    expect(optimizerValues(b.optimizer)).toEqual(optimizerValues(a.optimizer));
  });

  it('a broken file is a TsgradError, never a SyntaxError or TypeError', async () => {
    const a = trained(1);
    const bytes = await checkpointBytes({ model: a.model, optimizer: a.optimizer });
    const b = trained(2);
    const edits: ((m: string) => string)[] = [
      (m) => m.slice(0, -3), // not JSON
      () => '[]',
      () => '{"model":null,"rngState":{"seed":1,"counter":0}}',
      (m) => m.replace('"optimizer":{', '"optimizer":{"param_groups":[3],"x":{'),
      (m) => m.replace('"optimizer":{', '"optimizer":{"state":{"0":7},"x":{'),
      (m) => m.replace('"epoch":null', '"epoch":"one"'),
      (m) => m.replace('"model":{', '"model":{"0.weight":{"$map":[1]},"z":{'),
    ];
    for (const edit of edits) {
      const broken = await withMeta(bytes, edit);
      let caught: unknown;
      try {
        restoreCheckpoint(broken, { model: b.model, optimizer: b.optimizer });
      } catch (e) {
        caught = e;
      }
      expect(caught, edit.toString()).toBeInstanceOf(TsgradError);
    }
    expect(() => restoreCheckpoint(safetensors.serialize({ x: randn([2]) }), { model: b.model })).toThrow(
      /not a tsgrad checkpoint/,
    );
  });
});

describe('temporary files of killed saves', () => {
  it('are removed by the next save or load of that path; live writers and other paths are left alone', async () => {
    const dir = tmp();
    const path = join(dir, 'ckpt.safetensors');
    const { model, optimizer } = trained(1);
    await saveCheckpoint(path, { model, optimizer });
    const dead = deadPid();
    const live = process.ppid;
    const litter = () => {
      writeFileSync(`${path}.tmp-${dead}-0`, 'partial');
      writeFileSync(`${path}.tmp-${dead}-k3x9`, 'partial'); // an older release's random suffix
      writeFileSync(`${path}.tmp-${live}-4`, 'in progress');
      writeFileSync(`${path}.tmp-${process.pid}-99`, 'this process, in progress');
      writeFileSync(join(dir, `other.safetensors.tmp-${dead}-0`), 'another file');
      writeFileSync(`${path}.tmp-notes`, 'not ours');
    };
    const kept = [
      'ckpt.safetensors',
      `ckpt.safetensors.tmp-${live}-4`,
      `ckpt.safetensors.tmp-${process.pid}-99`,
      'ckpt.safetensors.tmp-notes',
      `other.safetensors.tmp-${dead}-0`,
    ].sort();
    const loaders = [
      () => loadCheckpoint(path, { model, optimizer }),
      () => saveCheckpoint(path, { model, optimizer }),
      () => safetensors.load(path),
      () => safetensors.save(model.stateDict(), path),
      () => saveOptimizerState(path, optimizer),
    ];
    for (const use of loaders) {
      litter();
      await use();
      expect(readdirSync(dir).sort(), use.toString()).toEqual(kept);
    }
    litter();
    await loadOptimizerState(path, optimizer);
    expect(readdirSync(dir).sort()).toEqual(kept);
    expect(await safetensors.removeStaleTempFiles(join(dir, 'other.safetensors'))).toEqual([
      `other.safetensors.tmp-${dead}-0`,
    ]);
    expect(await safetensors.removeStaleTempFiles(join(dir, 'missing-dir', 'x'))).toEqual([]);
  });

  it('kill -9 during saves: the file always loads, and the next save leaves no temp files', async () => {
    const dir = tmp();
    const path = join(dir, 'ckpt.safetensors');
    const fixture = new URL('./fixtures/save-loop.ts', import.meta.url).pathname;
    manualSeed(1);
    const model = new Sequential(new Linear(512, 1024), new Linear(1024, 512));
    const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    let draw = 12345;
    const random = () => {
      draw = (draw * 1103515245 + 12345) % 2147483648;
      return draw / 2147483648;
    };
    /** Starts a saver; resolves once it has saved once, then kills it after a random delay. */
    const runAndKill = () =>
      new Promise<{ signal: NodeJS.Signals | null; code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', fixture, path], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        let armed = false;
        child.stderr.on('data', (d) => {
          stderr += d;
        });
        child.stdout.on('data', () => {
          if (armed) return;
          armed = true;
          setTimeout(() => child.kill('SIGKILL'), random() * 250);
        });
        child.on('exit', (code, signal) => resolve({ signal, code, stderr }));
      });
    // Two rounds of three savers writing the same file at once, each killed mid-loop.
    for (let round = 0; round < 2; round++) {
      const results = await Promise.all([runAndKill(), runAndKill(), runAndKill()]);
      for (const r of results) expect(r, r.stderr).toMatchObject({ signal: 'SIGKILL' });
      // The file always loads (a whole checkpoint, never a part).
      await expect(loadCheckpoint(path, { model, optimizer })).resolves.toMatchObject({});
      expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
    }
    await saveCheckpoint(path, { model, optimizer });
    await loadCheckpoint(path, { model, optimizer });
    expect(readdirSync(dir)).toEqual(['ckpt.safetensors']);
  });
});
