// Which inputs to read, in which order. Directories give their log files, each rotation set
// oldest first: `name.@YYYYMMDDTHHMMSS.s` by timestamp, then `name.c` / `name.current`, the file
// being written. Gzip is recognised by its magic bytes, not by its name.
import { createReadStream, type Stats } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

export type Source = { kind: "file"; path: string; size: number; mtimeMs: number } | { kind: "stdin" };

export interface InputError {
  input: string;
  message: string;
}

const ROTATED = /^(.*)\.@(\d{8}T\d{6})\.s(?:\.gz)?$/;
const CURRENT = /^(.*)\.(?:c|current)(?:\.gz)?$/;
// Not .txt: a directory of logs often holds notes (README.txt) beside them.
const OTHER_LOG = /\.(?:s|log|gz)$|\.log\.\d+$/;

interface Ranked {
  name: string;
  group: string;
  /** 0: rotated (ordered by stamp), 1: current, 2: other log names. */
  rank: number;
  stamp: string;
}

function rankOf(name: string): Ranked | null {
  const rotated = ROTATED.exec(name);
  if (rotated) return { name, group: rotated[1]!, rank: 0, stamp: rotated[2]! };
  const current = CURRENT.exec(name);
  if (current) return { name, group: current[1]!, rank: 1, stamp: "" };
  if (OTHER_LOG.test(name)) return { name, group: name, rank: 2, stamp: "" };
  return null;
}

/** The log files among a directory's names, oldest first within each rotation set. Pure. */
export function orderLogFiles(names: readonly string[]): string[] {
  return names
    .filter((n) => !n.startsWith("."))
    .map(rankOf)
    .filter((r): r is Ranked => r !== null)
    .sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : a.rank - b.rank || (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : 0)))
    .map((r) => r.name);
}

async function expandDirectory(dir: string, sources: Source[], errors: InputError[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    errors.push({ input: dir, message: describeFsError(error) });
    return;
  }
  const files = orderLogFiles(entries.filter((e) => e.isFile()).map((e) => e.name));
  for (const name of files) await addPath(join(dir, name), sources, errors, false);
  const subdirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name).sort();
  for (const name of subdirs) await expandDirectory(join(dir, name), sources, errors);
}

async function addPath(path: string, sources: Source[], errors: InputError[], named: boolean, warnings: InputError[] = []): Promise<void> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    errors.push({ input: path, message: describeFsError(error) });
    return;
  }
  if (info.isDirectory()) {
    if (!named) return;
    const before = sources.length;
    await expandDirectory(path, sources, errors);
    if (sources.length === before && !errors.some((e) => e.input === path)) {
      warnings.push({ input: path, message: "no log files in this directory (names like mail_logs_d.@20240311T083000.s, .current, .log, .gz)" });
    }
    return;
  }
  sources.push({ kind: "file", path, size: info.size, mtimeMs: info.mtimeMs });
}

/** Resolves the command line's inputs; `-` or no input at all means standard input. */
export async function resolveInputs(inputs: readonly string[]): Promise<{ sources: Source[]; errors: InputError[]; warnings: InputError[] }> {
  const sources: Source[] = [];
  const errors: InputError[] = [];
  const warnings: InputError[] = [];
  if (inputs.length === 0) return { sources: [{ kind: "stdin" }], errors, warnings };
  for (const input of inputs) {
    if (input === "-") sources.push({ kind: "stdin" });
    else await addPath(input, sources, errors, true, warnings);
  }
  return { sources, errors, warnings };
}

export function sourceName(source: Source): string {
  return source.kind === "stdin" ? "(stdin)" : source.path;
}

export function describeFsError(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case "ENOENT": return "no such file or directory";
    case "EACCES":
    case "EPERM": return "permission denied";
    case "EISDIR": return "is a directory";
    default: return error instanceof Error ? error.message : String(error);
  }
}

/** The most a file read gives at once (pipes and gunzip give less). */
export const READ_BYTES = 1 << 20;

export function openSource(source: Source): Readable {
  return source.kind === "stdin" ? process.stdin : createReadStream(source.path, { highWaterMark: READ_BYTES });
}

/** Whether bytes start with the gzip magic bytes (gzip is recognised by content, not name). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The bytes of an input, gunzipped when they start with the gzip magic bytes. */
export async function* decodedBytes(input: Readable, onRawBytes?: (total: number) => void): AsyncGenerator<Buffer> {
  const source = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let rawBytes = 0;
  const iterator: AsyncIterator<Buffer> = {
    next: async () => {
      const next = await source.next();
      if (!next.done && onRawBytes) onRawBytes((rawBytes += next.value.length));
      return next;
    },
  };
  let head: Buffer = Buffer.alloc(0);
  while (head.length < 2) {
    const next = await iterator.next();
    if (next.done) {
      if (head.length > 0) yield head;
      return;
    }
    head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
  }
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  if (!isGzip(head)) {
    yield* all();
    return;
  }
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  const feed = (async () => {
    try {
      for await (const chunk of all()) if (!gunzip.write(chunk)) await new Promise((r) => gunzip.once("drain", r));
      gunzip.end();
    } catch (error) {
      gunzip.destroy(error as Error);
    }
  })();
  for await (const chunk of gunzip) yield chunk as Buffer;
  await feed;
}
