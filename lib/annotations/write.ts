// Writing annotations (PATCH /api/runs/[id], POST /api/runs/annotations, PUT /api/tasks/[id]). A run's
// annotation row is found by its run key (lib/db/run-key.ts), created on first write, and changed under
// a row lock in one transaction, so concurrent edits of different fields (or a bulk tag and a star)
// never undo each other.
import { NotFoundError, BadRequestError } from '../api/errors';
import type { Annotation, RunAnnotationResponse, TaskEpisodes } from '../api/schemas/annotations';
import { db } from '../db/client';
import { runKeySql } from '../db/run-key';
import { Prisma } from '../generated/prisma/client';
import { CHANGE_CHANNEL, changePayload } from '../live/changes';
import { TAGS_PER_RUN, changeTags } from '../api/tags';

export interface AnnotationChange {
  name?: string | null;
  note?: string | null;
  starred?: boolean;
  hidden?: boolean;
  /** Replaces the run's tags. */
  tags?: string[];
  addTags?: string[];
  removeTags?: string[];
}

const KEY = Prisma.raw(runKeySql('r', 'src'));

interface StoredRow {
  key: string;
  name: string | null;
  tags: string[] | null;
  note: string | null;
  starred: boolean;
  hidden: boolean;
}

/** Applies one change to these runs' annotations; answers each run's annotation after it. 404 for an unknown run. */
export async function annotateRuns(ids: readonly number[], change: AnnotationChange): Promise<RunAnnotationResponse[]> {
  const wanted = [...new Set(ids)];
  return db().$transaction(async (tx) => {
    const keyed = await tx.$queryRaw<{ id: number; key: string }[]>`
      SELECT r.id, ${KEY} AS key FROM "Run" r JOIN "LogSource" src ON src.id = r."sourceId" WHERE r.id = ANY(${wanted}::int[])`;
    const keyOf = new Map(keyed.map((row) => [row.id, row.key]));
    const missing = wanted.filter((id) => !keyOf.has(id));
    if (missing.length > 0)
      throw new NotFoundError(`run${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'do' : 'does'} not exist`);
    const keys = [...new Set(keyOf.values())].sort();
    await tx.$executeRaw`INSERT INTO "RunAnnotation" (key, tags) SELECT k, '{}' FROM unnest(${keys}::text[]) AS k ON CONFLICT (key) DO NOTHING`;
    const rows = await tx.$queryRaw<StoredRow[]>`
      SELECT key, name, tags, note, starred, hidden FROM "RunAnnotation" WHERE key = ANY(${keys}::text[]) ORDER BY key FOR UPDATE`;
    const next = new Map<string, Annotation>();
    for (const row of rows) {
      const tags = changeTags(row.tags ?? [], { set: change.tags, add: change.addTags, remove: change.removeTags });
      if (tags.length > TAGS_PER_RUN) {
        const runId = keyed.find((k) => k.key === row.key)?.id;
        throw new BadRequestError(`tags: expected at most ${TAGS_PER_RUN} tags per run (run ${runId} would carry ${tags.length})`);
      }
      next.set(row.key, {
        name: change.name !== undefined ? change.name : row.name,
        tags,
        note: change.note !== undefined ? change.note : row.note,
        starred: change.starred ?? row.starred,
        hidden: change.hidden ?? row.hidden,
      });
    }
    const updates = [...next.entries()].map(([key, a]) => ({ key, ...a }));
    await tx.$executeRaw`
      UPDATE "RunAnnotation" a
         SET name = u.name, note = u.note, starred = u.starred, hidden = u.hidden, "updatedAt" = now(),
             tags = ARRAY(SELECT jsonb_array_elements_text(u.tags))
        FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb)
          AS u(key text, name text, note text, starred boolean, hidden boolean, tags jsonb)
       WHERE a.key = u.key`;
    // Open pages refresh these runs (delivered on COMMIT), like after an ingest batch.
    await tx.$executeRaw`SELECT pg_notify(${CHANGE_CHANNEL}, ${changePayload(wanted)})`;
    return wanted.map((id) => ({ id, ...next.get(keyOf.get(id)!)! }));
  });
}

/** Sets (or, with null, forgets) a task's episode count. 404 when no run has this task. */
export async function setTaskEpisodes(taskId: number, episodes: number | null): Promise<TaskEpisodes> {
  const known = await db().$queryRaw<{ n: number }[]>`SELECT 1 AS n FROM "Run" WHERE "taskId" = ${taskId} LIMIT 1`;
  if (known.length === 0) throw new NotFoundError(`task ${taskId} has no runs`);
  await db().$executeRaw`
    INSERT INTO "TaskAnnotation" ("taskId", episodes, "updatedAt") VALUES (${taskId}, ${episodes}, now())
    ON CONFLICT ("taskId") DO UPDATE SET episodes = EXCLUDED.episodes, "updatedAt" = now()`;
  await db().$executeRaw`SELECT pg_notify(${CHANGE_CHANNEL}, 'all')`;
  return { taskId, episodes };
}
