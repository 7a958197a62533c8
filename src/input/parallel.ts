// Reads a file with worker threads: the main thread cuts the bytes into chunks at line ends,
// workers classify each chunk's lines (the expensive part: prefix, lexer, parser building the
// events), and the main thread takes the results strictly in order, joins records that span
// chunks exactly as a sequential read would, times and correlates them. When every worker has
// a backlog the main thread waits for the oldest chunk rather than classify one itself (see
// WORKER_BACKLOG). Buffers travel both ways (chunk bytes out, the encoded records' numbers back,
// then both out again) instead of being allocated per chunk. Output is identical to the
// sequential reader's.
import type { FileStats } from "./accounting.js";
import { WORKER_BACKLOG } from "./chunk-pool.js";
import type { ChunkResult } from "./chunk-worker.js";
import type { Clock } from "./clock.js";
import { MAX_LINE } from "./lines.js";
import { READ_BYTES } from "./sources.js";
import { decodeRecords } from "./record-codec.js";
import { RecordReader, RecordTimer, type RecordSink } from "./records.js";

/** Bytes a worker gets at once (a chunk ends at the last line end of what is held past this). */
export const CHUNK_BYTES = 1 << 20;
/**
 * The first chunk's size; each next one is twice the last, up to CHUNK_BYTES. A worker's first
 * chunk runs in cold code while this thread waits for it. On the 100 MB corpus, with the worker
 * started as early, the first result came at 431-438 ms after the start instead of 556-578 ms
 * (two runs each).
 */
export const FIRST_CHUNK_BYTES = 1 << 16;
const NEWLINE = 10;

/** What classifies chunks: worker threads (ChunkPool), or the same code on this thread in tests. */
export interface ChunkClassifier {
  readonly size: number;
  classify(bytes: Uint8Array, firstLineTruncated: boolean, keepUnknownText: boolean): Promise<ChunkResult>;
  /** Takes back the numbers of a decoded result, to send them out again with a later chunk. */
  recycle?(numbers: Float64Array): void;
}

interface Chunk {
  bytes: Uint8Array;
  firstLineTruncated: boolean;
}

/**
 * Chunk buffers that came back from classification, to fill again instead of allocating a
 * megabyte per chunk on this thread and freeing it on another. No gain was measurable (copying
 * into a chunk, `take`, stayed at 3-6 % of this thread's profile either way); kept because it
 * allocates less.
 */
export class ChunkBuffers {
  private readonly spare: ArrayBuffer[] = [];

  constructor(
    private readonly capacity: number,
    private readonly keep: number,
  ) {}

  get(size: number): Uint8Array {
    const buffer = this.spare.pop();
    if (buffer !== undefined && buffer.byteLength >= size) return new Uint8Array(buffer, 0, size);
    return new Uint8Array(new ArrayBuffer(Math.max(size, this.capacity)), 0, size);
  }

  put(bytes: Uint8Array): void {
    const buffer = bytes.buffer as ArrayBuffer;
    if (buffer.byteLength >= this.capacity && this.spare.length < this.keep) this.spare.push(buffer);
  }
}

/**
 * Cuts a byte stream into chunks that end at a newline, each in its own transferable buffer.
 * `first`: the first chunk's size, doubled chunk by chunk up to `target` (see FIRST_CHUNK_BYTES).
 */
export async function* lineChunks(input: AsyncIterable<Buffer>, target = CHUNK_BYTES, buffers?: ChunkBuffers, first = FIRST_CHUNK_BYTES): AsyncGenerator<Chunk> {
  let parts: Buffer[] = [];
  let size = 0;
  /** Bytes of an over-long line kept (the first MAX_LINE), while the rest of it is skipped. */
  let longLine: Buffer | null = null;
  /** The size of the next chunk while the chunks grow to `target` (see FIRST_CHUNK_BYTES). */
  let ramp = Math.min(first, target);
  const take = (upto: number): Uint8Array => {
    const out = buffers?.get(upto) ?? new Uint8Array(upto);
    let at = 0;
    while (at < upto) {
      const part = parts[0]!;
      const need = upto - at;
      if (part.length <= need) {
        out.set(part, at);
        at += part.length;
        parts.shift();
      } else {
        out.set(part.subarray(0, need), at);
        parts[0] = part.subarray(need);
        at += need;
      }
    }
    size -= upto;
    return out;
  };
  for await (const buffer of input) {
    let data = buffer;
    if (longLine !== null) {
      const newline = data.indexOf(NEWLINE);
      if (newline < 0) continue;
      yield { bytes: Uint8Array.from(Buffer.concat([longLine, Buffer.from([NEWLINE])])), firstLineTruncated: true };
      longLine = null;
      data = data.subarray(newline + 1);
    }
    parts.push(data);
    size += data.length;
    while (ramp < target && size >= ramp) {
      const end = endOfLastLine(parts, ramp);
      if (end < 0) break;
      yield { bytes: take(end), firstLineTruncated: false };
      ramp *= 2;
    }
    if (size < target) continue;
    const end = endOfLastLine(parts, size);
    if (end > 0) {
      yield { bytes: take(end), firstLineTruncated: false };
    } else if (size > MAX_LINE) {
      // One line longer than 64 KiB: keep its start, skip the rest up to its newline.
      longLine = Buffer.from(take(MAX_LINE));
      parts = [];
      size = 0;
    }
  }
  if (longLine !== null) yield { bytes: Uint8Array.from(longLine), firstLineTruncated: true };
  else if (size > 0) yield { bytes: take(size), firstLineTruncated: false };
}

