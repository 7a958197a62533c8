// Assembles physical lines into records and classifies them. A record is one prefixed line plus
// any lines without a prefix that follow it: real files keep one record per line, but copies of
// logs (web pages, tickets) wrap long lines, sometimes with blank lines in between. Every
// physical line is counted exactly once as parsed, unknown or malformed (with its record).
//
// Two stages, so that the first can run in worker threads over chunks of a file:
//   RecordReader  lines -> classified records (prefix, grammar, event body); no shared state
//   RecordTimer   classified records -> events with times (the file's `Time offset` header
//                 and the clock are sequential), accounting, the sink
// RecordAssembler chains both for sequential reading.
import { classifyMessages, familyOf, type MessageOutcome } from "../events/classify.js";
import type { EventBody } from "../events/types.js";
import type { EventBase, Level, LogEvent, Malformed, MalformedCode, Unknown } from "../events/types.js";
import type { FileStats } from "./accounting.js";
import type { Clock, ClockKey } from "./clock.js";
import { LINE_BAD_UTF8, LINE_HAD_NUL, LINE_TRUNCATED, MAX_LINE } from "./lines.js";
import { readPrefix, type LinePrefix } from "./prefix.js";

export interface RecordSink {
  event(event: LogEvent): void;
  /** Optional: without it, unknown lines are only counted (naming their family costs time). */
  unknown?: ((line: Unknown) => void) | undefined;
  malformed(line: Malformed): void;
  /**
   * Optional: called before each input when several are read, with the earliest time the inputs
   * after it start at (+Infinity: none follows; -Infinity: not known). Asking costs a look at
   * the start of each later input (readInputs).
   */
  beginInput?: ((laterInputsFromMs: number) => void) | undefined;
}

/** A record classified but not yet timed. Plain data: it crosses from worker threads. */
export type ClassifiedRecord =
  | { t: "event"; line: number; lines: number; stamp: LinePrefix["stamp"]; host: string | null; level: Level | null; body: EventBody }
  | { t: "unknown"; line: number; lines: number; family: string | null; text: string }
  | { t: "malformed"; line: number; lines: number; family: string; code: MalformedCode; message: string; text: string };

/** Counts only the first stage sees. */
export interface ReaderCounts {
  logLines: number;
  joined: number;
  truncated: number;
  invalidUtf8: number;
  nulBytes: number;
}

/** A record not yet classified: a later line may still continue it. */
export interface PendingRecord {
  line: number;
  lines: number;
  prefix: LinePrefix;
  message: string;
  /** Blank lines seen after the record: part of it if a continuation follows. */
  heldBlanks: number;
}

export type RecordHandler = (record: ClassifiedRecord) => void;

/** Where decoded records go (record-codec.ts): RecordTimer, or a list (recordList). */
export interface RecordTarget {
  push(record: ClassifiedRecord): void;
  /** An event record by its fields. */
  pushEvent(line: number, lines: number, stamp: LinePrefix["stamp"], host: string | null, level: Level | null, body: EventBody): void;
}

/**
 * Records are classified in batches of this many (their messages lexed in one call), and
 * handed on in order when a batch is full or the reader is flushed.
 */
export const CLASSIFY_BATCH = 150;

/** Stage one: physical lines to classified records. */
export class RecordReader {
  private pending: PendingRecord | null = null;
  /** Records to hand on, in order; null stands for the next of `unclassified`. */
  private readonly queue: (ClassifiedRecord | null)[] = [];
  private readonly unclassified: PendingRecord[] = [];

  /** `batch`: records classified together (1: each on its own, as soon as it is complete). */
  constructor(
    private readonly counts: ReaderCounts,
    private readonly out: RecordHandler,
    private readonly batch = CLASSIFY_BATCH,
  ) {}

  /** One physical line, in order. */
  pushLine(text: string, lineNo: number, flags: number): void {
    if (flags !== 0) {
      if (flags & LINE_TRUNCATED) this.counts.truncated++;
      if (flags & LINE_HAD_NUL) this.counts.nulBytes++;
      if (flags & LINE_BAD_UTF8) this.counts.invalidUtf8++;
    }
    const pending = this.pending;
    if (isBlank(text)) {
      if (pending !== null) pending.heldBlanks++;
      else this.emit({ t: "unknown", line: lineNo, lines: 1, family: "(blank)", text });
      return;
    }
    // `#` lines are comments in copies of logs (and in the public samples' provenance headers).
    if (text.charCodeAt(0) === 35) {
      this.close();
      this.emit({ t: "unknown", line: lineNo, lines: 1, family: "(comment)", text });
      return;
    }
    const prefix = readPrefix(text);
    if (prefix === null) {
      if (pending !== null && pending.message.length + text.length < MAX_LINE) {
        pending.message = joinWrapped(pending.message, text);
        pending.lines += pending.heldBlanks + 1;
        pending.heldBlanks = 0;
        this.counts.joined++;
        return;
      }
      this.close();
      this.emit({ t: "unknown", line: lineNo, lines: 1, family: "(no prefix)", text });
      return;
    }
    this.close();
    this.counts.logLines++;
    if ("invalid" in prefix) {
      this.emit({ t: "malformed", line: lineNo, lines: 1, family: "(prefix)", code: "E_PREFIX", message: prefix.invalid, text });
      return;
    }
    this.pending = { line: lineNo, lines: 1, prefix, message: text.slice(prefix.messageStart), heldBlanks: 0 };
  }

