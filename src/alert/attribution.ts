// Is a Bogus burst the resolvers' doing or the domains'? (Reference, section 1: when the
// primary resolver cannot be reached the appliance falls back to the secondary, and a secondary
// without DNSSEC answers Bogus for every DANE-signed domain.) Pure functions over counts.
//
// Resolver-wide, when many domains are Bogus at once (MANY_DOMAINS) and either
//   - the burst coincides with resolver failures: most Bogus answers came right after another
//     resolver failed the same query (`after-fallback`), or one resolver gave nearly all of them
//     (TOP_SHARE) and was answering queries that other resolvers had failed (`fallback-target`;
//     the failures may be in the bucket before: an appliance that gave up on its primary asks
//     the secondary directly); or
//   - one resolver gave nearly all of them and the others disagree: they answered Secure while it
//     answered nothing Secure (a resolver without DNSSEC never can), or they validated the very
//     names it called Bogus (`disagreement`).
// Else domain-specific: these domains, these record types.

export interface Tally {
  bogus: number;
  /** Bogus lookups by domain (the lookup's recipient domain, else its name), by record type. */
  domains: Record<string, Record<string, number>>;
  bogusByResolver: Record<string, number>;
  secureByResolver: Record<string, number>;
  insecureByResolver: Record<string, number>;
  /** Bogus answers of a resolver for a name and type that another resolver validated nearby in time. */
  contradictedByResolver: Record<string, number>;
  /** `SERVER FAILED` and other failures, by the resolver that failed. */
  failuresByResolver: Record<string, number>;
  /** Answers a resolver gave after another resolver had failed the same query. */
  fallbacksTo: Record<string, number>;
  /** Bogus answers that came right after another resolver failed the same query. */
  bogusAfterFallback: number;
}

export function emptyTally(): Tally {
  return { bogus: 0, domains: {}, bogusByResolver: {}, secureByResolver: {}, insecureByResolver: {}, contradictedByResolver: {}, failuresByResolver: {}, fallbacksTo: {}, bogusAfterFallback: 0 };
}

const COUNT_MAPS = ["bogusByResolver", "secureByResolver", "insecureByResolver", "contradictedByResolver", "failuresByResolver", "fallbacksTo"] as const;

/** Adds `from` into `into`. */
export function mergeTally(into: Tally, from: Tally): void {
  into.bogus += from.bogus;
  into.bogusAfterFallback += from.bogusAfterFallback;
  for (const key of COUNT_MAPS) addCounts(into[key], from[key]);
  for (const [domain, records] of Object.entries(from.domains)) addCounts((into.domains[domain] ??= {}), records);
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
}

export const MANY_DOMAINS = 3;
export const TOP_SHARE = 0.8;
/** Domains listed in an alert (the count says how many there were). */
export const MAX_LISTED_DOMAINS = 50;

export type ResolverWideRule = "after-fallback" | "fallback-target" | "disagreement";

export interface ResolverFigures {
  resolver: string;
  bogus: number;
  secure: number;
  insecure: number;
  /** Its Bogus answers that another resolver contradicted. */
  contradicted: number;
  failures: number;
  /** Queries it answered after another resolver had failed them. */
  fallbacksTo: number;
}

