// The runs listing is ONE statement (lib/queries/runs.ts selectRows): the page and the counts per
// filter value come from one materialised pass over the matching runs, the counts riding on the
// first row, or on a row of nulls when the page is empty. These cases pin what that must not change:
// an empty page (past the end, or nothing found) still has its total and counts, counts under a
// search and annotations equal a brute-force count, and the stale-summary check (an anti-join on
// RunSummary(runId, rules)) still finds missing summaries and summaries from other rules.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setEnvOverrides } from '../../lib/env';
import type { RunRow } from '../../lib/api/schemas/runs';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { seedSyntheticRuns } from '../../testkit/synthetic/seeded-runs';

let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase('runs_one_pass');
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  setEnvOverrides({ DATABASE_URL: database.url });
  await seedSyntheticRuns(pool, { runs: 40, epochs: 10, stepsPerRun: 20, chainLength: 4, pathPrefix: '/synthetic/one-pass', mixed: true });
});

afterAll(async () => {
  const { disconnectDb } = await import('../../lib/db/client');
  await disconnectDb();
  await pool.end();
  await database.drop();
});

/** Runs per value, most-common-first order ignored (compared as sorted pairs). */
function tally<K>(rows: readonly RunRow[], key: (row: RunRow) => K): [K, number][] {
  const out = new Map<K, number>();
  for (const row of rows) out.set(key(row), (out.get(key(row)) ?? 0) + 1);
  return [...out.entries()].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

const pairs = <K>(counts: readonly { value: K; count: number }[]) =>
  counts.map((c): [K, number] => [c.value, c.count]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));

describe('runs listing in one pass', () => {
  it('keeps the total and the counts on a page past the end', async () => {
    const { listRunsPage } = await import('../../lib/queries/runs');
    const first = await listRunsPage({ sort: 'lastSeenAt', dir: 'desc', page: 1, limit: 10 });
    expect(first.runs).toHaveLength(10);
    const past = await listRunsPage({ sort: 'lastSeenAt', dir: 'desc', page: 99, limit: 10 });
    expect(past.runs).toEqual([]);
    expect(past.total).toBe(first.total);
    expect(past.counts).toEqual(first.counts);
    expect(first.total).toBe(40);
  });

  it('answers a search that finds nothing with no rows, a zero total and empty counts', async () => {
    const { listRunsPage } = await import('../../lib/queries/runs');
    const none = await listRunsPage({ sort: 'id', dir: 'asc', q: 'no-such-run-anywhere', limit: 10 });
    expect(none.runs).toEqual([]);
    expect(none.total).toBe(0);
    expect(none.counts).toEqual({ task: [], strategy: [], status: [], verdict: [], tag: [], starred: [], hidden: [] });
  });

  it('counts under a search, tags, stars and hidden runs equal a brute-force count of the listed rows', async () => {
    const { listRuns, listRunsPage } = await import('../../lib/queries/runs');
    const { annotateRuns } = await import('../../lib/annotations/write');
    const ids = (await listRuns({ sort: 'id', dir: 'asc' })).map((r) => r.id);
    await annotateRuns(ids.slice(0, 6), { addTags: ['keep'], starred: true });
    await annotateRuns(ids.slice(4, 9), { hidden: true });
    const everything = await listRuns({ sort: 'id', dir: 'asc', hidden: 'include', q: 'task' });
    const shown = everything.filter((r) => !r.hidden);
    const page = await listRunsPage({ sort: 'id', dir: 'asc', q: 'task', limit: 7, page: 2 });
    expect(page.total).toBe(shown.length);
    expect(page.runs.map((r) => r.id)).toEqual(shown.slice(7, 14).map((r) => r.id));
    expect(pairs(page.counts.task)).toEqual(tally(shown, (r) => r.taskId));
    expect(pairs(page.counts.verdict)).toEqual(tally(shown, (r) => r.verdict.status));
    expect(pairs(page.counts.starred)).toEqual(tally(shown, (r) => r.starred));
    // The hidden facet ignores the hidden filter.
    expect(pairs(page.counts.hidden)).toEqual(tally(everything, (r) => r.hidden));
    expect(page.counts.tag).toEqual([{ value: 'keep', count: shown.filter((r) => r.tags.includes('keep')).length }]);
    // A facet filter: the page and total follow it, its own facet does not.
    const starred = await listRunsPage({ sort: 'id', dir: 'asc', q: 'task', starred: true, limit: 50 });
    expect(starred.runs.map((r) => r.id)).toEqual(shown.filter((r) => r.starred).map((r) => r.id));
    expect(pairs(starred.counts.starred)).toEqual(tally(shown, (r) => r.starred));
  });

  it('repairs missing summaries and summaries from other rules before listing', async () => {
    const { listRunsPage } = await import('../../lib/queries/runs');
    const before = await listRunsPage({ sort: 'id', dir: 'asc', hidden: 'include' });
    const [gone, old] = before.runs.map((r) => r.id);
    await database.query(`DELETE FROM "RunSummary" WHERE "runId" = $1`, [gone]);
    await database.query(`UPDATE "RunSummary" SET rules = 'older-rules', verdict = 'diverged' WHERE "runId" = $1`, [old]);
    const after = await listRunsPage({ sort: 'id', dir: 'asc', hidden: 'include' });
    expect(after).toEqual(before);
    const rules = await database.query<{ rules: string }>(`SELECT DISTINCT rules FROM "RunSummary"`);
    expect(rules).toHaveLength(1);
    expect(rules[0]!.rules).not.toBe('older-rules');
  });
});
