// Bogus-spike detection over time buckets of log time (never the wall clock: the same log gives
// the same alerts). Per bucket: Bogus lookups and distinct Bogus domains; a baseline (EWMA of
// earlier buckets); a rule with a minimum-count guard, held for `hold` buckets before an alert
// fires and cleared the same way. Each alert is attributed (attribution.ts): resolver-wide or
// domain-specific, with the numbers behind the verdict.
import type { DnsLookup } from "../correlate/types.js";
import { attribute, emptyTally, mergeTally, type Attribution, type Tally } from "./attribution.js";

export type Level = "OK" | "WARNING" | "CRITICAL";

export interface DetectorOptions {
  bucketMs: number;
  minCount: number;
  warning: number;
  critical: number;
  factor: number;
  alpha: number;
  hold: number;
}

export const DEFAULT_DETECTOR: DetectorOptions = { bucketMs: 300_000, minCount: 3, warning: 5, critical: 20, factor: 4, alpha: 0.3, hold: 2 };

export interface Bucket extends Tally {
  startMs: number;
  /** The baseline the bucket was judged against (built from earlier buckets only). */
  baseline: number;
  level: Level;
}

/** One row of the time line (--verbose): a bucket, or a run of quiet buckets skipped over. */
export interface TimelineRow {
  startMs: number;
  bogus: number;
  domains: number;
  baseline: number;
  level: Level;
  /** Quiet buckets this row stands for (a long silence is not walked bucket by bucket). */
  quiet: number;
  /** Judged before it was complete (the end of a --state or --follow run): it may still grow. */
  provisional: boolean;
}

export type AlertKind = "resolver-wide" | "domain-specific";

export interface AlertEvent extends Attribution {
  event: "fire" | "escalate" | "clear";
  /** The alert's level; OK for a clear. */
  level: Level;
  /** Start of the bucket where the alert fired, escalated or cleared. */
  atMs: number;
  /** Start of the first bucket of the alert. */
  sinceMs: number;
  /** That bucket's own numbers, and the baseline it was judged against. */
  bucket: { bogus: number; domains: number };
  baseline: number;
  /** Judged on a bucket not yet complete (see judgeOpenBucket). */
  provisional: boolean;
}

interface Episode {
  level: Level;
  sinceMs: number;
  /** The bucket before the first one of the episode: failures there coincide with the burst too. */
  before: Tally | null;
  /** Everything of the episode's buckets, merged (bounded by distinct domains and resolvers, not by duration). */
  window: Tally;
}

/** What survives between runs (--state): the open bucket, the baseline, the alert in progress. */
export interface DetectorState {
  current: Bucket | null;
  baseline: number;
  above: number;
  below: number;
  /** Buckets above the rule being held before they fire. */
  pending: Episode | null;
  active: Episode | null;
  /** The last closed bucket. */
  previous: Bucket | null;
  /** Events already reported from a provisional judgement, not to be reported twice. */
  announced: { event: AlertEvent["event"]; sinceMs: number; level: Level }[];
}

export function initialDetectorState(): DetectorState {
  return { current: null, baseline: 0, above: 0, below: 0, pending: null, active: null, previous: null, announced: [] };
}

const RANK: Record<Level, number> = { OK: 0, WARNING: 1, CRITICAL: 2 };

export function worse(a: Level, b: Level): Level {
  return RANK[b] > RANK[a] ? b : a;
}

/** Answers of one name and type seen lately, to tell when resolvers disagree about it. */
interface RecentAnswers {
  /** Resolvers that validated it (Secure or Insecure). */
  validBy: Set<string>;
  /** Bogus answers per resolver not yet found contradicted. */
  bogusBy: Map<string, number>;
}

/** Bounds the recent-answers maps: past this many names a bucket's new names are not remembered. */
const MAX_RECENT = 50_000;

export class BogusDetector {
  private state: DetectorState;
  /** The closed buckets of this run, for --verbose and the performance data. */
  readonly timeline: TimelineRow[] = [];
  /** The events of this run, in order. */
  readonly events: AlertEvent[] = [];
  /** The worst level that fired or was active in this run. */
  worst: Level = "OK";
  /** The latest bucket that was closed for good (not provisionally). */
  lastClosed: Bucket | null = null;
  // Answers of this bucket and the one before, by name|type. Not kept in the state: a run that
  // starts afresh only misses disagreements that straddle two runs.
  private recent = new Map<string, RecentAnswers>();
  private older = new Map<string, RecentAnswers>();
  /** True while the open bucket is judged before it is complete. */
  private provisional = false;
  /** The alert as the provisional judgement of the open bucket left it (the state keeps it unjudged); undefined when not judged. */
  private judged: Episode | null | undefined = undefined;

