import { describe, expect, it } from 'vitest';
import {
  buildChains,
  chainForgetting,
  findParent,
  forgettingMatrix,
  independentTransfer,
  isCheckpointOf,
  trainerRetention,
  type StageValidations,
} from './forgetting';
import { STAGE_LINK_CASES } from './stage-link.cases';
import { loadSample } from './test-samples';
import type { StageRun, ValidationPoint } from './types';

function finals(epoch: number, losses: Record<number, number | null>): ValidationPoint[] {
  return Object.entries(losses).map(([taskId, loss]) => ({ epoch, final: true, taskId: Number(taskId), loss }));
}

function stage(id: string, taskId: number, validations: ValidationPoint[], link: Partial<StageRun> = {}): StageRun & StageValidations {
  return {
    id,
    taskId,
    outputDir: `outputs/train/task${taskId}/smolvla_sequential/run_${id}`,
    loadedFrom: 'pretrained',
    resumeTaskId: null,
    resumePath: null,
    validations,
    ...link,
  };
}

describe("trainerRetention (the trainer's thresholds)", () => {
  it('< 0.7 retained, < 1.0 slight degradation, else significant (NaN/inf too)', () => {
    expect(trainerRetention(0.69)).toBe('retained');
    expect(trainerRetention(0.7)).toBe('slight_degradation');
    expect(trainerRetention(0.99)).toBe('slight_degradation');
    expect(trainerRetention(1.0)).toBe('significant_forgetting');
    expect(trainerRetention(Number.NaN)).toBe('significant_forgetting');
    expect(trainerRetention(Infinity)).toBe('significant_forgetting');
    expect(trainerRetention(null)).toBe('significant_forgetting');
  });
});

describe('linking stages', () => {
  // The one table of stage-link cases (stage-link.cases.ts), applied through findParent.
  it.each(STAGE_LINK_CASES)('findParent: $resumePath → $outputDir: $links', ({ outputDir, resumePath, links }) => {
    const parent = stage('p', 1, [], { outputDir });
    const child = stage('c', 2, [], { loadedFrom: 'task', resumeTaskId: 1, resumePath });
    expect(findParent(child, [parent, child])).toBe(links ? 'p' : null);
    expect(isCheckpointOf(outputDir, resumePath)).toBe(links);
  });

  const a = stage('a', 1, []);
  const b = stage('b', 2, [], { loadedFrom: 'task', resumeTaskId: 1, resumePath: `${a.outputDir}/best` });
  const c = stage('c', 3, [], { loadedFrom: 'task', resumeTaskId: 2, resumePath: `${b.outputDir}/epoch10` });
  const d = stage('d', 2, [], { loadedFrom: 'task', resumeTaskId: 1, resumePath: `${a.outputDir}/best` });
  const e = stage('e', 3, [], { loadedFrom: 'pretrained', resumePath: `${b.outputDir}/best` });
  const f = stage('f', 4, [], { parentRunId: 'e', loadedFrom: 'task', resumePath: 'elsewhere/best' });

  it('findParent: path prefix for loadedFrom task; explicit parentRunId wins; pretrained has none', () => {
    const runs = [a, b, c, d, e, f];
    expect(findParent(a, runs)).toBeNull();
    expect(findParent(b, runs)).toBe('a');
    expect(findParent(c, runs)).toBe('b');
    expect(findParent(e, runs)).toBeNull();
    expect(findParent(f, runs)).toBe('e');
  });

  it('findParent prefers the resumed task, then the longest dir, then the latest run', () => {
    const shared = 'outputs/train/smolvla_sequential/task1_moving_grasp'; // pre-30be945: one dir per task
    const old1 = stage('old1', 1, [], { outputDir: shared });
    const old2 = stage('old2', 1, [], { outputDir: shared });
    const other = stage('other', 5, [], { outputDir: shared });
    const child = stage('child', 2, [], { loadedFrom: 'task', resumeTaskId: 1, resumePath: `${shared}/best` });
    expect(findParent(child, [old1, other, old2, child])).toBe('old2');
    expect(findParent(child, [old2, old1, child])).toBe('old1');
    expect(findParent({ ...child, resumeTaskId: 5 }, [old1, other, old2, child])).toBe('other');
    const parentDir = stage('p', 1, [], { outputDir: 'x' });
    const nested = stage('n', 1, [], { outputDir: 'x/best' });
    expect(findParent({ ...child, resumePath: 'x/best' }, [nested, parentDir, child])).toBe('n');
  });

  it('buildChains: every root-to-leaf path', () => {
    expect(buildChains([a, b, c, d, e, f])).toEqual([
      ['a', 'b', 'c'],
      ['a', 'd'],
      ['e', 'f'],
    ]);
    expect(buildChains([b, c])).toEqual([['b', 'c']]); // parent not loaded: b is a root
  });

  it('buildChains survives a cycle in bad data', () => {
    const x = stage('x', 1, [], { parentRunId: 'y' });
    const y = stage('y', 2, [], { parentRunId: 'x' });
    expect(buildChains([x, y])).toEqual([]);
    const z = stage('z', 1, [], { parentRunId: 'z' });
    expect(buildChains([z])).toEqual([['z']]);
  });
});

