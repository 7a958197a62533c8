// References to source lines, kept as numbers while correlating (a reference per DNS line is
// kept in each lookup, so strings here were a large share of the allocations): the file's
// index in reading order times 2^32, plus the line number. Sorted numerically they come out in
// reading order: rotation order across files, line order within one.
import type { LogEvent } from "../events/types.js";

const LINE_SPACE = 2 ** 32;
const files: string[] = [];
const fileIndex = new Map<string, number>();

export type SourceRef = number;

export function sourceOf(event: Pick<LogEvent, "file" | "line">): SourceRef {
  let index = fileIndex.get(event.file);
  if (index === undefined) {
    index = files.length;
    files.push(event.file);
    fileIndex.set(event.file, index);
  }
  return index * LINE_SPACE + event.line;
}

/** Visits the lines, first to last, each once. */
export function eachSource(refs: readonly SourceRef[], visit: (file: string, line: number) => void): void {
  const sorted = Float64Array.from(refs).sort();
  let previous = -1;
  for (const ref of sorted) {
    if (ref === previous) continue;
    previous = ref;
    visit(files[Math.floor(ref / LINE_SPACE)]!, ref % LINE_SPACE);
  }
}

/** `file:line` strings, first to last, each once. */
export function formatSources(refs: readonly SourceRef[]): string[] {
  const out: string[] = [];
  eachSource(refs, (file, line) => out.push(`${file}:${line}`));
  return out;
}

/** The file of a reference. */
export function sourceFile(ref: SourceRef): string {
  return files[Math.floor(ref / LINE_SPACE)]!;
}

/** The line number of a reference. */
export function sourceLine(ref: SourceRef): number {
  return ref % LINE_SPACE;
}

/**
 * References as ranges of consecutive lines of one file, first to last: at most `limit`
 * `[first, last]` pairs and how many more there were. The next line of a file is the next
 * number, and files are LINE_SPACE apart, so a range never spans two files.
 */
export function sourceRanges(refs: readonly SourceRef[], limit: number): { ranges: [SourceRef, SourceRef][]; more: number } {
  const sorted = Float64Array.from(refs).sort();
  const ranges: [SourceRef, SourceRef][] = [];
  let more = 0;
  let last: [SourceRef, SourceRef] | undefined;
  for (let i = 0; i < sorted.length; i++) {
    const ref = sorted[i]!;
    // A repeated line, or the one after the range's last.
    if (last !== undefined && ref <= last[1] + 1) {
      last[1] = ref;
      continue;
    }
    last = [ref, ref];
    if (ranges.length < limit) ranges.push(last);
    else more++;
  }
  return { ranges, more };
}
