// Turns the wall-clock fields of a line prefix into an instant. ESA files are in appliance
// local time; the `Time offset from UTC: N seconds` header says how far that is from UTC, and
// holds for the lines after it. Without the header `--tz` names the zone; without either the
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
}

export interface Instant {
  time: number;
  utcKnown: boolean;
}

const DAY_MS = 86_400_000;

export class Clock {
  private offsetSeconds: number | null = null;
  private readonly zone: string | null;
  private readonly zoneOffsets = new Map<number, number>();
  private readonly fixedYear: number | null;
  private readonly referenceTime: number;
  private readonly referenceYear: number;

  constructor(options: ClockOptions = {}) {
    this.zone = options.zone ?? null;
    this.fixedYear = options.year ?? null;
    this.referenceTime = options.referenceTime ?? Date.now();
    this.referenceYear = new Date(this.referenceTime).getUTCFullYear();
  }

  /** Validates a zone name up front so a typo is a usage error, not silent local time. */
  static isValidZone(zone: string): boolean {
    return DateTime.local().setZone(zone).isValid;
  }

  setUtcOffset(seconds: number): void {
    this.offsetSeconds = seconds;
  }

  get utcOffset(): number | null {
    return this.offsetSeconds;
  }

  instantOf(stamp: NonNullable<LinePrefix["stamp"]>): Instant {
    const year = stamp.year ?? this.fixedYear ?? this.inferYear(stamp);
    const local = Date.UTC(year, stamp.month - 1, stamp.day, stamp.hour, stamp.minute, stamp.second);
    // A timestamp that names its own offset (RFC 3339) needs no header and no zone.
    if (stamp.utcOffsetMinutes !== undefined) return { time: local - stamp.utcOffsetMinutes * 60_000, utcKnown: true };
    if (this.offsetSeconds !== null) return { time: local - this.offsetSeconds * 1000, utcKnown: true };
    if (this.zone !== null) return { time: local - this.zoneOffsetMs(local), utcKnown: true };
    return { time: local, utcKnown: false };
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

/** ISO 8601: with `Z` when the instant is known in UTC, else the local wall-clock time. */
export function formatInstant(time: number | null, utcKnown: boolean): string | null {
  if (time === null) return null;
  const iso = new Date(time).toISOString();
  return utcKnown ? iso.replace(".000Z", "Z") : iso.slice(0, 19);
}
