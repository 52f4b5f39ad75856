// The contract between the run manager (../parse.ts) and the format parsers: what a parser may do to
// the run it is applied to, how a recognised line is treated, and the Malformed marker. Imports no
// parser module, so format modules and the registry depend on it without a cycle.
import type { ParseEvent, RunFormat, RunStatus } from '../events';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A run-scoped event as a format parser emits it; the run manager adds runKey and line. */
export type RunEventBody = DistributiveOmit<Exclude<ParseEvent, { type: 'warning' }>, 'runKey' | 'line'>;

/** What a format parser may do to the run it is applied to. */
export interface RunContext {
  /** Takes ownership of `event` (pass a fresh object): the manager adds runKey and line to it. */
  emit(event: RunEventBody): void;
  /** A warning about the current line, attached to the run. */
  warn(message: string): void;
  /** A traceback printed right after this line is handled by the trainer (traceback.print_exc), not fatal. */
  expectHandledTraceback(): void;
  readonly status: RunStatus;
  /** Where the record being applied sits in the source (offsets of split segments are within their record). */
  readonly where: { readonly line: number; readonly offset: number; readonly endOffset: number };
}

/** How the run manager treats a recognised line. */
export interface LineRole {
  /**
   * A tqdm frame (stderr, unbuffered, `\r`-framed): it may arrive ahead of the stdout prints of the same
   * run, even ahead of the run's header (§0.1), so it never decides which stdout context it belongs to.
   */
  readonly frame: boolean;
  /** The trainer's header: begins a run, or adopts the run its own early tqdm frames opened. */
  readonly header: boolean;
  /** Evidence strong enough to open a run of this format when none is open (e.g. a log cut at the top). */
  readonly opensRun: boolean;
}

/**
 * One trainer's log format. `State` is the per-run parser state and must be plain JSON without NaN or
 * ±Infinity (it is stored in PostgreSQL with the committed offset and restored after a crash).
 * Methods use method syntax on purpose: the registry stores parsers as FormatParser<unknown, unknown>.
 */
export interface FormatParser<State, Line> {
  readonly format: RunFormat;
  /** Pure and cheap: null = not this format; Malformed = looks like this format but does not parse. */
  recognise(text: string): Line | Malformed | null;
  /**
   * Optional, pure: an exact shortcut for the format's most frequent progress frame (one per training
   * step), read from the record's UTF-8 bytes[start, end) before anything decodes them (the run manager
   * asks it for records that come straight from the framer: FramedRecord). Returns a line only when
   * recognise(text) returns an equal one for the text the framer gives those bytes, and no format's
   * split() would cut that text; null means nothing (the general path decodes and runs).
   */
  fastFrame?(bytes: Uint8Array, start: number, end: number): Line | null;
  /**
   * Optional, pure: several records of this format glued on one record (a tqdm frame in front of a log
   * line, log lines joined by spaces). Returns the pieces in order (joined they give `text` back), or
   * null when there is nothing to split. A function of the text alone, so chunking cannot change it.
   */
  split?(text: string): string[] | null;
  role(line: Line): LineRole;
  /**
   * The format's value lines are `print()`s to stdout, which Python block-buffers into a pipe: a flush
   * can cut one in the middle, tqdm frames follow right after the cut (log-formats §0.1). The run
   * manager then holds what a line a lone `\r` ended says until the next record shows it was whole.
   * (LeRobot's lines come from `logging` on unbuffered stderr: never cut, never held.)
   */
  readonly stdoutBuffered?: boolean;
  /** For progress frames: the frame cannot continue the open run (tqdm went backwards: a new process). */
  startsNewProcess(line: Line, state: State): boolean;
  initialState(): State;
  apply(line: Line, state: State, context: RunContext): void;
}

export type AnyFormatParser = FormatParser<unknown, unknown>;

export const ROLE_HEADER: LineRole = { frame: false, header: true, opensRun: true };
export const ROLE_EVIDENCE: LineRole = { frame: false, header: false, opensRun: true };
export const ROLE_CONTENT: LineRole = { frame: false, header: false, opensRun: false };
export const ROLE_PROGRESS: LineRole = { frame: true, header: false, opensRun: true };
/** A progress bar that carries nothing for the run (validation or download bars). */
export const ROLE_IDLE_BAR: LineRole = { frame: true, header: false, opensRun: false };

/** A record that looks like a known line but does not parse; becomes a warning event. */
export class Malformed {
  constructor(readonly message: string) {}
}
