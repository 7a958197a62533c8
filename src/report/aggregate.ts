// Per-domain aggregation of delivery attempts. Streaming: each attempt updates counters and is
// dropped, so memory grows with the number of domains (and their capped lists), not of deliveries.
import type { FileStats } from "../input/accounting.js";
import { totalStats } from "../input/accounting.js";
import { formatInstant } from "../input/clock.js";
import type { Attempt, AttemptDecision, DeliveryResult, Observed, ResolverStats } from "../correlate/types.js";
import type { PolicyInputName } from "../policy/evaluate.js";
import type { BogusVerdict } from "../alert/ledger.js";

/** Longest list of MX hosts (or resolvers) kept per row: a hostile or huge log cannot grow a row without bound. */
export const MAX_NAMES_PER_ROW = 20;

export const UNKNOWN_DOMAIN = "(unknown domain)";
export const UNKNOWN_MX_HOST = "(unknown MX host)";

/**
 * The row of attempts to an MX host that several domains share, where the log does not tell which
 * domain it was (`domain: null` with `domainCandidates`): counted apart, never under one of them.
 */
export function sharedHostRow(mxHost: string | null): string {
  return `(one of the domains of ${mxHost ?? "an unknown MX host"})`;
}

function domainRow(domain: string | null, domainCandidates: readonly string[], mxHost: string | null): string {
  if (domain !== null) return domain;
  return domainCandidates.length > 0 ? sharedHostRow(mxHost) : UNKNOWN_DOMAIN;
}

/** Why a row needs attention, most serious first (the order the report sorts by). */
export const PROBLEMS = ["dane-fail", "bogus", "mismatch", "outside-table", "undetermined", "resolver-fallback"] as const;
export type Problem = (typeof PROBLEMS)[number];

export interface Counters {
  attempts: number;
  decisions: Record<AttemptDecision, number>;
  /** Per mode, for when the mode is unknown and the report shows both. */
  byMode: { mandatory: Record<AttemptDecision, number>; opportunistic: Record<AttemptDecision, number> };
  /** Undetermined attempts by the input that was missing (an attempt can miss several). */
  missing: Record<PolicyInputName, number>;
  /** Undetermined only because the mode is unknown: each mode was decided, and they differ. */
  undeterminedModeOnly: number;
  /** Attempts with a Bogus classification of that record type. */
  bogus: { mx: number; a: number; tlsa: number };
  /** Attempts with any Bogus classification. */
  bogusAttempts: number;
  /** Bogus attempts whose lookups had been retried at another resolver after a failure. */
  bogusAfterFallback: number;
  resolverFallbacks: number;
  mismatches: number;
  cached: number;
  /** Attempts without any MX, A or TLSA evidence (SMTP routes, or answers cached before the log). */
  noDnsEvidence: number;
  /** Attempts whose DANE mode was not given (decision per mode only). */
  modeUnknown: number;
  observed: Record<Observed, number>;
  results: Record<DeliveryResult, number>;
  /** Attempts whose TLSA lookup was Secure: the domain publishes DANE. */
  tlsaSecure: number;
}

export interface DomainReport extends Counters {
  /** The recipient domain, or the MX host with `--by mx`. */
  name: string;
  /** What needs attention, most serious first; empty when nothing does. */
  problems: Problem[];
  /** The MX hosts (with `--by mx`: the domains), sorted, at most MAX_NAMES_PER_ROW. */
  mxHosts: string[];
  /** True when there were more than MAX_NAMES_PER_ROW of them. */
  mxHostsCapped: boolean;
  /** Resolvers that answered the row's lookups. */
  resolvers: string[];
  /** Resolvers that answered the lookups of the row's Bogus attempts. */
  bogusResolvers: string[];
  firstSeen: string | null;
  lastSeen: string | null;
}

/** A row while it is being built: the milliseconds behind firstSeen/lastSeen are kept for comparing. */
interface DomainState extends DomainReport {
  firstSeenMs: number | null;
  lastSeenMs: number | null;
}

export interface ReportFilters {
  since: string | null;
  until: string | null;
  domains: string[];
}

export interface ReportData {
  by: "domain" | "mx";
  /** Time range of the attempts reported (first start, last end): the data's, never the clock's. */
  from: string | null;
  to: string | null;
  /** Epoch milliseconds of `to` (for metrics), null when unknown. */
  toMs: number | null;
  filters: ReportFilters;
  totals: Counters & { domains: number };
  domains: DomainReport[];
  resolvers: ResolverStats[];
  stats: { files: FileStats[]; total: FileStats };
  /** The Bogus answers sorted and attributed as `alert` does (null when not gathered). */
  bogus: BogusVerdict | null;
}

