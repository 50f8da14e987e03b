/**
 * Key names of an optimizer's state dict. tsgrad's options and state fields are camelCase
 * (`weightDecay`, `expAvg`); a state dict uses PyTorch's snake_case names (`weight_decay`,
 * `exp_avg`), so a dict reads like PyTorch's and its keys match PyTorch's documentation.
 */

/** Names that are not the plain snake_case of their camelCase form. */
const irregular: Record<string, string> = { hDiag: 'H_diag' };
const irregularBack = Object.fromEntries(Object.entries(irregular).map(([k, v]) => [v, k]));

/** `expAvgSq` → `exp_avg_sq`. */
export function toSnakeCase(key: string): string {
  return irregular[key] ?? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** `exp_avg_sq` → `expAvgSq` (the inverse of {@link toSnakeCase}). */
export function toCamelCase(key: string): string {
  return irregularBack[key] ?? key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
