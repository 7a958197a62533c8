// Is a set of Bogus answers the resolvers' doing or the domains'? (Reference, section 1: when
// the primary resolver cannot be reached the appliance falls back to the secondary, and a
// secondary without DNSSEC answers Bogus for every DANE-signed domain.) Pure functions over
// counts, per appliance (resolver IPs and their order belong to one appliance). The one
// attribution that `alert` (over the buckets of a spike) and `report` (over the run) both use,
// so that they cannot tell the same answers apart differently.
//
// Resolver-wide, on one appliance, when one resolver gave nearly all the Bogus answers
// (TOP_SHARE), never answered Secure (in these answers nor anywhere in its known history: a
// resolver without DNSSEC never can), and at least one of:
//   - `after-fallback`: it answered queries that another resolver had just failed (the same
//     queries, retried; the failures may be in the bucket before, when the appliance gave up on
//     its primary and asks the secondary directly);
//   - `disagreement`: other resolvers answered Secure meanwhile, or validated the very names it
//     called Bogus;
//   - `validated-before`: MANY_DOMAINS or more of its Bogus domains validated before.
// Else domain-specific: these domains' own DNSSEC, these record types.

export interface Tally {
  bogus: number;
  /** Bogus lookups by domain (the lookup's recipient domain, else its name), by record type. */
  domains: Record<string, Record<string, number>>;
  /** Of `domains`, those with a Bogus record that validated (Secure or Insecure) before. */
  validatedBefore: Record<string, true>;
  bogusByResolver: Record<string, number>;
  secureByResolver: Record<string, number>;
  insecureByResolver: Record<string, number>;
  /** Bogus answers of a resolver for a record that another resolver validated. */
  contradictedByResolver: Record<string, number>;
  /** `SERVER FAILED` and other failures, by the resolver that failed. */
  failuresByResolver: Record<string, number>;
  /** The failures' reasons, by resolver. */
  failureReasons: Record<string, Record<string, number>>;
  /** Answers a resolver gave after another resolver had failed the same query. */
  fallbacksTo: Record<string, number>;
  /** Those answers by the resolver that failed first: answering resolver -> failed resolver -> queries. */
  fallbackPairs: Record<string, Record<string, number>>;
  /** Bogus answers that came right after another resolver failed the same query. */
  bogusAfterFallback: number;
}

/** Tallies by appliance (the syslog hostname; "" when the log does not name it). */
export type HostTallies = Record<string, Tally>;

export function emptyTally(): Tally {
  return {
    bogus: 0,
    domains: {},
    validatedBefore: {},
    bogusByResolver: {},
    secureByResolver: {},
    insecureByResolver: {},
    contradictedByResolver: {},
    failuresByResolver: {},
    failureReasons: {},
    fallbacksTo: {},
    fallbackPairs: {},
    bogusAfterFallback: 0,
  };
}

const COUNT_MAPS = ["bogusByResolver", "secureByResolver", "insecureByResolver", "contradictedByResolver", "failuresByResolver", "fallbacksTo"] as const;

/** Adds `from` into `into`. */
export function mergeTally(into: Tally, from: Tally): void {
  into.bogus += from.bogus;
  into.bogusAfterFallback += from.bogusAfterFallback;
  for (const key of COUNT_MAPS) addCounts(into[key], from[key]);
  for (const [domain, records] of Object.entries(from.domains)) addCounts((into.domains[domain] ??= {}), records);
  for (const domain of Object.keys(from.validatedBefore)) into.validatedBefore[domain] = true;
  for (const [resolver, reasons] of Object.entries(from.failureReasons)) addCounts((into.failureReasons[resolver] ??= {}), reasons);
  for (const [resolver, failed] of Object.entries(from.fallbackPairs)) addCounts((into.fallbackPairs[resolver] ??= {}), failed);
}

export function mergeHosts(into: HostTallies, from: HostTallies): void {
  for (const [host, tally] of Object.entries(from)) mergeTally((into[host] ??= emptyTally()), tally);
}

export function hostTally(tallies: HostTallies, host: string | null): Tally {
  return (tallies[host ?? ""] ??= emptyTally());
}

export function totalBogus(tallies: HostTallies): number {
  let n = 0;
  for (const tally of Object.values(tallies)) n += tally.bogus;
  return n;
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
}

