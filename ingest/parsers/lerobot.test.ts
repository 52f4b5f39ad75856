// LeRobot's trainer as people really run it (tests/fixtures/lerobot: one log per form, each with the
// true step of every record and whether the log pins it). Every record is kept exactly once; a pinned
// record has its exact step; an unpinned one is kept in order at an estimated step inside its printed
// (rounded) value, marked estimated.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatBigNumber } from './common';
import { eventsOf, only, parseFixture } from '../../testkit/parse-fixtures';

interface ExpectedRecord {
  step: number;
  loss: number | null;
  lr: number | null;
  pinned: boolean;
  extra: Record<string, number | null>;
}

interface Expected {
  status: 'running' | 'completed' | 'crashed' | 'stopped';
  totalSteps: number | null;
  batchSize: number | null;
  episodes: number | null;
  frames: number | null;
  outputDir: string | null;
  pushFailed: boolean;
  records: ExpectedRecord[];
  evals: { step: number; successRate: number | null; reward: number | null }[];
}

const DIR = new URL('../../tests/fixtures/lerobot/', import.meta.url);
const NAMES = readdirSync(DIR)
  .filter((file) => file.endsWith('.log'))
  .map((file) => file.slice(0, -'.log'.length));

function expected(name: string): Expected {
  return JSON.parse(readFileSync(new URL(`${name}.expected.json`, DIR), 'utf8')) as Expected;
}

describe('LeRobot fixtures', () => {
  it('cover every form of the issue', () => {
    expect(NAMES.length).toBe(15);
  });

  for (const name of NAMES) {
    it(`${name}: every record once, pinned ones at their exact step`, () => {
      const want = expected(name);
      const { events, runs } = parseFixture(`lerobot/${name}.log`);
      const run = only(runs);
      expect(eventsOf(events, 'run_started').map((e) => e.format)).toEqual(['lerobot']);
      expect(run.status).toBe(want.status);
      expect(run.config.totalSteps).toBe(want.totalSteps);
      expect(run.config.batchSize).toBe(want.batchSize);
      expect(run.outputDir).toBe(want.outputDir);
      const infos = eventsOf(events, 'run_info').map((e) => e.info);
      expect(infos.findLast((i) => i.episodes !== undefined)?.episodes ?? null).toBe(want.episodes);
      expect(infos.findLast((i) => i.datasetFrames !== undefined)?.datasetFrames ?? null).toBe(want.frames);
      expect(infos.some((i) => i.pushError !== undefined)).toBe(want.pushFailed);

      // The final rows: one per record, in record order, steps strictly increasing.
      const steps = run.steps;
      expect(steps).toHaveLength(want.records.length);
      want.records.forEach((record, i) => {
        const got = steps[i]!;
        expect(got.loss, `${name} record ${i}`).toBe(record.loss === null ? null : record.loss);
        if (record.pinned) {
          expect(got, `${name} record ${i}`).toEqual({ step: record.step, loss: record.loss, estimated: false });
        } else {
          expect(got.estimated, `${name} record ${i}`).toBe(true);
          // An estimate stays inside what the log printed for it.
          expect(formatBigNumber(got.step), `${name} record ${i}`).toBe(formatBigNumber(record.step));
        }
      });

      // The extra metrics of the last step event of each row, by printed name.
      const lastEvent = new Map<number, Record<string, number | null>>();
      for (const event of eventsOf(events, 'step')) lastEvent.set(event.step, event.metrics ?? {});
      want.records.forEach((record, i) => {
        const metrics = lastEvent.get(steps[i]!.step) ?? {};
        for (const [key, value] of Object.entries(record.extra)) {
          const got = metrics[key];
          if (value === null) expect(Number.isNaN(got ?? Number.NaN), `${name} ${key}`).toBe(true);
          else expect(got, `${name} ${key}`).toBe(value);
        }
      });

      const evals = eventsOf(events, 'eval').filter((e) => e.successRate !== null || e.reward !== null);
      expect(evals.map((e) => ({ step: e.step, successRate: e.successRate, reward: e.reward }))).toEqual(want.evals);
    });
  }

  it('estimates that nothing pins are mostly right once a later pin shows the interval', () => {
    const want = expected('g_cut_prefix_no_timestamp');
    const { runs } = parseFixture('lerobot/g_cut_prefix_no_timestamp.log');
    const steps = only(runs).steps.map((s) => s.step);
    expect(steps).toEqual(want.records.map((r) => r.step));
  });

  it('a traceback after End of training is a failed push of a completed run; Ctrl-C is a stop', () => {
    const push = parseFixture('lerobot/j_smolvla_30k_push403.log');
    expect(only(push.runs).status).toBe('completed');
    const error = eventsOf(push.events, 'run_info').find((e) => e.info.pushError !== undefined)?.info.pushError;
    expect(error).toContain('403');
    const stopped = parseFixture('lerobot/k_keyboard_interrupt.log');
    expect(only(stopped.runs).status).toBe('stopped');
    expect(eventsOf(stopped.events, 'status').at(-1)).toMatchObject({ status: 'stopped', error: 'KeyboardInterrupt' });
  });

  it('noise between records raises no flood of warnings', () => {
    for (const name of NAMES) {
      const { warnings } = parseFixture(`lerobot/${name}.log`);
      expect(warnings.length, name).toBeLessThanOrEqual(1);
    }
  });
});
