// A progress bar on stderr for long inputs: only on a terminal, only when the size is known.
import type { Source } from "../input/sources.js";

export class Progress {
  private done_ = 0;
  private current = 0;
  private fileIndex = -1;
  private lastDraw = 0;

  private constructor(
    private readonly sizes: number[],
    private readonly total: number,
  ) {}

  static forSources(sources: Source[]): Progress | null {
    if (process.stderr.isTTY !== true) return null;
    if (sources.some((s) => s.kind === "stdin")) return null;
    const sizes = sources.map((s) => (s.kind === "file" ? s.size : 0));
    const total = sizes.reduce((a, b) => a + b, 0);
    return total >= 8 * 1024 * 1024 ? new Progress(sizes, total) : null;
  }

  /** Raw bytes read of the current file; a smaller number than last time means the next file. */
  readonly onBytes = (bytes: number): void => {
    if (bytes < this.current || this.fileIndex < 0) {
      if (this.fileIndex >= 0) this.done_ += this.sizes[this.fileIndex] ?? 0;
      this.fileIndex++;
    }
    this.current = bytes;
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const fraction = Math.min(1, (this.done_ + bytes) / this.total);
    const width = Math.max(10, Math.min(40, (process.stderr.columns ?? 80) - 30));
    const filled = Math.round(fraction * width);
    process.stderr.write(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${((this.done_ + bytes) / 1e6).toFixed(0)} MB`);
  };

  done(): void {
    if (this.lastDraw > 0) process.stderr.write("\r\u001b[K");
  }
}
