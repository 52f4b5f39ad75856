import { describe, expect, it } from 'vitest';
import { HEURISTIC_TABLE, heuristicFor, rankedStatus, recommend } from './recommend';
import { fmtLoss } from './format';
import { SAMPLE_NAMES, loadSample } from './test-samples';
import type { AnalysisRun, StrategyInput } from './types';

function strat(kind: string, spec: number[] | number | null): StrategyInput {
  return { kind, spec, totalLayers: 12, frozen: [], unfrozen: [], applied: true };
}

/** A run whose own-task per-epoch validation is `val`. */
function run(id: string, strategy: StrategyInput | null, val: (number | null)[], extra: Partial<AnalysisRun> = {}): AnalysisRun {
  return {
    id,
    taskId: 1,
    strategy,
    datasetFrames: 2560,
    epochs: val.map((_, i) => ({ epoch: i + 1, trainLoss: 1 / (i + 1) })),
    validations: val.map((loss, i) => ({ epoch: i + 1, final: false, taskId: 1, loss })),
    ...extra,
  };
}

describe("HEURISTIC_TABLE (the user's notes, 策略对比表)", () => {
  it('has the six rows of the notes', () => {
    expect(HEURISTIC_TABLE.map((r) => [r.nameZh, r.minLayers, r.maxLayers, r.minEpisodes, r.maxEpisodes])).toEqual([
      ['极保守', 3, 4, 0, 500],
      ['保守', 6, 6, 500, 1000],
      ['平衡偏保守', 8, 8, 1000, 1500],
      ['平衡（当前）', 9, 9, 1500, 2500],
      ['激进', 10, 10, 2500, 4000],
      ['极激进', 11, 11, 4000, Infinity],
    ]);
    expect(HEURISTIC_TABLE.filter((r) => r.isDefault).map((r) => r.spec)).toEqual([[-1, -2, -3, -4, -5, -6, -7, -8, -9]]);
    expect(HEURISTIC_TABLE[0]?.spec).toEqual([-1, -2, -3, -4]);
  });

  it('heuristicFor uses half-open ranges', () => {
    expect(heuristicFor(0)?.nameZh).toBe('极保守');
    expect(heuristicFor(499)?.nameZh).toBe('极保守');
    expect(heuristicFor(500)?.nameZh).toBe('保守');
    expect(heuristicFor(2000)?.name).toBe('balanced');
    expect(heuristicFor(2500)?.nameZh).toBe('激进');
    expect(heuristicFor(4000)?.nameZh).toBe('极激进');
    expect(heuristicFor(1e6)?.nameZh).toBe('极激进');
    expect(heuristicFor(-1)).toBeNull();
    expect(heuristicFor(null)).toBeNull();
    expect(heuristicFor(Number.NaN)).toBeNull();
  });
});

