// Where Thaw's own files are. The CLI runs from source (tsx) in tests and from a bundle in
// .thaw-build/ otherwise, so paths are found from the project root, not from this file's location.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'thaw') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the Thaw project root (package.json named "thaw")');
    dir = parent;
  }
}

export const PROJECT_ROOT = findProjectRoot();
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'prisma', 'migrations');
