// Epoch-level data of a few runs (the runs on screen): training loss, lr and timing per epoch, and
// every validation record (all tasks, per-epoch and final). Small: ~epochs × tasks rows per run.
import { db } from '../db/client';
import { sharedCache } from '../cache';

export interface EpochRow {
  epoch: number;
  trainLoss: number | null;
  lr: number | null;
  durationMinutes: number | null;
  msPerBatch: number | null;
}

export interface ValidationRow {
  epoch: number;
  final: boolean;
  taskId: number;
  loss: number | null;
  retention: string | null;
}

export interface EpochData {
  epochs: EpochRow[];
  validations: ValidationRow[];
}

/** Epoch data per run at its version (cache.ts); ~epochs × tasks rows each. */
const epochCache = sharedCache<EpochData>('epoch-data', 200_000);

/** Every selected run's epoch data; only runs that changed since they were cached are read. */
export async function loadEpochData(ids: readonly number[]): Promise<Map<number, EpochData>> {
  const out = new Map<number, EpochData>();
  if (ids.length === 0) return out;
  const versions = await db().$queryRaw<
    { id: number; version: string }[]
  >`SELECT id, xmin::text AS version FROM "Run" WHERE id = ANY(${[...ids]}::int[])`;
  const stale: { id: number; version: string }[] = [];
  for (const v of versions) {
    const cached = epochCache.get(v.id, v.version);
    if (cached) out.set(v.id, cached);
    else stale.push(v);
  }
  const fresh = await readEpochData(stale.map((v) => v.id));
  for (const v of stale) {
    const data = fresh.get(v.id)!;
    epochCache.set(v.id, v.version, data, 1 + data.epochs.length + data.validations.length);
    out.set(v.id, data);
  }
  for (const id of ids) if (!out.has(id)) out.set(id, { epochs: [], validations: [] });
  return out;
}

async function readEpochData(ids: readonly number[]): Promise<Map<number, EpochData>> {
  const out = new Map<number, EpochData>(ids.map((id) => [id, { epochs: [], validations: [] }]));
  if (ids.length === 0) return out;
  const idArray = [...ids];
  const [epochs, validations] = await Promise.all([
    db().$queryRaw<(EpochRow & { runId: number })[]>`
      SELECT "runId", epoch, "trainLoss", lr, "durationMinutes", "msPerBatch" FROM "EpochMetric"
       WHERE "runId" = ANY(${idArray}::int[]) ORDER BY "runId", epoch`,
    db().$queryRaw<(ValidationRow & { runId: number })[]>`
      SELECT "runId", epoch, final, "taskId", loss, retention FROM "Validation"
       WHERE "runId" = ANY(${idArray}::int[]) ORDER BY "runId", final, epoch, "taskId"`,
  ]);
  for (const { runId, ...row } of epochs) out.get(runId)?.epochs.push(row);
  for (const { runId, ...row } of validations) out.get(runId)?.validations.push(row);
  return out;
}
