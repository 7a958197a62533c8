// Bogus-spike detection over time buckets of log time (never the wall clock: the same log gives
// the same alerts). Each Bogus answer is first sorted by its record's history (ledger.ts):
// chronic records (Bogus since first seen, or for longer than --chronic without validating) are
// a standing condition, listed but never alerted on; the spike is the excess of the others.
// Per bucket that excess is judged against a baseline (an EWMA of earlier quiet buckets, frozen
// while an alert is pending or active) with an absolute floor, and attributed per appliance
// (attribution.ts) on the bucket itself and the one before. A resolver-wide bucket is CRITICAL
// (it blocks mail to every DANE domain) and with --warning or more new Bogus answers fires at
// once; otherwise a condition is held for `hold` buckets before it fires, and cleared the same way.
import { attribute, mergeHosts, type Attribution, type AttributionKind, type HostTallies } from "./attribution.js";
import type { HistoryState } from "./history.js";
import { BogusLedger, DEFAULT_CHRONIC_MS, type BogusVerdict } from "./ledger.js";
import type { DnsLookup } from "../correlate/types.js";

export type Level = "OK" | "WARNING" | "CRITICAL";

export interface DetectorOptions {
  bucketMs: number;
  /** Fewer new Bogus answers than this in a bucket: never above the rule. */
  minCount: number;
  /** New Bogus answers per bucket for WARNING and CRITICAL (absolute floors). */
  warning: number;
  critical: number;
  /** A bucket must also have more than this times the baseline. */
  factor: number;
  alpha: number;
  hold: number;
  /** A record Bogus this long without validating is chronic. */
  chronicMs: number;
}

export const DEFAULT_DETECTOR: DetectorOptions = { bucketMs: 300_000, minCount: 3, warning: 5, critical: 20, factor: 4, alpha: 0.3, hold: 2, chronicMs: DEFAULT_CHRONIC_MS };

export interface Bucket {
  startMs: number;
  /** New Bogus answers (chronic records not counted). */
  bogus: number;
  /** Bogus answers of chronic records. */
  chronic: number;
  /** The new Bogus answers and every lookup's context, per appliance. */
  hosts: HostTallies;
  /** The baseline the bucket was judged against (built from earlier buckets only). */
  baseline: number;
  level: Level;
  /** Its own attribution said resolver-wide. */
  resolverWide: boolean;
}

/** One row of the time line (--verbose): a bucket, or a run of quiet buckets skipped over. */
export interface TimelineRow {
  startMs: number;
  bogus: number;
  chronic: number;
  domains: number;
  baseline: number;
  level: Level;
  /** Quiet buckets this row stands for (a long silence is not walked bucket by bucket). */
  quiet: number;
  /** Judged before it was complete (the end of a --state or --follow run): it may still grow. */
  provisional: boolean;
}

export type AlertKind = AttributionKind;

export interface AlertEvent extends Attribution {
  event: "fire" | "escalate" | "clear";
  /** The alert's level; OK for a clear. */
  level: Level;
  /** Start of the bucket where the alert fired, escalated or cleared. */
  atMs: number;
  /** Start of the first bucket of the alert. */
  sinceMs: number;
  /** That bucket's own numbers, and the baseline it was judged against. */
  bucket: { bogus: number; chronic: number; domains: number };
  baseline: number;
  /** Judged on a bucket not yet complete (see judgeOpenBucket). */
  provisional: boolean;
}

/** An alert as a whole (the plugin's lines): its worst level, kind and cause, and its window. */
export interface EpisodeReport extends Attribution {
  level: Level;
  sinceMs: number;
  /** End of its last bucket above the rule, once cleared; null while active. */
  untilMs: number | null;
  provisional: boolean;
}

interface Episode {
  level: Level;
  kind: AlertKind;
  sinceMs: number;
  /** End of the latest bucket above the rule. */
  lastAboveMs: number;
  /** The bucket before the first one of the episode: failures there coincide with the burst too. */
  before: HostTallies | null;
  /** Everything of the episode's buckets above the rule, merged (bounded by distinct domains and resolvers, not by duration). */
  window: HostTallies;
}

/** What survives between runs (--state): the open bucket, the baseline, the alert in progress, the records' history. */
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
  history: HistoryState;
}

export function initialDetectorState(): DetectorState {
  return { current: null, baseline: 0, above: 0, below: 0, pending: null, active: null, previous: null, announced: [], history: { records: {}, secure: {} } };
}

const RANK: Record<Level, number> = { OK: 0, WARNING: 1, CRITICAL: 2 };

export function worse(a: Level, b: Level): Level {
  return RANK[b] > RANK[a] ? b : a;
}

