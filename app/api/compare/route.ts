import { withApi } from '@/lib/api/errors';
import { parseQuery } from '@/lib/api/params';
import { jsonBytes } from '@/lib/api/payload';
import { csvOut, versionedJsonOut } from '@/lib/api/respond';
import { compareQuery, compareResponse, compareSeriesCsvRecords, compareSummaryCsvRecords } from '@/lib/api/schemas/compare';
import { compareRuns, compareVersion } from '@/lib/queries/compare';

export const dynamic = 'force-dynamic';

export const GET = withApi(async (request: Request) => {
  const { format, table, ...options } = parseQuery(compareQuery, new URL(request.url).searchParams);
  if (format === 'csv') {
    const result = await compareRuns(options);
    return table === 'summary'
      ? csvOut('thaw-compare-summary', compareSummaryCsvRecords(result.summary), request)
      : csvOut('thaw-compare-series', compareSeriesCsvRecords(result.series), request);
  }
  // The same query over unchanged rows answers the same body (a digest of the rows, read first).
  const version = await compareVersion(options.runs);
  return versionedJsonOut(compareResponse, `compare ${JSON.stringify(options)}`, version, () => compareRuns(options), {
    request,
    write: jsonBytes,
  });
});
