// How a run's strategy reads on the pages: its layers, a strategy not applied, a SmolVLA/LeRobot run that
// did not print its strategy, or a kind of run that has none. Its own module (types only) because the
// runs table's client components import it: strategy-view.ts would bring the analysis layer along.
import type { StrategyView } from '../api/schemas/common';

/**
 * Run formats whose runs fine-tune SmolVLA and so have a vision-freeze strategy (the team's sequential
 * trainer, LeRobot's `lerobot-train`): when nothing recorded one, the run did not print it.
 */
const FREEZING_FORMATS: ReadonlySet<string> = new Set(['smolvla_sequential', 'lerobot']);

/** What a run without any vision-freeze strategy (a Keras classifier, a PPO agent) shows. */
export const NO_STRATEGY_LABEL = 'no freeze strategy recorded';

export type StrategyState = 'known' | 'unknown' | 'not-applied' | 'none';

/**
 * How a run's strategy reads on the pages (one rule, for the runs table and the run page): the layers it
 * trained (`known`); a strategy the trainer did not apply (`not-applied`); a SmolVLA/LeRobot run that did
 * not print its strategy (`unknown`, "default (unknown)": the trainer's default); or a kind of run that has
 * no vision-freeze strategy at all (`none`: not the SmolVLA or LeRobot trainer's, and neither its log nor
 * its config recorded one), said plainly, without a layer strip. `format` unknown (null): never `none`.
 * The API's key and label stay "default" / "default (unknown)" for both of the last two.
 */
export function strategyShown(
  strategy: Pick<StrategyView, 'label' | 'known' | 'applied' | 'recorded'>,
  format: string | null | undefined,
): { state: StrategyState; label: string } {
  if (!strategy.applied) return { state: 'not-applied', label: strategy.label };
  if (strategy.known) return { state: 'known', label: strategy.label };
  if (!strategy.recorded && format != null && !FREEZING_FORMATS.has(format)) return { state: 'none', label: NO_STRATEGY_LABEL };
  return { state: 'unknown', label: strategy.label };
}
