// Bulk rows. A few rows travel as array literals through unnest(); many (a backfilled event file's
// batch holds hundreds of thousands of epochs and validations) are COPYed in PostgreSQL's binary
// format into a temporary table dropped at commit: measured on this machine, parsing the array
// literals of 112k validation rows (text → float8 for every value) took as long as inserting them,
// and binary COPY takes a tenth of that. Both feed the same INSERT … SELECT * FROM <rows>, so the
// upsert rules (agreeingValue) are written once.
import type pg from 'pg';
import type { FloatColumn } from '../plan-rows';
import { BinaryCopyRows, copyBinaryIn } from '../pg-copy';
import { boolArray, floatArray, pgText, textArray } from './sql-literals';

type ColumnType = 'int4' | 'float8' | 'bool' | 'text' | 'jsonb';

export interface BulkColumn {
  type: ColumnType;
  values: ArrayLike<number | boolean | string | null | undefined>;
  /** Where given, a row whose entry is 0 is NULL whatever `values` holds (typed columns: FloatColumn). */
  present?: ArrayLike<number>;
}

/** The value of a bulk column's row; null or undefined for NULL. */
function cell(column: BulkColumn, i: number): number | boolean | string | null | undefined {
  return column.present !== undefined && column.present[i] === 0 ? null : column.values[i];
}

/** Several runs' columns end to end; one run's column as it is (a backfill's batch: no copy). */
export function joined<R, T>(tables: readonly R[], column: (table: R) => readonly T[]): readonly T[] {
  return tables.length === 1 ? column(tables[0]!) : tables.flatMap(column);
}

/** Typed float columns of several runs' rows, end to end, as one bulk column. */
export function concatFloats(parts: readonly FloatColumn[], sizes: readonly number[]): BulkColumn {
  if (parts.length === 1) return { type: 'float8', values: parts[0]!.values, present: parts[0]!.present };
  const total = sizes.reduce((sum, size) => sum + size, 0);
  const values = new Float64Array(total);
  const present = new Uint8Array(total);
  let at = 0;
  parts.forEach((part, i) => {
    values.set(part.values.subarray(0, sizes[i]), at);
    present.set(part.present.subarray(0, sizes[i]), at);
    at += sizes[i]!;
  });
  return { type: 'float8', values, present };
}

/** Batches with at least this many rows of one table are COPYed (a temporary table costs a few ms). */
const COPY_MIN_ROWS = 5_000;

const SQL_TYPES: Record<ColumnType, string> = { int4: 'int', float8: 'float8', bool: 'bool', text: 'text', jsonb: 'jsonb' };

/**
 * The rows as a FROM item (`… AS u`), with the query parameters it needs (numbered after the first
 * `paramsBefore` of the caller's own). Its columns are positional: select them with `*` or name
 * them by an alias list, `rowSource(…).from` + `(a, b, …)`.
 */
export async function rowSource(
  client: pg.PoolClient,
  name: string,
  columns: readonly BulkColumn[],
  count: number,
  paramsBefore = 0,
): Promise<{ from: string; params: string[] }> {
  if (count < COPY_MIN_ROWS) {
    const params = columns.map((column) => arrayLiteral(column, count));
    return {
      from: `unnest(${columns.map((column, i) => `$${paramsBefore + i + 1}::${SQL_TYPES[column.type]}[]`).join(', ')}) AS u`,
      params,
    };
  }
  const table = `thaw_${name}`;
  await client.query(
    `CREATE TEMPORARY TABLE ${table} (${columns.map((column, i) => `c${i} ${SQL_TYPES[column.type]}`).join(', ')}) ON COMMIT DROP`,
  );
  await copyBinaryIn(client, table, copyBinary(columns, count));
  return { from: `${table} AS u`, params: [] };
}

function arrayLiteral(column: BulkColumn, count: number): string {
  const values = Array.from({ length: count }, (_, i) => cell(column, i));
  switch (column.type) {
    case 'float8':
      return floatArray(values as readonly (number | null | undefined)[]);
    case 'int4':
      return `{${values.map((value) => (value === null || value === undefined ? 'NULL' : String(value))).join(',')}}`;
    case 'bool':
      return boolArray(values as readonly boolean[]);
    case 'text':
    case 'jsonb':
      return textArray((values as readonly (string | null | undefined)[]).map((value) => value ?? null));
  }
}

