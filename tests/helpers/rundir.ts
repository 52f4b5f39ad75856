// Run directories like the SmolVLA trainer leaves them, generated for tests and the bench:
// outputs/train/task{k}_{name}/smolvla_sequential/run_{ts}/events.out.tfevents.*, training_results.json,
// and outputs/train_hydra_save/smolvla_sequential/{ts}/.hydra/{config,overrides}.yaml.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeEvent, encodeRecord, concatBytes, FILE_VERSION, type EventSpec, type ScalarStyle } from '../../testkit/tfevents-writer';

export interface RunDirSpec {
  taskId: number;
  taskName: string;
  timestamp: string;
  epochs: number;
  /** Train loss of epoch e (1-based). */
  loss?: (epoch: number) => number;
  /** Validation loss of task k at epoch e (1-based), for k = 1..taskId. */
  validation?: (taskId: number, epoch: number) => number;
  style?: ScalarStyle;
  batchSize?: number;
  lr?: number;
  seed?: number;
  unfreeze?: number[];
  replay?: boolean;
}

export const defaultLoss = (epoch: number) => 0.6 / epoch;
export const defaultValidation = (taskId: number, epoch: number) => 0.7 / epoch + taskId / 100;

export function runDirOf(root: string, spec: RunDirSpec): string {
  return path.join(root, 'outputs/train', `task${spec.taskId}_${spec.taskName}`, 'smolvla_sequential', `run_${spec.timestamp}`);
}

export function eventFileOf(root: string, spec: RunDirSpec): string {
  return path.join(runDirOf(root, spec), 'events.out.tfevents.1764579654.testhost.4001.0');
}

/** The file_version record, then one record per scalar group for epochs [from, to] (1-based). */
export function epochRecords(spec: RunDirSpec, from: number, to: number, withHeader: boolean): Uint8Array {
  const loss = spec.loss ?? defaultLoss;
  const validation = spec.validation ?? defaultValidation;
  const parts: Uint8Array[] = [];
  if (withHeader) parts.push(encodeRecord(encodeEvent({ wallTime: 1764579654, step: 0, fileVersion: FILE_VERSION })));
  for (let epoch = from; epoch <= to; epoch++) {
    const step = epoch - 1;
    const events: EventSpec[] = [
      { wallTime: 1764579654 + epoch, step, scalars: [{ tag: 'train/loss', value: loss(epoch) }] },
      { wallTime: 1764579654 + epoch, step, scalars: [{ tag: 'train/lr', value: 1e-4 }] },
    ];
    for (let k = 1; k <= spec.taskId; k++) {
      events.push({ wallTime: 1764579654 + epoch, step, scalars: [{ tag: `validation/task${k}_loss`, value: validation(k, epoch) }] });
    }
    for (const event of events) parts.push(encodeRecord(encodeEvent(event, spec.style ?? 'simple')));
  }
  return concatBytes(parts);
}

export function resultsJson(spec: RunDirSpec): string {
  const validation = spec.validation ?? defaultValidation;
  const final: Record<string, number> = {};
  for (let k = 1; k <= spec.taskId; k++) final[String(k)] = Math.round(validation(k, spec.epochs) * 10_000) / 10_000;
  return `{
  "task_id": ${spec.taskId},
  "task_name": "${spec.taskName}",
  "description": "\\u6d4b\\u8bd5",
  "language_instruction": "Do the ${spec.taskName} task.",
  "best_loss": ${Math.round((spec.loss ?? defaultLoss)(spec.epochs) * 10_000) / 10_000},
  "final_validation": ${JSON.stringify(final)},
  "training_epochs": ${spec.epochs},
  "learning_rate": ${spec.lr ?? 1e-4},
  "performance": { "avg_batch_process_time_ms": NaN, "throughput_samples_per_sec": Infinity }
}
`;
}

export function hydraConfigYaml(spec: RunDirSpec): string {
  const unfreeze = spec.unfreeze ?? [-1, -2, -3, -4];
  return `defaults:
- _self_
timestamp: \${now:%Y%m%d_%H%M%S}
method: smolvla_sequential
task: tasks/task${spec.taskId}_${spec.taskName}
policy_name: smolvla
policy:
  vlm_model_name: HuggingFaceTB/SmolVLM2-500M-Video-Instruct
  freeze_vision_encoder: true
  train_expert_only: false
  unfreeze_vision_layers:
${unfreeze.map((layer) => `  - ${layer}`).join('\n')}
  optimizer_lr: ${spec.lr ?? 1e-4}
training:
  output_directory: outputs/train/\${task}/\${method}
  seed: ${spec.seed ?? 42}
  batch_size: ${spec.batchSize ?? 16}
  validation_freq_epoch: 1
  validation_episodes: 20
sequential:
  use_replay_buffer: ${spec.replay ?? false}
`;
}

export function hydraDirOf(root: string, spec: RunDirSpec): string {
  return path.join(root, 'outputs/train_hydra_save/smolvla_sequential', spec.timestamp, '.hydra');
}

/** Writes a whole (finished) run directory and its Hydra folder. */
export async function writeRunDir(
  root: string,
  spec: RunDirSpec,
  parts: { events?: boolean; results?: boolean; hydra?: boolean } = {},
): Promise<void> {
  const dir = runDirOf(root, spec);
  await mkdir(dir, { recursive: true });
  if (parts.events ?? true) await writeFile(eventFileOf(root, spec), epochRecords(spec, 1, spec.epochs, true));
  if (parts.results ?? true) await writeFile(path.join(dir, 'training_results.json'), resultsJson(spec));
  if (parts.hydra ?? true) {
    const hydra = hydraDirOf(root, spec);
    await mkdir(hydra, { recursive: true });
    await writeFile(path.join(hydra, 'config.yaml'), hydraConfigYaml(spec));
    await writeFile(
      path.join(hydra, 'overrides.yaml'),
      `- task=tasks/task${spec.taskId}_${spec.taskName}\n- training.batch_size=${spec.batchSize ?? 16}\n`,
    );
  }
}