function bump(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** What the lookup's history says about it (history.ts). */
export interface LookupFacts {
  /** A Bogus answer for a record that validated before. */
  validatedBefore: boolean;
  /** A Bogus answer for a record another resolver validated. */
  contradicted: boolean;
  /** A validating answer: the earlier Bogus answers of other resolvers for the same record it contradicts. */
  contradicts: Record<string, number>;
}

/** The lookup's context: who failed, who answered after a failure, who answered Secure or Insecure. */
export function tallyContext(tally: Tally, lookup: LookupLike, facts: LookupFacts): void {
  for (const failure of lookup.failures) {
    bump(tally.failuresByResolver, failure.resolver);
    bump((tally.failureReasons[failure.resolver] ??= {}), failure.reason || "failure");
  }
  const resolver = lookup.answeredBy;
  if (resolver === null) return;
  const status = lookup.status;
  const answered = status === "secure" || status === "insecure" || status === "bogus";
  if (answered && lookup.fallback && lookup.failures.length > 0) {
    bump(tally.fallbacksTo, resolver);
    for (const failed of new Set(lookup.failures.map((f) => f.resolver))) if (failed !== resolver) bump((tally.fallbackPairs[resolver] ??= {}), failed);
  }
  if (status === "secure") bump(tally.secureByResolver, resolver);
  if (status === "insecure") bump(tally.insecureByResolver, resolver);
  addCounts(tally.contradictedByResolver, facts.contradicts);
}

/** A Bogus answer. */
export function tallyBogus(tally: Tally, lookup: LookupLike, facts: LookupFacts): void {
  tally.bogus++;
  if (lookup.fallback && lookup.failures.length > 0) tally.bogusAfterFallback++;
  const domain = lookup.domain ?? lookup.name;
  const records = (tally.domains[domain] ??= {});
  records[lookup.qtype] = (records[lookup.qtype] ?? 0) + 1;
  if (facts.validatedBefore) tally.validatedBefore[domain] = true;
  if (lookup.answeredBy !== null) {
    bump(tally.bogusByResolver, lookup.answeredBy);
    if (facts.contradicted) bump(tally.contradictedByResolver, lookup.answeredBy);
  }
}

/** The fields of a DNS lookup the tallies read. */
export interface LookupLike {
  host: string | null;
  name: string;
  qtype: string;
  domain: string | null;
  status: string | null;
  answeredBy: string | null;
  fallback: boolean;
  failures: readonly { resolver: string; reason: string }[];
}

export const MANY_DOMAINS = 3;
export const TOP_SHARE = 0.8;
/** Domains listed in an attribution (the count says how many there were). */
export const MAX_LISTED_DOMAINS = 50;

export type ResolverWideRule = "after-fallback" | "disagreement" | "validated-before";

export interface ResolverFigures {
  resolver: string;
  bogus: number;
  /** Secure answers in the window. */
  secure: number;
  /** Secure answers in all its known history (the window included). */
  secureEver: number;
  insecure: number;
  /** Its Bogus answers that another resolver contradicted. */
  contradicted: number;
  /** Its failures in the window and the bucket before. */
  failures: number;
  /** Its failures' reasons (`SERVER FAILED`...), most frequent first. */
  failureReasons: string[];
  /** Queries it answered after another resolver had failed them (window and bucket before). */
  fallbacksTo: number;
}

/** The numbers a verdict rests on. */
export interface Evidence {
  domains: number;
  /** Of those, domains that validated before. */
  validatedBefore: number;
  bogus: number;
  bogusAfterFallback: number;
  /** The resolver that gave most Bogus answers, and its share of them (0..1). */
  topResolver: string | null;
  topShare: number;
  /** In the window and the bucket before it. */
  failures: number;
  fallbacks: number;
  /** Secure answers of the other resolvers (the top one's are in `resolvers`). */
  othersSecure: number;
  /** Which rules held (empty for domain-specific). */
  rules: ResolverWideRule[];
}

export type AttributionKind = "resolver-wide" | "domain-specific";

/** The verdict for one appliance. */
export interface ApplianceAttribution {
  /** The appliance; null when the log does not name it. */
  host: string | null;
  kind: AttributionKind;
  bogus: number;
  /** How many domains were Bogus; `domains` lists the first MAX_LISTED_DOMAINS, most Bogus first. */
  domainCount: number;
  domains: { domain: string; records: Record<string, number> }[];
  /** Resolvers that answered Bogus or failed, most Bogus first. */
  resolvers: ResolverFigures[];
  evidence: Evidence;
  /** The verdict in words, with its numbers, and what to do. */
  reason: string;
}

/**
 * The verdict over all appliances: resolver-wide when it is on any appliance. The fields are
 * those of the main appliance (the resolver-wide one with most Bogus answers, else the one with
 * most), except `bogus` and `domainCount`, which count all; `reason` joins the appliances'.
 */
export interface Attribution extends ApplianceAttribution {
  appliances: ApplianceAttribution[];
}

/** Secure answers a resolver of an appliance gave in all its known history (0 when unknown). */
export type SecureHistory = (host: string | null, resolver: string) => number;

const noHistory: SecureHistory = () => 0;

/** Attributes the Bogus answers of `window`, per appliance; `before` is the bucket before it (failures there coincide too). */
export function attribute(window: HostTallies, before: HostTallies | null, secureEver: SecureHistory = noHistory): Attribution {
  const parts = Object.entries(window)
    .filter(([, tally]) => tally.bogus > 0)
    .map(([host, tally]) => attributeAppliance(host === "" ? null : host, tally, before?.[host] ?? null, secureEver))
    .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "resolver-wide" ? -1 : 1) || b.bogus - a.bogus || ((a.host ?? "") < (b.host ?? "") ? -1 : 1));
  const main = parts[0] ?? attributeAppliance(null, emptyTally(), null, secureEver);
  const named = parts.length > 1 || parts.some((p) => p.host !== null);
  const reason = parts.length === 0 ? main.reason : parts.map((p) => (named && p.host !== null ? `${p.host}: ${p.reason}` : p.reason)).join("; ");
  const bogus = parts.reduce((n, p) => n + p.bogus, 0);
  const domainCount = new Set(Object.values(window).flatMap((t) => Object.keys(t.domains))).size;
  return { ...main, kind: parts.some((p) => p.kind === "resolver-wide") ? "resolver-wide" : "domain-specific", bogus, domainCount, reason, appliances: parts };
}

