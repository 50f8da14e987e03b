/**
 * The API edge: shapes, data, dtypes, sizes and integer values that no tensor can take are
 * refused with a TsgradError naming the call the user made, before anything is allocated.
 */
import {
  arange,
  DTypeError,
  eye,
  full,
  gather,
  getBackend,
  indexSelect,
  linspace,
  memory,
  ones,
  rand,
  randn,
  registerBackend,
  ShapeError,
  type Tensor,
  tensor,
  ValueError,
  zeros,
} from '@tsgrad/core';
import { describe, expect, it } from 'vitest';

function expectError(f: () => unknown, type: new (...a: never[]) => Error, message: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${type.name} matching ${message}`).toBeInstanceOf(type);
  expect((err as Error).message).toMatch(message);
}

describe('shapes are refused unless every dim is a non-negative safe integer', () => {
  const bad = [2.5, -3, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '2' as unknown as number];
  const makers: [string, (s: number[]) => Tensor][] = [
    ['zeros', (s) => zeros(s)],
    ['ones', (s) => ones(s)],
    ['full', (s) => full(s, 1)],
    ['rand', (s) => rand(s)],
    ['randn', (s) => randn(s)],
    ['expand', (s) => zeros([1]).expand(s)],
    ['reshape', (s) => zeros([1]).reshape(s)],
    ['view', (s) => zeros([1]).view(s)],
    ['tensor', (s) => tensor([0], { shape: s })],
  ];
  for (const [op, f] of makers) {
    it(`${op} refuses non-integer, negative, NaN, infinite and unsafe dims`, () => {
      for (const d of bad) expectError(() => f([d]), ShapeError, new RegExp(`^${op}: invalid shape`));
    });
  }

  it('expand keeps PyTorch -1 for existing dims only', () => {
    expect(zeros([1, 3]).expand([-1, 3]).shape).toEqual([1, 3]);
    expect(zeros([1, 3]).expand([2, -1]).shape).toEqual([2, 3]);
    expectError(
      () => zeros([3]).expand([-1, 3]),
      ShapeError,
      /expand: -1 is not allowed for the new leading dim 0/,
    );
    expectError(() => zeros([1]).expand([-3]), ShapeError, /expand: invalid shape \[-3\]/);
  });

  it('a product of dims beyond safe integers is refused', () => {
    expectError(() => zeros([2 ** 30, 2 ** 30, 2 ** 30]), ShapeError, /zeros: shape .* more than any tensor/);
  });

  it('eye and repeat/tile check their sizes', () => {
    expectError(() => eye(2.5), ShapeError, /eye: invalid shape/);
    expectError(
      () => zeros([2]).repeat([2 ** 53]),
      ValueError,
      /repeat: repeats must be non-negative integers/,
    );
    expectError(
      () => zeros([2 ** 20]).tile([2 ** 20, 2 ** 20]),
      ShapeError,
      /tile: shape .* more than any tensor/,
    );
  });
});

describe('tensor() refuses what is not numeric data', () => {
  const cases: [unknown, RegExp][] = [
    ['abc', /tensor: expected a number, a boolean, a \(nested\) array or a typed array, got "abc"/],
    [{}, /got an object/],
    [new Set([1, 2]), /got a Set/],
    [Symbol('s'), /got Symbol\(s\)/],
    [null, /got null/],
    [undefined, /got undefined/],
    [[1, 'a'], /tensor: expected numbers or booleans, got "a"/],
    [[[1, 2], [3]], /tensor: ragged nested array/],
    [[[1, 2], 3], /tensor: ragged nested array .* got 3/],
    [[{}], /expected numbers or booleans, got an object/],
    [{ length: 2, 0: 1, 1: 'x' }, /expected numbers or booleans, got "x" at index 1/],
  ];
  it('with a ValueError saying what it got, and memory() stays a number', () => {
    for (const [data, msg] of cases) expectError(() => tensor(data as number[]), ValueError, msg);
    expectError(() => tensor(['a', 'b'] as unknown as number[], { shape: [2] }), ValueError, /got "a"/);
    const m = memory().cpu!;
    expect(Number.isFinite(m.bytes)).toBe(true);
    expect(Number.isFinite(m.tensors)).toBe(true);
  });

  it('still takes numbers, booleans, nested arrays, typed arrays and array-likes', () => {
    expect(tensor({ length: 2, 0: 1, 1: 2 } as ArrayLike<number>).toArraySync()).toEqual([1, 2]);
    expect(tensor([[true], [false]]).dtype).toBe('bool');
    expect(tensor(new Int32Array([1, 2])).dtype).toBe('int32');
  });
});

describe('dtypes', () => {
  it('an unknown dtype string lists the supported ones', () => {
    const opts = { dtype: 'float16' as never };
    for (const [op, f] of [
      ['tensor', () => tensor([1], opts)],
      ['zeros', () => zeros([1], opts)],
      ['full', () => full([1], 1, opts)],
      ['randn', () => randn([1], opts)],
      ['arange', () => arange(3, undefined, 1, opts)],
      ['eye', () => eye(2, 2, opts)],
    ] as const) {
      expectError(
        f,
        DTypeError,
        new RegExp(`^${op}: unknown dtype "float16"; supported: float32, float64, int32, bool`),
      );
    }
  });
});

describe('ranges', () => {
  it('arange and linspace refuse NaN and infinite bounds', () => {
    expectError(() => arange(Number.NaN), ValueError, /arange: end must be a finite number, got NaN/);
    expectError(() => arange(0, Number.POSITIVE_INFINITY), ValueError, /arange: end must be a finite number/);
    expectError(() => arange(0, 5, Number.NaN), ValueError, /arange: step must be a finite number/);
    expectError(() => linspace(Number.NaN, 1, 3), ValueError, /linspace: start must be a finite number/);
    expectError(() => linspace(0, Number.NEGATIVE_INFINITY, 3), ValueError, /linspace: end must be a finite/);
  });
});

describe('allocation limits', () => {
  it('a tensor larger than the CPU can hold is refused before allocating, naming op, shape and bytes', () => {
    expectError(
      () => zeros([1e9, 1e9]),
      ShapeError,
      /zeros: shape \[1000000000,1000000000\] has 1000000000000000000 elements/,
    );
    expectError(
      () => zeros([1e6, 1e6]),
      ValueError,
      /^zeros: a float32 tensor of shape \[1000000,1000000\] needs 4000000000000 bytes/,
    );
    const t0 = Date.now();
    expectError(
      () => zeros([2 ** 31], { dtype: 'int32' }),
      ValueError,
      /zeros: a int32 tensor of shape \[2147483648\] needs 8589934592 bytes/,
    );
    expect(Date.now() - t0).toBeLessThan(1000);
    expectError(() => randn([2 ** 16, 2 ** 16]), ValueError, /randn: .* needs 17179869184 bytes/);
    expectError(() => zeros([2 ** 16]).repeat([2 ** 16]), ValueError, /repeat: .* \[4294967296\]/);
  });

  it('the backend memory policy maxBytes is checked generically', () => {
    const cpu = getBackend('cpu');
    registerBackend('tiny', { ...cpu, memory: { ...cpu.memory, maxBytes: 64 } });
    expect(zeros([16], { device: 'tiny' }).shape).toEqual([16]);
    expectError(
      () => zeros([17], { device: 'tiny' }),
      ValueError,
      /zeros: a float32 tensor of shape \[17\] needs 68 bytes \(17 elements\); the device holds at most 64 bytes/,
    );
    expectError(
      () => tensor(new Float64Array(9), { device: 'tiny' }),
      ValueError,
      /tensor: .* needs 72 bytes/,
    );
  });
});

describe('int32 conversion', () => {
  it('values that do not fit int32, and NaN, are refused as PyTorch does', () => {
    expectError(
      () => tensor([3e9], { dtype: 'int32' }),
      ValueError,
      /tensor: value 3000000000 cannot be converted to int32/,
    );
    expectError(() => tensor([Number.NaN], { dtype: 'int32' }), ValueError, /value NaN cannot be converted/);
    expectError(() => tensor([Number.POSITIVE_INFINITY], { dtype: 'int32' }), ValueError, /value Infinity/);
    expectError(() => full([2], 2 ** 31, { dtype: 'int32' }), ValueError, /full: value 2147483648/);
    expectError(() => arange(2 ** 31 - 2, 2 ** 31 + 1), ValueError, /arange: value 2147483648/);
    expect(tensor([-(2 ** 31), 2 ** 31 - 1, 2.7, -2.7], { dtype: 'int32' }).toArraySync()).toEqual([
      -(2 ** 31),
      2 ** 31 - 1,
      2,
      -2,
    ]);
  });
});

describe('errors name the call the user made', () => {
  it('indexSelect names itself, not gather, for an index out of range', () => {
    expectError(
      () => indexSelect(zeros([3, 2]), 0, tensor([7], { dtype: 'int32' })),
      ShapeError,
      /^indexSelect: index 7 is out of bounds for dimension 0 with size 3/,
    );
    expectError(
      () => zeros([3, 2]).indexSelect(0, [-4]),
      ShapeError,
      /^indexSelect: index -4 is out of bounds/,
    );
    expectError(() => gather(zeros([3]), 0, [5]), ShapeError, /^gather: index 5 is out of bounds/);
  });
});

describe('backward', () => {
  it('casts the gradient passed in to the output dtype, so .grad keeps the leaf dtype', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(3).backward(tensor([1, 1], { dtype: 'float64' }));
    expect(x.grad!.dtype).toBe('float32');
    expect(x.grad!.toArraySync()).toEqual([3, 3]);
    const y = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    y.mul(2).backward(tensor([1, 2], { dtype: 'int32' }));
    expect(y.grad!.dtype).toBe('float64');
    expect(y.grad!.toArraySync()).toEqual([2, 4]);
  });
});
