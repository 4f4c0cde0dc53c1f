/**
 * Sends the latest value at most once per interval: progress updates to one Slack message must stay
 * around one a second (chat.update is Tier 3), and intermediate states may be skipped, never the last.
 */
export class LatestWins<T> {
  #pending: { value: T } | null = null;
  #running: Promise<void> | null = null;
  #lastSent = 0;

  constructor(
    private readonly send: (value: T) => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  push(value: T): void {
    this.#pending = { value };
    if (!this.#running) this.#running = this.#drain();
  }

  async #drain(): Promise<void> {
    while (this.#pending) {
      const wait = this.#lastSent + this.intervalMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const next = this.#pending;
      this.#pending = null;
      if (!next) break;
      this.#lastSent = Date.now();
      try {
        await this.send(next.value);
      } catch (err) {
        this.onError(err);
      }
    }
    this.#running = null;
  }

  async flush(): Promise<void> {
    while (this.#running) await this.#running;
  }
}
