// `esa-dane alert` detection and attribution: the rule, hold, baseline and empty buckets on
// synthetic lookups; then generated logs through the real pipeline (grammar, correlator): a
// resolver outage, a sticky outage, a half-DNSSEC resolver pair, one broken domain, a DNS host's
// incident over several domains, and days that must stay quiet.
import { describe, expect, it } from "vitest";
import { attribute, emptyTally, mergeTally, type Tally } from "../src/alert/attribution.js";
import { BogusDetector, DEFAULT_DETECTOR, type AlertEvent, type DetectorOptions } from "../src/alert/detector.js";
import { detectorOptions, parseDuration } from "../src/alert/options.js";
import { alertJson, describeAlert, pluginOutput, timelineText } from "../src/alert/output.js";
import type { DnsLookup } from "../src/correlate/types.js";
import { readText } from "../src/input/read.js";
import { Analysis } from "../src/pipeline.js";
import * as gen from "./helpers/generate-log.js";

const { PRIMARY, SECONDARY, T0, MINUTE, HOUR } = gen;
const iso = (ms: number) => new Date(ms).toISOString();

function lookup(fields: Partial<DnsLookup> & { startMs: number }): DnsLookup {
  return {
    host: null,
    name: "example.org",
    qtype: "MX",
    endMs: fields.startMs,
    resolversAsked: [PRIMARY],
    failures: [],
    answeredBy: PRIMARY,
    status: "secure",
    ttl: 300,
    records: [],
    fallback: false,
    domain: null,
    source: [],
    ...fields,
  };
}

/** `n` Bogus MX lookups of distinct domains (`prefix0`...) at `ms`. */
function bogusAt(ms: number, n: number, extra: Partial<Omit<DnsLookup, "startMs">> = {}, prefix = "d"): DnsLookup[] {
  return Array.from({ length: n }, (_, i) => lookup({ startMs: ms + i, name: `${prefix}${i}.example`, status: "bogus", ...extra }));
}

function run(lookups: DnsLookup[], options: Partial<DetectorOptions> = {}): BogusDetector {
  const detector = new BogusDetector({ ...DEFAULT_DETECTOR, ...options });
  for (const l of lookups) detector.add(l);
  detector.flush();
  return detector;
}

const summary = (events: AlertEvent[]) => events.map((e) => `${e.event} ${e.level} ${e.kind} ${iso(e.atMs)}`);