function attributeAppliance(host: string | null, window: Tally, before: Tally | null, secureEver: SecureHistory): ApplianceAttribution {
  const failures = { ...window.failuresByResolver };
  const fallbacksTo = { ...window.fallbacksTo };
  const reasons: Record<string, Record<string, number>> = {};
  const pairs: Record<string, Record<string, number>> = {};
  for (const tally of before === null ? [window] : [window, before]) {
    for (const [r, counts] of Object.entries(tally.failureReasons)) addCounts((reasons[r] ??= {}), counts);
    for (const [r, failed] of Object.entries(tally.fallbackPairs)) addCounts((pairs[r] ??= {}), failed);
  }
  if (before !== null) {
    addCounts(failures, before.failuresByResolver);
    addCounts(fallbacksTo, before.fallbacksTo);
  }

  const names = new Set([...Object.keys(window.bogusByResolver), ...Object.keys(failures)]);
  const resolvers: ResolverFigures[] = [...names]
    .map((resolver) => ({
      resolver,
      bogus: window.bogusByResolver[resolver] ?? 0,
      secure: window.secureByResolver[resolver] ?? 0,
      secureEver: Math.max(secureEver(host, resolver), window.secureByResolver[resolver] ?? 0),
      insecure: window.insecureByResolver[resolver] ?? 0,
      contradicted: window.contradictedByResolver[resolver] ?? 0,
      failures: failures[resolver] ?? 0,
      failureReasons: Object.entries(reasons[resolver] ?? {})
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .map(([reason]) => reason),
      fallbacksTo: fallbacksTo[resolver] ?? 0,
    }))
    .sort((a, b) => b.bogus - a.bogus || b.failures - a.failures || (a.resolver < b.resolver ? -1 : 1));
  // Each domain's total once, not once per comparison of the sort.
  const domainEntries = Object.entries(window.domains)
    .map(([domain, records]) => ({ domain, records, total: sum(records) }))
    .sort((a, b) => b.total - a.total || (a.domain < b.domain ? -1 : 1));
  // Copies: the window goes on counting after this verdict is given.
  const domains = domainEntries.slice(0, MAX_LISTED_DOMAINS).map(({ domain, records }) => ({ domain, records: { ...records } }));

  const bogus = window.bogus;
  const top = resolvers[0] !== undefined && resolvers[0].bogus > 0 ? resolvers[0] : null;
  const topShare = top === null || bogus === 0 ? 0 : top.bogus / bogus;
  const othersSecure = Object.entries(window.secureByResolver).reduce((n, [r, count]) => (r === top?.resolver ? n : n + count), 0);
  const validatedBefore = domainEntries.filter(({ domain }) => window.validatedBefore[domain] === true).length;
  const evidence: Evidence = {
    domains: domainEntries.length,
    validatedBefore,
    bogus,
    bogusAfterFallback: window.bogusAfterFallback,
    topResolver: top?.resolver ?? null,
    topShare: round2(topShare),
    failures: sum(failures),
    fallbacks: sum(fallbacksTo),
    othersSecure,
    rules: [],
  };
  // A resolver that ever answered Secure can do DNSSEC: its Bogus answers are the domains'.
  const suspect = top !== null && topShare >= TOP_SHARE && top.secureEver === 0;
  if (suspect) {
    if (top.fallbacksTo > 0 || 2 * window.bogusAfterFallback >= bogus) evidence.rules.push("after-fallback");
    if (othersSecure > 0 || 2 * top.contradicted >= top.bogus) evidence.rules.push("disagreement");
    if (validatedBefore >= MANY_DOMAINS) evidence.rules.push("validated-before");
  }
  // A resolver that validates other names can still be the cause: Bogus for many domains at once,
  // nearly all of them from the resolver the appliance fell back to, on queries another resolver
  // had just failed. Broken domains do not break together with the primary resolver.
  const fallbackBurst =
    !suspect && top !== null && topShare >= TOP_SHARE && domainEntries.length >= MANY_DOMAINS && top.fallbacksTo > 0 && 2 * window.bogusAfterFallback >= bogus;
  if (fallbackBurst) evidence.rules.push("after-fallback");
  const base = { host, bogus, domainCount: domainEntries.length, domains, resolvers, evidence };
  if (evidence.rules.length > 0) return { ...base, kind: "resolver-wide", reason: resolverWideReason(evidence, resolvers, top!, pairs[top!.resolver] ?? {}) };
  return { ...base, kind: "domain-specific", reason: domainSpecificReason(evidence, resolvers, top) };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `failedFirst`: the resolvers that failed the queries `top` then answered, with how many. */
function resolverWideReason(e: Evidence, resolvers: ResolverFigures[], top: ResolverFigures, failedFirst: Record<string, number>): string {
  const failing = Object.entries(failedFirst).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const reasonsOf = (ip: string) => resolvers.find((r) => r.resolver === ip)?.failureReasons ?? [];
  const parts: string[] = [];
  if (failing.length > 0) parts.push(failing.slice(0, 3).map(([ip, n]) => `${ip} failed ${plural(n, "query", "queries")}${reasonsOf(ip).length > 0 ? ` (${reasonsOf(ip).slice(0, 2).join(", ")})` : ""}`).join(", "));
  const validated = e.validatedBefore > 0 ? `${e.validatedBefore === e.domains ? "" : `${plural(e.domains, "domain")}, `}${plural(e.validatedBefore, "domain")} that validated before` : plural(e.domains, "domain");
  const answered = failing.length > 0 ? `${top.resolver} answered them` : `${top.resolver} answered`;
  const others = e.othersSecure > 0 ? ` while the others answered ${e.othersSecure} Secure` : top.contradicted > 0 ? ` (others validated ${top.contradicted} of these names)` : "";
  if (top.secure > 0 || top.secureEver > 0) {
    // It validates other names: what fails is DNSSEC on the fallback path, not the domains.
    const secure = top.secure > 0 ? `${top.secure} Secure` : `${top.secureEver} Secure before`;
    parts.push(
      `${answered}: ${top.bogus} Bogus for ${validated} (${e.bogusAfterFallback} of the Bogus answers right after another resolver failed the query), though it answered ${secure}${others}: DNSSEC fails on the resolver the appliance falls back to. Fix the failing resolver, or the resolver order (dnsconfig): DNSSEC-capable resolvers first`,
    );
    return parts.join("; ");
  }
  parts.push(`${answered}: ${top.bogus} Bogus for ${validated}, nothing Secure${others}: a resolver without DNSSEC. Fix the resolver order (dnsconfig): DNSSEC-capable resolvers first`);
  return parts.join("; ");
}

function domainSpecificReason(e: Evidence, resolvers: ResolverFigures[], top: ResolverFigures | null): string {
  const answering = resolvers.filter((r) => r.bogus > 0);
  const from = answering.slice(0, 3).map((r) => `${r.resolver} (${r.bogus}${r.secureEver > 0 ? `; it answered ${r.secureEver} Secure` : ""})`);
  const why =
    top === null
      ? "no resolver named"
      : top.secureEver > 0 || answering.every((r) => r.secureEver > 0)
        ? "resolvers that validate other domains"
        : e.topShare < TOP_SHARE
          ? `no resolver gave ${Math.round(TOP_SHARE * 100)}% of them`
          : "neither failures of another resolver nor other resolvers' Secure answers point at the resolver";
  return `${plural(e.bogus, "Bogus answer")} for ${plural(e.domains, "domain")} from ${from.join(", ") || "unknown resolvers"}: ${why}, so ${e.domains === 1 ? "the domain's own DNSSEC is" : "these domains' own DNSSEC is"} broken (expired signatures, a missing DS or key)`;
}

function sum(counts: Record<string, number>): number {
  let n = 0;
  for (const value of Object.values(counts)) n += value;
  return n;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
