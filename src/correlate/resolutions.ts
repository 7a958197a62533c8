// Resolutions: the DNS side of one delivery attempt, per appliance. A live MX lookup opens one
// for its domain; the A, AAAA, CNAME and TLSA lookups of its MX hosts that follow attach to it.
// A lookup of an MX host that no open resolution can take (none is open, or the open one already
// has that lookup or was delivered: this is a new run, a retry whose MX answer came from the
// cache) opens one too, from the cache: the domain is the one the cache maps the host to, or
// unknown with the candidates when the host serves several domains.
// A connection to one of the addresses claims it; once a connection of it delivered, it is
// consumed (later connections to that domain use the cache). One not claimed by any connection
// becomes an attempt of its own (`dcid: null`).
import { mxHosts, type CacheEntry } from "./cache.js";
import { normalName } from "./dns.js";
import type { SourceRef } from "./sources.js";
import type { DeliveryResult, DnsLookup } from "./types.js";

export const TLSA_PREFIX = "_25._tcp.";
/**
 * The lookups of one run follow each other within seconds; the appliance retries a queue after
 * 60 s at the earliest (the bounce profile's first backoff).
 */
const RUN_GAP_MS = 45_000;
/** The steps of one run (MX, then A/AAAA/CNAME, then TLSA) follow each other within seconds. */
const STEP_MS = 5_000;

/** The host a lookup is about: the name itself, or the MX host of a `_25._tcp.<host>` TLSA name. */
export function hostOfLookup(name: string): string {
  return name.startsWith(TLSA_PREFIX) ? name.slice(TLSA_PREFIX.length) : name;
}

export interface Resolution {
  /** Null when the chain began from the cache at a host that several domains (or no known domain) use. */
  domain: string | null;
  /** With domain null: the domains the cache maps the MX host to, sorted; else empty. */
  domainCandidates: string[];
  startMs: number | null;
  /** The last line of the resolution or of a connection that claimed it (for the quiet period). */
  lastMs: number | null;
  /** When the run's own DNS ended: its last lookup. */
  lookupsEndMs: number | null;
  /** The MX lookup that opened it; null for a chain that began from the cache. */
  mx: DnsLookup | null;
  /** For a chain that began from the cache, the MX answer the cache held for its domain (if one). */
  cachedMx: CacheEntry | null;
  /** What the cache held for the first MX host's A and TLSA when the resolution opened. */
  cachedA: CacheEntry | null;
  cachedTlsa: CacheEntry | null;
  hosts: string[];
  /** A/AAAA/CNAME/TLSA lookups of the MX hosts, by host. */
  hostLookups: Map<string, DnsLookup[]>;
  claims: number;
  /** No longer open (closed while a connection still claimed it, it may yet become an attempt). */
  closed: boolean;
  /** A connection of this resolution delivered: later connections use the cache. */
  consumed: boolean;
  mids: Set<number>;
  result: DeliveryResult;
  extraSource: SourceRef[];
  utcKnown: boolean;
  /** Names under which the host index finds this resolution. */
  indexedHosts: string[];
}

/** The open resolutions of one appliance, by domain and by MX host (or CNAME target). */
export class Resolutions {
  private readonly byDomain = new Map<string, Resolution>();
  /** Open resolutions whose domain the log does not tell. */
  private readonly undecided = new Set<Resolution>();
  private readonly byHost = new Map<string, Set<Resolution>>();

  get size(): number {
    return this.byDomain.size + this.undecided.size;
  }

  get hostIndexSize(): number {
    return this.byHost.size;
  }

  get(domain: string): Resolution | undefined {
    return this.byDomain.get(domain);
  }

  all(): Resolution[] {
    return [...this.byDomain.values(), ...this.undecided];
  }

  /** Opens a resolution for an answered (or failed) MX lookup. The caller closes the previous one of the domain first. */
  open(lookup: DnsLookup, utcKnown: boolean, cached: Pick<Resolution, "cachedA" | "cachedTlsa">): Resolution {
    return this.add({
      domain: lookup.name,
      domainCandidates: [],
      startMs: lookup.startMs,
      lastMs: lookup.endMs,
      lookupsEndMs: lookup.endMs,
      mx: lookup,
      cachedMx: null,
      ...cached,
      hosts: mxHosts(lookup.records),
      ...newRun(utcKnown),
    });
  }

