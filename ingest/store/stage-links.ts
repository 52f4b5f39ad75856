// Stage links: the parent run of each sequential stage, by the one stage-link rule.
import type pg from 'pg';
import { isCheckpointOf, runDirLength, stageDirCandidates } from '../../lib/analysis/stage-link';
import { textArray } from './sql-literals';

/**
 * The last segment of a run directory as SQL computes it for the "Run_runDirName_idx" expression index
 * (migration 20261130183000_speed_indexes): the path with backslashes as slashes, surrounding
 * whitespace and trailing slashes dropped, cut after its last slash. For every path normaliseRunPath
 * spells the same way, this is the last segment of that spelling, so it only narrows the candidates.
 */
const RUN_DIR_NAME_SQL = `regexp_replace(rtrim(replace(btrim("outputDir", E' \\t\\n\\r'), E'\\\\', '/'), '/'), '^.*/', '')`;

function lastSegment(normalised: string): string {
  return normalised.slice(normalised.lastIndexOf('/') + 1);
}

/**
 * Links sequential stages: a run that printed "Loading from Task k: <path>" gets as its parent the run
 * whose output directory that path names (the one stage-link rule, lib/analysis/stage-link.ts: the
 * dir itself or its /best, /final, /epochN, spelling normalised). Runs both ways (the parent may be
 * ingested later); among several candidates the most specific directory wins, then the
 * earliest-ingested (copies of one log), so the result is stable.
 */
export async function linkStages(client: pg.PoolClient): Promise<void> {
  // Unlinked children only (a partial index holds just those), and as parents only the runs whose
  // directory's last segment is one the children name (an expression index): at 10,000 runs a batch
  // reads a handful of rows, not every run. The rule itself stays isCheckpointOf below.
  const children = (
    await client.query<{ id: number; resumePath: string }>(
      `SELECT id, "resumePath" FROM "Run" WHERE "resumePath" IS NOT NULL AND "parentRunId" IS NULL`,
    )
  ).rows;
  if (children.length === 0) return;
  const names = new Set(children.flatMap((child) => stageDirCandidates(child.resumePath).map(lastSegment)));
  const parents = (
    await client.query<{ id: number; outputDir: string }>(
      `SELECT id, "outputDir" FROM "Run" WHERE ${RUN_DIR_NAME_SQL} = ANY($1::text[]) AND "outputDir" <> '' ORDER BY id`,
      [textArray([...names])],
    )
  ).rows.map((row) => ({ ...row, length: runDirLength(row.outputDir) }));
  const childIds: number[] = [];
  const parentIds: number[] = [];
  for (const child of children) {
    let best: (typeof parents)[number] | null = null;
    for (const parent of parents) {
      if (parent.id === child.id || !isCheckpointOf(parent.outputDir, child.resumePath)) continue;
      if (best === null || parent.length > best.length) best = parent;
    }
    if (best === null) continue;
    childIds.push(child.id);
    parentIds.push(best.id);
  }
  if (childIds.length === 0) return;
  await client.query(
    `UPDATE "Run" AS r SET "parentRunId" = u.parent
       FROM unnest($1::int[], $2::int[]) AS u(id, parent)
      WHERE r.id = u.id AND r."parentRunId" IS NULL`,
    [`{${childIds.join(',')}}`, `{${parentIds.join(',')}}`],
  );
}
