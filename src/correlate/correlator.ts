// Rebuilds delivery attempts from events. Per appliance (IDs are unique only per appliance):
//
// - DNS lookups are assembled (dns.ts) and replayed into a cache (cache.ts);
// - a live MX lookup opens a *resolution* for its domain; the A, CNAME and TLSA lookups of its
//   MX hosts that follow attach to it (resolutions.ts);
// - `New SMTP DCID ... address IP` opens a connection (connections.ts); the IP leads through the
//   cache to the MX host and the domain, and claims the open resolution of that domain
//   (attribution.ts);
// - an attempt closes at `DCID close` or after a quiet period, and its evidence (evidence.ts) is
//   replayed through the policy table (decision.ts). A resolution no connection claimed becomes
//   an attempt with `dcid: null` (a daneverify run, or a Bogus MX that stopped delivery).
// - attempts come out in start order (emit-order.ts).
import type { LogEvent } from "../events/types.js";
import { addressOfAlias, candidateFromCache, candidatesFor, commonEntry, domainFromCandidates, withOwnLookups, type Candidate } from "./attribution.js";
import { DnsCache, mxHosts, type CacheEntry } from "./cache.js";
import { applyConnectionEvent, observedOf, openConnection, sendingIpOf, touchConnection, type Connection } from "./connections.js";
import { buildAttempt, type AttemptParts } from "./decision.js";
import { modeFor, type DestinationControls } from "./destination-controls.js";
import { DnsTracker, normalName } from "./dns.js";
import { AttemptQueue } from "./emit-order.js";
import { certEvidence, classification, entryOf, tlsaClassification } from "./evidence.js";
import { domainOfAddress, Messages } from "./messages.js";
import { ResolverTable } from "./resolver-table.js";
import { belongsTo, hostOfLookup, latestLookup, Resolutions, TLSA_PREFIX, type Resolution } from "./resolutions.js";
import { sourceOf } from "./sources.js";
import type { Attempt, DeliveryResult, DnsLookup, ModeSetting, ResolverStats } from "./types.js";

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

/** Closed attempts held for ordering at most (see releaseClosed). */
const MAX_HELD_ATTEMPTS = 10_000;
/** How long before its `New SMTP DCID` line a delivery may have read the cache (an answer expiring in between still counted). */
const DECISION_LEAD_MS = 2_000;
/** How far apart the lookups of concurrent deliveries to a shared MX host can be. */
const CONCURRENT_MS = 10_000;
/** The lookups of an MX host that make up a delivery's chain after the MX step. */
const CHAIN_TYPES = new Set(["A", "AAAA", "CNAME", "TLSA"]);

interface ApplianceState {
  host: string | null;
  resolvers: ResolverTable;
  dns: DnsTracker;
  cache: DnsCache;
  resolutions: Resolutions;
  connections: Map<number, Connection>;
  messages: Messages;
  /**
   * Names seen as MX hosts (named by an MX answer, or looked up as `_25._tcp.<host>`), even after
   * their answers left the cache: a lone A lookup of one is a delivery's, not an inbound check's.
   */
  mxHostsSeen: Set<string>;
  nowMs: number | null;
  lastSweepMs: number | null;
  /**
   * The earliest start among this appliance's open lookups, resolutions and connections at its
   * last sweep (null: none open, or none timed): an attempt that starts then may still close.
   */
  openSinceMs: number | null;
  /** Whether this appliance's times are known in UTC (a Time offset header, or --tz). */
  utcKnown: boolean;
}

const MAX_MX_HOSTS_SEEN = 100_000;

/** The earlier of two times, null (none) giving way to the other. */
function earlier(a: number | null, b: number | null): number | null {
  return a === null || (b !== null && b < a) ? b : a;
}

function rememberMxHost(state: ApplianceState, host: string): void {
  if (state.mxHostsSeen.has(host)) return;
  // Bounded: forget the oldest.
  if (state.mxHostsSeen.size >= MAX_MX_HOSTS_SEEN) state.mxHostsSeen.delete(state.mxHostsSeen.values().next().value!);
  state.mxHostsSeen.add(host);
}