  /**
   * Opens a resolution for a chain that began without an MX lookup, at `host`: the MX answer came
   * from the cache. One candidate domain is the domain; several (a shared MX host) or none (MX
   * cached before the log starts) leave it unknown. The caller closes the previous one of the domain first.
   */
  openFromCache(host: string, domains: string[], startMs: number | null, utcKnown: boolean, cached: Pick<Resolution, "cachedMx" | "cachedA" | "cachedTlsa">): Resolution {
    return this.add({
      domain: domains.length === 1 ? domains[0]! : null,
      domainCandidates: domains.length > 1 ? domains : [],
      startMs,
      lastMs: startMs,
      lookupsEndMs: startMs,
      mx: null,
      ...cached,
      hosts: [host],
      ...newRun(utcKnown),
    });
  }

  private add(resolution: Resolution): Resolution {
    if (resolution.domain === null) this.undecided.add(resolution);
    else this.byDomain.set(resolution.domain, resolution);
    // After a Bogus (or failed) MX answer the appliance stops: later lookups of those hosts are another run's.
    const status = resolution.mx?.status;
    if (status === "bogus" || status === null) return resolution;
    for (const host of resolution.hosts) this.indexHost(resolution, host);
    return resolution;
  }

  /** Removes a resolution from the indexes (it is closing). */
  remove(resolution: Resolution): void {
    if (resolution.domain === null) this.undecided.delete(resolution);
    else if (this.byDomain.get(resolution.domain) === resolution) this.byDomain.delete(resolution.domain);
    for (const host of resolution.indexedHosts) {
      const set = this.byHost.get(host);
      set?.delete(resolution);
      if (set?.size === 0) this.byHost.delete(host);
    }
    resolution.indexedHosts = [];
  }

  /** Open resolutions one of whose MX hosts (or their CNAME targets) is `host`. */
  forHost(host: string): Iterable<Resolution> {
    return this.byHost.get(host) ?? [];
  }

  /**
   * The most recent open resolution one of whose MX hosts is `host` (or a CNAME of it) that can
   * still take a lookup of `name`/`qtype`: not delivered, and without such a lookup already (the
   * appliance looks each record up once per run; a second lookup is the next run).
   */
  latestForHost(host: string, name: string, qtype: string, atMs: number | null = null): Resolution | null {
    let best: Resolution | null = null;
    for (const resolution of this.forHost(host)) {
      if (resolution.consumed || hasLookup(resolution, host, name, qtype) || answeredFromCache(resolution, host, qtype, atMs)) continue;
      // No connection, and quiet for longer than a chain takes: the appliance gave up; this is the next run.
      if (isStale(resolution, atMs)) continue;
      if (best === null || (resolution.startMs ?? 0) >= (best.startMs ?? 0)) best = resolution;
    }
    return best;
  }

  /** Attaches a lookup of an MX host to the resolution it serves; null when none can take it. */
  attach(lookup: DnsLookup): Resolution | null {
    const host = hostOfLookup(lookup.name);
    const resolution = this.latestForHost(host, lookup.name, lookup.qtype, lookup.startMs);
    if (resolution === null) return null;
    this.addLookup(resolution, host, lookup);
    return resolution;
  }

  /** Adds a lookup of `host` to a resolution. */
  addLookup(resolution: Resolution, host: string, lookup: DnsLookup): void {
    const list = resolution.hostLookups.get(host);
    if (list === undefined) resolution.hostLookups.set(host, [lookup]);
    else list.push(lookup);
    if (lookup.endMs !== null) {
      resolution.lastMs = lookup.endMs;
      resolution.lookupsEndMs = lookup.endMs;
    }
    lookup.domain = resolution.domain;
    // An MX host that is a CNAME: the target's lookups belong to the same resolution.
    if (lookup.qtype === "CNAME") {
      for (const r of lookup.records) if (typeof r === "string") this.indexHost(resolution, normalName(r));
    }
  }

