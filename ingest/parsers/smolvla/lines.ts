// The record types the SmolVLA recogniser (rules.ts) produces and the appliers (run.ts, strategy.ts)
// consume. One variant per line form of log-formats §1 and §2.
import type { Retention, RunInfo } from '../../events';

export type RequestedKind = 'unfreeze' | 'freeze' | 'ratio';

export type SmolvlaLine =
  | {
      k: 'frame';
      epoch: number;
      n: number;
      total: number | null;
      loss: number | null;
      lr: number | null;
      procMs: number | null;
      elapsedS: number | null;
    }
  | { k: 'idle_bar' }
  | { k: 'header'; stage: number }
  | { k: 'info'; info: Partial<RunInfo> }
  | { k: 'epoch_header'; epoch: number; total: number }
  | { k: 'epoch_loss'; epoch: number; loss: number }
  | { k: 'epoch_minutes'; epoch: number; minutes: number }
  | { k: 'ms_per_batch'; value: number }
  | { k: 'samples_per_sec'; value: number }
  | { k: 'validation_block' }
  | { k: 'final_validation' }
  | { k: 'validation_loss'; taskId: number; loss: number }
  | { k: 'retention'; taskId: number; retention: Retention; loss: number }
  | { k: 'saving_model'; path: string }
  | { k: 'best_saved'; loss: number }
  | { k: 'checkpoint_saved'; epoch: number }
  | { k: 'final_saved' }
  | { k: 'completed' }
  | { k: 'best_loss'; loss: number }
  | { k: 'model_saved_to'; path: string }
  | { k: 'freeze_encoder'; value: boolean }
  | { k: 'requested_strategy'; kind: RequestedKind; spec: number[] | number }
  | { k: 'flex_banner' }
  | { k: 'flex_reapply' }
  | { k: 'total_layers'; total: number }
  | { k: 'flex_strategy'; kind: 'unfreeze' | 'freeze'; spec: number[] }
  | { k: 'flex_ratio'; ratio: number; count: number }
  | { k: 'index_out_of_range'; message: string }
  | { k: 'bad_ratio'; ratio: number | null; message: string }
  | { k: 'flex_done' }
  | { k: 'layer_count'; frozen: boolean; count: number; total: number }
  | { k: 'layer_list'; frozen: boolean; indices: number[] }
  | { k: 'flex_failure'; message: string }
  | { k: 'partial_too_many'; n: number; total: number }
  | { k: 'partial_applied' }
  | { k: 'partial_total'; total: number }
  | { k: 'partial_range'; frozen: boolean; from: number; to: number; count: number }
  | { k: 'vision_params'; trainable: number; total: number }
  | { k: 'partial_failure'; message: string }
  | { k: 'init_unfreeze_last'; n: number };
