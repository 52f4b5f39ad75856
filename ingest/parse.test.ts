// Property tests (fast-check): never throw, chunking does not matter, snapshot/restore is invisible,
// and the framer + parser resume exactly at a committed offset (the ingest daemon after kill -9).
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { ParseEvent } from './events';
import { Framer, frameBytes, type FramingWarning, type LogRecord } from './framing';
import { collectWarnings, createLogParser, parseBytes, type ParserState } from './parse';
import { smolvlaParser } from './parsers/smolvla';
import { summarizeRuns } from './summarize';
import { fixtureBytes } from '../testkit/parse-fixtures';

const encoder = new TextEncoder();

const LOGS = [
  'samples/sample_task2_unfreeze4_buffered.log',
  'logs/crlf_ansi.log',
  'logs/buffered_8k_blocks.log',
  'logs/two_runs.log',
  'logs/crash_traceback.log',
  'logs/lerobot_train.log',
  'logs/generic_tqdm.log',
  'logs/side_lineage.log',
  'logs/nan_inf.log',
  'logs/banner_access_error.log',
].map((name) => fixtureBytes(name));

/** Real records of the fixtures: the vocabulary of the "log soup" inputs. */
const VOCABULARY = [...new Set(LOGS.flatMap((bytes) => frameBytes(bytes).records.map((r) => r.text)))];
const SEPARATORS = ['\n', '\r', '\r\n', `\r${' '.repeat(30)}\r`, '\x1b[32m', '\x1b[0m', '\n\n'];

/** Plausible-looking logs: real lines in random order, glued with random separators and junk. */
const logSoup = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...VOCABULARY) },
      { weight: 4, arbitrary: fc.constantFrom(...SEPARATORS) },
      { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
    ),
    { maxLength: 60 },
  )
  .map((parts) => encoder.encode(parts.join('')));

/** Byte inputs: random bytes, log soup, or a real fixture. */
const anyLog = fc.oneof(fc.uint8Array({ maxLength: 512 }), logSoup, fc.constantFrom(...LOGS));

/** Chunk sizes 1 B … 64 KiB, biased towards small ones. */
const chunkSizes = fc.array(fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 65536 })), { minLength: 1, maxLength: 20 });

interface Pass {
  events: ParseEvent[];
  warnings: FramingWarning[];
}

function chunked(bytes: Uint8Array, sizes: number[]): Pass {
  const framer = new Framer();
  const parser = createLogParser();
  const events: ParseEvent[] = [];
  const warnings: FramingWarning[] = [];
  const take = (out: { records: LogRecord[]; warnings: FramingWarning[] }) => {
    warnings.push(...out.warnings);
    for (const record of out.records) events.push(...parser.feed(record));
  };
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    take(framer.push(bytes.slice(at, at + size)));
    at += size;
  }
  take(framer.end());
  events.push(...parser.end());
  return { events, warnings: collectWarnings(warnings, events) };
}

/**
 * The daemon's way (ingest/tailer.ts): each record to the parser as the framer finds it (FramedRecord,
 * which a format may read from its bytes: FormatParser.fastFrame). `chunked` above hands the parser
 * LogRecords of their own (text only: the general path). Returns the events and the parser's final state.
 */
function chunkedFramed(bytes: Uint8Array, sizes: number[]): Pass & { state: ParserState } {
  const framer = new Framer();
  const parser = createLogParser();
  const events: ParseEvent[] = [];
  const warnings: FramingWarning[] = [];
  const visit = (record: LogRecord) => {
    for (const event of parser.feed(record)) events.push(event);
  };
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    warnings.push(...framer.pushEach(bytes.slice(at, at + size), visit));
    at += size;
  }
  warnings.push(...framer.endEach(visit));
  const state = parser.snapshot();
  events.push(...parser.end());
  return { events, warnings: collectWarnings(warnings, events), state };
}

/** The general path only (every record decoded, no fastFrame), with the parser's final state. */
function generalPath(bytes: Uint8Array): Pass & { state: ParserState } {
  const framed = frameBytes(bytes);
  const parser = createLogParser();
  const events: ParseEvent[] = [];
  for (const record of framed.records) events.push(...parser.feed(record));
  const state = parser.snapshot();
  events.push(...parser.end());
  return { events, warnings: collectWarnings(framed.warnings, events), state };
}

