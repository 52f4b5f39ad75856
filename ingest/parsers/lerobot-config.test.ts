// The config a LeRobot log prints (pformat of cfg.to_dict()): read whole, its dataset and the freezing its
// policy block asks for; a dump cut short or without the policy's freezing keys says nothing about it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventsOf, parseFixture } from '../../testkit/parse-fixtures';
import type { ParseEvent } from '../events';
import { Framer } from '../framing';
import { createLogParser, parseBytes } from '../parse';
import { endsConfigDump, isConfigContinuation, parsePythonLiteral, printedConfigEvents } from './lerobot-config';

const FIXTURE = 'lerobot-config/smolvla_printed_config.log';
const fixtureText = readFileSync(new URL(`../../tests/fixtures/${FIXTURE}`, import.meta.url), 'utf8');
/** The dump as the parser sees it: the first record's message, then every continuation line. */
const dumpOf = (text: string) => {
  const lines = text.split('\n');
  const first = lines[0]!.slice(lines[0]!.indexOf('{'));
  const rest: string[] = [];
  for (const line of lines.slice(1)) {
    if (!line.startsWith(' ')) break;
    rest.push(line);
  }
  return [first, ...rest].join('\n');
};

describe('parsePythonLiteral', () => {
  it('reads a whole pformat dump exactly: the TrainPipelineConfig it was printed from', () => {
    const tree = parsePythonLiteral(dumpOf(fixtureText)) as Record<string, Record<string, unknown>>;
    // the fixture was written with Python's pprint from ../lerobot-checkpoints/020000.train_config.json, edited
    const source = JSON.parse(
      readFileSync(new URL('../../tests/fixtures/lerobot-checkpoints/020000.train_config.json', import.meta.url), 'utf8'),
    ) as Record<string, Record<string, unknown>>;
    expect(tree['policy']).toEqual({
      ...source['policy'],
      freeze_vision_encoder: false,
      train_expert_only: false,
      repo_id: 'kuavo/smolvla_weighing_unfrozen',
      push_to_hub: false,
    });
    expect(tree['dataset']).toEqual({ ...source['dataset'], repo_id: 'kuavo/task2_weighing_lerobot' });
    expect(tree['optimizer']).toEqual(source['optimizer']);
    expect(tree['steps']).toBe(2000);
  });

  it('tuples, adjacent strings, escapes, reprs, inf/nan and nesting; anything else is not a literal', () => {
    expect(
      parsePythonLiteral("{'a': (1, 2.5e-3), 'b': ('long '\n 'string'), 'c': 'it\\'s \\x41\\u00e9', 'd': [True, False, None]}"),
    ).toEqual({
      a: [1, 0.0025],
      b: 'long string',
      c: "it's Aé",
      d: [true, false, null],
    });
    expect(
      parsePythonLiteral("{'type': <FeatureType.VISUAL: 'VISUAL'>, 'root': PosixPath('/data/x'), 'lr': inf, 'x': -inf, 'y': nan}"),
    ).toEqual({
      type: "<FeatureType.VISUAL: 'VISUAL'>",
      root: "PosixPath('/data/x')",
      lr: null,
      x: null,
      y: null,
    });
    expect(parsePythonLiteral('{"k": {"n": [1, [2, [3]]]}}')).toEqual({ k: { n: [1, [2, [3]]] } });
    for (const bad of ["{'a': 1", "{'a' 1}", "{'a': 'unterminated}", '{1: 2}} extra', ''])
      expect(parsePythonLiteral(bad), bad).toBeUndefined();
    expect(parsePythonLiteral('['.repeat(100) + ']'.repeat(100))).toBeUndefined(); // nesting bound
  });
});

describe('continuation lines', () => {
  it('claims the entries and wrapped values of a dump, never a progress bar or a banner', () => {
    for (const line of [
      " 'dataset': {'episodes': None,",
      "             'repo_id': 'lerobot/pusht',",
      '                       480,',
      '                  [0.8,',
      '  1.2]},',
      "   <FeatureType.VISUAL: 'VISUAL'>,",
    ])
      expect(isConfigContinuation(line), line).toBe(true);
    for (const line of [
      ' 50%|█████     | 5/10 [00:01<00:01, 4.5it/s]',
      '   Unfrozen layers: [0...11]',
      '  File "train.py", line 3, in <module>',
      '    loss.backward()',
    ])
      expect(isConfigContinuation(line), line).toBe(false);
    expect(endsConfigDump(" 'wandb': {'enable': False}}")).toBe(true);
    expect(endsConfigDump(" 'steps': 20000,")).toBe(false);
  });
});