describe('forgettingMatrix on a hand-computed 3×3', () => {
  // L = [[0.30,  –  ,  –  ],
  //      [0.28, 0.25,  –  ],
  //      [0.75, 0.40, 0.20]]
  const s1 = stage('s1', 1, finals(10, { 1: 0.3 }));
  const s2 = stage('s2', 2, finals(10, { 1: 0.28, 2: 0.25 }), {
    loadedFrom: 'task',
    resumeTaskId: 1,
    resumePath: `${s1.outputDir}/best`,
  });
  const s3 = stage('s3', 3, finals(10, { 1: 0.75, 2: 0.4, 3: 0.2 }), {
    loadedFrom: 'task',
    resumeTaskId: 2,
    resumePath: `${s2.outputDir}/best`,
  });

  it('F_j = L[K][j] − min_{k<K} L[k][j]; BWT = mean_j (L[K][j] − L[j][j])', () => {
    const r = forgettingMatrix([s1, s2, s3]);
    expect(r.kind).toBe('forgetting');
    expect(r.taskIds).toEqual([1, 2, 3]);
    expect(r.matrix).toEqual([
      [0.3, null, null],
      [0.28, 0.25, null],
      [0.75, 0.4, 0.2],
    ]);
    expect(r.perTask.map((t) => t.taskId)).toEqual([1, 2]);
    const [t1, t2] = r.perTask;
    expect(t1?.bestBefore).toBe(0.28); // task 1 improved while training task 2
    expect(t1?.afterTraining).toBe(0.3);
    expect(t1?.forgetting).toBeCloseTo(0.47, 12); // 0.75 − 0.28
    expect(t1?.backwardTransfer).toBeCloseTo(0.45, 12); // 0.75 − 0.30
    expect(t1?.trainerStatus).toBe('slight_degradation');
    expect(t2?.forgetting).toBeCloseTo(0.15, 12); // 0.40 − 0.25
    expect(t2?.backwardTransfer).toBeCloseTo(0.15, 12);
    expect(t2?.trainerStatus).toBe('retained');
    expect(r.bwt).toBeCloseTo(0.3, 12); // (0.45 + 0.15) / 2
    expect(r.meanForgetting).toBeCloseTo(0.31, 12); // (0.47 + 0.15) / 2
    expect(r.fallbackCells).toEqual([]);
  });

  it('chainForgetting labels linked stages as forgetting', () => {
    const runs = [s1, s2, s3];
    const [chain] = buildChains(runs);
    expect(chain).toEqual(['s1', 's2', 's3']);
    const r = chainForgetting(chain ?? [], runs);
    expect(r.kind).toBe('forgetting');
    expect(r.bwt).toBeCloseTo(0.3, 12);
  });

  it('the same matrix from independent runs is zero-shot transfer, not forgetting', () => {
    const independent = [s3, s1, s2].map((s) => ({ ...s, loadedFrom: 'pretrained', resumePath: null }));
    const r = independentTransfer(independent);
    expect(r.kind).toBe('zero_shot_transfer');
    expect(r.stageRunIds).toEqual(['s1', 's2', 's3']);
    expect(r.matrix).toEqual(forgettingMatrix([s1, s2, s3]).matrix);
    expect(r.bwt).toBeCloseTo(0.3, 12);
    expect(r.note).toContain('zero-shot transfer');
    expect(chainForgetting(['s1', 's2', 's3'], independent).kind).toBe('zero_shot_transfer');
  });

  it('prefixes: forgetting after stage 2', () => {
    const r = forgettingMatrix([s1, s2]);
    expect(r.perTask).toHaveLength(1);
    expect(r.perTask[0]?.forgetting).toBeCloseTo(-0.02, 12); // 0.28 − 0.30: negative = it got better
    expect(r.bwt).toBeCloseTo(-0.02, 12);
  });
});