/** Training frames as the trainer prints them, some with one character changed, glued into a log. */
const FRAME_ALPHABET = [' ', ',', ':', '|', '<', '[', ']', '.', 'e', '-', '0', '7', '\t', '█', 'x', '\u00a0', '\x1b', '好', '\r', '\n'];
const trainingFrames = fc
  .array(
    fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...VOCABULARY) },
      {
        weight: 5,
        arbitrary: fc
          .tuple(
            fc.constantFrom(...VOCABULARY.filter((text) => text.startsWith('Training Epoch '))),
            fc.nat(),
            fc.constantFrom(...FRAME_ALPHABET),
            fc.boolean(),
          )
          .map(([frame, at, c, insert]) => {
            const i = at % (frame.length + 1);
            return frame.slice(0, i) + c + frame.slice(insert ? i : i + 1);
          }),
      },
      { weight: 3, arbitrary: fc.constantFrom('\r', '\n', '\r\n', '') },
    ),
    { maxLength: 60 },
  )
  .map((parts) => encoder.encode(parts.join('')));

/** What the daemon stores: JSON (jsonb), so NaN or Infinity in the state would not survive. */
function throughJson(state: ParserState): ParserState {
  return JSON.parse(JSON.stringify(state)) as ParserState;
}

describe('parser properties', () => {
  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(anyLog, (bytes) => {
        const { events } = parseBytes(bytes);
        summarizeRuns(events);
      }),
      { numRuns: 4000 },
    );
  });

  it('chunking (1 B … 64 KiB) yields exactly the events of one pass', () => {
    fc.assert(
      fc.property(anyLog, chunkSizes, (bytes, sizes) => {
        expect(chunked(bytes, sizes)).toEqual(parseBytes(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it("records read from their bytes (the daemon's way) give the events and state of the general path, at any chunking", () => {
    expect(VOCABULARY.filter((text) => text.startsWith('Training Epoch ')).length).toBeGreaterThan(10);
    // Counts the frames the fast path answered, so that the comparison below is not vacuous.
    const fastFrame = vi.spyOn(smolvlaParser, 'fastFrame');
    fc.assert(
      fc.property(fc.oneof(anyLog, trainingFrames), chunkSizes, (bytes, sizes) => {
        const general = generalPath(bytes);
        const framed = chunkedFramed(bytes, sizes);
        expect(framed.events).toEqual(general.events);
        expect(framed.warnings).toEqual(general.warnings);
        expect(framed.state).toEqual(general.state);
      }),
      { numRuns: 3000 },
    );
    const answered = fastFrame.mock.results.filter((result) => result.type === 'return' && result.value !== null).length;
    fastFrame.mockRestore();
    expect(answered).toBeGreaterThan(10_000);
  });

  it('snapshot/restore at any record boundary yields the events of one pass', () => {
    fc.assert(
      fc.property(anyLog, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }), (bytes, cuts) => {
        const { records } = frameBytes(bytes);
        const whole = parseBytes(bytes).events;
        const boundaries = cuts.map((c) => Math.floor(c * records.length)).sort((a, b) => a - b);
        const events: ParseEvent[] = [];
        let parser = createLogParser();
        let from = 0;
        for (const boundary of boundaries) {
          for (const record of records.slice(from, boundary)) events.push(...parser.feed(record));
          parser = createLogParser(throughJson(parser.snapshot()));
          from = boundary;
        }
        for (const record of records.slice(from)) events.push(...parser.feed(record));
        events.push(...parser.end());
        expect(events).toEqual(whole);
      }),
      { numRuns: 1500 },
    );
  });

  it('framer + parser resume at committedOffset/committedLine like the daemon after a crash', () => {
    fc.assert(
      fc.property(anyLog, fc.double({ min: 0, max: 1, noNaN: true }), (bytes, where) => {
        const cut = Math.floor(where * bytes.length);
        const framer = new Framer();
        const parser = createLogParser();
        const events: ParseEvent[] = [];
        const warnings: FramingWarning[] = [];
        const first = framer.push(bytes.slice(0, cut));
        warnings.push(...first.warnings);
        for (const record of first.records) events.push(...parser.feed(record));
        // Crash: only the committed offset/line and the parser snapshot survive.
        const committed = { offset: framer.committedOffset, line: framer.committedLine, state: throughJson(parser.snapshot()) };
        const resumed = new Framer({ startOffset: committed.offset, startLine: committed.line });
        const resumedParser = createLogParser(committed.state);
        for (const out of [resumed.push(bytes.slice(committed.offset)), resumed.end()]) {
          warnings.push(...out.warnings);
          for (const record of out.records) events.push(...resumedParser.feed(record));
        }
        events.push(...resumedParser.end());
        const whole = parseBytes(bytes);
        expect(events).toEqual(whole.events);
        // A record dropped for length before the crash is dropped (and warned) again after it.
        const all = collectWarnings(warnings, events);
        expect(new Set(all.map((w) => JSON.stringify(w)))).toEqual(new Set(whole.warnings.map((w) => JSON.stringify(w))));
      }),
      { numRuns: 1500 },
    );
  });

  it('is deterministic and keeps its state JSON-clean', () => {
    fc.assert(
      fc.property(anyLog, (bytes) => {
        const first = parseBytes(bytes);
        expect(parseBytes(bytes)).toEqual(first);
        const parser = createLogParser();
        for (const record of frameBytes(bytes).records) parser.feed(record);
        const state = parser.snapshot();
        expect(throughJson(state)).toEqual(state);
      }),
      { numRuns: 500 },
    );
  });
});

// LeRobot captures: frames glued in front of records, records joined on one line, `\r` frames, cut
// prefixes. Vocabulary = the records of the LeRobot fixtures, glued with the separators real captures
// leave between them (nothing, a space, `\r`, `\n`).
const LEROBOT_LOGS = [
  'lerobot/d_wandb_output_log.log',
  'lerobot/e_colab_cell.log',
  'lerobot/f_multi_records_one_line.log',
  'lerobot/g_cut_prefix_no_timestamp.log',
  'lerobot/i_resumed_raw_cr.log',
  'lerobot/k_keyboard_interrupt.log',
].map((name) => fixtureBytes(name));
const LEROBOT_VOCABULARY = [...new Set(LEROBOT_LOGS.flatMap((bytes) => frameBytes(bytes).records.map((r) => r.text)))].filter(
  (text) => text.length < 2000,
);
const gluedSoup = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...LEROBOT_VOCABULARY) },
      { weight: 3, arbitrary: fc.constantFrom('', ' ', '\r', '\n', '\r\n') },
    ),
    { maxLength: 40 },
  )
  .map((parts) => encoder.encode(parts.join('')));