describe("the rule, over buckets of log time", () => {
  const bucket = (k: number) => T0 + k * 5 * MINUTE;

  it("fires after --hold buckets above the rule, in the bucket that completes the hold, and clears after as many below", () => {
    const detector = run([...bogusAt(bucket(0), 6), ...bogusAt(bucket(1), 6), ...bogusAt(bucket(2), 6), lookup({ startMs: bucket(5) })]);
    expect(summary(detector.events)).toEqual([
      `fire WARNING domain-specific ${iso(bucket(1))}`,
      // Buckets 3 and 4 have no lines at all: time runs on, they count as zero.
      `clear OK domain-specific ${iso(bucket(4))}`,
    ]);
    expect(detector.events[0]!.sinceMs).toBe(bucket(0));
  });

  it("does not fire for a single bucket above the rule", () => {
    expect(run([...bogusAt(bucket(0), 30), lookup({ startMs: bucket(3) })]).events).toEqual([]);
  });

  it("needs --min-count even when the baseline is zero (any count is above factor x 0)", () => {
    const detector = run([...bogusAt(bucket(0), 2), ...bogusAt(bucket(1), 2), ...bogusAt(bucket(2), 2)], { warning: 100, critical: 200 });
    expect(detector.events).toEqual([]);
    expect(detector.timeline.map((r) => r.level)).toEqual(["OK", "OK", "OK"]);
  });

  it("needs both the floor (--warning) and more than --factor x the baseline, an EWMA of earlier quiet buckets, frozen while an alert is held or active", () => {
    const options = { alpha: 0.5 };
    // A steady 1 per bucket, then 5 and 5: at the floor and above 4 x the baseline (about 1).
    const steady = (n: number) => Array.from({ length: 6 }, (_, k) => bogusAt(bucket(k), n, {}, `s${k}-`)).flat();
    const detector = run([...steady(1), ...bogusAt(bucket(6), 5), ...bogusAt(bucket(7), 5)], options);
    const rows = detector.timeline;
    expect(rows[0]!.baseline).toBe(0);
    expect(rows[1]!.baseline).toBe(0.5);
    expect(rows[6]!.baseline).toBeCloseTo(1 - 0.5 ** 6, 10);
    // Bucket 6 is held: the baseline does not learn from it, so bucket 7 is judged against the same bar.
    expect(rows[7]!.baseline).toBe(rows[6]!.baseline);
    expect(rows.map((r) => r.level)).toEqual(["OK", "OK", "OK", "OK", "OK", "OK", "WARNING", "WARNING"]);
    expect(summary(detector.events)).toEqual([`fire WARNING domain-specific ${iso(bucket(7))}`]);
    // A steady 2 per bucket: 6 is above the floor but not above 4 x the baseline (about 2): no alert.
    const busier = run([...steady(2), ...bogusAt(bucket(6), 6), ...bogusAt(bucket(7), 6)], options);
    expect(busier.timeline.map((r) => r.level)).toEqual(Array(8).fill("OK"));
    expect(busier.events).toEqual([]);
  });

  it("escalates WARNING to CRITICAL within one alert", () => {
    const detector = run([...bogusAt(bucket(0), 6), ...bogusAt(bucket(1), 6), ...bogusAt(bucket(2), 25), lookup({ startMs: bucket(6) })]);
    expect(summary(detector.events)).toEqual([
      `fire WARNING domain-specific ${iso(bucket(1))}`,
      `escalate CRITICAL domain-specific ${iso(bucket(2))}`,
      `clear OK domain-specific ${iso(bucket(4))}`,
    ]);
    expect(detector.worst).toBe("CRITICAL");
  });

  it("counts late lines in the open bucket and walks a long silence without a bucket per step", () => {
    const detector = run([...bogusAt(bucket(0), 6), ...bogusAt(bucket(1), 6), ...bogusAt(bucket(0) + 1000, 1), lookup({ startMs: bucket(10_000) })]);
    expect(detector.timeline[1]!.bogus).toBe(7);
    expect(detector.timeline.length).toBeLessThan(20);
    expect(summary(detector.events).map((s) => s.split(" ")[0])).toEqual(["fire", "clear"]);
  });

  it("gives the same events when the lookups are split over runs that carry the state (end of each run = end of data)", () => {
    const lookups = [...bogusAt(bucket(0), 6), ...bogusAt(bucket(1), 25), ...bogusAt(bucket(2), 6), lookup({ startMs: bucket(6) })];
    const whole = run(lookups);
    for (const cut of [3, 6, 20, 31, 36, 37]) {
      const first = new BogusDetector(DEFAULT_DETECTOR);
      for (const l of lookups.slice(0, cut)) first.add(l);
      const second = new BogusDetector(DEFAULT_DETECTOR, JSON.parse(JSON.stringify(first.snapshot())));
      for (const l of lookups.slice(cut)) second.add(l);
      second.flush();
      expect(summary([...first.events, ...second.events])).toEqual(summary(whole.events));
    }
  });
});

