/**
 * Deep-copies arrays and plain objects (other values are shared), so option groups, state
 * dicts and snapshots share nothing with the optimizer or scheduler they came from.
 */
export function copyPlain<T>(v: T): T {
  if (Array.isArray(v)) return v.map(copyPlain) as T;
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copyPlain(x)])) as T;
  }
  return v;
}
