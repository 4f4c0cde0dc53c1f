/**
 * Time is injected everywhere so tests never sleep for real and schedules can be driven.
 * `sleep` resolves when the clock reaches now + ms; a manual clock resolves it on `advance`.
 */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

interface Sleeper {
  at: number;
  resolve: () => void;
}

/** A clock for tests: time only moves when `advance`/`set` is called. */
export class ManualClock implements Clock {
  #now: number;
  #sleepers: Sleeper[] = [];

  constructor(start: Date | string | number = '2026-11-21T12:00:00Z') {
    this.#now = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => this.#sleepers.push({ at: this.#now + ms, resolve }));
  }

  /** Move time forward, waking sleepers in time order (with a microtask turn between them). */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      this.#sleepers.sort((a, b) => a.at - b.at);
      const next = this.#sleepers[0];
      if (!next || next.at > target) break;
      this.#sleepers.shift();
      this.#now = Math.max(this.#now, next.at);
      next.resolve();
      await new Promise((r) => setImmediate(r));
    }
    this.#now = target;
  }

  async set(date: Date | string): Promise<void> {
    await this.advance(new Date(date).getTime() - this.#now);
  }

  get pendingSleepers(): number {
    return this.#sleepers.length;
  }
}
