// Reading only what is new: `alert --state FILE` remembers, per input, where it stopped (the
// file's identity, device and inode, the byte offset after the last complete line, the line
// count and a hash of its first bytes), so a cron run reads each line exactly once and survives
// rotation (`.current` renamed to `.@...s` is found again by its inode; the new `.current` is
// read from its start) and truncation. `--follow` polls a growing file the same way.
import { createHash } from "node:crypto";
import { open, stat, type FileHandle } from "node:fs/promises";
import { newFileStats, type FileStats } from "./accounting.js";
import { Clock } from "./clock.js";
import { LineSplitter } from "./lines.js";
import { RecordAssembler, type RecordSink } from "./records.js";
import { decodedBytes, describeFsError } from "./sources.js";
import type { ReadOptions } from "./read.js";
import { createReadStream } from "node:fs";

export interface FileCursor {
  path: string;
  dev: number;
  ino: number;
  /** Byte offset just after the last complete line read. */
  offset: number;
  lines: number;
  /** Hash of the first bytes: a file replaced in place (same inode reused) is read anew. */
  headHash: string | null;
  /** The `Time offset from UTC` seen in the file, to time lines read after it in later runs. */
  utcOffset: number | null;
  gzip: boolean;
  /** A gzip file is read whole, once. */
  done: boolean;
}

const HEAD_BYTES = 256;
const READ_BYTES = 1 << 20;

async function headHash(handle: FileHandle): Promise<string | null> {
  const buffer = Buffer.alloc(HEAD_BYTES);
  const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
  if (bytesRead === 0) return null;
  return createHash("sha256").update(buffer.subarray(0, bytesRead)).digest("hex").slice(0, 16);
}

function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Reads complete lines of `handle` from `cursor.offset` up to `size`; returns the new offset. */
async function readNewLines(handle: FileHandle, cursor: FileCursor, size: number, options: ReadOptions, stats: FileStats, sink: RecordSink): Promise<void> {
  const clock = new Clock({ zone: options.zone, year: options.year, referenceTime: Date.now() });
  if (cursor.utcOffset !== null) clock.setUtcOffset(cursor.utcOffset);
  const assembler = new RecordAssembler(cursor.path, clock, options.host ?? null, stats, sink);
  const splitter = new LineSplitter((text, lineNo, flags) => {
    stats.read++;
    assembler.pushLine(text, lineNo, flags);
  }, cursor.lines);
  let position = cursor.offset;
  let pending: Buffer[] = [];
  const buffer = Buffer.alloc(READ_BYTES);
  while (position < size) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(READ_BYTES, size - position), position);
    if (bytesRead === 0) break;
    const chunk = buffer.subarray(0, bytesRead);
    const lastNewline = chunk.lastIndexOf(10);
    if (lastNewline < 0) {
      pending.push(Buffer.from(chunk));
    } else {
      // Only complete lines: a line still being written is read by the next run.
      splitter.pushBytes(Buffer.concat([...pending, chunk.subarray(0, lastNewline + 1)]));
      pending = [Buffer.from(chunk.subarray(lastNewline + 1))];
      cursor.offset = position + lastNewline + 1;
    }
    position += bytesRead;
  }
  splitter.end();
  assembler.end();
  cursor.lines = splitter.linesSeen;
  cursor.utcOffset = clock.utcOffset;
}

async function readGzipWhole(cursor: FileCursor, options: ReadOptions, stats: FileStats, sink: RecordSink): Promise<void> {
  const clock = new Clock({ zone: options.zone, year: options.year, referenceTime: Date.now() });
  const assembler = new RecordAssembler(cursor.path, clock, options.host ?? null, stats, sink);
  const splitter = new LineSplitter((text, lineNo, flags) => {
    stats.read++;
    assembler.pushLine(text, lineNo, flags);
  });
  try {
    for await (const chunk of decodedBytes(createReadStream(cursor.path))) splitter.pushBytes(chunk);
  } finally {
    splitter.end();
    assembler.end();
  }
  cursor.done = true;
}

/**
 * Reads what is new in each file since the cursors were taken. Returns the updated cursors
 * (one per file read now) and the accounting of this run's lines only.
 */
