/** Deep equality of JSON-shaped values (the IR), cheap on shared structure: equal references stop the walk. */
export function equalJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equalJson(x, b[i]));
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  const br = b as Record<string, unknown>;
  const ar = a as Record<string, unknown>;
  return ak.every((k) => Object.hasOwn(br, k) && equalJson(ar[k], br[k]));
}
