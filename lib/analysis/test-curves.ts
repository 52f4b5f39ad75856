/**
 * Test-only loader of the learning curves the forecast is proven on, as finished ForecastRuns:
 * - tests/fixtures/curves/real-curves.json: real training logs from public repositories (validation and
 *   training loss; sources in the README beside it);
 * - tests/fixtures/lerobot/*.expected.json: the LeRobot console-log fixtures (per-step training loss);
 * - tests/fixtures/samples: the team trainer's sample logs (validation per epoch, else training loss);
 * - tests/fixtures/rundirs/expected.json: the runs written as TensorBoard event files.
 * Positive, finite losses only. Not exported from index.ts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { ForecastRun } from './forecast-run';
import type { WeightedPoint } from './forecast';
import { SAMPLE_NAMES, loadSample } from './test-samples';

export interface ProofCurve {
  name: string;
  /** Runs of one group are comparable (one task and dataset); a facet in Thaw's terms. */
  group: string;
  /** Fetched from a public repository (the README says where) rather than written for Thaw's tests. */
  real: boolean;
  run: ForecastRun;
}

const FIXTURES = new URL('../../tests/fixtures/', import.meta.url);

interface RealCurveJson {
  id: string;
  group: string;
  metric: 'val' | 'train';
  plannedEnd: number;
  x: number[];
  y: number[];
}

let nextId = 1;

function run(group: number, partial: Partial<ForecastRun>): ForecastRun {
  return {
    id: nextId++,
    status: 'completed',
    taskId: group,
    taskName: null,
    datasetFrames: group,
    epochsTotal: null,
    totalSteps: null,
    stepsPerEpoch: null,
    series: { epochs: [], validations: [], taskId: group },
    steps: [],
    minutesPerEpoch: null,
    minutesPerStep: null,
    ...partial,
  };
}

const positive = (y: number | null | undefined): y is number => typeof y === 'number' && Number.isFinite(y) && y > 0;

export function loadProofCurves(): ProofCurve[] {
  nextId = 1;
  const groups = new Map<string, number>();
  const groupId = (name: string) => {
    if (!groups.has(name)) groups.set(name, groups.size + 1);
    return groups.get(name)!;
  };
  const out: ProofCurve[] = [];
  const real = JSON.parse(readFileSync(new URL('curves/real-curves.json', FIXTURES), 'utf8')) as { curves: RealCurveJson[] };
  for (const c of real.curves) {
    const task = groupId(c.group);
    const points = c.x.map((x, i) => ({ x, y: c.y[i]! })).filter((p) => positive(p.y));
    const r =
      c.metric === 'val'
        ? run(task, {
            epochsTotal: c.plannedEnd,
            series: { epochs: [], taskId: task, validations: points.map((p) => ({ epoch: p.x, final: false, taskId: task, loss: p.y })) },
          })
        : run(task, { totalSteps: c.plannedEnd, steps: points.map((p): WeightedPoint => ({ x: p.x, y: p.y, n: 1 })) });
    out.push({ name: c.id, group: c.group, real: true, run: r });
  }
  const lerobot = new URL('lerobot/', FIXTURES);
  for (const file of readdirSync(lerobot)
    .filter((f) => f.endsWith('.expected.json'))
    .sort()) {
    const json = JSON.parse(readFileSync(new URL(file, lerobot), 'utf8')) as {
      totalSteps: number | null;
      records: { step: number; loss: number | null }[];
    };
    const steps = json.records.filter((r) => positive(r.loss)).map((r): WeightedPoint => ({ x: r.step, y: r.loss!, n: 1 }));
    const name = `lerobot/${file.replace('.expected.json', '')}`;
    out.push({ name, group: name, real: false, run: run(groupId(name), { totalSteps: json.totalSteps, steps }) });
  }
  for (const sample of SAMPLE_NAMES) {
    const s = loadSample(sample);
    const name = `samples/${sample}`;
    const task = groupId(name);
    out.push({
      name,
      group: name,
      real: false,
      run: run(task, {
        epochsTotal: Math.max(0, ...s.epochs.map((e) => e.epoch)),
        series: { epochs: s.epochs, validations: s.validations, taskId: s.taskId },
        taskId: s.taskId,
      }),
    });
  }
  const rundirs = JSON.parse(readFileSync(new URL('rundirs/expected.json', FIXTURES), 'utf8')) as {
    runs: Record<string, { taskId: number; epochs: Record<string, number>; val: Record<string, Record<string, number>> }>;
  };
  for (const [timestamp, r] of Object.entries(rundirs.runs)) {
    const name = `rundirs/${timestamp}`;
    const group = groupId(name);
    const epochs = Object.entries(r.epochs).map(([e, loss]) => ({ epoch: Number(e), trainLoss: loss }));
    const validations = Object.entries(r.val).flatMap(([e, byTask]) =>
      Object.entries(byTask).map(([task, loss]) => ({ epoch: Number(e), final: false, taskId: Number(task), loss })),
    );
    out.push({
      name,
      group: name,
      real: false,
      run: run(group, { taskId: r.taskId, epochsTotal: epochs.length, series: { epochs, validations, taskId: r.taskId } }),
    });
  }
  return out;
}
