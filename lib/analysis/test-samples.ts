/**
 * Test-only loader for tests/fixtures/samples/*.expected.json (the parse output of three sample logs).
 * Not exported from index.ts; narrows the JSON by hand so tests stay free of `any`.
 */
import { readFileSync } from 'node:fs';
import type { EpochPoint, RunSeries, StrategyInput, ValidationPoint } from './types';

export const SAMPLE_NAMES = [
  'sample_task1_unfreeze8_overfit',
  'sample_task2_unfreeze4_buffered',
  'sample_task3_ratio50_final_only',
] as const;
export type SampleName = (typeof SAMPLE_NAMES)[number];

export interface SampleRun extends RunSeries {
  taskName: string;
  outputDir: string;
  strategy: StrategyInput;
  bestLoss: number | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function num(v: unknown, what: string): number {
  if (typeof v !== 'number') throw new Error(`${what}: expected a number`);
  return v;
}
function numOrNull(v: unknown, what: string): number | null {
  return v === null ? null : num(v, what);
}
function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new Error(`${what}: expected an array`);
  return v;
}
function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what}: expected a string`);
  return v;
}

export function loadSample(name: SampleName): SampleRun {
  const url = new URL(`../../tests/fixtures/samples/${name}.expected.json`, import.meta.url);
  const json: unknown = JSON.parse(readFileSync(url, 'utf8'));
  if (!isRecord(json)) throw new Error('sample: expected an object');
  const run = arr(json.runs, 'runs')[0];
  if (!isRecord(run)) throw new Error('runs[0]: expected an object');
  const epochs: EpochPoint[] = arr(run.epochs, 'epochs').map((e) => {
    if (!isRecord(e)) throw new Error('epoch: expected an object');
    return { epoch: num(e.epoch, 'epoch'), trainLoss: numOrNull(e.trainLoss, 'trainLoss') };
  });
  const validations: ValidationPoint[] = arr(run.validations, 'validations').map((v) => {
    if (!isRecord(v)) throw new Error('validation: expected an object');
    return {
      epoch: num(v.epoch, 'epoch'),
      final: v.final === true,
      taskId: num(v.taskId, 'taskId'),
      loss: numOrNull(v.loss, 'loss'),
    };
  });
  const s = run.strategy;
  if (!isRecord(s)) throw new Error('strategy: expected an object');
  const spec: number[] | number | null = Array.isArray(s.spec) ? s.spec.map((x) => num(x, 'spec[]')) : numOrNull(s.spec, 'spec');
  const strategy: StrategyInput = {
    kind: str(s.kind, 'kind'),
    spec,
    totalLayers: numOrNull(s.totalLayers, 'totalLayers'),
    frozen: arr(s.frozen, 'frozen').map((x) => num(x, 'frozen[]')),
    unfrozen: arr(s.unfrozen, 'unfrozen').map((x) => num(x, 'unfrozen[]')),
    applied: s.applied === true,
  };
  return {
    taskId: numOrNull(run.taskId, 'taskId'),
    taskName: str(run.taskName, 'taskName'),
    outputDir: str(run.outputDir, 'outputDir'),
    epochs,
    validations,
    strategy,
    bestLoss: numOrNull(run.bestLoss, 'bestLoss'),
  };
}
