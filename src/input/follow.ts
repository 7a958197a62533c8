// `--follow`: keeps reading growing files until the signal aborts. Each poll reads the complete
// lines added since the last one. Rotation shows as the name pointing at another inode: the old
// file is read to its end through the handle still open on it, then the new one from its start.
// A truncated file is read from its start. With saved cursors (--state) it first catches up from
// where the last run stopped, as readIncrementally does.
import { open, stat, type FileHandle } from "node:fs/promises";
import { newFileStats, type FileStats } from "./accounting.js";
import {
  findRotated,
  freshCursor,
  identify,
  readFrom,
  readGzipWhole,
  readRotatedRest,
  resumeCursor,
  stillThere,
  type FileCursor,
  type IncrementalIssue,
} from "./incremental.js";
import type { ReadOptions } from "./read.js";
import type { RecordSink } from "./records.js";
import { describeFsError } from "./sources.js";

export interface FollowOptions {
  signal: AbortSignal;
  pollMs: number;
  /** Where an earlier run stopped (--state). */
  saved?: readonly FileCursor[];
  /** Called after each poll with the accounting so far (tests use it to append and rotate between polls). */
  onPoll?: (files: readonly FileStats[]) => void;
}

export interface FollowResult {
  cursors: FileCursor[];
  files: FileStats[];
  errors: IncrementalIssue[];
  warnings: IncrementalIssue[];
}

interface Followed {
  handle: FileHandle;
  cursor: FileCursor;
}

export async function follow(paths: readonly string[], options: ReadOptions, sink: RecordSink, how: FollowOptions): Promise<FollowResult> {
  const result: FollowResult = { cursors: [], files: [], errors: [], warnings: [] };
  const statsByPath = new Map<string, FileStats>();
  const statsOf = (path: string): FileStats => {
    let stats = statsByPath.get(path);
    if (stats === undefined) {
      stats = newFileStats(path);
      statsByPath.set(path, stats);
      result.files.push(stats);
    }
    return stats;
  };
  const followed = new Map<string, Followed>();
  const reported = new Set<string>();
  let saved = how.saved ?? [];

  const openAt = async (path: string): Promise<Followed | null> => {
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (error) {
      // Not there (yet): a rotation in progress, or a file still to be created. Said once.
      if (!reported.has(path)) {
        reported.add(path);
        result.warnings.push({ code: "W_INPUT_WAITING", input: path, message: `${describeFsError(error)}; waiting for it` });
      }
      return null;
    }
    const identity = await identify(handle);
    // First sight of this name: where the last run stopped, and the rest of a file rotated since.
    const rotatedAway = saved.filter((c) => c.path === path && (c.dev !== identity.dev || c.ino !== identity.ino));
    for (const cursor of rotatedAway) await readRotatedRest(cursor, options, sink, result);
    const cursor = await resumeCursor(path, handle, identity, saved);
    saved = saved.filter((c) => c.path !== path && (c.dev !== identity.dev || c.ino !== identity.ino));
    return { handle, cursor };
  };

  const readNew = async (path: string, entry: Followed): Promise<void> => {
    const info = await entry.handle.stat();
    if (entry.cursor.gzip) {
      if (!entry.cursor.done) await readGzipWhole(entry.cursor, options, statsOf(path), sink, info.mtimeMs);
      return;
    }
    if (info.size < entry.cursor.offset) entry.cursor = freshCursor(path, await identify(entry.handle));
    await readFrom(entry.handle, entry.cursor, info.size, options, statsOf(path), sink, info.mtimeMs);
  };

  const poll = async (): Promise<void> => {
    for (const path of paths) {
      let entry = followed.get(path);
      let inode: { dev: number; ino: number } | null = null;
      try {
        inode = await stat(path);
      } catch {
        inode = null; // rotated away, the new file not yet created: keep reading the old one
      }
      if (entry !== undefined && inode !== null && (inode.dev !== entry.cursor.dev || inode.ino !== entry.cursor.ino)) {
        // Rotated: the rest of the old file through the handle still open on it, then the new file.
        await readNew(path, entry);
        await entry.handle.close();
        followed.delete(path);
        // Remembered under its new name, in case a later run names it.
        const rotated = await findRotated(entry.cursor);
        if (rotated !== null) result.cursors.push({ ...entry.cursor, path: rotated });
        entry = undefined;
      }
      if (entry === undefined && inode !== null) {
        const opened = await openAt(path);
        if (opened !== null) {
          entry = opened;
          followed.set(path, entry);
        }
      }
      if (entry !== undefined) {
        try {
          await readNew(path, entry);
        } catch (error) {
          const message = describeFsError(error);
          statsOf(path).error = message;
          result.errors.push({ code: "E_INPUT_READ", input: path, message });
          await entry.handle.close();
          followed.delete(path);
        }
      }
    }
    how.onPoll?.(result.files);
  };

  try {
    while (!how.signal.aborted) {
      await poll();
      await sleep(how.pollMs, how.signal);
    }
  } finally {
    for (const entry of followed.values()) {
      result.cursors.push(entry.cursor);
      await entry.handle.close();
    }
  }
  result.cursors.push(...(await stillThere(saved, result.cursors)));
  return result;
}

/** Resolves after `ms`, or at once when the signal aborts (one listener per wait, removed after). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const wake = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", wake);
      resolve();
    }, ms);
    signal.addEventListener("abort", wake, { once: true });
  });
}
