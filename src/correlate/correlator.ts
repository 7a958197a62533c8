// Rebuilds delivery attempts from events. Per appliance (IDs are unique only per appliance):
//
// - DNS lookups are assembled (dns.ts) and replayed into a cache (cache.ts);
// - a live MX lookup opens a *resolution* for its domain; the A, CNAME and TLSA lookups of its
//   MX hosts that follow attach to it;
// - `New SMTP DCID ... address IP` opens a connection; the IP leads through the cache to the MX
//   host and the domain (IP -> A record -> MX host -> MX of a domain), and claims the open
//   resolution of that domain; `TLS success ... for <domain>` and the recipients of the
//   messages on the connection name the domain for certain;
// - an attempt closes at `DCID close` or after a quiet period, and its evidence is replayed
//   through the policy table. A resolution no connection claimed becomes an attempt with
//   `dcid: null` (a daneverify run, or a Bogus MX that stopped delivery).
import type { LogEvent } from "../events/types.js";
import { formatInstant } from "../input/clock.js";
import { evaluateBothModes, type Decision, type PolicyInput, type PolicyResult } from "../policy/evaluate.js";
import { DnsCache, mxHosts, type CacheEntry } from "./cache.js";
import { modeFor, type DestinationControls } from "./destination-controls.js";
import { DnsTracker, normalName, ResolverTable } from "./dns.js";
import { formatSources, sourceOf, type SourceRef } from "./sources.js";
import type {
  Attempt,
  AttemptFlag,
  AttemptRecord,
  CertEvidence,
  ClassificationEvidence,
  DeliveryResult,
  DnsLookup,
  ModeSetting,
  Observed,
  ResolverStats,
} from "./types.js";

export interface CorrelatorOptions {
  /** Mode for domains the destination controls do not name (default `unknown`). */
  mode?: ModeSetting | undefined;
  destinationControls?: DestinationControls | undefined;
  /** An attempt with no line for this long is closed (default 300 s). */
  quietSeconds?: number | undefined;
}

export interface CorrelatorSinks {
  attempt?: ((attempt: Attempt) => void) | undefined;
  lookup?: ((lookup: DnsLookup) => void) | undefined;
}

const TLSA_PREFIX = "_25._tcp.";
const MAX_REMEMBERED_MESSAGES = 200_000;
const MAX_SOURCE_LINES = 500;
const MAX_HELD_ATTEMPTS = 10_000;

interface Resolution {
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
  /** Names under which resolutionsByHost finds this resolution. */
  indexedHosts: string[];
}

/** Evidence a connection could use, snapshotted when it opens (the cache moves on). */
interface Candidate {
  domain: string;
  host: string | null;
  mx: CacheEntry | null;
  a: CacheEntry | null;
  tlsa: CacheEntry | null;
  resolution: Resolution | null;
}

// `TLS failed: [Errno 54] Connection reset by peer` (the ICID form in the reference) or a timeout:
// the session ended before the certificate was judged, so it says nothing about the certificate.
const NETWORK_FAILURE = /\[Errno \d+\]|reset by peer|timed? ?out|broken pipe|connection (?:closed|refused|aborted)|unexpected eof|\beof\b/i;

/** True when a `TLS failed` reason shows the session failed before the certificate check. */
export function failedBeforeCertificate(reason: string | null): boolean {
  return reason !== null && NETWORK_FAILURE.test(reason) && !/certificate|verif|tlsa|dane/i.test(reason);
}

interface Connection {
  dcid: number;
  ip: string;
  interface: string;
  startMs: number | null;
  lastMs: number | null;
  source: SourceRef[];
  observed: Observed | null;
  daneDomain: string | null;
  /** The domain a `Connection Error: DCID n domain: ...` line names. */
  errorDomain: string | null;
  /** What a `TLS failed` line said; null without such a line or without a reason. */
  tlsFailure: string | null;
  mids: number[];
  recipients: string[];
  result: DeliveryResult;
  candidates: Candidate[];
  resolution: Resolution | null;
  utcKnown: boolean;
}

