// Records → events: the run manager. It decides which run each record belongs to and hands the record
// to that run's format parser (./parsers). Pure: no fs, no db, no process.
//
// Decisions (see also the format modules):
// * A run starts at its trainer header (runKey = that record's offset) or, for a log without one, at the
//   first record that is evidence of a known format.
// * tqdm frames (stderr) arrive ahead of the block-buffered stdout (§0.1), even ahead of the next run's
//   header. A frame that cannot belong to the open run (the run completed or crashed, or tqdm went
//   backwards) opens a *provisional* run keyed at that frame; the header that follows adopts it instead of
//   starting another run. So the frames never pollute the previous run and are never held back.
// * stdout lines are never re-ordered: after a crash (traceback on stderr) Python still flushes stdout
//   at exit, and those lines belong to the crashed run.
// * A stdout line cut by an 8 KiB flush in the middle is re-joined (see `rejoin`), and a partial line never
//   becomes a value on its own: what a stdout line that a lone `\r` ended says (`LogRecord.cr`; a cut
//   followed by tqdm frames looks like that) is held until a later record shows whether the line was
//   whole (then out it goes) or cut (a frame right after the `\r`: it stays held while frames go on, and
//   leaves together with what the rejoined line says, in one batch, where the whole line's values win).
//   The line is applied to the run's state when it arrives, as before; only its events wait. Lines ended
//   by `\n` are never held. The held events are part of the parser state, so a restart keeps them.
// * Warnings about a stdout line are held until the next record shows it was not a cut fragment.
// * Status: ingest/run-status.ts decides (a teardown traceback after the completion block does not make
//   a run crashed); a traceback that follows "Exception ignored in" is not fatal.
import type { ParseEvent, RunFormat, RunStatus } from './events';
import { statusAfter } from './run-status';
import { Framer, FramedRecord, type FramerOptions, type FramingWarning, type LogRecord } from './framing';
import { TRACEBACK_START, isExceptionLine, looksLikeTqdmFrame, startsWithAt } from './parsers/common';
import { FORMAT_PARSERS, parserForFormat, splitGluedRecord } from './parsers/registry';
import { Malformed, ROLE_CONTENT, type AnyFormatParser, type LineRole, type RunContext, type RunEventBody } from './parsers/types';

export const PARSER_STATE_VERSION = 1;

/** The exception of a failed model upload (huggingface_hub's HTTP errors). */
const PUSH_FAILURE = /HfHubHTTPError|HTTPError|RepositoryNotFoundError|hub|push|upload/i;

const encoder = new TextEncoder();
const utf8Length = (text: string): number => encoder.encode(text).length;

interface RunState {
  key: number;
  format: RunFormat;
  /** Opened by a tqdm frame and nothing else yet: the next header of the same format adopts it. */
  provisional: boolean;
  status: RunStatus;
  /** The format parser's own state (plain JSON). */
  state: unknown;
}

interface HeldRecord {
  text: string;
  line: number;
  offset: number;
  endOffset: number;
  /** A tqdm frame followed this record right after its `\r`: it was cut by a buffer flush. */
  fragment: boolean;
}

interface DeferredWarning {
  runKey: number | null;
  line: number;
  message: string;
}

/** Everything the parser needs to resume: plain JSON (no NaN/Infinity), safe to store as jsonb. */
export interface ParserState {
  version: number;
  run: RunState | null;
  /** The latest non-frame record. */
  last: HeldRecord | null;
  deferredWarnings: DeferredWarning[];
  /** Inside a Python traceback: 'fatal' ends the run, 'ignored' is a handled one (printed, not raised). */
  traceback: 'none' | 'fatal' | 'ignored';
  /** The previous record announced that a traceback printed right after it is handled. */
  exceptionIgnored: boolean;
  /** The events of the latest stdout line while it may be the head of a cut line (module comment), as heldJson writes them. */
  held?: string | null;
}

