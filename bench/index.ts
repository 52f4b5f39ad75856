// `npm run bench`: every speed figure of Thaw, each next to a limit measured in the same run on the
// same data (the machine is shared and noisy, so ratios are what hold). Prints one JSON object per
// figure on stdout and a readable table on stderr. `npm run bench -- parser backfill` runs a subset.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchParser } from './parser';
import { benchBackfill, benchDaemonMemory, benchLiveLatency } from './ingest';
import { stopBenchServer, type Figure } from './support';

type Bench = () => Promise<Figure[]>;

async function optional(module: string, exportName: string): Promise<Bench | undefined> {
  const file = fileURLToPath(new URL(`${module}.ts`, import.meta.url));
  if (!existsSync(file)) return undefined;
  const loaded = (await import(file)) as Record<string, Bench>;
  return loaded[exportName];
}

async function benches(): Promise<[string, Bench][]> {
  const list: [string, Bench | undefined][] = [
    ['parser', () => benchParser()],
    ['backfill', () => benchBackfill()],
    ['live', () => benchLiveLatency()],
    ['rss', () => benchDaemonMemory()],
    ['web', await optional('./web', 'benchWeb')],
    ['runs10k', await optional('./web', 'benchRuns10k')],
    ['load', await optional('./load', 'benchLoad')],
  ];
  return list.filter((entry): entry is [string, Bench] => entry[1] !== undefined);
}

function printTable(figures: Figure[]): void {
  const rows = figures.map((f) => [
    f.name,
    `${f.value} ${f.unit}`,
    f.limit === null ? '' : `${f.limit}`,
    f.ratio === null ? '' : `${f.ratio}`,
    f.target,
  ]);
  const header = ['figure', 'value', 'limit', 'ratio', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  process.stderr.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`);
}

async function main(): Promise<void> {
  const wanted = new Set(process.argv.slice(2));
  const figures: Figure[] = [];
  try {
    for (const [name, bench] of await benches()) {
      if (wanted.size > 0 && !wanted.has(name)) continue;
      process.stderr.write(`bench: ${name} …\n`);
      const started = performance.now();
      for (const figure of await bench()) {
        figures.push(figure);
        process.stdout.write(`${JSON.stringify(figure)}\n`);
      }
      process.stderr.write(`bench: ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    }
  } finally {
    await stopBenchServer();
  }
  printTable(figures);
}

await main();
