// The order attempts come out in. Attempts close out of order (a connection closes at `DCID
// close`, a resolution when the next one of its domain opens or after a quiet period), but the
// contract wants them in time order: closed attempts are held and released in start order once
// nothing that started earlier can still close. Holding is bounded: past `maxHeld` attempts,
// those older than the watermark go out.
import type { Attempt } from "./types.js";

export class AttemptQueue {
  private readonly held: Attempt[] = [];
  private lastStartMs = Number.NEGATIVE_INFINITY;
  /**
   * Attempts emitted after one that started later, and the first of them: the log's time went
   * back further than the holding could foresee (see Correlator.beginInput).
   */
  outOfOrder = 0;
  firstOutOfOrder: Attempt | null = null;

  constructor(
    private readonly emit: (attempt: Attempt) => void,
    private readonly maxHeld: number,
  ) {}

  get size(): number {
    return this.held.length;
  }

  get full(): boolean {
    return this.held.length > this.maxHeld;
  }

  hold(attempt: Attempt): void {
    this.held.push(attempt);
  }

  /** Emits held attempts that started at or before `watermark`, in start order. */
  release(watermark: number): void {
    if (this.held.length === 0) return;
    this.held.sort((a, b) => (a.startMs ?? 0) - (b.startMs ?? 0));
    let count = 0;
    while (count < this.held.length && (this.held[count]!.startMs ?? Number.NEGATIVE_INFINITY) <= watermark) count++;
    const out = this.held.splice(0, count);
    for (const attempt of out) {
      const start = attempt.startMs;
      if (start !== null && start < this.lastStartMs) {
        this.outOfOrder++;
        this.firstOutOfOrder ??= attempt;
      } else if (start !== null) this.lastStartMs = start;
      this.emit(attempt);
    }
  }
}
