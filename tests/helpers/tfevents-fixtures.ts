// The real event files (tests/fixtures/tfevents-real) and the team's run directories
// (tests/fixtures/rundirs-team) copied into a directory a test ingests, with the large Keras files
// gunzipped back to their original bytes and names.
import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

export const FIXTURES_DIR = path.resolve(import.meta.dirname, '../fixtures');
export const REAL_DIR = path.join(FIXTURES_DIR, 'tfevents-real');
export const TEAM_DIR = path.join(FIXTURES_DIR, 'rundirs-team');

/** Copies tfevents-real into `dest` (event files and hparams.yaml only; *.gz gunzipped). */
export async function copyRealFixtures(dest: string): Promise<void> {
  const walk = async (from: string, to: string): Promise<void> => {
    for (const entry of await readdir(from, { withFileTypes: true })) {
      const source = path.join(from, entry.name);
      if (entry.isDirectory()) await walk(source, path.join(to, entry.name));
      else if (entry.name.includes('tfevents') || entry.name === 'hparams.yaml') {
        await mkdir(to, { recursive: true });
        const bytes = await readFile(source);
        const gz = entry.name.endsWith('.gz');
        await writeFile(path.join(to, gz ? entry.name.slice(0, -3) : entry.name), gz ? gunzipSync(bytes) : bytes);
      }
    }
  };
  await walk(REAL_DIR, dest);
}

/** Copies the team's run directories (outputs/train/…, outputs/train_hydra_save/…) into `dest`. */
export async function copyTeamFixtures(dest: string): Promise<void> {
  await cp(path.join(TEAM_DIR, 'outputs'), path.join(dest, 'outputs'), { recursive: true });
}

/** The event files of a folder (and the bytes TensorBoard reads), in name order. */
export async function eventFilesIn(dir: string): Promise<{ file: string; bytes: Uint8Array }[]> {
  const names = (await readdir(dir)).filter((n) => n.includes('tfevents')).sort();
  return Promise.all(names.map(async (n) => ({ file: path.join(dir, n), bytes: new Uint8Array(await readFile(path.join(dir, n))) })));
}
