// The input stage's I/O shell: opens each source, decodes, splits lines and hands them to the
// record assembler. Everything it calls is pure and testable without files (see readText).
import { open } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { constants as zlibConstants, gunzipSync } from "node:zlib";
import { newFileStats, type FileStats } from "./accounting.js";
import { Clock } from "./clock.js";
import { LineSplitter } from "./lines.js";
import { ChunkPool, defaultWorkers } from "./chunk-pool.js";
import { readChunked } from "./parallel.js";
import { tuneV8 } from "./v8-tuning.js";
import { RecordAssembler, type RecordSink } from "./records.js";
import { decodedBytes, isGzip, openSource, resolveInputs, sourceName, type InputError, type Source } from "./sources.js";

export interface ReadOptions {
  /** Appliance name for lines whose prefix names none (the file form). */
  host?: string | undefined;
  /** IANA zone for files without a `Time offset from UTC` header. */
  zone?: string | undefined;
  /** Year for syslog prefixes. */
  year?: number | undefined;
  /** Times as logged (appliance local time), whatever the headers and --tz say. */
  local?: boolean | undefined;
  /** Called with the number of raw bytes read so far from files of known size. */
  onBytes?: ((bytes: number) => void) | undefined;
  /**
   * Back-pressure from the consumer: a promise to wait for before reading on (an output stream
   * that is full), or null. Without it a slow reader of our output would make us buffer it all.
   */
  backpressure?: (() => Promise<void> | null) | undefined;
  /**
   * Worker threads that classify lines while this thread times and correlates them; 0 reads
   * everything on this thread; undefined: see defaultWorkers.
   */
  workers?: number | undefined;
  /**
   * Workers started before this read (startChunkPool): used instead of `workers`, and closed when
   * the read ends like a pool of its own, so that their memory is gone while the outputs are
   * written (on the 1 GB corpus, 20 MiB more peak RSS with the worker left until the end).
   */
  pool?: ChunkPool | null | undefined;
}


export interface ReadResult {
  files: FileStats[];
  errors: InputError[];
  /** Inputs that were read but gave nothing (a directory without log files). */
  warnings: InputError[];
  sources: Source[];
}

function clockFor(options: ReadOptions, referenceTime: number): Clock {
  return new Clock({ zone: options.zone, year: options.year, referenceTime, local: options.local });
}

/** Reads every input in order, feeding records to the sink. Unreadable inputs are reported, not fatal. */
export async function readInputs(inputs: readonly string[], options: ReadOptions, sink: RecordSink): Promise<ReadResult> {
  const { sources, errors, warnings } = await resolveInputs(inputs);
  const files: FileStats[] = [];
  for (const error of errors) {
    const stats = newFileStats(error.input);
    stats.error = error.message;
    files.push(stats);
  }
  const clocks: { name: string; clock: Clock }[] = [];
  tuneV8();
  const pool = options.pool ?? newPool(options.workers ?? defaultWorkers(sources, availableParallelism()));
  const laterFrom = sink.beginInput === undefined || sources.length < 2 ? null : await laterInputStarts(sources, options);
  try {
    for (const [index, source] of sources.entries()) {
      if (laterFrom !== null) sink.beginInput?.(laterFrom[index]!);
      const name = sourceName(source);
      const stats = newFileStats(name);
      files.push(stats);
      const clock = clockFor(options, source.kind === "file" ? source.mtimeMs : Date.now());
      clocks.push({ name, clock });
      const host = options.host ?? null;
      const bytes = decodedBytes(openSource(source), options.onBytes);
      try {
        if (pool !== null) {
          await readChunked(bytes, pool, name, clock, host, stats, sink, options.backpressure);
        } else {
          const assembler = new RecordAssembler(name, clock, host, stats, sink);
          const splitter = new LineSplitter((text, lineNo, flags) => {
            stats.read++;
            assembler.pushLine(text, lineNo, flags);
          });
          try {
            for await (const chunk of bytes) {
              splitter.pushBytes(chunk);
              // What a read gives is what the input had: from a live pipe, the rest may take a while.
              assembler.drain();
              const full = options.backpressure?.();
              if (full) await full;
            }
          } finally {
            splitter.end();
            assembler.end();
          }
        }
      } catch (error) {
        stats.error = readErrorMessage(error, stats.read);
        errors.push({ input: name, message: stats.error });
      }
    }
  } finally {
    await pool?.close();
  }
  warnings.push(...guessedZones(clocks));
  return { files, errors, warnings, sources };
}

