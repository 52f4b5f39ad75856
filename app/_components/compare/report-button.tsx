'use client';
// The compare page's HTML report: the charts on the page as images, the summary, verdicts and config
// diff in one self-contained file that opens offline (lib/views/report.ts writes it).
import { Chart } from 'chart.js';
import { useState, type RefObject } from 'react';
import type { CompareResponse } from '@/lib/api/schemas/compare';
import { facetTitle, reportFileName, reportFilters, reportTitle } from '@/lib/views/compare-page';
import { compareReportHtml } from '@/lib/views/report';
import { downloadBlob, framedChartPng } from '../chart-image';
import { drawAllCharts, type legendOf } from '../line-chart';

/** Builds the self-contained HTML report from the charts on the page and downloads it. */
export function ReportButton({
  data,
  searchParams,
  range,
  charts,
  legends,
}: {
  legends: Map<string, ReturnType<typeof legendOf>>;
  data: CompareResponse;
  searchParams: URLSearchParams;
  range: { min: number; max: number } | null;
  charts: RefObject<HTMLDivElement | null>;
}) {
  const [error, setError] = useState<string | null>(null);
  const onClick = async () => {
    try {
      // Charts are drawn as they come into view (line-chart.tsx): the report takes every one, so any
      // still waiting is drawn first.
      if (charts.current) await drawAllCharts(charts.current);
      const figures = [...(charts.current?.querySelectorAll<HTMLElement>('[data-testid="compare-facet"]') ?? [])];
      const images = figures.flatMap((figure) => {
        const canvas = figure.querySelector('canvas');
        const chart = canvas ? Chart.getChart(canvas) : undefined;
        const facet = data.facets.find((f) => f.key === figure.dataset.facet);
        const url = chart ? framedChartPng(chart, { legend: legends.get(figure.dataset.facet ?? '') ?? [] }) : null;
        return url ? [{ title: facet ? facetTitle(data, facet) : 'loss', dataUrl: url, note: facet?.note ?? null }] : [];
      });
      const now = new Date().toISOString();
      const html = compareReportHtml({
        title: reportTitle(data),
        generatedAt: now,
        filters: reportFilters(data, searchParams, range),
        data,
        charts: images,
      });
      downloadBlob(new Blob([html], { type: 'text/html;charset=utf-8' }), reportFileName(data, now.slice(0, 10)));
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <>
      <button
        type="button"
        className="button secondary"
        onClick={() => void onClick()}
        data-testid="compare-report"
        title="Download this view as one HTML file (charts as images, summary, verdicts, config diff) that opens offline"
      >
        HTML report
      </button>
      {error && <span className="error-text small">report failed: {error}</span>}
    </>
  );
}
