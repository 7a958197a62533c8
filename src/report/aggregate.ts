// Per-domain aggregation of delivery attempts. Streaming: each attempt updates counters and is
// dropped, so memory grows with the number of domains, not of deliveries.
import type { FileStats } from "../input/accounting.js";
import { totalStats } from "../input/accounting.js";
import type { Attempt, AttemptDecision, DeliveryResult, Observed, ResolverStats } from "../correlate/types.js";
import type { PolicyInputName } from "../policy/evaluate.js";

const MAX_MX_HOSTS = 20;

export interface DomainReport {
  /** The recipient domain, or the MX host with `--by mx`. */
  name: string;
  attempts: number;
  decisions: Record<AttemptDecision, number>;
  /** Per mode, for when the mode is unknown and the report shows both. */
  byMode: { mandatory: Record<AttemptDecision, number>; opportunistic: Record<AttemptDecision, number> };
  /** Undetermined attempts by the input that was missing. */
  missing: Record<PolicyInputName, number>;
  bogus: { mx: number; a: number; tlsa: number };
  resolverFallbacks: number;
  mismatches: number;
  cached: number;
  /** Attempts whose DANE mode was not given (decision per mode only). */
  modeUnknown: number;
  observed: Record<Observed, number>;
  results: Record<DeliveryResult, number>;
  /** Attempts whose TLSA lookup was Secure: the domain publishes DANE. */
  tlsaSecure: number;
  mxHosts: string[];
  resolvers: string[];
  firstSeen: string | null;
  lastSeen: string | null;
  firstSeenMs: number | null;
  lastSeenMs: number | null;
}

export interface ReportData {
  by: "domain" | "mx";
  /** Time range of the attempts reported. */
  from: string | null;
  to: string | null;
  totals: Omit<DomainReport, "name" | "mxHosts" | "resolvers" | "firstSeen" | "lastSeen" | "firstSeenMs" | "lastSeenMs"> & { domains: number };
  domains: DomainReport[];
  resolvers: ResolverStats[];
  stats: { files: FileStats[]; total: FileStats };
}

function zeroDecisions(): Record<AttemptDecision, number> {
  return { "dane-success": 0, "tls-fallback": 0, "dane-fail": 0, undetermined: 0, "outside-table": 0, "not-applicable": 0 };
}

function zeroCounters(): ReportData["totals"] {
  return {
    domains: 0,
    attempts: 0,
    decisions: zeroDecisions(),
    byMode: { mandatory: zeroDecisions(), opportunistic: zeroDecisions() },
    missing: { mx: 0, a: 0, tlsa: 0, cert: 0 },
    bogus: { mx: 0, a: 0, tlsa: 0 },
    resolverFallbacks: 0,
    mismatches: 0,
    cached: 0,
    modeUnknown: 0,
    observed: { "dane-success": 0, tls: 0, "tls-failed": 0, plaintext: 0, "no-connection": 0 },
    results: { delivered: 0, delayed: 0, bounced: 0, "connection-error": 0, "not-attempted": 0, unknown: 0 },
    tlsaSecure: 0,
  };
}

export const UNKNOWN_DOMAIN = "(unknown domain)";

/** How much attention a domain needs: failures and Bogus first, then contradictions, then gaps. */
export function problemScore(d: DomainReport): number {
  const bogus = d.bogus.mx + d.bogus.a + d.bogus.tlsa;
  return d.decisions["dane-fail"] * 1000 + bogus * 500 + d.mismatches * 100 + d.decisions["outside-table"] * 50 + d.resolverFallbacks * 10 + d.decisions.undetermined;
}

export class ReportBuilder {
  private readonly domains = new Map<string, DomainReport>();
  private readonly totals = zeroCounters();

  constructor(private readonly by: "domain" | "mx") {}

  add(attempt: Attempt): void {
    const r = attempt.record;
    const key = (this.by === "mx" ? r.mxHost : r.domain) ?? (this.by === "mx" ? "(unknown MX host)" : UNKNOWN_DOMAIN);
    let d = this.domains.get(key);
    if (d === undefined) {
      const { domains: _domains, ...counters } = zeroCounters();
      d = { name: key, ...counters, mxHosts: [], resolvers: [], firstSeen: null, lastSeen: null, firstSeenMs: null, lastSeenMs: null };
      this.domains.set(key, d);
    }
    for (const target of [d, this.totals]) {
      target.attempts++;
      target.decisions[r.decision]++;
      target.byMode.mandatory[r.decisionByMode.mandatory]++;
      target.byMode.opportunistic[r.decisionByMode.opportunistic]++;
      if (r.decision === "undetermined") {
        const missing = r.mode === "mandatory" || r.mode === "opportunistic" ? attempt.missing[r.mode] : [...new Set([...attempt.missing.mandatory, ...attempt.missing.opportunistic])];
        for (const input of missing) target.missing[input]++;
      }
      if (attempt.bogus.mx) target.bogus.mx++;
      if (attempt.bogus.a) target.bogus.a++;
      if (attempt.bogus.tlsa) target.bogus.tlsa++;
      if (r.flags.includes("resolver-fallback")) target.resolverFallbacks++;
      if (r.flags.includes("mismatch")) target.mismatches++;
      if (r.flags.includes("cached")) target.cached++;
      if (r.mode === "unknown") target.modeUnknown++;
      if (r.evidence.tlsa === "secure") target.tlsaSecure++;
      target.observed[r.observed]++;
      target.results[attempt.result]++;
    }
    const otherName = this.by === "mx" ? r.domain : r.mxHost;
    if (otherName !== null && !d.mxHosts.includes(otherName) && d.mxHosts.length < MAX_MX_HOSTS) d.mxHosts.push(otherName);
    for (const resolver of r.resolvers) if (!d.resolvers.includes(resolver)) d.resolvers.push(resolver);
    if (attempt.startMs !== null && (d.firstSeenMs === null || attempt.startMs < d.firstSeenMs)) {
      d.firstSeenMs = attempt.startMs;
      d.firstSeen = r.start;
    }
    const last = attempt.endMs ?? attempt.startMs;
    if (last !== null && (d.lastSeenMs === null || last > d.lastSeenMs)) {
      d.lastSeenMs = last;
      d.lastSeen = r.end ?? r.start;
    }
  }

  finish(resolvers: ResolverStats[], files: FileStats[]): ReportData {
    const domains = [...this.domains.values()].sort((a, b) => problemScore(b) - problemScore(a) || b.attempts - a.attempts || (a.name < b.name ? -1 : 1));
    for (const d of domains) d.mxHosts.sort();
    const firsts = domains.filter((d) => d.firstSeenMs !== null).sort((a, b) => a.firstSeenMs! - b.firstSeenMs!);
    const lasts = domains.filter((d) => d.lastSeenMs !== null).sort((a, b) => b.lastSeenMs! - a.lastSeenMs!);
    return {
      by: this.by,
      from: firsts[0]?.firstSeen ?? null,
      to: lasts[0]?.lastSeen ?? null,
      totals: { ...this.totals, domains: domains.length },
      domains,
      resolvers,
      stats: { files, total: totalStats(files) },
    };
  }
}

/** `*` and `?` globs, case-insensitive, over the whole name. */
export function globMatcher(patterns: readonly string[]): ((name: string | null) => boolean) | null {
  if (patterns.length === 0) return null;
  const regexes = patterns.map((p) => new RegExp(`^${p.toLowerCase().replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`));
  return (name) => name !== null && regexes.some((r) => r.test(name.toLowerCase()));
}
