// The prefix of a log line: when, which appliance, which level. Read by hand, not by the grammar:
// every line pays for it, and one anchored regular expression plus a short word scan is the
// cheapest honest way to accept all the forms ESA logs come in:
//
//   file on the appliance   `Mon Feb  4 20:08:47 2019 Debug: ...` (day padded with one or two spaces)
//   syslog push             `<22>Mar 12 09:15:01 esa1.example.com mail_logs_d: Info: ...`
//                           (PRI optional, hostname optional, any tag, no year; some relays add one)
//   RFC 3339 syslog         `2024-03-12T09:15:01+01:00 esa1.example.com mail_logs_d: Info: ...`
//                           (rsyslog's file format; also RFC 5424's `<22>1 2024-03-12T...`)
//   bare                    `Info: ...` (log excerpts with the timestamp cut off)
//
// A timestamp followed by something other than a level (`... 2019 CEF:0|...`) still counts as a
// prefix, with level null.
import type { Level } from "../events/types.js";

export interface LinePrefix {
  /** Local wall-clock fields as logged; null for the bare form. */
  stamp: {
    year: number | null;
    month: number;
    day: number;
    hour: number;
    minute: number;
    second: number;
    /** Minutes east of UTC when the timestamp says (RFC 3339), else absent. */
    utcOffsetMinutes?: number;
  } | null;
  host: string | null;
  tag: string | null;
  level: Level | null;
  /** Offset in the line where the message starts. */
  messageStart: number;
}

export type PrefixResult = LinePrefix | { invalid: string } | null;

const MONTHS: Record<string, number> = {
  Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12,
};
const LEVELS = new Set<string>(["Info", "Warning", "Critical", "Debug", "Trace"]);

// <PRI>? weekday? month day HH:MM:SS year? -- then host/tag/level words are scanned by hand.
const RFC3339 = /^(?:<\d{1,3}>)?(?:1 )?(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(Z|[+-]\d\d:?\d\d)?(?= |$)/;

// The day's padding may be a no-break space in copies from web pages (a seed of the tech note has one).
const TIMESTAMP = /^(?:<\d{1,3}>)?(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) +)?([A-Z][a-z]{2})[ \u00a0]+(\d{1,2}) (\d{1,2}):(\d{2}):(\d{2})(?: (\d{4}))?(?= |$)/;

