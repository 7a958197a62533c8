// Bogus-spike detection over time buckets of log time (never the wall clock: the same log gives
// the same alerts). Per bucket: Bogus lookups and distinct Bogus domains; a baseline (EWMA of
// earlier buckets); a rule with a minimum-count guard, held for `hold` buckets before an alert
// fires and cleared the same way. Each alert is attributed: resolver-wide (many domains, with
// resolver failures/fallbacks or one resolver answering most of the Bogus while others do not)
// or domain-specific (these domains, these record types).
import type { DnsLookup } from "../correlate/types.js";

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

export interface Bucket {
  startMs: number;
  bogus: number;
  /** Bogus lookups by domain, and their record types. */
  domains: Record<string, Record<string, number>>;
  /** Bogus answers by resolver. */
  bogusByResolver: Record<string, number>;
  /** Non-Bogus validated answers by resolver (secure/insecure): resolvers that disagree. */
  otherByResolver: Record<string, number>;
  fallbacks: number;
  failures: number;
  /** Bogus answers that came after a resolver failed the same query. */
  bogusAfterFallback: number;
  baseline: number;
  level: Level;
}

export type AlertKind = "resolver-wide" | "domain-specific";

export interface AlertEvent {
  event: "fire" | "clear" | "escalate";
  level: Level;
  kind: AlertKind;
  /** Start of the bucket where the alert fired or cleared. */
  atMs: number;
  sinceMs: number;
  bogus: number;
  domains: { domain: string; records: Record<string, number> }[];
  resolvers: { resolver: string; bogus: number }[];
  fallbacks: number;
  failures: number;
  baseline: number;
  reason: string;
}

/** What survives between runs (--state): the open bucket, the baseline, the alert in progress. */
export interface DetectorState {
  current: Bucket | null;
  baseline: number;
  above: number;
  below: number;
  active: { level: Level; sinceMs: number; buckets: Bucket[] } | null;
  /** The buckets above the rule while it is being held, before it fires. */
  pending: Bucket[];
  previous: Bucket | null;
}

function emptyBucket(startMs: number, baseline: number): Bucket {
  return { startMs, bogus: 0, domains: {}, bogusByResolver: {}, otherByResolver: {}, fallbacks: 0, failures: 0, bogusAfterFallback: 0, baseline, level: "OK" };
}

const RANK: Record<Level, number> = { OK: 0, WARNING: 1, CRITICAL: 2 };

export class BogusDetector {
  private state: DetectorState;
  /** Every closed bucket, for --verbose (empty ones collapsed by the printer). */
  readonly timeline: Bucket[] = [];
  readonly events: AlertEvent[] = [];
  /** The worst level that fired or was active in this run. */
  worst: Level = "OK";

  constructor(
    readonly options: DetectorOptions,
    state?: DetectorState,
    private readonly onEvent?: (event: AlertEvent) => void,
  ) {
    this.state = state ?? { current: null, baseline: 0, above: 0, below: 0, active: null, pending: [], previous: null };
    this.state.pending ??= [];
    if (this.state.active !== null) this.worst = this.state.active.level;
  }

  snapshot(): DetectorState {
    return structuredClone(this.state);
  }

  add(lookup: DnsLookup): void {
    if (lookup.startMs === null) return;
    const bucket = this.bucketFor(lookup.startMs);
    if (bucket === null) return;
    bucket.fallbacks += lookup.fallback ? 1 : 0;
    bucket.failures += lookup.failures.length;
    if (lookup.status !== "bogus") {
      if ((lookup.status === "secure" || lookup.status === "insecure") && lookup.answeredBy !== null) {
        bucket.otherByResolver[lookup.answeredBy] = (bucket.otherByResolver[lookup.answeredBy] ?? 0) + 1;
      }
      return;
    }
    bucket.bogus++;
    if (lookup.fallback) bucket.bogusAfterFallback++;
    const domain = lookup.domain ?? lookup.name;
    const records = (bucket.domains[domain] ??= {});
    records[lookup.qtype] = (records[lookup.qtype] ?? 0) + 1;
    if (lookup.answeredBy !== null) bucket.bogusByResolver[lookup.answeredBy] = (bucket.bogusByResolver[lookup.answeredBy] ?? 0) + 1;
  }

  /** Closes the open bucket (end of data): its count is judged like any other. */
  flush(): void {
    if (this.state.current !== null) this.close(this.state.current);
    this.state.current = null;
  }

