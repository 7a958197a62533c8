// Reading only what is new: `alert --state FILE` remembers, per input, where it stopped, so that
// a cron run reads each line exactly once. A file is known again by its identity: device and
// inode (rotation renames `.current` to `.@YYYYMMDDTHHMMSS.s`, which keeps the inode), checked
// by a hash of its first line (a file replaced in place that reuses the inode is read anew), by
// a hash of the bytes just before the saved offset, and by its size (a truncated file is read
// from its start). The offset is that of the end of the last complete line: a line still being
// written is read by the next run. When the file named was rotated since the last run, the rest
// of the old file is found in its directory by its inode and read first. Gzip files cannot be
// resumed in the middle: they are read whole, once. follow.ts keeps reading the same way.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, readdir, stat, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { newFileStats, type FileStats } from "./accounting.js";
import { Clock } from "./clock.js";
import { LineSplitter } from "./lines.js";
import type { ReadOptions } from "./read.js";
import { RecordAssembler, type RecordSink } from "./records.js";
import { decodedBytes, describeFsError, isGzip } from "./sources.js";

export interface FileCursor {
  /** The name it was read under last. */
  path: string;
  dev: number;
  ino: number;
  /** Size when it was last read. */
  size: number;
  /** Byte offset just after the last complete line read. */
  offset: number;
  /** Physical lines read so far (line numbers go on from here). */
  lines: number;
  /** Hash of the first complete line (null until there is one). */
  firstLineHash: string | null;
  /** Hash of the TAIL_BYTES before `offset`: the bytes read last must still be there. */
  tailHash: string | null;
  /** The `Time offset from UTC` seen in the file, to time the lines read after it in later runs. */
  utcOffset: number | null;
  gzip: boolean;
  /** A gzip file is read whole, once. */
  done: boolean;
}

export type IncrementalIssueCode = "E_INPUT_OPEN" | "E_INPUT_READ" | "W_ROTATED_NOT_FOUND" | "W_INPUT_WAITING";

export interface IncrementalIssue {
  code: IncrementalIssueCode;
  input: string;
  message: string;
}

export interface IncrementalResult {
  /**
   * One per input read now and per rotated file whose rest was read, and the saved cursors of
   * files that still exist: a file named in a later run (a directory instead of `.current`) is
   * known then. Files that are gone are forgotten.
   */
  cursors: FileCursor[];
  /** The accounting of this run's lines only, per file read (a rotated file's rest included). */
  files: FileStats[];
  errors: IncrementalIssue[];
  warnings: IncrementalIssue[];
}

const HEAD_BYTES = 4096;
const TAIL_BYTES = 64;
const READ_BYTES = 1 << 20;

export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  firstLineHash: string | null;
  gzip: boolean;
}

function hash(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 16);
}

/** Device, inode, size and the hash of the first complete line (of the first 4 KiB if that line is longer). */
export async function identify(handle: FileHandle): Promise<FileIdentity> {
  const info = await handle.stat();
  const head = Buffer.alloc(Math.min(HEAD_BYTES, info.size));
  const { bytesRead } = await handle.read(head, 0, head.length, 0);
  const bytes = head.subarray(0, bytesRead);
  const gzip = isGzip(bytes);
  const newline = bytes.indexOf(10);
  let firstLineHash: string | null = null;
  if (gzip || newline < 0) firstLineHash = bytes.length === HEAD_BYTES ? hash(bytes) : null;
  else firstLineHash = hash(bytes.subarray(0, newline + 1));
  return { dev: info.dev, ino: info.ino, size: info.size, mtimeMs: info.mtimeMs, firstLineHash, gzip };
}

async function tailHashAt(handle: FileHandle, offset: number): Promise<string | null> {
  if (offset === 0) return null;
  const start = Math.max(0, offset - TAIL_BYTES);
  const buffer = Buffer.alloc(offset - start);
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
  return hash(buffer.subarray(0, bytesRead));
}

export function freshCursor(path: string, identity: FileIdentity): FileCursor {
  return { path, dev: identity.dev, ino: identity.ino, size: identity.size, offset: 0, lines: 0, firstLineHash: identity.firstLineHash, tailHash: null, utcOffset: null, gzip: identity.gzip, done: false };
}

