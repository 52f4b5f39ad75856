// The team's run directories read by TfEventsReader: the step-based trainers (tests/fixtures/rundirs-team,
// copied from /work/shared/samples/rundirs-team; log-formats §4) give every tag as expected.json lists it,
// no epoch rows, format 'tensorboard'; the SmolVLA trainer's (tests/fixtures/rundirs) keeps its epoch
// rows and its format. The metrics the rule names are expected.json's.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chooseMetrics, methodOfIdentity, type MetricRef, type TagSummary } from '../../lib/analysis/scalar-metrics';
import type { ParseEvent } from '../events';
import { identityOfRunDir, runDirOfFile } from './identity';
import { readHparamsYaml, readHydraConfig, TfEventsReader } from './readers';
import { mulberry32 } from '../../testkit/random';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../tests/fixtures');

interface ExpectedTeamRun {
  outputDir: string;
  metrics: { train: MetricRef | null; val: MetricRef | null };
  tags: Required<TagSummary>[];
}

function eventFileIn(dir: string): string {
  const name = readdirSync(dir).find((n) => n.startsWith('events.out.tfevents.'));
  if (!name) throw new Error(`no event file in ${dir}`);
  return path.join(dir, name);
}

/** Every event of a file read in random chunks. */
function readAll(file: string, seed: number): ParseEvent[] {
  const bytes = readFileSync(file);
  const rand = mulberry32(seed);
  const reader = new TfEventsReader(file, { startOffset: 0, startLine: 1 });
  const events: ParseEvent[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = 1 + Math.floor(rand() * 5000);
    events.push(...reader.push(bytes.subarray(at, at + size)).events);
    at += size;
  }
  events.push(...reader.end().events);
  return events;
}

/** Tag summaries as the scalars API lists them, from the series events. */
function summaries(events: ParseEvent[]): Required<TagSummary>[] {
  const byTag = new Map<string, Required<TagSummary>>();
  for (const event of events) {
    if (event.type !== 'series') continue;
    const { length, tags, tag, step, value } = event.block;
    for (let i = 0; i < length; i++) {
      const key = `${event.dir}\u0000${tags[tag[i]!]!}`;
      const s = byTag.get(key);
      if (!s)
        byTag.set(key, { dir: event.dir, tag: tags[tag[i]!]!, count: 1, firstStep: step[i]!, lastStep: step[i]!, lastValue: value[i]! });
      else {
        s.count++;
        s.firstStep = Math.min(s.firstStep, step[i]!);
        s.lastStep = Math.max(s.lastStep, step[i]!);
        s.lastValue = value[i]!;
      }
    }
  }
  return [...byTag.values()].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
}

describe("the team's step-based trainers", () => {
  const root = path.join(FIXTURES, 'rundirs-team');
  const expected = (JSON.parse(readFileSync(path.join(root, 'expected.json'), 'utf8')) as { runs: ExpectedTeamRun[] }).runs;
  for (const [i, run] of expected.entries()) {
    it(run.outputDir, () => {
      const file = eventFileIn(path.join(root, run.outputDir));
      const events = readAll(file, 5 + i);
      expect(summaries(events)).toEqual(run.tags);
      // Global optimizer steps are no epochs: no epoch rows, and the run is not called SmolVLA's.
      expect(events.filter((e) => e.type === 'scalars')).toEqual([]);
      // The header comes with the first scalar (record 2, after the file_version record).
      expect(events.filter((e) => e.type === 'run_started')).toEqual([{ type: 'run_started', runKey: 0, line: 2, format: 'tensorboard' }]);
      const identity = identityOfRunDir(runDirOfFile(file).runDir);
      const choice = chooseMetrics({ tags: summaries(events), method: methodOfIdentity(identity) });
      expect({ train: choice.train, val: choice.val }).toEqual(run.metrics);
      expect(choice.trainer).toBe('kuavo_step');
      expect(choice.epochs).toBeNull();
    });
  }

  it("their Hydra config joins the run without claiming SmolVLA's format", () => {
    for (const ts of ['20251020_150000', '20251021_093000']) {
      const dir = path.join(root, 'outputs/train_hydra_save/singlerun', ts, '.hydra');
      const events = readHydraConfig({
        file: path.join(dir, 'config.yaml'),
        configYaml: readFileSync(path.join(dir, 'config.yaml'), 'utf8'),
        overridesYaml: readFileSync(path.join(dir, 'overrides.yaml'), 'utf8'),
      });
      expect(events.some((e) => e.type === 'run_started')).toBe(false);
      const identity = events.find((e) => e.type === 'identity');
      const runDir = expected.find((r) => r.outputDir.endsWith(`run_${ts}`))!.outputDir;
      expect(identity && identity.type === 'identity' && identity.identity).toBe(identityOfRunDir(path.join(root, runDir)));
    }
  });
});

