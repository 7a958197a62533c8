// Unit tests of the correlation modules, one concept each: evidence, decision and flags, the
// emit order, resolutions, messages, connections, attribution and the resolver table.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ConnectionNewEvent, DnsRecordValue, DnsStatus, LogEvent } from "../src/events/types.js";
import { candidateFromCache, candidatesFor, withOwnLookups } from "../src/correlate/attribution.js";
import { DnsCache } from "../src/correlate/cache.js";
import { DnsTracker, lookupKey, normalName } from "../src/correlate/dns.js";
import { applyConnectionEvent, observedOf, openConnection } from "../src/correlate/connections.js";
import { buildAttempt, decide, type AttemptParts } from "../src/correlate/decision.js";
import { AttemptQueue } from "../src/correlate/emit-order.js";
import { certEvidence, classification, entryOf, failedBeforeCertificate, tlsaClassification } from "../src/correlate/evidence.js";
import { domainOfAddress, Messages } from "../src/correlate/messages.js";
import { ResolverTable } from "../src/correlate/resolver-table.js";
import { belongsTo, hostOfLookup, Resolutions } from "../src/correlate/resolutions.js";
import type { Attempt, DnsLookup } from "../src/correlate/types.js";
import { evaluateBothModes } from "../src/policy/evaluate.js";

let clock = 0;
function lookup(name: string, qtype: string, records: DnsRecordValue[], status: DnsStatus | null = "secure", opts: Partial<DnsLookup> = {}): DnsLookup {
  const at = opts.endMs ?? (clock += 1000);
  return { host: null, name, qtype, startMs: at, endMs: at, resolversAsked: ["10.0.0.53"], failures: [], answeredBy: status === null ? null : "10.0.0.53", status, ttl: 3600, records, fallback: false, domain: null, source: [], ...opts };
}
const NOTHING_CACHED = { cachedA: null, cachedTlsa: null };
const mx = (domain: string, ...hosts: string[]) => lookup(domain, "MX", hosts.map((host, i) => ({ preference: (i + 1) * 10, host })));

describe("evidence", () => {
  it("classifies entries; NODATA TLSA is nxdomain, a missing entry unknown", () => {
    expect(classification(entryOf(lookup("a", "A", ["1.2.3.4"], "bogus")))).toBe("bogus");
    expect(classification(entryOf(lookup("a", "A", [], "other")))).toBe("unknown");
    expect(classification(null)).toBe("unknown");
    expect(tlsaClassification(entryOf(lookup("_25._tcp.a", "TLSA", [], "none")))).toBe("nxdomain");
    expect(tlsaClassification(entryOf(lookup("_25._tcp.a", "TLSA", ["0301"], "secure")))).toBe("secure");
    expect(entryOf(lookup("a", "A", [], null))).toBeNull();
  });
  it("a TLS failure before the certificate check says nothing about the certificate", () => {
    expect(failedBeforeCertificate("[Errno 54] Connection reset by peer")).toBe(true);
    expect(failedBeforeCertificate("certificate verify failed")).toBe(false);
    expect(certEvidence("tls-failed", "[Errno 54] Connection reset by peer")).toBe("unknown");
    expect(certEvidence("tls-failed", null)).toBe("failed");
    expect(certEvidence("dane-success", null)).toBe("success");
    expect(certEvidence("tls", null)).toBe("unknown");
  });
});

function parts(over: Partial<AttemptParts> = {}): AttemptParts {
  return {
    host: null, dcid: 1, mids: [], domain: "x.example", domainCandidates: [], mxHost: null, ip: null,
    evidence: { mx: "secure", a: "secure", tlsa: "secure", cert: "success" }, observed: "dane-success",
    startMs: 0, endMs: 0, result: "delivered", recipients: [], sendingIp: null, utcKnown: true,
    delivered: true, cached: false, lookups: [], cachedLookups: [], source: [], ...over,
  };
}