interface ApplianceState {
  host: string | null;
  resolvers: ResolverTable;
  dns: DnsTracker;
  cache: DnsCache;
  resolutions: Map<string, Resolution>;
  /** MX host (or CNAME target) -> open resolutions it serves. */
  resolutionsByHost: Map<string, Set<Resolution>>;
  connections: Map<number, Connection>;
  dcidByMid: Map<number, number>;
  /** MID -> RID -> recipient address, from the message's `To:` lines. */
  recipients: Map<number, Map<number, string>>;
  nowMs: number | null;
  lastSweepMs: number | null;
  /** Whether this appliance's times are known in UTC (a Time offset header, or --tz). */
  utcKnown: boolean;
}

function domainOfAddress(address: string): string | null {
  const at = address.lastIndexOf("@");
  if (at < 0 || at === address.length - 1) return null;
  return normalName(address.slice(at + 1));
}

function classification(entry: CacheEntry | null): ClassificationEvidence {
  if (entry === null) return "unknown";
  switch (entry.status) {
    case "secure":
    case "insecure":
    case "bogus":
    case "nxdomain":
      return entry.status;
    default:
      return "unknown";
  }
}

/** A TLSA answer with no records (NODATA) means no TLSA record: the table's NXDOMAIN. */
function tlsaClassification(entry: CacheEntry | null): ClassificationEvidence {
  if (entry !== null && entry.records.length === 0 && (entry.status === "none" || entry.status === "secure")) return "nxdomain";
  return classification(entry);
}


function entryOf(lookup: DnsLookup | undefined): CacheEntry | null {
  if (lookup === undefined || lookup.status === null) return null;
  return {
    name: lookup.name,
    qtype: lookup.qtype,
    status: lookup.status,
    records: lookup.records,
    atMs: lookup.endMs,
    expiresMs: Number.POSITIVE_INFINITY,
    lookup,
  };
}

/** What closing a connection or a resolution knows, before the policy replay. */
type AttemptParts = Pick<AttemptRecord, "host" | "dcid" | "mids" | "domain" | "mxHost" | "ip" | "evidence" | "observed"> &
  Pick<Attempt, "startMs" | "endMs" | "result" | "recipients" | "sendingIp"> & {
    delivered: boolean;
    cached: boolean;
    lookups: DnsLookup[];
    source: SourceRef[];
    utcKnown: boolean;
  };

export class Correlator {
  private readonly appliances = new Map<string, ApplianceState>();
  private readonly quietMs: number;
  private readonly defaultMode: ModeSetting;
  /** Closed attempts waiting to be emitted in start order. */
  private readonly ready: Attempt[] = [];
  private latestMs: number | null = null;

  constructor(
    private readonly options: CorrelatorOptions,
    private readonly sinks: CorrelatorSinks,
  ) {
    this.quietMs = (options.quietSeconds ?? 300) * 1000;
    this.defaultMode = options.mode ?? "unknown";
  }

  /**
   * Which appliance wrote each file of the file form, which names none in its lines: the serial
   * number of its `Version: ... SN:` header. Rotated files of one appliance share it; files of
   * two appliances read together keep apart (their IDs and DNS caches are their own).
   */
  private readonly serialByFile = new Map<string, string>();

  push(event: LogEvent): void {
    if (event.kind === "log-version" && event.serial !== null && event.host === null) this.serialByFile.set(event.file, event.serial);
    const serial = event.host === null ? this.serialByFile.get(event.file) : undefined;
    const state = this.appliance(event.host, serial);
    if (event.time !== null) {
      state.utcKnown = event.utcKnown;
      if (state.nowMs === null || event.time > state.nowMs) state.nowMs = event.time;
      if (this.latestMs === null || event.time > this.latestMs) this.latestMs = event.time;
    }
    if (!state.dns.push(event)) this.connectionEvent(state, event);
    this.maybeSweep(state);
  }

