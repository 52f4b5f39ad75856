// Query-string parsing for the API and the pages: one zod schema per resource (lib/api/schemas),
// and a bad value fails with a 400 naming the parameter and the form it expects, in the same
// wording as Thaw's env and CLI errors ("points: expected a whole number from 4 to 10000 (got "x")").
import type { z } from 'zod';
import { formatIssues } from '../env';
import { BadRequestError } from './errors';

/**
 * URLSearchParams (or a Next `searchParams` object) → a plain object. Repeated keys are joined with
 * '|' (lists accept ',' or '|'; strategy keys such as "12:0,2,5-11" contain commas, so they split on '|').
 */
export function queryObject(source: URLSearchParams | Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (key: string, value: string) => {
    if (value === '') return; // `?task=` means "no filter", like an unset variable
    out[key] = out[key] === undefined ? value : `${out[key]}|${value}`;
  };
  if (source instanceof URLSearchParams) {
    for (const [key, value] of source) add(key, value);
  } else {
    for (const [key, value] of Object.entries(source)) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) add(key, item);
    }
  }
  return out;
}

export function parseQuery<T extends z.ZodType>(
  schema: T,
  source: URLSearchParams | Record<string, string | string[] | undefined>,
): z.infer<T> {
  const raw = queryObject(source);
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  // An issue inside a list ("task.1") is reported against the parameter itself ("task").
  const issues = result.error.issues.map((issue) => ({ ...issue, path: issue.path.slice(0, 1) }));
  throw new BadRequestError(formatIssues(issues, (path) => path, raw));
}

/** Like parseQuery, but for pages: bad values fall back to the defaults instead of failing the page. */
export function parseQueryOrDefault<T extends z.ZodType>(
  schema: T,
  source: Record<string, string | string[] | undefined>,
): { value: z.infer<T>; error: string | null } {
  try {
    return { value: parseQuery(schema, source), error: null };
  } catch (error) {
    if (!(error instanceof BadRequestError)) throw error;
    return { value: schema.parse({}), error: error.message };
  }
}

/** Largest JSON body a write accepts (a bulk change of 1,000 runs with 20 tags each is ~0.1 MB). */
const MAX_BODY_BYTES = 1_000_000;

/**
 * A JSON request body through its schema: not JSON, or not what the schema wants, is a 400 whose
 * message names each bad field ("tags.2: expected a tag of at most 40 characters (got …)").
 */
export async function parseBody<T extends z.ZodType>(schema: T, request: Request): Promise<z.infer<T>> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) throw new BadRequestError(`body: expected at most ${MAX_BODY_BYTES / 1e6} MB of JSON`);
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw new BadRequestError(`body: expected at most ${MAX_BODY_BYTES / 1e6} MB of JSON`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new BadRequestError('body: expected a JSON object');
  }
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue): z.core.$ZodIssue[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ ...issue, path: [...issue.path, key], message: `no field ${JSON.stringify(key)}: ${issue.message}` }))
      : [issue],
  );
  const valueAt = (path: string) =>
    path
      .split('.')
      .reduce<unknown>(
        (value, part) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined),
        raw,
      );
  const given = Object.fromEntries(issues.map((issue) => [issue.path.join('.'), valueAt(issue.path.join('.'))]));
  for (const [key, value] of Object.entries(given))
    if (typeof value === 'string' && value.length > 60) given[key] = `${value.slice(0, 60)}…`;
  throw new BadRequestError(formatIssues(issues, (path) => path || 'body', given));
}