describe("chronic versus new (each record's Bogus history)", () => {
  const bucket = (k: number) => T0 + k * 5 * MINUTE;
  const secure = (ms: number, name: string, answeredBy = PRIMARY) => lookup({ startMs: ms, name, status: "secure", answeredBy });
  const bogus = (ms: number, name: string, answeredBy = PRIMARY) => lookup({ startMs: ms, name, status: "bogus", answeredBy });

  it("Bogus since first seen, from a resolver that validates others: chronic from the start, listed after 3 answers, never alerted on", () => {
    const lookups: DnsLookup[] = [secure(bucket(0), "ok.example")];
    for (let k = 0; k < 24; k++) for (let j = 0; j < 6; j++) lookups.push(bogus(bucket(k) + 1000 + j, `broken${j}.example`));
    const detector = run(lookups);
    expect(detector.events).toEqual([]);
    expect(detector.timeline.reduce((n, r) => n + r.bogus, 0)).toBe(0);
    expect(detector.timeline.reduce((n, r) => n + r.chronic, 0)).toBe(144);
    expect(detector.ledger.verdict().chronic.map((c) => c.domain).sort()).toEqual(["broken0.example", "broken1.example", "broken2.example", "broken3.example", "broken4.example", "broken5.example"]);
  });

  it("validated before, Bogus now: new until it lasts --chronic without validating; a validating answer starts over", () => {
    const names = ["a.example", "b.example", "c.example", "d.example", "e.example", "f.example"];
    const lookups: DnsLookup[] = names.map((name, i) => secure(bucket(0) + i, name));
    // Bogus from bucket 1 on, 6 a bucket, for two hours; then one validates and is Bogus again.
    for (let k = 1; k <= 24; k++) names.forEach((name, i) => lookups.push(bogus(bucket(k) + 1000 + i, name)));
    lookups.push(secure(bucket(25), "a.example"), bogus(bucket(25) + 1000, "a.example"));
    const detector = run(lookups, { chronicMs: 60 * MINUTE });
    const rows = detector.timeline;
    // New for the first hour (buckets 1 to 12), chronic from then on; a.example new again after validating.
    expect(rows.slice(1, 13).map((r) => [r.bogus, r.chronic])).toEqual(Array(12).fill([6, 0]));
    expect(rows.slice(13, 25).map((r) => [r.bogus, r.chronic])).toEqual(Array(12).fill([0, 6]));
    expect([rows[25]!.bogus, rows[25]!.chronic]).toEqual([1, 0]);
    // Domain-specific (the primary validates others): it fired, then cleared once the records turned chronic.
    expect(summary(detector.events)).toEqual([`fire WARNING domain-specific ${iso(bucket(2))}`, `clear OK domain-specific ${iso(bucket(14))}`]);
  });

  it("a resolver-wide alert keeps its records from turning chronic: a two-hour outage stays one alert", () => {
    const names = Array.from({ length: 8 }, (_, i) => `s${i}.example`);
    const lookups: DnsLookup[] = names.map((name, i) => secure(bucket(0) + i, name));
    for (let k = 1; k <= 24; k++) names.forEach((name, i) => lookups.push(bogus(bucket(k) + 1000 + i, name, SECONDARY)));
    lookups.push(secure(bucket(30), "x.example"));
    const detector = run(lookups, { chronicMs: 60 * MINUTE });
    expect(summary(detector.events)).toEqual([`fire CRITICAL resolver-wide ${iso(bucket(1))}`, `clear OK resolver-wide ${iso(bucket(26))}`]);
    expect(detector.timeline.reduce((n, r) => n + r.chronic, 0)).toBe(0);
  });

  it("the state carries the history: a domain chronic in one run is chronic in the next", () => {
    const first = new BogusDetector(DEFAULT_DETECTOR);
    first.add(secure(bucket(0), "ok.example"));
    for (let k = 0; k < 4; k++) first.add(bogus(bucket(k) + 1000, "broken.example"));
    first.judgeOpenBucket();
    const second = new BogusDetector(DEFAULT_DETECTOR, JSON.parse(JSON.stringify(first.snapshot())));
    for (let k = 4; k < 8; k++) for (let j = 0; j < 6; j++) second.add(bogus(bucket(k) + 1000 + j, "broken.example"));
    second.flush();
    expect(second.events).toEqual([]);
    // 24 of its own, and the one of the bucket the first run left open.
    expect(second.timeline.reduce((n, r) => n + r.chronic, 0)).toBe(25);
    expect(second.ledger.verdict().chronic).toEqual([{ host: null, domain: "broken.example", qtype: "MX", bogusSince: bucket(0) + 1000 }]);
  });
});