  end(): void {
    for (const state of this.appliances.values()) {
      state.dns.end();
      for (const connection of [...state.connections.values()]) this.closeConnection(state, connection);
      for (const resolution of [...state.resolutions.values()]) this.closeResolution(state, resolution);
    }
    this.emitReady(Number.POSITIVE_INFINITY);
  }

  /** Sizes of the working state, for tests of bounded memory. */
  debugSizes(): {
    connections: number;
    resolutions: number;
    cacheEntries: number;
    recipients: number;
    heldAttempts: number;
    openLookups: number;
    dcidByMid: number;
    hostIndex: number;
  } {
    const states = [...this.appliances.values()];
    const sum = (f: (s: ApplianceState) => number) => states.reduce((n, s) => n + f(s), 0);
    return {
      connections: sum((s) => s.connections.size),
      resolutions: sum((s) => s.resolutions.size),
      cacheEntries: sum((s) => s.cache.size),
      recipients: sum((s) => s.recipients.size),
      heldAttempts: this.ready.length,
      openLookups: sum((s) => s.dns.openCount),
      dcidByMid: sum((s) => s.dcidByMid.size),
      hostIndex: sum((s) => s.resolutionsByHost.size),
    };
  }

  resolverStats(): ResolverStats[] {
    return [...this.appliances.values()].flatMap((state) => state.resolvers.finish());
  }

  private appliance(host: string | null, serial?: string): ApplianceState {
    const key = host ?? (serial === undefined ? "" : `\u0000SN ${serial}`);
    let state = this.appliances.get(key);
    if (state === undefined) {
      const resolvers = new ResolverTable(host);
      const created: ApplianceState = {
        host,
        resolvers,
        dns: undefined as unknown as DnsTracker,
        cache: new DnsCache(),
        resolutions: new Map(),
        resolutionsByHost: new Map(),
        connections: new Map(),
        dcidByMid: new Map(),
        recipients: new Map(),
        nowMs: null,
        lastSweepMs: null,
        utcKnown: false,
      };
      created.dns = new DnsTracker(host, resolvers, (lookup) => this.lookupDone(created, lookup));
      this.appliances.set(key, created);
      state = created;
    }
    return state;
  }

  // --- DNS ----------------------------------------------------------------------------------

