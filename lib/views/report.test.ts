import { describe, expect, it } from 'vitest';
import { compareReportHtml, escapeHtml, fileName, isPngDataUrl, type CompareReportInput, type ReportRun } from './report';

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const HOSTILE = `<img src=x onerror=alert(1)> & "quoted" 'single'`;

function run(id: number, extra: Partial<ReportRun> = {}): ReportRun {
  return { id, taskId: 1, taskName: 'pick', status: 'completed', strategyLabel: 'unfreeze last 4', verdict: 'ok', ...extra };
}

function input(overrides: Partial<CompareReportInput> = {}, data: Partial<CompareReportInput['data']> = {}): CompareReportInput {
  return {
    title: 'Compare strategies',
    generatedAt: '2026-11-30T18:00:00.000Z',
    filters: [{ label: 'runs', value: '#1, #2' }],
    charts: [{ title: 'task 1', dataUrl: PNG }],
    data: {
      query: { mode: 'group', x: 'epoch', smooth: 0.6, log: false, points: 1000, pool: false },
      facets: [
        {
          key: 't1',
          label: 'task 1 (pick)',
          taskId: 1,
          taskName: 'pick',
          datasetFrames: null,
          dataset: null,
          experiment: null,
          runIds: [1, 2],
          x: 'epoch',
          note: null,
        },
      ],
      summary: [
        {
          groupKey: 'g1',
          facet: 't1',
          taskId: 1,
          taskName: 'pick',
          datasetFrames: null,
          dataset: null,
          runIds: [1, 2],
          strategyKey: '4',
          label: 'unfreeze last 4',
          color: '#2f6fed',
          trainableLayers: 4,
          n: 2,
          notApplied: 0,
          bestVal: { mean: 0.1234, min: 0.12, max: 0.13, count: 2 },
          bestValEpoch: 12,
          finalTrain: 0.05,
          finalVal: 0.2,
          gap: 4,
          verdicts: { overfitting: 1, ok: 1, watch: 0, diverged: 0, insufficient: 0 },
          overfittingShare: 0.5,
          forgetting: { mean: null, count: 0 },
        },
      ],
      notes: [],
      configDiff: {
        runIds: [1, 2],
        rows: [{ key: 'batch_size', values: ['8', '16'], confounder: true }],
        confounders: ['batch_size'],
        warning: 'these runs differ in more than their freeze strategy: batch_size',
      },
      runs: [run(1), run(2, { verdict: 'overfitting' })],
      ...data,
    },
    ...overrides,
  };
}