function zeroDecisions(): Record<AttemptDecision, number> {
  return { "dane-success": 0, "tls-fallback": 0, "dane-fail": 0, undetermined: 0, "outside-table": 0, "not-applicable": 0 };
}

function zeroCounters(): Counters {
  return {
    attempts: 0,
    decisions: zeroDecisions(),
    byMode: { mandatory: zeroDecisions(), opportunistic: zeroDecisions() },
    missing: { mx: 0, a: 0, tlsa: 0, cert: 0 },
    undeterminedModeOnly: 0,
    bogus: { mx: 0, a: 0, tlsa: 0 },
    bogusAttempts: 0,
    bogusAfterFallback: 0,
    resolverFallbacks: 0,
    mismatches: 0,
    cached: 0,
    noDnsEvidence: 0,
    modeUnknown: 0,
    observed: { "dane-success": 0, tls: 0, "tls-failed": 0, plaintext: 0, "no-connection": 0 },
    results: { delivered: 0, delayed: 0, bounced: 0, "connection-error": 0, "not-attempted": 0, unknown: 0 },
    tlsaSecure: 0,
  };
}

/** The inputs whose absence left an undetermined attempt open: of its mode, or of either mode when the mode is unknown. */
export function missingInputs(attempt: Attempt): PolicyInputName[] {
  const r = attempt.record;
  if (r.mode === "mandatory" || r.mode === "opportunistic") return attempt.missing[r.mode];
  return [...new Set([...attempt.missing.mandatory, ...attempt.missing.opportunistic])];
}

function count(target: Counters, attempt: Attempt): void {
  const r = attempt.record;
  const bogus = attempt.bogus.mx || attempt.bogus.a || attempt.bogus.tlsa;
  const fallback = r.flags.includes("resolver-fallback");
  target.attempts++;
  target.decisions[r.decision]++;
  target.byMode.mandatory[r.decisionByMode.mandatory]++;
  target.byMode.opportunistic[r.decisionByMode.opportunistic]++;
  if (r.decision === "undetermined") {
    for (const input of missingInputs(attempt)) target.missing[input]++;
    const { mandatory, opportunistic } = r.decisionByMode;
    if (r.mode === "unknown" && mandatory !== "undetermined" && opportunistic !== "undetermined" && mandatory !== opportunistic) target.undeterminedModeOnly++;
  }
  if (attempt.bogus.mx) target.bogus.mx++;
  if (attempt.bogus.a) target.bogus.a++;
  if (attempt.bogus.tlsa) target.bogus.tlsa++;
  if (bogus) target.bogusAttempts++;
  if (bogus && fallback) target.bogusAfterFallback++;
  if (fallback) target.resolverFallbacks++;
  if (r.flags.includes("mismatch")) target.mismatches++;
  if (r.flags.includes("cached")) target.cached++;
  if (r.evidence.mx === "unknown" && r.evidence.a === "unknown" && r.evidence.tlsa === "unknown") target.noDnsEvidence++;
  if (r.mode === "unknown") target.modeUnknown++;
  if (r.evidence.tlsa === "secure") target.tlsaSecure++;
  target.observed[r.observed]++;
  target.results[attempt.result]++;
}

/** Adds a name to a capped list; returns false when the list was full and the name new. */
function addCapped(list: string[], name: string): boolean {
  if (list.includes(name)) return true;
  if (list.length >= MAX_NAMES_PER_ROW) return false;
  list.push(name);
  return true;
}

/** The problems of a row, most serious first. */
export function problemsOf(c: Counters): Problem[] {
  const present: Record<Problem, boolean> = {
    "dane-fail": c.decisions["dane-fail"] > 0,
    bogus: c.bogusAttempts > 0,
    mismatch: c.mismatches > 0,
    "outside-table": c.decisions["outside-table"] > 0,
    undetermined: c.decisions.undetermined > 0,
    "resolver-fallback": c.resolverFallbacks > 0,
  };
  return PROBLEMS.filter((p) => present[p]);
}

