'use client';
// The run's whole Hydra config: a searchable tree (keys and values), and "copy as YAML".
import { useMemo, useState } from 'react';
import { stringify } from 'yaml';
import { ScrollBox } from './scroll-box';

type Leaf = { path: string; value: string };

function flatten(node: unknown, prefix: string, out: Leaf[]): void {
  if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
    const entries = Object.entries(node as Record<string, unknown>);
    if (entries.length === 0) out.push({ path: prefix, value: '{}' });
    for (const [key, value] of entries) flatten(value, prefix === '' ? key : `${prefix}.${key}`, out);
    return;
  }
  out.push({
    path: prefix,
    value: Array.isArray(node) ? `[${node.map((item) => JSON.stringify(item)).join(', ')}]` : JSON.stringify(node),
  });
}

export function ConfigView({ tree, overrides }: { tree: Record<string, unknown>; overrides: string[] }) {
  const [query, setQuery] = useState('');
  const [copied, setCopied] = useState(false);
  const leaves = useMemo(() => {
    const out: Leaf[] = [];
    flatten(tree, '', out);
    return out;
  }, [tree]);
  const needle = query.trim().toLowerCase();
  const shown =
    needle === '' ? leaves : leaves.filter((leaf) => leaf.path.toLowerCase().includes(needle) || leaf.value.toLowerCase().includes(needle));
  const overridden = new Set(overrides.map((o) => o.replace(/^[+~]+/, '').split('=')[0]));
  const copy = async () => {
    await navigator.clipboard?.writeText(stringify(tree));
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <div className="config-view" data-testid="config-view">
      <div className="config-toolbar">
        <input
          type="search"
          placeholder="Search keys and values…"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          aria-label="Search the config"
        />
        <button type="button" className="button secondary small" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy as YAML'}
        </button>
        <span className="muted small">
          {shown.length} of {leaves.length} keys
        </span>
      </div>
      {overrides.length > 0 && (
        <p className="small">
          Overrides: <span className="mono">{overrides.join(' ')}</span>
        </p>
      )}
      <ScrollBox label="config" limited>
        <table className="compact config-tree">
          <tbody>
            {shown.map((leaf) => (
              <tr key={leaf.path} className={overridden.has(leaf.path) ? 'winner' : undefined}>
                <td className="mono small">
                  {leaf.path}
                  {overridden.has(leaf.path) && <span className="muted"> · override</span>}
                </td>
                <td className="mono small">{leaf.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
    </div>
  );
}
