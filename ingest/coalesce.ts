// Passes over one input that never overlap: a request while a pass runs coalesces into one more pass
// after it (the file tailer and the document tailer both poll this way).
export class CoalescedPasses {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly stopped: () => boolean,
  ) {}

  /** Runs a pass now, or one more once the current one ends; resolves when no more are due. */
  run(): Promise<void> {
    if (this.stopped()) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.pass();
        } while (this.again && !this.stopped());
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** From inside a pass: run one more after it. */
  repeat(): void {
    this.again = true;
  }

  /** Waits for the pass in progress, if any (its error is the poller's business, not the closer's). */
  async idle(): Promise<void> {
    await this.running?.catch(() => {});
  }
}