describe("the SmolVLA trainer's run directories", () => {
  const root = path.join(FIXTURES, 'rundirs/outputs/train');
  const dirs = ['task1_moving_grasp/smolvla_sequential/run_20251120_080000', 'task2_weighing/smolvla_sequential/run_20251121_080000'].map(
    (d) => path.join(root, d),
  );
  for (const dir of dirs) {
    it(path.basename(dir), () => {
      const events = readAll(eventFileIn(dir), 3);
      expect(events.filter((e) => e.type === 'run_started').map((e) => e.type === 'run_started' && e.format)).toEqual([
        'smolvla_sequential',
      ]);
      // Epoch rows as before (1-based epochs) and every scalar too.
      const epochs = events.flatMap((e) => (e.type === 'scalars' ? e.block.epochs.epoch : []));
      const tags = summaries(events);
      const loss = tags.find((t) => t.tag === 'train/loss')!;
      expect(Math.max(...epochs)).toBe(loss.lastStep + 1);
      const choice = chooseMetrics({ tags, method: 'smolvla_sequential' });
      expect(choice.trainer).toBe('smolvla_sequential');
      expect(choice.train).toEqual({ dir: '', tag: 'train/loss', axis: 'epoch' });
    });
  }
});

describe('readHparamsYaml', () => {
  it("Lightning's hparams.yaml: the run's config, Python tags read as plain YAML with a warning", () => {
    const file = path.join(FIXTURES, 'tfevents-real/lightning/weather-predder/lightning_logs/version_11/hparams.yaml');
    const events = readHparamsYaml(file, readFileSync(file, 'utf8'));
    expect(events.some((e) => e.type === 'run_started')).toBe(false);
    expect(events.find((e) => e.type === 'identity')).toMatchObject({ identity: `dir:${path.dirname(file)}` });
    const config = events.find((e) => e.type === 'config');
    expect(config).toMatchObject({ source: 'hparams_yaml', rank: -1, overrides: [], strategy: null });
    const tree = config!.type === 'config' ? config!.tree : {};
    expect(Object.keys(tree)).toHaveLength(20);
    expect(tree['config_ar']).toEqual({ ar_reg: null, n_lags: 0, reg_lambda: null });
    expect(events.filter((e) => e.type === 'warning').map((e) => e.type === 'warning' && e.message)).toEqual([
      'hparams.yaml: Python-specific tags read as plain YAML (!!python/name, !!python/object, !!python/object/apply, !!python/tuple)',
    ]);
  });

  it('plain hparams.yaml', () => {
    const file = path.join(FIXTURES, 'tfevents-real/lightning/transformers-t5/lightning_logs/version_0/hparams.yaml');
    const config = readHparamsYaml(file, readFileSync(file, 'utf8')).find((e) => e.type === 'config');
    expect(config && config.type === 'config' && config.tree).toMatchObject({
      learning_rate: 0.0003,
      model_name_or_path: 't5-large',
      num_train_epochs: 10,
    });
  });

  it('broken YAML or a list: a warning, no config', () => {
    for (const text of ['a: [1, 2', '- 1\n- 2\n']) {
      const events = readHparamsYaml('/d/lightning_logs/version_0/hparams.yaml', text);
      expect(events.some((e) => e.type === 'config')).toBe(false);
      expect(events.filter((e) => e.type === 'warning')).toHaveLength(1);
    }
    expect(readHparamsYaml('/d/v/hparams.yaml', '').find((e) => e.type === 'config')).toMatchObject({ tree: {} });
  });
});
