'use client';
// Every chart's words and numbers: the canvas is labelled with what the chart shows and
// described by a sentence per line (lib/views/chart-text.ts), and a "Table" toggle under the chart
// shows its data as a table, as Grafana's and W&B's panels do — for screen readers and for anyone who
// wants the numbers. LineChart and the strategies' trade-off chart use these; a new chart gets them by
// using LineChart, or by passing its own columns to ChartDataTable.
import { useId, useState, type ReactNode } from 'react';
import type { ChartText } from '@/lib/views/chart-text';
import { ScrollBox } from './scroll-box';

/**
 * What makes the box holding a chart's canvas its accessible picture: an image named by the chart's
 * label and described by its sentences. The box, not the canvas (which is aria-hidden): it is there
 * before the canvas is (a chart drawn later, when in view) and it takes the keyboard's focus.
 */
export function chartA11yProps(text: ChartText, descriptionId: string): { role: 'img'; 'aria-label': string; 'aria-describedby': string } {
  return { role: 'img', 'aria-label': text.label, 'aria-describedby': descriptionId };
}

/**
 * The description the canvas points at: hidden from sight and from reading order (it is read as the
 * canvas's description), and there in the server-rendered HTML too.
 */
export function ChartDescription({ id, text }: { id: string; text: ChartText }) {
  return (
    <div id={id} hidden data-testid="chart-description">
      {text.details.join(' ')}
    </div>
  );
}

export interface DataTableProps {
  caption: string;
  /** Header cells; the first column holds each row's header (scope="row"). */
  columns: string[];
  rows: { key: string | number; cells: ReactNode[] }[];
  /** A note under the caption (e.g. that rows were thinned). */
  note?: string | null;
}

/** An accessible table of a chart's data in a focusable, labelled scroll box. */
export function ChartDataTable({ caption, columns, rows, note }: DataTableProps) {
  return (
    <ScrollBox label={`${caption} (table)`} limited className="chart-table">
      <table className="compact">
        <caption>
          {caption}
          {note ? <span className="muted small"> · {note}</span> : null}
        </caption>
        <thead>
          <tr>
            {columns.map((column, i) => (
              <th key={i} scope="col" className={i === 0 ? undefined : 'num'}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              {row.cells.map((cell, i) =>
                i === 0 ? (
                  <th key={i} scope="row">
                    {cell}
                  </th>
                ) : (
                  <td key={i} className="num">
                    {cell}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}

/** The "Table" button's state and the id of what it shows. */
export function useTableToggle(): { open: boolean; toggle: () => void; tableId: string; descriptionId: string } {
  const [open, setOpen] = useState(false);
  const id = useId();
  return { open, toggle: () => setOpen((v) => !v), tableId: `${id}-table`, descriptionId: `${id}-description` };
}

/** The "Table" button under a chart. */
export function TableToggle({ open, onToggle, controls }: { open: boolean; onToggle: () => void; controls: string }) {
  return (
    <button
      type="button"
      className="link-button chart-table-toggle"
      aria-expanded={open}
      aria-controls={controls}
      onClick={onToggle}
      data-testid="chart-table-toggle"
    >
      {open ? 'hide table' : 'table'}
    </button>
  );
}
