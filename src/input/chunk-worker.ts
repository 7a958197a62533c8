// Worker thread: classifies the lines of one chunk of a file (prefix, grammar, event bodies).
// The chunk starts and ends at line boundaries, but a record can still span chunks (a wrapped
// line continues the previous chunk's last record), so the lines before the first prefixed line
// and the last open record go back unclassified: the main thread joins them exactly as a
// sequential read would (see parallel.ts).
import { parentPort } from "node:worker_threads";
import { keepCutsAsViews } from "../../grammars/values.js";
import { LineSplitter, LINE_TRUNCATED } from "./lines.js";
import { readPrefix } from "./prefix.js";
import { RecordEncoder, type EncodedRecords } from "./record-codec.js";
import { RecordReader, type ClassifiedRecord, type PendingRecord, type ReaderCounts } from "./records.js";

export interface ChunkRequest {
  seq: number;
  bytes: Uint8Array;
  /** The chunk's first line was cut at 64 KiB by the main thread. */
  firstLineTruncated: boolean;
  /** Send the text of unknown lines (else only their number). */
  keepUnknownText: boolean;
  /** A number array to fill again (one that came back with an earlier result), if any. */
  numbers?: Float64Array | undefined;
}

export interface ChunkResult {
  seq: number;
  /** Physical lines in the chunk. */
  lineCount: number;
  /** Lines before the first line that starts a record: they may continue the previous chunk. */
  head: { text: string; flags: number }[];
  /**
   * Classified records: encoded (record-codec.ts) when they cross threads, plain when a chunk
   * is classified on the thread that reads it (tests). Unknown ones without text are counted in
   * `unknownLines`.
   */
  records: EncodedRecords | ClassifiedRecord[];
  unknownLines: number;
  tail: PendingRecord | null;
  counts: ReaderCounts;
  /** The chunk's bytes, sent back from a worker to be filled again. */
  bytes?: Uint8Array | undefined;
}

function startsRecord(text: string): boolean {
  // A comment closes the previous record; a prefixed line starts one.
  return text.charCodeAt(0) === 35 || readPrefix(text) !== null;
}

/** `encode`: the result crosses to another thread (else the records stay plain objects). */
export function classifyChunk(request: ChunkRequest, encode = true): ChunkResult {
  const counts: ReaderCounts = { logLines: 0, joined: 0, truncated: 0, invalidUtf8: 0, nulBytes: 0 };
  const records = encode ? new RecordEncoder(request.numbers) : new RecordList();
  let unknownLines = 0;
  const reader = new RecordReader(counts, (record) => {
    if (record.t === "unknown" && !request.keepUnknownText) unknownLines += record.lines;
    else records.push(record);
  });
  const head: { text: string; flags: number }[] = [];
  let inHead = true;
  const splitter = new LineSplitter((text, lineNo, flags) => {
    const lineFlags = lineNo === 1 && request.firstLineTruncated ? flags | LINE_TRUNCATED : flags;
    if (inHead) {
      if (!startsRecord(text)) {
        head.push({ text, flags: lineFlags });
        return;
      }
      inHead = false;
    }
    reader.pushLine(text, lineNo, lineFlags);
  });
  splitter.pushBytes(Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength));
  splitter.end();
  // Before finish(): taking the open record hands on the records still waiting in the reader's batch.
  const tail = reader.takePending();
  return { seq: request.seq, lineCount: splitter.linesSeen, head, records: records.finish(), unknownLines, tail, counts };
}

class RecordList {
  private readonly records: ClassifiedRecord[] = [];
  push(record: ClassifiedRecord): void {
    this.records.push(record);
  }
  finish(): ClassifiedRecord[] {
    return this.records;
  }
}

if (parentPort !== null) keepCutsAsViews();

parentPort?.on("message", (request: ChunkRequest) => {
  const result = classifyChunk(request);
  // The buffers move to the main thread instead of being copied; it fills them again.
  result.bytes = request.bytes;
  parentPort!.postMessage(result, [(result.records as EncodedRecords).numbers.buffer as ArrayBuffer, request.bytes.buffer as ArrayBuffer]);
});