  constructor(
    readonly options: DetectorOptions,
    state?: DetectorState,
    private readonly onEvent?: (event: AlertEvent) => void,
  ) {
    this.state = state ?? initialDetectorState();
    if (this.state.active !== null) this.worst = this.state.active.level;
  }

  snapshot(): DetectorState {
    return structuredClone(this.state);
  }

  /** The baseline the next bucket will be judged against (carried over by --state). */
  get baselineNow(): number {
    return this.state.baseline;
  }

  /** The level of the alert active at the end of the data, counting a provisional judgement of the open bucket. */
  get levelNow(): Level {
    return this.activeEpisode()?.level ?? "OK";
  }

  /** The alert active at the end of the data, attributed over all its buckets so far; null if none. */
  activeAlert(): (Attribution & { level: Level; sinceMs: number }) | null {
    const episode = this.activeEpisode();
    return episode === null ? null : { ...attribute(episode.window, episode.before), level: episode.level, sinceMs: episode.sinceMs };
  }

  private activeEpisode(): Episode | null {
    return this.judged === undefined ? this.state.active : this.judged;
  }

  add(lookup: DnsLookup): void {
    if (lookup.startMs === null) return;
    const bucket = this.bucketFor(lookup.startMs);
    for (const failure of lookup.failures) bump(bucket.failuresByResolver, failure.resolver);
    const status = lookup.status;
    const resolver = lookup.answeredBy;
    const answered = resolver !== null && (status === "secure" || status === "insecure" || status === "bogus");
    if (answered && lookup.fallback && lookup.failures.length > 0) bump(bucket.fallbacksTo, resolver);
    if (answered) this.noteDisagreement(bucket, `${lookup.name}|${lookup.qtype}`, resolver, status);
    if (status === "secure" && resolver !== null) bump(bucket.secureByResolver, resolver);
    if (status === "insecure" && resolver !== null) bump(bucket.insecureByResolver, resolver);
    if (status !== "bogus") return;
    bucket.bogus++;
    if (lookup.fallback && lookup.failures.length > 0) bucket.bogusAfterFallback++;
    const records = (bucket.domains[lookup.domain ?? lookup.name] ??= {});
    records[lookup.qtype] = (records[lookup.qtype] ?? 0) + 1;
    if (resolver !== null) bump(bucket.bogusByResolver, resolver);
  }

  /** Closes the open bucket (the end of the data): its count is judged like any other. */
  flush(): void {
    if (this.state.current !== null) this.close(this.state.current);
    this.state.current = null;
  }

  /**
   * The end of a run that will go on (--state, --follow): the open bucket is incomplete. Its
   * count can only grow, so it can already prove a rise (an alert that fires or escalates now is
   * reported now, once) but never a fall: below the rule it stays open and unjudged. The state
   * keeps the bucket open; the next run completes it without reporting the same event again.
   */
  judgeOpenBucket(): void {
    const open = this.state.current;
    if (open === null) return;
    open.baseline = this.state.baseline;
    if (this.levelOf(open) === "OK") {
      this.timeline.push({ startMs: open.startMs, bogus: open.bogus, domains: Object.keys(open.domains).length, baseline: open.baseline, level: "OK", quiet: 0, provisional: true });
      return;
    }
    const kept = structuredClone(this.state);
    this.provisional = true;
    try {
      this.close(open);
    } finally {
      this.provisional = false;
    }
    const announced = this.state.announced;
    this.judged = this.state.active;
    this.state = kept;
    this.state.announced = announced;
  }

  private bucketFor(timeMs: number): Bucket {
    const size = this.options.bucketMs;
    const start = Math.floor(timeMs / size) * size;
    let current = this.state.current;
    if (current === null) {
      current = newBucket(start, this.state.baseline);
      this.state.current = current;
      return current;
    }
    // Late lines (timestamps are not strictly ordered) count in the open bucket.
    if (start <= current.startMs) return current;
    this.close(current);
    this.rotateRecent();
    // Time runs on through buckets without lines: they count as zero.
    let next = current.startMs + size;
    let walked = 0;
    const walk = 2 * this.options.hold + 2;
    while (next < start && walked < walk) {
      this.close(newBucket(next, this.state.baseline));
      next += size;
      walked++;
    }
    if (next < start) {
      // A long silence: past a few quiet buckets (enough to clear any alert) nothing can happen
      // but the baseline decaying, so it decays in one step.
      const skipped = (start - next) / size;
      this.timeline.push({ startMs: next, bogus: 0, domains: 0, baseline: this.state.baseline, level: "OK", quiet: skipped, provisional: false });
      this.state.baseline *= Math.pow(1 - this.options.alpha, skipped);
      this.state.above = 0;
      this.state.below += skipped;
      this.rotateRecent();
      this.rotateRecent();
    }
    current = newBucket(start, this.state.baseline);
    this.state.current = current;
    return current;
  }

