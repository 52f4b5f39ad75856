// The compare view as one self-contained HTML file: title, date, which runs and
// filters, the charts as embedded PNG data URIs, the summary table with verdicts, the runs, notes, and
// the config diff with its confounder warning. Pure: the page collects the chart images and calls it.
//
// Self-contained means: inline CSS only, no script, no <link>, no external URL of any kind — a chart
// image that is not a PNG data URI is left out (said so in its place), and a Content-Security-Policy
// meta tag forbids the browser from fetching anything but data: images. Every text from the data
// (run names, tags, notes, task names, config values) is HTML-escaped.
import type { CompareResponse } from '../api/schemas/compare';
import { fmt, pct } from '../analysis/format';
import { summaryTable } from './summary-table';

export interface ReportChart {
  title: string;
  /** A `data:image/png;base64,…` URI (anything else is left out). */
  dataUrl: string;
  /** The facet's one line under its chart (another axis, runs left out); lib/views/facet-axis.ts. */
  note?: string | null;
}

/** A run as the report lists it; the annotation fields (name, tags, note) are optional. */
export interface ReportRun {
  id: number;
  taskId: number | null;
  taskName: string | null;
  status: string;
  strategyLabel: string;
  verdict: string;
  name?: string | null;
  tags?: readonly string[];
  note?: string | null;
}

export interface CompareReportInput {
  title: string;
  /** When the report was made (ISO 8601). */
  generatedAt: string;
  /** What was in view: "runs: #1, #2", "task: 1", "mode: by strategy"… as label/value pairs. */
  filters: readonly { label: string; value: string }[];
  data: Pick<CompareResponse, 'query' | 'facets' | 'summary' | 'notes' | 'configDiff'> & { runs: readonly ReportRun[] };
  charts: readonly ReportChart[];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text → HTML text or attribute value (the five characters that matter, everywhere). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const PNG_DATA_URL = /^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/;

/** Whether a chart image may be embedded: a base64 PNG data URI and nothing else. */
export function isPngDataUrl(url: string): boolean {
  return PNG_DATA_URL.test(url);
}

const VERDICT_TEXT: Record<string, string> = {
  overfitting: 'overfitting',
  watch: 'watch',
  diverged: 'diverged',
  ok: 'ok',
  insufficient: 'too few points',
};

const loss = (value: number | null | undefined) => (value === null || value === undefined ? '–' : fmt(value));
const ratio = (value: number | null | undefined) =>
  value === null || value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(2)}×`;
const e = escapeHtml;

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1d2330;background:#f6f7f9;margin:0;padding:24px}
main{max-width:1200px;margin:0 auto;background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:24px 28px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #eceff3;padding-bottom:4px}
.muted{color:#5d6677}.small{font-size:12px}.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
dl.filters{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:12px 0}dl.filters dt{color:#5d6677}dl.filters dd{margin:0}
table{border-collapse:collapse;width:100%;margin:6px 0 10px}th,td{border-bottom:1px solid #eceff3;padding:5px 8px;text-align:left;vertical-align:top}
th{font-size:12px;color:#5d6677;font-weight:600;background:#fafbfc}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.winner{font-weight:700;color:#17803f}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:baseline}
.badge{display:inline-block;font-size:11.5px;font-weight:600;padding:1px 7px;border-radius:10px;border:1px solid transparent;white-space:nowrap;margin-right:4px}
.verdict-ok{background:#e6f6ec;color:#17803f;border-color:#bfe6cd}.verdict-watch{background:#fff6dd;color:#8a6100;border-color:#f1dc9f}
.verdict-overfitting{background:#fde8e8;color:#b42323;border-color:#f4c0c0}.verdict-diverged{background:#3a1010;color:#fff}
.verdict-insufficient{background:#eef0f3;color:#5d6677;border-color:#dde1e7}
.tag{display:inline-block;font-size:11.5px;padding:0 6px;border-radius:8px;background:#e8efff;color:#2f4fb5;margin:0 3px 2px 0}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:16px}
figure{margin:0;border:1px solid #eceff3;border-radius:6px;padding:8px}figure img{width:100%;height:auto;display:block}
figcaption{font-weight:600;margin-bottom:6px}
.warning{background:#fff3f3;border:1px solid #f4c0c0;color:#b42323;border-radius:6px;padding:8px 12px}
tr.confounder td{background:#fff8f8}
ul.notes{padding-left:20px;color:#5d6677}
footer{margin-top:28px;color:#5d6677;font-size:12px}
@media print{body{background:#fff;padding:0}main{border:0}}
`;

