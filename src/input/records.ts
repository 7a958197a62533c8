// Assembles physical lines into records and classifies them. A record is one prefixed line plus
// any lines without a prefix that follow it: real files keep one record per line, but copies of
// logs (web pages, tickets) wrap long lines, sometimes with blank lines in between. Every
// physical line is counted exactly once as parsed, unknown or malformed (with its record).
import { classifyMessage, familyOf } from "../events/classify.js";
import type { EventBody } from "../events/visitor.js";
import type { LogEvent, Malformed, Unknown } from "../events/types.js";
import type { FileStats } from "./accounting.js";
import { Clock } from "./clock.js";
import { LINE_BAD_UTF8, LINE_HAD_NUL, LINE_TRUNCATED, MAX_LINE } from "./lines.js";
import { readPrefix, type LinePrefix } from "./prefix.js";

export interface RecordSink {
  event(event: LogEvent): void;
  /** Optional: without it, unknown lines are only counted (naming their family costs time). */
  unknown?: ((line: Unknown) => void) | undefined;
  malformed(line: Malformed): void;
}

const HEADER_WINDOW = 8;

interface PendingRecord {
  line: number;
  lines: number;
  prefix: LinePrefix;
  message: string;
  /** Blank lines seen after the record: part of it if a continuation follows. */
  heldBlanks: number;
}

export class RecordAssembler {
  private pending: PendingRecord | null = null;
  /** Records left in which a `Time offset from UTC` header may still come (see releaseHeld). */
  private headerWindow = HEADER_WINDOW;
  private held: { record: PendingRecord; body: EventBody }[] = [];

  constructor(
    private readonly file: string,
    private readonly clock: Clock,
    private readonly defaultHost: string | null,
    private readonly stats: FileStats,
    private readonly sink: RecordSink,
  ) {}

  /** One physical line, in order. */
  pushLine(text: string, lineNo: number, flags: number): void {
    if (flags !== 0) {
      if (flags & LINE_TRUNCATED) this.stats.truncated++;
      if (flags & LINE_HAD_NUL) this.stats.nulBytes++;
      if (flags & LINE_BAD_UTF8) this.stats.invalidUtf8++;
    }
    const pending = this.pending;
    if (isBlank(text)) {
      if (pending !== null) pending.heldBlanks++;
      else this.countUnknown(lineNo, 1, "(blank)", text);
      return;
    }
    // `#` lines are comments in copies of logs (and in the public samples' provenance headers).
    if (text.charCodeAt(0) === 35) {
      this.flush();
      this.countUnknown(lineNo, 1, "(comment)", text);
      return;
    }
    const prefix = readPrefix(text);
    if (prefix === null) {
      if (pending !== null && pending.message.length + text.length < MAX_LINE) {
        pending.message = joinWrapped(pending.message, text);
        pending.lines += pending.heldBlanks + 1;
        pending.heldBlanks = 0;
        this.stats.joined++;
        return;
      }
      this.flush();
      this.countUnknown(lineNo, 1, "(no prefix)", text);
      return;
    }
    this.flush();
    if ("invalid" in prefix) {
      this.stats.malformed++;
      this.sink.malformed({ file: this.file, line: lineNo, family: "(prefix)", code: "E_PREFIX", message: prefix.invalid, text });
      return;
    }
    this.pending = { line: lineNo, lines: 1, prefix, message: text.slice(prefix.messageStart), heldBlanks: 0 };
  }

  end(): void {
    this.flush();
    this.releaseHeld();
  }

  private flush(): void {
    const record = this.pending;
    if (record === null) return;
    this.pending = null;
    const outcome = classifyMessage(record.message);
    if (outcome.type === "event") {
      this.stats.parsed += record.lines;
      const body = outcome.body;
      if (body.kind === "time-offset") {
        this.clock.setUtcOffset(body.seconds);
        this.releaseHeld();
      }
      if (this.headerWindow > 0) {
        this.headerWindow--;
        this.held.push({ record, body });
        if (this.headerWindow === 0) this.releaseHeld();
      } else {
        this.emitEvent(record, body);
      }
    } else if (outcome.type === "unknown") {
      this.countUnknown(record.line, record.lines, null, record.message);
    } else {
      this.stats.malformed += record.lines;
      this.sink.malformed({
        file: this.file,
        line: record.line,
        family: outcome.family,
        code: outcome.code,
        message: outcome.message,
        text: record.message,
      });
    }
    // Blank lines after a record that nothing continued are lines of their own.
    for (let i = 0; i < record.heldBlanks; i++) this.countUnknown(record.line + record.lines + i, 1, "(blank)", "");
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
    for (const { record, body } of held) this.emitEvent(record, body);
  }

  private emitEvent(record: PendingRecord, body: EventBody): void {
    const stamp = record.prefix.stamp;
    const instant = stamp === null ? null : this.clock.instantOf(stamp);
    this.sink.event({
      file: this.file,
      line: record.line,
      time: instant?.time ?? null,
      utcKnown: instant?.utcKnown ?? false,
      host: record.prefix.host ?? this.defaultHost,
      level: record.prefix.level,
      ...body,
    } as LogEvent);
  }

  private countUnknown(line: number, lines: number, family: string | null, text: string): void {
    this.stats.unknown += lines;
    this.sink.unknown?.({ file: this.file, line, family: family ?? familyOf(text), text });
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