export interface LogParser {
  feed(record: LogRecord): ParseEvent[];
  end(): ParseEvent[];
  snapshot(): ParserState;
}

export function initialParserState(): ParserState {
  return { version: PARSER_STATE_VERSION, run: null, last: null, deferredWarnings: [], traceback: 'none', exceptionIgnored: false };
}

function isParserState(value: unknown): value is ParserState {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<ParserState>;
  return candidate.version === PARSER_STATE_VERSION && Array.isArray(candidate.deferredWarnings) && 'run' in candidate;
}

interface Recognised {
  parser: AnyFormatParser;
  line: unknown;
  /** parser.role(line), asked once: both the framing decisions and runFor need it. */
  role: LineRole;
}

function withRole(parser: AnyFormatParser, line: unknown): Recognised {
  return { parser, line, role: parser.role(line) };
}

export function createLogParser(state?: ParserState): LogParser {
  return new RunManager(state && isParserState(state) ? structuredClone(state) : initialParserState());
}

class RunManager implements LogParser {
  /** Where warnings of the record being processed go: deferred (stdout lines), or straight out. */
  private deferWarnings = false;
  /** The events of the record being fed; null until its first one (see `output`). */
  private out: ParseEvent[] | null = null;
  private record: HeldRecord | LogRecord = { text: '', line: 0, offset: 0, endOffset: 0 };

  /** The open run's format parser (parserForFormat(s.run.format)), kept beside s.run: asked per record. */
  private runParser: AnyFormatParser | undefined;

  constructor(private readonly s: ParserState) {
    this.runParser = s.run ? parserForFormat(s.run.format) : undefined;
  }

  snapshot(): ParserState {
    return structuredClone(this.s);
  }

  feed(record: LogRecord): ParseEvent[] {
    this.out = null;
    try {
      this.handle(record);
    } catch (error) {
      // Never throw on input; a bug here should cost one line, not the whole file.
      this.output({
        type: 'warning',
        runKey: this.s.run?.key ?? null,
        line: record.line,
        message: `internal parser error: ${String(error)}`,
      });
    }
    return this.out ?? [];
  }

  end(): ParseEvent[] {
    this.out = null;
    this.releaseHeld();
    this.flushDeferred();
    return this.out ?? [];
  }

  /**
   * Adds an event of the record being fed. Most records yield one event (a step) or none: `[event]`
   * holds exactly one, where a first push() onto `[]` would reserve room for 17, once per record.
   */
  private output(event: ParseEvent): void {
    if (this.out === null) this.out = [event];
    else this.out.push(event);
  }

  /** A record holding several glued records (see FormatParser.split) is handled piece by piece. */
  private handle(record: LogRecord): void {
    const fast = record instanceof FramedRecord ? this.fastFrame(record) : null;
    if (fast !== null) {
      this.handleOne(record, fast);
      return;
    }
    const pieces = splitGluedRecord(record.text);
    if (pieces === null) {
      this.handleOne(record);
      return;
    }
    let offset = record.offset;
    pieces.forEach((text, index) => {
      const end = index === pieces.length - 1 ? record.endOffset : Math.min(record.endOffset, offset + utf8Length(text));
      if (text.trim() !== '') this.handleOne({ text, line: record.line, offset, endOffset: end });
      offset = end;
    });
  }

  /**
   * The shortcut for a training step's progress frame (FormatParser.fastFrame) of the format recognise()
   * asks first: what recognise() would return, read from the record's bytes without decoding, splitting
   * or trying every rule.
   */
  private fastFrame(record: FramedRecord): Recognised | null {
    const parser = this.runParser ?? FORMAT_PARSERS[0];
    const line = parser?.fastFrame?.(record.bytes, record.start, record.end) ?? null;
    if (!parser || line === null) return null;
    // One holder, re-pointed per frame (as `context` is): nothing keeps a Recognised past its record.
    const fast = this.fast;
    fast.parser = parser;
    fast.line = line;
    fast.role = parser.role(line);
    return fast;
  }