function filtersHtml(input: CompareReportInput): string {
  const rows = input.filters.filter((f) => f.value !== '');
  if (rows.length === 0) return '';
  return `<dl class="filters">${rows.map((f) => `<dt>${e(f.label)}</dt><dd>${e(f.value)}</dd>`).join('')}</dl>`;
}

/** The charts, then each facet that has none with the line that says why. */
function chartsHtml(charts: readonly ReportChart[], facets: CompareReportInput['data']['facets']): string {
  const without = facets.filter((f) => f.x === null);
  const none = without.map((f) => `<li><strong>${e(f.label)}</strong>: ${e(f.note ?? 'no chart')}</li>`).join('');
  const withoutHtml = none ? `<ul class="small">${none}</ul>` : '';
  if (charts.length === 0) return `<p class="muted">No charts were in view.</p>${withoutHtml}`;
  const figures = charts.map((chart) => {
    const body = isPngDataUrl(chart.dataUrl)
      ? `<img src="${chart.dataUrl}" alt="${e(chart.title)}">`
      : '<p class="muted small">(this chart could not be captured as an image)</p>';
    const note = chart.note ? `<p class="muted small">${e(chart.note)}</p>` : '';
    return `<figure><figcaption>${e(chart.title)}</figcaption>${body}${note}</figure>`;
  });
  return `<div class="charts">${figures.join('')}</div>${withoutHtml}`;
}

function verdictBadges(verdicts: Record<string, number>, n: number): string {
  return Object.entries(verdicts)
    .filter(([, count]) => count > 0)
    .map(
      ([verdict, count]) =>
        `<span class="badge verdict-${e(verdict)}" title="${e(`${count} of ${n} runs`)}">${e(VERDICT_TEXT[verdict] ?? verdict)}</span>×${count} `,
    )
    .join('');
}

function summaryHtml(data: CompareReportInput['data']): string {
  if (data.summary.length === 0) return '<p class="muted">No summary: no run in view has loss data yet.</p>';
  const { rows, facetLabel, isWinner } = summaryTable(data);
  const body = rows.map((s) => {
    const winner = isWinner(s);
    const range = s.bestVal.count > 1 ? ` <span class="muted small">[${loss(s.bestVal.min)}–${loss(s.bestVal.max)}]</span>` : '';
    return `<tr>
<td>${data.query.pool ? '<span class="muted">pooled</span>' : e(facetLabel.get(s.facet) ?? '–')}</td>
<td><span class="swatch" style="background:${e(s.color)}"></span>${e(s.label)}${s.notApplied > 0 ? ` <span class="muted small">(${s.notApplied} not applied)</span>` : ''}</td>
<td class="num">${s.n}</td>
<td class="num${winner ? ' winner' : ''}">${loss(s.bestVal.mean)}${range} <span class="muted">(${s.bestValEpoch ?? 'final'})</span></td>
<td class="num">${loss(s.finalTrain)}</td><td class="num">${loss(s.finalVal)}</td><td class="num">${ratio(s.gap)}</td>
<td>${verdictBadges(s.verdicts, s.n)}</td>
<td class="num">${pct(s.overfittingShare)}</td>
<td class="num">${s.forgetting.count === 0 ? '–' : `${loss(s.forgetting.mean)} <span class="muted small">(n=${s.forgetting.count})</span>`}</td>
<td class="small">${s.runIds.map((id) => `#${id}`).join(', ')}</td>
</tr>`;
  });
  return `<table class="summary"><thead><tr><th>Task</th><th>Strategy</th><th class="num">n</th><th class="num">Best val (epoch)</th>
<th class="num">Final train</th><th class="num">Final val</th><th class="num">Gap</th><th>Verdicts</th><th class="num">Overfitting</th>
<th class="num">Forgetting</th><th>Runs</th></tr></thead><tbody>${body.join('')}</tbody></table>`;
}

function runsHtml(runs: readonly ReportRun[]): string {
  if (runs.length === 0) return '<p class="muted">No runs match.</p>';
  const annotated = runs.some((r) => r.name || (r.tags && r.tags.length > 0) || r.note);
  const head = `<tr><th class="num">Run</th>${annotated ? '<th>Name</th>' : ''}<th>Task</th><th>Strategy</th><th>Status</th><th>Verdict</th>${annotated ? '<th>Tags</th><th>Note</th>' : ''}</tr>`;
  const body = runs.map((r) => {
    const task = r.taskId === null ? '–' : `task ${r.taskId}${r.taskName ? ` (${e(r.taskName)})` : ''}`;
    const badge = `<span class="badge verdict-${e(r.verdict)}">${e(VERDICT_TEXT[r.verdict] ?? r.verdict)}</span>`;
    const extra = annotated
      ? {
          name: `<td>${e(r.name ?? '')}</td>`,
          tail: `<td>${(r.tags ?? []).map((t) => `<span class="tag">${e(t)}</span>`).join('')}</td><td class="small">${e(r.note ?? '')}</td>`,
        }
      : { name: '', tail: '' };
    return `<tr><td class="num">#${r.id}</td>${extra.name}<td>${task}</td><td>${e(r.strategyLabel)}</td><td>${e(r.status)}</td><td>${badge}</td>${extra.tail}</tr>`;
  });
  return `<table class="runs"><thead>${head}</thead><tbody>${body.join('')}</tbody></table>`;
}

