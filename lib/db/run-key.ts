// What identifies a run in its own output, as ONE SQL expression used everywhere that needs it: run
// annotations (lib/annotations, the runs listing, the run page) and the alert outbox (ingest/outbox.ts).
// It never involves "Run".id or "LogSource".id, so the same log ingested again into a fresh database
// row — after the run was deleted, or the rows wiped — gets the same key, and its annotations reattach
// and its alerts do not fire twice. In order:
//   1. the run directory ("Run".identity, host-qualified: "host:task1_x/smolvla_sequential/run_<ts>"),
//      which every source of that run shares (console log, event file, results JSON, Hydra config);
//   2. the output directory the log printed + the trainer's timestamp, on that host;
//   3. the host and path of the run's first source + the byte offset where the run starts in it.
// tests/db/run-key.test.ts evaluates it in PostgreSQL over one table of cases.

/**
 * The run key as SQL text. `run` and `source` are the aliases of "Run" and its "LogSource" (joined on
 * "sourceId") in the surrounding query.
 */
export function runKeySql(run = 'r', source = 'src'): string {
  return `(CASE
    WHEN ${run}.identity IS NOT NULL THEN 'dir:' || ${run}.identity
    WHEN ${run}."outputDir" IS NOT NULL AND ${run}.timestamp IS NOT NULL
      THEN 'out:' || ${source}.host || ':' || ${run}."outputDir" || '|' || ${run}.timestamp
    ELSE 'src:' || ${source}.host || ':' || ${source}.path || '#' || ${run}."runKey"::text
  END)`;
}

/**
 * The run directory's identity as the readers name it (`task/method/run_<ts>`, `dir:/abs/path`…) from
 * the stored, host-qualified "Run".identity (`host:…`, ingest/store/run-identity.ts); null stays null.
 */
export function runDirIdentity(stored: string | null): string | null {
  if (stored === null) return null;
  const at = stored.indexOf(':');
  return at < 0 ? stored : stored.slice(at + 1);
}