export class Correlator {
  private readonly appliances = new Map<string, ApplianceState>();
  private readonly quietMs: number;
  private readonly defaultMode: ModeSetting;
  /** Closed attempts waiting to be emitted in start order. */
  private readonly ready: AttemptQueue;
  private latestMs: number | null = null;
  /** The latest time in the input being read (see beginInput). */
  private inputLatestMs: number | null = null;
  /** When the inputs not read yet start (see beginInput). */
  private laterInputsFromMs = Number.POSITIVE_INFINITY;

  constructor(
    private readonly options: CorrelatorOptions,
    private readonly sinks: CorrelatorSinks,
  ) {
    this.quietMs = (options.quietSeconds ?? 300) * 1000;
    this.defaultMode = options.mode ?? "unknown";
    this.ready = new AttemptQueue((attempt) => this.sinks.attempt?.(attempt), MAX_HELD_ATTEMPTS);
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
      if (this.inputLatestMs === null || event.time > this.inputLatestMs) this.inputLatestMs = event.time;
    }
    if (!state.dns.push(event)) this.connectionEvent(state, event);
    this.maybeSweep(state);
  }

  /**
   * A new input begins; `laterInputsFromMs` is the earliest time the inputs after it start at
   * (+Infinity: none follows; -Infinity: one does, and when it starts is not known). Two
   * appliances' files read one after the other go back in time: what the first one closed after
   * the second one starts is held until the second one's lines pass it, so that the attempts
   * still come out in start order.
   */
  beginInput(laterInputsFromMs: number): void {
    this.laterInputsFromMs = laterInputsFromMs;
    this.inputLatestMs = null;
  }

  end(): void {
    for (const state of this.appliances.values()) {
      state.dns.end();
      for (const connection of [...state.connections.values()]) this.closeConnection(state, connection);
      for (const resolution of state.resolutions.all()) this.closeResolution(state, resolution);
    }
    this.ready.release(Number.POSITIVE_INFINITY);
  }

  /** Attempts emitted after one that started later, and the first of them (see AttemptQueue). */
  attemptsOutOfOrder(): { count: number; first: Attempt | null } {
    return { count: this.ready.outOfOrder, first: this.ready.firstOutOfOrder };
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
      recipients: sum((s) => s.messages.size),
      heldAttempts: this.ready.size,
      openLookups: sum((s) => s.dns.openCount),
      dcidByMid: sum((s) => s.messages.deliveringSize),
      hostIndex: sum((s) => s.resolutions.hostIndexSize),
    };
  }

  resolverStats(): ResolverStats[] {
    return [...this.appliances.values()].flatMap((state) => state.resolvers.finish());
  }

  /** The last appliance looked up: runs of lines come from one appliance. */
  private lastAppliance: { host: string | null; serial: string | undefined; state: ApplianceState } | null = null;

  private appliance(host: string | null, serial?: string): ApplianceState {
    const last = this.lastAppliance;
    if (last !== null && last.host === host && last.serial === serial) return last.state;
    const state = this.applianceByKey(host, serial);
    this.lastAppliance = { host, serial, state };
    return state;
  }

  private applianceByKey(host: string | null, serial: string | undefined): ApplianceState {
    const key = host ?? (serial === undefined ? "" : `\u0000SN ${serial}`);
    let state = this.appliances.get(key);
    if (state === undefined) {
      const resolvers = new ResolverTable(host);
      const created: ApplianceState = {
        host,
        resolvers,
        dns: undefined as unknown as DnsTracker,
        cache: new DnsCache(),
        resolutions: new Resolutions(),
        connections: new Map(),
        messages: new Messages(),
        mxHostsSeen: new Set(),
        nowMs: null,
        lastSweepMs: null,
        openSinceMs: null,
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
    // What the cache held before this answer: a chain's other records, answered from the cache.
    const host = lookup.qtype === "MX" ? null : hostOfLookup(lookup.name);
    const before = host === null || !CHAIN_TYPES.has(lookup.qtype) ? null : this.cachedChain(state, host, lookup.startMs);
    state.cache.put(lookup);
    if (lookup.qtype === "MX") {
      lookup.domain = lookup.name;
      const previous = state.resolutions.get(lookup.name);
      if (previous !== undefined) this.closeResolution(state, previous);
      for (const named of mxHosts(lookup.records)) rememberMxHost(state, named);
      const first = mxHosts(lookup.records)[0];
      const resolution = state.resolutions.open(lookup, state.utcKnown, first === undefined ? { cachedA: null, cachedTlsa: null } : this.cachedChain(state, first, lookup.startMs));
      resolution.mids = new Set(state.messages.queuedFor(lookup.name, lookup.startMs));
    } else if (host !== null && lookup.qtype === "TLSA") rememberMxHost(state, host);
    if (lookup.qtype !== "MX" && state.resolutions.attach(lookup) === null && host !== null && before !== null) {
      this.openFromCache(state, host, lookup, before);
    }
    this.sinks.lookup?.(lookup);
  }

  /** The A (or AAAA, or the A of its CNAME target) and TLSA answers the cache holds for an MX host. */
  private cachedChain(state: ApplianceState, host: string, atMs: number | null): { cachedA: CacheEntry | null; cachedTlsa: CacheEntry | null } {
    const cache = state.cache;
    // The A answer only: AAAA and CNAME answers are cached apart (a NODATA AAAA says nothing of the A).
    const cachedA = cache.get(host, "A", atMs) ?? addressOfAlias(cache, host, atMs);
    return { cachedA, cachedTlsa: cache.get(TLSA_PREFIX + host, "TLSA", atMs) };
  }

  /**
   * A lookup of an MX host with no resolution to take it: a run whose MX answer came from the
   * cache (a retry of a queued message, or a first attempt whose MX was cached before the log
   * starts). The domain is what the cache maps the host to; the cached answers fill in.
   */
  private openFromCache(state: ApplianceState, name: string, lookup: DnsLookup, before: { cachedA: CacheEntry | null; cachedTlsa: CacheEntry | null }): void {
    const known = state.cache.mxHostOf(name, lookup.startMs);
    const host = known?.host ?? name;
    const domains = known?.domains ?? [];
    const domain = domains.length === 1 ? domains[0]! : null;
    if (domain !== null) {
      const previous = state.resolutions.get(domain);
      if (previous !== undefined) this.closeResolution(state, previous);
    }
    const hostBefore = host === name ? before : this.cachedChain(state, host, lookup.startMs);
    // Snapshot now: by the time the attempt closes the cache may have moved on.
    const cachedMx = commonEntry(domains.map((d) => state.cache.get(d, "MX", lookup.startMs)));
    const resolution = state.resolutions.openFromCache(host, domains, lookup.startMs, state.utcKnown, { cachedMx, ...hostBefore });
    if (host !== name) state.resolutions.alsoIndex(resolution, name);
    state.resolutions.addLookup(resolution, name, lookup);
    if (domain !== null) resolution.mids = new Set(state.messages.queuedFor(domain, lookup.startMs));
  }

  // --- connections --------------------------------------------------------------------------

  private connectionEvent(state: ApplianceState, event: LogEvent): void {
    switch (event.kind) {
      case "connection-new": {
        const existing = state.connections.get(event.dcid);
        if (existing !== undefined) this.closeConnection(state, existing);
        // The appliance read its cache when it decided, a moment before the connection line.
        const decidedMs = event.time === null ? null : event.time - DECISION_LEAD_MS;
        const connection = openConnection(event, candidatesFor(state.cache, state.resolutions, event.address, decidedMs));
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
        if (event.kind === "message-done") state.messages.dequeue(event.mid);
        if (event.dcid === null) return;
        const connection = state.connections.get(event.dcid);
        if (connection === undefined) return;
        touchConnection(connection, event);
        if (applyConnectionEvent(connection, event, state.messages)) this.closeConnection(state, connection);
        return;
      }
      case "delivery-response": {
        const dcid = state.messages.dcidOf(event.mid);
        const connection = dcid === undefined ? undefined : state.connections.get(dcid);
        if (connection !== undefined) touchConnection(connection, event);
        return;
      }
      case "delivery-delayed":
      case "delivery-bounced": {
        const result: DeliveryResult = event.kind === "delivery-delayed" ? "delayed" : "bounced";
        const dcid = event.dcid !== null && event.dcid !== 0 ? event.dcid : event.mid !== null ? state.messages.dcidOf(event.mid) : undefined;
        const connection = dcid === undefined ? undefined : state.connections.get(dcid);
        if (result === "bounced" && event.mid !== null) state.messages.dequeue(event.mid);
        if (connection !== undefined) {
          touchConnection(connection, event);
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
      case "message-recipient":
        state.messages.recipient(event.mid, event.rid, event.to);
        return;
      case "message-queued":
        state.messages.enqueue(event.mid, event.time);
        return;
      case "message-finished":
        state.messages.finished(event.mid);
        return;
      default:
        return;
    }
  }

  // --- closing -------------------------------------------------------------------------------

  private closeConnection(state: ApplianceState, connection: Connection): void {
    state.connections.delete(connection.dcid);
    state.messages.connectionClosed(connection.mids, connection.dcid);
    const recipientDomain = connection.recipients.map(domainOfAddress).find((d) => d !== null) ?? null;
    const named = connection.daneDomain ?? recipientDomain ?? connection.errorDomain;
    const { domain, domainCandidates } = named !== null ? { domain: named, domainCandidates: [] } : domainFromCandidates(connection.candidates);
    let candidate: Candidate | undefined;
    if (domain !== null) {
      // A chain from the cache at a host whose domain the cache did not know is this domain's.
      candidate = connection.candidates.find((c) => c.domain === domain) ?? connection.candidates.find((c) => c.domain === null);
      if (candidate?.domain === null) candidate = { ...candidate, domain, mx: state.cache.get(domain, "MX", connection.startMs) };
      candidate ??= candidateFromCache(state.cache, domain, connection.ip, connection.startMs);
    } else if (connection.candidates.length > 0) {
      const first = connection.candidates[0]!;
      candidate = { ...first, mx: commonEntry(connection.candidates.map((c) => c.mx)) };
    }
    // The resolution this attempt belongs to is the one of its final domain.
    const resolution = candidate?.resolution ?? (domain === null ? null : state.resolutions.claimable(domain, connection.ip, connection.startMs));
    if (resolution !== null && connection.resolution !== resolution) {
      resolution.claims++;
      if (connection.result === "delivered") resolution.consumed = true;
    }
    // The resolution claimed when the connection opened was another domain's (a shared MX
    // host): give it back, and if it closed meanwhile it is an attempt of its own.
    const provisional = connection.resolution;
    if (provisional !== null && provisional !== resolution) {
      provisional.claims--;
      if (provisional.claims === 0 && provisional.closed) this.finishUnclaimed(state, provisional);
    }
    if (resolution !== null) candidate = withOwnLookups(candidate, resolution, connection.ip);
    if (candidate?.host) rememberMxHost(state, candidate.host);
    const observed = observedOf(connection);
    const lookups: DnsLookup[] = [];
    const cachedLookups: DnsLookup[] = [];
    let cached = resolution !== null && resolution.mx === null;
    for (const entry of [candidate?.mx ?? null, candidate?.a ?? null, candidate?.tlsa ?? null]) {
      if (entry === null) continue;
      if (resolution !== null && belongsTo(resolution, entry.lookup)) lookups.push(entry.lookup);
      else {
        cachedLookups.push(entry.lookup);
        cached = true;
      }
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
      domainCandidates,
      mxHost: candidate?.host ?? null,
      ip: connection.ip,
      evidence: {
        mx: classification(candidate?.mx ?? null),
        a: classification(candidate?.a ?? null),
        tlsa: tlsaClassification(candidate?.tlsa ?? null),
        cert: certEvidence(observed, connection.tlsFailure),
      },
      observed,
      delivered: connection.result === "delivered",
      cached,
      lookups,
      cachedLookups,
      source: connection.source,
      result: connection.result,
      recipients: connection.recipients,
      sendingIp: sendingIpOf(connection),
      utcKnown: connection.utcKnown,
    });
  }

  private closeResolution(state: ApplianceState, resolution: Resolution): void {
    state.resolutions.remove(resolution);
    resolution.closed = true;
    if (resolution.claims === 0) this.finishUnclaimed(state, resolution);
  }

  /** A resolution no connection took: an attempt without connection, if it looks like a delivery's. */
  private finishUnclaimed(state: ApplianceState, resolution: Resolution): void {
    // A host the appliance went on to look up, in MX preference order; else the first the answer names.
    const looked = resolution.hosts.find((h) => resolution.hostLookups.has(h));
    const host = looked ?? resolution.hosts[0] ?? null;
    const own = this.ownChain(resolution, looked ?? null);
    const mxEntry = resolution.mx === null ? resolution.cachedMx : entryOf(resolution.mx);
    const mxStatus = classification(mxEntry);
    // Concurrent deliveries to domains sharing an MX host: the host's A lookup attached to one
    // of them, and the others used its answer from the cache.
    // The chain goes on past the MX step only after a Secure or Insecure answer.
    const chainGoesOn = mxStatus === "secure" || mxStatus === "insecure" || (resolution.mx === null && mxStatus === "unknown");
    const a = own.a ?? (!chainGoesOn ? null : (resolution.cachedA ?? (host === null ? null : this.answeredMeanwhile(state, host, resolution))));
    if (!this.looksLikeDelivery(resolution, own, mxStatus, a !== null, host !== null && state.mxHostsSeen.has(host))) return;
    if (host !== null) rememberMxHost(state, host);
    const aStatus = classification(a);
    // The appliance looks TLSA up only after a Secure A: a cached TLSA answer counts only then.
    const tlsa = own.tlsa ?? (aStatus === "secure" ? resolution.cachedTlsa : null);
    const cached = resolution.mx === null || (own.a === null && a !== null) || (own.tlsa === null && tlsa !== null);
    const lookups = resolution.mx === null ? own.lookups : [resolution.mx, ...own.lookups];
    const fromCache: DnsLookup[] = [];
    for (const entry of [resolution.mx === null ? mxEntry : null, own.a === null ? a : null, own.tlsa === null ? tlsa : null]) if (entry !== null) fromCache.push(entry.lookup);
    const domain = resolution.domain;
    const mids = domain === null ? [] : this.queuedMids(state, resolution, domain);
    this.finishAttempt({
      host: state.host,
      startMs: resolution.startMs,
      endMs: resolution.lookupsEndMs,
      dcid: null,
      mids,
      domain,
      domainCandidates: resolution.domainCandidates,
      mxHost: host,
      ip: null,
      evidence: { mx: mxStatus, a: aStatus, tlsa: tlsaClassification(tlsa), cert: "unknown" },
      observed: "no-connection",
      delivered: false,
      cached,
      lookups,
      cachedLookups: fromCache,
      source: resolution.extraSource,
      result: resolution.result,
      recipients: [],
      sendingIp: null,
      utcKnown: resolution.utcKnown,
    });
  }

  /** The resolution's own lookups of `host` (with its CNAME target's) and the latest A and TLSA answers among them. */
  private ownChain(resolution: Resolution, host: string | null): { lookups: DnsLookup[]; a: CacheEntry | null; tlsa: CacheEntry | null } {
    if (host === null) return { lookups: [], a: null, tlsa: null };
    const lookups = [...(resolution.hostLookups.get(host) ?? [])];
    const target = latestLookup(resolution, host, (l) => l.qtype === "CNAME")?.records.find((r): r is string => typeof r === "string");
    if (target !== undefined) for (const l of resolution.hostLookups.get(normalName(target)) ?? []) lookups.push(l);
    let a: DnsLookup | undefined;
    let tlsa: DnsLookup | undefined;
    for (const l of lookups) {
      if (l.status === null) continue;
      if (l.qtype === "A") a = l;
      else if (l.qtype === "TLSA") tlsa = l;
    }
    return { lookups, a: entryOf(a), tlsa: entryOf(tlsa) };
  }

  /** An A answer for the host that another run's lookup put in the cache while this resolution was open. */
  private answeredMeanwhile(state: ApplianceState, host: string, resolution: Resolution): CacheEntry | null {
    const entry = state.cache.get(host, "A", resolution.lookupsEndMs);
    if (entry === null || entry.atMs === null || resolution.startMs === null) return null;
    return entry.atMs >= resolution.startMs && entry.atMs - resolution.startMs <= CONCURRENT_MS ? entry : null;
  }

  /**
   * Only what looks like an outbound DANE check is an attempt: an MX lookup that failed, came back
   * Bogus or NXDOMAIN, or was followed by its host's lookups or by cached ones; a chain from the
   * cache at a known MX host, or with the AAAA/CNAME/TLSA lookups of a delivery, or a Bogus A.
   * Not: an MX lookup alone (a sender check), a lone A lookup answered (an inbound connection's
   * forward check).
   */
  private looksLikeDelivery(resolution: Resolution, own: { lookups: DnsLookup[] }, mxStatus: string, addressKnown: boolean, knownMxHost: boolean): boolean {
    if (resolution.mx !== null) {
      const failedOnly = resolution.mx.status === null && resolution.mx.failures.length > 0;
      return own.lookups.length > 0 || mxStatus === "bogus" || mxStatus === "nxdomain" || failedOnly || addressKnown;
    }
    if (resolution.domain !== null || resolution.domainCandidates.length > 0) return true;
    // A Bogus A answer ends a delivery's chain there (no AAAA, CNAME or TLSA follows); the AAAA
    // and CNAME answers may still be cached, so a lone A lookup of a known MX host is a delivery's too.
    return knownMxHost || own.lookups.some((l) => l.qtype !== "A" || l.status === "bogus");
  }

  /** The messages waiting for the domain when the attempt ran, with those a bounce or delay line linked. */
  private queuedMids(state: ApplianceState, resolution: Resolution, domain: string): number[] {
    const mids = new Set(resolution.mids);
    for (const mid of state.messages.queuedFor(domain, resolution.lookupsEndMs)) mids.add(mid);
    return [...mids].sort((a, b) => a - b);
  }

  private finishAttempt(parts: AttemptParts): void {
    // Nobody asked for attempts (`alert` reads lookups only): the policy replay and the queue
    // that holds attempts for ordering would be work for nothing. Closing connections and
    // resolutions still runs: it decides which run later lookups belong to.
    if (this.sinks.attempt === undefined) return;
    const mode = modeFor(this.options.destinationControls, parts.domain, this.defaultMode);
    this.ready.hold(buildAttempt(parts, mode));
  }

  // --- time ----------------------------------------------------------------------------------

  private maybeSweep(state: ApplianceState): void {
    const now = state.nowMs;
    if (now === null) return;
    const interval = Math.min(this.quietMs / 4, 30_000);
    if (state.lastSweepMs !== null && now - state.lastSweepMs < interval) return;
    state.lastSweepMs = now;
    state.dns.sweep(now, this.quietMs);
    let openSince = state.dns.openSinceMs();
    for (const connection of [...state.connections.values()]) {
      if (connection.lastMs !== null && now - connection.lastMs > this.quietMs) this.closeConnection(state, connection);
      else openSince = earlier(openSince, connection.startMs);
    }
    for (const resolution of state.resolutions.all()) {
      if (resolution.lastMs !== null && now - resolution.lastMs > this.quietMs) this.closeResolution(state, resolution);
      else openSince = earlier(openSince, resolution.startMs);
    }
    state.openSinceMs = openSince;
    // Kept a little past expiry: a connection logged just after may have read them (DECISION_LEAD_MS).
    state.cache.expire(now - DECISION_LEAD_MS);
    this.releaseClosed();
  }

  /**
   * Emits the closed attempts that nothing open, nor any line still to come, can start before:
   * not after the start of anything open on any appliance, nor within two quiet periods of the
   * latest time of the input being read (lines are not strictly in time order) or of the start
   * of the inputs still to read. Held attempts survive collections of the young generation and
   * fill the old one. Holding every attempt up to MAX_HELD_ATTEMPTS instead, on the 100 MB
   * corpus (farm-bench, alternated pairs, medians, same output): `deliveries` 1/0.960 the wall
   * time and 19 MiB more peak RSS (12 pairs), `report` 1/0.968 and 14 MiB more (8 pairs); the
   * CPU time was within 2 %. Past MAX_HELD_ATTEMPTS (an appliance whose connection never
   * closes, or whose lines stopped), memory wins over order.
   */
  private releaseClosed(): void {
    if (this.latestMs === null || this.inputLatestMs === null || this.ready.size === 0) return;
    let watermark = Math.min(this.inputLatestMs, this.laterInputsFromMs) - 2 * this.quietMs;
    for (const state of this.appliances.values()) {
      if (state.openSinceMs !== null && state.openSinceMs < watermark) watermark = state.openSinceMs;
    }
    this.ready.release(watermark);
    if (this.ready.full) this.ready.release(this.latestMs - 2 * this.quietMs);
  }
}
