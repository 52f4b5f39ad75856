// Helpers shared by the format parsers: numbers as Python prints them, layer-index lists, tqdm frames,
// Python tracebacks. Everything here is pure and never throws.
import { Malformed } from './types';
const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const GROUPED_NUMBER = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const NAN = /^[+-]?nan$/i;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;

/**
 * A number as Python prints it: `0.0412`, `9e-05`, `1.00e-04`, `9.88e-5`, `450,046,176`, `nan`, `inf`,
 * `-inf`, `Infinity`. Returns null when the text is not a number.
 */
export function parseNumber(raw: string): number | null {
  const fast = plainDecimal(raw, 0, raw.length);
  if (fast !== undefined) return fast;
  const text = raw.trim();
  // Fast path (every tqdm postfix value): a digit first and Number() accepts the whole text.
  const first = text.charCodeAt(0);
  if (first >= 48 && first <= 57) {
    const value = Number(text);
    if (!Number.isNaN(value)) return value;
  }
  if (PLAIN_NUMBER.test(text)) return Number(text);
  if (GROUPED_NUMBER.test(text)) return Number(text.replace(/,/g, ''));
  if (NAN.test(text)) return Number.NaN;
  const inf = INFINITY.exec(text);
  if (inf) return inf[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return null;
}

/** parseNumber(text.slice(from, to)) without the slice when the value is a plain decimal (tqdm postfixes). */
export function parseNumberIn(text: string, from: number, to: number): number | null {
  let start = from;
  let end = to;
  while (start < end && text.charCodeAt(start) === 32) start++;
  while (end > start && text.charCodeAt(end - 1) === 32) end--;
  const fast = plainDecimal(text, start, end);
  return fast !== undefined ? fast : parseNumber(text.slice(from, to));
}

/** plainDecimal over a whole (short) string: the value, or undefined when it is not a plain decimal. */
export function plainDecimalOf(text: string): number | undefined {
  return plainDecimal(text, 0, text.length);
}

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * `[+-]?\d+(\.\d*)?([eE][+-]?\d+)?` in text[from, to) with at most 15 digits and a decimal exponent
 * within ±22, computed exactly as Number() does (both the digits and the power of ten are exact
 * doubles, so one multiplication or division rounds correctly); undefined for anything else, which
 * then takes the general path. Python prints every loss and learning rate this way.
 */
function plainDecimal(text: string, from: number, to: number): number | undefined {
  // Every read stays inside [from, to) (-1 past it): charCodeAt out of range gives NaN, which makes V8
  // treat `c` as a double and slows the whole loop down.
  let i = from;
  let c = i < to ? text.charCodeAt(i) : -1;
  const negative = c === 45; /* - */
  if (negative || c === 43 /* + */) c = ++i < to ? text.charCodeAt(i) : -1;
  if (!(c >= 48 && c <= 57)) return undefined;
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  while (c >= 48 && c <= 57) {
    mantissa = mantissa * 10 + (c - 48);
    digits++;
    c = ++i < to ? text.charCodeAt(i) : -1;
  }
  if (c === 46 /* . */) {
    c = ++i < to ? text.charCodeAt(i) : -1;
    while (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      scale--;
      c = ++i < to ? text.charCodeAt(i) : -1;
    }
  }
  if (c === 101 || c === 69 /* e E */) {
    c = ++i < to ? text.charCodeAt(i) : -1;
    const negativeExponent = c === 45;
    if (negativeExponent || c === 43) c = ++i < to ? text.charCodeAt(i) : -1;
    let exponent = 0;
    let exponentDigits = 0;
    while (c >= 48 && c <= 57 && exponentDigits < 4) {
      exponent = exponent * 10 + (c - 48);
      exponentDigits++;
      c = ++i < to ? text.charCodeAt(i) : -1;
    }
    if (exponentDigits === 0) return undefined;
    scale += negativeExponent ? -exponent : exponent;
  }
  if (i !== to || digits > 15 || scale < -22 || scale > 22) return undefined;
  const value = scale >= 0 ? mantissa * (POWERS_OF_TEN[scale] ?? Number.NaN) : mantissa / (POWERS_OF_TEN[-scale] ?? Number.NaN);
  return negative ? -value : value;
}

/** Where decimalRunAt stopped: the index after the value it read. Read it right after the call. */
export let decimalEnd = 0;

/**
 * The run of `[-+.\deE]` bytes at bytes[from] (UTF-8), read as plainDecimal reads the same characters
 * (one pass; one table of cases in common.test.ts holds the two together): the value, or undefined when
 * the run is not a plain decimal within plainDecimal's limits. Sets decimalEnd. Stops at the first byte
 * outside the run, so `bytes` must hold one after it (a record's terminator) or end there.
 */
export function decimalRunAt(bytes: Uint8Array, from: number): number | undefined {
  let i = from;
  let c = bytes[i] as number;
  const negative = c === 45; /* - */
  if (negative || c === 43 /* + */) c = bytes[++i] as number;
  if (!(c >= 48 && c <= 57)) return undefined;
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  for (; c >= 48 && c <= 57; c = bytes[++i] as number) {
    mantissa = mantissa * 10 + (c - 48);
    digits++;
  }
  if (c === 46 /* . */) {
    for (c = bytes[++i] as number; c >= 48 && c <= 57; c = bytes[++i] as number) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      scale--;
    }
  }
  if (c === 101 || c === 69 /* e E */) {
    c = bytes[++i] as number;
    const negativeExponent = c === 45;
    if (negativeExponent || c === 43) c = bytes[++i] as number;
    let exponent = 0;
    let exponentDigits = 0;
    for (; c >= 48 && c <= 57 && exponentDigits < 4; c = bytes[++i] as number) {
      exponent = exponent * 10 + (c - 48);
      exponentDigits++;
    }
    if (exponentDigits === 0) return undefined;
    scale += negativeExponent ? -exponent : exponent;
  }
  // The run goes on (`1.2.3`, `1e2e3`, a fifth exponent digit): plainDecimal would not take it whole.
  if ((c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 45 || c === 43) return undefined;
  if (digits > 15 || scale < -22 || scale > 22) return undefined;
  decimalEnd = i;
  const value = scale >= 0 ? mantissa * (POWERS_OF_TEN[scale] ?? Number.NaN) : mantissa / (POWERS_OF_TEN[-scale] ?? Number.NaN);
  return negative ? -value : value;
}

/**
 * `text.startsWith(prefix, at)`, compared unit by unit. On the framer's records (slices of a decoded
 * chunk, two-byte whenever the chunk holds a progress bar or an emoji) V8's startsWith costs far more
 * than the few comparisons it takes to tell a frame from a print.
 */
export function startsWithAt(text: string, prefix: string, at = 0): boolean {
  const start = at > 0 ? Math.min(at, text.length) : 0;
  const length = prefix.length;
  if (start + length > text.length) return false;
  // The last unit first: prefixes that share a start (`Training Epoch `, `Traceback (…):`) part at once.
  if (length > 1 && text.charCodeAt(start + length - 1) !== prefix.charCodeAt(length - 1)) return false;
  for (let i = 0; i < length; i++) {
    if (text.charCodeAt(start + i) !== prefix.charCodeAt(i)) return false;
  }
  return true;
}

/** A non-negative integer count, with or without thousands separators (`{n:,}`). */
export function parseCount(raw: string): number | null {
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (/^\d{1,3}(?:,\d{3})+$/.test(text)) return Number(text.replace(/,/g, ''));
  return null;
}

/** An integer, possibly negative (layer indices). */
export function parseInteger(raw: string): number | null {
  const text = raw.trim();
  return /^[+-]?\d+$/.test(text) ? Number(text) : null;
}

export function isFiniteNumber(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Inclusive ascending range; empty when to < from (e.g. "Frozen layers: 0--1"). */
export function rangeInclusive(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}

/**
 * A layer-index list as the freezing banner prints it (§2.2): `[0, 1, 2]`, `[-1, -2]`, `[]`, or the
 * abbreviated `[0...11]` used when there are more than 10 indices (expanded to the inclusive range).
 * Returns null when the text is not such a list.
 */
export function parseIndexList(raw: string): number[] | null {
  const text = raw.trim();
  if (text.length < 2 || text[0] !== '[' || text[text.length - 1] !== ']') return null;
  const inner = text.slice(1, -1).trim();
  if (inner === '') return [];
  const abbreviated = /^([+-]?\d+)\s*\.\.\.\s*([+-]?\d+)$/.exec(inner);
  if (abbreviated) {
    const from = Number(abbreviated[1]);
    const to = Number(abbreviated[2]);
    // A real banner never spans more than a few dozen layers; refuse absurd ranges (memory bound).
    if (Math.abs(to - from) > 100_000) return null;
    return from <= to ? rangeInclusive(from, to) : rangeInclusive(to, from).reverse();
  }
  const out: number[] = [];
  for (const part of inner.split(',')) {
    const value = parseInteger(part);
    if (value === null) return null;
    out.push(value);
  }
  return out;
}

/** tqdm's elapsed/remaining time, `MM:SS` or `H:MM:SS` (hours may exceed 24). `?` → null. */
export function parseClock(raw: string): number | null {
  const text = raw.trim();
  return clockIn(text, 0, text.length);
}

/** parseClock(text.slice(from, to)) without the slice when there is nothing to trim. */
export function parseClockIn(text: string, from: number, to: number): number | null {
  const first = text.charCodeAt(from);
  const last = text.charCodeAt(to - 1);
  if (to > from && first >= 48 && first <= 57 && last >= 48 && last <= 57) return clockIn(text, from, to);
  return parseClock(text.slice(from, to));
}

function clockIn(text: string, from: number, to: number): number | null {
  let seconds = 0;
  let field = 0;
  let digits = 0;
  let fields = 1;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 58 /* : */) {
      if (digits === 0 || ++fields > 3) return null;
      seconds = seconds * 60 + field;
      field = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      field = field * 10 + (c - 48);
      digits++;
    } else {
      return null;
    }
  }
  return fields >= 2 && digits > 0 ? seconds * 60 + field : null;
}

