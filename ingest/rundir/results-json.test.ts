import { describe, expect, it } from 'vitest';
import { parsePythonJson, parseTrainingResults } from './results-json';

const full = `{
  "task_id": 2,
  "task_name": "weighing",
  "description": "\\u673a\\u5668\\u4eba \\ud83d\\ude00 \\"q\\" \\\\ \\/ \\n",
  "language_instruction": "Grasp the package.",
  "best_loss": Infinity,
  "final_validation": {
    "1": 0.6911,
    "2": NaN,
    "3": -Infinity
  },
  "training_epochs": 10,
  "learning_rate": 1e-04,
  "performance": {
    "avg_batch_process_time_ms": 412.7,
    "throughput_samples_per_sec": 0
  }
}`;

describe('parsePythonJson', () => {
  it('accepts Python non-finite tokens and escapes', () => {
    const r = parsePythonJson('[NaN, Infinity, -Infinity, "\\u00e9", -0.5e+2, true, false, null, {}, []]');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toEqual([NaN, Infinity, -Infinity, 'é', -50, true, false, null, {}, []]);
  });

  it('treats NaN inside strings as text', () => {
    expect(parsePythonJson('{"a": "NaN Infinity"}')).toEqual({ ok: true, value: { a: 'NaN Infinity' } });
  });

  it('keeps __proto__ as data', () => {
    const r = parsePythonJson('{"__proto__": 1}');
    expect(r.ok && Object.keys(r.value as object)).toEqual(['__proto__']);
  });

  it('reports junk with a position', () => {
    const cases = [
      '',
      '{',
      '{"a" 1}',
      '[1,]',
      '{"a":1,}',
      'nan',
      'inf',
      '01',
      '1.',
      '"abc',
      '"\\x"',
      '"\\u12g4"',
      '[1] 2',
      '{"a":\n  tru}',
      '"a\nb"',
    ];
    for (const text of cases) {
      const r = parsePythonJson(text);
      expect(r.ok, text).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/line \d+ column \d+/);
    }
    const r = parsePythonJson('{"a":\n  tru}');
    expect(!r.ok && r.error).toMatch(/line 2 column 3/);
  });

  it('bounds nesting depth', () => {
    expect(parsePythonJson('['.repeat(10000)).ok).toBe(false);
  });
});

describe('parseTrainingResults', () => {
  it('parses a full file', () => {
    const r = parseTrainingResults(full);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toEqual({
      taskId: 2,
      taskName: 'weighing',
      description: '机器人 😀 "q" \\ / \n',
      languageInstruction: 'Grasp the package.',
      bestLoss: Infinity,
      finalValidation: { 1: 0.6911, 2: NaN, 3: -Infinity },
      trainingEpochs: 10,
      learningRate: 0.0001,
      performance: { avgBatchProcessTimeMs: 412.7, throughputSamplesPerSec: 0 },
      unknownKeys: [],
    });
  });

  it('tolerates older files without performance and with missing fields', () => {
    const r = parseTrainingResults('{"task_id": 1, "best_loss": 0.5, "final_validation": {"1": 0.3}, "extra": 1}');
    expect(r).toEqual({
      ok: true,
      value: {
        taskId: 1,
        taskName: null,
        description: null,
        languageInstruction: null,
        bestLoss: 0.5,
        finalValidation: { 1: 0.3 },
        trainingEpochs: null,
        learningRate: null,
        unknownKeys: ['extra'],
      },
    });
  });

  it('gives clear errors for junk', () => {
    const cases: [string, RegExp][] = [
      ['not json', /JSON syntax error at line 1 column 1/],
      ['[1, 2]', /expected an object, got an array/],
      ['{"task_id": "one"}', /task_id: expected a number, got string "one"/],
      ['{"task_id": 1.5}', /task_id: expected an integer/],
      ['{"final_validation": [1]}', /final_validation: expected an object/],
      ['{"final_validation": {"task1": 0.1}}', /key "task1" is not a task id/],
      ['{"final_validation": {"1": "x"}}', /final_validation\.1: expected a number/],
      ['{"performance": {"avg_batch_process_time_ms": true}}', /performance\.avg_batch_process_time_ms/],
      ['{"task_name": 3}', /task_name: expected a string/],
    ];
    for (const [text, re] of cases) {
      const r = parseTrainingResults(text);
      expect(r.ok, text).toBe(false);
      if (!r.ok) expect(r.error).toMatch(re);
    }
  });
});