describe('recommend', () => {
  const runs: AnalysisRun[] = [
    run('a1', strat('last_n', 8), [0.3, 0.11, 0.2], { episodes: 2000 }),
    run('a2', strat('unfreeze', [-1, -2, -3, -4, -5, -6, -7, -8]), [0.3, 0.13], { episodes: 2000 }),
    run('b', strat('last_n', 4), [0.4, 0.1], { episodes: 2000 }),
    run('c', strat('freeze', [0, 1, 2]), [], { episodes: 2000 }),
    run('d', null, [0.2], { episodes: 2000 }),
  ];

  it('ranks strategies by mean best validation, with n; no evidence last', () => {
    const [rec] = recommend(runs);
    expect(rec?.ranking.map((r) => [r.rank, r.label, r.n, r.runs])).toEqual([
      [1, 'unfreeze 4/12 · L8–L11', 1, 1],
      [2, 'unfreeze 8/12 · L4–L11', 2, 2],
      [3, 'default (unknown)', 1, 1],
      [4, 'unfreeze 9/12 · L3–L11', 0, 1],
    ]);
    const second = rec?.ranking[1];
    expect(second?.bestValidationMean).toBeCloseTo(0.12, 12); // (0.11 + 0.13) / 2
    expect(second?.bestValidationMin).toBe(0.11);
    expect(second?.bestValidationMax).toBe(0.13);
    expect(second?.runIds).toEqual(['a1', 'a2']);
    expect(rec?.ranking[3]?.bestValidationMean).toBeNull();
  });

  it('shows the heuristic row beside the evidence', () => {
    const [rec] = recommend(runs);
    expect(rec?.episodes).toBe(2000);
    expect(rec?.episodesSource).toBe('given');
    expect(rec?.heuristic?.minLayers).toBe(9);
    expect(rec?.agreement).toBe('fewer_layers');
    // single runs with one or two epochs: no interval, so no winner is named
    expect(rec?.verdict).toBe('not_distinguishable');
    expect(rec?.summary).toBe(
      'For task 1 (2560 frames): no winner yet: unfreeze 4/12 · L8–L11, unfreeze 8/12 · L4–L11, default (unknown) are not ' +
        // log scale: d = ln(0.1196/0.1) = 0.179 (geometric mean of 0.11, 0.13), pooled log sd 0.118 → 10 runs each
        'distinguishable (95% intervals overlap); about 10 runs each (9 more runs) would likely separate the first two; ' +
        "the notes' rule of thumb for 2000 episodes is 9 layers (balanced, the notes' current default).",
    );
    expect(recommend(runs.map((r) => ({ ...r, episodes: 100 })))[0]?.agreement).toBe('agrees'); // 3-4 layers
    const eight = [runs[0], runs[1]].filter((r): r is AnalysisRun => r !== undefined);
    const [agree] = recommend(eight.map((r) => ({ ...r, episodes: 1200 })));
    expect(agree?.heuristic?.minLayers).toBe(8);
    expect(agree?.agreement).toBe('agrees');
    expect(recommend(eight.map((r) => ({ ...r, episodes: 100 })))[0]?.agreement).toBe('more_layers');
  });

  it('ties go to fewer trainable layers', () => {
    const [rec] = recommend([run('x', strat('last_n', 9), [0.2]), run('y', strat('last_n', 6), [0.2])]);
    expect(rec?.ranking.map((r) => r.trainableLayers)).toEqual([6, 9]);
  });

  it("places a task by its annotated episodes: after the logs' own count, before the frames estimate", () => {
    const taskEpisodes = new Map([[1, 1200]]);
    const [task] = recommend([run('x', strat('last_n', 8), [0.2])], { taskEpisodes, framesPerEpisode: 100 });
    expect(task?.episodes).toBe(1200);
    expect(task?.episodesSource).toBe('task');
    expect(task?.heuristic?.minEpisodes).toBe(1000);
    expect(task?.summary).toContain("the notes' rule of thumb for 1200 episodes is 8 layers");
    const [logged] = recommend([run('x', strat('last_n', 8), [0.2], { episodes: 300 })], { taskEpisodes });
    expect(logged?.episodesSource).toBe('given');
    expect(logged?.episodes).toBe(300);
    const [other] = recommend([run('x', strat('last_n', 8), [0.2], { taskId: 2 })], { taskEpisodes });
    expect(other?.episodes).toBeNull();
  });

  it('estimates episodes from frames when asked, else has no row', () => {
    const [est] = recommend([run('x', strat('last_n', 4), [0.2])], { framesPerEpisode: 100 });
    expect(est?.episodes).toBe(26); // round(2560 / 100)
    expect(est?.episodesSource).toBe('estimated');
    expect(est?.heuristic?.nameZh).toBe('极保守');
    expect(est?.agreement).toBe('agrees');
    expect(est?.summary).toContain("the notes' rule of thumb for ~26 episodes is 3-4 layers (very conservative).");
    const [none] = recommend([run('x', strat('last_n', 4), [0.2])]);
    expect(none?.heuristic).toBeNull();
    expect(none?.agreement).toBeNull();
    expect(none?.verdict).toBe('single_strategy');
    expect(none?.summary).toBe(
      'For task 1 (2560 frames): only unfreeze 4/12 · L8–L11 has a validation loss (mean best validation 0.2000, one run, ' +
        "too few epochs for an interval): nothing to compare it with yet; the notes' rule of thumb needs the episode count.",
    );
  });

  it('buckets by task and dataset size, sorted', () => {
    const recs = recommend([
      run('x', strat('last_n', 4), [0.2], { taskId: 2, validations: [{ epoch: 1, final: true, taskId: 2, loss: 0.3 }] }),
      run('y', strat('last_n', 4), [0.2], { datasetFrames: 1000 }),
      run('z', strat('last_n', 4), [0.2]),
      run('w', strat('last_n', 4), [], { datasetFrames: null }),
    ]);
    expect(recs.map((r) => [r.taskId, r.datasetFrames])).toEqual([
      [1, 1000],
      [1, 2560],
      [1, null],
      [2, 2560],
    ]);
    expect(recs[3]?.ranking[0]?.bestValidationMean).toBe(0.3); // final-only run
    expect(recs[2]?.summary).toBe(
      "For task 1 (unknown dataset size): no run has a validation loss yet; the notes' rule of thumb needs the episode count.",
    );
  });

  it('the three samples: one task each, ranked by their own-task best validation', () => {
    const recs = recommend(
      SAMPLE_NAMES.map((name) => ({ id: name, ...loadSample(name), datasetFrames: name.includes('task3') ? 1920 : 2560 })),
    );
    expect(recs.map((r) => [r.taskId, r.ranking[0]?.label, r.ranking[0]?.bestValidationMean])).toEqual([
      [1, 'unfreeze 8/12 · L4–L11', 0.1098],
      [2, 'unfreeze 4/12 · L8–L11', 0.0348],
      [3, 'unfreeze 6/12 · L6–L11', 0.0357],
    ]);
  });

  it('runs without a task id are ranked per dataset when the caller faces them so (facetOf), and say which', () => {
    const lerobot = (id: string, layers: number, dataset: string, val: number[]) =>
      run(id, strat('last_n', layers), val, {
        taskId: null,
        dataset,
        datasetFrames: 12005,
        validations: val.map((loss, i) => ({ epoch: i + 1, final: false, taskId: 1, loss })),
      });
    const runs = [
      lerobot('p', 4, 'kuavo/pick', [0.3, 0.2]),
      lerobot('q', 8, 'kuavo/pick', [0.3, 0.25]),
      lerobot('w', 4, 'kuavo/weigh', [0.3, 0.1]),
    ];
    const facetOf = (r: AnalysisRun) => `${r.taskId ?? `dataset:${r.dataset}`}|${r.datasetFrames}`;
    const recs = recommend(runs, { facetOf });
    expect(recs.map((r) => [r.taskId, r.dataset, r.ranking.map((x) => x.runIds)])).toEqual([
      [null, 'kuavo/pick', [['p'], ['q']]],
      [null, 'kuavo/weigh', [['w']]],
    ]);
    expect(recs[0]?.summary).toMatch(/^For dataset kuavo\/pick \(12005 frames\): /);
    // without the caller's rule, runs of one size and no task share a bucket (and name no dataset)
    expect(recommend(runs).map((r) => [r.dataset, r.ranking.length])).toEqual([[null, 2]]);
  });

  it('a held-out loss logged by step (LeRobot eval_loss) ranks like a per-epoch one; best and convergence are steps', () => {
    const byStep = (id: string, layers: number, losses: number[]) =>
      run(id, strat('last_n', layers), [], {
        taskId: null,
        dataset: 'kuavo/pick',
        validationAxis: 'step',
        epochs: [],
        validations: losses.map((loss, i) => ({ epoch: (i + 1) * 1000, final: false, taskId: 0, loss })),
      });
    const [rec] = recommend([byStep('a', 4, [0.5, 0.3, 0.2, 0.21]), byStep('b', 8, [0.5, 0.35, 0.3, 0.25])]);
    expect(rec?.ranking.map((r) => [r.runIds, r.axis, r.bestEpoch, r.bestValidationMean])).toEqual([
      [['a'], 'step', 3000, 0.2],
      [['b'], 'step', 4000, 0.25],
    ]);
    expect(rec?.ranking[0]?.perRun[0]).toMatchObject({ axis: 'step', bestEpoch: 3000, epochsToConverge: 3000 });
    // a run of the same strategy without any validation (a log without eval_loss) leaves the row by step
    const none = run('c', strat('last_n', 4), [], { taskId: null, dataset: 'kuavo/pick', epochs: [], validations: [] });
    const [mixed] = recommend([byStep('a', 4, [0.5, 0.3, 0.2, 0.21]), none]);
    expect(mixed?.ranking.map((r) => [r.runIds, r.axis, r.bestEpoch, r.n, r.runs])).toEqual([[['a', 'c'], 'step', 3000, 1, 2]]);
  });

  describe('uncertainty, convergence, cost and the front', () => {
    const timed = (id: string, layers: number, val: number[], secondsPerEpoch: number, params = 300e6): AnalysisRun =>
      run(id, strat('last_n', layers), val, {
        epochSeconds: val.map((_, i) => ({ epoch: i + 1, seconds: secondsPerEpoch, source: 'tqdm' as const })),
        trainableParams: params,
      });
    // noisy single runs 0.002 apart: a single-run comparison must not read as a verdict
    const single = [timed('six', 6, [0.5, 0.3, 0.22, 0.2, 0.21, 0.202], 60), timed('nine', 9, [0.5, 0.3, 0.205, 0.198, 0.205, 0.2], 90)];
    // the same with enough epochs for a single-run interval (noise of about 2–3% from epoch to epoch)
    const singleLong = [
      timed('six', 6, [0.5, 0.3, 0.24, 0.22, 0.2, 0.21, 0.202, 0.207, 0.203, 0.209], 60),
      timed('nine', 9, [0.5, 0.3, 0.23, 0.21, 0.205, 0.198, 0.205, 0.2, 0.204, 0.201], 90),
    ];

    it('single runs too short for an interval: none, and the summary says why', () => {
      const [rec] = recommend(single);
      expect(rec?.ranking.map((r) => [r.bestValidation.method, r.bestValidation.reason])).toEqual([
        ['none', 'too_few_points'],
        ['none', 'too_few_points'],
      ]);
      expect(rec?.verdict).toBe('not_distinguishable');
      expect(rec?.summary).toContain('too few epochs to estimate how many runs would separate them');
    });

    it('single runs: single_run_noise intervals, not distinguishable, no winner named', () => {
      const [rec] = recommend(singleLong);
      const [first, second] = rec?.ranking ?? [];
      expect(first?.key).toBe('12:3-11');
      expect(first?.bestValidation.method).toBe('single_run_noise');
      expect(first?.bestValidation.mean).toBe(0.198);
      expect(first?.distinguishableFromNext).toBe(false);
      expect(second?.distinguishableFromNext).toBeNull();
      expect(rec?.verdict).toBe('not_distinguishable');
      expect(rec?.leaders).toEqual(['12:3-11', '12:6-11']);
      expect(rec?.summary).toContain('no winner yet');
      expect(rec?.summary).toContain('single runs only');
      expect(rec?.summary).not.toContain('ranks first');
      expect(first?.bestValidation.lo).toBeGreaterThan(0.18);
      expect(first?.bestValidation.hi).toBeLessThan(0.22);
      // d = ln(0.2/0.198) = 0.01 against within-run noise of 2.7% and 5%: out of reach
      expect(first?.bestValidation.logSpread).toBeCloseTo(0.0266, 3);
      expect(first?.runsToSeparateNext).toBeNull();
      expect(rec?.summary).toContain('more than 200 runs each would be needed');
    });

    it('convergence and cost per run and per strategy; both on the front (cheaper vs better)', () => {
      const [rec] = recommend(single);
      const nine = rec?.ranking.find((r) => r.trainableLayers === 9);
      const six = rec?.ranking.find((r) => r.trainableLayers === 6);
      expect(nine).toMatchObject({ bestEpoch: 4, epochsToConverge: 3, minutesPerEpoch: 1.5, trainingMinutes: 9, trainableParams: 300e6 });
      expect(nine?.minutesToConverge).toBeCloseTo(4.5, 12);
      expect(six).toMatchObject({ bestEpoch: 4, epochsToConverge: 4, minutesPerEpoch: 1, trainingMinutes: 6, pareto: true });
      expect(nine?.pareto).toBe(true);
      expect(rec?.tradeoffs).toEqual([
        '9 layers costs 50% more time than 6 layers for 0.002 lower validation loss — not established yet (overlapping or single-run intervals).',
      ]);
    });

    it('repeats: a t-interval, and a clear gap is named as a winner; a dominated strategy is off the front', () => {
      const runs = [
        timed('a1', 6, [0.3, 0.2], 60),
        timed('a2', 6, [0.3, 0.202], 60),
        timed('a3', 6, [0.3, 0.201], 60),
        timed('b1', 10, [0.3, 0.25], 120),
        timed('b2', 10, [0.3, 0.251], 120),
        timed('b3', 10, [0.3, 0.252], 120),
      ];
      const [rec] = recommend(runs);
      const [first, second] = rec?.ranking ?? [];
      expect(first?.bestValidation.method).toBe('t');
      expect(first?.bestValidation.mean).toBeCloseTo(0.201, 12);
      // on log loss: sd of ln 0.2, ln 0.202, ln 0.201 = 0.004975, t(0.975, 2) = 4.3027 → half-width 0.012359
      const centre = Math.cbrt(0.2 * 0.202 * 0.201);
      expect(first?.bestValidation.center).toBeCloseTo(centre, 12);
      expect(first?.bestValidation.hi).toBeCloseTo(centre * Math.exp(0.012359), 5);
      expect(first?.bestValidation.lo).toBeCloseTo(centre * Math.exp(-0.012359), 5);
      expect(first?.distinguishableFromNext).toBe(true);
      expect(rec?.verdict).toBe('supported');
      expect(rec?.summary).toContain('unfreeze 6/12 · L6–L11 ranks first');
      expect(rec?.summary).toContain('its interval separates it from unfreeze 10/12 · L2–L11');
      expect([first?.pareto, second?.pareto]).toEqual([true, false]);
      expect(rec?.tradeoffs).toEqual([]);
    });

    it('separated single runs are only tentative: no verdict from within-run noise', () => {
      const [rec] = recommend([
        timed('a', 6, [0.5, 0.3, 0.2, 0.201, 0.2, 0.201, 0.2, 0.202, 0.2, 0.201], 60),
        timed('b', 10, [0.5, 0.3, 0.3, 0.301, 0.3, 0.301, 0.3, 0.302, 0.3, 0.301], 120),
      ]);
      expect(rec?.ranking[0]?.distinguishableFromNext).toBe(true);
      expect(rec?.verdict).toBe('tentative');
      expect(rec?.summary).toContain('tentatively unfreeze 6/12 · L6–L11');
      expect(rec?.summary).toContain('are single runs whose interval is only within-run noise');
      expect(rec?.summary).not.toContain('ranks first');
    });
  });
});

