/**
 * Mutated safetensors files and checkpoints: every load gives well-formed tensors or a
 * TsgradError, and a checkpoint that fails to restore changes nothing (see src/file-fuzz.ts;
 * `pnpm fuzz:files 20000` runs many more).
 */
import { describe, expect, it } from 'vitest';
import { fuzzCheckpoint, fuzzSafetensors, mutate, sampleSafetensors } from '../src/file-fuzz.js';

describe('file mutation fuzz', () => {
  it('mutations are replayable from their seed and change the file', () => {
    const good = sampleSafetensors();
    expect(mutate(good, 5, 64)).toEqual(mutate(good, 5, 64));
    expect(mutate(good, 5, 64)).not.toEqual(good);
  });

  it('300 mutated safetensors files load or throw a TsgradError', () => {
    expect(fuzzSafetensors(300)).toEqual([]);
  });

  it('300 mutated checkpoints restore or throw a TsgradError, changing nothing', async () => {
    expect(await fuzzCheckpoint(300)).toEqual([]);
  });
});
