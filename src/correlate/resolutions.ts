// Resolutions: the DNS side of one delivery attempt, per appliance. A live MX lookup opens one
// for its domain; the A, AAAA, CNAME and TLSA lookups of its MX hosts that follow attach to it.
// A connection to one of the addresses claims it; once a connection of it delivered, it is
// consumed (later connections to that domain use the cache). One not claimed by any connection
// becomes an attempt of its own (`dcid: null`).
import { mxHosts } from "./cache.js";
import { normalName } from "./dns.js";
import type { SourceRef } from "./sources.js";
import type { DeliveryResult, DnsLookup } from "./types.js";

export const TLSA_PREFIX = "_25._tcp.";

/** The host a lookup is about: the name itself, or the MX host of a `_25._tcp.<host>` TLSA name. */
export function hostOfLookup(name: string): string {
  return name.startsWith(TLSA_PREFIX) ? name.slice(TLSA_PREFIX.length) : name;
}

export interface Resolution {
  domain: string;
  startMs: number | null;
  lastMs: number | null;
  mx: DnsLookup;
  hosts: string[];
  /** A/AAAA/CNAME/TLSA lookups of the MX hosts, by host. */
  hostLookups: Map<string, DnsLookup[]>;
  claims: number;
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
  private readonly byHost = new Map<string, Set<Resolution>>();

  get size(): number {
    return this.byDomain.size;
  }

  get hostIndexSize(): number {
    return this.byHost.size;
  }

  get(domain: string): Resolution | undefined {
    return this.byDomain.get(domain);
  }

  all(): Resolution[] {
    return [...this.byDomain.values()];
  }

  /** Opens a resolution for an answered (or failed) MX lookup. The caller closes the previous one of the domain first. */
  open(lookup: DnsLookup, utcKnown: boolean): Resolution {
    const resolution: Resolution = {
      domain: lookup.name,
      startMs: lookup.startMs,
      lastMs: lookup.endMs,
      mx: lookup,
      hosts: mxHosts(lookup.records),
      hostLookups: new Map(),
      claims: 0,
      consumed: false,
      mids: new Set(),
      result: "not-attempted",
      extraSource: [],
      utcKnown,
      indexedHosts: [],
    };
    this.byDomain.set(lookup.name, resolution);
    for (const host of resolution.hosts) this.indexHost(resolution, host);
    return resolution;
  }

  /** Removes a resolution from the indexes (it is closing). */
  remove(resolution: Resolution): void {
    if (this.byDomain.get(resolution.domain) === resolution) this.byDomain.delete(resolution.domain);
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

  /** The most recent open resolution one of whose MX hosts is `host` (or a CNAME of it). */
  latestForHost(host: string): Resolution | null {
    let best: Resolution | null = null;
    for (const resolution of this.forHost(host)) {
      if (best === null || (resolution.startMs ?? 0) >= (best.startMs ?? 0)) best = resolution;
    }
    return best;
  }

  /** Attaches a lookup of an MX host to the resolution it serves; null when none is open. */
  attach(lookup: DnsLookup): Resolution | null {
    const host = hostOfLookup(lookup.name);
    const resolution = this.latestForHost(host);
    if (resolution === null) return null;
    const list = resolution.hostLookups.get(host);
    if (list === undefined) resolution.hostLookups.set(host, [lookup]);
    else list.push(lookup);
    if (lookup.endMs !== null) resolution.lastMs = lookup.endMs;
    lookup.domain = resolution.domain;
    // An MX host that is a CNAME: the target's lookups belong to the same resolution.
    if (lookup.qtype === "CNAME") {
      for (const r of lookup.records) if (typeof r === "string") this.indexHost(resolution, normalName(r));
    }
    return resolution;
  }

  /** The open, unconsumed resolution of `domain` if one of its lookups returned `ip`. */
  claimable(domain: string, ip: string): Resolution | null {
    const resolution = this.byDomain.get(domain);
    if (resolution === undefined || resolution.consumed) return null;
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
