// The runs filter bar: a plain GET form, so filters live in the URL and work without JavaScript.
import { RUN_STATUSES, VERDICTS } from '@/lib/api/schemas/common';

export interface FilterOptions {
  tasks: { id: number; name: string | null; count?: number }[];
  strategies: { key: string; label: string; count?: number }[];
  /** Runs per status and verdict under the other filters (absent: no counts shown). */
  statusCounts?: Record<string, number>;
  verdictCounts?: Record<string, number>;
  /** Annotations: runs per tag, starred/unstarred, and how many hidden runs match the other filters. */
  tagCounts?: { value: string; count: number }[];
  starredCounts?: { starred: number; unstarred: number };
  hiddenCount?: number;
}

/** "label (1,234)" when a count is known; a value no run has shows (0). */
function counted(label: string, count: number | undefined, known: boolean): string {
  if (!known) return label;
  return `${label} (${(count ?? 0).toLocaleString('en-US')})`;
}

export interface FilterValues {
  task?: number[];
  strategy?: string[];
  status?: string[];
  verdict?: string[];
  q?: string;
  tag?: string[];
  starred?: boolean;
  hidden?: 'exclude' | 'include' | 'only';
}

export function RunFilters({
  action,
  options,
  values,
  extra = {},
}: {
  action: string;
  options: FilterOptions;
  values: FilterValues;
  extra?: Record<string, string>;
}) {
  return (
    <form className="filters" method="get" action={action} data-testid="filters">
      {Object.entries(extra).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <label>
        Task
        <select name="task" defaultValue={values.task?.[0]?.toString() ?? ''}>
          <option value="">all</option>
          {options.tasks.map((t) => (
            <option key={t.id} value={t.id}>
              {counted(`task${t.id} ${t.name ?? ''}`.trim(), t.count, t.count !== undefined)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Strategy
        <select name="strategy" defaultValue={values.strategy?.[0] ?? ''}>
          <option value="">all</option>
          {options.strategies.map((s) => (
            <option key={s.key} value={s.key}>
              {counted(s.label, s.count, s.count !== undefined)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Status
        <select name="status" defaultValue={values.status?.[0] ?? ''}>
          <option value="">all</option>
          {RUN_STATUSES.map((s) => (
            <option key={s} value={s}>
              {counted(s, options.statusCounts?.[s], options.statusCounts !== undefined)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Verdict
        <select name="verdict" defaultValue={values.verdict?.[0] ?? ''}>
          <option value="">all</option>
          {VERDICTS.map((v) => (
            <option key={v} value={v}>
              {counted(v, options.verdictCounts?.[v], options.verdictCounts !== undefined)}
            </option>
          ))}
        </select>
      </label>
      {options.tagCounts !== undefined && (
        <label>
          Tag
          <select name="tag" defaultValue={values.tag?.[0] ?? ''} data-testid="filter-tag">
            <option value="">all</option>
            {values.tag?.[0] !== undefined && !options.tagCounts.some((t) => t.value === values.tag?.[0]) && (
              <option value={values.tag[0]}>{counted(values.tag[0], 0, true)}</option>
            )}
            {options.tagCounts.map((t) => (
              <option key={t.value} value={t.value}>
                {counted(t.value, t.count, true)}
              </option>
            ))}
          </select>
        </label>
      )}
      {options.starredCounts !== undefined && (
        <label>
          Starred
          <select name="starred" defaultValue={values.starred === undefined ? '' : values.starred ? '1' : '0'} data-testid="filter-starred">
            <option value="">all</option>
            <option value="1">{counted('★ starred', options.starredCounts.starred, true)}</option>
            <option value="0">{counted('not starred', options.starredCounts.unstarred, true)}</option>
          </select>
        </label>
      )}
      {options.hiddenCount !== undefined && (
        <label className="checkbox" title="hidden runs are left out unless you ask for them">
          <input
            type="checkbox"
            name="hidden"
            value="include"
            defaultChecked={values.hidden === 'include' || values.hidden === 'only'}
            data-testid="filter-hidden"
          />
          show hidden ({options.hiddenCount.toLocaleString('en-US')})
        </label>
      )}
      <label className="grow">
        Search
        <input type="search" name="q" defaultValue={values.q ?? ''} placeholder="task name, path, strategy…" />
      </label>
      <button type="submit">Apply</button>
      <a href={action} className="muted">
        clear
      </a>
    </form>
  );
}
