// A stdout line cut by an 8 KiB buffer flush never becomes a value on its own: pure, but
// its logs come from the synthetic generator (cli/), which ingest/ may not import, so it lives here.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateSmolvlaLog } from '../../testkit/synthetic/smolvla-log';
import type { ParseEvent } from '../../ingest/events';
import { Framer, frameBytes } from '../../ingest/framing';
import { createLogParser, parseBytes } from '../../ingest/parse';
import { fixtureBytes } from '../../testkit/parse-fixtures';

/** Chunk sizes 1 B … 64 KiB, biased towards small ones. */
const chunkSizes = fc.array(fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 65536 })), { minLength: 1, maxLength: 20 });

// An 8 KiB stdout flush cuts a print in the middle; tqdm frames follow the cut, the rest comes with the
// next flush (log-formats §0.1). What the head of the line says must never reach the store on its own:
// whatever a commit would store at any point of the stream is what the whole file ends with.
describe('parser properties: stdout lines cut by a buffer flush', () => {
  // Smaller stdout blocks than Python's 8 KiB: more cuts, at other places (some of them in loss lines).
  const CUT_LOGS = [
    fixtureBytes('logs/buffered_8k_blocks.log'),
    ...Array.from({ length: 30 }, (_, i) =>
      generateSmolvlaLog({ seed: i, epochs: 8, stepsPerEpoch: 12, taskId: 2, stdoutBuffering: 'byte', stdoutBlockBytes: 300 + 41 * i }),
    ),
  ];

  /** (run, epoch, metric) or (run, epoch, final, task) → value, folded as the store folds a batch (last write wins). */
  function values(events: readonly ParseEvent[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const e of events) {
      if (e.type === 'epoch')
        for (const [k, v] of Object.entries(e.metrics)) if (typeof v === 'number') out.set(`${e.runKey}|${e.epoch}|${k}`, v);
      if (e.type === 'validation') out.set(`${e.runKey}|${e.epoch}|${e.final}|${e.taskId}`, e.loss);
    }
    return out;
  }

  it('the logs do cut loss lines (else this proves nothing)', () => {
    const cutLossLines = CUT_LOGS.flatMap((bytes) => {
      const records = frameBytes(bytes).records;
      return records.filter((r, i) => r.cr === true && records[i + 1]?.offset === r.endOffset + 1 && /Loss: \d/.test(r.text));
    });
    expect(cutLossLines.length).toBeGreaterThanOrEqual(4);
  });

  it('no value leaves the parser before its line is whole, under any chunking', () => {
    fc.assert(
      // By index: a counterexample names the log instead of printing its bytes.
      fc.property(fc.integer({ min: 0, max: CUT_LOGS.length - 1 }), chunkSizes, (index, sizes) => {
        const bytes = CUT_LOGS[index]!;
        const final = values(parseBytes(bytes).events);
        const framer = new Framer();
        const parser = createLogParser();
        let at = 0;
        for (let i = 0; at < bytes.length; i++) {
          const size = sizes[i % sizes.length] ?? 1;
          const batch: ParseEvent[] = [];
          for (const record of framer.push(bytes.slice(at, at + size)).records) batch.push(...parser.feed(record));
          at += size;
          // A commit now stores this batch: each of its values is the one the finished file has.
          for (const [key, value] of values(batch)) expect([key, value]).toEqual([key, final.get(key)]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
