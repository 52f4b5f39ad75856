import { describe, expect, it } from 'vitest';
import { parseHydraConfig, parseRunTimestamp, resolveVisionFreezing } from './hydra-config';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe('resolveVisionFreezing (12 layers)', () => {
  it('unfreeze list with negative indices (the 12-layer banner example)', () => {
    const r = resolveVisionFreezing({ unfreeze_vision_layers: [-1, -2, -3, -4, -5, -6, -7, -8, -9] }, 12);
    expect(r).toMatchObject({ kind: 'unfreeze', totalLayers: 12, frozen: [0, 1, 2], unfrozen: range(3, 12), warnings: [] });
  });

  it('unfreeze list out of range warns and ignores', () => {
    const r = resolveVisionFreezing({ unfreeze_vision_layers: [-13, 12, 0, -1, -1] }, 12);
    expect(r.unfrozen).toEqual([0, 11]);
    expect(r.frozen).toEqual(range(1, 11));
    expect(r.warnings).toEqual(['layer index -13 (actual: -1) out of range [0, 11]', 'layer index 12 out of range [0, 11]']);
  });

  it('unfreeze list wins over freeze list and ratio', () => {
    const r = resolveVisionFreezing({ unfreeze_vision_layers: [-1], freeze_vision_layers: [0], freeze_vision_ratio: 0.5 }, 12);
    expect(r.kind).toBe('unfreeze');
  });

  it('freeze list, no negatives', () => {
    const r = resolveVisionFreezing({ freeze_vision_layers: [0, 1, -1, 12] }, 12);
    expect(r).toMatchObject({ kind: 'freeze', frozen: [0, 1], unfrozen: range(2, 12) });
    expect(r.warnings).toHaveLength(2);
  });

  it('ratio', () => {
    expect(resolveVisionFreezing({ freeze_vision_ratio: 0.5 }, 12)).toMatchObject({
      kind: 'ratio',
      frozen: range(0, 6),
      unfrozen: range(6, 12),
    });
    expect(resolveVisionFreezing({ freeze_vision_ratio: 1.0 }, 12)).toMatchObject({ frozen: range(0, 12), unfrozen: [] });
    expect(resolveVisionFreezing({ freeze_vision_ratio: 0.7 }, 12)).toMatchObject({ frozen: range(0, 8) }); // int(8.4)
    expect(resolveVisionFreezing({ freeze_vision_ratio: 0 }, 12)).toMatchObject({ frozen: [], unfrozen: range(0, 12) });
  });

  it('ratio out of range → default behaviour with a warning', () => {
    const r = resolveVisionFreezing({ freeze_vision_ratio: 1.5, freeze_vision_encoder: true }, 12);
    expect(r).toMatchObject({ kind: 'none', spec: 1.5, frozen: range(0, 12), unfrozen: [] });
    expect(r.warnings[0]).toMatch(/not in \[0.0, 1.0\]/);
  });

  it('all-in-one int N: last N layers, even with freeze_vision_encoder', () => {
    expect(resolveVisionFreezing({ unfreeze_vision_layers: 4, freeze_vision_encoder: true }, 12)).toMatchObject({
      kind: 'last_n',
      spec: 4,
      frozen: range(0, 8),
      unfrozen: range(8, 12),
    });
    const all = resolveVisionFreezing({ unfreeze_vision_layers: 20 }, 12);
    expect(all).toMatchObject({ frozen: [], unfrozen: range(0, 12) });
    expect(all.warnings[0]).toMatch(/>= total layers=12/);
  });

  it('int 0 or null: default behaviour', () => {
    expect(resolveVisionFreezing({ unfreeze_vision_layers: 0, freeze_vision_encoder: false, train_expert_only: false }, 12)).toMatchObject({
      kind: 'none',
      frozen: [],
      unfrozen: range(0, 12),
    });
    expect(
      resolveVisionFreezing({ unfreeze_vision_layers: null, freeze_vision_encoder: false, train_expert_only: true }, 12),
    ).toMatchObject({
      kind: 'none',
      frozen: range(0, 12),
    });
  });

  it('unknown backbone: null totals', () => {
    expect(resolveVisionFreezing({ unfreeze_vision_layers: [-1] }, null)).toMatchObject({
      kind: 'unfreeze',
      totalLayers: null,
      frozen: null,
      unfrozen: null,
    });
    expect(resolveVisionFreezing({ freeze_vision_layers: [0, 2] }, null)).toMatchObject({ frozen: [0, 2], unfrozen: null });
  });
});

const config = `defaults:
- _self_
timestamp: \${now:%Y%m%d_%H%M%S}
task: tasks/task2_weighing
method: smolvla_sequential
policy_name: smolvla
policy:
  vlm_model_name: HuggingFaceTB/SmolVLM2-500M-Video-Instruct
  freeze_vision_encoder: true
  unfreeze_vision_layers: 
  - -1
  - -2
  optimizer_lr: 0.0001
training:
  output_directory: outputs/train/\${task}/\${method}
  seed: 42
  batch_size: 16
  max_epoch: 20
  validation_freq_epoch: 2
  validation_episodes: 20
  validate_all_previous_tasks: true
  dataset_root: /data/kuavo
sequential:
  use_replay_buffer: true
`;