/** The saved cursor of this very file, if it still holds: same inode, first line, bytes before the offset, and not shorter. */
export async function resumeCursor(path: string, handle: FileHandle, identity: FileIdentity, saved: readonly FileCursor[]): Promise<FileCursor> {
  const known = saved.find((c) => c.dev === identity.dev && c.ino === identity.ino);
  if (known === undefined) return freshCursor(path, identity);
  if (known.gzip) {
    const same = identity.gzip && known.size === identity.size && known.firstLineHash === identity.firstLineHash;
    return same ? { ...known, path } : freshCursor(path, identity);
  }
  if (known.offset === 0) return freshCursor(path, identity);
  const same = known.firstLineHash === identity.firstLineHash && identity.size >= known.offset && (await tailHashAt(handle, known.offset)) === known.tailHash;
  return same ? { ...known, path, size: identity.size } : freshCursor(path, identity);
}

/**
 * Reads the complete lines of `handle` from `cursor.offset` up to `size` into `sink`, counting
 * them in `stats`; moves the cursor past them. A last line without its newline is left for later.
 */
export async function readFrom(handle: FileHandle, cursor: FileCursor, size: number, options: ReadOptions, stats: FileStats, sink: RecordSink, referenceTime: number): Promise<void> {
  if (size <= cursor.offset) return;
  const clock = new Clock({ zone: options.zone, year: options.year, referenceTime, local: options.local });
  if (cursor.utcOffset !== null) clock.setUtcOffset(cursor.utcOffset);
  const assembler = new RecordAssembler(cursor.path, clock, options.host ?? null, stats, sink);
  const splitter = new LineSplitter((text, lineNo, flags) => {
    stats.read++;
    assembler.pushLine(text, lineNo, flags);
  }, cursor.lines);
  let position = cursor.offset;
  let pending: Buffer[] = [];
  const buffer = Buffer.alloc(Math.min(READ_BYTES, size - cursor.offset));
  try {
    while (position < size) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - position), position);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      const lastNewline = chunk.lastIndexOf(10);
      if (lastNewline < 0) {
        pending.push(Buffer.from(chunk));
      } else {
        splitter.pushBytes(Buffer.concat([...pending, chunk.subarray(0, lastNewline + 1)]));
        pending = [Buffer.from(chunk.subarray(lastNewline + 1))];
        cursor.offset = position + lastNewline + 1;
      }
      position += bytesRead;
    }
  } finally {
    // The splitter holds no partial line (only complete lines were pushed): end() flushes nothing
    // but the assembler's last record.
    splitter.end();
    assembler.end();
    cursor.lines = splitter.linesSeen;
    cursor.utcOffset = clock.utcOffset;
    cursor.size = size;
    cursor.tailHash = await tailHashAt(handle, cursor.offset);
    if (cursor.firstLineHash === null && cursor.offset > 0) cursor.firstLineHash = (await identify(handle)).firstLineHash;
  }
}

/** Reads a gzip file whole (it cannot be resumed in the middle) and marks it done. */
export async function readGzipWhole(cursor: FileCursor, options: ReadOptions, stats: FileStats, sink: RecordSink, referenceTime: number): Promise<void> {
  const clock = new Clock({ zone: options.zone, year: options.year, referenceTime, local: options.local });
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
    cursor.lines = splitter.linesSeen;
  }
  cursor.done = true;
}

/** Where rotation put the file `cursor` was reading: a file of its directory with its inode (`name.@...s`). */
export async function findRotated(cursor: FileCursor): Promise<string | null> {
  const dir = dirname(cursor.path);
  const group = basename(cursor.path).replace(/\.(?:c|current)$/, "");
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return null;
  }
  for (const name of names) {
    if (!name.startsWith(`${group}.`) || name === basename(cursor.path)) continue;
    const path = join(dir, name);
    try {
      const info = await stat(path);
      if (info.isFile() && info.dev === cursor.dev && info.ino === cursor.ino) return path;
    } catch {
      // gone between readdir and stat: not it
    }
  }
  return null;
}

