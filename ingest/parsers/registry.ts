// The format registry. Each trainer format is one module implementing FormatParser; the run manager in
// ../parse.ts picks the format per run from what the lines show (the open run's format is asked first,
// then the others in registry order). Adding a trainer = one module here + fixtures.
import type { ParseEvent, RunFormat, RunStatus } from '../events';
import type { Malformed } from './common';
// Roles (ROLE_HEADER, ROLE_PROGRESS, …) live in ./common so that format modules never import this file's values.
import { genericTqdmParser } from './generic-tqdm';
import { lerobotParser } from './lerobot';
import { smolvlaParser } from './smolvla';

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
  role(line: Line): LineRole;
  /** For progress frames: the frame cannot continue the open run (tqdm went backwards: a new process). */
  startsNewProcess(line: Line, state: State): boolean;
  initialState(): State;
  apply(line: Line, state: State, context: RunContext): void;
}

export type AnyFormatParser = FormatParser<unknown, unknown>;

/** In order of precedence when no open run claims a line. */
export const FORMAT_PARSERS: readonly AnyFormatParser[] = [
  smolvlaParser as AnyFormatParser,
  genericTqdmParser as AnyFormatParser,
  lerobotParser as AnyFormatParser,
];

export function parserForFormat(format: RunFormat): AnyFormatParser | undefined {
  return FORMAT_PARSERS.find((parser) => parser.format === format);
}
