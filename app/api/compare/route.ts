import { withApi } from '@/lib/api/errors';
import { parseQuery } from '@/lib/api/params';
import { csvOut, jsonOut } from '@/lib/api/respond';
import { compareQuery, compareResponse, compareSeriesCsvRecords, compareSummaryCsvRecords } from '@/lib/api/schemas/compare';
import { compareRuns } from '@/lib/queries/compare';

export const dynamic = 'force-dynamic';

export const GET = withApi(async (request: Request) => {
  const { format, table, ...options } = parseQuery(compareQuery, new URL(request.url).searchParams);
  const result = await compareRuns(options);
  if (format === 'csv') {
    return table === 'summary'
      ? csvOut('thaw-compare-summary', compareSummaryCsvRecords(result.summary), request)
      : csvOut('thaw-compare-series', compareSeriesCsvRecords(result.series), request);
  }
  return jsonOut(compareResponse, result, request);
});
