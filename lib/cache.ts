// Process-wide caches for derived per-run data (runs-table rows, step-series summaries), validated
// by the run row's version instead of by time.
//
// Why this is safe: the ingest store (ingest/store/) UPDATEs the "Run" row of every run a batch
// touches, in the same transaction as the batch's epochs, validations and steps, and PostgreSQL gives
// every new row version a new `xmin` (the writing transaction). So `xmin` changes whenever anything
// of the run may have changed, and reading it for 1,000 runs is one cheap index-free scan of "Run".
// Entries live on globalThis so every route bundle of the Next server shares them.

export interface Versioned<V> {
  version: string;
  value: V;
  /** Rough size, for the memory bound. */
  weight: number;
}

export class VersionedCache<V, K = number> {
  private readonly entries = new Map<K, Versioned<V>>();
  private totalWeight = 0;

  constructor(private readonly maxWeight: number) {}

  /** The value if it is still at `version`. */
  get(id: K, version: string): V | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined || entry.version !== version) return undefined;
    // Map order doubles as LRU order.
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry.value;
  }

  /** The entry at whatever version it has (for incremental updates). */
  peek(id: K): Versioned<V> | undefined {
    return this.entries.get(id);
  }

  set(id: K, version: string, value: V, weight = 1): void {
    this.delete(id);
    this.entries.set(id, { version, value, weight });
    this.totalWeight += weight;
    for (const [oldest, entry] of this.entries) {
      if (this.totalWeight <= this.maxWeight) break;
      this.entries.delete(oldest);
      this.totalWeight -= entry.weight;
    }
  }

  delete(id: K): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    this.entries.delete(id);
    this.totalWeight -= entry.weight;
  }

  clear(): void {
    this.entries.clear();
    this.totalWeight = 0;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** One named cache per process (survives duplicate module instances across route bundles). */
export function sharedCache<V, K = number>(name: string, maxWeight: number): VersionedCache<V, K> {
  const registry = ((globalThis as { thawCaches?: Map<string, VersionedCache<unknown, unknown>> }).thawCaches ??= new Map());
  let cache = registry.get(name) as VersionedCache<V, K> | undefined;
  if (cache === undefined) {
    cache = new VersionedCache<V, K>(maxWeight);
    registry.set(name, cache);
  }
  return cache;
}
