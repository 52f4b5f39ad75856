'use client';
// The compare page's y: the loss pair (training solid, validation dashed), or any TensorBoard scalar
// tag the runs in view have, drawn per run or as each strategy's mean over the runs that have it.
import type { CompareResponse } from '@/lib/api/schemas/compare';
import { scalarChoice, scalarChoiceChange } from '@/lib/views/compare-page';

export function ScalarChooser({ data, navigate }: { data: CompareResponse; navigate: (changes: Record<string, string | null>) => void }) {
  const tags = data.scalarTags ?? [];
  const value = scalarChoice(data.query.scalar);
  if (tags.length === 0 && value === '') return null;
  const runs = data.runs.length;
  return (
    <label className="select" title="draw any TensorBoard scalar of these runs instead of the losses">
      Y{' '}
      <select
        value={value}
        onChange={(e) => navigate({ ...scalarChoiceChange(e.target.value), xmin: null, xmax: null })}
        data-testid="compare-scalar"
      >
        <option value="">losses (train · validation)</option>
        {tags.map((t) => (
          <option key={`${t.dir}//${t.tag}`} value={`${t.dir}//${t.tag}`}>
            {t.dir === '' ? t.tag : `${t.dir}/${t.tag}`} ({t.runs}/{runs} runs)
          </option>
        ))}
      </select>
    </label>
  );
}
