// The sample run directories (copied from /work/shared/samples/rundirs into ./fixtures) read end to end
// with tfrecord + event + results-json + hydra-config, compared with expected.json.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeEvent, type DecodedEvent } from './event';
import { parseHydraConfig } from './hydra-config';
import { parseTrainingResults } from './results-json';
import { TfRecordReader } from './tfrecord';
import { mulberry32 } from '../../testkit/random';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../tests/fixtures/rundirs');

interface ExpectedRun {
  taskId: number;
  outputDir: string;
  epochs: Record<string, number>;
  val: Record<string, Record<string, number>>;
  final: Record<string, number>;
  unfrozen: number[];
  batchSize: number;
  lr: number;
  hasLog: boolean;
  damage: unknown;
}

const expected = JSON.parse(readFileSync(join(root, 'expected.json'), 'utf8')) as { runs: Record<string, ExpectedRun> };

function readEvents(bytes: Uint8Array, chunks: Uint8Array[] = [bytes]): { events: DecodedEvent[]; warnings: string[] } {
  const reader = new TfRecordReader();
  const events: DecodedEvent[] = [];
  const warnings: string[] = [];
  const take = (out: ReturnType<TfRecordReader['push']>) => {
    warnings.push(...out.warnings.map((w) => `${w.offset}: ${w.message}`));
    for (const r of out.records) {
      const e = decodeEvent(r.data);
      if (e.ok) events.push(e.event);
      else warnings.push(`${r.offset}: ${e.error}`);
    }
  };
  for (const c of chunks) take(reader.push(c));
  take(reader.end());
  return { events, warnings };
}

/** Epoch (1-based, as printed) → value of `tag`; event steps are 0-based epochs. */
function byEpoch(events: DecodedEvent[], tag: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) for (const s of e.scalars) if (s.tag === tag) out[String(e.step + 1)] = s.value;
  return out;
}

function validation(events: DecodedEvent[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const e of events) {
    for (const s of e.scalars) {
      const m = /^validation\/task(\d+)_loss$/.exec(s.tag);
      if (m === null) continue;
      (out[String(e.step + 1)] ??= {})[m[1]!] = s.value;
    }
  }
  return out;
}

describe.each(Object.entries(expected.runs))('run %s', (ts, run) => {
  const outDir = join(root, run.outputDir);
  const eventFile = readdirSync(outDir).find((f) => f.startsWith('events.out.tfevents.'));
  if (eventFile === undefined) throw new Error(`no event file in ${outDir}`);
  const bytes = new Uint8Array(readFileSync(join(outDir, eventFile)));
  const { events, warnings } = readEvents(bytes);

  it('event file: clean, starts with the file_version event', () => {
    expect(warnings).toEqual([]);
    expect(events[0]?.fileVersion).toBe('brain.Event:2');
  });

  it('per-epoch train loss (float32, 1-based epochs)', () => {
    expect(byEpoch(events, 'train/loss')).toEqual(run.epochs);
    for (const v of Object.values(byEpoch(events, 'train/loss'))) expect(Math.fround(v)).toBe(v);
  });

  it('per-task validation by epoch', () => {
    expect(validation(events)).toEqual(run.val);
  });

  it('same result under random chunkings', () => {
    const rand = mulberry32(ts.length);
    for (let trial = 0; trial < 20; trial++) {
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < bytes.length;) {
        const n = 1 + Math.floor(rand() * 97);
        chunks.push(bytes.subarray(at, at + n));
        at += n;
      }
      expect(readEvents(bytes, chunks)).toEqual({ events, warnings });
    }
  });

  it('final validation and task id from training_results.json', () => {
    const r = parseTrainingResults(readFileSync(join(outDir, 'training_results.json'), 'utf8'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.taskId).toBe(run.taskId);
    expect(r.value.finalValidation).toEqual(Object.fromEntries(Object.entries(run.final).map(([k, v]) => [Number(k), v])));
    expect(r.value.description).toMatch(/^机器人从移动的传送带上抓取/);
    expect(r.value.trainingEpochs).toBe(Object.keys(run.epochs).length);
  });

  it('unfrozen layers, batch size and lr from the Hydra config', () => {
    const hydraDir = join(root, 'outputs/train_hydra_save/smolvla_sequential', ts, '.hydra');
    const r = parseHydraConfig({
      configYaml: readFileSync(join(hydraDir, 'config.yaml'), 'utf8'),
      overridesYaml: readFileSync(join(hydraDir, 'overrides.yaml'), 'utf8'),
      hydraYaml: readFileSync(join(hydraDir, 'hydra.yaml'), 'utf8'),
      dirName: basename(dirname(hydraDir)),
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.freezing.unfrozen).toEqual(run.unfrozen);
    expect(r.value.batchSize).toBe(run.batchSize);
    expect(r.value.lr).toBe(run.lr);
    expect(r.value.timestamp?.raw).toBe(ts);
    expect(r.value.warnings).toEqual([]);
    expect(r.value.overrides.find((o) => o.key === 'training.batch_size')?.value).toBe(String(run.batchSize));
  });

  it('console log presence', () => {
    const logs = readdirSync(join(root, 'logs'));
    expect(logs.some((f) => f.endsWith(`_${ts}.log`))).toBe(run.hasLog);
    expect(run.damage).toBe(null);
    expect(existsSync(join(outDir, 'training_results.json'))).toBe(true);
  });
});
