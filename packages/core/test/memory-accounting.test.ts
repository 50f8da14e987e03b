import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { liveTensors, memory, type Tensor, tensor, trackAllocations, zeros } from '@tsgrad/core';
import { afterEach, describe, expect, it } from 'vitest';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects garbage and lets the event loop run the finalizers, a few times over. */
async function collect(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 0));
  }
}

const cpu = () => memory().cpu!;

function makeViews(w: Tensor, n: number): void {
  for (let i = 0; i < n; i++) w.transpose(0, 1);
}

describe('memory() counts live tensors', () => {
  it('stops counting views the garbage collector took while their storage lives on', async () => {
    await collect();
    const before = cpu();
    const w = zeros([64, 64]);
    makeViews(w, 1000);
    await collect();
    expect(cpu().tensors).toBe(before.tensors + 1);
    expect(cpu().buffers).toBe(before.buffers + 1);
    // Disposing the one tensor left frees the storage (the collected views no longer hold it).
    w.dispose();
    expect(cpu()).toEqual(before);
  });

  it('frees a storage whose views were collected and whose base was disposed first', async () => {
    await collect();
    const before = cpu();
    const w = zeros([64, 64]);
    let v: Tensor | null = w.transpose(0, 1);
    w.dispose();
    expect(cpu().buffers).toBe(before.buffers + 1);
    v = null;
    await collect();
    expect(v).toBeNull();
    expect(cpu()).toEqual(before);
  });

  it('set_ moves the count from one storage to the other', () => {
    const before = cpu();
    const a = zeros([2048]);
    const b = zeros([4096]);
    a.set_(b);
    expect(cpu().tensors).toBe(before.tensors + 2);
    expect(cpu().buffers).toBe(before.buffers + 1);
    const v = b.reshape(64, 64);
    a.set_(v); // same storage, another layout
    expect(cpu().buffers).toBe(before.buffers + 1);
    expect(cpu().tensors).toBe(before.tensors + 3);
    a.dispose();
    b.dispose();
    v.dispose();
    expect(cpu()).toEqual(before);
  });

  it('bytes stay a number', () => {
    expect(() => tensor({} as never)).toThrow();
    expect(Number.isFinite(cpu().bytes)).toBe(true);
  });
});

describe('the leak report', () => {
  afterEach(() => trackAllocations(false));

  it('is empty while tracking is off', () => {
    const x = zeros([3]);
    expect(liveTensors()).toEqual([]);
    expect(memory({ verbose: true }).live).toEqual([]);
    x.dispose();
  });

  it('groups live tensors by the user line that created them', () => {
    trackAllocations(true);
    const base = zeros([4, 3]);
    const leaked: Tensor[] = [];
    for (let i = 0; i < 3; i++) leaked.push(base.mul(2)); // the leak
    const gone = base.add(1);
    gone.dispose();
    const report = liveTensors();
    const top = report[0]!;
    expect(top.count).toBe(3);
    expect(top.bytes).toBe(3 * 12 * 4);
    expect(top.site).toMatch(/memory-accounting\.test\.ts:\d+:\d+/);
    expect(top.site).not.toMatch(/packages[\\/]core[\\/]src/);
    expect(top.tensors[0]).toMatchObject({ shape: [4, 3], dtype: 'float32', device: 'cpu', bytes: 48 });
    expect(report.reduce((n, s) => n + s.count, 0)).toBe(4); // base and the three products
    const verbose = memory({ verbose: true });
    expect(verbose.live).toEqual(report);
    expect(verbose.devices.cpu).toEqual(cpu());
    trackAllocations(false);
    expect(liveTensors()).toEqual([]);
  });
});
