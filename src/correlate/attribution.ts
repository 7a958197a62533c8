// Which domain and MX host a connection was for, and the DNS evidence it used: the connected IP
// leads through the replayed cache to the MX host (IP -> A record, or a CNAME's target) and to
// the domains whose MX names that host; an open resolution of such a domain is the delivery's own
// DNS. `TLS success ... for <domain>`, the recipients and a `Connection Error ... domain:` line
// name the domain for certain.
import type { CacheEntry, DnsCache } from "./cache.js";
import { mxHosts } from "./cache.js";
import { normalName } from "./dns.js";
import { entryOf } from "./evidence.js";
import { latestLookup, TLSA_PREFIX, type Resolution, type Resolutions } from "./resolutions.js";
import type { DnsLookup } from "./types.js";

/**
 * A connection follows the DNS of its run within a second or two; a run of unknown domain that
 * ended longer ago than this before a connection was not that connection's (a failed retry, and
 * the connection is a later delivery from the cache).
 */
const CONNECT_AFTER_DNS_MS = 10_000;

/** Evidence a connection could use, snapshotted when it opens (the cache moves on). */
export interface Candidate {
  /** Null for a chain from the cache at a host whose domain the cache does not know. */
  domain: string | null;
  host: string | null;
  mx: CacheEntry | null;
  a: CacheEntry | null;
  tlsa: CacheEntry | null;
  resolution: Resolution | null;
}

/** What the cache and the open resolutions say about a connection to `ip`: open resolutions first, the most recent first. */
export function candidatesFor(cache: DnsCache, resolutions: Resolutions, ip: string, atMs: number | null): Candidate[] {
  const candidates: Candidate[] = [];
  for (const host of cache.hostsForIp(ip)) {
    const a = cache.get(host, "A", atMs) ?? cache.get(host, "AAAA", atMs) ?? addressOfAlias(cache, host, atMs);
    const tlsa = cache.get(TLSA_PREFIX + host, "TLSA", atMs);
    const seen = new Set<string>();
    for (const resolution of resolutions.forHost(host)) {
      if (resolution.consumed || !resolution.hosts.includes(host)) continue;
      // A run whose domain the log did not tell, given up on a while ago: a connection now is a later run's, from the cache.
      // (A run of a known domain keeps its connection even after a pause: the tech note's A records have TTL 10.)
      if (resolution.domain === null && resolution.claims === 0 && atMs !== null && resolution.lookupsEndMs !== null && atMs - resolution.lookupsEndMs > CONNECT_AFTER_DNS_MS) continue;
      if (resolution.mx !== null || resolution.domain !== null) {
        const domain = resolution.domain!;
        seen.add(domain);
        candidates.push({ domain, host, mx: resolution.mx === null ? resolution.cachedMx : entryOf(resolution.mx), a, tlsa, resolution });
        continue;
      }
      // A chain from the cache at a shared host: each domain it may be for, or none known.
      for (const domain of resolution.domainCandidates) {
        seen.add(domain);
        candidates.push({ domain, host, mx: cache.get(domain, "MX", atMs), a, tlsa, resolution });
      }
      if (resolution.domainCandidates.length === 0) candidates.push({ domain: null, host, mx: null, a, tlsa, resolution });
    }
    for (const domain of cache.domainsForMxHost(host)) {
      if (seen.has(domain)) continue;
      candidates.push({ domain, host, mx: cache.get(domain, "MX", atMs), a, tlsa, resolution: null });
    }
    // The host's answers are cached but no MX answer in the log names it (cached before the log
    // starts): keep what the cache holds now, for the domain the connection's lines will name.
    if (candidates.length === 0 && (a !== null || tlsa !== null)) candidates.push({ domain: null, host, mx: null, a, tlsa, resolution: null });
  }
  return candidates.sort((x, y) => Number(y.resolution !== null) - Number(x.resolution !== null) || (y.resolution?.startMs ?? 0) - (x.resolution?.startMs ?? 0));
}