function daysInMonth(year: number | null, month: number): number {
  if (month === 2) {
    if (year === null) return 29;
    return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function levelAt(line: string, start: number): { level: Level; next: number } | null {
  const colon = line.indexOf(":", start);
  if (colon < 0 || colon - start > 8) return null;
  const word = line.slice(start, colon);
  if (!LEVELS.has(word)) return null;
  const after = colon + 1;
  if (after < line.length && line.charCodeAt(after) !== 32) return null;
  return { level: word as Level, next: skipSpaces(line, after) };
}

function skipSpaces(line: string, at: number): number {
  while (at < line.length && line.charCodeAt(at) === 32) at++;
  return at;
}

/** Three characters as one number, to look words up without cutting them out of the line. */
function key3(text: string, at = 0): number {
  return (text.charCodeAt(at) << 16) | (text.charCodeAt(at + 1) << 8) | text.charCodeAt(at + 2);
}

const WEEKDAY_KEYS = new Set(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map((day) => key3(day)));
const MONTH_BY_KEY = new Map(Object.entries(MONTHS).map(([name, month]) => [key3(name), month]));
/** The levels by their first letter (each starts with another one). */
const LEVEL_BY_FIRST = new Map<number, Level>([...LEVELS].map((level) => [level.charCodeAt(0), level as Level]));

/** The digit at `at` as a number, or -1. */
function digitAt(line: string, at: number): number {
  const d = line.charCodeAt(at) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

/** Two digits at `at` as a number, or a negative number. */
function twoDigits(line: string, at: number): number {
  const tens = digitAt(line, at);
  const ones = digitAt(line, at + 1);
  return tens < 0 || ones < 0 ? -1 : tens * 10 + ones;
}

/**
 * The prefix of a line in the form the appliance writes its files, `Mon Feb  4 20:08:47 2019
 * Debug: `, read at fixed positions; null for anything else (other forms, impossible dates, any
 * doubt), which readPrefix then reads the general way. Most lines of most inputs have this form:
 * about a quarter less time for prefix and split than the general reader alone.
 */
function readFilePrefix(line: string): LinePrefix | null {
  if (line.length < 30) return null;
  if (
    line.charCodeAt(3) !== 32 || line.charCodeAt(7) !== 32 || line.charCodeAt(10) !== 32 || line.charCodeAt(13) !== 58 ||
    line.charCodeAt(16) !== 58 || line.charCodeAt(19) !== 32 || line.charCodeAt(24) !== 32
  ) {
    return null;
  }
  const month = MONTH_BY_KEY.get(key3(line, 4));
  if (month === undefined || !WEEKDAY_KEYS.has(key3(line, 0))) return null;
  const day = line.charCodeAt(8) === 32 ? digitAt(line, 9) : twoDigits(line, 8);
  const hour = twoDigits(line, 11);
  const minute = twoDigits(line, 14);
  const second = twoDigits(line, 17);
  const century = twoDigits(line, 20);
  const yy = twoDigits(line, 22);
  if (century < 0 || yy < 0) return null;
  const year = century * 100 + yy;
  if (day < 1 || day > daysInMonth(year, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return null;
  const level = LEVEL_BY_FIRST.get(line.charCodeAt(25));
  if (level === undefined || !line.startsWith(level, 25)) return null;
  const colon = 25 + level.length;
  if (line.charCodeAt(colon) !== 58) return null;
  if (colon + 1 < line.length && line.charCodeAt(colon + 1) !== 32) return null;
  return { stamp: { year, month, day, hour, minute, second }, host: null, tag: null, level, messageStart: skipSpaces(line, colon + 1) };
}

/**
 * Reads the prefix of one line. Returns null when the line has none (a wrapped continuation, a
 * comment, or text that is not a log line), `{ invalid }` when it starts like a timestamp that
 * cannot exist (Feb 30, 25:00).
 */
export function readPrefix(line: string): PrefixResult {
  return readFilePrefix(line) ?? readPrefixGeneral(line);
}

/** readPrefix without the fast path for the file form: every form, the slower way. */
export function readPrefixGeneral(line: string): PrefixResult {
  const first = line.charCodeAt(0);
  // Fast rejection: a prefix starts with '<', an upper-case letter (weekday, month or level) or a digit (RFC 3339).
  if (!(first === 60 || (first >= 65 && first <= 90) || (first >= 48 && first <= 57))) return null;
  let ts: RegExpExecArray | null = null;
  let stamp: NonNullable<LinePrefix["stamp"]>;
  const iso = first === 60 || (first >= 48 && first <= 57) ? RFC3339.exec(line) : null;
  if (iso !== null) {
    ts = iso;
    stamp = { year: Number(iso[1]), month: Number(iso[2]), day: Number(iso[3]), hour: Number(iso[4]), minute: Number(iso[5]), second: Number(iso[6]) };
    const zone = iso[7];
    if (zone !== undefined) {
      const sign = zone.startsWith("-") ? -1 : 1;
      stamp.utcOffsetMinutes = zone === "Z" ? 0 : sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
    }
  } else {
    ts = TIMESTAMP.exec(line);
    if (ts === null) {
      const bare = levelAt(line, 0);
      if (bare === null) return null;
      return { stamp: null, host: null, tag: null, level: bare.level, messageStart: bare.next };
    }
    const month = MONTHS[ts[1]!];
    if (month === undefined) return null;
    stamp = { year: ts[6] === undefined ? null : Number(ts[6]), month, day: Number(ts[2]), hour: Number(ts[3]), minute: Number(ts[4]), second: Number(ts[5]) };
  }
  const { year, month, day, hour, minute, second } = stamp;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) {
    return { invalid: `impossible date or time '${ts[0]}'` };
  }
  // Up to two words before the level: an optional host, then a tag ending in ':'.
  let at = skipSpaces(line, ts[0].length);
  let host: string | null = null;
  let tag: string | null = null;
  for (let word = 0; word < 3; word++) {
    const level = levelAt(line, at);
    if (level !== null) return { stamp, host, tag, level: level.level, messageStart: level.next };
    if (tag !== null) break;
    let end = line.indexOf(" ", at);
    if (end < 0) end = line.length;
    const token = line.slice(at, end);
    if (token.length > 1 && token.endsWith(":") && !token.includes("|")) tag = token.slice(0, -1);
    else if (host === null && word === 0 && token.length > 0 && !token.includes(":")) host = token;
    else break;
    at = skipSpaces(line, end);
  }
  // No level. After a syslog tag the rest is the message (`consolidated_event: CEF:0|...`);
  // without a tag the word we took for a host may be the message itself (`2019 CEF:0|...`).
  if (tag !== null) return { stamp, host, tag, level: null, messageStart: at };
  return { stamp, host: null, tag: null, level: null, messageStart: skipSpaces(line, ts[0].length) };
}
