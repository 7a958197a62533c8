// The input stage's I/O shell: opens each source, decodes, splits lines and hands them to the
// record assembler. Everything it calls is pure and testable without files (see readText).
import { availableParallelism } from "node:os";
import { setFlagsFromString } from "node:v8";
import { newFileStats, type FileStats } from "./accounting.js";
import { Clock } from "./clock.js";
import { LineSplitter } from "./lines.js";
import { ChunkPool, readChunked } from "./parallel.js";
import { RecordAssembler, type RecordSink } from "./records.js";
import { decodedBytes, openSource, resolveInputs, sourceName, type InputError, type Source } from "./sources.js";

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
  const workers = options.workers ?? defaultWorkers(sources, availableParallelism());
  tuneV8();
  const pool = workers >= 1 ? new ChunkPool(workers) : null;
  try {
    for (const source of sources) {
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

/** Below this much log, starting a worker costs more than it saves. */
const WORKER_MIN_BYTES = 8_000_000;
/** A gzip file holds about this many times its size in log. */
const GZIP_RATIO = 8;

/**
 * One worker when it pays: two or more cores and a big input. The worker classifies lines (the
 * grammar's share) while this thread correlates; V8's helper threads (JIT, GC) take much of what
 * is left of the second core (see parallel.ts). Two workers on two cores were slower: `report`
 * on 100 MB 1.13x the wall time of one (farm-bench, 5 pairs). Not for
 * standard input: it has no size to judge by, and a worker takes lines a megabyte at a time,
 * which would hold back what `tail -f | esa-dane deliveries -` prints.
 */
export function defaultWorkers(sources: readonly Source[], cores: number): number {
  if (cores < 2) return 0;
  let bytes = 0;
  for (const source of sources) {
    if (source.kind === "stdin") return 0;
    bytes += source.path.endsWith(".gz") ? source.size * GZIP_RATIO : source.size;
  }
  return bytes >= WORKER_MIN_BYTES ? 1 : 0;
}

/**
 * Reading a log allocates fast and keeps little: V8's default heap growth lets the old space
 * reach four to five times the live data between full collections (peak RSS 410 MiB on the 1 GB
 * corpus). Bounded growth keeps RSS under 300 MB for 100 MB to 1 GB of log, and unlike a hard
 * --max-old-space-size it cannot run out of memory on a log whose live state is big. Each full
 * collection marks the whole live heap (50-70 MB late in a 1 GB run) on a helper thread, which
 * competes with the two busy threads for the machine's two cores: on the 1 GB corpus 50 % meant
 * 106 full collections and a peak RSS of 263 MiB, 70 % 76 of them and 274-285 MiB (287-299 MB),
 * 100 % 292-297 MiB (306-311 MB: over the 300 MB that issue 13 allows).
 */
const HEAP_GROWING_PERCENT = 70;

/**
 * Bytecode the optimising compiler may inline into one function, all callees together (V8's
 * default is 920). A run compiles the same few hundred functions whatever the size of the log,
 * several of them three or four times as new kinds of lines reach them (the correlator's
 * closeConnection, buildAttempt and lookupDone took 40-70 ms a compile with everything they call
 * inlined): on 100 MB the compiler threads took 16 % of all CPU (perf, per thread), time the two
 * busy threads wanted on a two-core machine. At 150 they took 11 %; `deliveries` 0.954x CPU and
 * 0.967x wall, `alert` 0.944x and 0.970x, `report` 0.951x and 0.976x (farm-bench, 6-8
 * alternated pairs, medians); 300 did as well as 150, 500 worse.
 */
const MAX_INLINED_BYTECODE_CUMULATIVE = 150;

/** V8 settings for reading a log (process-wide: worker threads started later have them too). */
function tuneV8(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${MAX_INLINED_BYTECODE_CUMULATIVE}`);
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
