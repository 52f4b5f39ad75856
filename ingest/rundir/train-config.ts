// LeRobot's own record of a run: `<output_dir>/checkpoints/<step>/pretrained_model/train_config.json`,
// written with every checkpoint by `TrainPipelineConfig.save_pretrained` (draccus → JSON; shape of
// huggingface/lerobot src/lerobot/configs/train.py `TrainPipelineConfig`, policy sections such as
// src/lerobot/policies/smolvla/configuration_smolvla.py `SmolVLAConfig`):
//
//   { "dataset": { "repo_id": "lerobot/svla_so100_pickplace", … }, "env": null,
//     "policy": { "type": "smolvla", "pretrained_path": "lerobot/smolvla_base", "freeze_vision_encoder": true,
//                 "train_expert_only": true, "optimizer_lr": 0.0001, "vlm_model_name": "HuggingFaceTB/SmolVLM2-500M-Video-Instruct", … },
//     "output_dir": "outputs/train/my_smolvla", "job_name": "my_smolvla", "resume": false, "seed": 1000,
//     "batch_size": 64, "steps": 20000, "log_freq": 200, "save_freq": 20000,
//     "optimizer": { "type": "adamw", "lr": 0.0001, … }, "scheduler": { "type": "cosine_decay_with_warmup", … }, … }
//
// The console log prints the same `cfg.output_dir` ("Output dir: …"): that is the link between the two.
// Pure (takes the file's path and text); never throws.
import type { ConfigSettings } from '../../lib/analysis/config-check';
import { VISION_LAYER_COUNTS, resolveVisionFreezing, type VisionFreezing } from './hydra-config';
import { parsePythonJson } from './results-json';

export interface TrainConfig {
  outputDir: string | null;
  policyType: string | null;
  pretrainedPath: string | null;
  settings: ConfigSettings;
  /** The vision freezing the policy section asks for (SmolVLA-style policies only), else null. */
  freezing: VisionFreezing | null;
  tree: Record<string, unknown>;
}

export type TrainConfigResult = { ok: true; value: TrainConfig } | { ok: false; error: string };

type Obj = Record<string, unknown>;

const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const int = (value: unknown): number | null => (Number.isSafeInteger(value) ? (value as number) : null);

/** A SmolVLA-style policy section: one that names a VLM backbone or a vision-freezing switch. */
function freezesVision(policy: Obj): boolean {
  return (
    policy['type'] === 'smolvla' ||
    'vlm_model_name' in policy ||
    'freeze_vision_encoder' in policy ||
    'unfreeze_vision_layers' in policy ||
    'freeze_vision_layers' in policy ||
    'freeze_vision_ratio' in policy
  );
}

export function parseTrainConfig(text: string): TrainConfigResult {
  const parsed = parsePythonJson(text);
  if (!parsed.ok) return { ok: false, error: `train_config.json: ${parsed.error}` };
  if (!isObj(parsed.value)) return { ok: false, error: 'train_config.json: expected an object at the top level' };
  return { ok: true, value: trainConfigFromTree(parsed.value) };
}

/** A TrainPipelineConfig tree (train_config.json, or the config a LeRobot log prints) read as above. */
export function trainConfigFromTree(tree: Record<string, unknown>): TrainConfig {
  const policy = isObj(tree['policy']) ? tree['policy'] : {};
  const optimizer = isObj(tree['optimizer']) ? tree['optimizer'] : {};
  const dataset = isObj(tree['dataset']) ? tree['dataset'] : {};
  const settings: ConfigSettings = {};
  const batchSize = int(tree['batch_size']);
  if (batchSize !== null) settings.batchSize = batchSize;
  // With use_policy_training_preset the optimizer section is the policy's preset (optimizer_lr) anyway.
  const lr = num(optimizer['lr']) ?? num(policy['optimizer_lr']);
  if (lr !== null) settings.learningRate = lr;
  const steps = int(tree['steps']);
  if (steps !== null) settings.totalSteps = steps;
  const seed = int(tree['seed']);
  if (seed !== null) settings.seed = seed;
  const repo = Array.isArray(dataset['repo_id']) ? JSON.stringify(dataset['repo_id']) : str(dataset['repo_id']);
  if (repo !== null) settings.dataset = repo;
  let freezing: VisionFreezing | null = null;
  if (freezesVision(policy)) {
    const backbone = str(policy['vlm_model_name']);
    freezing = resolveVisionFreezing(policy, backbone === null ? null : (VISION_LAYER_COUNTS[backbone] ?? null));
  }
  const pretrained = str(policy['pretrained_path']);
  return { outputDir: str(tree['output_dir']), policyType: str(policy['type']), pretrainedPath: pretrained, settings, freezing, tree };
}
