'use client';
// The stage × task heatmap is an HTML table (crisp, printable); its PNG download draws the same matrix
// — title, header, stage rows, coloured cells with their values — on a canvas with a white background.
import type { ChainView } from '@/lib/api/schemas/tasks';
import { fileName } from '@/lib/views/report';
import { PngButton } from './chart-image';
import { fmtLoss } from '@/lib/views/format';
import { heatColor, type HeatScale } from './heat-color';

const SCALE = 2; // device pixels per CSS pixel: sharp on high-DPI screens and in documents
const CELL_W = 96;
const HEAD_W = 190;
const ROW_H = 30;
const PAD = 14;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';

/** The matrix of one chain as a PNG data URI. */
export function heatmapPng(chain: ChainView, scale: HeatScale): string | null {
  const width = PAD * 2 + HEAD_W + CELL_W * chain.taskIds.length;
  const height = PAD * 2 + 28 + ROW_H * (chain.stages.length + 1) + 22;
  const canvas = document.createElement('canvas');
  canvas.width = width * SCALE;
  canvas.height = height * SCALE;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.scale(SCALE, SCALE);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.textBaseline = 'middle';

  let y = PAD + 10;
  ctx.fillStyle = chain.strategy.color;
  ctx.fillRect(PAD, y - 5, 10, 10);
  ctx.fillStyle = '#1d2330';
  ctx.font = `600 14px ${FONT}`;
  const kind = chain.kind === 'forgetting' ? 'sequential' : 'zero-shot (independent runs)';
  ctx.fillText(`${chain.strategy.label} · ${kind}`, PAD + 16, y);
  y += 18;

  const row = (k: number) => y + ROW_H * k;
  ctx.font = `600 12px ${FONT}`;
  ctx.fillStyle = '#5d6677';
  ctx.fillText('after stage', PAD + 6, row(0) + ROW_H / 2);
  chain.taskIds.forEach((t, c) => ctx.fillText(`task ${t}`, PAD + HEAD_W + CELL_W * c + 8, row(0) + ROW_H / 2));

  chain.stages.forEach((stage, k) => {
    const top = row(k + 1);
    ctx.fillStyle = '#1d2330';
    ctx.font = `12px ${FONT}`;
    ctx.fillText(
      `${k + 1}. task${stage.taskId ?? '?'} #${stage.runId}${stage.status !== 'completed' ? ` ${stage.status}` : ''}`,
      PAD + 6,
      top + ROW_H / 2,
    );
    chain.cells[k]?.forEach((cell, c) => {
      const left = PAD + HEAD_W + CELL_W * c;
      ctx.fillStyle = cell.value === null ? '#ffffff' : heatColor(cell.value, scale);
      ctx.fillRect(left, top, CELL_W, ROW_H);
      ctx.strokeStyle = cell.trained ? '#1d2330' : '#dde1e7';
      ctx.lineWidth = cell.trained ? 1.5 : 1;
      ctx.strokeRect(left + 0.5, top + 0.5, CELL_W - 1, ROW_H - 1);
      ctx.fillStyle = '#1d2330';
      ctx.font = `12px ${FONT}`;
      ctx.fillText(`${cell.nonFinite ?? fmtLoss(cell.value)}${cell.fallback ? ' †' : ''}`, left + 8, top + ROW_H / 2);
    });
  });

  ctx.fillStyle = '#5d6677';
  ctx.font = `11px ${FONT}`;
  const bwt = chain.bwt === null ? '–' : `${chain.bwt > 0 ? '+' : ''}${fmtLoss(chain.bwt)}`;
  ctx.fillText(
    `${chain.kind === 'forgetting' ? 'BWT' : 'mean transfer change'}: ${bwt} · mean F: ${fmtLoss(chain.meanForgetting)} · framed cells: the stage trained that task`,
    PAD,
    row(chain.stages.length + 1) + 12,
  );
  return canvas.toDataURL('image/png');
}

export function HeatmapPngButton({ chain, scale }: { chain: ChainView; scale: HeatScale }) {
  const runs = chain.stages.map((s) => s.runId).join('-');
  return (
    <PngButton
      chart={() => heatmapPng(chain, scale)}
      name={fileName(['thaw-tasks-heatmap', chain.strategy.label, `runs-${runs}`], 'png')}
      testId="heatmap-png"
    />
  );
}
