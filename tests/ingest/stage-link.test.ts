// The stage-link table (lib/analysis/stage-link.cases.ts) against the store: for every case, two
// real stage logs are ingested (child first, then parent, then the other order) and the child's
// parentRunId must be the parent exactly when the case says the stages link.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSmolvlaLog } from '../../testkit/synthetic/smolvla-log';
import { STAGE_LINK_CASES } from '../../lib/analysis/stage-link.cases';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { backfillInto, tempDir } from '../helpers/ingest';

let db: TestDatabase;
let dir: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  db = await createTestDatabase('stage_link');
  const temp = await tempDir();
  dir = temp.dir;
  cleanups.push(
    () => db.drop(),
    () => temp.cleanup(),
  );
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function parentLog(outputDir: string): string {
  const text = generateSmolvlaLog({ seed: 1, taskId: 1, timestamp: '20251101_090000', epochs: 1, stepsPerEpoch: 3 }).toString('utf8');
  return text.replace(/📁 Output Directory: .*\n/, `📁 Output Directory: ${outputDir}\n`);
}

function childLog(resumePath: string): string {
  return generateSmolvlaLog({
    seed: 2,
    taskId: 2,
    timestamp: '20251101_100000',
    epochs: 1,
    stepsPerEpoch: 3,
    resumeFrom: { taskId: 1, path: resumePath },
  }).toString('utf8');
}

async function linkedParentTask(): Promise<{ outputDir: string | null; resumePath: string | null; parentTask: number | null }[]> {
  return db.query(
    `SELECT p."outputDir", r."resumePath", p."taskId" AS "parentTask"
       FROM "Run" r LEFT JOIN "Run" p ON p.id = r."parentRunId" WHERE r."taskId" = 2`,
  );
}

describe('store: stage links follow the one stage-link rule', () => {
  it.each(STAGE_LINK_CASES.map((c, index) => ({ ...c, index })))(
    'case $index: $resumePath → $outputDir: $links',
    async ({ outputDir, resumePath, links, index }) => {
      for (const order of ['child first', 'parent first'] as const) {
        await db.query(`TRUNCATE "LogSource", "Run" RESTART IDENTITY CASCADE`);
        const caseDir = path.join(dir, `case${index}-${order.replace(' ', '-')}`);
        await mkdir(caseDir, { recursive: true });
        const logs = { 'child.log': childLog(resumePath), 'parent.log': parentLog(outputDir) };
        const names = order === 'child first' ? (['child.log', 'parent.log'] as const) : (['parent.log', 'child.log'] as const);
        for (const name of names) {
          await writeFile(path.join(caseDir, name), logs[name]);
          await backfillInto(db.url, [caseDir]);
        }
        const rows = await linkedParentTask();
        expect(rows, order).toHaveLength(1);
        expect(rows[0]?.parentTask ?? null, order).toBe(links ? 1 : null);
        if (links) expect(rows[0]?.outputDir, order).toBe(outputDir);
        await rm(caseDir, { recursive: true, force: true });
      }
    },
  );
});