  /** Indexes a resolution under another name (the CNAME target of its MX host, known from the cache). */
  alsoIndex(resolution: Resolution, name: string): void {
    if (!resolution.indexedHosts.includes(name)) this.indexHost(resolution, name);
  }

  /** The open, unconsumed resolution of `domain`, begun by `atMs`, if one of its lookups returned `ip`. */
  claimable(domain: string, ip: string, atMs: number | null): Resolution | null {
    const resolution = this.byDomain.get(domain);
    if (resolution === undefined || resolution.consumed) return null;
    if (atMs !== null && resolution.startMs !== null && resolution.startMs > atMs) return null;
    const host = resolution.hosts.find((h) => resolution.hostLookups.get(h)?.some((l) => l.records.includes(ip)));
    return host === undefined ? null : resolution;
  }

  private indexHost(resolution: Resolution, host: string): void {
    let set = this.byHost.get(host);
    if (set === undefined) this.byHost.set(host, (set = new Set()));
    set.add(resolution);
    resolution.indexedHosts.push(host);
  }
}

/** The state of a run that has only begun: no host lookups, claims or messages yet. */
function newRun(utcKnown: boolean): Pick<Resolution, "hostLookups" | "claims" | "closed" | "consumed" | "mids" | "result" | "extraSource" | "utcKnown" | "indexedHosts"> {
  return { hostLookups: new Map(), claims: 0, closed: false, consumed: false, mids: new Set(), result: "not-attempted", extraSource: [], utcKnown, indexedHosts: [] };
}

/**
 * No connection took it and its DNS ended longer ago than a run's steps are apart: the appliance
 * gave up on that run, and a later lookup or connection is the next run's (using the cache).
 */
export function isStale(resolution: Resolution, atMs: number | null): boolean {
  return resolution.claims === 0 && atMs !== null && resolution.lookupsEndMs !== null && atMs - resolution.lookupsEndMs > RUN_GAP_MS;
}

/**
 * The run took this record of its first MX host from the cache, and that answer was still valid
 * at `atMs`: the appliance had no reason to look it up, so a lookup of it now is the next run's.
 */
function answeredFromCache(resolution: Resolution, host: string, qtype: string, atMs: number | null): boolean {
  if (host !== resolution.hosts[0]) return false;
  // An answer that expired since the run read it, looked up again right away, is this run's own step.
  const soon = atMs === null || resolution.lookupsEndMs === null || atMs - resolution.lookupsEndMs <= STEP_MS;
  const live = (entry: CacheEntry | null) => entry !== null && (atMs === null || entry.expiresMs > atMs || !soon);
  if (qtype === "TLSA") return live(resolution.cachedTlsa) && !hasLookup(resolution, host, TLSA_PREFIX + host, "TLSA");
  // A, AAAA and CNAME go together: with the A looked up in this run, the others are this run's too.
  return (qtype === "A" || qtype === "AAAA" || qtype === "CNAME") && live(resolution.cachedA) && !hasLookup(resolution, host, host, "A");
}

function hasLookup(resolution: Resolution, host: string, name: string, qtype: string): boolean {
  const list = resolution.hostLookups.get(host);
  if (list === undefined) return false;
  for (const l of list) if (l.qtype === qtype && l.name === name) return true;
  return false;
}

/** Whether a lookup is one of the resolution's own (not an answer from cache). */
export function belongsTo(resolution: Resolution, lookup: DnsLookup): boolean {
  if (resolution.mx === lookup) return true;
  for (const list of resolution.hostLookups.values()) if (list.includes(lookup)) return true;
  return false;
}

/** The latest answered lookup of `name` in the resolution that matches. */
export function latestLookup(resolution: Resolution, name: string, match: (l: DnsLookup) => boolean): DnsLookup | undefined {
  const list = resolution.hostLookups.get(name);
  if (list === undefined) return undefined;
  for (let i = list.length - 1; i >= 0; i--) {
    const l = list[i]!;
    if (l.status !== null && match(l)) return l;
  }
  return undefined;
}
