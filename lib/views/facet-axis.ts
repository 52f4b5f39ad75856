// Which axis each compare facet is drawn on, and the one line it carries: a facet never draws
// an empty chart. The page asks for one axis (epoch by default); a facet whose runs have no point on it
// opens on the axis they have (steps for step-only runs such as LeRobot's, epochs for runs without
// step losses), and a facet with no point on any axis draws no chart and says in one line why. Runs of
// a drawn facet that have nothing on its axis are named in the same line, so no run silently goes
// missing from a chart. Pure; one table of cases (facet-axis.test.ts).
import type { RunRow } from '../api/schemas/runs';
import type { XAxis } from './axes';
import { fmtCount } from './format';

/** What one run of a facet can be drawn on. */
export interface RunAxes {
  id: number;
  /** Whether the run has at least one loss point (training or validation) on each axis. */
  epoch: boolean;
  step: boolean;
  time: boolean;
  /** Why the run has no point on any axis (noLossReason), used only when it has none. */
  noLoss: string;
}

export interface FacetAxis {
  /** The axis the facet's chart is drawn on; null: nothing to draw on any axis. */
  x: XAxis | null;
  /** One line: why there is no chart, why it is on another axis, or which of its runs it leaves out; null when all is drawn as asked. */
  note: string | null;
}

/** Where a facet looks when its runs have nothing on the asked axis, in order. */
const FALLBACK: Record<XAxis, readonly XAxis[]> = {
  epoch: ['step', 'time'],
  step: ['epoch', 'time'],
  time: ['step', 'epoch'],
};

const AXIS_TEXT: Record<XAxis, string> = { epoch: 'by epoch', step: 'by step', time: 'by wall time' };
const LOGGED_TEXT: Record<XAxis, string> = { epoch: 'no epochs logged', step: 'no steps logged', time: 'no wall time logged' };

/** Why a run has no loss point on any axis, from what the runs listing knows of it. */
export function noLossReason(
  row: Pick<RunRow, 'format' | 'status' | 'lastStep' | 'totalSteps' | 'epochsDone'> & { stepBased?: boolean },
): string {
  if (row.format === 'lerobot' && row.lastStep !== null)
    return `known only from checkpoint folders (step ${fmtCount(row.lastStep)}${row.totalSteps !== null ? ` of ${fmtCount(row.totalSteps)}` : ''}), no loss logged`;
  if (row.format === 'tensorboard') return 'event files without a loss Thaw charts here';
  if (row.status === 'running') return 'no loss logged yet';
  return 'no loss recorded';
}

/** "#3", "#3 and #7", "#3, #7 and #9", "#3, #7, #9 and 4 more". */
function idList(ids: readonly number[]): string {
  const shown = ids.length > 4 ? ids.slice(0, 3) : ids;
  const rest = ids.length - shown.length;
  const names = shown.map((id) => `#${id}`);
  if (rest > 0) return `${names.join(', ')} and ${rest} more`;
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** The runs left out of a chart on `x`, grouped by why: "#3 and #7 (only by epoch); #9 (no loss logged yet)". */
function leftOut(runs: readonly RunAxes[], x: XAxis | null): string {
  const groups = new Map<string, number[]>();
  for (const run of runs) {
    if (x !== null && run[x]) continue;
    const other = (['epoch', 'step', 'time'] as const).filter((axis) => run[axis]);
    const why = other.length > 0 ? `only ${other.map((axis) => AXIS_TEXT[axis]).join(' and ')}` : run.noLoss;
    groups.set(why, [...(groups.get(why) ?? []), run.id]);
  }
  return [...groups].map(([why, ids]) => `${idList(ids)}: ${why}`).join('; ');
}

/** The axis a facet is drawn on and its one line (module rule). */
export function facetAxis(requested: XAxis, runs: readonly RunAxes[]): FacetAxis {
  const has = (axis: XAxis) => runs.some((run) => run[axis]);
  const x = [requested, ...FALLBACK[requested]].find(has) ?? null;
  if (x === null) return { x, note: `No chart: ${leftOut(runs, null) || 'no runs'}.` };
  const parts: string[] = [];
  if (x !== requested) parts.push(`${x === 'step' ? 'By step' : x === 'epoch' ? 'By epoch' : 'By wall time'} (${LOGGED_TEXT[requested]}).`);
  const missing = leftOut(runs, x);
  if (missing) parts.push(`Not drawn: ${missing}.`);
  return { x, note: parts.length > 0 ? parts.join(' ') : null };
}

/** A facet's axis with a scalar tag in view: the page's axis when one of its runs has the tag there, else no chart and why. */
export function scalarFacetAxis(requested: XAxis, tag: { dir: string; tag: string }, anyHasIt: boolean | undefined): FacetAxis {
  if (anyHasIt) return { x: requested, note: null };
  const name = tag.dir === '' ? tag.tag : `${tag.dir}/${tag.tag}`;
  return { x: null, note: `No chart: none of its runs has ${name} ${AXIS_TEXT[requested]}.` };
}
