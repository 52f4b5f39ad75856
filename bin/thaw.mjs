#!/usr/bin/env -S node --max-semi-space-size=4
// The `thaw` command. Thaw is TypeScript; this shim runs it from an esbuild bundle in .thaw-build/,
// rebuilt (in well under a second) whenever a source file changed. A bundle instead of a run-time
// TypeScript loader keeps the long-running daemon about 40 MB lighter and starts faster; a 4 MB
// young generation (the shebang flag) keeps a daemon tailing hundreds of files under 150 MB RSS.
import { ensureCliBundle } from '../scripts/build-cli.mjs';

let entry = await ensureCliBundle();
if (!entry) {
  // Someone else's checkout we cannot write to, with sources newer than its bundle: run them directly.
  const { register } = await import('tsx/esm/api');
  register();
  entry = new URL('../cli/main.ts', import.meta.url).href;
}
const { main } = await import(entry);
process.exitCode = await main(process.argv);
