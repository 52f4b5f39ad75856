// `thaw parse <file...> [--json]`: parse training logs without a database. The JSON document is the
// contract checked against tests/fixtures/samples/*.expected.json; the default output is a short
// human summary per run.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseBytes } from '../../ingest/parse';
import { digestRuns, toParsedRun, type RunDigest, type ParsedRun } from '../../ingest/summarize';

export interface DocumentWarning {
  line: number;
  message: string;
  /** Present when several files were parsed at once. */
  file?: string;
}

export interface ParseDocument {
  runs: ParsedRun[];
  warnings: DocumentWarning[];
}

interface ParsedLog {
  digests: RunDigest[];
  warnings: DocumentWarning[];
}

function parseLog(bytes: Uint8Array): ParsedLog {
  const { events, warnings } = parseBytes(bytes);
  return { digests: digestRuns(events), warnings };
}

/** The `--json` document for one log (pure: what the command prints for a single file). */
export function parseLogToDocument(bytes: Uint8Array): ParseDocument {
  const { digests, warnings } = parseLog(bytes);
  return { runs: digests.map(toParsedRun), warnings };
}

export interface ParseCommandIO {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): Promise<Uint8Array>;
}

const defaultIO: ParseCommandIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFile(path),
};

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a path component is not a directory',
  EMFILE: 'too many open files',
};

function readErrorReason(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && READ_ERRORS[code]) return READ_ERRORS[code];
  }
  return error instanceof Error ? error.message : String(error);
}

/** Runs the command; resolves to the exit code (0, or 2 when a file cannot be read). */
export async function runParseCommand(files: string[], options: { json?: boolean }, io: ParseCommandIO = defaultIO): Promise<number> {
  const contents: { file: string; bytes: Uint8Array }[] = [];
  let failed = false;
  for (const file of files) {
    try {
      contents.push({ file, bytes: await io.readFile(file) });
    } catch (error) {
      io.stderr(`thaw parse: cannot read ${file}: ${readErrorReason(error)}\n`);
      failed = true;
    }
  }
  if (failed) return 2;
  const parsed = contents.map(({ file, bytes }) => ({ file, ...parseLog(bytes) }));
  if (options.json) {
    const several = files.length > 1;
    const document: ParseDocument = {
      runs: parsed.flatMap((log) => log.digests.map(toParsedRun)),
      warnings: parsed.flatMap((log) => log.warnings.map((w) => (several ? { ...w, file: log.file } : w))),
    };
    io.stdout(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    io.stdout(parsed.map((log) => formatHumanSummary(log.file, log.digests, log.warnings.length)).join('\n'));
  }
  return 0;
}

export function registerParseCommand(program: Command): void {
  program
    .command('parse')
    .description(
      'Parse training logs (SmolVLA sequential, LeRobot train.py, tqdm "Epoch N/M" trainers) and print what they contain.\n' +
        'Without --json: a short summary per run. With --json: {"runs":[…],"warnings":[{"line":N,"message":"…"}]}.',
    )
    .argument('<file...>', 'log files (as written by `python train.py … 2>&1 | tee train.log`)')
    .option('--json', 'print one JSON document with every run and every warning')
    .action(async (files: string[], options: { json?: boolean }) => {
      process.exitCode = await runParseCommand(files, options);
    });
}

// ---------------------------------------------------------------------------------------------
// Human summary

function formatLoss(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return Number.isFinite(value) ? value.toFixed(4) : String(value);
}

function compactList(values: readonly number[]): string {
  if (values.length === 0) return '[]';
  const contiguous = values.every((v, i) => i === 0 || v === (values[i - 1] ?? v) + 1);
  return contiguous && values.length > 2 ? `[${values[0]}..${values[values.length - 1]}]` : `[${values.join(', ')}]`;
}

export function describeStrategy(digest: RunDigest): string {
  const strategy = digest.strategy;
  if (strategy === null) return 'no freezing banner (trainer default)';
  if (strategy.kind === 'none' && strategy.applied) return 'none (vision encoder not frozen)';
  const spec = Array.isArray(strategy.spec) ? compactList(strategy.spec) : (strategy.spec ?? '?');
  const layers = strategy.totalLayers === null ? '' : ` of ${strategy.totalLayers} layers`;
  const split = strategy.applied ? `, frozen ${compactList(strategy.frozen)}, trainable ${compactList(strategy.unfrozen)}` : '';
  const outcome = strategy.applied ? '' : ` — NOT applied: ${strategy.failureReason ?? 'unknown reason'}`;
  return `${strategy.kind} ${spec}${layers}${split}${outcome}`;
}

function bestTrainEpoch(digest: RunDigest): { epoch: number; loss: number } | null {
  let best: { epoch: number; loss: number } | null = null;
  for (const [epoch, metrics] of digest.epochs) {
    const loss = metrics.trainLoss;
    if (loss === undefined || !Number.isFinite(loss)) continue;
    if (best === null || loss < best.loss) best = { epoch, loss };
  }
  return best;
}

function lastValidation(digest: RunDigest): string {
  const all = [...digest.validations.values()];
  if (all.length === 0) return '–';
  const lastKey = all.reduce((a, b) => (b.epoch > a.epoch || (b.epoch === a.epoch && b.final && !a.final) ? b : a));
  const block = all
    .filter((v) => v.epoch === lastKey.epoch && v.final === lastKey.final)
    .sort((a, b) => a.taskId - b.taskId)
    .map((v) => `task ${v.taskId} ${formatLoss(v.loss)}`)
    .join(', ');
  return `epoch ${lastKey.epoch}${lastKey.final ? ' (final)' : ''}: ${block}`;
}

export function formatHumanSummary(file: string, digests: readonly RunDigest[], warningCount: number): string {
  const lines: string[] = [];
  lines.push(`${file}: ${digests.length} run${digests.length === 1 ? '' : 's'}, ${warningCount} warning${warningCount === 1 ? '' : 's'}`);
  digests.forEach((digest, index) => {
    const info = digest.info;
    const summary = toParsedRun(digest);
    const task = [summary.taskId ?? '?', summary.taskName ?? ''].join(' ').trim();
    const done = summary.epochs.length;
    const best = bestTrainEpoch(digest);
    lines.push(`  run ${index + 1} (${digest.format}, line ${digest.line})`);
    lines.push(`    task:       ${task}${info.outputDir ? `  →  ${info.outputDir}` : ''}`);
    lines.push(`    strategy:   ${describeStrategy(digest)}`);
    lines.push(`    status:     ${summary.status}${digest.error ? ` (${digest.error})` : ''}`);
    lines.push(`    epochs:     ${done} / ${summary.config.epochs ?? '?'}${digest.steps > 0 ? `, ${digest.steps} step points` : ''}`);
    lines.push(
      `    best train: ${best ? `${formatLoss(best.loss)} (epoch ${best.epoch})` : '–'}${summary.bestLoss !== null ? `, reported ${formatLoss(summary.bestLoss)}` : ''}`,
    );
    lines.push(`    last val:   ${lastValidation(digest)}`);
    lines.push(`    warnings:   ${digest.warnings}`);
  });
  return `${lines.join('\n')}\n`;
}
