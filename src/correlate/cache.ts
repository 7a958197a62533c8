// The appliance's DNS cache, replayed: every answered lookup is kept for its TTL, so that a
// delivery whose lookups the appliance answered from cache (and so did not log) still gets the
// classifications the cache held. Expired entries are dropped in expiry order (a heap), which
// keeps memory proportional to what is live, not to the length of the log.
import type { DnsRecordValue, DnsStatus } from "../events/types.js";
import { normalName } from "./dns.js";
import type { DnsLookup } from "./types.js";

export interface CacheEntry {
  name: string;
  qtype: string;
  status: DnsStatus;
  records: DnsRecordValue[];
  atMs: number | null;
  expiresMs: number;
  lookup: DnsLookup;
}

function addTo(index: Map<string, Set<string>>, key: string, value: string): void {
  let set = index.get(key);
  if (set === undefined) index.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom(index: Map<string, Set<string>>, key: string, value: string): void {
  const set = index.get(key);
  if (set === undefined) return;
  set.delete(value);
  if (set.size === 0) index.delete(key);
}

export function mxHosts(records: DnsRecordValue[]): string[] {
  return records
    .filter((r): r is { preference: number; host: string } => typeof r !== "string")
    .sort((a, b) => a.preference - b.preference)
    .map((r) => r.host.toLowerCase());
}

export class DnsCache {
  /**
   * Entries by type, then by name: a look-up hashes a name the event already carries (its hash is
   * kept in the string) instead of building a `name|TYPE` string to hash each time.
   */
  private readonly entries = new Map<string, Map<string, CacheEntry>>();
  private count = 0;
  private readonly namesByIp = new Map<string, Set<string>>();
  private readonly domainsByMxHost = new Map<string, Set<string>>();
  private readonly aliasesByTarget = new Map<string, Set<string>>();
  private readonly expiry: CacheEntry[] = [];

  get size(): number {
    return this.count;
  }

  private byName(qtype: string): Map<string, CacheEntry> {
    let byName = this.entries.get(qtype);
    if (byName === undefined) this.entries.set(qtype, (byName = new Map()));
    return byName;
  }

  /** Keeps an answered lookup for its TTL. Unanswered lookups are not cached. */
  put(lookup: DnsLookup): CacheEntry | null {
    if (lookup.status === null || lookup.ttl === null) return null;
    const at = lookup.endMs ?? lookup.startMs;
    const entry: CacheEntry = {
      name: lookup.name,
      qtype: lookup.qtype,
      status: lookup.status,
      records: lookup.records,
      atMs: at,
      expiresMs: at === null ? Number.POSITIVE_INFINITY : at + lookup.ttl * 1000,
      lookup,
    };
    const byName = this.byName(entry.qtype.toUpperCase());
    const key = normalName(entry.name);
    const previous = byName.get(key);
    if (previous !== undefined) this.unindex(previous);
    else this.count++;
    byName.set(key, entry);
    this.index(entry);
    if (Number.isFinite(entry.expiresMs)) this.pushExpiry(entry);
    return entry;
  }

  get(name: string, qtype: string, atMs: number | null): CacheEntry | null {
    const entry = this.entries.get(qtype.toUpperCase())?.get(normalName(name));
    if (entry === undefined) return null;
    if (atMs !== null && entry.expiresMs < atMs) return null;
    return entry;
  }

  /** Names whose A/AAAA records include the address, with the names that are CNAMEs of them. */
  hostsForIp(ip: string): string[] {
    const names = this.namesByIp.get(ip);
    if (names === undefined) return [];
    const hosts = new Set<string>();
    for (const name of names) {
      hosts.add(name);
      for (const alias of this.aliasesByTarget.get(name) ?? []) hosts.add(alias);
    }
    return [...hosts];
  }

  domainsForMxHost(host: string): string[] {
    return [...(this.domainsByMxHost.get(host) ?? [])];
  }

  /**
   * The MX host a looked-up name stands for (the name itself, or an MX host that is a CNAME of
   * it) and the domains whose MX answer, live at `atMs`, names that host, sorted. Null when the
   * cache knows the name as no domain's MX host.
   */
  mxHostOf(name: string, atMs: number | null): { host: string; domains: string[] } | null {
    const live = (host: string) => [...(this.domainsByMxHost.get(host) ?? [])].filter((d) => this.get(d, "MX", atMs) !== null).sort();
    if (this.domainsByMxHost.has(name)) {
      const domains = live(name);
      if (domains.length > 0) return { host: name, domains };
    }
    for (const alias of this.aliasesByTarget.get(name) ?? []) {
      const domains = this.domainsByMxHost.has(alias) ? live(alias) : [];
      if (domains.length > 0) return { host: alias, domains };
    }
    return null;
  }

  /** Drops entries that expired before `nowMs`. */
  expire(nowMs: number): void {
    const heap = this.expiry;
    while (heap.length > 0 && heap[0]!.expiresMs < nowMs) {
      const entry = this.popExpiry();
      const byName = this.entries.get(entry.qtype.toUpperCase())!;
      const key = normalName(entry.name);
      if (byName.get(key) === entry) {
        byName.delete(key);
        this.count--;
        this.unindex(entry);
      }
    }
  }

  private index(entry: CacheEntry): void {
    this.updateIndexes(entry, addTo);
  }

  private unindex(entry: CacheEntry): void {
    this.updateIndexes(entry, removeFrom);
  }

  /** The reverse indexes a connection needs: address -> names, MX host -> domains, CNAME target -> aliases. */
  private updateIndexes(entry: CacheEntry, apply: (index: Map<string, Set<string>>, key: string, value: string) => void): void {
    if (entry.qtype === "A" || entry.qtype === "AAAA") {
      for (const r of entry.records) if (typeof r === "string") apply(this.namesByIp, r, entry.name);
    } else if (entry.qtype === "MX") {
      for (const host of mxHosts(entry.records)) apply(this.domainsByMxHost, host, entry.name);
    } else if (entry.qtype === "CNAME") {
      for (const r of entry.records) if (typeof r === "string") apply(this.aliasesByTarget, normalName(r), entry.name);
    }
  }

  // A binary heap by expiry. Entries move up or down through a hole and are written once, where
  // they stop; equal expiries keep no particular order (expire drops all that are due at once).
  private pushExpiry(entry: CacheEntry): void {
    const heap = this.expiry;
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent]!;
      if (above.expiresMs <= entry.expiresMs) break;
      heap[i] = above;
      i = parent;
    }
    heap[i] = entry;
  }

  private popExpiry(): CacheEntry {
    const heap = this.expiry;
    const top = heap[0]!;
    const last = heap.pop()!;
    const length = heap.length;
    if (length === 0) return top;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= length) break;
      if (child + 1 < length && heap[child + 1]!.expiresMs < heap[child]!.expiresMs) child++;
      if (heap[child]!.expiresMs >= last.expiresMs) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