describe('running runs are listed, not ranked (their best so far is not their best)', () => {
  it.each([
    ['running', false],
    ['completed', true],
    ['stopped', true],
    ['crashed', true],
    ['stale', true],
    [undefined, true],
  ] as const)('status %s → ranked %s', (status, expected) => {
    expect(rankedStatus(status)).toBe(expected);
  });

  it('the /strategies case: #62 still running was counted in unfreeze 10/12 (n 5/5); now 4/4 and named as not ranked', () => {
    const ten = strat('unfreeze', [-1, -2, -3, -4, -5, -6, -7, -8, -9, -10]);
    const finished = [1, 2, 3, 4].map((i) => run(`f${i}`, ten, [0.5, 0.3, 0.2 + i / 100], { status: 'completed' }));
    const live = run('62', ten, [0.5, 0.25], { status: 'running' });
    const [rec] = recommend([...finished, live]);
    expect(rec?.ranking[0]).toMatchObject({ n: 4, runs: 4, runIds: ['f1', 'f2', 'f3', 'f4'] });
    expect(rec?.ranking[0]?.bestValidationMin).toBeCloseTo(0.21, 12);
    expect(rec?.running).toEqual(['62']);
    expect(rec?.summary).toContain('; still running, not ranked yet: #62;');
  });

  it('a facet whose only runs are running has no ranking yet, and says why', () => {
    const [rec] = recommend([run('7', strat('last_n', 4), [0.5, 0.3], { status: 'running' })]);
    expect(rec?.ranking).toEqual([]);
    expect(rec?.verdict).toBe('no_evidence');
    expect(rec?.summary).toContain('no finished run to rank yet; still running, not ranked yet: #7;');
  });
});

