// `training_results.json` (docs/log-formats.md, run directories) → a validated plain object.
//
// The file is written by Python's `json.dump(..., indent=2)` with the defaults `allow_nan=True` and
// `ensure_ascii=True`: non-finite floats appear as the bare tokens `NaN`, `Infinity`, `-Infinity`
// (which JSON.parse rejects), and non-ASCII text as `\uXXXX` escapes (surrogate pairs for astral
// characters). So this module carries its own small JSON parser accepting exactly Python's superset.
//
// Fields are optional (older trainer versions lack `performance`); a field present with the wrong type
// is an error. Pure; never throws.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type JsonParseResult = { ok: true; value: JsonValue } | { ok: false; error: string };

const MAX_DEPTH = 256;

class JsonSyntaxError extends Error {}

/** JSON plus Python's `NaN`, `Infinity`, `-Infinity`. Duplicate keys: the last wins (as in Python). */
export function parsePythonJson(text: string): JsonParseResult {
  const p = new Parser(text);
  try {
    p.ws();
    const value = p.value(0);
    p.ws();
    if (p.pos < text.length) p.fail('unexpected data after the top-level value');
    return { ok: true, value };
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { ok: false, error: error.message };
    throw error;
  }
}

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(message: string): never {
    const before = this.text.slice(0, this.pos);
    const line = before.split('\n').length;
    const column = this.pos - before.lastIndexOf('\n');
    throw new JsonSyntaxError(`JSON syntax error at line ${line} column ${column}: ${message}`);
  }

  ws(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  literal(word: string): boolean {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return true;
    }
    return false;
  }

  value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    const c = this.text[this.pos];
    if (c === undefined) this.fail('unexpected end of input');
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (this.literal('true')) return true;
    if (this.literal('false')) return false;
    if (this.literal('null')) return null;
    if (this.literal('NaN')) return NaN;
    if (this.literal('Infinity')) return Infinity;
    if (this.literal('-Infinity')) return -Infinity;
    return this.number();
  }

  object(depth: number): { [key: string]: JsonValue } {
    // A null-prototype object: keys like "__proto__" are plain data.
    const out = Object.create(null) as { [key: string]: JsonValue };
    this.pos++;
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') this.fail('expected a string key');
      const key = this.string();
      this.ws();
      if (this.text[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      this.ws();
      out[key] = this.value(depth + 1);
      this.ws();
      const c = this.text[this.pos];
      this.pos++;
      if (c === '}') return out;
      if (c !== ',') {
        this.pos--;
        this.fail("expected ',' or '}'");
      }
      this.ws();
    }
  }

  array(depth: number): JsonValue[] {
    const out: JsonValue[] = [];
    this.pos++;
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ']') return out;
      if (c !== ',') {
        this.pos--;
        this.fail("expected ',' or ']'");
      }
      this.ws();
    }
  }

  string(): string {
    const t = this.text;
    this.pos++;
    let out = '';
    let start = this.pos;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (Number.isNaN(c)) this.fail('unterminated string');
      if (c === 0x22) {
        out += t.slice(start, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('control character in string');
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += t.slice(start, this.pos);
      const e = t[this.pos + 1];
      this.pos += 2;
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = t.slice(this.pos, this.pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 4;
          break;
        }
        default:
          this.pos -= 2;
          this.fail('bad escape');
      }
      start = this.pos;
    }
  }

  number(): number {
    const m = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    m.lastIndex = this.pos;
    const match = m.exec(this.text);
    if (match === null) this.fail('unexpected character');
    this.pos += match[0].length;
    return Number(match[0]);
  }
}

export interface TrainingPerformance {
  avgBatchProcessTimeMs: number | null;
  throughputSamplesPerSec: number | null;
}

export interface TrainingResults {
  taskId: number | null;
  taskName: string | null;
  description: string | null;
  languageInstruction: string | null;
  /** Best training epoch average; may be Infinity (every epoch NaN) or NaN. */
  bestLoss: number | null;
  /** Task id → final validation loss. Empty when absent. */
  finalValidation: Record<number, number>;
  trainingEpochs: number | null;
  learningRate: number | null;
  performance?: TrainingPerformance;
  /** Keys present in the file that this parser does not know (newer trainer versions). */
  unknownKeys: string[];
}

export type TrainingResultsResult = { ok: true; value: TrainingResults } | { ok: false; error: string };

const KNOWN_KEYS = new Set([
  'task_id',
  'task_name',
  'description',
  'language_instruction',
  'best_loss',
  'final_validation',
  'training_epochs',
  'learning_rate',
  'performance',
]);

class FieldError extends Error {}

function isObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

function num(obj: { [key: string]: JsonValue }, key: string, path = key): number | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number') throw new FieldError(`${path}: expected a number, got ${describe(v)}`);
  return v;
}

function int(obj: { [key: string]: JsonValue }, key: string): number | null {
  const v = num(obj, key);
  if (v !== null && !Number.isInteger(v)) throw new FieldError(`${key}: expected an integer, got ${v}`);
  return v;
}

function str(obj: { [key: string]: JsonValue }, key: string): string | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new FieldError(`${key}: expected a string, got ${describe(v)}`);
  return v;
}

export function parseTrainingResults(text: string): TrainingResultsResult {
  const parsed = parsePythonJson(text);
  if (!parsed.ok) return { ok: false, error: `training_results.json: ${parsed.error}` };
  const root = parsed.value;
  if (!isObject(root)) return { ok: false, error: `training_results.json: expected an object, got ${describe(root)}` };
  try {
    const finalValidation: Record<number, number> = {};
    const fv = root['final_validation'];
    if (fv !== undefined && fv !== null) {
      if (!isObject(fv)) throw new FieldError(`final_validation: expected an object, got ${describe(fv)}`);
      for (const key of Object.keys(fv)) {
        if (!/^(0|[1-9][0-9]*)$/.test(key)) throw new FieldError(`final_validation: key ${JSON.stringify(key)} is not a task id`);
        const loss = num(fv, key, `final_validation.${key}`);
        if (loss !== null) finalValidation[Number(key)] = loss;
      }
    }
    const value: TrainingResults = {
      taskId: int(root, 'task_id'),
      taskName: str(root, 'task_name'),
      description: str(root, 'description'),
      languageInstruction: str(root, 'language_instruction'),
      bestLoss: num(root, 'best_loss'),
      finalValidation,
      trainingEpochs: int(root, 'training_epochs'),
      learningRate: num(root, 'learning_rate'),
      unknownKeys: Object.keys(root).filter((k) => !KNOWN_KEYS.has(k)),
    };
    const perf = root['performance'];
    if (perf !== undefined && perf !== null) {
      if (!isObject(perf)) throw new FieldError(`performance: expected an object, got ${describe(perf)}`);
      value.performance = {
        avgBatchProcessTimeMs: num(perf, 'avg_batch_process_time_ms', 'performance.avg_batch_process_time_ms'),
        throughputSamplesPerSec: num(perf, 'throughput_samples_per_sec', 'performance.throughput_samples_per_sec'),
      };
    }
    return { ok: true, value };
  } catch (error) {
    if (error instanceof FieldError) return { ok: false, error: `training_results.json: ${error.message}` };
    throw error;
  }
}