export interface TqdmFrame {
  /** The bar's description (text before the `:` that precedes the percentage), e.g. "Training Epoch 3". */
  desc: string;
  /** Completed iterations. */
  n: number;
  /** Total iterations; null for bars without a known length (`37it [00:15, …]`). */
  total: number | null;
  elapsedS: number | null;
  /** The postfix after the rate, e.g. "loss=0.0831, lr=9.87e-05, proc_ms=402.3"; "" when absent. */
  postfix: string;
}

/**
 * Parses one tqdm frame (§0.4, §1.5): `desc:  42%|████▏     | 210/500 [01:45<02:25,  1.99it/s, k=v, …]`
 * with a Unicode or ASCII bar, `it/s` or `s/it`, postfix keys in any order; or the length-less form
 * `desc: 37it [00:15,  2.30it/s, k=v]`. Returns null for anything else (including truncated frames).
 * Hand-written with indexOf: it runs once per progress frame, the hottest path of the parser.
 */
export function parseTqdmFrame(text: string): TqdmFrame | null {
  const end = text.length - 1;
  if (text.charCodeAt(end) !== 93 /* ] */) return null;
  const bar = text.indexOf('|');
  if (bar !== -1) {
    const barEnd = text.indexOf('|', bar + 1);
    if (barEnd === -1) return null;
    let colon = bar;
    while (colon >= 0 && text.charCodeAt(colon) !== 58 /* : */) colon--; // lastIndexOf(':', bar), without its runtime call
    if (colon === -1) return null;
    return parseCounters(text, text.slice(0, colon), barEnd + 1, end);
  }
  const counted = /^(.*?):\s+(\d+)it \[/.exec(text);
  if (!counted || counted[1] === undefined || counted[2] === undefined) return null;
  return parseBracket(text, counted[1], Number(counted[2]), null, counted[0].length, end);
}

/** ` 210/500 [01:45<02:25,  1.99it/s, k=v]` starting at `from`. */
function parseCounters(text: string, desc: string, from: number, end: number): TqdmFrame | null {
  let i = from;
  while (text.charCodeAt(i) === 32) i++;
  const slash = text.indexOf('/', i);
  const open = text.indexOf(' [', i);
  if (slash === -1 || open === -1 || slash > open) return null;
  const n = digitsValue(text, i, slash);
  const total = digitsValue(text, slash + 1, open);
  if (n === null || total === null) return null;
  return parseBracket(text, desc, n, total, open + 2, end);
}

/** `01:45<02:25,  1.99it/s, k=v` between `from` and the closing bracket at `end`. */
function parseBracket(text: string, desc: string, n: number, total: number | null, from: number, end: number): TqdmFrame | null {
  const firstComma = text.indexOf(',', from);
  const timesEnd = firstComma === -1 || firstComma > end ? end : firstComma;
  const lt = text.indexOf('<', from);
  const elapsedEnd = lt !== -1 && lt < timesEnd ? lt : timesEnd;
  const elapsedS = parseClockIn(text, from, elapsedEnd);
  let postfix = '';
  if (timesEnd < end) {
    // The first comma ends "elapsed<eta" (or just "elapsed" for length-less bars); the rate follows
    // and the postfix starts after the next comma.
    const afterRate = text.indexOf(',', timesEnd + 1);
    if (afterRate !== -1 && afterRate < end) postfix = text.slice(afterRate + 1, end).trim();
  }
  return { desc, n, total, elapsedS, postfix };
}

function digitsValue(text: string, from: number, to: number): number | null {
  if (to <= from || to - from > 15) return null;
  let value = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    value = value * 10 + c;
  }
  return value;
}

