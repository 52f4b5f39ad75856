// The three sample logs of the team's trainer (tests/fixtures/samples, with the output they must give):
// read by the ingest and web tests, copied into a watched directory by the screenshots script.
import { copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';

export const SAMPLES_DIR = path.resolve(import.meta.dirname, '../tests/fixtures/samples');
export const SAMPLE_NAMES = [
  'sample_task1_unfreeze8_overfit',
  'sample_task2_unfreeze4_buffered',
  'sample_task3_ratio50_final_only',
] as const;

export function sampleLog(name: (typeof SAMPLE_NAMES)[number]): Promise<Buffer> {
  return readFile(path.join(SAMPLES_DIR, `${name}.log`));
}

/** All three samples back to back: three runs in one file. */
export async function allSamples(): Promise<Buffer> {
  return Buffer.concat(await Promise.all(SAMPLE_NAMES.map(sampleLog)));
}

export async function copySamples(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const name of SAMPLE_NAMES) {
    const file = path.join(dir, `${name}.log`);
    await copyFile(path.join(SAMPLES_DIR, `${name}.log`), file);
    files.push(file);
  }
  return files;
}
