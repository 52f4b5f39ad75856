// Shared helpers for the parser tests: fixture files and whole-buffer parsing.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParseEvent } from '../ingest/events';
import { parseBytes } from '../ingest/parse';
import { summarizeRuns, type ParsedRun } from '../ingest/summarize';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'fixtures');

export function fixtureBytes(relative: string): Uint8Array {
  return readFileSync(path.join(FIXTURES, relative));
}

export function parseFixture(relative: string): {
  events: ParseEvent[];
  runs: ParsedRun[];
  warnings: { line: number; message: string }[];
} {
  const { events, warnings } = parseBytes(fixtureBytes(relative));
  return { events, runs: summarizeRuns(events), warnings };
}

export function eventsOf<T extends ParseEvent['type']>(events: ParseEvent[], type: T): Extract<ParseEvent, { type: T }>[] {
  return events.filter((e): e is Extract<ParseEvent, { type: T }> => e.type === type);
}

export function only<T>(values: T[]): T {
  if (values.length !== 1) throw new Error(`expected exactly one value, got ${values.length}`);
  return values[0] as T;
}
