// The filters every command that rebuilds attempts shares: --domain, --since, --until.
// A relative bound (24h) counts back from the end of the log read, not from the clock: a log is
// usually read after the fact, and the same log must give the same answer tomorrow.
import { DateTime } from "luxon";
import type { Argv } from "yargs";
import type { Attempt, DnsLookup } from "../correlate/types.js";
import { globMatcher } from "../report/aggregate.js";
import { usageProblem } from "./problems.js";

export interface FilterArgs {
  since?: string | undefined;
  until?: string | undefined;
  domain: string[];
}

export function withFilterOptions<T>(yargs: Argv<T>): Argv<T & FilterArgs> {
  return yargs
    .option("since", {
      type: "string",
      describe: "only attempts from this time: ISO 8601 (2024-03-11T08:00Z; UTC unless it names a zone), or 30m, 24h, 7d before the end of the log read",
    })
    .option("until", { type: "string", describe: "only attempts before this time (same forms as --since)" })
    .option("domain", { type: "string", array: true, default: [] as string[], describe: "only attempts to these recipient domains (repeatable; * and ? globs, case-insensitive)" }) as unknown as Argv<T & FilterArgs>;
}

/** A time bound: absolute (ms since the epoch) or an interval before the end of the log read. */
export type TimeBound = { absoluteMs: number } | { beforeEndMs: number };

/** ISO 8601 (UTC unless it names a zone), or 30s, 30m, 24h, 7d, 2w before the end of the log. Null when unreadable. */
export function parseTimeBound(text: string): TimeBound | null {
  const relative = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/.exec(text.trim());
  if (relative) {
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 }[relative[2] as "s" | "m" | "h" | "d" | "w"];
    return { beforeEndMs: Number(relative[1]) * unit };
  }
  const iso = DateTime.fromISO(text.trim().replace(" ", "T"), { zone: "utc" });
  return iso.isValid ? { absoluteMs: iso.toMillis() } : null;
}

function bound(option: string, text: string | undefined): TimeBound | null {
  if (text === undefined) return null;
  const parsed = parseTimeBound(text);
  if (parsed === null) throw usageProblem(`--${option}: cannot read '${text}' (ISO 8601 such as 2024-03-11T08:00Z, or 30m, 24h, 7d before the end of the log)`);
  return parsed;
}

/** One kind of item the filters apply to: its time and the recipient domain it concerns. */
interface Channel<T> {
  timeOf: (item: T) => number | null;
  domainOf: (item: T) => string | null;
  pass: (item: T) => void;
  waiting: T[];
}

/**
 * Passes on the attempts (and the DNS lookups, for the Bogus verdict) the filters keep. With
 * absolute bounds (or none) it streams; a relative bound needs the end of the log, so the items
 * wait until finish() (with --since only those that can still fall inside the window: memory
 * stays bounded by the window). Attempts and lookups share one end of the log.
 */
export class AttemptFilter {
  private readonly since: TimeBound | null;
  private readonly until: TimeBound | null;
  private readonly domain: ((name: string | null) => boolean) | null;
  private readonly domains: string[];
  private readonly attempts: Channel<Attempt>;
  private readonly lookups: Channel<DnsLookup>;
  private lastMs = -Infinity;

  constructor(args: FilterArgs, passAttempt: (attempt: Attempt) => void, passLookup: (lookup: DnsLookup) => void = () => {}) {
    this.since = bound("since", args.since);
    this.until = bound("until", args.until);
    if (this.since !== null && this.until !== null && "absoluteMs" in this.since && "absoluteMs" in this.until && this.since.absoluteMs >= this.until.absoluteMs) {
      throw usageProblem("--since must be before --until");
    }
    this.domain = globMatcher(args.domain);
    this.domains = args.domain;
    this.attempts = { timeOf: (a) => a.startMs, domainOf: (a) => a.record.domain, pass: passAttempt, waiting: [] };
    this.lookups = { timeOf: (l) => l.startMs, domainOf: (l) => l.domain ?? l.name, pass: passLookup, waiting: [] };
  }

  /** The filters as a saved report repeats them. */
  get description(): { since: string | null; until: string | null; domains: string[] } {
    return { since: describe(this.since, this.lastMs), until: describe(this.until, this.lastMs), domains: this.domains };
  }

  /** The time bounds in ms, once the end of the log is known (null: open). */
  get boundsMs(): { sinceMs: number | null; untilMs: number | null } {
    return { sinceMs: msOf(this.since, this.lastMs), untilMs: msOf(this.until, this.lastMs) };
  }

  /** A bound counts back from the end of the log: the items wait until finish(). */
  get relative(): boolean {
    return (this.since !== null && "beforeEndMs" in this.since) || (this.until !== null && "beforeEndMs" in this.until);
  }

  readonly add = (attempt: Attempt): void => {
    const time = attempt.endMs ?? attempt.startMs;
    if (time !== null && time > this.lastMs) this.lastMs = time;
    this.offer(this.attempts, attempt);
  };

  readonly addLookup = (lookup: DnsLookup): void => {
    const time = lookup.endMs ?? lookup.startMs;
    if (time !== null && time > this.lastMs) this.lastMs = time;
    this.offer(this.lookups, lookup);
  };

  /** Passes on the items that waited for the end of the log. */
  finish(): void {
    for (const channel of [this.lookups, this.attempts] as Channel<unknown>[]) {
      for (const item of channel.waiting) if (this.inside(channel.timeOf(item), this.lastMs)) channel.pass(item);
      channel.waiting.length = 0;
    }
  }

  private offer<T>(channel: Channel<T>, item: T): void {
    if (this.domain !== null && !this.domain(channel.domainOf(item))) return;
    if (!this.relative) {
      if (this.inside(channel.timeOf(item), this.lastMs)) channel.pass(item);
      return;
    }
    channel.waiting.push(item);
    // Only --since relative: what fell out of the window behind the newest time cannot come back.
    if (this.until === null && this.since !== null && "beforeEndMs" in this.since && channel.waiting.length > 4096) {
      const from = this.lastMs - this.since.beforeEndMs;
      const kept = channel.waiting.filter((item) => {
        const time = channel.timeOf(item);
        return time !== null && time >= from;
      });
      channel.waiting.length = 0;
      channel.waiting.push(...kept);
    }
  }

  private inside(time: number | null, endMs: number): boolean {
    const since = msOf(this.since, endMs);
    const until = msOf(this.until, endMs);
    if (since !== null && (time === null || time < since)) return false;
    if (until !== null && (time === null || time >= until)) return false;
    return true;
  }
}

function msOf(bound: TimeBound | null, endMs: number): number | null {
  if (bound === null) return null;
  return "absoluteMs" in bound ? bound.absoluteMs : endMs - bound.beforeEndMs;
}

function describe(bound: TimeBound | null, endMs: number): string | null {
  const ms = msOf(bound, endMs);
  return ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}