  private readonly fast: Recognised = { parser: FORMAT_PARSERS[0] as AnyFormatParser, line: null, role: ROLE_CONTENT };

  private handleOne(record: LogRecord, known?: Recognised): void {
    let recognised = known ?? this.recognise(record.text);
    const frame = recognised !== null && !(recognised instanceof Malformed) ? recognised.role.frame : looksLikeTqdmFrame(record.text);
    const last = this.s.last;
    if (frame) {
      if (last && !last.fragment && record.line === last.line && record.offset === last.endOffset + 1) {
        last.fragment = true; // its warnings were about a partial line; the rejoined line gets its own
        this.s.deferredWarnings = [];
      } else {
        // More frames on a cut line's own line: what its head said stays held until its rest arrives.
        if (!(last?.fragment && record.line === last.line)) this.releaseHeld();
        this.flushDeferred();
      }
      this.deferWarnings = false;
      this.process(record, recognised);
      return;
    }
    let current: HeldRecord = { text: record.text, line: record.line, offset: record.offset, endOffset: record.endOffset, fragment: false };
    const rejoined = last?.fragment === true && record.line === last.line;
    if (rejoined) {
      current = rejoin(last, record);
      recognised = this.recognise(current.text);
    } else {
      this.releaseHeld();
    }
    this.flushDeferred();
    this.s.last = current;
    this.deferWarnings = true;
    const before = this.out?.length ?? 0;
    // The head of a rejoined line: what it said goes out with what the whole line says, right before it.
    if (rejoined) this.releaseHeld();
    this.process(current, recognised);
    if (record.cr === true && this.out !== null && this.out.length > before && isStdoutLine(recognised)) {
      this.s.held = heldJson(this.out.splice(before));
    }
  }

  /** The held events (see ParserState.held) were of a whole line: out they go, in their place. */
  private releaseHeld(): void {
    const held = this.s.held;
    if (held === null || held === undefined) return;
    this.s.held = null;
    for (const event of fromHeldJson(held)) this.output(event);
  }

  /** The open run's format first, then the others; a proper match anywhere beats a Malformed one. */
  private recognise(text: string): Recognised | Malformed | null {
    const first = this.runParser;
    let malformed: Malformed | null = null;
    if (first) {
      const line = first.recognise(text);
      if (line instanceof Malformed) malformed = line;
      else if (line !== null) return withRole(first, line);
    }
    for (const parser of FORMAT_PARSERS) {
      if (parser === first) continue;
      const line = parser.recognise(text);
      if (line instanceof Malformed) malformed ??= line;
      else if (line !== null) return withRole(parser, line);
    }
    return malformed;
  }

  private process(record: HeldRecord | LogRecord, recognised: Recognised | Malformed | null): void {
    this.record = record;
    // `this.fast` holds a fastFrame answer, and only that: a progress frame found without its text.
    if (recognised === this.fast ? this.tracebackAtCanonicalFrame(record) : this.handleTraceback(record.text)) return;
    if (recognised === null) return;
    if (recognised instanceof Malformed) {
      this.warn(recognised.message);
      return;
    }
    const run = this.runFor(recognised, record);
    if (run === null) return;
    recognised.parser.apply(recognised.line, run.state, this.contextFor(run));
  }

  /** Picks (or starts) the run a recognised line belongs to; null when it belongs to none. */
  private runFor({ parser, line, role }: Recognised, record: HeldRecord | LogRecord): RunState | null {
    let run = this.s.run;
    if (role.header) {
      const adopt = run !== null && run.format === parser.format && (run.provisional || run.key === record.offset);
      if (!adopt || run === null) run = this.startRun(parser, record, false);
    } else if (run === null || run.format !== parser.format) {
      if (!role.opensRun) return null;
      run = this.startRun(parser, record, role.frame);
    } else if (role.frame && role.opensRun && (run.status !== 'running' || parser.startsNewProcess(line, run.state))) {
      run = this.startRun(parser, record, true);
    }
    if (!role.frame) run.provisional = false;
    return run;
  }