  private lookupDone(state: ApplianceState, lookup: DnsLookup): void {
    state.cache.put(lookup);
    if (lookup.qtype === "MX") {
      lookup.domain = lookup.name;
      const previous = state.resolutions.get(lookup.name);
      if (previous !== undefined) this.closeResolution(state, previous);
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
        utcKnown: state.utcKnown,
        indexedHosts: [],
      };
      state.resolutions.set(lookup.name, resolution);
      for (const host of resolution.hosts) this.indexHost(state, resolution, host);
    } else {
      const host = lookup.name.startsWith(TLSA_PREFIX) ? lookup.name.slice(TLSA_PREFIX.length) : lookup.name;
      const resolution = this.openResolutionForHost(state, host);
      if (resolution !== null) {
        const list = resolution.hostLookups.get(host) ?? [];
        list.push(lookup);
        resolution.hostLookups.set(host, list);
        if (lookup.endMs !== null) resolution.lastMs = lookup.endMs;
        lookup.domain = resolution.domain;
        // An MX host that is a CNAME: the target's lookups belong to the same resolution.
        if (lookup.qtype === "CNAME") {
          for (const r of lookup.records) if (typeof r === "string") this.indexHost(state, resolution, normalName(r));
        }
      } else {
        lookup.domain = state.cache.domainsForMxHost(host)[0] ?? null;
      }
    }
    this.sinks.lookup?.(lookup);
  }

  /** The most recent open resolution one of whose MX hosts is `host` (or a CNAME of it). */
  private openResolutionForHost(state: ApplianceState, host: string): Resolution | null {
    let best: Resolution | null = null;
    for (const resolution of state.resolutionsByHost.get(host) ?? []) {
      if (best === null || (resolution.startMs ?? 0) >= (best.startMs ?? 0)) best = resolution;
    }
    return best;
  }

  private indexHost(state: ApplianceState, resolution: Resolution, host: string): void {
    let set = state.resolutionsByHost.get(host);
    if (set === undefined) state.resolutionsByHost.set(host, (set = new Set()));
    set.add(resolution);
    resolution.indexedHosts.push(host);
  }

  private unindex(state: ApplianceState, resolution: Resolution): void {
    for (const host of resolution.indexedHosts) {
      const set = state.resolutionsByHost.get(host);
      set?.delete(resolution);
      if (set?.size === 0) state.resolutionsByHost.delete(host);
    }
    resolution.indexedHosts = [];
  }

  // --- connections --------------------------------------------------------------------------

  private connectionEvent(state: ApplianceState, event: LogEvent): void {
    switch (event.kind) {
      case "connection-new": {
        const existing = state.connections.get(event.dcid);
        if (existing !== undefined) this.closeConnection(state, existing);
        const connection: Connection = {
          dcid: event.dcid,
          ip: event.address,
          interface: event.interface,
          startMs: event.time,
          lastMs: event.time,
          source: [sourceOf(event)],
          observed: null,
          daneDomain: null,
          errorDomain: null,
          tlsFailure: null,
          mids: [],
          recipients: [],
          result: "unknown",
          candidates: this.candidatesFor(state, event.address, event.time),
          resolution: null,
          utcKnown: event.utcKnown,
        };
        const claimed = connection.candidates.find((c) => c.resolution !== null);
        if (claimed?.resolution) {
          connection.resolution = claimed.resolution;
          claimed.resolution.claims++;
          claimed.resolution.lastMs = event.time ?? claimed.resolution.lastMs;
        }
        state.connections.set(event.dcid, connection);
        return;
      }
      case "tls-success":
      case "tls-failed":
      case "connection-close":
      case "connection-error":
      case "delivery-start":
      case "message-done": {
        if (event.dcid === null) return;
        const connection = state.connections.get(event.dcid);
        if (connection === undefined) return;
        this.touch(connection, event);
        this.onConnection(state, connection, event);
        return;
      }
      case "delivery-response": {
        const dcid = state.dcidByMid.get(event.mid);
        const connection = dcid === undefined ? undefined : state.connections.get(dcid);
        if (connection !== undefined) this.touch(connection, event);
        return;
      }
      case "delivery-delayed":
      case "delivery-bounced": {
        const result: DeliveryResult = event.kind === "delivery-delayed" ? "delayed" : "bounced";
        const dcid = event.dcid !== null && event.dcid !== 0 ? event.dcid : event.mid !== null ? state.dcidByMid.get(event.mid) : undefined;
        const connection = dcid === undefined ? undefined : state.connections.get(dcid);
        if (connection !== undefined) {
          this.touch(connection, event);
          connection.result = result;
          return;
        }
        // DCID 0: the appliance gave up before connecting (e.g. a DNS hard error).
        const domain = event.to === null ? null : domainOfAddress(event.to);
        const resolution = domain === null ? undefined : state.resolutions.get(domain);
        if (resolution !== undefined) {
          if (event.mid !== null) resolution.mids.add(event.mid);
          resolution.result = result;
          resolution.extraSource.push(sourceOf(event));
        }
        return;
      }
      case "message-recipient": {
        let byRid = state.recipients.get(event.mid);
        if (byRid === undefined) {
          if (state.recipients.size >= MAX_REMEMBERED_MESSAGES) state.recipients.delete(state.recipients.keys().next().value!);
          byRid = new Map();
          state.recipients.set(event.mid, byRid);
        }
        byRid.set(event.rid, event.to);
        return;
      }
      case "message-finished":
        state.recipients.delete(event.mid);
        return;
      default:
        return;
    }
  }

  private touch(connection: Connection, event: LogEvent): void {
    if (connection.source.length < MAX_SOURCE_LINES) connection.source.push(sourceOf(event));
    if (event.time !== null) connection.lastMs = event.time;
  }

  private onConnection(state: ApplianceState, connection: Connection, event: LogEvent): void {
    switch (event.kind) {
      case "tls-success":
        connection.observed = event.daneDomain !== null ? "dane-success" : "tls";
        connection.daneDomain = event.daneDomain;
        return;
      case "tls-failed":
        connection.observed = "tls-failed";
        connection.tlsFailure = event.reason;
        return;
      case "connection-error":
        connection.result = "connection-error";
        connection.errorDomain = event.domain;
        return;
      case "delivery-start": {
        if (!connection.mids.includes(event.mid)) connection.mids.push(event.mid);
        state.dcidByMid.set(event.mid, connection.dcid);
        const byRid = state.recipients.get(event.mid);
        for (const rid of event.rids) {
          const address = byRid?.get(rid);
          if (address !== undefined && !connection.recipients.includes(address)) connection.recipients.push(address);
        }
        return;
      }
      case "message-done":
        connection.result = "delivered";
        if (connection.resolution !== null) connection.resolution.consumed = true;
        return;
      case "connection-close":
        this.closeConnection(state, connection);
        return;
      default:
        return;
    }
  }

  /** What the cache and the open resolutions say about a connection to `ip`. */
  private candidatesFor(state: ApplianceState, ip: string, atMs: number | null): Candidate[] {
    const candidates: Candidate[] = [];
    for (const host of state.cache.hostsForIp(ip)) {
      const a = state.cache.get(host, "A", atMs) ?? state.cache.get(host, "AAAA", atMs) ?? this.aOfAlias(state, host, atMs);
      const tlsa = state.cache.get(TLSA_PREFIX + host, "TLSA", atMs);
      const seen = new Set<string>();
      for (const resolution of state.resolutionsByHost.get(host) ?? []) {
        if (resolution.consumed || !resolution.hosts.includes(host)) continue;
        seen.add(resolution.domain);
        candidates.push({ domain: resolution.domain, host, mx: entryOf(resolution.mx), a, tlsa, resolution });
      }
      for (const domain of state.cache.domainsForMxHost(host)) {
        if (seen.has(domain)) continue;
        candidates.push({ domain, host, mx: state.cache.get(domain, "MX", atMs), a, tlsa, resolution: null });
      }
    }
    // Open resolutions first, the most recent first.
    return candidates.sort((x, y) => Number(y.resolution !== null) - Number(x.resolution !== null) || (y.resolution?.startMs ?? 0) - (x.resolution?.startMs ?? 0));
  }

  private aOfAlias(state: ApplianceState, host: string, atMs: number | null): CacheEntry | null {
    const cname = state.cache.get(host, "CNAME", atMs);
    const target = cname?.records.find((r): r is string => typeof r === "string");
    return target === undefined ? null : state.cache.get(normalName(target), "A", atMs);
  }

  /** Evidence for a domain known only from the log's words (for-domain, recipients), from the cache. */
  private candidateFromCache(state: ApplianceState, domain: string, ip: string | null, atMs: number | null): Candidate {
    const mx = state.cache.get(domain, "MX", atMs);
    const hosts = mx === null ? [] : mxHosts(mx.records);
    const host = (ip === null ? undefined : hosts.find((h) => state.cache.get(h, "A", atMs)?.records.includes(ip))) ?? (hosts.length === 1 ? hosts[0]! : null);
    const a = host === null ? null : state.cache.get(host, "A", atMs);
    const aMatches = a !== null && (ip === null || a.records.includes(ip));
    return { domain, host, mx, a: aMatches ? a : null, tlsa: host === null ? null : state.cache.get(TLSA_PREFIX + host, "TLSA", atMs), resolution: null };
  }

  // --- closing -------------------------------------------------------------------------------

  private closeConnection(state: ApplianceState, connection: Connection): void {
    state.connections.delete(connection.dcid);
    for (const mid of connection.mids) if (state.dcidByMid.get(mid) === connection.dcid) state.dcidByMid.delete(mid);
    const recipientDomain = connection.recipients.map(domainOfAddress).find((d) => d !== null) ?? null;
    const domain = connection.daneDomain ?? recipientDomain ?? connection.errorDomain ?? connection.candidates[0]?.domain ?? null;
    let candidate = domain === null ? undefined : connection.candidates.find((c) => c.domain === domain);
    if (candidate === undefined && domain !== null) candidate = this.candidateFromCache(state, domain, connection.ip, connection.startMs);
    // The resolution this attempt belongs to is the one of its final domain.
    const resolution = candidate?.resolution ?? (domain === null ? null : this.resolutionIfClaimable(state, domain, connection));
    if (resolution !== null && connection.resolution !== resolution) {
      resolution.claims++;
      if (connection.result === "delivered") resolution.consumed = true;
    }
    // The resolution's own lookups are this delivery's evidence whatever their TTL (the tech
    // note's A records have TTL 10): fill in what the cache no longer held at the connection.
    if (resolution !== null) candidate = this.withOwnLookups(candidate, resolution, connection.ip);
    // A connection that failed before any TLS or message (`Connection Error ... timeout`) was
    // never an SMTP session: nothing went over it, in plaintext or otherwise.
    const neverConnected = connection.result === "connection-error" && connection.mids.length === 0;
    const observed: Observed = connection.observed ?? (neverConnected ? "no-connection" : "plaintext");
    const cert: CertEvidence = observed === "dane-success" ? "success" : observed === "tls-failed" && !failedBeforeCertificate(connection.tlsFailure) ? "failed" : "unknown";
    const lookups: DnsLookup[] = [];
    const entries = [candidate?.mx ?? null, candidate?.a ?? null, candidate?.tlsa ?? null];
    let cached = false;
    for (const entry of entries) {
      if (entry === null) continue;
      lookups.push(entry.lookup);
      if (resolution === null || !this.belongsTo(resolution, entry.lookup)) cached = true;
    }
    if (resolution !== null && candidate?.host) {
      for (const lookup of resolution.hostLookups.get(candidate.host) ?? []) if (!lookups.includes(lookup)) lookups.push(lookup);
    }
    this.finishAttempt({
      host: state.host,
      startMs: connection.startMs,
      endMs: connection.lastMs,
      dcid: connection.dcid,
      mids: connection.mids,
      domain,
      mxHost: candidate?.host ?? null,
      ip: connection.ip,
      evidence: {
        mx: classification(candidate?.mx ?? null),
        a: classification(candidate?.a ?? null),
        tlsa: tlsaClassification(candidate?.tlsa ?? null),
        cert,
      },
      observed,
      delivered: connection.result === "delivered",
      cached,
      lookups,
      source: connection.source,
      result: connection.result,
      recipients: connection.recipients,
      sendingIp: /^[\d.]+$|:/.test(connection.interface) ? connection.interface : null,
      utcKnown: connection.utcKnown,
    });
  }

  private withOwnLookups(candidate: Candidate | undefined, resolution: Resolution, ip: string): Candidate {
    const latest = (name: string, match: (l: DnsLookup) => boolean) => [...(resolution.hostLookups.get(name) ?? [])].reverse().find((l) => l.status !== null && match(l));
    const addressLookup = (host: string) => {
      const target = latest(host, (l) => l.qtype === "CNAME")?.records.find((r): r is string => typeof r === "string");
      const names = target === undefined ? [host] : [host, normalName(target)];
      for (const name of names) {
        const found = latest(name, (l) => (l.qtype === "A" || l.qtype === "AAAA") && l.records.includes(ip));
        if (found !== undefined) return found;
      }
      return undefined;
    };
    const host = candidate?.host ?? resolution.hosts.find((h) => addressLookup(h) !== undefined) ?? null;
    return {
      domain: resolution.domain,
      host,
      mx: candidate?.mx ?? entryOf(resolution.mx),
      a: candidate?.a ?? (host === null ? null : entryOf(addressLookup(host))),
      tlsa: candidate?.tlsa ?? (host === null ? null : entryOf(latest(host, (l) => l.qtype === "TLSA"))),
      resolution,
    };
  }

  private resolutionIfClaimable(state: ApplianceState, domain: string, connection: Connection): Resolution | null {
    const resolution = state.resolutions.get(domain);
    if (resolution === undefined || resolution.consumed) return null;
    const host = resolution.hosts.find((h) => resolution.hostLookups.get(h)?.some((l) => l.records.includes(connection.ip)));
    return host === undefined ? null : resolution;
  }

  private belongsTo(resolution: Resolution, lookup: DnsLookup): boolean {
    if (resolution.mx === lookup) return true;
    for (const list of resolution.hostLookups.values()) if (list.includes(lookup)) return true;
    return false;
  }

  private closeResolution(state: ApplianceState, resolution: Resolution): void {
    if (state.resolutions.get(resolution.domain) === resolution) state.resolutions.delete(resolution.domain);
    this.unindex(state, resolution);
    if (resolution.claims > 0) return;
    // A host the appliance went on to look up; in MX preference order.
    const host = resolution.hosts.find((h) => resolution.hostLookups.has(h)) ?? null;
    const hostLookups = host === null ? [] : (resolution.hostLookups.get(host) ?? []);
    const mxStatus = classification(entryOf(resolution.mx));
    const failedOnly = resolution.mx.status === null && resolution.mx.failures.length > 0;
    // Only what looks like an outbound DANE check: other MX lookups (sender checks) are not attempts.
    if (hostLookups.length === 0 && mxStatus !== "bogus" && mxStatus !== "nxdomain" && !failedOnly) return;
    const last = (qtype: string) => entryOf([...hostLookups].reverse().find((l) => l.qtype === qtype && l.status !== null));
    this.finishAttempt({
      host: state.host,
      startMs: resolution.startMs,
      endMs: resolution.lastMs,
      dcid: null,
      mids: [...resolution.mids],
      domain: resolution.domain,
      mxHost: host,
      ip: null,
      evidence: {
        mx: mxStatus,
        a: classification(last("A")),
        tlsa: tlsaClassification(last("TLSA")),
        cert: "unknown",
      },
      observed: "no-connection",
      delivered: false,
      cached: false,
      lookups: [resolution.mx, ...hostLookups],
      source: resolution.extraSource,
      result: resolution.result,
      recipients: [],
      sendingIp: null,
      utcKnown: resolution.utcKnown,
    });
  }

  private finishAttempt(parts: AttemptParts): void {
    const { evidence, observed } = parts;
    const input: PolicyInput = evidence;
    const byMode = evaluateBothModes(input);
    const mode = modeFor(this.options.destinationControls, parts.domain, this.defaultMode);
    const { decision, row } = decide(mode, byMode);
    const flags: AttemptFlag[] = [];
    const bogus = { mx: evidence.mx === "bogus", a: evidence.a === "bogus", tlsa: evidence.tlsa === "bogus" };
    if (bogus.mx || bogus.a || bogus.tlsa) flags.push("bogus");
    const fallbacks = parts.lookups.filter((l) => l.fallback).length;
    if (fallbacks > 0) flags.push("resolver-fallback");
    if (observed === "dane-success") flags.push("dane-success");
    if (parts.cached) flags.push("cached");
    if (contradicts(mode, byMode, observed, parts.delivered)) flags.push("mismatch");
    if (decision === "undetermined") flags.push("undetermined");
    const resolvers: string[] = [];
    for (const lookup of parts.lookups) if (lookup.answeredBy !== null && !resolvers.includes(lookup.answeredBy)) resolvers.push(lookup.answeredBy);
    const refs: SourceRef[] = [...parts.source];
    for (const lookup of parts.lookups) for (const ref of lookup.source) refs.push(ref);
    const source = formatSources(refs);
    const attempt: Attempt = {
      record: {
        host: parts.host,
        start: formatInstant(parts.startMs, parts.utcKnown),
        end: formatInstant(parts.endMs, parts.utcKnown),
        dcid: parts.dcid,
        mids: parts.mids,
        domain: parts.domain,
        mxHost: parts.mxHost,
        ip: parts.ip,
        evidence,
        mode,
        decisionByMode: { mandatory: byMode.mandatory.decision, opportunistic: byMode.opportunistic.decision },
        decision,
        row,
        observed,
        flags,
        resolvers,
        source,
      },
      startMs: parts.startMs,
      endMs: parts.endMs,
      missing: { mandatory: byMode.mandatory.missing, opportunistic: byMode.opportunistic.missing },
      bogus,
      result: parts.result,
      fallbacks,
      recipients: parts.recipients,
      sendingIp: parts.sendingIp,
    };
    this.ready.push(attempt);
  }

  // --- time ----------------------------------------------------------------------------------

  private maybeSweep(state: ApplianceState): void {
    const now = state.nowMs;
    if (now === null) return;
    const interval = Math.min(this.quietMs / 4, 30_000);
    if (state.lastSweepMs !== null && now - state.lastSweepMs < interval) return;
    state.lastSweepMs = now;
    state.dns.sweep(now, this.quietMs);
    for (const connection of [...state.connections.values()]) {
      if (connection.lastMs !== null && now - connection.lastMs > this.quietMs) this.closeConnection(state, connection);
    }
    for (const resolution of [...state.resolutions.values()]) {
      if (resolution.lastMs !== null && now - resolution.lastMs > this.quietMs) this.closeResolution(state, resolution);
    }
    state.cache.expire(now);
    // Attempts close out of order; holding a bounded number lets most come out in start order.
    if (this.latestMs !== null && this.ready.length > MAX_HELD_ATTEMPTS) this.emitReady(this.latestMs - 2 * this.quietMs);
  }

  /** Emits closed attempts that started before `watermark`, in start order. */
  private emitReady(watermark: number): void {
    if (this.ready.length === 0) return;
    this.ready.sort((a, b) => (a.startMs ?? 0) - (b.startMs ?? 0));
    let count = 0;
    while (count < this.ready.length && (this.ready[count]!.startMs ?? Number.NEGATIVE_INFINITY) <= watermark) count++;
    const out = this.ready.splice(0, count);
    for (const attempt of out) this.sinks.attempt?.(attempt);
  }
}

