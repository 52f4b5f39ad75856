// POST /api/runs/annotations {"ids", "addTags"?, "removeTags"?, "starred"?, "hidden"?}: the runs table's
// bulk actions, applied to every listed run in one transaction.
import { annotateRuns } from '@/lib/annotations/write';
import { withApi } from '@/lib/api/errors';
import { parseBody } from '@/lib/api/params';
import { jsonOut } from '@/lib/api/respond';
import { runsAnnotateBody, runsAnnotateResponse } from '@/lib/api/schemas/annotations';

export const dynamic = 'force-dynamic';

export const POST = withApi(async (request: Request) => {
  const { ids, ...change } = await parseBody(runsAnnotateBody, request);
  return jsonOut(runsAnnotateResponse, { runs: await annotateRuns(ids, change) }, request);
});