  private startRun(parser: AnyFormatParser, record: HeldRecord | LogRecord, provisional: boolean): RunState {
    const run: RunState = { key: record.offset, format: parser.format, provisional, status: 'running', state: parser.initialState() };
    this.s.run = run;
    this.runParser = parser;
    this.output({ type: 'run_started', runKey: run.key, line: record.line, format: parser.format });
    return run;
  }

  /** One context object, re-pointed at the run being applied to (it runs once per progress frame). */
  private contextFor(run: RunState): RunContext {
    this.contextRun = run;
    return this.context;
  }

  private contextRun: RunState | null = null;

  private readonly context: RunContext = this.makeContext();

  private makeContext(): RunContext {
    const status = (): RunStatus => this.contextRun?.status ?? 'running';
    const record = () => this.record;
    return {
      emit: (event: RunEventBody): void => {
        const run = this.contextRun;
        if (run === null) return;
        if (event.type === 'status') {
          // A status the run's current one outranks is not reported at all (ingest/run-status.ts).
          if (statusAfter(run.status, event.status) !== event.status) return;
          run.status = event.status;
        }
        // The body (always a fresh literal from the format parser) becomes the event: no copy on the
        // hot path (one step event per tqdm frame).
        const scoped = event as RunEventBody & { runKey: number; line: number };
        scoped.runKey = run.key;
        scoped.line = this.record.line;
        this.output(scoped);
      },
      warn: (message: string): void => {
        this.pushWarning({ runKey: this.contextRun?.key ?? null, line: this.record.line, message });
      },
      expectHandledTraceback: (): void => {
        this.s.exceptionIgnored = true;
      },
      get status(): RunStatus {
        return status();
      },
      get where() {
        return record();
      },
    };
  }

  /**
   * handleTraceback for a fastFrame answer, which starts with its format's frame description: neither a
   * traceback header, nor `Exception ignored in`, nor indented. Outside a traceback that is all
   * handleTraceback would look at, so the text is not needed (or decoded) there.
   */
  private tracebackAtCanonicalFrame(record: HeldRecord | LogRecord): boolean {
    if (this.s.traceback !== 'none') return this.handleTraceback(record.text);
    this.s.exceptionIgnored = false;
    return false;
  }

  /** Python tracebacks, whatever the trainer. Returns true when the record was part of one. */
  private handleTraceback(text: string): boolean {
    const s = this.s;
    if (s.traceback !== 'none') {
      if (isExceptionLine(text)) {
        if (s.traceback === 'fatal') this.crash(text.trim());
        s.traceback = 'none';
        return true;
      }
      const first = text.charCodeAt(0);
      if (first === 32 || first === 9 || startsWithAt(text, TRACEBACK_START)) return true;
      if (text.startsWith('During handling of the above exception') || text.startsWith('The above exception was the direct cause')) {
        return true;
      }
      s.traceback = 'none';
    }
    // A handled traceback is announced by the record right before it.
    const handled = s.exceptionIgnored;
    s.exceptionIgnored = false;
    if (startsWithAt(text, TRACEBACK_START)) {
      s.traceback = handled ? 'ignored' : 'fatal';
      return true;
    }
    if (startsWithAt(text, 'Exception ignored in')) {
      s.exceptionIgnored = true;
      return true;
    }
    return false;
  }