/**
 * The rest of a file that was rotated away from under the name `path` since `cursor` was
 * taken (its inode is no longer there): found again in the directory and read to its end.
 */
export async function readRotatedRest(
  cursor: FileCursor,
  options: ReadOptions,
  sink: RecordSink,
  result: IncrementalResult,
): Promise<void> {
  if (cursor.gzip) return;
  const rotated = await findRotated(cursor);
  if (rotated === null) {
    result.warnings.push({ code: "W_ROTATED_NOT_FOUND", input: cursor.path, message: `was rotated, and the old file is not in its directory any more: what it got after byte ${cursor.offset} was not read` });
    return;
  }
  const stats = newFileStats(rotated);
  result.files.push(stats);
  let handle: FileHandle | null = null;
  let resumed: FileCursor | null = null;
  try {
    handle = await open(rotated, "r");
    const identity = await identify(handle);
    resumed = await resumeCursor(rotated, handle, identity, [cursor]);
    await readFrom(handle, resumed, identity.size, options, stats, sink, identity.mtimeMs);
  } catch (error) {
    stats.error = describeFsError(error);
    result.errors.push({ code: "E_INPUT_READ", input: rotated, message: stats.error });
  } finally {
    await handle?.close();
  }
  if (resumed !== null) result.cursors.push(resumed);
}

/** The saved cursors of files not read now that still exist under their name: kept for later runs. */
export async function stillThere(saved: readonly FileCursor[], taken: readonly FileCursor[]): Promise<FileCursor[]> {
  const seen = new Set(taken.map((c) => `${c.dev}:${c.ino}`));
  const kept: FileCursor[] = [];
  for (const cursor of saved) {
    if (seen.has(`${cursor.dev}:${cursor.ino}`)) continue;
    try {
      const info = await stat(cursor.path);
      if (info.dev === cursor.dev && info.ino === cursor.ino) kept.push(cursor);
    } catch {
      // gone: forgotten
    }
  }
  return kept;
}

interface Opened {
  path: string;
  handle: FileHandle;
  identity: FileIdentity;
}

/** Reads what is new in each file since the cursors were taken (see the top of this file). */
export async function readIncrementally(paths: readonly string[], saved: readonly FileCursor[], options: ReadOptions, sink: RecordSink): Promise<IncrementalResult> {
  const result: IncrementalResult = { cursors: [], files: [], errors: [], warnings: [] };
  const opened: (Opened | null)[] = [];
  try {
    for (const path of paths) {
      try {
        const handle = await open(path, "r");
        opened.push({ path, handle, identity: await identify(handle) });
      } catch (error) {
        const stats = newFileStats(path);
        stats.error = describeFsError(error);
        result.files.push(stats);
        result.errors.push({ code: "E_INPUT_OPEN", input: path, message: stats.error });
        opened.push(null);
      }
    }
    const present = new Set(opened.flatMap((o) => (o === null ? [] : [`${o.identity.dev}:${o.identity.ino}`])));
    for (const entry of opened) {
      if (entry === null) continue;
      const rotatedAway = saved.filter((c) => c.path === entry.path && !present.has(`${c.dev}:${c.ino}`));
      for (const cursor of rotatedAway) await readRotatedRest(cursor, options, sink, result);
      const stats = newFileStats(entry.path);
      result.files.push(stats);
      let cursor: FileCursor | null = null;
      try {
        cursor = await resumeCursor(entry.path, entry.handle, entry.identity, saved);
        if (cursor.gzip) {
          if (!cursor.done) await readGzipWhole(cursor, options, stats, sink, entry.identity.mtimeMs);
        } else {
          await readFrom(entry.handle, cursor, entry.identity.size, options, stats, sink, entry.identity.mtimeMs);
        }
      } catch (error) {
        stats.error = describeFsError(error);
        result.errors.push({ code: "E_INPUT_READ", input: entry.path, message: stats.error });
      }
      // Kept even after an error: its offset is past the lines that were read, and only those.
      if (cursor !== null) result.cursors.push(cursor);
    }
  } finally {
    for (const entry of opened) await entry?.handle.close();
  }
  result.cursors.push(...(await stillThere(saved, result.cursors)));
  return result;
}
