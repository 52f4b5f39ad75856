/**
 * Thaw's analysis layer: pure functions, data in, results out (no database, no React).
 * Each rule lives in one module with its test beside it:
 * - overfitting.ts  overfitting verdict per run (Keras/Lightning early-stopping vocabulary)
 * - checkpoints.ts  which saved checkpoint is nearest the validation best; what best/ costs
 * - strategy.ts     canonical strategy identity (resolved unfrozen-layer set), label, ordering
 * - grouping.ts     runs grouped by strategy, group summaries
 * - forgetting.ts   stage chains, the L[k][j] matrix, F_j and BWT, the trainer's own thresholds
 * - recommend.ts    strategies ranked by best validation next to the user's heuristic table
 * - series.ts       TensorBoard EMA smoothing and extreme-preserving downsampling
 * - validation.ts   which losses of a run count (own task, trend, final, best)
 * - uncertainty.ts  95% intervals of a strategy's best validation, distinguishability, runs to separate
 * - convergence.ts  epochs and training time to within 5% of a run's best validation
 * - cost.ts         training seconds per epoch (tqdm, printed minutes, ms/batch) and a run's cost
 * - pareto.ts       the (training time, best validation) Pareto front and its trade-off sentences
 * - curve-fit.ts    learning-curve families fitted on log loss (ml-levenberg-marquardt), robustly
 * - forecast.ts     a curve's level at its end: raw forecast, calibrated 80% interval, P(below a value)
 * - forecast-run.ts a run's deciding curve, finished runs as peers, the incumbent, backtest points
 * - forecast-answer.ts the answer for one run: forecast, pBeat, verdict, GPU minutes saved, sentence
 * - backtest.ts     backtests of finished runs, calibration, honest coverage and skill scores
 */
export type {
  AnalysisRun,
  CheckpointEvent,
  CheckpointKind,
  EpochPoint,
  LoadedFrom,
  Point,
  Retention,
  RunId,
  RunSeries,
  StageRun,
  StepLoss,
  StepLossFacts,
  StrategyInput,
  ValidationPoint,
  ValidationCurve,
  CurvePoint,
} from './types';

export {
  DEFAULT_OVERFITTING_OPTIONS,
  OPTIMISTIC_VALIDATION_NOTE,
  overfittingVerdict,
  relativeChange,
  type DivergencePoint,
  type OverfittingOptions,
  type OverfittingResult,
  type OverfittingVerdict,
} from './overfitting';

export {
  adviseCheckpoint,
  resolveCheckpointEpochs,
  type CheckpointAdvice,
  type CheckpointAdviceInput,
  type SavedCheckpoint,
  type SavedCheckpointKind,
} from './checkpoints';

export {
  DEFAULT_STRATEGY_KEY,
  DEFAULT_STRATEGY_LABEL,
  DEFAULT_TOTAL_LAYERS,
  compareStrategies,
  expandSpec,
  layerRangesLabel,
  layersKey,
  layersLabel,
  resolveLayers,
  strategyIdentity,
  type ResolvedLayers,
  type StrategyIdentity,
} from './strategy';

export { aggregate, groupRuns, type GroupSummary, type GroupingOptions, type StatSummary, type StrategyGroup } from './grouping';

export {
  TRAINER_RETENTION_THRESHOLDS,
  buildChains,
  chainForgetting,
  findParent,
  forgettingMatrix,
  independentTransfer,
  isCheckpointOf,
  linkStages,
  trainerRetention,
  type ForgettingResult,
  type StageValidations,
  type TaskForgetting,
  type TransferKind,
} from './forgetting';

export {
  HEURISTIC_TABLE,
  heuristicFor,
  rankedStatus,
  recommend,
  runningText,
  type Agreement,
  type HeuristicRow,
  type RankedRun,
  type RankedStrategy,
  type Recommendation,
  type Verdict,
  type RecommendOptions,
} from './recommend';

export { downsampleIndexes, downsampleMinMax, smoothEma, type SmoothedPoint } from './series';

export {
  bestValidation,
  finalValidation,
  isFiniteLoss,
  lastTrainLoss,
  latestTrainLoss,
  ownTaskId,
  trainLossAt,
  validationTrend,
  type BestValidation,
  type LossAtEpoch,
} from './validation';

export { fmt, pct } from './format';

export {
  CONFIDENCE,
  MAX_RUNS_TO_SEPARATE,
  commonSpread,
  distinguishable,
  estimateLogNoise,
  runsToSeparate,
  singleRunInterval,
  strategyInterval,
  tInterval,
  validationNoise,
  type Interval,
  type IntervalMethod,
  type NoIntervalReason,
  type NoiseEstimate,
  type RunsToSeparate,
} from './uncertainty';

export { CONVERGENCE_TOLERANCE, convergence, type Convergence } from './convergence';

export {
  epochTrainingSeconds,
  minutesPerStep,
  runCost,
  type EpochSeconds,
  type EpochTimingInput,
  type RunCost,
  type StepTiming,
  type TimingSource,
} from './cost';

export { dominates, paretoFront, tradeoffSentences, type ParetoPoint, type TradeoffMember } from './pareto';

export {
  INTERVAL_LEVEL,
  LEVEL_WINDOW,
  MIN_POINTS,
  cleanPoints,
  levelAt,
  mergePoints,
  seenAt,
  type Calibration,
  type WeightedPoint,
} from './forecast';

export {
  CORRECTING_PEERS,
  FINISHED_STATUSES,
  PEER_GRID,
  finishedCurve,
  forecastFraction,
  gridAround,
  isFinished,
  runCurve,
  strategyKeyOf,
  type BacktestPoint,
  type FinishedCurve,
  type ForecastAxis,
  type ForecastMetric,
  type ForecastRun,
  type Incumbent,
} from './forecast-run';

export { UNLIKELY_P, forecastRun, lossText, type ForecastVerdict, type OverfittingForecast, type RunForecast } from './forecast-answer';

export {
  BACKTEST_FRACTIONS,
  MIN_CALIBRATION_CASES,
  backtestCases,
  calibrationsFromCases,
  servedCases,
  summarizeBacktest,
  type BacktestCase,
  type BacktestSummary,
  type ForecastCalibration,
} from './backtest';