/** The offset just past the last newline within the first `limit` bytes of `parts`, or -1. */
function endOfLastLine(parts: readonly Buffer[], limit: number): number {
  let end = -1;
  let offset = 0;
  for (const part of parts) {
    if (offset >= limit) break;
    const at = part.lastIndexOf(NEWLINE, Math.min(part.length, limit - offset) - 1);
    if (at >= 0) end = offset + at + 1;
    offset += part.length;
  }
  return end;
}

/** Reads one input's bytes through the pool; same records, counts and order as RecordAssembler. */
export async function readChunked(
  bytes: AsyncIterable<Buffer>,
  pool: ChunkClassifier,
  file: string,
  clock: Clock,
  defaultHost: string | null,
  stats: FileStats,
  sink: RecordSink,
  backpressure?: () => Promise<void> | null,
  chunkBytes = CHUNK_BYTES,
): Promise<void> {
  const timer = new RecordTimer(file, clock, defaultHost, stats, sink);
  const joiner = new RecordReader(stats, timer.push);
  const keepUnknownText = sink.unknown !== undefined;
  // Room for a chunk plus one read past it (a chunk is cut once it holds `chunkBytes`); as many
  // as can be out at once. Every spare byte here is resident for the whole run.
  const buffers = new ChunkBuffers(chunkBytes + READ_BYTES, pool.size * WORKER_BACKLOG + 4);
  /** Chunks in file order: classified (result) or still with a worker. */
  const queue: { result: ChunkResult | null; pending: Promise<ChunkResult> }[] = [];
  let base = 0;
  const settle = (result: ChunkResult) => {
    if (result.bytes !== undefined) buffers.put(result.bytes);
    result.head.forEach((line, i) => {
      stats.read++;
      joiner.pushLine(line.text, base + i + 1, line.flags);
    });
    // A chunk with a record start closes whatever record the previous chunk left open.
    if (result.head.length < result.lineCount) joiner.flush();
    const records = result.records;
    if (Array.isArray(records)) {
      for (const record of records) {
        record.line += base;
        timer.push(record);
      }
    } else {
      decodeRecords(records, base, timer);
      pool.recycle?.(records.numbers);
    }
    timer.countUnknown(result.unknownLines);
    stats.read += result.lineCount - result.head.length;
    stats.logLines += result.counts.logLines;
    stats.joined += result.counts.joined;
    stats.truncated += result.counts.truncated;
    stats.invalidUtf8 += result.counts.invalidUtf8;
    stats.nulBytes += result.counts.nulBytes;
    if (result.tail !== null) {
      result.tail.line += base;
      joiner.seedPending(result.tail);
    }
    base += result.lineCount;
  };
  const settleReady = () => {
    while (queue.length > 0 && queue[0]!.result !== null) settle(queue.shift()!.result!);
  };
  const settleNext = async () => {
    const next = queue.shift()!;
    settle(next.result ?? (await next.pending));
  };
  try {
    for await (const chunk of lineChunks(bytes, chunkBytes, buffers)) {
      // Correlating what is ready comes first: it is the part only this thread can do.
      settleReady();
      while (queue.length >= pool.size * WORKER_BACKLOG) await settleNext();
      const pending = pool.classify(chunk.bytes, chunk.firstLineTruncated, keepUnknownText);
      const entry: (typeof queue)[number] = { result: null, pending };
      void pending.then((result) => (entry.result = result), () => undefined);
      queue.push(entry);
      const full = backpressure?.();
      if (full) await full;
    }
  } finally {
    // Results already classified are still counted, also when reading failed part-way.
    while (queue.length > 0) await settleNext();
    joiner.flush();
    timer.end();
  }
}
