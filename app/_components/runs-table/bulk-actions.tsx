'use client';
// The runs table's bulk actions on the selected runs: add or remove a tag, star, hide.
import type { BulkAnnotationChange } from '@/lib/views/runs-table';
import { TagInput } from '../annotations';

export function BulkActions({
  ids,
  saving,
  onChange,
}: {
  ids: readonly number[];
  saving: boolean;
  onChange: (change: BulkAnnotationChange) => Promise<void>;
}) {
  return (
    <div className="bulk-actions" data-testid="bulk-actions">
      <span>
        <strong>{ids.length}</strong> selected:
      </span>
      <TagInput buttonLabel="Add tag" testId="bulk-tag" onAdd={(tags) => void onChange({ addTags: tags })} />
      <TagInput buttonLabel="Remove tag" testId="bulk-untag" onAdd={(tags) => void onChange({ removeTags: tags })} />
      <button type="button" className="button secondary small" onClick={() => void onChange({ starred: true })}>
        ★ Star
      </button>
      <button type="button" className="button secondary small" onClick={() => void onChange({ starred: false })}>
        Unstar
      </button>
      <button type="button" className="button secondary small" onClick={() => void onChange({ hidden: true })} data-testid="bulk-hide">
        Hide
      </button>
      <button type="button" className="button secondary small" onClick={() => void onChange({ hidden: false })}>
        Unhide
      </button>
      {saving && <span className="muted small">saving…</span>}
    </div>
  );
}
