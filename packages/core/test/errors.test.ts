/**
 * Every class of bad input throws a TsgradError subclass whose message names the op and the
 * offending shapes, dtypes or devices.
 */
import {
  AutogradError,
  cat,
  DeviceError,
  DisposedError,
  DTypeError,
  gather,
  getBackend,
  hasBackend,
  indexSelect,
  matmul,
  ones,
  registerBackend,
  ShapeError,
  scatterAdd,
  stack,
  type Tensor,
  TsgradError,
  tensor,
  ValueError,
  where,
  zeros,
} from '@tsgrad/core';
import { cpuBackend } from '@tsgrad/core/internal';
import { describe, expect, it } from 'vitest';

function expectError(f: () => unknown, cls: new (...a: never[]) => TsgradError, message: RegExp): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected ${cls.name} matching ${message}`).toBeInstanceOf(cls);
  expect(thrown).toBeInstanceOf(TsgradError);
  expect((thrown as Error).message).toMatch(message);
}

const idx = (v: number[], shape?: number[]) => tensor(v, { dtype: 'int32', shape: shape ?? [v.length] });

describe('shape errors', () => {
  it('binary ops that cannot broadcast', () => {
    expectError(
      () => ones([2, 3]).add(ones([4, 3])),
      ShapeError,
      /add: shapes \[2,3\] and \[4,3\] cannot be broadcast/,
    );
    expectError(() => ones([3]).mul(ones([2])), ShapeError, /mul: .*\[3\] and \[2\]/);
    expectError(() => where(tensor([true, false]), ones([3]), ones([3])), ShapeError, /where/);
  });

  it('matmul', () => {
    expectError(
      () => matmul(ones([2, 3]), ones([4, 5])),
      ShapeError,
      /^matmul: cannot multiply \[2,3\] by \[4,5\] \(inner dimensions 3 and 4 differ\)$/,
    );
    expectError(
      () => matmul(ones([]), ones([2])),
      ShapeError,
      /matmul: both arguments need at least 1 dimension/,
    );
    expectError(() => matmul(ones([2, 2, 3]), ones([3, 3, 1])), ShapeError, /matmul/);
    expectError(() => matmul(tensor([true]), tensor([true])), DTypeError, /matmul: bool/);
  });

  it('cat and stack', () => {
    expectError(
      () => cat([ones([2, 3]), ones([2, 4])], 0),
      ShapeError,
      /cat: shapes \[2,3\], \[2,4\] differ outside dim 0/,
    );
    expectError(() => cat([ones([2]), ones([2, 1])]), ShapeError, /cat/);
    expectError(() => cat([]), ValueError, /cat: expected a non-empty list/);
    expectError(
      () => stack([ones([2]), ones([3])]),
      ShapeError,
      /stack: all shapes must be equal, got \[2\], \[3\]/,
    );
  });

  it('reshape, view, expand, permute, narrow, split', () => {
    expectError(() => ones([2, 3]).reshape(4, 2), ShapeError, /reshape: cannot reshape \[2,3\]/);
    expectError(() => ones([2, 3]).T.view(6), ShapeError, /view/);
    expectError(() => ones([2, 3]).expand(4, 3), ShapeError, /expand: cannot expand \[2,3\] to \[4,3\]/);
    expectError(() => ones([2, 3]).expand(3), ShapeError, /expand.*fewer dimensions/);
    expectError(() => ones([2, 3]).permute(0), ShapeError, /permute: got 1 dims/);
    expectError(() => ones([2, 3]).permute(0, 0), ShapeError, /permute: repeated dim/);
    expectError(
      () => ones([2, 3]).narrow(1, 2, 2),
      ShapeError,
      /narrow: start 2 and length 2 are out of range for dim 1 of size 3/,
    );
    expectError(() => ones([4]).split([1, 2]), ShapeError, /split: sizes \[1,2\] do not add up to 4/);
    expectError(() => ones([4]).chunk(0), ValueError, /chunk/);
  });

  it('bad dims name the op and the rank', () => {
    const x = ones([2, 3]);
    const cases: [string, () => unknown][] = [
      ['sum', () => x.sum(2)],
      ['mean', () => x.mean(-3)],
      ['softmax', () => x.softmax(5)],
      ['logSoftmax', () => x.logSoftmax(-3)],
      ['std', () => x.std(2)],
      ['logsumexp', () => x.logsumexp(2)],
      ['transpose', () => x.transpose(0, 2)],
      ['squeeze', () => x.squeeze(3)],
      ['unsqueeze', () => x.unsqueeze(4)],
      ['argmax', () => x.argmax(2)],
      ['cat', () => cat([x, x], 2)],
      ['gather', () => x.gather(2, idx([0], [1, 1]))],
      ['narrow', () => x.narrow(1.5, 0, 1)],
    ];
    for (const [op, f] of cases) {
      expectError(
        f,
        ShapeError,
        new RegExp(`^${op}: dim .* is out of range for a tensor of [23] dimensions`),
      );
    }
  });

  it('creation', () => {
    expectError(() => tensor([[1, 2], [3]]), ValueError, /tensor: ragged nested array/);
    expectError(
      () => tensor([1, 2, 3], { shape: [2, 2] }),
      ShapeError,
      /tensor: 3 values do not fill shape \[2,2\]/,
    );
    expectError(() => zeros([2, -1]), ShapeError, /invalid shape \[2,-1\]/);
    expectError(() => zeros([1.5]), ShapeError, /invalid shape/);
  });
});

describe('index errors', () => {
  it('gather / indexSelect / scatterAdd out of range', () => {
    const x = ones([2, 3]);
    expectError(
      () => gather(x, 1, idx([0, 3], [1, 2])),
      ShapeError,
      /gather: index 3 is out of bounds for dimension 1 with size 3/,
    );
    expectError(() => gather(x, 1, idx([-1], [1, 1])), ShapeError, /gather: index -1 is out of bounds/);
    expectError(
      () => indexSelect(x, 0, idx([2])),
      ShapeError,
      /index 2 is out of bounds for dimension 0 with size 2/,
    );
    expectError(
      () => scatterAdd(zeros([3]), 0, idx([5]), ones([1])),
      ShapeError,
      /scatterAdd: index 5 is out of bounds/,
    );
  });

  it('index dtype and shape', () => {
    expectError(
      () => gather(ones([3]), 0, tensor([0])),
      DTypeError,
      /gather: index must be int32, got float32/,
    );
    expectError(
      () => indexSelect(ones([3]), 0, idx([0, 1], [1, 2])),
      ShapeError,
      /indexSelect: index must be 1-D/,
    );
    expectError(
      () => gather(ones([2, 3]), 1, idx([0, 0, 0, 0, 0, 0], [3, 2])),
      ShapeError,
      /gather: index \[3,2\] does not fit input \[2,3\]/,
    );
    expectError(
      () => scatterAdd(zeros([3]), 0, idx([0]), ones([1], { dtype: 'float64' })),
      DTypeError,
      /scatterAdd: src dtype float64 differs from input dtype float32/,
    );
  });
});

describe('dtype errors', () => {
  it('gradients need floating tensors', () => {
    expectError(
      () => tensor([1], { dtype: 'int32', requiresGrad: true }),
      DTypeError,
      /requiresGrad: only floating tensors.*int32/,
    );
    expectError(() => ones([2], { dtype: 'bool' }).requiresGrad_(), DTypeError, /bool/);
  });
  it('where needs a bool condition; mean and var need floats; in-place cannot narrow dtypes', () => {
    expectError(
      () => where(ones([2]), ones([2]), ones([2])),
      DTypeError,
      /where: condition must be bool, got float32/,
    );
    expectError(
      () => tensor([1, 2], { dtype: 'int32' }).mean(),
      DTypeError,
      /mean: needs a floating tensor, got int32/,
    );
    expectError(() => tensor([1, 2], { dtype: 'int32' }).var(), DTypeError, /var: needs a floating tensor/);
    expectError(
      () => tensor([1], { dtype: 'int32' }).add_(0.5),
      DTypeError,
      /add_: result type float32 cannot be stored in a int32 tensor/,
    );
  });
  it('bad option values', () => {
    expectError(() => ones([2]).clamp(), ValueError, /clamp: at least one of min and max/);
    expectError(
      () => ones([2]).gelu('fast' as 'tanh'),
      ValueError,
      /gelu: approximate must be 'none' or 'tanh'/,
    );
  });
});

describe('autograd errors', () => {
  it('backward without a gradient on a non-scalar, or of the wrong shape', () => {
    const x = ones([2], { requiresGrad: true });
    expectError(
      () => x.mul(2).backward(),
      AutogradError,
      /backward: a gradient can be implied only for one-element outputs, got shape \[2\]/,
    );
    expectError(
      () => x.mul(2).backward(ones([3])),
      ShapeError,
      /backward: gradient of shape \[3\] does not match output \[2\]/,
    );
  });
});

describe('reading', () => {
  it('item() of a tensor with more than one element', async () => {
    expectError(
      () => ones([2, 2]).itemSync(),
      ValueError,
      /itemSync: a tensor with 4 elements \[2,2\] has no single value/,
    );
    await expect(ones([3]).item()).rejects.toThrow(/item: a tensor with 3 elements/);
    expect(ones([1, 1]).itemSync()).toBe(1);
    expect(await tensor(2.5).item()).toBe(2.5);
  });

  it('a disposed tensor, in any op, names the op', () => {
    const x = ones([2]);
    x.dispose();
    expectError(() => x.exp(), DisposedError, /exp: tensor of shape \[2\] was disposed/);
    expectError(() => ones([2]).add(x), DisposedError, /add: .*disposed/);
    expectError(() => x.sum(), DisposedError, /disposed/);
    expectError(() => x.toArraySync(), DisposedError, /disposed/);
  });
});

describe('devices', () => {
  // Without a WebGPU adapter, a stand-in device (the CPU kernels under another name, with no
  // synchronous reads) checks the device rules.
  if (!hasBackend('webgpu'))
    registerBackend('webgpu', {
      ...cpuBackend,
      dtypes: ['float32', 'int32', 'bool'],
      readSync: undefined,
    });
  const onOther = (t: Tensor) => t.to('webgpu');

  it('ops between devices throw, naming both', () => {
    const a = ones([2]);
    const b = onOther(ones([2]));
    expectError(
      () => a.add(b),
      DeviceError,
      /add: expected all tensors on the same device, got cpu and webgpu/,
    );
    expectError(() => matmul(ones([2, 2]), onOther(ones([2, 2]))), DeviceError, /matmul: .*cpu and webgpu/);
    expectError(() => cat([a, b]), DeviceError, /cat/);
    expectError(() => where(tensor([true, false]), a, b), DeviceError, /where/);
    expectError(() => gather(a, 0, onOther(idx([0]))), DeviceError, /gather/);
  });

  it('synchronous reads of a device without them say to use the async form', async () => {
    const g = onOther(tensor([1, 2]));
    expect(getBackend('webgpu').readSync).toBeUndefined();
    expectError(
      () => g.dataSync(),
      DeviceError,
      /dataSync: webgpu tensors cannot be read synchronously; use await t.data\(\)/,
    );
    expect(Array.from(await g.data())).toEqual([1, 2]);
  });

  it('float64 on a device without it', () => {
    expect(getBackend('webgpu').dtypes).not.toContain('float64');
    expectError(
      () => ones([2], { dtype: 'float64' }).to('webgpu'),
      DTypeError,
      /to: the webgpu device does not support float64/,
    );
  });
});

describe('empty reductions', () => {
  it('sum of nothing is 0; max of nothing throws', () => {
    expect(zeros([0]).sum().itemSync()).toBe(0);
    expect(Array.from(zeros([0, 3]).sum(0).dataSync())).toEqual([0, 0, 0]);
    expect(zeros([2, 0]).sum(1).shape).toEqual([2]);
    expectError(() => zeros([0]).max(), ShapeError, /max: cannot reduce over an empty dimension of \[0\]/);
    expectError(() => zeros([0]).argmax(), ShapeError, /argmax: cannot reduce over an empty dimension/);
    expectError(
      () => zeros([0, 3]).amax(0),
      ShapeError,
      /amax: cannot reduce over an empty dimension of \[0,3\]/,
    );
    // Reducing a dim that has elements, of a tensor that has none, gives an empty result.
    expect(zeros([0, 3]).max(1).shape).toEqual([0]);
    expect(zeros([0, 3]).argmin(1, true).shape).toEqual([0, 1]);
    expect(zeros([0, 3]).amax([1]).shape).toEqual([0]);
  });
});