describe("decision and flags", () => {
  it("decide: the mode's row; none is not-applicable; unknown needs both modes to agree", () => {
    const byMode = evaluateBothModes({ mx: "insecure", a: "insecure", tlsa: "unknown", cert: "unknown" });
    expect(decide("mandatory", byMode)).toEqual({ decision: "dane-fail", row: "M13" });
    expect(decide("none", byMode)).toEqual({ decision: "not-applicable", row: null });
    expect(decide("unknown", byMode)).toEqual({ decision: "undetermined", row: null });
  });
  it("flags: bogus, resolver-fallback from the attempt's own lookups, cached, mismatch, undetermined", () => {
    const fell = lookup("b.example", "MX", [], "bogus", { fallback: true, answeredBy: "10.0.1.53" });
    const a = buildAttempt(parts({ evidence: { mx: "bogus", a: "unknown", tlsa: "unknown", cert: "unknown" }, observed: "no-connection", delivered: false, lookups: [fell], cached: true }), "unknown");
    expect(a.record.flags).toEqual(["bogus", "resolver-fallback", "cached"]);
    expect(a.record.resolvers).toEqual(["10.0.1.53"]);
    expect(a.fallbacks).toBe(1);
    // A cached answer's lookup had a fallback: that was another run's, not this attempt's.
    const reused = buildAttempt(parts({ cachedLookups: [fell], cached: true }), "unknown");
    expect(reused.record.flags).toEqual(["dane-success", "cached"]);
    expect(reused.record.resolvers).toEqual(["10.0.1.53"]);
    const delivered = buildAttempt(parts({ evidence: { mx: "insecure", a: "insecure", tlsa: "unknown", cert: "unknown" }, observed: "tls" }), "mandatory");
    expect(delivered.record.flags).toEqual(["mismatch"]);
    const open = buildAttempt(parts({ evidence: { mx: "secure", a: "secure", tlsa: "secure", cert: "unknown" }, observed: "tls", delivered: false }), "unknown");
    expect(open.record.flags).toEqual(["undetermined"]);
    expect(open.missing.mandatory).toEqual(["cert"]);
  });
});

describe("emit order", () => {
  it("holds attempts and releases those started by the watermark, in start order", () => {
    const out: number[] = [];
    const queue = new AttemptQueue((a) => out.push(a.startMs!), 2);
    for (const t of [30, 10, 20]) queue.hold({ startMs: t } as Attempt);
    expect(queue.full).toBe(true);
    queue.release(20);
    expect(out).toEqual([10, 20]);
    queue.release(Number.POSITIVE_INFINITY);
    expect(out).toEqual([10, 20, 30]);
  });
});

describe("resolutions", () => {
  it("open, attach by MX host (and CNAME target), claimable by address, remove", () => {
    const resolutions = new Resolutions();
    const r = resolutions.open(mx("d.example", "mx.d.example"), true, NOTHING_CACHED);
    expect(hostOfLookup("_25._tcp.mx.d.example")).toBe("mx.d.example");
    const cname = lookup("mx.d.example", "CNAME", ["relay.provider.example."]);
    expect(resolutions.attach(cname)).toBe(r);
    const a = lookup("relay.provider.example", "A", ["192.0.2.9"]);
    expect(resolutions.attach(a)).toBe(r);
    expect(a.domain).toBe("d.example");
    expect(resolutions.attach(lookup("other.example", "A", ["192.0.2.1"]))).toBeNull();
    expect(belongsTo(r, a)).toBe(true);
    r.hostLookups.set("mx.d.example", [...(r.hostLookups.get("mx.d.example") ?? []), lookup("mx.d.example", "A", ["192.0.2.7"])]);
    expect(resolutions.claimable("d.example", "192.0.2.7", null)).toBe(r);
    expect(resolutions.claimable("d.example", "192.0.2.8", null)).toBeNull();
    resolutions.remove(r);
    expect(resolutions.size).toBe(0);
    expect(resolutions.hostIndexSize).toBe(0);
  });
  it("a lookup of a host two open resolutions share goes to the latest", () => {
    const resolutions = new Resolutions();
    resolutions.open(mx("one.example", "mx.host.example"), true, NOTHING_CACHED);
    const two = resolutions.open(mx("two.example", "mx.host.example"), true, NOTHING_CACHED);
    expect(resolutions.attach(lookup("mx.host.example", "A", ["192.0.2.1"]))).toBe(two);
  });
});

describe("messages", () => {
  it("recipients by MID and RID; the connection delivering a MID until it closes", () => {
    const messages = new Messages();
    messages.recipient(5, 0, "u@Example.ORG");
    expect(messages.recipientOf(5, 0)).toBe("u@Example.ORG");
    expect(domainOfAddress("u@Example.ORG.")).toBe("example.org");
    expect(domainOfAddress("nobody")).toBeNull();
    messages.deliveredBy(5, 77);
    expect(messages.dcidOf(5)).toBe(77);
    messages.connectionClosed([5], 77);
    expect(messages.dcidOf(5)).toBeUndefined();
    messages.finished(5);
    expect(messages.size).toBe(0);
  });
});

