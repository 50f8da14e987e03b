// Only `tensor` from @tsgrad/core: the bundle must keep the import-time registration of the
// CPU backend that the tensor ops run on.
import { tensor } from '@tsgrad/core';

try {
  window.coreOnly = {
    sum: await tensor([1, 2])
      .add(tensor([3, 4]))
      .toArray(),
    error: null,
  };
} catch (e) {
  window.coreOnly = { sum: null, error: String(e) };
}