describe("an open bucket at the end of a run that goes on (--state, --follow)", () => {
  const bucket = (k: number) => T0 + k * 5 * MINUTE;

  function twoRuns(before: DnsLookup[], after: DnsLookup[]) {
    const first = new BogusDetector(DEFAULT_DETECTOR);
    for (const l of before) first.add(l);
    first.judgeOpenBucket();
    const second = new BogusDetector(DEFAULT_DETECTOR, JSON.parse(JSON.stringify(first.snapshot())));
    for (const l of after) second.add(l);
    second.judgeOpenBucket();
    return { first, second };
  }

  it("can prove a rise at once and reports it once", () => {
    // The second bucket already has 25 Bogus when the run ends: CRITICAL now, not one run late.
    const { first, second } = twoRuns([...bogusAt(bucket(0), 25), ...bogusAt(bucket(1), 25)], [...bogusAt(bucket(1) + 60_000, 5), lookup({ startMs: bucket(2) })]);
    expect(summary(first.events)).toEqual([`fire CRITICAL domain-specific ${iso(bucket(1))}`]);
    expect(first.events[0]!.provisional).toBe(true);
    expect(first.worst).toBe("CRITICAL");
    // The next run completes that bucket: the same alert, not reported again, still active.
    expect(second.events).toEqual([]);
    expect(second.worst).toBe("CRITICAL");
    expect(second.levelNow).toBe("CRITICAL");
  });

  it("reports a provisional WARNING that turns CRITICAL once the bucket is complete as an escalation", () => {
    const { first, second } = twoRuns([...bogusAt(bucket(0), 6), ...bogusAt(bucket(1), 6)], [...bogusAt(bucket(1) + 60_000, 20), lookup({ startMs: bucket(2) })]);
    expect(summary(first.events)).toEqual([`fire WARNING domain-specific ${iso(bucket(1))}`]);
    expect(summary(second.events)).toEqual([`escalate CRITICAL domain-specific ${iso(bucket(1))}`]);
  });

  it("never clears on a bucket that is not complete", () => {
    const during = [...bogusAt(bucket(0), 25), ...bogusAt(bucket(1), 25), ...bogusAt(bucket(2), 25)];
    // Run one ends early in bucket 3 with 1 Bogus so far; bucket 2 (the one before) was above.
    const { first, second } = twoRuns([...during, ...bogusAt(bucket(3), 1)], [...bogusAt(bucket(3) + 1000, 30), lookup({ startMs: bucket(4) })]);
    expect(first.levelNow).toBe("CRITICAL");
    expect(summary(first.events).map((s) => s.split(" ")[0])).toEqual(["fire"]);
    expect(second.events.filter((e) => e.event === "clear")).toEqual([]);
    expect(second.levelNow).toBe("CRITICAL");
  });
});

