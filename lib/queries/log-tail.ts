// The last lines of a run's raw log. Only files the database knows are read (the path comes from the
// run's LogSource row, never from the request), and only the run's own byte range: from its first
// record (runKey) to the next run's first record in the same file, or the end of the file.
import { open } from 'node:fs/promises';
import { db } from '../db/client';
import { NotFoundError } from '../api/errors';
import type { LogTail } from '../api/schemas/run';
import { sourceKind } from './run';
import { noConsoleLogText } from '../views/run-page';

/** At most this much of the file is read per request. */
const TAIL_BYTES = 64 * 1024;

/** A tqdm bar rewrites its line with '\r': show the latest frame of each line. */
function latestFrame(line: string): string {
  const frames = line.split('\r').filter((frame) => frame.trim() !== '');
  return frames[frames.length - 1] ?? '';
}

export async function readLogTail(runId: number, lines: number): Promise<LogTail> {
  const run = await db().run.findUnique({
    where: { id: runId },
    select: {
      runKey: true,
      sourceId: true,
      source: { select: { path: true, kind: true } },
      sources: { select: { source: { select: { kind: true } } } },
    },
  });
  if (!run) throw new NotFoundError(`run ${runId} does not exist`);
  if (run.source.kind !== 'log') {
    // Read from its run directory or checkpoint folders alone (event files, results JSON, configs): no console output.
    const kinds = run.sources.map(({ source }) => sourceKind(source.kind));
    return { runId, path: run.source.path, lines: [], endOffset: 0, consoleLog: false, note: noConsoleLogText(kinds) };
  }
  const next = await db().run.findFirst({
    where: { sourceId: run.sourceId, runKey: { gt: run.runKey } },
    orderBy: { runKey: 'asc' },
    select: { runKey: true },
  });
  const path = run.source.path;
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return {
      runId,
      path,
      lines: [],
      endOffset: 0,
      consoleLog: true,
      note: `the log file cannot be read here (${code}); it may have been moved, deleted, or be on another host`,
    };
  }
  try {
    const size = (await handle.stat()).size;
    const start = Number(run.runKey);
    const end = Math.min(size, next ? Number(next.runKey) : size);
    const from = Math.max(start, end - TAIL_BYTES);
    const buffer = Buffer.alloc(Math.max(0, end - from));
    await handle.read(buffer, 0, buffer.length, from);
    let text = buffer.toString('utf8');
    if (from > start) text = text.slice(text.indexOf('\n') + 1); // drop the partial first line
    const all = text.split('\n').map(latestFrame);
    while (all.length > 0 && all[all.length - 1] === '') all.pop();
    const note = size < start ? 'the file is shorter than when this run was read (truncated or replaced)' : null;
    return { runId, path, lines: all.slice(-lines), endOffset: end, consoleLog: true, note };
  } finally {
    await handle.close();
  }
}