const base = { file: "t.log", line: 1, time: 0, utcKnown: true, host: null, level: "Info" } as const;

describe("connections", () => {
  it("TLS, Delivery start with the message's recipients, Message done, close", () => {
    const messages = new Messages();
    messages.recipient(9, 0, "a@b.example");
    const event: ConnectionNewEvent = { ...base, kind: "connection-new", dcid: 3, interface: "10.0.3.10", address: "192.0.2.1", port: 25 };
    const c = openConnection(event, []);
    expect(observedOf(c)).toBe("plaintext");
    applyConnectionEvent(c, { ...base, kind: "tls-success", dcid: 3, protocol: "TLSv1.2", cipher: "X", daneDomain: "b.example" }, messages);
    applyConnectionEvent(c, { ...base, kind: "delivery-start", dcid: 3, mid: 9, rids: [0], suffix: null }, messages);
    applyConnectionEvent(c, { ...base, kind: "message-done", dcid: 3, mid: 9, rids: [0], suffix: null }, messages);
    expect(c).toMatchObject({ observed: "dane-success", daneDomain: "b.example", mids: [9], recipients: ["a@b.example"], result: "delivered" });
    expect(messages.dcidOf(9)).toBe(3);
    expect(applyConnectionEvent(c, { ...base, kind: "connection-close", dcid: 3 } as LogEvent, messages)).toBe(true);
  });
  it("a Connection Error before any message is no connection", () => {
    const c = openConnection({ ...base, kind: "connection-new", dcid: 4, interface: "i", address: "192.0.2.1", port: 25 }, []);
    applyConnectionEvent(c, { ...base, kind: "connection-error", dcid: 4, domain: "e.example", ip: null, port: null, details: "timeout", interface: null, reason: "network error" }, new Messages());
    expect(observedOf(c)).toBe("no-connection");
    expect(c.errorDomain).toBe("e.example");
  });
});

describe("attribution", () => {
  it("an address leads through the cache to the MX host and domain; an open resolution comes first", () => {
    const cache = new DnsCache();
    const resolutions = new Resolutions();
    const mxLookup = mx("d.example", "mx.d.example");
    const aLookup = lookup("mx.d.example", "A", ["192.0.2.5"]);
    const tlsa = lookup("_25._tcp.mx.d.example", "TLSA", ["0301aa"]);
    for (const l of [mxLookup, aLookup, tlsa]) cache.put(l);
    const fromCache = candidatesFor(cache, resolutions, "192.0.2.5", clock);
    expect(fromCache).toHaveLength(1);
    expect(fromCache[0]).toMatchObject({ domain: "d.example", host: "mx.d.example", resolution: null });
    const r = resolutions.open(mxLookup, true, NOTHING_CACHED);
    resolutions.attach(aLookup);
    const live = candidatesFor(cache, resolutions, "192.0.2.5", clock);
    expect(live[0]!.resolution).toBe(r);
    expect(candidateFromCache(cache, "d.example", "192.0.2.5", clock)).toMatchObject({ host: "mx.d.example" });
    expect(candidateFromCache(cache, "d.example", "192.0.2.99", clock).a).toBeNull();
    const own = withOwnLookups(undefined, r, "192.0.2.5");
    expect(own.host).toBe("mx.d.example");
    expect(own.a?.lookup).toBe(aLookup);
  });
});

describe("lookup keys", () => {
  it("are the normalised name and the type, whatever keys came before", () => {
    // Few names and types, so that repeats (the remembered last key) and changes of either half alternate.
    const name = fc.constantFrom("a.example", "A.Example.", "b.example", "mx.a.example.", "");
    const qtype = fc.constantFrom("A", "a", "MX", "TLSA", "");
    fc.assert(
      fc.property(fc.array(fc.tuple(name, qtype), { minLength: 1, maxLength: 30 }), (pairs) => {
        for (const [n, t] of pairs) expect(lookupKey(n, t)).toBe(`${normalName(n)}|${t.toUpperCase()}`);
      }),
      { numRuns: 300 },
    );
    expect(lookupKey("A.Example.", "mx")).toBe("a.example|MX");
    expect(lookupKey("A.Example.", "tlsa")).toBe("a.example|TLSA");
  });
});

