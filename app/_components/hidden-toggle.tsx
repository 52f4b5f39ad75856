// "N hidden runs left out · show them" (compare, strategies): hidden runs stay out unless asked, and
// asking is a visible link that sets `hidden=include` in the URL (and takes it out again).
import { queryObject } from '@/lib/api/params';

export function HiddenToggle({
  params,
  leftOut,
  included,
  path = '/compare',
}: {
  params: Record<string, string | string[] | undefined>;
  /** Hidden runs the filters would match, left out; null when unknown. */
  leftOut: number | null;
  included: boolean;
  path?: string;
}) {
  const next = new URLSearchParams(queryObject(params));
  if (included) next.delete('hidden');
  else next.set('hidden', 'include');
  const href = `${path}${next.toString() === '' ? '' : `?${next}`}`;
  if (included)
    return (
      <p className="muted hidden-note" data-testid="hidden-toggle">
        Hidden runs included · <a href={href}>leave them out</a>
      </p>
    );
  if (leftOut === 0) return null;
  return (
    <p className="muted hidden-note" data-testid="hidden-toggle">
      {leftOut === null ? 'Hidden runs are left out' : `${leftOut} hidden run${leftOut === 1 ? '' : 's'} left out`} ·{' '}
      <a href={href}>show hidden</a>
    </p>
  );
}
