type Side = 'videos' | 'records';

const OTHER: Record<Side, Side> = { videos: 'records', records: 'videos' };

/**
 * Paces the two listings of a sync so that neither runs far ahead of the other. The plan is a join on
 * video id and holds every item whose partner has not arrived yet: a Clarify listing is ~3× faster
 * than a rate-limited CMS listing, so unpaced, 100,000 records (with their metadata digests) sat in
 * memory waiting for their videos. Both listings are in creation order, so the same video sits at
 * about the same fraction of each: a side waits while it is more than `ahead` items past the other's
 * position, scaled by the two totals. Waiting costs no time: the side behind never waits (both
 * cannot be ahead of each other), and the sync cannot finish before the slower listing anyway.
 */
export class Lockstep {
  readonly #ahead: number;
  readonly #position: Record<Side, number> = { videos: 0, records: 0 };
  readonly #total: Record<Side, number> = { videos: 0, records: 0 };
  readonly #done: Record<Side, boolean> = { videos: false, records: false };
  readonly #wake: Record<Side, (() => void) | undefined> = { videos: undefined, records: undefined };

  constructor(ahead: number) {
    this.#ahead = ahead;
  }

  /** `side` has listed `position` items of about `total` (0 while unknown). */
  advance(side: Side, position: number, total: number): void {
    this.#position[side] = position;
    this.#total[side] = total;
    this.#release(OTHER[side]);
  }

  /** `side` has listed everything (or failed): the other side no longer waits for it. */
  end(side: Side): void {
    this.#done[side] = true;
    this.#release(OTHER[side]);
  }

  /** Resolves once `side` is no longer too far ahead of the other. */
  async wait(side: Side): Promise<void> {
    while (this.isAhead(side)) await new Promise<void>((resolve) => (this.#wake[side] = resolve));
  }

  isAhead(side: Side): boolean {
    const other = OTHER[side];
    if (this.#done[other]) return false;
    const mine = this.#total[side];
    const theirs = this.#total[other];
    const otherAt = mine > 0 && theirs > 0 ? (this.#position[other] * mine) / theirs : this.#position[other];
    return this.#position[side] > otherAt + this.#ahead;
  }

  #release(side: Side): void {
    const wake = this.#wake[side];
    if (wake && !this.isAhead(side)) {
      this.#wake[side] = undefined;
      wake();
    }
  }
}