describe("attribution", () => {
  function tally(fill: Partial<Tally>): Tally {
    const t = emptyTally();
    mergeTally(t, { ...emptyTally(), ...fill });
    return t;
  }
  const manyDomains = { "a.example": { MX: 10 }, "b.example": { MX: 10 }, "c.example": { MX: 10 } };
  const validated = { "a.example": true, "b.example": true, "c.example": true } as const;
  const one = (t: Tally) => ({ "": t });

  it("resolver-wide: the Bogus answers came from a resolver that never answered Secure, after another failed the same queries", () => {
    const verdict = attribute(
      one(tally({ bogus: 30, bogusAfterFallback: 30, domains: manyDomains, validatedBefore: validated, bogusByResolver: { [SECONDARY]: 30 }, failuresByResolver: { [PRIMARY]: 30 }, failureReasons: { [PRIMARY]: { "SERVER FAILED": 30 } }, fallbacksTo: { [SECONDARY]: 30 }, fallbackPairs: { [SECONDARY]: { [PRIMARY]: 30 } } })),
      null,
    );
    expect(verdict.kind).toBe("resolver-wide");
    expect(verdict.evidence).toMatchObject({ domains: 3, validatedBefore: 3, bogus: 30, bogusAfterFallback: 30, topResolver: SECONDARY, topShare: 1, failures: 30, fallbacks: 30 });
    expect(verdict.evidence.rules).toEqual(["after-fallback", "validated-before"]);
    expect(verdict.resolvers.map((r) => [r.resolver, r.bogus, r.failures])).toEqual([[SECONDARY, 30, 0], [PRIMARY, 0, 30]]);
    expect(verdict.reason).toBe(
      "10.0.0.53 failed 30 queries (SERVER FAILED); 10.0.1.53 answered them: 30 Bogus for 3 domains that validated before, nothing Secure: a resolver without DNSSEC. Fix the resolver order (dnsconfig): DNSSEC-capable resolvers first",
    );
  });

  it("resolver-wide: the fallbacks were in the bucket before (the appliance gave up on its primary)", () => {
    const window = one(tally({ bogus: 30, domains: manyDomains, bogusByResolver: { [SECONDARY]: 30 } }));
    expect(attribute(window, null).kind).toBe("domain-specific");
    const verdict = attribute(window, one(tally({ failuresByResolver: { [PRIMARY]: 4 }, fallbacksTo: { [SECONDARY]: 4 }, fallbackPairs: { [SECONDARY]: { [PRIMARY]: 4 } } })));
    expect([verdict.kind, verdict.evidence.rules]).toEqual(["resolver-wide", ["after-fallback"]]);
    expect(verdict.reason).toContain("10.0.0.53 failed 4 queries; 10.0.1.53 answered them: 30 Bogus for 3 domains, nothing Secure");
  });

  it("resolver-wide: one resolver gives the Bogus answers and the others validate", () => {
    const neverSecure = attribute(one(tally({ bogus: 20, domains: manyDomains, bogusByResolver: { [SECONDARY]: 19, [PRIMARY]: 1 }, secureByResolver: { [PRIMARY]: 50 }, insecureByResolver: { [SECONDARY]: 30 } })), null);
    expect([neverSecure.kind, neverSecure.evidence.rules, neverSecure.evidence.topShare]).toEqual(["resolver-wide", ["disagreement"], 0.95]);
    expect(neverSecure.reason).toContain("nothing Secure while the others answered 50 Secure");
  });

  it("a resolver that answered Secure before: domain-specific, unless its Bogus answers came on the failover path", () => {
    const fill = { bogus: 40, bogusAfterFallback: 40, domains: manyDomains, validatedBefore: validated, bogusByResolver: { [SECONDARY]: 40 }, fallbacksTo: { [SECONDARY]: 40 }, fallbackPairs: { [SECONDARY]: { [PRIMARY]: 40 } } };
    expect(attribute(one(tally(fill)), null).kind).toBe("resolver-wide");
    // It validates other names, but every Bogus answer came right after the primary failed the
    // query: domains do not break together with the primary resolver.
    const failover = attribute(one(tally({ ...fill, secureByResolver: { [SECONDARY]: 1 } })), null);
    expect(failover.kind).toBe("resolver-wide");
    expect(failover.evidence.rules).toEqual(["after-fallback"]);
    expect(failover.reason).toBe(
      "10.0.0.53 failed 40 queries; 10.0.1.53 answered them: 40 Bogus for 3 domains that validated before (40 of the Bogus answers right after another resolver failed the query), though it answered 1 Secure: DNSSEC fails on the resolver the appliance falls back to. Fix the failing resolver, or the resolver order (dnsconfig): DNSSEC-capable resolvers first",
    );
    // The same Bogus answers without the failover: the domains' own DNSSEC.
    const steady = { ...fill, bogusAfterFallback: 0, fallbacksTo: {}, fallbackPairs: {} };
    const verdict = attribute(one(tally(steady)), null, (_host, resolver) => (resolver === SECONDARY ? 12 : 0));
    expect(verdict.kind).toBe("domain-specific");
    expect(verdict.domains).toEqual([{ domain: "a.example", records: { MX: 10 } }, { domain: "b.example", records: { MX: 10 } }, { domain: "c.example", records: { MX: 10 } }]);
    expect(verdict.reason).toBe("40 Bogus answers for 3 domains from 10.0.1.53 (40; it answered 12 Secure): resolvers that validate other domains, so these domains' own DNSSEC is broken (expired signatures, a missing DS or key)");
    // Fewer than three domains on the failover path: not enough to blame the resolver.
    const two = { ...fill, domains: { "a.example": { MX: 20 }, "b.example": { MX: 20 } }, validatedBefore: {} };
    expect(attribute(one(tally({ ...two, secureByResolver: { [SECONDARY]: 1 } })), null).kind).toBe("domain-specific");
  });

  it("domain-specific: many domains, Bogus from both resolvers, stray fallbacks", () => {
    const verdict = attribute(one(tally({ bogus: 20, bogusAfterFallback: 1, domains: manyDomains, validatedBefore: validated, bogusByResolver: { [PRIMARY]: 11, [SECONDARY]: 9 }, secureByResolver: { [PRIMARY]: 40, [SECONDARY]: 40 }, fallbacksTo: { [PRIMARY]: 2 } })), null);
    expect(verdict.kind).toBe("domain-specific");
    expect(verdict.evidence.rules).toEqual([]);
  });

  it("per appliance: resolver-wide on one, domain-specific on the other, each named", () => {
    const outage = tally({ bogus: 30, bogusAfterFallback: 30, domains: manyDomains, validatedBefore: validated, bogusByResolver: { [SECONDARY]: 30 }, fallbackPairs: { [SECONDARY]: { [PRIMARY]: 30 } }, fallbacksTo: { [SECONDARY]: 30 } });
    const broken = tally({ bogus: 6, domains: { "x.example": { TLSA: 6 } }, bogusByResolver: { "10.8.0.53": 6 }, secureByResolver: { "10.8.0.53": 90 } });
    const verdict = attribute({ "esa2.example.com": broken, "esa1.example.com": outage }, null);
    expect(verdict.kind).toBe("resolver-wide");
    expect(verdict.appliances.map((a) => [a.host, a.kind])).toEqual([["esa1.example.com", "resolver-wide"], ["esa2.example.com", "domain-specific"]]);
    expect([verdict.bogus, verdict.domainCount, verdict.evidence.topResolver]).toEqual([36, 4, SECONDARY]);
    expect(verdict.reason).toMatch(/^esa1\.example\.com: 10\.0\.0\.53 failed 30 queries; 10\.0\.1\.53 answered them: .*; esa2\.example\.com: 6 Bogus answers for 1 domain from 10\.8\.0\.53 /);
  });
});