describe('what the printed config says about the run', () => {
  it('SmolVLA with the vision encoder unfrozen: dataset and all 12 layers trainable, from the config (no banner)', () => {
    const { events } = parseFixture(FIXTURE);
    expect(eventsOf(events, 'run_info').find((e) => e.info.dataset !== undefined)?.info.dataset).toBe('kuavo/task2_weighing_lerobot');
    const [config] = eventsOf(events, 'config');
    expect(config).toMatchObject({
      rank: 0,
      overrides: [],
      settings: { dataset: 'kuavo/task2_weighing_lerobot', seed: 1000 },
    });
    // the log's own batch size and steps are the run's columns: the config adds its dataset and seed only
    expect(Object.keys(config?.settings ?? {}).sort()).toEqual(['dataset', 'seed']);
    expect(config?.strategy).toMatchObject({
      kind: 'none',
      totalLayers: 12,
      frozen: [],
      unfrozen: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
      applied: true,
    });
    expect(eventsOf(events, 'strategy')).toEqual([]); // LeRobot prints no banner: this is what the config asks for
    // the rest of the log reads as before: every record at its exact step, completed
    const { runs } = parseFixture(FIXTURE);
    expect(runs.map((r) => [r.status, r.config.totalSteps, r.config.batchSize, r.steps.map((p) => p.step)])).toEqual([
      ['completed', 2000, 32, [200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800, 2000]],
    ]);
    expect(runs[0]!.steps.every((p) => !p.estimated)).toBe(true);
  });

  it('train_expert_only / freeze_vision_encoder True: every vision layer frozen', () => {
    const frozen = dumpOf(fixtureText).replace("'freeze_vision_encoder': False", "'freeze_vision_encoder': True");
    const config = printedConfigEvents(frozen).find((e) => e.type === 'config');
    expect(config).toMatchObject({ strategy: { frozen: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], unfrozen: [] } });
  });

  it('a policy block without the freezing keys leaves the strategy unknown; the dataset is still read', () => {
    const { events } = parseFixture('lerobot/j_smolvla_30k_push403.log'); // 'policy': {'type': 'smolvla', 'device': …}
    expect(eventsOf(events, 'config').map((e) => e.strategy)).toEqual([null]);
    expect(eventsOf(events, 'run_info').find((e) => e.info.dataset !== undefined)?.info.dataset).toBe('user/j_smolvla_30k_push403');
  });

  it('2024 Hydra layout: dataset_repo_id', () => {
    const { events } = parseFixture('lerobot/a_2024_ts_train192.log');
    expect(eventsOf(events, 'run_info').find((e) => e.info.dataset !== undefined)?.info.dataset).toBe('lerobot/pusht');
  });

  it('a dump cut by another record says nothing (no half-read config), whatever the chunking', () => {
    const lines = fixtureText.split('\n');
    const cut = [...lines.slice(0, 20), 'INFO 2025-08-20 10:00:00 ts/train.py:127 Creating dataset', ...lines.slice(20)].join('\n');
    const { events } = parseBytes(new TextEncoder().encode(cut));
    expect(eventsOf(events, 'config')).toEqual([]);
    expect(eventsOf(events, 'run_info').some((e) => e.info.dataset !== undefined)).toBe(false);
    // fed in 7-byte chunks, the parser stored and restored (as JSON) after every chunk: the same config
    const whole = eventsOf(parseFixture(FIXTURE).events, 'config');
    const bytes = new TextEncoder().encode(fixtureText);
    const framer = new Framer();
    let state = createLogParser().snapshot();
    const chunked: ParseEvent[] = [];
    for (let at = 0; at < bytes.length; at += 7) {
      const parser = createLogParser(JSON.parse(JSON.stringify(state)) as typeof state);
      for (const record of framer.push(bytes.subarray(at, at + 7)).records) chunked.push(...parser.feed(record));
      state = parser.snapshot();
    }
    const last = createLogParser(state);
    for (const record of framer.end().records) chunked.push(...last.feed(record));
    chunked.push(...last.end());
    expect(eventsOf(chunked, 'config')).toEqual(whole);
  });
});
