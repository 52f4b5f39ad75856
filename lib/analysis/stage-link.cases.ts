// The one table of stage-link cases. Run against the pure rule (stage-link.test.ts), the forgetting
// analysis (forgetting.test.ts) and the store's parentRunId (tests/ingest/stage-link.test.ts).

export interface StageLinkCase {
  /** The previous stage's printed `📁 Output Directory`. */
  outputDir: string;
  /** The next stage's printed `📂 Loading from Task N: <resumePath>`. */
  resumePath: string;
  links: boolean;
}

const DIR = 'outputs/train/task1_moving_grasp/smolvla_sequential/run_20251106_144248';

export const STAGE_LINK_CASES: readonly StageLinkCase[] = [
  { outputDir: DIR, resumePath: `${DIR}/best`, links: true },
  { outputDir: DIR, resumePath: `${DIR}/final`, links: true },
  { outputDir: DIR, resumePath: `${DIR}/epoch15`, links: true },
  { outputDir: DIR, resumePath: DIR, links: true },
  { outputDir: DIR, resumePath: `${DIR}/`, links: true },
  { outputDir: DIR, resumePath: `${DIR}/best/`, links: true },
  { outputDir: DIR, resumePath: `./${DIR}/best`, links: true },
  { outputDir: `./${DIR}/`, resumePath: `${DIR}/final`, links: true },
  { outputDir: `${DIR}/`, resumePath: `./${DIR}/`, links: true },
  { outputDir: DIR.replace(/\//g, '\\'), resumePath: `${DIR}/best`, links: true },
  { outputDir: DIR, resumePath: `outputs//train/task1_moving_grasp/smolvla_sequential/run_20251106_144248/best`, links: true },
  // Relative vs absolute: the printed dir is relative to the trainer's working directory.
  { outputDir: DIR, resumePath: `/home/kuavo/kuavo_data_challenge/${DIR}/best`, links: true },
  { outputDir: `/home/kuavo/kuavo_data_challenge/${DIR}`, resumePath: `${DIR}/epoch3`, links: true },
  { outputDir: `/home/kuavo/other/${DIR}`, resumePath: `/home/kuavo/kuavo_data_challenge/${DIR}/best`, links: false },
  { outputDir: DIR, resumePath: `elsewhere/${DIR}/best`, links: false },
  // Not a checkpoint of the dir.
  { outputDir: 'a/run_1', resumePath: 'a/run_10/best', links: false },
  { outputDir: 'a/run_1', resumePath: 'a/run_1/other', links: false },
  { outputDir: 'a/run_1', resumePath: 'a/run_1/epoch', links: false },
  { outputDir: 'a/run_1', resumePath: 'a/run_1/best/model.safetensors', links: false },
  { outputDir: 'a/run_1', resumePath: 'a/run', links: false },
  { outputDir: 'a/run_1/best', resumePath: 'a/run_1', links: false },
  { outputDir: '.', resumePath: 'best', links: false },
];