describe("DNS cache", () => {
  const at = (name: string, qtype: string, endMs: number, ttl: number, records: DnsRecordValue[] = ["192.0.2.1"]) => lookup(name, qtype, records, "secure", { startMs: endMs, endMs, ttl });

  it("finds an entry by name without case or root dot, and by type, until it expires", () => {
    const cache = new DnsCache();
    cache.put(at("mx.d.example", "A", 1_000, 60));
    expect(cache.get("MX.D.Example.", "a", 30_000)?.records).toEqual(["192.0.2.1"]);
    expect(cache.get("mx.d.example", "AAAA", 30_000)).toBeNull();
    expect(cache.get("mx.d.example", "A", 61_001)).toBeNull();
    // A newer answer replaces the older one; the older one's expiry no longer drops it.
    cache.put(at("mx.d.example", "A", 50_000, 60, ["192.0.2.2"]));
    expect(cache.size).toBe(1);
    cache.expire(70_000);
    expect(cache.get("mx.d.example", "A", 70_000)?.records).toEqual(["192.0.2.2"]);
    expect(cache.hostsForIp("192.0.2.1")).toEqual([]);
    expect(cache.hostsForIp("192.0.2.2")).toEqual(["mx.d.example"]);
  });

  it("drops expired entries, in any order they were put, and keeps the live ones", () => {
    // TTLs in a scrambled order, several equal: the heap must give them back by expiry.
    const ttls = [300, 60, 3600, 60, 5, 900, 300, 1, 7200, 60, 30, 86400, 5, 120, 600, 45];
    const cache = new DnsCache();
    ttls.forEach((ttl, i) => cache.put(at(`h${i}.example`, "A", 0, ttl, [`192.0.2.${i}`])));
    expect(cache.size).toBe(ttls.length);
    for (const now of [2_000, 40_000, 61_000, 500_000, 4_000_000, 10_000_000, 100_000_000]) {
      cache.expire(now);
      const live = ttls.flatMap((ttl, i) => (ttl * 1000 >= now ? [i] : []));
      expect(cache.size).toBe(live.length);
      ttls.forEach((ttl, i) => expect(cache.hostsForIp(`192.0.2.${i}`)).toEqual(ttl * 1000 >= now ? [`h${i}.example`] : []));
    }
    expect(cache.size).toBe(0);
  });
});

describe("resolver table", () => {
  it("a resolver answering Bogus where another answers Secure likely has no DNSSEC", () => {
    const table = new ResolverTable(null);
    table.recordAnswer("10.0.0.53", "x|MX", "secure");
    table.recordAnswer("10.0.1.53", "x|MX", "bogus");
    const [primary, secondary] = table.finish();
    expect(primary).toMatchObject({ ip: "10.0.0.53", likelyNoDnssec: false });
    expect(secondary).toMatchObject({ ip: "10.0.1.53", likelyNoDnssec: true });
  });
});

describe("DNS lookups", () => {
  const base = { file: "t.log", time: 1000, utcKnown: true, host: null, level: "Debug" as const };
  const query = (line: number, name: string, resolver: string | null, form: "Q" | "QIP" = "Q"): LogEvent => ({
    ...base,
    line,
    kind: "dns-query",
    form,
    name,
    qtype: "A",
    resolver,
    nameserverSet: null,
    timeoutSeconds: form === "QIP" ? 60 : null,
  });
  it("a name written with the root's trailing dot is the same lookup, completed once", () => {
    const done: DnsLookup[] = [];
    const tracker = new DnsTracker(null, new ResolverTable(), (l) => done.push(l));
    const events: LogEvent[] = [
      query(1, "mx1.example.com.", null),
      query(2, "mx1.example.com.", "10.0.0.53", "QIP"),
      query(3, "mx1.example.com.", "10.0.0.53"),
      { ...base, line: 4, kind: "dns-response", records: ["192.0.2.1"], status: "secure", statusText: "secure", code: 0, ttl: 300 },
      { ...base, line: 5, kind: "dns-encache", name: "MX1.example.com", qtype: "A", entries: [] },
    ];
    for (const event of events) tracker.push(event);
    expect(tracker.openCount).toBe(0);
    tracker.end();
    expect(done.map((l) => [l.name, l.status, l.source.length])).toEqual([["mx1.example.com", "secure", 5]]);
  });
});
