// Splits decoded text into physical lines, bounded: a line longer than MAX_LINE is cut there and
// the rest of it skipped until the next newline, so even a 1 GB file without a newline costs
// 64 KiB of memory. CR before LF and NUL bytes are removed; each oddity is counted.

export const MAX_LINE = 64 * 1024;

export const LINE_TRUNCATED = 1;
export const LINE_HAD_NUL = 2;
export const LINE_BAD_UTF8 = 4;

export type LineHandler = (text: string, lineNo: number, flags: number) => void;

export class LineSplitter {
  private carry = "";
  /** True while skipping the rest of an over-long line. */
  private overflow = false;
  private lineNo = 0;

  constructor(private readonly onLine: LineHandler) {}

  get linesSeen(): number {
    return this.lineNo;
  }

  push(text: string): void {
    let start = 0;
    let newline = text.indexOf("\n");
    if (this.carry.length > 0 || this.overflow) {
      if (newline < 0) {
        this.append(text);
        return;
      }
      this.append(text.slice(0, newline));
      const line = this.carry;
      const truncated = this.overflow;
      this.carry = "";
      this.overflow = false;
      this.emit(line, truncated);
      start = newline + 1;
      newline = text.indexOf("\n", start);
    }
    while (newline >= 0) {
      this.emit(text.slice(start, newline), false);
      start = newline + 1;
      newline = text.indexOf("\n", start);
    }
    if (start < text.length) this.append(text.slice(start));
  }

  end(): void {
    if (this.carry.length > 0 || this.overflow) {
      const line = this.carry;
      const truncated = this.overflow;
      this.carry = "";
      this.overflow = false;
      this.emit(line, truncated);
    }
  }

  private append(piece: string): void {
    if (this.overflow) return;
    if (this.carry.length + piece.length > MAX_LINE) {
      this.carry = (this.carry + piece.slice(0, MAX_LINE - this.carry.length));
      this.overflow = true;
      return;
    }
    this.carry += piece;
  }

  private emit(raw: string, alreadyTruncated: boolean): void {
    this.lineNo++;
    let line = raw;
    let flags = alreadyTruncated ? LINE_TRUNCATED : 0;
    if (line.length > MAX_LINE) {
      line = line.slice(0, MAX_LINE);
      flags |= LINE_TRUNCATED;
    }
    if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    if (line.includes("\0")) {
      line = line.replaceAll("\0", "");
      flags |= LINE_HAD_NUL;
    }
    if (line.includes("\uFFFD")) flags |= LINE_BAD_UTF8;
    this.onLine(line, this.lineNo, flags);
  }
}
