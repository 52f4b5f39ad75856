// LeRobot console logs made from the real printed-config fixture (tests/fixtures/lerobot-config): the
// same v0.3.3 run (its config printed, 2,000 steps, a record every 200), as another run — vision
// encoder frozen or not, on another dataset or output dir — optionally with LeRobot v0.6's inline
// `step N: eval_loss=…` after every record (held-out loss by step). Used by the strategies tests and the
// realistic mix (testkit/mix.ts).
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const PRINTED_CONFIG_LOG = path.resolve(import.meta.dirname, '../../tests/fixtures/lerobot-config/smolvla_printed_config.log');
const FIXTURE_DATASET = 'kuavo/task2_weighing_lerobot';
const FIXTURE_NAME = 'smolvla_weighing_unfrozen';

export interface LerobotConfigLogOptions {
  /** Names the run: its output dir and job name (`outputs/train/<name>`). */
  name: string;
  /** `freeze_vision_encoder` and `train_expert_only` (the fixture: both False). */
  frozen: boolean;
  /** `dataset.repo_id` (the fixture: kuavo/task2_weighing_lerobot). */
  dataset?: string;
  /** The held-out loss at a step, printed after each record as v0.6 does; left out: none. */
  evalLoss?: (step: number) => number;
}

/** The fixture's log text rewritten as another run (see the module note). */
export async function lerobotConfigLog(options: LerobotConfigLogOptions): Promise<string> {
  let text = await readFile(PRINTED_CONFIG_LOG, 'utf8');
  if (options.frozen)
    text = text
      .replace("'freeze_vision_encoder': False", "'freeze_vision_encoder': True")
      .replace("'train_expert_only': False", "'train_expert_only': True");
  if (options.dataset) text = text.replaceAll(FIXTURE_DATASET, options.dataset);
  text = text.replaceAll(FIXTURE_NAME, options.name);
  const evalLoss = options.evalLoss;
  if (!evalLoss) return text;
  const lines = text.split('\n').flatMap((line) => {
    const record = / ts\/train\.py:232 step:\S+ smpl:(\d+)K /.exec(line);
    if (!record) return [line];
    const step = Math.round((Number(record[1]) * 1000) / 32 / 200) * 200;
    return [line, `${line.slice(0, 24)} ot_train.py:673 step ${step}: eval_loss=${evalLoss(step).toFixed(4)}`];
  });
  return lines.join('\n');
}
