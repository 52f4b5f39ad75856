// `npm run bench`: every speed figure of Thaw, each next to a limit measured in the same run on the
// same data (the machine is shared and noisy, so ratios are what hold). Prints one JSON object per
// figure on stdout and a readable table on stderr. `npm run bench -- parser backfill` runs a subset.
// THAW_BENCH_DATABASE_URL: use that PostgreSQL server instead of an embedded one; THAW_BENCH_RUNS10K_DATABASE_URL:
// a database already seeded as runs10k seeds it (kept, not dropped), to skip its ~10 min of seeding.
//
// The bench never loses its figures: each group (and inside the web group each figure) runs guarded;
// a figure that cannot be measured is printed as {"name", "error"} and the bench goes on. The exit
// code is non-zero at the end if any figure failed or missed its target (`met: false`).
import { benchParser } from './parser';
import { benchBackfill, benchDaemonMemory, benchLiveLatency } from './ingest';
import { benchLoad } from './load';
import { benchRuns10k, benchWeb, RUNS10K_FIGURES, WEB_FIGURES } from './web';
import { figureErrors, isFigureError, stopBenchServer, type Outcome } from './support';
import { benchTfeventsBackfill } from './tfevents';
import { benchLab } from './lab';
import { benchForecast } from './forecast';
import { benchScalars, SCALARS_FIGURES } from './scalars';

interface Group {
  name: string;
  /** Every figure the group reports: one not reported becomes an error object. */
  figures: readonly string[];
  run(): Promise<Outcome[]>;
}

const GROUPS: Group[] = [
  {
    name: 'parser',
    figures: [
      'log_frames',
      'log_bytes',
      'parser_records',
      'raw_split_throughput',
      'parser_throughput',
      'parser_vs_scan_floor',
      'framer_vs_scan_floor',
    ],
    run: () => benchParser(),
  },
  { name: 'backfill', figures: ['backfill_lines_per_s'], run: () => benchBackfill() },
  { name: 'tfevents', figures: ['tfevents_backfill', 'tfevents_backfill_vs_write_floor'], run: () => benchTfeventsBackfill() },
  { name: 'scalars', figures: SCALARS_FIGURES, run: () => benchScalars() },
  { name: 'live', figures: ['live_latency_p50', 'live_latency_p95'], run: () => benchLiveLatency() },
  { name: 'lab', figures: ['live_latency_p50_10_daemons', 'live_latency_p95_10_daemons'], run: () => benchLab() },
  { name: 'rss', figures: ['daemon_rss_200_files'], run: () => benchDaemonMemory() },
  { name: 'web', figures: WEB_FIGURES, run: () => benchWeb() },
  { name: 'runs10k', figures: RUNS10K_FIGURES, run: () => benchRuns10k() },
  { name: 'forecast', figures: ['forecast_p95', 'forecast_backtest_per_run'], run: () => benchForecast() },
  { name: 'load', figures: ['api_load_requests_per_s', 'api_load_p50', 'api_load_p99', 'api_load_errors'], run: () => benchLoad() },
];

/** Runs one group; whatever it throws or leaves out comes back as error objects, never as an exception. */
async function runGroup(group: Group): Promise<Outcome[]> {
  let outcomes: Outcome[];
  try {
    outcomes = await group.run();
  } catch (cause) {
    return figureErrors(group.figures, cause);
  }
  const reported = new Set(outcomes.map((outcome) => outcome.name));
  const missing = group.figures.filter((name) => !reported.has(name));
  return [...outcomes, ...figureErrors(missing, `the ${group.name} bench did not report this figure`)];
}

function printTable(outcomes: Outcome[]): void {
  const rows = outcomes.map((f) =>
    isFigureError(f)
      ? [f.name, 'ERROR', '', '', f.error]
      : [
          f.name,
          `${f.value} ${f.unit}`,
          f.limit === null ? '' : `${f.limit}`,
          f.ratio === null ? '' : `${f.ratio}`,
          `${f.met === false ? 'MISSED ' : ''}${f.target}`,
        ],
  );
  const header = ['figure', 'value', 'limit', 'ratio', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  process.stderr.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`);
}

async function main(): Promise<number> {
  const wanted = new Set(process.argv.slice(2));
  const outcomes: Outcome[] = [];
  try {
    for (const group of GROUPS) {
      if (wanted.size > 0 && !wanted.has(group.name)) continue;
      process.stderr.write(`bench: ${group.name} …\n`);
      const started = performance.now();
      for (const outcome of await runGroup(group)) {
        outcomes.push(outcome);
        process.stdout.write(`${JSON.stringify(outcome)}\n`);
      }
      process.stderr.write(`bench: ${group.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    }
  } finally {
    try {
      await stopBenchServer();
    } catch (cause) {
      process.stderr.write(`bench: stopping the database failed: ${String(cause)}\n`);
    }
  }
  printTable(outcomes);
  const errors = outcomes.filter(isFigureError).length;
  const missed = outcomes.filter((o) => !isFigureError(o) && o.met === false).length;
  if (errors + missed === 0) return 0;
  process.stderr.write(`bench: ${errors} figure(s) could not be measured, ${missed} missed their target\n`);
  return 1;
}

process.exitCode = await main();
