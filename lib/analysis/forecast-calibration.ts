/**
 * The calibrations a forecast uses until Thaw has backtested enough finished runs of its own
 * (backtest.ts MIN_CALIBRATION_CASES): those of the backtests of the learning curves Thaw's forecast is
 * proven on (lib/analysis/test-curves.ts: real training logs from public repositories, the LeRobot,
 * sample and run-directory fixtures), forecast from 25, 50 and 75% of each — 'absolute' without, 'peer'
 * with the correction by finished runs of the same group (backtest.ts).
 * lib/analysis/forecast-proof.test.ts recomputes them and fails when they drift (regenerate with
 * `THAW_PRINT_CALIBRATION=1 npx vitest run lib/analysis/forecast-proof.test.ts -t built-in`).
 */
import type { Calibration } from './forecast';
import type { ForecastCalibration } from './backtest';

const ABSOLUTE: Calibration = Object.freeze({
  source: 'built_in',
  runs: 52,
  cases: 136,
  tau: 0.5,
  z: Object.freeze([
    -0.606, -0.404, -0.39, -0.388, -0.36, -0.275, -0.268, -0.267, -0.263, -0.262, -0.262, -0.262, -0.261, -0.261, -0.26, -0.26, -0.26,
    -0.26, -0.26, -0.259, -0.258, -0.256, -0.255, -0.255, -0.253, -0.252, -0.25, -0.247, -0.247, -0.241, -0.226, -0.222, -0.221, -0.22,
    -0.22, -0.22, -0.212, -0.21, -0.198, -0.197, -0.191, -0.191, -0.189, -0.189, -0.188, -0.187, -0.187, -0.182, -0.181, -0.18, -0.179,
    -0.178, -0.178, -0.175, -0.174, -0.173, -0.173, -0.173, -0.169, -0.166, -0.165, -0.164, -0.163, -0.159, -0.158, -0.157, -0.156, -0.156,
    -0.155, -0.155, -0.155, -0.152, -0.152, -0.152, -0.15, -0.147, -0.147, -0.147, -0.147, -0.146, -0.145, -0.14, -0.137, -0.136, -0.136,
    -0.135, -0.135, -0.134, -0.134, -0.134, -0.134, -0.132, -0.132, -0.13, -0.122, -0.092, -0.09, -0.087, -0.087, -0.087, -0.086, -0.085,
    -0.084, -0.084, -0.083, -0.07, -0.07, -0.052, -0.039, -0.028, -0.023, -0.021, -0.021, -0.015, -0.012, -0.012, -0.008, -0.008, 0.001,
    0.002, 0.006, 0.01, 0.011, 0.011, 0.02, 0.028, 0.064, 0.073, 0.08, 0.103, 0.105, 0.115, 0.139, 0.334, 0.411, 1.988,
  ]),
});

const PEER: Calibration = Object.freeze({
  source: 'built_in',
  runs: 35,
  cases: 95,
  tau: 0.02,
  z: Object.freeze([
    -1.563, -0.9, -0.528, -0.447, -0.143, -0.121, -0.079, -0.077, -0.069, -0.068, -0.065, -0.057, -0.053, -0.046, -0.045, -0.04, -0.027,
    -0.024, -0.021, -0.019, -0.018, -0.018, -0.017, -0.016, -0.016, -0.015, -0.015, -0.014, -0.012, -0.01, -0.008, -0.007, -0.007, -0.006,
    -0.005, -0.005, -0.004, -0.004, -0.004, -0.004, -0.003, -0.002, -0.002, -0.001, -0.001, -0.001, -0.001, -0.001, 0.001, 0.001, 0.002,
    0.002, 0.002, 0.003, 0.003, 0.004, 0.004, 0.004, 0.004, 0.005, 0.006, 0.006, 0.006, 0.007, 0.009, 0.01, 0.011, 0.011, 0.011, 0.011,
    0.011, 0.011, 0.011, 0.014, 0.015, 0.015, 0.015, 0.019, 0.021, 0.021, 0.021, 0.021, 0.022, 0.023, 0.026, 0.035, 0.046, 0.055, 0.128,
    0.135, 0.155, 0.173, 0.63, 0.92, 1.899,
  ]),
});

export const BUILT_IN_CALIBRATIONS: ForecastCalibration = Object.freeze({ absolute: ABSOLUTE, peer: PEER });
