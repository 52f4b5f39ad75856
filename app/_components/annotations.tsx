'use client';
// Annotation editing: the run page's editor (name, tags, note, star, hide) and the pieces the
// runs table uses (star toggle, tag chips). Every change is shown at once (optimistic), sent as JSON,
// and rolled back with a visible error if the server refuses it.
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import type { Annotation, RunAnnotationResponse, TaskEpisodes } from '@/lib/api/schemas/annotations';

/** Sends a JSON write; the server's error message (or the network's) as an Error. */
export async function sendJson<T>(method: 'PATCH' | 'POST' | 'PUT', url: string, body: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  } catch {
    throw new Error('Thaw is not reachable; nothing was saved');
  }
  const payload = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
  if (!response.ok) throw new Error(payload?.error?.message ?? `the server answered ${response.status}; nothing was saved`);
  return payload as T;
}

export function StarButton({ starred, onToggle, label }: { starred: boolean; onToggle: () => void; label: string }) {
  return (
    <button
      type="button"
      className={`star ${starred ? 'on' : ''}`}
      aria-pressed={starred}
      aria-label={`${starred ? 'unstar' : 'star'} ${label}`}
      title={starred ? 'starred (click to unstar)' : 'star'}
      onClick={onToggle}
      data-testid="star"
    >
      {starred ? '★' : '☆'}
    </button>
  );
}

export function TagChips({ tags, onRemove }: { tags: readonly string[]; onRemove?: (tag: string) => void }) {
  if (tags.length === 0) return null;
  return (
    <span className="chips" data-testid="tags">
      {tags.map((tag) => (
        <span key={tag} className="chip" data-testid="tag">
          <a href={`/?tag=${encodeURIComponent(tag)}`} title={`runs tagged ${tag}`}>
            {tag}
          </a>
          {onRemove && (
            <button type="button" aria-label={`remove tag ${tag}`} onClick={() => onRemove(tag)}>
              ×
            </button>
          )}
        </span>
      ))}
    </span>
  );
}

/** A one-line input that hands its (comma-separated) tags over on Enter or the button. */
export function TagInput({
  onAdd,
  buttonLabel = 'Add tag',
  testId = 'tag-input',
}: {
  onAdd: (tags: string[]) => void;
  buttonLabel?: string;
  testId?: string;
}) {
  const [text, setText] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const tags = text
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    if (tags.length === 0) return;
    onAdd(tags);
    setText('');
  };
  return (
    <form className="tag-input" onSubmit={submit}>
      <input
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder="tag"
        maxLength={200}
        aria-label="new tag"
        data-testid={testId}
      />
      <button type="submit" className="button secondary small">
        {buttonLabel}
      </button>
    </form>
  );
}

/** The run page's annotation editor. */
export function RunAnnotationEditor({ runId, initial }: { runId: number; initial: Annotation }) {
  const [saved, setSaved] = useState<Annotation>(initial);
  const [shown, setShown] = useState<Annotation>(initial);
  const [name, setName] = useState(initial.name ?? '');
  const [note, setNote] = useState(initial.note ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const router = useRouter();

  const save = async (patch: Partial<Annotation>) => {
    const previous = shown;
    setShown({ ...shown, ...patch });
    setError(null);
    setBusy(true);
    try {
      const result = await sendJson<RunAnnotationResponse>('PATCH', `/api/runs/${runId}`, patch);
      const { id: _id, ...annotation } = result;
      setSaved(annotation);
      setShown(annotation);
      if ('name' in patch) setName(annotation.name ?? '');
      if ('note' in patch) setNote(annotation.note ?? '');
      router.refresh();
    } catch (failure) {
      setShown(previous);
      if ('name' in patch) setName(previous.name ?? '');
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="annotation-editor" data-testid="annotation-editor">
      <div className="annotation-row">
        <StarButton starred={shown.starred} label={`run ${runId}`} onToggle={() => void save({ starred: !shown.starred })} />
        <form
          className="name-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (name.trim() !== (saved.name ?? '')) void save({ name });
          }}
        >
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            onBlur={() => {
              if (name.trim() !== (saved.name ?? '')) void save({ name });
            }}
            placeholder="name this run"
            aria-label="run name"
            maxLength={240}
            data-testid="run-name"
          />
        </form>
        <TagChips tags={shown.tags} onRemove={(tag) => void save({ tags: shown.tags.filter((t) => t !== tag) })} />
        <TagInput onAdd={(tags) => void save({ tags: [...shown.tags, ...tags] })} />
        <button
          type="button"
          className={`button small ${shown.hidden ? '' : 'secondary'}`}
          aria-pressed={shown.hidden}
          onClick={() => void save({ hidden: !shown.hidden })}
          data-testid="hide-run"
          title="hidden runs are left out of the runs table, compare and strategies unless you ask for them"
        >
          {shown.hidden ? 'Hidden — unhide' : 'Hide'}
        </button>
        {busy && <span className="muted small">saving…</span>}
      </div>
      <div className="note-row">
        <textarea
          value={note}
          onChange={(e) => setNote(e.target.value)}
          placeholder="Notes: what this run taught you"
          aria-label="note"
          rows={note.split('\n').length > 2 ? Math.min(12, note.split('\n').length + 1) : 2}
          data-testid="run-note"
        />
        <button
          type="button"
          className="button secondary small"
          disabled={note.trim() === (saved.note ?? '')}
          onClick={() => void save({ note })}
          data-testid="save-note"
        >
          Save note
        </button>
      </div>
      {error && (
        <p className="error-note small" role="alert" data-testid="annotation-error">
          Not saved: {error}
        </p>
      )}
    </div>
  );
}

/** The strategies page's per-task episode count (PUT /api/tasks/[id]). */
export function TaskEpisodesForm({ taskId, episodes }: { taskId: number; episodes: number | null }) {
  const [value, setValue] = useState(episodes === null ? '' : String(episodes));
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const router = useRouter();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      const text = value.trim();
      await sendJson<TaskEpisodes>('PUT', `/api/tasks/${taskId}`, { episodes: text === '' ? null : Number(text) });
      router.refresh();
    } catch (failure) {
      setValue(episodes === null ? '' : String(episodes));
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setSaving(false);
    }
  };
  return (
    <form className="episodes-form" onSubmit={(event) => void submit(event)} data-testid="episodes-form">
      <label>
        task{taskId} episodes{' '}
        <input
          type="number"
          min={1}
          step={1}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder="e.g. 800"
          data-testid="episodes-input"
        />
      </label>
      <button type="submit" className="button secondary small" disabled={saving}>
        {saving ? 'Saving…' : 'Save'}
      </button>
      {error && (
        <span className="error-note small" role="alert">
          Not saved: {error}
        </span>
      )}
    </form>
  );
}