describe('forgettingMatrix edge cases', () => {
  it('falls back to the last per-epoch validation when a stage has no final block', () => {
    const s1 = stage('s1', 1, finals(5, { 1: 0.3 }));
    const s2 = stage('s2', 2, [
      { epoch: 2, final: false, taskId: 1, loss: 0.5 },
      { epoch: 4, final: false, taskId: 1, loss: 0.6 },
      { epoch: 4, final: false, taskId: 2, loss: 0.2 },
    ]);
    const r = forgettingMatrix([s1, s2]);
    expect(r.matrix).toEqual([
      [0.3, null],
      [0.6, 0.2],
    ]);
    expect(r.fallbackCells).toEqual([
      { stage: 1, taskId: 1 },
      { stage: 1, taskId: 2 },
    ]);
    expect(r.perTask[0]?.forgetting).toBeCloseTo(0.3, 12);
  });

  it('a NaN final validation stays NaN: no F_j, trainer says significant forgetting', () => {
    const s1 = stage('s1', 1, finals(5, { 1: 0.3 }));
    const s2 = stage('s2', 2, finals(5, { 1: null, 2: 0.2 }));
    const r = forgettingMatrix([s1, s2]);
    expect(r.matrix[1]?.[0]).toBeNaN();
    expect(r.perTask[0]?.forgetting).toBeNull();
    expect(r.perTask[0]?.trainerStatus).toBe('significant_forgetting');
    expect(r.bwt).toBeNull();
    expect(r.meanForgetting).toBeNull();
  });

  it('a missing cell is null with no trainer status; a single stage has nothing to forget', () => {
    const s1 = stage('s1', 1, finals(5, { 1: 0.3 }));
    const s2 = stage('s2', 2, finals(5, { 2: 0.2 }));
    expect(forgettingMatrix([s1, s2]).perTask[0]).toMatchObject({ atEnd: null, forgetting: null, trainerStatus: null });
    const one = forgettingMatrix([s1]);
    expect(one.perTask).toEqual([]);
    expect(one.bwt).toBeNull();
    expect(forgettingMatrix([]).matrix).toEqual([]);
  });
});

describe('the three samples as one sequential chain (task 2 resumed from 1, task 3 from 2)', () => {
  it('uses their final validation blocks', () => {
    const names = ['sample_task1_unfreeze8_overfit', 'sample_task2_unfreeze4_buffered', 'sample_task3_ratio50_final_only'] as const;
    const runs = names.map((n, k) => {
      const s = loadSample(n);
      return {
        id: n,
        taskId: s.taskId,
        outputDir: s.outputDir,
        loadedFrom: k === 0 ? 'pretrained' : 'task',
        resumeTaskId: k === 0 ? null : k,
        resumePath: null,
        parentRunId: k === 0 ? null : names[k - 1],
        validations: s.validations,
      };
    });
    const [chain] = buildChains(runs);
    const r = chainForgetting(chain ?? [], runs);
    expect(r.kind).toBe('forgetting');
    expect(r.matrix).toEqual([
      [0.6401, null, null],
      [0.4108, 0.0353, null],
      [0.9188, 0.5923, 0.0357],
    ]);
    const [t1, t2] = r.perTask;
    expect(t1?.forgetting).toBeCloseTo(0.9188 - 0.4108, 12);
    expect(t2?.forgetting).toBeCloseTo(0.5923 - 0.0353, 12);
    expect(r.bwt).toBeCloseTo((0.9188 - 0.6401 + (0.5923 - 0.0353)) / 2, 12);
    expect(t1?.trainerStatus).toBe('slight_degradation');
    expect(t2?.trainerStatus).toBe('retained');
  });
});
