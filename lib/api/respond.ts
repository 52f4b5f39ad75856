// Responses on the way out: JSON is parsed by the resource's zod schema first (a response that does
// not match its schema is a bug and becomes a 500 in errors.ts); CSV is RFC 4180 with a header row.
import type { z } from 'zod';
import { sharedCache } from '../cache';

/**
 * Cache-Control for API responses. A client on this machine gets them uncompressed (`no-transform`
 * tells Next's gzip to leave them alone): gzipping a 2 MB compare response costs ~150 ms of CPU to
 * save a transfer that takes no time on loopback. Remote clients (THAW_HOST beyond loopback) get gzip.
 */
function cacheControl(request?: Request): string {
  const host = request ? new URL(request.url).hostname || request.headers.get('host') || '' : '';
  const loopback = host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');
  return loopback ? 'no-store, no-transform' : 'no-store';
}

export function jsonOut<T extends z.ZodType>(schema: T, data: z.input<T>, request?: Request): Response {
  const body = schema.parse(data);
  return Response.json(body, { headers: { 'Cache-Control': cacheControl(request) } });
}

/** Validated JSON bodies of versioned responses (versionedJsonOut), bounded by bytes held. */
const bodies = sharedCache<Buffer<ArrayBuffer>, string>('api-json-bodies', 32 * 1024 * 1024);

/**
 * jsonOut for a body that depends on nothing but `key` (the route and its parsed query) and the
 * database rows that `version` digests: the validated JSON is kept, and served again while both are
 * the same, without loading, checking or writing it again. `version` must be read BEFORE `load`
 * runs, so a body is never kept under a version older than the data it was made from.
 */
export async function versionedJsonOut<T extends z.ZodType>(
  schema: T,
  key: string,
  version: string,
  load: () => Promise<z.input<T>>,
  options: {
    request?: Request;
    /** jsonBytes for bodies made of frozen payloads (compare); JSON.stringify, faster on plain objects, otherwise. */
    write?: (body: unknown) => Buffer<ArrayBuffer>;
  } = {},
): Promise<Response> {
  const { request, write = (value) => Buffer.from(JSON.stringify(value), 'utf8') } = options;
  let body = bodies.get(key, version);
  if (body === undefined) {
    body = write(schema.parse(await load()));
    bodies.set(key, version, body, body.byteLength);
  }
  return new Response(body, { headers: { 'Content-Type': 'application/json', 'Cache-Control': cacheControl(request) } });
}

type CsvValue = string | number | boolean | null | undefined;

function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' && !Number.isFinite(value) ? String(value) : String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Records → CSV text; the columns are the first record's keys (every record has the same keys). */
export function toCsv(records: readonly Record<string, CsvValue>[], columns?: readonly string[]): string {
  const header = columns ?? Object.keys(records[0] ?? {});
  const lines = [header.map(csvField).join(',')];
  for (const record of records) lines.push(header.map((column) => csvField(record[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function csvOut(filename: string, records: readonly Record<string, CsvValue>[], request?: Request): Response {
  return new Response(toCsv(records), {
    headers: {
      'Cache-Control': cacheControl(request),
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${filename}.csv"`,
    },
  });
}

/** CSV text → records (for tests and round trips): RFC 4180, empty fields are null. */
export function parseCsv(text: string): Record<string, string | null>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = () => {
    row.push(field);
    field = '';
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i += 1;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      endField();
      rows.push(row);
      row = [];
    } else field += c;
    i += 1;
  }
  if (field !== '' || row.length > 0) {
    endField();
    rows.push(row);
  }
  const [header, ...body] = rows;
  if (!header) return [];
  return body.map((cells) =>
    Object.fromEntries(header.map((name, k) => [name, cells[k] === '' || cells[k] === undefined ? null : cells[k]])),
  );
}
