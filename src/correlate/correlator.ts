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
import { candidateFromCache, candidatesFor, withOwnLookups } from "./attribution.js";
import { DnsCache } from "./cache.js";
import { applyConnectionEvent, observedOf, openConnection, sendingIpOf, touchConnection, type Connection } from "./connections.js";
import { buildAttempt, type AttemptParts } from "./decision.js";
import { modeFor, type DestinationControls } from "./destination-controls.js";
import { DnsTracker } from "./dns.js";
import { AttemptQueue } from "./emit-order.js";
import { certEvidence, classification, entryOf, tlsaClassification } from "./evidence.js";
import { domainOfAddress, Messages } from "./messages.js";
import { ResolverTable } from "./resolver-table.js";
import { belongsTo, hostOfLookup, Resolutions, type Resolution } from "./resolutions.js";
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

const MAX_HELD_ATTEMPTS = 10_000;

interface ApplianceState {
  host: string | null;
  resolvers: ResolverTable;
  dns: DnsTracker;
  cache: DnsCache;
  resolutions: Resolutions;
  connections: Map<number, Connection>;
  messages: Messages;
  nowMs: number | null;
  lastSweepMs: number | null;
  /** Whether this appliance's times are known in UTC (a Time offset header, or --tz). */
  utcKnown: boolean;
}

export class Correlator {
  private readonly appliances = new Map<string, ApplianceState>();
  private readonly quietMs: number;
  private readonly defaultMode: ModeSetting;
  /** Closed attempts waiting to be emitted in start order. */
  private readonly ready: AttemptQueue;
  private latestMs: number | null = null;

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
    }
    if (!state.dns.push(event)) this.connectionEvent(state, event);
    this.maybeSweep(state);
  }

  end(): void {
    for (const state of this.appliances.values()) {
      state.dns.end();
      for (const connection of [...state.connections.values()]) this.closeConnection(state, connection);
      for (const resolution of state.resolutions.all()) this.closeResolution(state, resolution);
    }
    this.ready.release(Number.POSITIVE_INFINITY);
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
        resolutions: new Resolutions(),
        connections: new Map(),
        messages: new Messages(),
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
      state.resolutions.open(lookup, state.utcKnown);
    } else if (state.resolutions.attach(lookup) === null) {
      lookup.domain = state.cache.domainsForMxHost(hostOfLookup(lookup.name))[0] ?? null;
    }
    this.sinks.lookup?.(lookup);
  }

  // --- connections --------------------------------------------------------------------------

  private connectionEvent(state: ApplianceState, event: LogEvent): void {
    switch (event.kind) {
      case "connection-new": {
        const existing = state.connections.get(event.dcid);
        if (existing !== undefined) this.closeConnection(state, existing);
        const connection = openConnection(event, candidatesFor(state.cache, state.resolutions, event.address, event.time));
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
    const domain = connection.daneDomain ?? recipientDomain ?? connection.errorDomain ?? connection.candidates[0]?.domain ?? null;
    let candidate = domain === null ? undefined : connection.candidates.find((c) => c.domain === domain);
    if (candidate === undefined && domain !== null) candidate = candidateFromCache(state.cache, domain, connection.ip, connection.startMs);
    // The resolution this attempt belongs to is the one of its final domain.
    const resolution = candidate?.resolution ?? (domain === null ? null : state.resolutions.claimable(domain, connection.ip));
    if (resolution !== null && connection.resolution !== resolution) {
      resolution.claims++;
      if (connection.result === "delivered") resolution.consumed = true;
    }
    if (resolution !== null) candidate = withOwnLookups(candidate, resolution, connection.ip);
    const observed = observedOf(connection);
    const lookups: DnsLookup[] = [];
    const entries = [candidate?.mx ?? null, candidate?.a ?? null, candidate?.tlsa ?? null];
    let cached = false;
    for (const entry of entries) {
      if (entry === null) continue;
      lookups.push(entry.lookup);
      if (resolution === null || !belongsTo(resolution, entry.lookup)) cached = true;
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
        cert: certEvidence(observed, connection.tlsFailure),
      },
      observed,
      delivered: connection.result === "delivered",
      cached,
      lookups,
      source: connection.source,
      result: connection.result,
      recipients: connection.recipients,
      sendingIp: sendingIpOf(connection),
      utcKnown: connection.utcKnown,
    });
  }

  private closeResolution(state: ApplianceState, resolution: Resolution): void {
    state.resolutions.remove(resolution);
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
    for (const connection of [...state.connections.values()]) {
      if (connection.lastMs !== null && now - connection.lastMs > this.quietMs) this.closeConnection(state, connection);
    }
    for (const resolution of state.resolutions.all()) {
      if (resolution.lastMs !== null && now - resolution.lastMs > this.quietMs) this.closeResolution(state, resolution);
    }
    state.cache.expire(now);
    // Attempts close out of order; holding a bounded number lets most come out in start order.
    if (this.latestMs !== null && this.ready.full) this.ready.release(this.latestMs - 2 * this.quietMs);
  }
}