  /**
   * Hands on every complete record read so far (the open one stays open: the next line may
   * continue it). Called when the input pauses, so that a live log's records do not wait for a
   * full batch.
   */
  drain(): void {
    this.classifyQueued();
  }

  /** Classifies the record still open, if any, and hands on every record read so far. */
  flush(): void {
    this.close();
    this.classifyQueued();
  }

  /**
   * Hands on every record before the open one, and hands over the open one unclassified (a
   * worker's chunk may end inside a wrapped record).
   */
  takePending(): PendingRecord | null {
    this.classifyQueued();
    const record = this.pending;
    this.pending = null;
    return record;
  }

  seedPending(record: PendingRecord | null): void {
    this.flush();
    this.pending = record;
  }

  /** The open record is complete: queue it for classification. */
  private close(): void {
    const record = this.pending;
    if (record === null) return;
    this.pending = null;
    this.queue.push(null);
    this.unclassified.push(record);
    // Blank lines after a record that nothing continued are lines of their own.
    for (let i = 0; i < record.heldBlanks; i++) {
      this.queue.push({ t: "unknown", line: record.line + record.lines + i, lines: 1, family: "(blank)", text: "" });
    }
    if (this.unclassified.length >= this.batch) this.classifyQueued();
  }

  private emit(record: ClassifiedRecord): void {
    if (this.queue.length === 0) this.out(record);
    else this.queue.push(record);
  }

  private classifyQueued(): void {
    const records = this.unclassified;
    const outcomes = records.length === 0 ? [] : classifyMessages(records.map((r) => r.message));
    let next = 0;
    for (const item of this.queue) {
      if (item !== null) this.out(item);
      else {
        this.out(classifyRecord(records[next]!, outcomes[next]!));
        next++;
      }
    }
    this.queue.length = 0;
    this.unclassified.length = 0;
  }
}

function classifyRecord(record: PendingRecord, outcome: MessageOutcome): ClassifiedRecord {
  if (outcome.type === "event") {
    const p = record.prefix;
    return { t: "event", line: record.line, lines: record.lines, stamp: p.stamp, host: p.host, level: p.level, body: outcome.body };
  }
  if (outcome.type === "unknown") return { t: "unknown", line: record.line, lines: record.lines, family: null, text: record.message };
  return {
    t: "malformed",
    line: record.line,
    lines: record.lines,
    family: outcome.family,
    code: outcome.code,
    message: outcome.message,
    text: record.message,
  };
}

const HEADER_WINDOW = 8;

/** Stage two: times, accounting and delivery to the sink, in order. */
export class RecordTimer implements RecordTarget {
  /** Records left in which a `Time offset from UTC` header may still come (see releaseHeld). */
  private headerWindow = HEADER_WINDOW;
  private held: Extract<ClassifiedRecord, { t: "event" }>[] = [];

  constructor(
    private readonly file: string,
    private readonly clock: Clock,
    private readonly defaultHost: string | null,
    private readonly stats: FileStats,
    private readonly sink: RecordSink,
  ) {}

  readonly push = (record: ClassifiedRecord): void => {
    if (record.t === "event") {
      this.pushEvent(record.line, record.lines, record.stamp, record.host, record.level, record.body);
    } else if (record.t === "unknown") {
      this.stats.unknown += record.lines;
      this.sink.unknown?.({ file: this.file, line: record.line, family: record.family ?? familyOf(record.text), text: record.text });
    } else {
      this.stats.malformed += record.lines;
      const { family, code, message, text, line } = record;
      this.sink.malformed({ file: this.file, line, family, code, message, text });
    }
  };

  /** Counts unknown lines whose text nobody asked for (sent from workers as a number). */
  countUnknown(lines: number): void {
    this.stats.unknown += lines;
  }