/** Where `key=` starts in a tqdm postfix: at its start or after ", " (so "lr=" does not match "base_lr="). */
function postfixKeyAt(postfix: string, key: string): number {
  let at = postfix.indexOf(key);
  while (at !== -1) {
    const before = at === 0 ? 44 : postfix.charCodeAt(at - 1);
    if (postfix.charCodeAt(at + key.length) === 61 /* = */ && (before === 32 || before === 44)) return at;
    at = postfix.indexOf(key, at + 1);
  }
  return -1;
}

/** The raw value of `key=` in a tqdm postfix (`loss=0.0831, lr=9.87e-05`), or null. */
export function postfixValue(postfix: string, key: string): string | null {
  const at = postfixKeyAt(postfix, key);
  if (at === -1) return null;
  const from = at + key.length + 1;
  const comma = postfix.indexOf(',', from);
  return postfix.slice(from, comma === -1 ? postfix.length : comma).trim();
}

/** A postfix value as a number (`nan`/`inf` included); null when absent or not numeric. */
export function postfixNumber(postfix: string, key: string): number | null {
  const at = postfixKeyAt(postfix, key);
  if (at === -1) return null;
  const from = at + key.length + 1;
  const comma = postfix.indexOf(',', from);
  return parseNumberIn(postfix, from, comma === -1 ? postfix.length : comma);
}

