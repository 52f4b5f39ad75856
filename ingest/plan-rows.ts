// A batch's epoch and validation rows, folded in columns (ingest/store/plan-batch.ts planBatch → writeEpochs,
// writeValidations). A backfilled event file brings hundreds of thousands of epochs per batch: a Map
// entry and an object per row cost more than reading the file, so rows live in typed columns and the
// usual order (keys ascending, as a trainer writes them) takes no hash lookup at all.
//
// The fold rule is the one planBatch has always had: rows in first-seen order, last write wins per
// column, an absent value leaves what is there.
import { EPOCH_METRIC_INDEX, EPOCH_METRICS, INT32_MAX, type EpochMetrics, type Retention } from './events';

/**
 * Which row holds each key, rows in first-seen order. A number key past every number key so far, or
 * the last key again, is found without a lookup; the first key out of that order builds the hash index
 * (kept from then on).
 */
export class RowIndex<K extends number | string = number | string> {
  private readonly keys: K[] = [];
  private index: Map<K, number> | null = null;
  private max = -Infinity;
  private lastKey: K | undefined;
  private lastRow = -1;

  get size(): number {
    return this.keys.length;
  }

  key(row: number): K {
    return this.keys[row]!;
  }

  /** The row of `key`; a new key is added as the last row (row === size - 1 afterwards). */
  row(key: K): number {
    if (key === this.lastKey) return this.lastRow;
    let row: number;
    if (typeof key === 'number' && key > this.max) row = this.add(key);
    else row = this.lookup().get(key) ?? this.add(key);
    this.lastKey = key;
    this.lastRow = row;
    return row;
  }

  private add(key: K): number {
    const row = this.keys.length;
    this.keys.push(key);
    if (typeof key === 'number' && key > this.max) this.max = key;
    this.index?.set(key, row);
    return row;
  }

  private lookup(): Map<K, number> {
    if (this.index === null) {
      this.index = new Map();
      for (let row = 0; row < this.keys.length; row++) this.index.set(this.keys[row]!, row);
    }
    return this.index;
  }
}

/** A growable float8 column whose rows may be absent (NULL); NaN and ±Infinity are values like any other. */
export class FloatColumn {
  values = new Float64Array(16);
  present = new Uint8Array(16);

  set(row: number, value: number): void {
    if (row >= this.values.length) this.grow(row + 1);
    this.values[row] = value;
    this.present[row] = 1;
  }

  get(row: number): number | undefined {
    return row < this.present.length && this.present[row] === 1 ? this.values[row] : undefined;
  }

  private grow(rows: number): void {
    const capacity = Math.max(rows, this.values.length * 2);
    const values = new Float64Array(capacity);
    values.set(this.values);
    const present = new Uint8Array(capacity);
    present.set(this.present);
    this.values = values;
    this.present = present;
  }
}

/** Epoch rows of one run: epoch → the EPOCH_METRICS columns. */
export class EpochRows {
  private readonly index = new RowIndex<number>();
  readonly columns: readonly FloatColumn[] = EPOCH_METRICS.map(() => new FloatColumn());

  get size(): number {
    return this.index.size;
  }

  epoch(row: number): number {
    return this.index.key(row);
  }

  /** Sets one metric (its index in EPOCH_METRICS) of an epoch's row, adding the row when new. */
  set(epoch: number, metric: number, value: number): void {
    this.columns[metric]!.set(this.index.row(epoch), value);
  }

  /** Folds an `epoch` event's metrics: null and absent values leave what is there. */
  merge(epoch: number, metrics: Partial<Record<keyof EpochMetrics, number | null>>): void {
    const row = this.index.row(epoch);
    for (const name in metrics) {
      const value = metrics[name as keyof EpochMetrics];
      const metric = EPOCH_METRIC_INDEX[name];
      if (value !== undefined && value !== null && metric !== undefined) this.columns[metric]!.set(row, value);
    }
  }

  /** A row as an object of its present metrics. */
  metrics(row: number): Partial<EpochMetrics> {
    const out: Partial<EpochMetrics> = {};
    EPOCH_METRICS.forEach((name, metric) => {
      const value = this.columns[metric]!.get(row);
      if (value !== undefined) out[name] = value;
    });
    return out;
  }
}

export interface ValidationRow {
  epoch: number;
  final: boolean;
  taskId: number;
  loss: number | null;
  retention: Retention | null;
}

/**
 * One key per validation row (epoch, final, task): a number while epoch and task fit (int32 epochs,
 * as every stored one is, and task ids below 2^20), else a string; the two spaces never meet. Number
 * keys order rows as (epoch, final, task) do, so a trainer's usual order appends.
 */
export function validationKey(epoch: number, final: boolean, taskId: number): number | string {
  if (Number.isInteger(epoch) && epoch >= 0 && epoch <= INT32_MAX && Number.isInteger(taskId) && taskId >= 0 && taskId < 0x100000)
    return (epoch * 2 + (final ? 1 : 0)) * 0x100000 + taskId;
  return `${epoch}|${final}|${taskId}`;
}

/** Validation rows of one run, keyed by (epoch, final, task). */
export class ValidationRows {
  private readonly index = new RowIndex();
  readonly epoch: number[] = [];
  readonly final: boolean[] = [];
  readonly taskId: number[] = [];
  readonly loss = new FloatColumn();
  /** Null where no retention verdict was printed (most rows). */
  readonly retention: (Retention | null)[] = [];

  get size(): number {
    return this.index.size;
  }

  /** The row of (epoch, final, task), added when new. */
  row(epoch: number, final: boolean, taskId: number): number {
    const row = this.index.row(validationKey(epoch, final, taskId));
    if (row === this.epoch.length) {
      this.epoch.push(epoch);
      this.final.push(final);
      this.taskId.push(taskId);
      this.retention.push(null);
    }
    return row;
  }

  /** A validation loss: the row's loss, whatever was there. */
  setLoss(epoch: number, final: boolean, taskId: number, loss: number): void {
    this.loss.set(this.row(epoch, final, taskId), loss);
  }

  /** A retention verdict: the row's retention; its loss only where the row has none yet. */
  setRetention(epoch: number, final: boolean, taskId: number, retention: Retention, loss: number): void {
    const row = this.row(epoch, final, taskId);
    this.retention[row] = retention;
    if (this.loss.get(row) === undefined) this.loss.set(row, loss);
  }

  /** Every row as an object, in row order (tests, small uses). */
  rows(): ValidationRow[] {
    return this.epoch.map((epoch, row) => ({
      epoch,
      final: this.final[row]!,
      taskId: this.taskId[row]!,
      loss: this.loss.get(row) ?? null,
      retention: this.retention[row]!,
    }));
  }
}