/**
 * For each source, the earliest time the sources after it start at: the smallest time among
 * the first lines of each (+Infinity after the last; -Infinity when one of them tells none).
 */
async function laterInputStarts(sources: readonly Source[], options: ReadOptions): Promise<number[]> {
  // One file open at a time: a folder may hold thousands of rotated files.
  const starts: (number | null)[] = [null];
  for (const source of sources.slice(1)) starts.push(await startOf(source, options));
  const later: number[] = new Array<number>(sources.length);
  let from = Number.POSITIVE_INFINITY;
  for (let index = sources.length - 1; index >= 0; index--) {
    later[index] = from;
    from = Math.min(from, starts[index] ?? Number.NEGATIVE_INFINITY);
  }
  return later;
}

/** Bytes read from the start of a file to see when it starts (a gzip file's are unpacked). */
const START_BYTES = 32 * 1024;

/**
 * The earliest time among the first lines of a file, read as readInputs will read them (its
 * header's offset, --tz, --year, the file's date for syslog's missing year), or null: none
 * timed there, standard input, or the file cannot be read (readInputs reports that).
 */
async function startOf(source: Source, options: ReadOptions): Promise<number | null> {
  if (source.kind !== "file") return null;
  let bytes: Buffer;
  try {
    const handle = await open(source.path);
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(START_BYTES), 0, START_BYTES, 0);
      bytes = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
    // A truncated gzip stream unpacks as far as it goes with a sync flush.
    if (isGzip(bytes)) bytes = gunzipSync(bytes, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch {
    return null;
  }
  const end = bytes.lastIndexOf(10);
  if (end < 0) return null;
  let start: number | null = null;
  const sink: RecordSink = {
    event: (event) => {
      if (event.time !== null && (start === null || event.time < start)) start = event.time;
    },
    malformed: () => undefined,
  };
  readText(bytes.toString("utf8", 0, end + 1), sourceName(source), options, sink, source.mtimeMs);
  return start;
}

function newPool(workers: number): ChunkPool | null {
  return workers >= 1 ? new ChunkPool(workers) : null;
}

/**
 * Lines left in appliance local time (no header of their own appliance, no --tz) read together
 * with lines in UTC: their order against the others, and their times, are a guess.
 */
function guessedZones(clocks: readonly { name: string; clock: Clock }[]): InputError[] {
  if (!clocks.some(({ clock }) => clock.zoned > 0)) return [];
  return clocks
    .filter(({ clock }) => clock.unzoned > 0)
    .map(({ name, clock }) => ({
      input: name,
      message: `${clock.unzoned} lines have no known time zone (no 'Time offset from UTC' header of their own appliance, no --tz): printed in appliance local time without Z; their order against lines in UTC is a guess`,
    }));
}

function readErrorMessage(error: unknown, lines: number): string {
  const code = (error as { code?: string }).code;
  const where = `after line ${lines}`;
  if (code === "Z_DATA_ERROR" || code === "Z_BUF_ERROR") return `gzip data is corrupt or truncated (${where})`;
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return `${error instanceof Error ? error.message : String(error)} (${where})`;
}

/** Reads a string as if it were a file: the pure core of readInputs, for tests and workers. */
export function readText(text: string, name: string, options: ReadOptions, sink: RecordSink, referenceTime = 0): FileStats {
  const stats = newFileStats(name);
  const assembler = new RecordAssembler(name, clockFor(options, referenceTime), options.host ?? null, stats, sink);
  const splitter = new LineSplitter((line, lineNo, flags) => {
    stats.read++;
    assembler.pushLine(line, lineNo, flags);
  });
  splitter.push(text);
  splitter.end();
  assembler.end();
  return stats;
}