/** The bulk rows in PostgreSQL's binary COPY format (ingest/pg-copy.ts); float8 keeps NaN and ±Infinity. */
function copyBinary(columns: readonly BulkColumn[], count: number): Buffer {
  const rows = new BinaryCopyRows(count, 2 + columns.length * 12);
  for (let i = 0; i < count; i++) {
    rows.row(columns.length);
    for (const column of columns) {
      const value = cell(column, i);
      if (value === null || value === undefined) {
        rows.nullField();
        continue;
      }
      switch (column.type) {
        case 'float8':
          rows.float8(value as number);
          break;
        case 'int4':
          rows.int4(value as number);
          break;
        case 'bool':
          rows.bool(Boolean(value));
          break;
        case 'text':
          rows.text(pgText(value as string));
          break;
        case 'jsonb':
          rows.jsonb(value as string);
          break;
      }
    }
  }
  return rows.finish();
}

/** Only the rows at `picked` (indexes, in order) of the bulk rows. */
function pickRows(columns: readonly BulkColumn[], picked: readonly number[]): BulkColumn[] {
  return columns.map((column) => ({ type: column.type, values: picked.map((i) => cell(column, i)) }));
}

/**
 * Each run's highest stored key (null: none yet), read backwards off the table's primary key
 * ("runId", key, …); `filter` narrows the rows that count (e.g. non-final validations).
 */
export async function lastStoredKeys(
  client: pg.PoolClient,
  table: 'StepPoint' | 'EpochMetric' | 'Validation',
  key: 'step' | 'epoch',
  runIds: readonly number[],
  filter = '',
): Promise<Map<number, number | null>> {
  const last = new Map<number, number | null>();
  if (runIds.length === 0) return last;
  const rows = (
    await client.query<{ id: number; last: number | null }>(
      `SELECT u.id, (SELECT t.${key} FROM "${table}" t WHERE t."runId" = u.id ${filter} ORDER BY t.${key} DESC LIMIT 1) AS last
         FROM unnest($1::int[]) AS u(id)`,
      [`{${[...new Set(runIds)].join(',')}}`],
    )
  ).rows;
  for (const row of rows) last.set(row.id, row.last);
  return last;
}

/**
 * The one rule for bulk writes of per-run keyed rows: a row whose key lies past everything its run
 * has stored cannot conflict (the caller holds the run's lock — lockRuns — and every writer of these
 * tables, mergeRuns included, takes it first), so it goes in by binary COPY straight into the table,
 * the cheapest way in; the rest (a rewritten row, a second source of the same run, a run `last` does
 * not cover) take the upsert and its agreement rules. Returns row indexes, in order.
 */
export function partitionFresh(
  runs: readonly number[],
  keys: readonly number[],
  last: ReadonlyMap<number, number | null>,
  eligible: (i: number) => boolean = () => true,
): { fresh: number[]; upsert: number[] } {
  const fresh: number[] = [];
  const upsert: number[] = [];
  for (let i = 0; i < runs.length; i++) {
    const stored = last.get(runs[i]!);
    if (stored !== undefined && (stored === null || keys[i]! > stored) && eligible(i)) fresh.push(i);
    else upsert.push(i);
  }
  return { fresh, upsert };
}

/** Bulk rows that cannot conflict (partitionFresh), COPYed into `target` ("Table" (columns…)). */
async function copyFresh(client: pg.PoolClient, target: string, columns: readonly BulkColumn[], count: number): Promise<void> {
  if (count > 0) await copyBinaryIn(client, target, copyBinary(columns, count));
}

/**
 * Writes bulk rows by the partitionFresh rule: the fresh ones COPYed into `target`, the rest through
 * `upsert` (given the FROM item of those rows and its parameters).
 */
export async function writeBulk(
  client: pg.PoolClient,
  name: string,
  target: string,
  columns: readonly BulkColumn[],
  count: number,
  { fresh, upsert }: { fresh: number[]; upsert: number[] },
  upsertSql: (from: string) => string,
): Promise<void> {
  // Every row fresh (a backfill's usual batch): the columns as they are, no copy of them.
  if (fresh.length === count) return copyFresh(client, target, columns, count);
  await copyFresh(client, target, pickRows(columns, fresh), fresh.length);
  if (upsert.length === 0) return;
  const rows =
    upsert.length === count
      ? await rowSource(client, name, columns, count)
      : await rowSource(client, name, pickRows(columns, upsert), upsert.length);
  await client.query(upsertSql(rows.from), rows.params);
}