  private rotateRecent(): void {
    this.older = this.recent;
    this.recent = new Map();
  }

  /** Counts Bogus answers that another resolver contradicts (same name and type, this bucket or the one before). */
  private noteDisagreement(bucket: Bucket, key: string, resolver: string, status: "secure" | "insecure" | "bogus"): void {
    const recent = this.recent.get(key);
    const older = this.older.get(key);
    if (status === "bogus") {
      const contradicted = [recent, older].some((seen) => seen !== undefined && [...seen.validBy].some((r) => r !== resolver));
      if (contradicted) {
        bump(bucket.contradictedByResolver, resolver);
        return;
      }
      const entry = recent ?? this.remember(key);
      entry?.bogusBy.set(resolver, (entry.bogusBy.get(resolver) ?? 0) + 1);
      return;
    }
    for (const seen of [recent, older]) {
      if (seen === undefined) continue;
      for (const [other, n] of seen.bogusBy) {
        if (other === resolver || n === 0) continue;
        bump(bucket.contradictedByResolver, other, n);
        seen.bogusBy.set(other, 0);
      }
    }
    (recent ?? this.remember(key))?.validBy.add(resolver);
  }

  private remember(key: string): RecentAnswers | undefined {
    if (this.recent.size >= MAX_RECENT) return undefined;
    const entry: RecentAnswers = { validBy: new Set(), bogusBy: new Map() };
    this.recent.set(key, entry);
    return entry;
  }

  private levelOf(bucket: Bucket): Level {
    const o = this.options;
    if (bucket.bogus < o.minCount) return "OK";
    if (bucket.bogus >= o.critical) return "CRITICAL";
    if (bucket.bogus >= o.warning || bucket.bogus > o.factor * bucket.baseline) return "WARNING";
    return "OK";
  }

  private close(bucket: Bucket): void {
    const s = this.state;
    bucket.baseline = s.baseline;
    bucket.level = this.levelOf(bucket);
    this.timeline.push({ startMs: bucket.startMs, bogus: bucket.bogus, domains: Object.keys(bucket.domains).length, baseline: bucket.baseline, level: bucket.level, quiet: 0, provisional: this.provisional });
    if (bucket.level !== "OK") {
      s.above++;
      s.below = 0;
      if (s.active === null) {
        if (s.pending === null) s.pending = { level: bucket.level, sinceMs: bucket.startMs, before: s.previous, window: emptyTally() };
        s.pending.level = worse(s.pending.level, bucket.level);
        mergeTally(s.pending.window, bucket);
        if (s.above >= this.options.hold) {
          s.active = s.pending;
          s.pending = null;
          this.emit("fire", bucket);
        }
      } else {
        mergeTally(s.active.window, bucket);
        if (RANK[bucket.level] > RANK[s.active.level]) {
          s.active.level = bucket.level;
          this.emit("escalate", bucket);
        }
      }
    } else {
      s.below++;
      s.above = 0;
      s.pending = null;
      if (s.active !== null && s.below >= this.options.hold) {
        this.emit("clear", bucket);
        s.active = null;
        s.announced = [];
      }
    }
    if (s.active !== null) this.worst = worse(this.worst, s.active.level);
    s.baseline = this.options.alpha * bucket.bogus + (1 - this.options.alpha) * s.baseline;
    s.previous = bucket;
    if (!this.provisional) this.lastClosed = bucket;
  }

  private emit(kind: AlertEvent["event"], bucket: Bucket): void {
    const s = this.state;
    const active = s.active!;
    const level = kind === "clear" ? "OK" : active.level;
    let event = kind;
    const announced = s.announced.find((a) => a.sinceMs === active.sinceMs && (a.event === "fire" || a.event === "escalate"));
    if (kind === "fire" || kind === "escalate") {
      const sameAsAnnounced = s.announced.some((a) => a.sinceMs === active.sinceMs && RANK[a.level] >= RANK[level]);
      if (sameAsAnnounced) return;
      // Announced at a lower level by an earlier run: what is news now is the escalation.
      if (kind === "fire" && announced !== undefined) event = "escalate";
      if (this.provisional || announced !== undefined) s.announced.push({ event, sinceMs: active.sinceMs, level });
    }
    const alert: AlertEvent = {
      event,
      level,
      ...attribute(active.window, active.before),
      atMs: bucket.startMs,
      sinceMs: active.sinceMs,
      bucket: { bogus: bucket.bogus, domains: Object.keys(bucket.domains).length },
      baseline: Math.round(bucket.baseline * 100) / 100,
      provisional: this.provisional,
    };
    this.events.push(alert);
    this.onEvent?.(alert);
  }
}

function newBucket(startMs: number, baseline: number): Bucket {
  return { ...emptyTally(), startMs, baseline, level: "OK" };
}

function bump(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}
