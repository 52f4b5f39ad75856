import { BadRequestError, withApi } from '@/lib/api/errors';
import { parseQuery } from '@/lib/api/params';
import { csvOut, jsonOut } from '@/lib/api/respond';
import { scalarPointsResponse, scalarsQuery, scalarTagsCsvRecords, scalarTagsResponse } from '@/lib/api/schemas/scalars';
import { getScalarPoints, getScalarTags } from '@/lib/queries/scalars';
import { scalarPointsCsv, scalarPointsJson, selectScalarPoints } from '@/lib/views/scalar-points';
import { runIdFrom } from '../params';

export const dynamic = 'force-dynamic';

/** GET /api/runs/[id]/scalars: the run's tags; with ?tag= (and ?dir=) that tag's points, every one or ?points=N of them. */
export const GET = withApi(async (request: Request, context: { params: Promise<{ id: string }> }) => {
  const id = await runIdFrom(context);
  const { dir, tag, points: maxPoints, format } = parseQuery(scalarsQuery, new URL(request.url).searchParams);
  if (tag === undefined) {
    if (dir !== '') throw new BadRequestError('tag: expected the tag to read in dir ' + JSON.stringify(dir));
    const tags = await getScalarTags(id);
    if (format === 'csv') return csvOut(`thaw-run-${id}-scalars`, scalarTagsCsvRecords(tags), request);
    return jsonOut(scalarTagsResponse, tags, request);
  }
  const { count, points, axis } = await getScalarPoints(id, dir, tag);
  const selected = selectScalarPoints(points, maxPoints);
  if (format === 'csv') return csvOut(`thaw-run-${id}-${fileSafe(dir ? `${dir}-${tag}` : tag)}`, scalarPointsCsv(selected, axis), request);
  return jsonOut(scalarPointsResponse, { runId: id, dir, tag, count, points: scalarPointsJson(selected) }, request);
});

/** A tag as part of a file name: letters, digits, '.', '-', '_' kept, the rest '_'. */
function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);
}
