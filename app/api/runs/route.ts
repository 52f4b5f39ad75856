import { withApi } from '@/lib/api/errors';
import { parseQuery } from '@/lib/api/params';
import { csvOut, versionedJsonOut } from '@/lib/api/respond';
import { runCsvRecord, runsQuery, runsResponse } from '@/lib/api/schemas/runs';
import { listRunsPage, runsListingVersion } from '@/lib/queries/runs';

export const dynamic = 'force-dynamic';

export const GET = withApi(async (request: Request) => {
  const { format, ...filters } = parseQuery(runsQuery, new URL(request.url).searchParams);
  if (format === 'csv') return csvOut('thaw-runs', (await listRunsPage(filters)).runs.map(runCsvRecord), request);
  // The same query over unchanged rows answers the same body (a digest of the rows, read first).
  const version = await runsListingVersion(filters.ids);
  return versionedJsonOut(runsResponse, `runs ${JSON.stringify(filters)}`, version, () => listRunsPage(filters), { request });
});