/** The numbers a verdict rests on. */
export interface Evidence {
  domains: number;
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

export interface Attribution {
  kind: "resolver-wide" | "domain-specific";
  bogus: number;
  /** How many domains were Bogus; `domains` lists the first MAX_LISTED_DOMAINS, most Bogus first. */
  domainCount: number;
  domains: { domain: string; records: Record<string, number> }[];
  /** Resolvers that answered Bogus or failed, most Bogus first. */
  resolvers: ResolverFigures[];
  evidence: Evidence;
  /** The verdict in words, with its numbers. */
  reason: string;
}

const percent = (share: number) => `${Math.round(share * 100)}%`;

/** Attributes the Bogus answers of `window`; `before` is the bucket before it (failures there coincide too). */
export function attribute(window: Tally, before: Tally | null): Attribution {
  const context = emptyTally();
  mergeTally(context, window);
  if (before !== null) for (const key of ["failuresByResolver", "fallbacksTo", "secureByResolver"] as const) addCounts(context[key], before[key]);

  const names = new Set([...Object.keys(window.bogusByResolver), ...Object.keys(context.failuresByResolver)]);
  const resolvers: ResolverFigures[] = [...names]
    .map((resolver) => ({
      resolver,
      bogus: window.bogusByResolver[resolver] ?? 0,
      secure: context.secureByResolver[resolver] ?? 0,
      insecure: window.insecureByResolver[resolver] ?? 0,
      contradicted: window.contradictedByResolver[resolver] ?? 0,
      failures: context.failuresByResolver[resolver] ?? 0,
      fallbacksTo: context.fallbacksTo[resolver] ?? 0,
    }))
    .sort((a, b) => b.bogus - a.bogus || b.failures - a.failures || (a.resolver < b.resolver ? -1 : 1));
  const domainEntries = Object.entries(window.domains).sort((a, b) => total(b[1]) - total(a[1]) || (a[0] < b[0] ? -1 : 1));
  // Copies: the window goes on counting after this verdict is given.
  const domains = domainEntries.slice(0, MAX_LISTED_DOMAINS).map(([domain, records]) => ({ domain, records: { ...records } }));

  const bogus = window.bogus;
  const top = resolvers[0] !== undefined && resolvers[0].bogus > 0 ? resolvers[0] : null;
  const topShare = top === null || bogus === 0 ? 0 : top.bogus / bogus;
  const concentrated = top !== null && topShare >= TOP_SHARE;
  const othersSecure = Object.entries(context.secureByResolver).reduce((n, [r, count]) => (r === top?.resolver ? n : n + count), 0);
  const failures = sum(context.failuresByResolver);
  const fallbacks = sum(context.fallbacksTo);

  const rules: ResolverWideRule[] = [];
  const many = domainEntries.length >= MANY_DOMAINS;
  if (many && bogus > 0 && 2 * window.bogusAfterFallback >= bogus) rules.push("after-fallback");
  if (many && concentrated && top.fallbacksTo > 0) rules.push("fallback-target");
  if (many && concentrated && ((othersSecure > 0 && top.secure === 0) || (top.contradicted > 0 && 2 * top.contradicted >= top.bogus))) rules.push("disagreement");

  const evidence: Evidence = { domains: domainEntries.length, bogus, bogusAfterFallback: window.bogusAfterFallback, topResolver: top?.resolver ?? null, topShare: round2(topShare), failures, fallbacks, othersSecure, rules };
  const base = { bogus, domainCount: domainEntries.length, domains, resolvers, evidence };
  if (rules.length > 0) return { kind: "resolver-wide", ...base, reason: resolverWideReason(evidence, resolvers, top!) };
  return { kind: "domain-specific", ...base, reason: domainSpecificReason(evidence, top) };
}

function resolverWideReason(e: Evidence, resolvers: ResolverFigures[], top: ResolverFigures): string {
  const failing = resolvers.filter((r) => r.failures > 0 && r.resolver !== top.resolver).map((r) => `${r.resolver} failed ${r.failures}x`);
  const parts = [`${e.domains} domains Bogus at once`, `${percent(e.topShare)} of the ${e.bogus} Bogus answers from ${top.resolver}`];
  if (e.rules.includes("after-fallback")) parts.push(`${e.bogusAfterFallback} of them right after another resolver failed the query`);
  if (e.rules.includes("fallback-target")) parts.push(`${top.resolver} answered ${top.fallbacksTo} queries that other resolvers had failed${failing.length > 0 ? ` (${failing.join(", ")})` : ""}`);
  else if (failing.length > 0) parts.push(failing.join(", "));
  if (e.rules.includes("disagreement")) {
    parts.push(top.contradicted > 0 ? `other resolvers validated ${top.contradicted} of the names ${top.resolver} called Bogus` : `${top.resolver} answered nothing Secure while the others answered ${e.othersSecure} Secure`);
  }
  return parts.join("; ");
}

function domainSpecificReason(e: Evidence, top: ResolverFigures | null): string {
  if (e.domains < MANY_DOMAINS) return `Bogus for ${e.domains} domain(s) only (resolver-wide needs ${MANY_DOMAINS} or more)`;
  const figures = [
    `${e.bogusAfterFallback} of ${e.bogus} Bogus answers right after a resolver failure`,
    top === null ? "no resolver named" : `${percent(e.topShare)} from ${top.resolver} (${top.fallbacksTo} fallbacks to it, ${top.secure} Secure from it, ${e.othersSecure} Secure from others)`,
  ];
  return `${e.domains} domains Bogus, but neither resolver failures nor one resolver that the others contradict explain it: ${figures.join("; ")}`;
}

function total(records: Record<string, number>): number {
  return sum(records);
}

function sum(counts: Record<string, number>): number {
  let n = 0;
  for (const value of Object.values(counts)) n += value;
  return n;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
