// When a source's batches are live (alert transitions they cause are sent) rather than a backfill
// (recorded, never sent): one rule for every source the daemon follows — console logs and event files
// (FileTailer) as well as results JSON, Hydra and LeRobot configs (DocumentTailer).
//
// * `thaw ingest --once` / a backfill: never live.
// * Following: what a source holds when the daemon first sees it is history; once the source has
//   been read to its end, everything read afterwards is live. A source that appears while the daemon
//   is following (a new run's log, a results JSON written at the end of a run) is live from its first
//   byte.

export interface LivenessOptions {
  /** The daemon follows its paths (start(), not backfill()). */
  follow?: boolean;
  /** The source appeared after the daemon's first scan. */
  liveFromStart?: boolean;
}

export class Liveness {
  private caughtUp: boolean;

  constructor(private readonly options: LivenessOptions) {
    this.caughtUp = Boolean(options.follow && options.liveFromStart);
  }

  /** Whether a batch committed now is live. */
  get live(): boolean {
    return this.caughtUp;
  }

  /** The source was read to its end (its pass committed): from now on, what is read is live when following. */
  reachedEnd(): void {
    this.caughtUp = Boolean(this.options.follow);
  }
}
