// The stage-link rule (log-formats §1.2 #15b, §1.7): a stage that printed `📂 Loading from Task N: <path>`
// continues the run whose `📁 Output Directory` (or completion-block `Model saved to:`) is that path's
// run directory. ONE implementation, used by the store (ingest/store/stage-links.ts, the parentRunId column) and by
// the forgetting analysis (forgetting.ts); both are tested against the table in stage-link.cases.ts.
//
// The rule:
// - `<path>` names `<dir>` itself or one of its checkpoints: `<dir>/best`, `<dir>/final`, `<dir>/epochN`.
//   Any other sub-path (`<dir>/other`, `<dir>/epoch`) is not a checkpoint of `<dir>`.
// - Paths are compared as printed after normalising spelling only: `\` → `/`, leading `./` dropped,
//   trailing `/` dropped, repeated `/` collapsed. Nothing is resolved against a working directory.
// - Both are printed relative to the trainer's working directory; when exactly one of the two is
//   absolute, it matches when it ends with `/<the relative one>` (the same directory seen from the
//   working directory).

const CHECKPOINT_NAME = /^(?:best|final|epoch\d+)$/;

/** A run path as printed, spelled one way: forward slashes, no leading `./`, no trailing `/`. */
export function normaliseRunPath(path: string): string {
  let p = path
    .trim()
    .replace(/\\/g, '/')
    .replace(/\/{2,}/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  if (p.length > 1) p = p.replace(/\/+$/, '');
  return p === '.' ? '' : p;
}

/**
 * The run directories (normalised) a resume path can name: the path itself and, when its last segment
 * is a checkpoint name (`best`, `final`, `epochN`), the directory that holds it. Longest first.
 */
export function stageDirCandidates(resumePath: string): string[] {
  const path = normaliseRunPath(resumePath);
  if (path === '' || path === '/') return [];
  const slash = path.lastIndexOf('/');
  const last = path.slice(slash + 1);
  const parent = slash === -1 ? '' : path.slice(0, slash);
  return CHECKPOINT_NAME.test(last) && parent !== '' ? [path, parent] : [path];
}

/** Two normalised directories name the same run directory (relative vs absolute: suffix match). */
function sameDir(a: string, b: string): boolean {
  if (a === b) return true;
  const aAbs = a.startsWith('/');
  if (aAbs === b.startsWith('/')) return false;
  const [abs, rel] = aAbs ? [a, b] : [b, a];
  return rel !== '' && abs.endsWith(`/${rel}`);
}

/** True when `resumePath` is `<outputDir>` or one of its checkpoints (`/best`, `/final`, `/epochN`). */
export function isCheckpointOf(outputDir: string, resumePath: string): boolean {
  const dir = normaliseRunPath(outputDir);
  if (dir === '' || dir === '/') return false;
  return stageDirCandidates(resumePath).some((candidate) => sameDir(dir, candidate));
}

/** How specific a match is (longer directories win over their ancestors). */
export function runDirLength(outputDir: string): number {
  return normaliseRunPath(outputDir).length;
}