function configDiffHtml(diff: CompareReportInput['data']['configDiff']): string {
  if (diff.runIds.length < 2) return '<p class="muted">One run in view: nothing to compare configs with.</p>';
  const warning = diff.warning ? `<p class="warning" data-testid="confounder-warning">⚠ ${e(diff.warning)}.</p>` : '';
  if (diff.rows.length === 0) return `${warning}<p class="muted">The runs in view share every config key Thaw knows of.</p>`;
  const head = `<tr><th>Key</th>${diff.runIds.map((id) => `<th class="num">#${id}</th>`).join('')}</tr>`;
  const body = diff.rows.map(
    (row) =>
      `<tr${row.confounder ? ' class="confounder"' : ''}><td class="mono small">${e(row.key)}${row.confounder ? ' <span class="small" style="color:#b42323">· changes the loss</span>' : ''}</td>${row.values
        .map((v) => `<td class="mono small num">${e(v ?? '–')}</td>`)
        .join('')}</tr>`,
  );
  return `${warning}<table class="config-diff"><thead>${head}</thead><tbody>${body.join('')}</tbody></table>`;
}

/** ["thaw-compare", "runs 1,2", "task 1 (pick)"], "png" → "thaw-compare-runs-1-2-task-1-pick.png": a safe file name. */
export function fileName(parts: readonly (string | number | null | undefined)[], extension: string): string {
  const base = parts
    .filter((p) => p !== null && p !== undefined && p !== '')
    .map((p) =>
      String(p)
        .normalize('NFKD')
        .replace(/[^\w.-]+/g, '-')
        .replace(/\.{2,}/g, '.')
        .replace(/-+/g, '-')
        .replace(/^[-.]+|[-.]+$/g, ''),
    )
    .filter(Boolean)
    .join('-')
    .slice(0, 120);
  return `${base || 'thaw'}.${extension}`;
}

/** The report: one HTML document that needs nothing but itself. */
export function compareReportHtml(input: CompareReportInput): string {
  const { data } = input;
  const notes = data.notes.length > 0 ? `<ul class="notes">${data.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>` : '';
  const date = input.generatedAt.slice(0, 16).replace('T', ' ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(input.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${e(input.title)}</h1>
<p class="muted">Made with Thaw on ${e(date)} UTC · ${data.runs.length} run${data.runs.length === 1 ? '' : 's'} · ${input.charts.length} chart${input.charts.length === 1 ? '' : 's'}</p>
${filtersHtml(input)}
<h2>Loss curves</h2>
<p class="muted small">Training loss solid, validation dashed; one colour per strategy. ◆ best validation · ▲ overfitting began.</p>
${chartsHtml(input.charts, data.facets)}
${notes}
<h2>Summary</h2>
${summaryHtml(data)}
<h2>Runs</h2>
${runsHtml(data.runs)}
<h2>Config differences</h2>
${configDiffHtml(data.configDiff)}
<footer>A static report: the numbers are those Thaw showed when it was made.</footer>
</main>
</body>
</html>
`;
}