/** Orders episodes worst first: level, then resolver-wide before domain-specific, then the latest. */
export function compareEpisodes(a: EpisodeReport, b: EpisodeReport): number {
  return RANK[b.level] - RANK[a.level] || (a.kind === b.kind ? 0 : a.kind === "resolver-wide" ? -1 : 1) || b.sinceMs - a.sinceMs;
}

function domainCount(hosts: HostTallies): number {
  return new Set(Object.values(hosts).flatMap((t) => Object.keys(t.domains))).size;
}

export class BogusDetector {
  private state: DetectorState;
  /** Sorts and tallies each lookup; its history is part of the state. */
  readonly ledger: BogusLedger;
  /** The closed buckets of this run, for --verbose and the performance data. */
  readonly timeline: TimelineRow[] = [];
  /** The events of this run, in order. */
  readonly events: AlertEvent[] = [];
  /** The episodes active or cleared in this run, by start. */
  private readonly episodeReports = new Map<number, EpisodeReport>();
  /** This run's buckets that no alert took in (isolated Bogus answers, with their context). */
  private readonly outside: HostTallies = {};
  /** The worst level that fired or was active in this run. */
  worst: Level = "OK";
  /** The latest bucket that was closed for good (not provisionally). */
  lastClosed: Bucket | null = null;
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
    this.ledger = new BogusLedger(options.chronicMs, this.state.history);
    // The ledger holds the history from here on (snapshot() puts it back): no second copy.
    this.state.history = { records: {}, secure: {} };
    const active = this.state.active;
    if (active !== null) {
      this.worst = active.level;
      this.report(active, null, false);
    }
  }

  snapshot(): DetectorState {
    return structuredClone({ ...this.state, history: this.ledger.history.snapshot() });
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
    return episode === null ? null : { ...this.attribute(episode), level: episode.level, sinceMs: episode.sinceMs };
  }

  /** The episodes active or cleared in the lines this run read, worst first. */
  episodes(): EpisodeReport[] {
    return [...this.episodeReports.values()].sort(compareEpisodes);
  }

  /**
   * The run's Bogus answers as `report` tells them: the episodes (as `alert` reports them), the
   * new Bogus answers outside any episode, and the standing condition.
   */
  verdict(): BogusVerdict {
    const { standing, chronic } = this.ledger.verdict();
    const outside: HostTallies = structuredClone(this.outside);
    // Held at the end of the data, never fired: isolated answers too.
    if (this.state.pending !== null) mergeHosts(outside, this.state.pending.window);
    const isolated = attribute(outside, null, this.ledger.history.secureEver);
    return { episodes: this.episodes(), isolated: isolated.bogus > 0 ? isolated : null, standing, chronic };
  }

  private activeEpisode(): Episode | null {
    return this.judged === undefined ? this.state.active : this.judged;
  }

  private attribute(episode: Episode): Attribution {
    return attribute(episode.window, episode.before, this.ledger.history.secureEver);
  }

  add(lookup: DnsLookup): void {
    if (lookup.startMs === null) return;
    const bucket = this.bucketFor(lookup.startMs);
    const s = this.state;
    // While a resolver outage goes on, its Bogus records do not turn chronic by lasting.
    const freeze = s.active?.kind === "resolver-wide" || s.pending?.kind === "resolver-wide";
    const facts = this.ledger.add(lookup, freeze, bucket.hosts);
    if (facts.bogusClass === "chronic") bucket.chronic++;
    else if (facts.bogusClass === "new") bucket.bogus++;
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
    if (this.judge(open).level === "OK") {
      this.timeline.push({ startMs: open.startMs, bogus: open.bogus, chronic: open.chronic, domains: domainCount(open.hosts), baseline: open.baseline, level: "OK", quiet: 0, provisional: true });
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
      this.timeline.push({ startMs: next, bogus: 0, chronic: 0, domains: 0, baseline: this.state.baseline, level: "OK", quiet: skipped, provisional: false });
      if (this.state.pending === null && this.state.active === null) this.state.baseline *= Math.pow(1 - this.options.alpha, skipped);
      this.state.above = 0;
      this.state.below += skipped;
      this.state.previous = null;
    }
    current = newBucket(start, this.state.baseline);
    this.state.current = current;
    return current;
  }

  /** The bucket's level: new Bogus answers above the floor and above factor x baseline; resolver-wide is CRITICAL. */
  private judge(bucket: Bucket): { level: Level; resolverWide: boolean } {
    const o = this.options;
    if (bucket.bogus < o.minCount || bucket.bogus <= o.factor * bucket.baseline) return { level: "OK", resolverWide: false };
    const attribution = attribute(bucket.hosts, this.state.previous?.hosts ?? null, this.ledger.history.secureEver);
    if (attribution.kind === "resolver-wide") return { level: "CRITICAL", resolverWide: true };
    if (bucket.bogus >= o.critical) return { level: "CRITICAL", resolverWide: false };
    if (bucket.bogus >= o.warning) return { level: "WARNING", resolverWide: false };
    return { level: "OK", resolverWide: false };
  }

  private close(bucket: Bucket): void {
    const s = this.state;
    bucket.baseline = s.baseline;
    const judged = this.judge(bucket);
    bucket.level = judged.level;
    bucket.resolverWide = judged.resolverWide;
    this.timeline.push({ startMs: bucket.startMs, bogus: bucket.bogus, chronic: bucket.chronic, domains: domainCount(bucket.hosts), baseline: bucket.baseline, level: bucket.level, quiet: 0, provisional: this.provisional });
    const endMs = bucket.startMs + this.options.bucketMs;
    const quietBefore = s.pending === null && s.active === null;
    if (bucket.level !== "OK") {
      s.above++;
      s.below = 0;
      if (s.active === null) {
        if (s.pending === null) s.pending = { level: bucket.level, kind: "domain-specific", sinceMs: bucket.startMs, lastAboveMs: endMs, before: s.previous?.hosts ?? null, window: {} };
        s.pending.level = worse(s.pending.level, bucket.level);
        s.pending.lastAboveMs = endMs;
        mergeHosts(s.pending.window, bucket.hosts);
        s.pending.kind = this.attribute(s.pending).kind;
        // A resolver-wide burst of --warning or more does not wait: mail to every DANE domain is
        // blocked now. Smaller ones are held like the rest (a stray fallback or two is noise).
        if (s.above >= this.options.hold || (bucket.resolverWide && bucket.bogus >= this.options.warning)) {
          s.active = s.pending;
          s.active.level = worse(s.active.level, s.active.kind === "resolver-wide" ? "CRITICAL" : "OK");
          s.pending = null;
          this.emit("fire", bucket);
        }
      } else {
        mergeHosts(s.active.window, bucket.hosts);
        s.active.lastAboveMs = endMs;
        s.active.kind = this.attribute(s.active).kind;
        const level = worse(bucket.level, s.active.kind === "resolver-wide" ? "CRITICAL" : "OK");
        if (RANK[level] > RANK[s.active.level]) {
          s.active.level = level;
          this.emit("escalate", bucket);
        } else {
          this.report(s.active, null, this.provisional);
        }
      }
    } else {
      s.below++;
      s.above = 0;
      // Held but never fired: its buckets were isolated answers after all.
      if (s.pending !== null && !this.provisional) mergeHosts(this.outside, s.pending.window);
      if (!this.provisional) mergeHosts(this.outside, bucket.hosts);
      s.pending = null;
      if (s.active !== null && s.below >= this.options.hold) {
        this.emit("clear", bucket);
        s.active = null;
        s.announced = [];
      }
    }
    if (s.active !== null) this.worst = worse(this.worst, s.active.level);
    // The baseline learns from quiet time only: an alert does not raise the bar for itself.
    if (quietBefore && s.pending === null && s.active === null) s.baseline = this.options.alpha * bucket.bogus + (1 - this.options.alpha) * s.baseline;
    s.previous = bucket;
    if (!this.provisional) this.lastClosed = bucket;
  }

  /** Keeps the episode's line up to date (`untilMs` once cleared). */
  private report(episode: Episode, untilMs: number | null, provisional: boolean): void {
    this.episodeReports.set(episode.sinceMs, { ...this.attribute(episode), level: episode.level, sinceMs: episode.sinceMs, untilMs, provisional });
  }

  private emit(kind: AlertEvent["event"], bucket: Bucket): void {
    const s = this.state;
    const active = s.active!;
    this.report(active, kind === "clear" ? active.lastAboveMs : null, this.provisional);
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
      ...this.attribute(active),
      atMs: bucket.startMs,
      sinceMs: active.sinceMs,
      bucket: { bogus: bucket.bogus, chronic: bucket.chronic, domains: domainCount(bucket.hosts) },
      baseline: Math.round(bucket.baseline * 100) / 100,
      provisional: this.provisional,
    };
    this.events.push(alert);
    this.onEvent?.(alert);
  }
}

function newBucket(startMs: number, baseline: number): Bucket {
  return { startMs, bogus: 0, chronic: 0, hosts: {}, baseline, level: "OK", resolverWide: false };
}
