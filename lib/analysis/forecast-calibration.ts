import type { Calibration } from './forecast';
export const BUILT_IN_CALIBRATION: Calibration = { source: 'built_in', runs: 0, cases: 0, z: [-1.5, -0.5, 0, 0.5, 1.5] };
