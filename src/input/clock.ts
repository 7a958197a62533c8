// Turns the wall-clock fields of a line prefix into an instant. ESA files are in appliance
// local time; the `Time offset from UTC: N seconds` header says how far that is from UTC, and
// holds for the lines after it of the same appliance only: the file form's lines until the next
// `Begin Logfile`, or one syslog host's lines (a stream may mix appliances and files). Without the header `--tz` names the zone; without either the
// time stays local (reported without `Z`). Syslog lines carry no year: `--year` gives it, else
// it is inferred from a reference date (the file's modification time, or now for a stream).
import { DateTime } from "luxon";
import type { LinePrefix } from "./prefix.js";

export interface ClockOptions {
  /** IANA zone name for files without a `Time offset` header. */
  zone?: string | undefined;
  /** Year for prefixes that have none. */
  year?: number | undefined;
  /** Reference instant for year inference (ms since epoch). */
  referenceTime?: number | undefined;
  /** Appliance local time as logged, whatever the headers say (--local: to compare with grep). */
  local?: boolean | undefined;
}

/** Whose clock a line follows: the file form's lines, or one syslog host's (null: syslog without a host). */
export type ClockKey = { fileForm: true } | { fileForm: false; host: string | null };

const FILE_FORM = "\u0000file";

function keyOf(key: ClockKey): string {
  return key.fileForm ? FILE_FORM : (key.host ?? "");
}

export interface Instant {
  time: number;
  utcKnown: boolean;
}

const DAY_MS = 86_400_000;

export class Clock {
  private readonly offsets = new Map<string, number>();
  private readonly local: boolean;
  /** Lines timed with a known offset or zone, and lines left in local time with none. */
  zoned = 0;
  unzoned = 0;
  private readonly zone: string | null;
  private readonly zoneOffsets = new Map<number, number>();
  private readonly fixedYear: number | null;
  private readonly referenceTime: number;
  private readonly referenceYear: number;
  /** The last instant given, for the stamp object and clock it was given for (see instantOf). */
  private lastStamp: NonNullable<LinePrefix["stamp"]> | null = null;
  private lastClock = "";
  private lastInstant: Instant = { time: 0, utcKnown: false };

  constructor(options: ClockOptions = {}) {
    this.zone = options.zone ?? null;
    this.local = options.local === true;
    this.fixedYear = options.year ?? null;
    this.referenceTime = options.referenceTime ?? Date.now();
    this.referenceYear = new Date(this.referenceTime).getUTCFullYear();
  }

  /** Validates a zone name up front so a typo is a usage error, not silent local time. */
  static isValidZone(zone: string): boolean {
    return DateTime.local().setZone(zone).isValid;
  }

  /** A `Time offset from UTC` header: for the lines of its own appliance (the file form's by default). */
  setUtcOffset(seconds: number, key: ClockKey = { fileForm: true }): void {
    this.offsets.set(keyOf(key), seconds);
    this.lastStamp = null;
  }

  /** `Begin Logfile`: another file starts, whose own header will say its offset. */
  clearUtcOffset(key: ClockKey = { fileForm: true }): void {
    this.offsets.delete(keyOf(key));
    this.lastStamp = null;
  }

  /** The file form's offset (what a resumed read of a file carries over). */
  get utcOffset(): number | null {
    return this.offsets.get(FILE_FORM) ?? null;
  }

  instantOf(stamp: NonNullable<LinePrefix["stamp"]>, key: ClockKey = { fileForm: true }): Instant {
    const clockOf = keyOf(key);
    // Lines of one second share one stamp object (record-codec.ts), and nothing changes a stamp
    // once made: the same stamp on the same clock is the same instant, until a header moves it.
    if (stamp === this.lastStamp && clockOf === this.lastClock) {
      this.count(this.lastInstant);
      return this.lastInstant;
    }
    const instant = this.compute(stamp, key);
    this.count(instant);
    this.lastStamp = stamp;
    this.lastClock = clockOf;
    this.lastInstant = instant;
    return instant;
  }

  private count(instant: Instant): void {
    if (this.local) return;
    if (instant.utcKnown) this.zoned++;
    else this.unzoned++;
  }

  private compute(stamp: NonNullable<LinePrefix["stamp"]>, key: ClockKey): Instant {
    const year = stamp.year ?? this.fixedYear ?? this.inferYear(stamp);
    const local = Date.UTC(year, stamp.month - 1, stamp.day, stamp.hour, stamp.minute, stamp.second);
    if (this.local) return { time: local, utcKnown: false };
    return this.known(stamp, local, key) ?? { time: local, utcKnown: false };
  }

  private known(stamp: NonNullable<LinePrefix["stamp"]>, local: number, key: ClockKey): Instant | null {
    // A timestamp that names its own offset (RFC 3339) needs no header and no zone.
    if (stamp.utcOffsetMinutes !== undefined) return { time: local - stamp.utcOffsetMinutes * 60_000, utcKnown: true };
    const offset = this.offsets.get(keyOf(key));
    if (offset !== undefined) return { time: local - offset * 1000, utcKnown: true };
    if (this.zone !== null) return { time: local - this.zoneOffsetMs(local), utcKnown: true };
    return null;
  }

  /** The latest year that does not put the line more than a day after the reference time. */
  private inferYear(stamp: NonNullable<LinePrefix["stamp"]>): number {
    const candidate = Date.UTC(this.referenceYear, stamp.month - 1, stamp.day, stamp.hour, stamp.minute, stamp.second);
    return candidate > this.referenceTime + DAY_MS ? this.referenceYear - 1 : this.referenceYear;
  }

  /** Zone offset for a local time, cached per local hour: luxon is too slow to ask per line. */
  private zoneOffsetMs(local: number): number {
    const hour = Math.floor(local / 3_600_000);
    let offset = this.zoneOffsets.get(hour);
    if (offset === undefined) {
      const d = new Date(local);
      const dt = DateTime.fromObject(
        { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours() },
        { zone: this.zone! },
      );
      offset = dt.offset * 60_000;
      this.zoneOffsets.set(hour, offset);
    }
    return offset;
  }
}

/** The minute formatInstant wrote last (ms), and its text up to the seconds (`2024-03-11T00:18:`). */
let lastMinuteMs = NaN;
let lastMinuteText = "";
/** 10000-01-01T00:00:00Z: from there on toISOString writes a six-digit year with a sign. */
const YEAR_10000_MS = 253_402_300_800_000;

/** ISO 8601: with `Z` when the instant is known in UTC, else the local wall-clock time. */
export function formatInstant(time: number | null, utcKnown: boolean): string | null {
  if (time === null) return null;
  // Log times are whole seconds and come in order: most share the minute written last, which
  // saves a Date and its ISO text per time (`deliveries` writes two per attempt).
  if (time >= 0 && time < YEAR_10000_MS && time % 1000 === 0) {
    const second = (time % 60_000) / 1000;
    const minute = time - second * 1000;
    if (minute !== lastMinuteMs) {
      lastMinuteMs = minute;
      lastMinuteText = new Date(minute).toISOString().slice(0, 17);
    }
    const text = second < 10 ? `${lastMinuteText}0${second}` : `${lastMinuteText}${second}`;
    return utcKnown ? `${text}Z` : text;
  }
  const iso = new Date(time).toISOString();
  return utcKnown ? iso.replace(".000Z", "Z") : iso.slice(0, 19);
}