describe('parseHydraConfig', () => {
  it('extracts settings and leaves interpolations as strings', () => {
    const r = parseHydraConfig({
      configYaml: config,
      overridesYaml: '- task=tasks/task2_weighing\n- +training.x=1\n- ~foo\n',
      dirName: '20251121_080000',
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const v = r.value;
    expect(v.raw['timestamp']).toBe('${now:%Y%m%d_%H%M%S}');
    expect(v.outputDirectory).toBe('outputs/train/${task}/${method}');
    expect(v).toMatchObject({
      method: 'smolvla_sequential',
      task: 'tasks/task2_weighing',
      backbone: 'HuggingFaceTB/SmolVLM2-500M-Video-Instruct',
      batchSize: 16,
      lr: 0.0001,
      epochs: 20,
      seed: 42,
      validation: { freqEpoch: 2, episodes: 20, allPreviousTasks: true },
      replay: true,
      dataset: { task: 'tasks/task2_weighing', 'training.dataset_root': '/data/kuavo' },
      freezing: { kind: 'unfreeze', unfrozen: [10, 11], totalLayers: 12 },
      timestamp: { raw: '20251121_080000', iso: '2025-11-21T08:00:00', source: 'folder' },
      warnings: [],
    });
    expect(v.overrides).toEqual([
      { raw: 'task=tasks/task2_weighing', prefix: '', key: 'task', value: 'tasks/task2_weighing' },
      { raw: '+training.x=1', prefix: '+', key: 'training.x', value: '1' },
      { raw: '~foo', prefix: '~', key: 'foo', value: null },
    ]);
  });

  it('takes the timestamp from hydra.runtime.output_dir when the folder name has none', () => {
    const r = parseHydraConfig({
      configYaml: config,
      hydraYaml: 'hydra:\n  runtime:\n    output_dir: /x/outputs/train_hydra_save/smolvla_sequential/20251120_080000\n',
      dirName: '.hydra-copy',
    });
    expect(r.ok && r.value.timestamp).toEqual({ raw: '20251120_080000', iso: '2025-11-20T08:00:00', source: 'output_dir' });
  });

  it('warns when folder and output_dir disagree', () => {
    const r = parseHydraConfig({
      configYaml: config,
      hydraYaml: 'hydra:\n  runtime:\n    output_dir: /x/20251120_080000\n',
      dirName: '20251121_080000',
    });
    expect(r.ok && r.value.warnings[0]).toMatch(/differs/);
  });

  it('unknown backbone and missing keys', () => {
    const r = parseHydraConfig({ configYaml: 'policy:\n  vlm_model_name: other/model\n  unfreeze_vision_layers: [-1]\n' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ batchSize: null, lr: null, epochs: null, seed: null, replay: null, timestamp: null });
    expect(r.value.freezing).toMatchObject({ totalLayers: null, unfrozen: null });
    expect(r.value.warnings[0]).toMatch(/unknown backbone/);
    const known = parseHydraConfig({
      configYaml: 'policy:\n  vlm_model_name: other/model\n  unfreeze_vision_layers: [-1]\n',
      layerCounts: { 'other/model': 27 },
    });
    expect(known.ok && known.value.freezing.unfrozen).toEqual([26]);
  });

  it('wrong-typed values become warnings, not crashes', () => {
    const r = parseHydraConfig({ configYaml: 'training:\n  batch_size: "32"\n' });
    expect(r.ok && r.value.batchSize).toBe(null);
    expect(r.ok && r.value.warnings[0]).toMatch(/training.batch_size: expected a number/);
  });

  it('errors on broken YAML or a non-mapping', () => {
    const bad = parseHydraConfig({ configYaml: 'a: [1, 2\n' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/^config.yaml:/);
    expect(parseHydraConfig({ configYaml: '- 1\n' }).ok).toBe(false);
    const badOverrides = parseHydraConfig({ configYaml: 'a: 1\n', overridesYaml: '{' });
    expect(badOverrides.ok && badOverrides.value.warnings[0]).toMatch(/overrides.yaml/);
  });

  it('parseRunTimestamp', () => {
    expect(parseRunTimestamp('run_20251106_144248', 'folder')?.iso).toBe('2025-11-06T14:42:48');
    expect(parseRunTimestamp('/a/b/20251106_144248/', 'output_dir')?.raw).toBe('20251106_144248');
    expect(parseRunTimestamp('20251306_144248', 'folder')).toBe(null);
    expect(parseRunTimestamp('latest', 'folder')).toBe(null);
  });
});