export async function readIncrementally(
  paths: readonly string[],
  cursors: readonly FileCursor[],
  options: ReadOptions,
  sink: RecordSink,
): Promise<{ cursors: FileCursor[]; files: FileStats[]; errors: { input: string; message: string }[] }> {
  const next: FileCursor[] = [];
  const files: FileStats[] = [];
  const errors: { input: string; message: string }[] = [];
  for (const path of paths) {
    const stats = newFileStats(path);
    files.push(stats);
    let handle: FileHandle | null = null;
    try {
      handle = await open(path, "r");
      const info = await handle.stat();
      const hash = await headHash(handle);
      const head = Buffer.alloc(2);
      await handle.read(head, 0, 2, 0);
      // The same file, wherever rotation has moved it: same device and inode.
      const known = cursors.find((c) => c.dev === info.dev && c.ino === info.ino);
      let cursor: FileCursor;
      if (known !== undefined && known.headHash === hash && info.size >= known.offset) {
        cursor = { ...known, path };
      } else {
        cursor = { path, dev: info.dev, ino: info.ino, offset: 0, lines: 0, headHash: hash, utcOffset: null, gzip: isGzip(head), done: false };
      }
      if (cursor.gzip) {
        if (!cursor.done) await readGzipWhole(cursor, options, stats, sink);
      } else {
        await readNewLines(handle, cursor, info.size, options, stats, sink);
        cursor.headHash = cursor.headHash ?? (await headHash(handle));
      }
      next.push(cursor);
    } catch (error) {
      stats.error = describeFsError(error);
      errors.push({ input: path, message: stats.error });
    } finally {
      await handle?.close();
    }
  }
  return { cursors: next, files, errors };
}

/**
 * Follows growing files until the signal aborts: new complete lines are read every `pollMs`;
 * a rotated file (its path now names another inode) is read to its end, then the new file
 * from its start; a truncated file from its start.
 */
export async function follow(
  paths: readonly string[],
  options: ReadOptions,
  sink: RecordSink,
  signal: AbortSignal,
  pollMs = 1000,
  onRound?: (files: FileStats[]) => void,
): Promise<FileStats[]> {
  const all = new Map<string, FileStats>();
  const state = new Map<string, { handle: FileHandle; cursor: FileCursor }>();
  const account = (path: string, stats: FileStats) => {
    const total = all.get(path) ?? newFileStats(path);
    for (const key of ["read", "parsed", "unknown", "malformed", "joined", "truncated", "invalidUtf8", "nulBytes"] as const) total[key] += stats[key];
    all.set(path, total);
  };
  const round = async () => {
    for (const path of paths) {
      let followed = state.get(path);
      let info;
      try {
        info = await stat(path);
      } catch {
        continue; // rotated away and not yet recreated
      }
      if (followed !== undefined && (followed.cursor.ino !== info.ino || followed.cursor.dev !== info.dev)) {
        // Rotated: finish the old file through the handle we still hold, then start the new one.
        const rest = newFileStats(path);
        const oldSize = (await followed.handle.stat()).size;
        await readNewLines(followed.handle, followed.cursor, oldSize, options, rest, sink);
        account(path, rest);
        await followed.handle.close();
        state.delete(path);
        followed = undefined;
      }
      if (followed === undefined) {
        const handle = await open(path, "r");
        const current = await handle.stat();
        followed = { handle, cursor: { path, dev: current.dev, ino: current.ino, offset: 0, lines: 0, headHash: null, utcOffset: null, gzip: false, done: false } };
        state.set(path, followed);
      }
      const size = (await followed.handle.stat()).size;
      if (size < followed.cursor.offset) {
        followed.cursor.offset = 0;
        followed.cursor.lines = 0;
      }
      if (size > followed.cursor.offset) {
        const stats = newFileStats(path);
        await readNewLines(followed.handle, followed.cursor, size, options, stats, sink);
        account(path, stats);
      }
    }
    onRound?.([...all.values()]);
  };
  try {
    while (!signal.aborted) {
      await round();
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          signal.removeEventListener("abort", wake);
          resolve();
        }, pollMs);
        signal.addEventListener("abort", wake, { once: true });
      });
    }
  } finally {
    for (const { handle } of state.values()) await handle.close();
  }
  return [...all.values()];
}
