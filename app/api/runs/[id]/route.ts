import { withApi } from '@/lib/api/errors';
import { parseBody, parseQuery } from '@/lib/api/params';
import { csvOut, jsonOut } from '@/lib/api/respond';
import { runAnnotationPatch, runAnnotationResponse } from '@/lib/api/schemas/annotations';
import { formatParam } from '@/lib/api/schemas/common';
import { runDetailSchema, validationCsvRecords } from '@/lib/api/schemas/run';
import { annotateRuns } from '@/lib/annotations/write';
import { getRunDetail } from '@/lib/queries/run';
import { z } from 'zod';
import { runIdFrom } from './params';

export const dynamic = 'force-dynamic';

const query = z.object({ format: formatParam });

export const GET = withApi(async (request: Request, context: { params: Promise<{ id: string }> }) => {
  const id = await runIdFrom(context);
  const { format } = parseQuery(query, new URL(request.url).searchParams);
  const detail = await getRunDetail(id);
  // The run's table is its validation table (epoch × task).
  if (format === 'csv') return csvOut(`thaw-run-${id}-validation`, validationCsvRecords(detail), request);
  return jsonOut(runDetailSchema, detail, request);
});

/** PATCH /api/runs/[id] {"name"?, "tags"?, "note"?, "starred"?, "hidden"?}: the run's annotation after the change. */
export const PATCH = withApi(async (request: Request, context: { params: Promise<{ id: string }> }) => {
  const id = await runIdFrom(context);
  const patch = await parseBody(runAnnotationPatch, request);
  const [annotation] = await annotateRuns([id], patch);
  return jsonOut(runAnnotationResponse, annotation!, request);
});