/** What makes a report not self-contained (looked for inside tags and style sheets only: escaped text is no reference). */
function externalReferences(html: string): string[] {
  const found: string[] = [];
  for (const [tag] of html.matchAll(/<[a-z][^>]*>/gi)) {
    if (/^<(script|link|iframe|object|embed|base|frame)\b/i.test(tag)) found.push(tag);
    for (const m of tag.matchAll(/\s(?:src|href|action|poster|srcset|data|background)\s*=\s*["']?\s*([^"'\s>]*)/gi))
      if (!m[1]!.startsWith('data:image/png;base64,')) found.push(m[0]);
  }
  for (const [sheet] of html.matchAll(/<style>[\s\S]*?<\/style>/gi)) {
    for (const m of sheet.matchAll(/url\(|@import/gi)) found.push(m[0]);
  }
  return found;
}

describe('compareReportHtml', () => {
  const cases: { name: string; input: CompareReportInput; contains: string[]; excludes: string[] }[] = [
    {
      name: 'a full report: title, date, filters, chart image, summary, verdicts, runs, config diff and warning',
      input: input(),
      contains: [
        '<title>Compare strategies</title>',
        '2026-11-30 18:00 UTC',
        '<dt>runs</dt><dd>#1, #2</dd>',
        `<img src="${PNG}"`,
        'task 1 (pick)',
        '0.1234',
        'verdict-overfitting',
        'these runs differ in more than their freeze strategy: batch_size',
        'batch_size',
        '· changes the loss',
        '#1',
      ],
      excludes: ['<th>Tags</th>'],
    },
    {
      name: 'run names, tags and notes with <>&"\' are escaped',
      input: input({}, { runs: [run(1, { name: HOSTILE, tags: ['<b>x</b>', 'a&b'], note: `note ${HOSTILE}` }), run(2)] }),
      contains: [
        '&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quoted&quot; &#39;single&#39;',
        '&lt;b&gt;x&lt;/b&gt;',
        'a&amp;b',
        '<th>Tags</th>',
      ],
      excludes: ['<img src=x', '<b>x</b>'],
    },
    {
      name: 'title, filters, task names, strategy labels, notes and config values are escaped',
      input: input(
        { title: `Report ${HOSTILE}`, filters: [{ label: 'search', value: HOSTILE }] },
        {
          facets: [
            {
              key: 't1',
              label: `task <1>`,
              taskId: 1,
              taskName: HOSTILE,
              datasetFrames: null,
              dataset: null,
              experiment: null,
              runIds: [1],
              x: 'epoch',
              note: null,
            },
          ],
          notes: [`note </li><script>x</script>`],
          runs: [run(1, { taskName: HOSTILE, strategyLabel: '<s>' })],
          configDiff: {
            runIds: [1, 2],
            rows: [{ key: '<k>', values: ['"v"', null], confounder: false }],
            confounders: [],
            warning: `w <&>`,
          },
        },
      ),
      contains: [
        '<title>Report &lt;img',
        'task &lt;1&gt;',
        '&lt;/li&gt;&lt;script&gt;',
        '&lt;s&gt;',
        '&lt;k&gt;',
        '&quot;v&quot;',
        'w &lt;&amp;&gt;',
      ],
      excludes: ['<script>x', '<s>', '<k>'],
    },
    {
      name: 'empty: no runs, no charts, no summary',
      input: input(
        { charts: [], filters: [] },
        { runs: [], summary: [], facets: [], configDiff: { runIds: [], rows: [], confounders: [], warning: null } },
      ),
      contains: ['No charts were in view.', 'No summary', 'No runs match.', 'One run in view', '0 runs · 0 charts'],
      excludes: ['<img', '<dl'],
    },
    {
      name: 'a facet drawn on another axis carries its line; a facet with no chart is listed with why',
      input: input(
        { charts: [{ title: 'lerobot/pusht', dataUrl: PNG, note: 'By step (no epochs logged).' }] },
        {
          facets: [
            {
              key: 'd1',
              label: 'lerobot/pusht',
              taskId: null,
              taskName: null,
              datasetFrames: null,
              dataset: 'lerobot/pusht',
              experiment: null,
              runIds: [1],
              x: 'step',
              note: 'By step (no epochs logged).',
            },
            {
              key: 'd2',
              label: 'kuavo/<grasp>',
              taskId: null,
              taskName: null,
              datasetFrames: null,
              dataset: 'kuavo/<grasp>',
              experiment: null,
              runIds: [2],
              x: null,
              note: 'No chart: #2: known only from checkpoint folders (step 20,000 of 20,000), no loss logged.',
            },
          ],
        },
      ),
      contains: [
        'By step (no epochs logged).',
        '<li><strong>kuavo/&lt;grasp&gt;</strong>: No chart: #2: known only from checkpoint folders (step 20,000 of 20,000), no loss logged.</li>',
        '1 chart</p>',
      ],
      excludes: ['<grasp>'],
    },
    {
      name: 'runs sharing every config key: no diff table, no warning',
      input: input({}, { configDiff: { runIds: [1, 2], rows: [], confounders: [], warning: null } }),
      contains: ['share every config key'],
      excludes: ['class="warning"', '<table class="config-diff"'],
    },
    {
      name: 'a chart that is not a PNG data URI is left out, never linked',
      input: input({
        charts: [
          { title: 'remote', dataUrl: 'https://example.com/chart.png' },
          { title: 'svg', dataUrl: 'data:image/svg+xml;base64,PHN2Zz4=' },
          { title: 'quote', dataUrl: `${PNG}" onload="x` },
        ],
      }),
      contains: ['could not be captured'],
      excludes: ['<img', 'example.com'],
    },
  ];

  it.each(cases)('$name', ({ input: report, contains, excludes }) => {
    const html = compareReportHtml(report);
    for (const text of contains) expect(html).toContain(text);
    for (const text of excludes) expect(html).not.toContain(text);
    expect(externalReferences(html)).toEqual([]);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`default-src 'none'; img-src data:`);
  });
});

describe('escapeHtml and isPngDataUrl', () => {
  it.each([
    ['<>&"\'', '&lt;&gt;&amp;&quot;&#39;'],
    ['plain', 'plain'],
    ['&amp;', '&amp;amp;'],
  ])('escapeHtml(%j) = %j', (text, escaped) => expect(escapeHtml(text)).toBe(escaped));

  it.each([
    [PNG, true],
    ['data:image/png;base64,', false],
    ['data:image/jpeg;base64,AAAA', false],
    ['http://x/y.png', false],
    [`${PNG}"`, false],
  ])('isPngDataUrl(%j) = %j', (url, ok) => expect(isPngDataUrl(url)).toBe(ok));
});

describe('fileName', () => {
  it.each([
    [['thaw-compare', 'runs-1-2', 'task 1 (pick)'], 'png', 'thaw-compare-runs-1-2-task-1-pick.png'],
    [['thaw-run-7', 'loss', null, undefined, ''], 'png', 'thaw-run-7-loss.png'],
    [['../../etc/passwd'], 'html', 'etc-passwd.html'],
    [[], 'png', 'thaw.png'],
    [['拾取'], 'png', 'thaw.png'],
  ])('fileName(%j, %j) = %j', (parts, ext, name) => expect(fileName(parts, ext)).toBe(name));
});
