// Parser throughput: framer + parser lines/s against two references measured on the same file in the
// same run: `text.split` after a UTF-8 decode (parser_throughput, kept as it was) and the honest floor,
// reading the file and finding every \r/\n byte with Buffer.indexOf (parser_vs_scan_floor: no decode,
// no strings; any line-based reader pays at least that). framer_vs_scan_floor (informational) is the
// Framer alone against the same floor: what is left of the ratio for the parser. Run directly:
// `node bin/run-ts.mjs bench/parser.ts [frames]`.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Framer, type LogRecord } from '../ingest/framing';
import { createLogParser } from '../ingest/parse';
import { writeSmolvlaLog } from '../testkit/synthetic/smolvla-log';

import type { Figure } from './support';

const TARGET_RATIO = 0.5;

function best(times: number[]): number {
  return Math.min(...times);
}

/** fs.readFile + split on \r and \n: the floor any line-based reader pays. Returns [lines, ms]. */
async function rawSplit(file: string): Promise<[number, number]> {
  const started = performance.now();
  const text = (await readFile(file)).toString('utf8');
  const lines = text.split(/\r\n?|\n|\r/).length;
  return [lines, performance.now() - started];
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * fs.readFile + every \r and \n byte found with Buffer.indexOf (the scan floor). Returns [lines, ms]:
 * lines counted like `text.split(/\r\n?|\n|\r/)` counts them (a \r\n pair ends one line).
 */
async function scanFloor(file: string): Promise<[number, number]> {
  const started = performance.now();
  const bytes = await readFile(file);
  let lines = 1;
  let lf = bytes.indexOf(LF);
  let cr = bytes.indexOf(CR);
  while (lf !== -1 || cr !== -1) {
    if (cr !== -1 && (lf === -1 || cr < lf)) {
      lines += 1;
      // \r\n is one terminator
      if (lf === cr + 1) lf = bytes.indexOf(LF, lf + 1);
      cr = bytes.indexOf(CR, cr + 1);
    } else {
      lines += 1;
      lf = bytes.indexOf(LF, lf + 1);
    }
  }
  return [lines, performance.now() - started];
}

/** fs.readFile, then 64 KiB chunks through the Framer and (`parse`) every record through the parser. */
async function framedParse(file: string, parse = true): Promise<[number, number, number]> {
  const started = performance.now();
  const bytes = await readFile(file);
  const framer = new Framer();
  const parser = createLogParser();
  let records = 0;
  let events = 0;
  const chunk = 64 * 1024;
  // As the daemon's tailer does it: each record to the parser as the framer finds it (undecoded until read).
  const visit = parse
    ? (record: LogRecord) => {
        records += 1;
        events += parser.feed(record).length;
      }
    : () => {
        records += 1;
      };
  for (let at = 0; at < bytes.length; at += chunk) framer.pushEach(bytes.subarray(at, Math.min(at + chunk, bytes.length)), visit);
  framer.endEach(visit);
  if (parse) events += parser.end().length;
  return [records, events, performance.now() - started];
}

export async function benchParser(opts: { frames?: number } = {}): Promise<Figure[]> {
  const frames = Math.max(opts.frames ?? 1_000_000, 1000);
  const stepsPerEpoch = 5000;
  const epochs = Math.max(1, Math.ceil(frames / stepsPerEpoch));
  const dir = await mkdtemp(path.join(tmpdir(), 'thaw-bench-parser-'));
  const file = path.join(dir, 'smolvla.log');
  try {
    const written = writeSmolvlaLog(file, { seed: 7, epochs, epochsTotal: epochs, stepsPerEpoch, validationEvery: 5, saveEvery: 10 });
    const rawTimes: number[] = [];
    const scanTimes: number[] = [];
    const parseTimes: number[] = [];
    const framerTimes: number[] = [];
    let lines = 0;
    let records = 0;
    for (let round = 0; round < 5; round++) {
      const [rawLines, rawMs] = await rawSplit(file);
      lines = rawLines;
      rawTimes.push(rawMs);
      const [scanLines, scanMs] = await scanFloor(file);
      if (scanLines !== rawLines) throw new Error(`scan floor counted ${scanLines} lines, split ${rawLines}`);
      scanTimes.push(scanMs);
      const [recordCount, , parseMs] = await framedParse(file);
      records = recordCount;
      parseTimes.push(parseMs);
      const [, , framerMs] = await framedParse(file, false);
      framerTimes.push(framerMs);
    }
    // Both rates are per record of the same file: the raw split also yields the empty pieces.
    const rawRate = lines / (best(rawTimes) / 1000);
    const parseRate = lines / (best(parseTimes) / 1000);
    const scanRate = lines / (best(scanTimes) / 1000);
    const framerRate = lines / (best(framerTimes) / 1000);
    /** The parser's rate against a limit measured in the same rounds. */
    const against = (name: string, limitRate: number): Figure => {
      const ratio = parseRate / limitRate;
      return {
        name,
        value: Math.round(parseRate),
        unit: 'lines/s',
        limit: Math.round(limitRate),
        ratio: Math.round(ratio * 1000) / 1000,
        target: `≥ ${TARGET_RATIO.toFixed(2)}`,
        met: ratio >= TARGET_RATIO,
      };
    };
    return [
      {
        name: 'log_frames',
        value: written.frames,
        unit: 'frames',
        limit: null,
        ratio: null,
        target: '≥ 1,000,000',
        met: written.frames >= 1_000_000,
      },
      { name: 'log_bytes', value: written.bytes, unit: 'bytes', limit: null, ratio: null, target: 'informational' },
      { name: 'parser_records', value: records, unit: 'records', limit: null, ratio: null, target: 'informational' },
      { name: 'raw_split_throughput', value: Math.round(rawRate), unit: 'lines/s', limit: null, ratio: null, target: 'informational' },
      against('parser_throughput', rawRate),
      against('parser_vs_scan_floor', scanRate),
      {
        name: 'framer_vs_scan_floor',
        value: Math.round(framerRate),
        unit: 'lines/s',
        limit: Math.round(scanRate),
        ratio: Math.round((framerRate / scanRate) * 1000) / 1000,
        target: 'informational',
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const frames = process.argv[2] ? Number(process.argv[2]) : undefined;
  for (const figure of await benchParser({ frames })) {
    const extra = figure.limit === null ? '' : `  (limit ${figure.limit} lines/s, ratio ${figure.ratio}, target ${figure.target})`;
    process.stdout.write(`${figure.name.padEnd(22)} ${String(figure.value).padStart(12)} ${figure.unit}${extra}\n`);
  }
}