describe('the sentence says a loss as the table shows it (fmtLoss, one function)', () => {
  it.each([
    [0.036, '0.0360'],
    [0.0346, '0.0346'],
    [0.1, '0.1000'],
    [5.83e-6, '5.83e-6'],
    [917.231, '917.2310'],
    [null, '–'],
    [Number.NaN, 'NaN'],
    [Infinity, 'inf'],
  ] as const)('%s → %s', (value, expected) => {
    expect(fmtLoss(value)).toBe(expected);
  });

  it('the /strategies summary read "0.0346–0.036" where the table read "0.0346–0.0360"', () => {
    // One run, 12 epochs with about 2% noise around a flat floor: its single-run interval is 0.0330–0.0370.
    const noisy = [0.09, 0.06, 0.045, 0.0353, 0.036, 0.0355, 0.0362, 0.0354, 0.0361, 0.0356, 0.036, 0.0357].map((v) => v * 0.98929);
    const [rec] = recommend([run('24', strat('last_n', 9), noisy)]);
    const interval = rec!.ranking[0]!.bestValidation;
    expect([fmtLoss(interval.lo), fmtLoss(interval.hi)]).toEqual(['0.0330', '0.0370']);
    expect(rec?.summary).toContain('(mean best validation 0.0349, 95% interval 0.0330–0.0370 from that one run');
  });
});