  private bucketFor(timeMs: number): Bucket | null {
    const size = this.options.bucketMs;
    const start = Math.floor(timeMs / size) * size;
    let current = this.state.current;
    if (current === null) {
      current = emptyBucket(start, this.state.baseline);
      this.state.current = current;
      return current;
    }
    // Late lines (timestamps are not strictly ordered) count in the open bucket.
    if (start <= current.startMs) return current;
    this.close(current);
    // Time runs on through buckets without lines: they count as zero.
    let next = current.startMs + size;
    let gaps = 0;
    while (next < start && gaps < 2 * this.options.hold + 2) {
      this.close(emptyBucket(next, this.state.baseline));
      next += size;
      gaps++;
    }
    if (next < start) {
      // A long silence: the baseline decays as it would have, without a bucket for each step.
      this.state.baseline *= Math.pow(1 - this.options.alpha, (start - next) / size);
    }
    current = emptyBucket(start, this.state.baseline);
    this.state.current = current;
    return current;
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
    this.timeline.push(bucket);
    if (bucket.level !== "OK") {
      s.above++;
      s.below = 0;
      if (s.active === null) {
        s.pending.push(bucket);
        if (s.above >= this.options.hold) {
          const level = s.pending.reduce<Level>((worst, b) => (RANK[b.level] > RANK[worst] ? b.level : worst), "OK");
          s.active = { level, sinceMs: s.pending[0]!.startMs, buckets: s.pending };
          s.pending = [];
          this.emit("fire", bucket);
        }
      } else {
        s.active.buckets.push(bucket);
        if (RANK[bucket.level] > RANK[s.active.level]) {
          s.active.level = bucket.level;
          this.emit("escalate", bucket);
        }
      }
    } else {
      s.below++;
      s.above = 0;
      s.pending = [];
      if (s.active !== null && s.below >= this.options.hold) {
        this.emit("clear", bucket);
        s.active = null;
      }
    }
    if (s.active !== null && RANK[s.active.level] > RANK[this.worst]) this.worst = s.active.level;
    s.baseline = this.options.alpha * bucket.bogus + (1 - this.options.alpha) * s.baseline;
    s.previous = bucket;
  }

  private emit(event: AlertEvent["event"], bucket: Bucket): void {
    const active = this.state.active!;
    const buckets = [...active.buckets];
    if (!buckets.includes(bucket)) buckets.push(bucket);
    const attributed = attribute(buckets, this.state.previous);
    const alert: AlertEvent = {
      event,
      level: event === "clear" ? "OK" : active.level,
      kind: attributed.kind,
      atMs: bucket.startMs,
      sinceMs: active.sinceMs,
      bogus: attributed.bogus,
      domains: attributed.domains,
      resolvers: attributed.resolvers,
      fallbacks: attributed.fallbacks,
      failures: attributed.failures,
      baseline: Math.round(bucket.baseline * 100) / 100,
      reason: attributed.reason,
    };
    this.events.push(alert);
    this.onEvent?.(alert);
  }
}

/** Resolver-wide or domain-specific, with the numbers behind the verdict. */
export function attribute(buckets: Bucket[], previous: Bucket | null): Omit<AlertEvent, "event" | "level" | "atMs" | "sinceMs" | "baseline"> {
  const domains = new Map<string, Record<string, number>>();
  const bogusByResolver = new Map<string, number>();
  const otherByResolver = new Map<string, number>();
  let bogus = 0;
  let afterFallback = 0;
  let fallbacks = previous !== null && !buckets.includes(previous) ? previous.fallbacks : 0;
  let failures = previous !== null && !buckets.includes(previous) ? previous.failures : 0;
  for (const b of buckets) {
    bogus += b.bogus;
    afterFallback += b.bogusAfterFallback ?? 0;
    fallbacks += b.fallbacks;
    failures += b.failures;
    for (const [domain, records] of Object.entries(b.domains)) {
      const merged = domains.get(domain) ?? {};
      for (const [qtype, n] of Object.entries(records)) merged[qtype] = (merged[qtype] ?? 0) + n;
      domains.set(domain, merged);
    }
    for (const [r, n] of Object.entries(b.bogusByResolver)) bogusByResolver.set(r, (bogusByResolver.get(r) ?? 0) + n);
    for (const [r, n] of Object.entries(b.otherByResolver)) otherByResolver.set(r, (otherByResolver.get(r) ?? 0) + n);
  }
  const resolvers = [...bogusByResolver].sort((a, b) => b[1] - a[1]).map(([resolver, n]) => ({ resolver, bogus: n }));
  const domainList = [...domains].sort((a, b) => total(b[1]) - total(a[1]) || (a[0] < b[0] ? -1 : 1)).map(([domain, records]) => ({ domain, records }));
  const top = resolvers[0];
  const share = top === undefined || bogus === 0 ? 0 : top.bogus / bogus;
  const others = [...otherByResolver.keys()].filter((r) => r !== top?.resolver);
  const topValidatesNothing = top !== undefined && (otherByResolver.get(top.resolver) ?? 0) === 0;
  const concentrated = share >= 0.8 && others.length > 0 && topValidatesNothing;
  const many = domainList.length >= 3;
  // In a fallback to a resolver without DNSSEC, the Bogus answers are the retried queries.
  const afterFailures = bogus > 0 && afterFallback >= bogus / 2;
  if (many && (afterFailures || concentrated)) {
    const why = [
      `${domainList.length} domains Bogus at once`,
      afterFailures ? `${afterFallback} of ${bogus} Bogus answers came after another resolver failed (${failures} failures, ${fallbacks} fallbacks in the window)` : null,
      top !== undefined ? `${Math.round(share * 100)}% of the Bogus answers from ${top.resolver}${others.length > 0 ? ` while ${others.join(", ")} validated answers` : ""}` : null,
    ].filter((x) => x !== null);
    return { kind: "resolver-wide", bogus, domains: domainList, resolvers, fallbacks, failures, reason: why.join("; ") };
  }
  const why = many
    ? `${domainList.length} domains Bogus, but not after resolver failures (${afterFallback} of ${bogus}) nor from one resolver that others contradict`
    : `Bogus for ${domainList.length} domain(s) only`;
  return { kind: "domain-specific", bogus, domains: domainList, resolvers, fallbacks, failures, reason: why };
}

function total(records: Record<string, number>): number {
  return Object.values(records).reduce((a, b) => a + b, 0);
}
