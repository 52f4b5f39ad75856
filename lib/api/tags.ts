// Run tags: the one rule for what a tag is and how a run's tag list changes. Pure; used by the API
// schemas (validation), the annotation writes (lib/annotations/write.ts: bulk add/remove) and the runs
// table's optimistic view; tested by one table of cases.

/** Longest tag, in characters. */
export const TAG_MAX_LENGTH = 40;
/** Most tags one run carries. */
export const TAGS_PER_RUN = 20;

/**
 * A tag as stored: Unicode NFC, trimmed, inner whitespace collapsed to one space, lower-case (so
 * "Baseline" and " baseline " are one tag). May come back empty or too long: the caller rejects those.
 */
export function normalizeTag(tag: string): string {
  return tag.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Why a normalized tag is not acceptable, or null. ',' and '|' separate tags in query strings. */
export function tagProblem(tag: string): string | null {
  if (tag === '') return 'a non-empty tag';
  if ([...tag].length > TAG_MAX_LENGTH) return `a tag of at most ${TAG_MAX_LENGTH} characters`;
  if (/[,|]/.test(tag)) return 'a tag without "," or "|"';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(tag)) return 'a tag without control characters';
  return null;
}

/** Normalized and deduplicated, first occurrence first. */
export function uniqueTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map(normalizeTag))];
}

/** A run's tags after a change: `set` replaces the list, then `add` appends new ones, `remove` drops. */
export function changeTags(
  current: readonly string[],
  change: { set?: readonly string[]; add?: readonly string[]; remove?: readonly string[] },
): string[] {
  const removed = new Set(uniqueTags(change.remove ?? []));
  return uniqueTags([...(change.set ?? current), ...(change.add ?? [])]).filter((tag) => !removed.has(tag));
}