const anyLerobot = fc.oneof(gluedSoup, fc.constantFrom(...LEROBOT_LOGS));

/** The rows a store would end with: step → loss (retracted steps removed). */
function finalSteps(events: ParseEvent[]): Map<string, number | null> {
  const rows = new Map<string, number | null>();
  for (const event of events) {
    if (event.type === 'step') rows.set(`${event.runKey}|${event.step}`, event.loss);
    if (event.type === 'step_retract') rows.delete(`${event.runKey}|${event.step}`);
  }
  return rows;
}

describe('parser properties: glued and multi-record LeRobot lines', () => {
  it('chunking yields exactly the events of one pass', () => {
    fc.assert(
      fc.property(anyLerobot, chunkSizes, (bytes, sizes) => {
        expect(chunked(bytes, sizes)).toEqual(parseBytes(bytes));
      }),
      { numRuns: 600 },
    );
  });

  it('snapshot/restore through JSON at any record boundary is invisible', () => {
    fc.assert(
      fc.property(anyLerobot, fc.double({ min: 0, max: 1, noNaN: true }), (bytes, where) => {
        const { records } = frameBytes(bytes);
        const cut = Math.floor(where * records.length);
        const first = createLogParser();
        const events: ParseEvent[] = [];
        for (const record of records.slice(0, cut)) events.push(...first.feed(record));
        const second = createLogParser(throughJson(first.snapshot()));
        for (const record of records.slice(cut)) events.push(...second.feed(record));
        events.push(...second.end());
        expect(events).toEqual(parseBytes(bytes).events);
      }),
      { numRuns: 600 },
    );
  });

  it('every train record becomes exactly one row, whether glued, joined or on its own line', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            ...LEROBOT_VOCABULARY.filter((t) => /^(?:INFO |Training:)/.test(t) && / step:\S+ smpl:/.test(t) && t.includes(' loss:')),
          ),
          {
            maxLength: 30,
          },
        ),
        fc.constantFrom('', ' ', '\n', '\r'),
        (records, glue) => {
          const joined = (parts: string[]) => encoder.encode(parts.join(glue) + '\n');
          const alone = finalSteps(parseBytes(encoder.encode(records.join('\n') + '\n')).events);
          const glued = finalSteps(parseBytes(joined(records)).events);
          const expectedRecords = records.reduce(
            (n, text) => n + (text.match(/ step:\S+ smpl:\S+ ep:\S+ epch:\S+ loss:/g)?.length ?? 0),
            0,
          );
          expect(alone.size).toBe(expectedRecords);
          expect(glued.size).toBe(expectedRecords);
          const byValue = (a: number | null, b: number | null) => (a ?? -1) - (b ?? -1);
          expect([...glued.values()].sort(byValue)).toEqual([...alone.values()].sort(byValue));
        },
      ),
      { numRuns: 400 },
    );
  });
});
