import { withApi } from '@/lib/api/errors';
import { parseQuery } from '@/lib/api/params';
import { csvOut, jsonOut } from '@/lib/api/respond';
import { tasksCsvRecords, tasksQuery, tasksResponse } from '@/lib/api/schemas/tasks';
import { listChains } from '@/lib/queries/forgetting';

export const dynamic = 'force-dynamic';

export const GET = withApi(async (request: Request) => {
  const { format } = parseQuery(tasksQuery, new URL(request.url).searchParams);
  const result = await listChains();
  if (format === 'csv') return csvOut('thaw-tasks-matrix', tasksCsvRecords(result.chains), request);
  return jsonOut(tasksResponse, result, request);
});
