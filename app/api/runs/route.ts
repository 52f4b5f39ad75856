import { withApi } from '@/lib/api/errors';
import { parseQuery } from '@/lib/api/params';
import { csvOut, jsonOut } from '@/lib/api/respond';
import { runCsvRecord, runsQuery, runsResponse } from '@/lib/api/schemas/runs';
import { listRunsPage } from '@/lib/queries/runs';

export const dynamic = 'force-dynamic';

export const GET = withApi(async (request: Request) => {
  const { format, ...filters } = parseQuery(runsQuery, new URL(request.url).searchParams);
  const page = await listRunsPage(filters);
  if (format === 'csv') return csvOut('thaw-runs', page.runs.map(runCsvRecord), request);
  return jsonOut(runsResponse, page, request);
});
