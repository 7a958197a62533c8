// Batches output lines into large writes: one write per line is the slowest part of a
// streaming command once parsing is fast. Honours back-pressure so memory stays bounded.
import type { Writable } from "node:stream";

const FLUSH_AT = 1 << 16;
/**
 * Lines wait at most this long: from a live log (`tail -f | esa-dane deliveries -`) a line
 * should not wait for 64 KiB of others. A busy run fills the buffer first.
 */
const FLUSH_AFTER_MS = 200;

export class OutputBuffer {
  private parts: string[] = [];
  private size = 0;
  private waiting: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly stream: Writable) {}

  line(text: string): void {
    this.parts.push(text, "\n");
    this.size += text.length + 1;
    if (this.size >= FLUSH_AT) this.flush();
    else if (this.timer === null) {
      this.timer = setTimeout(() => this.flush(), FLUSH_AFTER_MS);
      // A pending flush does not keep the process alive: close() flushes what is left.
      this.timer.unref();
    }
  }

  /** Resolves when the stream has room again; callers that produce a lot may await it. */
  get drained(): Promise<void> | null {
    return this.waiting;
  }

  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.size === 0) return;
    const chunk = this.parts.join("");
    this.parts = [];
    this.size = 0;
    if (!this.stream.write(chunk) && this.waiting === null) {
      this.waiting = new Promise((resolve) => this.stream.once("drain", () => ((this.waiting = null), resolve())));
    }
  }

  async close(): Promise<void> {
    this.flush();
    if (this.waiting) await this.waiting;
  }
}
