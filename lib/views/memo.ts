// Per-summary memo: a step summary object is never modified once built (an update makes a new one),
// so anything derived from it can hang off it, and is dropped with it.
const derived = new WeakMap<object, Map<string, unknown>>();

/** `compute()` once per (owner, key); the owner must be immutable for as long as it is used as one. */
export function memo<T>(owner: object, key: string, compute: () => T): T {
  let entries = derived.get(owner);
  if (!entries) derived.set(owner, (entries = new Map<string, unknown>()));
  if (entries.has(key)) return entries.get(key) as T;
  const value = compute();
  entries.set(key, value);
  return value;
}