/**
 * The sort key of a row, compared element by element: attempts that failed or got Bogus come
 * first (mail is stuck there), then contradictions of the replay, combinations outside the table,
 * open decisions and resolver fallbacks. Counts compare within a tier, never across: any number of
 * undetermined attempts ranks below one DANE failure.
 */
export function problemKey(c: Counters): number[] {
  return [c.decisions["dane-fail"] + c.bogusAttempts, c.mismatches, c.decisions["outside-table"], c.decisions.undetermined, c.resolverFallbacks];
}

function compareRows(a: DomainReport, b: DomainReport): number {
  const ka = problemKey(a);
  const kb = problemKey(b);
  for (let i = 0; i < ka.length; i++) {
    const diff = (kb[i] ?? 0) - (ka[i] ?? 0);
    if (diff !== 0) return diff;
  }
  if (a.attempts !== b.attempts) return b.attempts - a.attempts;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The row an attempt counts in: its recipient domain, or its MX host with `--by mx`. */
export function rowKey(by: "domain" | "mx", record: Attempt["record"]): string {
  return by === "mx" ? (record.mxHost ?? UNKNOWN_MX_HOST) : domainRow(record.domain, record.domainCandidates, record.mxHost);
}

export class ReportBuilder {
  private readonly rows = new Map<string, DomainState>();
  private readonly totals = zeroCounters();

  constructor(
    private readonly by: "domain" | "mx",
    private readonly filters: ReportFilters = { since: null, until: null, domains: [] },
  ) {}

  add(attempt: Attempt): void {
    const r = attempt.record;
    const key = rowKey(this.by, r);
    let row = this.rows.get(key);
    if (row === undefined) {
      row = { name: key, ...zeroCounters(), problems: [], mxHosts: [], mxHostsCapped: false, resolvers: [], bogusResolvers: [], firstSeen: null, lastSeen: null, firstSeenMs: null, lastSeenMs: null };
      this.rows.set(key, row);
    }
    count(row, attempt);
    count(this.totals, attempt);
    const other = this.by === "mx" ? r.domain : r.mxHost;
    if (other !== null && !addCapped(row.mxHosts, other)) row.mxHostsCapped = true;
    for (const resolver of r.resolvers) addCapped(row.resolvers, resolver);
    if (attempt.bogus.mx || attempt.bogus.a || attempt.bogus.tlsa) for (const resolver of r.resolvers) addCapped(row.bogusResolvers, resolver);
    if (attempt.startMs !== null && (row.firstSeenMs === null || attempt.startMs < row.firstSeenMs)) {
      row.firstSeenMs = attempt.startMs;
      row.firstSeen = formatInstant(attempt.startMs, attempt.utcKnown);
    }
    const last = attempt.endMs ?? attempt.startMs;
    if (last !== null && (row.lastSeenMs === null || last > row.lastSeenMs)) {
      row.lastSeenMs = last;
      row.lastSeen = formatInstant(last, attempt.utcKnown);
    }
  }

  finish(resolvers: ResolverStats[], files: FileStats[], bogus: BogusVerdict | null = null): ReportData {
    const states = [...this.rows.values()];
    let first: DomainState | null = null;
    let last: DomainState | null = null;
    for (const s of states) {
      if (s.firstSeenMs !== null && (first === null || s.firstSeenMs < first.firstSeenMs!)) first = s;
      if (s.lastSeenMs !== null && (last === null || s.lastSeenMs > last.lastSeenMs!)) last = s;
    }
    const domains: DomainReport[] = states.map(({ firstSeenMs: _first, lastSeenMs: _last, ...row }) => ({
      ...row,
      problems: problemsOf(row),
      mxHosts: [...row.mxHosts].sort(),
    }));
    domains.sort(compareRows);
    return {
      by: this.by,
      from: first?.firstSeen ?? null,
      to: last?.lastSeen ?? null,
      toMs: last?.lastSeenMs ?? null,
      filters: this.filters,
      totals: { ...this.totals, domains: domains.length },
      domains,
      resolvers,
      stats: { files, total: totalStats(files) },
      bogus,
    };
  }
}

/** `*` and `?` globs, case-insensitive, over the whole name; null when there are no patterns (everything passes). */
export function globMatcher(patterns: readonly string[]): ((name: string | null) => boolean) | null {
  if (patterns.length === 0) return null;
  const regexes = patterns.map((p) => new RegExp(`^${p.toLowerCase().replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "s"));
  return (name) => name !== null && regexes.some((r) => r.test(name.toLowerCase()));
}