/**
 * The domain of a connection the log does not name (no `for`, recipients or Connection Error
 * domain): the domain of a live MX lookup that led to the address, else the one domain the cache
 * maps the host to. Several (a shared MX host): unknown, with the candidates; never a guess.
 */
export function domainFromCandidates(candidates: readonly Candidate[]): { domain: string | null; domainCandidates: string[] } {
  const live = candidates.find((c) => c.resolution?.mx != null);
  if (live !== undefined) return { domain: live.domain, domainCandidates: [] };
  const domains = [...new Set(candidates.map((c) => c.domain).filter((d): d is string => d !== null))].sort();
  if (domains.length === 1) return { domain: domains[0]!, domainCandidates: [] };
  return { domain: null, domainCandidates: domains };
}

/** The answer all the entries classify alike (the MX answers of a shared host's domains), else null: the evidence, whichever domain it was. */
export function commonEntry(entries: readonly (CacheEntry | null)[]): CacheEntry | null {
  const first = entries[0] ?? null;
  if (first === null) return null;
  return entries.every((e) => e !== null && e.status === first.status && (e.records.length === 0) === (first.records.length === 0)) ? first : null;
}

export function addressOfAlias(cache: DnsCache, host: string, atMs: number | null): CacheEntry | null {
  const cname = cache.get(host, "CNAME", atMs);
  const target = cname?.records.find((r): r is string => typeof r === "string");
  return target === undefined ? null : cache.get(normalName(target), "A", atMs);
}

/** Evidence for a domain known only from the log's words (for-domain, recipients), from the cache. */
export function candidateFromCache(cache: DnsCache, domain: string, ip: string | null, atMs: number | null): Candidate {
  const mx = cache.get(domain, "MX", atMs);
  const hosts = mx === null ? [] : mxHosts(mx.records);
  // Without the domain's MX answer (cached before the log starts), the address names the host.
  const byAddress = ip === null || mx !== null ? [] : cache.hostsForIp(ip);
  const host = (ip === null ? undefined : hosts.find((h) => cache.get(h, "A", atMs)?.records.includes(ip))) ?? (hosts.length === 1 ? hosts[0]! : byAddress.length === 1 ? byAddress[0]! : null);
  const a = host === null ? null : cache.get(host, "A", atMs);
  const aMatches = a !== null && (ip === null || a.records.includes(ip));
  return { domain, host, mx, a: aMatches ? a : null, tlsa: host === null ? null : cache.get(TLSA_PREFIX + host, "TLSA", atMs), resolution: null };
}

/**
 * The resolution's own lookups are the delivery's evidence whatever their TTL (the tech note's A
 * records have TTL 10): fills in what the cache no longer held when the connection opened.
 */
export function withOwnLookups(candidate: Candidate | undefined, resolution: Resolution, ip: string): Candidate {
  const addressLookup = (host: string): DnsLookup | undefined => {
    const target = latestLookup(resolution, host, (l) => l.qtype === "CNAME")?.records.find((r): r is string => typeof r === "string");
    const names = target === undefined ? [host] : [host, normalName(target)];
    for (const name of names) {
      const found = latestLookup(resolution, name, (l) => (l.qtype === "A" || l.qtype === "AAAA") && l.records.includes(ip));
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const host = candidate?.host ?? resolution.hosts.find((h) => addressLookup(h) !== undefined) ?? null;
  return {
    domain: candidate?.domain ?? resolution.domain,
    host,
    mx: candidate?.mx ?? (resolution.mx === null ? resolution.cachedMx : entryOf(resolution.mx)),
    a: candidate?.a ?? (host === null ? null : entryOf(addressLookup(host))),
    tlsa: candidate?.tlsa ?? (host === null ? null : entryOf(latestLookup(resolution, host, (l) => l.qtype === "TLSA"))),
    resolution,
  };
}