function detectLog(text: string, options: Partial<DetectorOptions> = {}): BogusDetector {
  const detector = new BogusDetector({ ...DEFAULT_DETECTOR, ...options });
  const analysis = new Analysis({}, { lookup: (l) => detector.add(l) });
  readText(text, "mail_logs_d.current", {}, analysis.records);
  analysis.finish();
  detector.flush();
  return detector;
}

// The reference's appliance: local time six hours behind UTC, said in the file's header.
const appliance = gen.appliance({ utcOffsetSeconds: -21600 });

describe("generated logs through the whole pipeline", () => {
  it("a resolver outage fires exactly one resolver-wide CRITICAL in the right bucket and clears after", () => {
    const detector = detectLog(gen.render(appliance, gen.resolverOutage()));
    expect(summary(detector.events)).toEqual([
      // The outage starts at 09:00 UTC; resolver-wide and above --warning, its first bucket fires at once...
      `fire CRITICAL resolver-wide ${iso(gen.OUTAGE.fromMs)}`,
      // ...and ends at 09:20; after two quiet buckets it clears in the 09:25 bucket.
      `clear OK resolver-wide ${iso(gen.OUTAGE.toMs + 5 * MINUTE)}`,
    ]);
    const fire = detector.events[0]!;
    expect(fire.sinceMs).toBe(gen.OUTAGE.fromMs);
    expect(fire.resolvers[0]).toMatchObject({ resolver: SECONDARY, bogus: 25, secure: 0, secureEver: 0 });
    expect(fire.resolvers[1]).toMatchObject({ resolver: PRIMARY, bogus: 0 });
    expect(fire.resolvers[1]!.failures).toBeGreaterThanOrEqual(75);
    expect(fire.evidence.rules).toEqual(["after-fallback", "disagreement", "validated-before"]);
    // Every one of them validated (through the primary) before the outage.
    expect([fire.domainCount, fire.evidence.validatedBefore]).toEqual([25, 25]);
    expect(fire.reason).toMatch(/^10\.0\.0\.53 failed \d+ queries \(SERVER FAILED\); 10\.0\.1\.53 answered them: 25 Bogus for 25 domains that validated before, nothing Secure/);
    expect(detector.events[1]!.domainCount).toBe(30);
    expect(detector.timeline.filter((r) => r.level === "CRITICAL").map((r) => iso(r.startMs))).toEqual([0, 5, 10, 15].map((m) => iso(gen.OUTAGE.fromMs + m * MINUTE)));
  });

  it("a sticky outage (failures only in its first minute) is still resolver-wide", () => {
    const detector = detectLog(gen.render(appliance, gen.resolverOutage({ sticky: true })));
    const fire = detector.events.find((e) => e.event === "fire")!;
    expect([fire.kind, fire.level]).toEqual(["resolver-wide", "CRITICAL"]);
    // Only the first minute's 5 Bogus answers came right after a failure: not most of them, but
    // the secondary answered queries the primary had failed, and the names validated before.
    expect([fire.evidence.bogusAfterFallback, fire.evidence.bogus]).toEqual([5, 25]);
    expect(fire.evidence.rules).toEqual(["after-fallback", "disagreement", "validated-before"]);
    expect(detector.events).toHaveLength(2);
  });

  it("resolvers that disagree all day (the secondary without DNSSEC): one standing resolver-wide alert, never chronic", () => {
    const detector = detectLog(gen.render(appliance, gen.halfDnssec()));
    expect(summary(detector.events)).toEqual([`fire CRITICAL resolver-wide ${iso(T0)}`]);
    expect(detector.events[0]!.evidence.rules).toEqual(["disagreement"]);
    expect(detector.levelNow).toBe("CRITICAL");
    // The primary validates the same names between the secondary's Bogus answers: they never turn chronic.
    expect(detector.timeline.reduce((n, r) => n + r.chronic, 0)).toBe(0);
  });

  it("one domain turning Bogus fires a domain-specific alert naming it, its record type and counts", () => {
    const detector = detectLog(gen.render(appliance, gen.brokenDomain("broken.example", "TLSA")));
    expect(summary(detector.events)).toEqual([`fire WARNING domain-specific ${iso(T0 + HOUR + 5 * MINUTE)}`, `clear OK domain-specific ${iso(T0 + 2 * HOUR + 5 * MINUTE)}`]);
    expect(detector.events[0]!.domains).toEqual([{ domain: "broken.example", records: { TLSA: 10 } }]);
    expect(detector.events[1]!.domains).toEqual([{ domain: "broken.example", records: { TLSA: 60 } }]);
    expect(describeAlert(detector.events[0]!)).toMatch(/^domain-specific Bogus DNSSEC for broken\.example \(TLSA 10\) since 2024-03-11T09:00Z: 10 Bogus answers for 1 domain from 10\.0\.0\.53 \(10; it answered \d+ Secure\): resolvers that validate other domains/);
  });

  it("a DNS host's incident over four domains, from both resolvers, with stray fallbacks, is domain-specific", () => {
    const detector = detectLog(gen.render(appliance, gen.hosterIncident()));
    expect(detector.events.map((e) => e.kind)).toEqual(["domain-specific", "domain-specific"]);
    expect(detector.events[1]!.domains.map((d) => d.domain).sort()).toEqual(["corp.hosted.example", "mail.hosted.example", "news.hosted.example", "shop.hosted.example"]);
  });

  it("a clean day and a day with a single stray Bogus fire nothing (false alarms: 0)", () => {
    const clean = detectLog(gen.render(appliance, gen.quietDay()));
    const stray = detectLog(gen.render(appliance, gen.quietDay({ strayBogusAtMs: T0 + 12 * HOUR + 7 * MINUTE })));
    expect([clean.events.length, stray.events.length]).toEqual([0, 0]);
    expect(clean.timeline.reduce((n, r) => n + Math.max(1, r.quiet), 0)).toBe(288);
    // The stray domain never validated, and the primary validates others: chronic, not new.
    expect(stray.timeline.reduce((n, r) => n + r.bogus, 0)).toBe(0);
    expect(stray.timeline.reduce((n, r) => n + r.chronic, 0)).toBe(1);
    // Nor with the most sensitive sensible settings: 30-second buckets, a minimum count of 2.
    const morning = gen.quietDay({ strayBogusAtMs: T0 + HOUR }).filter((l) => l.ms < T0 + 3 * HOUR);
    expect(detectLog(gen.render(appliance, morning), { bucketMs: 30_000, minCount: 2 }).events).toEqual([]);
  });

  it("the same alerts from the syslog form of the same traffic", () => {
    const syslog = gen.appliance({ form: "syslog", host: "esa2.example.com" });
    const detector = new BogusDetector(DEFAULT_DETECTOR);
    const analysis = new Analysis({}, { lookup: (l) => detector.add(l) });
    const around = gen.resolverOutage().filter((l) => l.ms >= gen.OUTAGE.fromMs - 20 * MINUTE && l.ms < gen.OUTAGE.toMs + 30 * MINUTE);
    readText(gen.render(syslog, around), "syslog", { year: 2024, zone: "UTC" }, analysis.records);
    analysis.finish();
    detector.flush();
    expect(summary(detector.events)).toEqual([`fire CRITICAL resolver-wide ${iso(gen.OUTAGE.fromMs)}`, `clear OK resolver-wide ${iso(gen.OUTAGE.toMs + 5 * MINUTE)}`]);
    expect(detector.events[0]!.appliances.map((a) => a.host)).toEqual(["esa2.example.com"]);
    expect(detector.events[0]!.reason).toMatch(/^esa2\.example\.com: 10\.0\.0\.53 failed/);
  });
});