/** The decision for the configured mode (see the contract's `decision` and `row`). */
function decide(mode: ModeSetting, byMode: Record<"mandatory" | "opportunistic", PolicyResult>): { decision: Decision | "not-applicable"; row: string | null } {
  if (mode === "mandatory" || mode === "opportunistic") return { decision: byMode[mode].decision, row: byMode[mode].row };
  if (mode === "none") return { decision: "not-applicable", row: null };
  const same = byMode.mandatory.decision === byMode.opportunistic.decision;
  return { decision: same ? byMode.mandatory.decision : "undetermined", row: null };
}

/**
 * The log contradicts the replay: DANE succeeded where the table allows no success, or a
 * message was delivered where the table says DANE Fail (the appliance must hold it).
 */
function contradicts(mode: ModeSetting, byMode: Record<"mandatory" | "opportunistic", PolicyResult>, observed: Observed, delivered: boolean): boolean {
  const modes: PolicyResult[] = mode === "mandatory" || mode === "opportunistic" ? [byMode[mode]] : mode === "none" ? [] : [byMode.mandatory, byMode.opportunistic];
  if (observed === "dane-success") return modes.every((r) => !r.possible.includes("dane-success"));
  if (delivered) return modes.length > 0 && modes.every((r) => r.decision === "dane-fail");
  return false;
}