  /**
   * A fatal traceback ended. After the run completed it is not a crash; when it is about uploading the
   * model (LeRobot pushes to the Hub after `End of training`), it is recorded as the push's failure.
   * A KeyboardInterrupt is the user stopping the trainer, not a crash.
   */
  private crash(error: string): void {
    const run = this.s.run;
    if (run === null) return;
    if (run.status === 'completed') {
      if (PUSH_FAILURE.test(error)) this.contextFor(run).emit({ type: 'run_info', info: { pushError: error } });
      return;
    }
    const status = /^KeyboardInterrupt\b/.test(error) ? 'stopped' : 'crashed';
    this.contextFor(run).emit({ type: 'status', status, error });
  }

  private warn(message: string): void {
    this.pushWarning({ runKey: this.s.run?.key ?? null, line: this.record.line, message });
  }

  private pushWarning(warning: DeferredWarning): void {
    if (this.deferWarnings) this.s.deferredWarnings.push(warning);
    else this.output({ type: 'warning', ...warning });
  }

  private flushDeferred(): void {
    const deferred = this.s.deferredWarnings;
    if (deferred.length === 0) return; // every progress frame comes here: no new array for nothing
    for (const warning of deferred) this.output({ type: 'warning', ...warning });
    this.s.deferredWarnings = [];
  }
}

/** A line of a format whose value lines are block-buffered stdout prints (FormatParser.stdoutBuffered). */
function isStdoutLine(recognised: Recognised | Malformed | null): boolean {
  return recognised !== null && !(recognised instanceof Malformed) && recognised.parser.stdoutBuffered === true;
}

/** Events as plain JSON (the parser state is stored as jsonb): NaN and ±Infinity become {"nonFinite": "NaN"}. */
function heldJson(events: readonly ParseEvent[]): string {
  return JSON.stringify(events, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? { nonFinite: String(value) } : value,
  );
}

function fromHeldJson(text: string): ParseEvent[] {
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const keys = Object.keys(value);
      const nonFinite = (value as { nonFinite?: unknown }).nonFinite;
      if (keys.length === 1 && typeof nonFinite === 'string') return Number(nonFinite);
    }
    return value;
  }) as ParseEvent[];
}

/**
 * §0: an 8 KiB stdout flush can end in the middle of a line; tqdm frames then follow right after the
 * cut (the fragment ends with the frame's `\r`), and the rest of the line comes with the next flush,
 * still on the same `\n` line. The joined line keeps the fragment's line number and offset.
 */
function rejoin(fragment: HeldRecord, rest: LogRecord): HeldRecord {
  return { text: fragment.text + rest.text, line: fragment.line, offset: fragment.offset, endOffset: rest.endOffset, fragment: false };
}

export interface ParseBytesOptions extends FramerOptions {
  /** Resume from a stored parser state (with startOffset/startLine from the same commit). */
  state?: ParserState;
}

export interface ParseBytesResult {
  events: ParseEvent[];
  /** Every warning, by line: framing problems (over-long records) and the parser's `warning` events. */
  warnings: FramingWarning[];
}

/** Framing warnings and parser warning events as one list, ordered by line (stable). */
export function collectWarnings(framing: readonly FramingWarning[], events: readonly ParseEvent[]): FramingWarning[] {
  const warnings = framing.map(({ line, message }) => ({ line, message }));
  for (const event of events) {
    if (event.type === 'warning') warnings.push({ line: event.line, message: event.message });
  }
  return warnings.sort((a, b) => a.line - b.line);
}

/** Frames and parses a whole buffer (then flushes the trailing unterminated record). */
export function parseBytes(bytes: Uint8Array, options: ParseBytesOptions = {}): ParseBytesResult {
  const { state, ...framerOptions } = options;
  const framer = new Framer(framerOptions);
  const parser = createLogParser(state);
  const events: ParseEvent[] = [];
  const feed = (record: LogRecord): void => {
    const produced = parser.feed(record);
    for (const event of produced) events.push(event);
  };
  const framing = framer.pushEach(bytes, feed).concat(framer.endEach(feed));
  for (const event of parser.end()) events.push(event);
  return { events, warnings: collectWarnings(framing, events) };
}