describe("output", () => {
  const detector = detectLog(gen.render(appliance, gen.resolverOutage()));

  it("plugin first line, detail lines, JSON events and the time line", () => {
    const text = pluginOutput(detector, { state: detector.worst, problems: [], linesRead: 1234, withEvents: true }).split("\n");
    expect(text[0]).toMatch(
      /^DANE BOGUS CRITICAL - resolver-wide Bogus burst 2024-03-11T09:00Z to 2024-03-11T09:20Z \(cleared\): 100 new Bogus answers for 30 domains: 10\.0\.0\.53 failed 300 queries \(SERVER FAILED\); 10\.0\.1\.53 answered them: 100 Bogus for 30 domains that validated before, nothing Secure.* \| bogus=0;5;20;0 chronic=0;;;0 domains=0;;;0 bogus_max=25;5;20;0 baseline=0\.00;;;0 alerts=1;;;0$/,
    );
    // One episode: nothing follows the status line.
    expect(text.slice(1)).toEqual([""]);
    const json = JSON.parse(alertJson(detector.events[0]!)) as Record<string, unknown>;
    expect(json).toMatchObject({ event: "fire", level: "CRITICAL", kind: "resolver-wide", at: "2024-03-11T09:00Z", since: "2024-03-11T09:00Z", bucket: { bogus: 25, chronic: 0, domains: 25 }, baseline: 0, bogus: 25, domainCount: 25 });
    expect(timelineText(detector.timeline)).toContain("2024-03-11T09:05Z       25       0      25     0.00 CRITICAL");
  });

  it("keeps log text from breaking the plugin line", () => {
    const hostile = run([...bogusAt(T0, 6, {}, "x|y\u001b[31m"), ...bogusAt(T0 + 5 * MINUTE, 6, {}, "x|y\u001b[31m")]);
    const first = pluginOutput(hostile, { state: hostile.worst, problems: [], linesRead: 0, withEvents: true }).split("\n")[0]!;
    expect(first.split("|")).toHaveLength(2);
    expect(first).toContain("x\\x7cy\\x1b[31m0.example");
  });
});

describe("options", () => {
  it("reads durations and refuses bad values with E_USAGE", () => {
    expect([parseDuration("30s"), parseDuration("5m"), parseDuration("1h"), parseDuration(" 2 m")]).toEqual([30_000, 300_000, 3_600_000, 120_000]);
    expect([parseDuration("0m"), parseDuration("5"), parseDuration("1d"), parseDuration("-5m")]).toEqual([null, null, null, null]);
    const base = { bucket: "5m", "min-count": 3, warning: 5, critical: 20, factor: 4, alpha: 0.3, hold: 2, chronic: "1h" };
    expect(detectorOptions(base)).toEqual({ options: DEFAULT_DETECTOR });
    for (const bad of [{ bucket: "soon" }, { chronic: "1d" }, { chronic: "soon" }, { hold: 0 }, { alpha: 0 }, { alpha: 2 }, { factor: Number.NaN }, { warning: 30 }, { "min-count": 1.5 }]) {
      const result = detectorOptions({ ...base, ...bad });
      expect("error" in result && result.error.code).toBe("E_USAGE");
    }
  });
});
