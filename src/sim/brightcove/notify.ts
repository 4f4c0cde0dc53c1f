/**
 * Webhook delivery as Brightcove's services do it: a JSON POST, and any non-2xx answer (or no answer)
 * retried after a growing pause. Shared by the Live API's clip notifications and the CMS API's
 * video-change notifications, with a log of every attempt for tests.
 */

export interface DeliveredNotification {
  url: string;
  payload: Record<string, unknown>;
  attempt: number;
  status: number | 'error';
}

export interface RetryPolicy {
  /** pause before retry n is n × this */
  retryBaseMs: number;
  maxAttempts: number;
}

export class Notifier {
  readonly delivered: DeliveredNotification[] = [];
  readonly #pending = new Set<Promise<void>>();
  #closed = false;

  constructor(private readonly policy: RetryPolicy) {}

  deliver(url: string, payload: Record<string, unknown>): void {
    const run = async () => {
      for (let attempt = 1; attempt <= this.policy.maxAttempts && !this.#closed; attempt++) {
        let status: number | 'error';
        try {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(payload),
            signal: AbortSignal.timeout(5000),
          });
          await res.arrayBuffer();
          status = res.status;
        } catch {
          status = 'error';
        }
        this.delivered.push({ url, payload, attempt, status });
        if (typeof status === 'number' && status < 300) return;
        await new Promise((r) => setTimeout(r, attempt * this.policy.retryBaseMs));
      }
    };
    const p = run().finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }

  /** Wait until every delivery started so far has finished (incl. retries). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  close(): void {
    this.#closed = true;
  }
}
