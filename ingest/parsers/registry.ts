// The format registry. Each trainer format is one module implementing FormatParser; the run manager in
// ../parse.ts picks the format per run from what the lines show (the open run's format is asked first,
// then the others in registry order). Adding a trainer = one module here + fixtures. The interfaces
// they implement live in ./types, which imports no parser, so there is no import cycle.
import type { RunFormat } from '../events';
import type { AnyFormatParser } from './types';
import { genericTqdmParser } from './generic-tqdm';
import { lerobotParser } from './lerobot';
import { smolvlaParser } from './smolvla';

/** In order of precedence when no open run claims a line. */
export const FORMAT_PARSERS: readonly AnyFormatParser[] = [smolvlaParser, genericTqdmParser, lerobotParser];

const BY_FORMAT = new Map<RunFormat, AnyFormatParser>(FORMAT_PARSERS.map((parser) => [parser.format, parser]));

export function parserForFormat(format: RunFormat): AnyFormatParser | undefined {
  return BY_FORMAT.get(format);
}

/** The pieces of a record that holds several glued records, or null (see FormatParser.split). */
export function splitGluedRecord(text: string): string[] | null {
  for (const parser of FORMAT_PARSERS) {
    const pieces = parser.split?.(text) ?? null;
    if (pieces !== null) return pieces;
  }
  return null;
}
