/**
 * The forecast's thresholds that the pages also name (kept apart from the fitting code, so a page that
 * words them does not pull the curve fitter into the browser).
 */

/** Fewer backtests of an installation's own finished runs than this: Thaw's built-in calibration is used (backtest.ts). */
export const MIN_CALIBRATION_CASES = 30;
