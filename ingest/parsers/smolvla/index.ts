// kuavo_train/train_smolvla_sequential.py and its policy wrapper (log-formats §1, §2), every version on
// both lineages, plus the short-lived train_smolvla_enhanced.py clone (§4.5).
//
// Ordering (§0.1): stdout is block-buffered, tqdm (stderr) is not. Everything that needs an epoch takes
// it from stdout lines only (the latest `Epoch N/M` / `Epoch N Average Loss`), which are in order among
// themselves; tqdm frames carry their own epoch in their description.
//
// rules.ts recognises lines, run.ts applies them to the run, strategy.ts assembles the freeze strategy.
import type { FormatParser } from '../types';
import type { SmolvlaLine } from './lines';
import { apply, role, startsNewProcess } from './run';
import { canonicalTrainingFrame, recognise } from './rules';
import { initialState, type SmolvlaState } from './state';

export type { SmolvlaLine } from './lines';
export type { SmolvlaState } from './state';

export const smolvlaParser: FormatParser<SmolvlaState, SmolvlaLine> = {
  format: 'smolvla_sequential',
  stdoutBuffered: true,
  recognise,
  fastFrame: canonicalTrainingFrame,
  role,
  startsNewProcess,
  initialState,
  apply,
};