/**
 * The values of `keys` when the postfix starts with exactly them, in that order, each a plain decimal
 * (`loss=0.0831, lr=9.87e-05, proc_ms=402.3`: what the trainer prints); null otherwise. Then each key's
 * first occurrence is where this found it (a plain decimal holds no space, comma or `=`), so the
 * result equals postfixNumber for every key; callers fall back to postfixNumber on null.
 */
export function canonicalPostfixNumbers(postfix: string, keys: readonly string[]): number[] | null {
  const values: number[] = [];
  let at = 0;
  for (const key of keys) {
    if (postfix.charCodeAt(at + key.length) !== 61 /* = */ || !startsWithAt(postfix, key, at)) return null;
    const from = at + key.length + 1;
    let comma = postfix.indexOf(',', from);
    if (comma === -1) comma = postfix.length;
    let start = from;
    let end = comma;
    while (start < end && postfix.charCodeAt(start) === 32) start++;
    while (end > start && postfix.charCodeAt(end - 1) === 32) end--;
    const value = plainDecimal(postfix, start, end);
    if (value === undefined) return null;
    values.push(value);
    at = comma + 1;
    while (postfix.charCodeAt(at) === 32) at++;
  }
  return values;
}

/** Cheap test for "this record is some tqdm progress frame" (any desc, including download bars). */
export function looksLikeTqdmFrame(text: string): boolean {
  if (text.charCodeAt(text.length - 1) !== 93 /* ] */) return false;
  const open = text.lastIndexOf(' [');
  if (open === -1) return false;
  const bar = text.indexOf('|');
  if (bar !== -1 && bar < open) return true;
  return /\d+it \[$/.test(text.slice(0, open + 2));
}

// ---------------------------------------------------------------------------------------------
// Python tracebacks (any trainer): "Traceback (most recent call last):", indented frames, then the
// exception line at column 0, e.g. "RuntimeError: CUDA out of memory…" or "KeyboardInterrupt".

export const TRACEBACK_START = 'Traceback (most recent call last):';
const EXCEPTION_LINE = /^[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*(?::\s.*|:)?$/;

/** An exception line that ends a traceback: a (dotted) class name, optionally `: message`. */
export function isExceptionLine(text: string): boolean {
  if (!EXCEPTION_LINE.test(text)) return false;
  const name = text.split(':', 1)[0] ?? '';
  // Bare words like "Killed" or "Done" would match the pattern; real exception classes end like this.
  return /(?:Error|Exception|Interrupt|Exit|Warning|Failure|Fault|Timeout)$/.test(name);
}

/** Python's print of `{n:.0f}` (round half to even) for a float that is not huge. */
function pythonRound0(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

const BIG_SUFFIXES = ['', 'K', 'M', 'B', 'T', 'Q'];

/** LeRobot's `format_big_number(num, precision=0)` (§5): 1600 → "2K", 20000 → "20K". */
export function formatBigNumber(value: number): string {
  let num = value;
  for (const suffix of BIG_SUFFIXES) {
    if (Math.abs(num) < 1000) return `${pythonRound0(num)}${suffix}`;
    num /= 1000;
  }
  return String(num);
}

/** Inverse of formatBigNumber, approximately: "20K" → 20000; `exact` when there is no suffix. */
export function parseBigNumber(raw: string): { value: number; exact: boolean } | null {
  const match = /^(\d+(?:\.\d+)?)([KMBTQ]?)$/.exec(raw.trim());
  if (!match || match[1] === undefined) return null;
  const power = BIG_SUFFIXES.indexOf(match[2] ?? '');
  return { value: Number(match[1]) * 1000 ** power, exact: power === 0 };
}

// ---------------------------------------------------------------------------------------------
// Line rules: a prefix test (cheap) guarding a regular expression. Rules are bucketed by their first
// UTF-16 unit so that a line is only tested against the few rules that can match it.

export interface LineRule<Line> {
  /** The trimmed line must start with this. */
  prefix: string;
  pattern: RegExp;
  build(match: RegExpExecArray): Line | Malformed;
  /** Set for distinctive prefixes: the line is malformed when the prefix matches but the pattern does not. */
  strict?: string;
}

export class RuleSet<Line> {
  private readonly buckets = new Map<number, LineRule<Line>[]>();

  constructor(rules: readonly LineRule<Line>[]) {
    for (const rule of rules) {
      const key = rule.prefix.charCodeAt(0);
      const bucket = this.buckets.get(key);
      if (bucket) bucket.push(rule);
      else this.buckets.set(key, [rule]);
    }
  }

  /** `trimmed` must already be trimmed. */
  match(trimmed: string): Line | Malformed | null {
    const bucket = this.buckets.get(trimmed.charCodeAt(0));
    if (!bucket) return null;
    let malformed: Malformed | null = null;
    for (const rule of bucket) {
      if (!startsWithAt(trimmed, rule.prefix)) continue;
      const match = rule.pattern.exec(trimmed);
      if (match) return rule.build(match);
      if (rule.strict && !malformed) malformed = new Malformed(`unparsable ${rule.strict}: ${clip(trimmed)}`);
    }
    return malformed;
  }
}

/** Shortens a line for a warning message. */
export function clip(text: string, max = 120): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** A capture group that the pattern guarantees (keeps noUncheckedIndexedAccess honest without `!`). */
export function group(match: RegExpExecArray, index: number): string {
  return match[index] ?? '';
}

/** A numeric capture; Malformed when it is not a number. */
export function numberGroup(match: RegExpExecArray, index: number, what: string): number | Malformed {
  const value = parseNumber(group(match, index));
  return value === null ? new Malformed(`unparsable ${what}: ${clip(match[0])}`) : value;
}

/** A count capture (thousands separators allowed); Malformed when it is not one. */
export function countGroup(match: RegExpExecArray, index: number, what: string): number | Malformed {
  const value = parseCount(group(match, index));
  return value === null ? new Malformed(`unparsable ${what}: ${clip(match[0])}`) : value;
}

// ---------------------------------------------------------------------------------------------
// Rule builders: most rules read one capture that must parse (a number, a count, a list) and build
// their line from it, or become Malformed when it does not. `buildWith(capture, make)` is that shape.

/** Reads a value out of a rule's match, or says (Malformed) why it cannot. */
export type Capture<T> = (match: RegExpExecArray) => T | Malformed;

/** Capture `index` as a number (`nan`/`inf` included); Malformed names `what`. */
export function numberAt(index: number, what: string): Capture<number> {
  return (match) => numberGroup(match, index, what);
}

/** Capture `index` as a count (thousands separators allowed); Malformed names `what`. */
export function countAt(index: number, what: string): Capture<number> {
  return (match) => countGroup(match, index, what);
}

/** Two captures; the first one that does not parse decides the Malformed. */
export function pair<A, B>(first: Capture<A>, second: Capture<B>): Capture<[A, B]> {
  return (match) => {
    const a = first(match);
    const b = second(match);
    if (a instanceof Malformed) return a;
    return b instanceof Malformed ? b : [a, b];
  };
}

/** A rule's `build`: the captured value, when it parses, made into the line; its Malformed otherwise. */
export function buildWith<T, Line>(
  capture: Capture<T>,
  make: (value: T, match: RegExpExecArray) => Line | Malformed,
): (match: RegExpExecArray) => Line | Malformed {
  return (match) => {
    const value = capture(match);
    return value instanceof Malformed ? value : make(value, match);
  };
}

/**
 * A tqdm frame that goes backwards (an earlier epoch, or an earlier step of the same epoch) can only
 * come from a new training process writing to the same file.
 */
export function frameGoesBackwards(last: readonly [number, number] | null, epoch: number, n: number): boolean {
  if (last === null) return false;
  const lastEpoch = last[0];
  return epoch < lastEpoch || (epoch === lastEpoch && n < last[1]);
}

/**
 * Records the latest progress frame (epoch, n) in a format's state, updating the pair in place: it
 * runs once per frame, and the state is only ever copied out (snapshots, events), never shared.
 */
export function setLastFrame(state: { lastFrame: [number, number] | null }, epoch: number, n: number): void {
  const last = state.lastFrame;
  if (last === null) state.lastFrame = [epoch, n];
  else {
    last[0] = epoch;
    last[1] = n;
  }
}