  /**
   * An event record given by its fields, as the worker's records are decoded: push() without a
   * record object per event. Only the few records held for a header are built. With one clock
   * key per clock (clockKey), the main thread allocated 915 MB instead of 1026 MB for
   * `deliveries` on 100 MB (sampling heap profile).
   */
  pushEvent(line: number, lines: number, stamp: LinePrefix["stamp"], host: string | null, level: Level | null, body: EventBody): void {
    this.stats.parsed += lines;
    if (body.kind === "time-offset") {
      this.clock.setUtcOffset(body.seconds, clockKey(host, stamp));
      this.releaseHeld();
    } else if (body.kind === "log-begin") {
      // Another file begins (files concatenated into one stream): until its own header, its
      // lines wait, and the last file's offset no longer holds.
      this.releaseHeld();
      this.clock.clearUtcOffset(clockKey(host, stamp));
      this.headerWindow = HEADER_WINDOW;
    }
    if (this.headerWindow > 0) {
      this.headerWindow--;
      this.held.push({ t: "event", line, lines, stamp, host, level, body });
      if (this.headerWindow === 0) this.releaseHeld();
    } else {
      this.emitEvent(line, stamp, host, level, body);
    }
  }

  end(): void {
    this.releaseHeld();
  }

  /**
   * A file's header lines (`Begin Logfile`, `Version:`) come before its `Time offset from UTC`
   * line but are written in the same local time: events of the first few records wait for the
   * offset, so that they do not appear an offset away from the rest of the file.
   */
  private releaseHeld(): void {
    this.headerWindow = 0;
    const held = this.held;
    this.held = [];
    for (const record of held) this.emitEvent(record.line, record.stamp, record.host, record.level, record.body);
  }

  private emitEvent(line: number, stamp: LinePrefix["stamp"], host: string | null, level: Level | null, body: EventBody): void {
    const instant = stamp === null ? null : this.clock.instantOf(stamp, clockKey(host, stamp));
    if ((body as Partial<EventBase>).file === undefined && "file" in body) {
      // A body decoded from a worker has the base keys already, unset (see EVENT_BASE_KEYS; the
      // encoder leaves out keys whose value is undefined, so no other body has `file` unset):
      // it becomes the event itself, with the keys in the order the copy below gives them.
      const event = body as unknown as EventBase;
      event.file = this.file;
      event.line = line;
      event.time = instant?.time ?? null;
      event.utcKnown = instant?.utcKnown ?? false;
      event.host = host ?? this.defaultHost;
      event.level = level;
      this.sink.event(event as LogEvent);
      return;
    }
    this.sink.event({
      file: this.file,
      line,
      time: instant?.time ?? null,
      utcKnown: instant?.utcKnown ?? false,
      host: host ?? this.defaultHost,
      level,
      ...body,
    } as LogEvent);
  }
}

/**
 * The appliance file form (`Mon Feb  4 20:08:47 2019 Info:`) has a year and never a host; a
 * syslog line has a host or no year. Each follows its own appliance's `Time offset` header.
 * One key object per clock, not one per event: the clock reads its fields only.
 */
function clockKey(host: string | null, stamp: LinePrefix["stamp"]): ClockKey {
  if (host === null && stamp !== null && stamp.year !== null && stamp.utcOffsetMinutes === undefined) return FILE_FORM_CLOCK;
  if (lastHostClock.host !== host) lastHostClock = { fileForm: false, host };
  return lastHostClock;
}

const FILE_FORM_CLOCK: ClockKey = { fileForm: true };
let lastHostClock: { fileForm: false; host: string | null } = { fileForm: false, host: null };

/** Both stages in one, for reading a file line by line on this thread. */
export class RecordAssembler {
  private readonly reader: RecordReader;
  private readonly timer: RecordTimer;

  constructor(file: string, clock: Clock, defaultHost: string | null, stats: FileStats, sink: RecordSink) {
    this.timer = new RecordTimer(file, clock, defaultHost, stats, sink);
    this.reader = new RecordReader(stats, this.timer.push);
  }

  pushLine(text: string, lineNo: number, flags: number): void {
    this.reader.pushLine(text, lineNo, flags);
  }

  /** See RecordReader.drain. */
  drain(): void {
    this.reader.drain();
  }

  end(): void {
    this.reader.flush();
    this.timer.end();
  }
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

/**
 * Joins a wrapped continuation. A line broken right after a hyphen inside a word
 * (`thinkbeyond-` / `ch.mail.protection.outlook.com`) joins without a space; others with one.
 */
export function joinWrapped(head: string, continuation: string): string {
  const left = head.trimEnd();
  const right = continuation.trim();
  const brokenWord = left.length > 1 && left.endsWith("-") && left.charCodeAt(left.length - 2) !== 32;
  return brokenWord ? left + right : `${left} ${right}`;
}
