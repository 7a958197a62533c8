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

  it("fires WARNING on more than --factor x the baseline below --warning, the baseline an EWMA of earlier buckets only", () => {
    const options = { warning: 100, critical: 200, alpha: 0.5 };
    // A steady 1 per bucket, then 4 and 5: above 4 x the baseline (about 1) and above --min-count.
    const steady = Array.from({ length: 6 }, (_, k) => bogusAt(bucket(k), 1)).flat();
    const detector = run([...steady, ...bogusAt(bucket(6), 5), ...bogusAt(bucket(7), 5)], options);
    const rows = detector.timeline;
    expect(rows[0]!.baseline).toBe(0);
    expect(rows[1]!.baseline).toBe(0.5);
    expect(rows[6]!.baseline).toBeCloseTo(1 - 0.5 ** 6, 10);
    expect(rows[7]!.baseline).toBeCloseTo(0.5 * 5 + 0.5 * (1 - 0.5 ** 6), 10);
    expect(rows.map((r) => r.level)).toEqual(["OK", "OK", "OK", "OK", "OK", "OK", "WARNING", "OK"]);
    // Bucket 7 (5 against a baseline near 3) is no longer a spike: held for one bucket only, no alert.
    expect(detector.events).toEqual([]);
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

  it("resolver-wide: most Bogus answers right after another resolver failed", () => {
    const verdict = attribute(tally({ bogus: 30, bogusAfterFallback: 30, domains: manyDomains, bogusByResolver: { [SECONDARY]: 30 }, failuresByResolver: { [PRIMARY]: 30 }, fallbacksTo: { [SECONDARY]: 30 } }), null);
    expect(verdict.kind).toBe("resolver-wide");
    expect(verdict.evidence).toMatchObject({ domains: 3, bogus: 30, bogusAfterFallback: 30, topResolver: SECONDARY, topShare: 1, failures: 30, fallbacks: 30 });
    expect(verdict.evidence.rules).toEqual(["after-fallback", "fallback-target"]);
    expect(verdict.resolvers.map((r) => [r.resolver, r.bogus, r.failures])).toEqual([[SECONDARY, 30, 0], [PRIMARY, 0, 30]]);
  });

  it("resolver-wide: the fallbacks were in the bucket before (the appliance gave up on its primary)", () => {
    const window = tally({ bogus: 30, domains: manyDomains, bogusByResolver: { [SECONDARY]: 30 } });
    expect(attribute(window, null).kind).toBe("domain-specific");
    const verdict = attribute(window, tally({ failuresByResolver: { [PRIMARY]: 4 }, fallbacksTo: { [SECONDARY]: 4 } }));
    expect([verdict.kind, verdict.evidence.rules]).toEqual(["resolver-wide", ["fallback-target"]]);
    expect(verdict.reason).toContain("10.0.1.53 answered 4 queries that other resolvers had failed (10.0.0.53 failed 4x)");
  });

  it("resolver-wide: one resolver gives the Bogus answers and the others validate", () => {
    const neverSecure = attribute(tally({ bogus: 20, domains: manyDomains, bogusByResolver: { [SECONDARY]: 19, [PRIMARY]: 1 }, secureByResolver: { [PRIMARY]: 50 }, insecureByResolver: { [SECONDARY]: 30 } }), null);
    expect([neverSecure.kind, neverSecure.evidence.rules, neverSecure.evidence.topShare]).toEqual(["resolver-wide", ["disagreement"], 0.95]);
    const contradicted = attribute(tally({ bogus: 20, domains: manyDomains, bogusByResolver: { [SECONDARY]: 20 }, secureByResolver: { [SECONDARY]: 3 }, contradictedByResolver: { [SECONDARY]: 12 } }), null);
    expect([contradicted.kind, contradicted.evidence.rules]).toEqual(["resolver-wide", ["disagreement"]]);
  });

  it("domain-specific: few domains, whatever the resolvers did", () => {
    const verdict = attribute(tally({ bogus: 40, bogusAfterFallback: 40, domains: { "a.example": { MX: 30, TLSA: 2 }, "b.example": { A: 8 } }, bogusByResolver: { [SECONDARY]: 40 }, fallbacksTo: { [SECONDARY]: 40 } }), null);
    expect(verdict.kind).toBe("domain-specific");
    expect(verdict.domains).toEqual([{ domain: "a.example", records: { MX: 30, TLSA: 2 } }, { domain: "b.example", records: { A: 8 } }]);
    expect(verdict.reason).toBe("Bogus for 2 domain(s) only (resolver-wide needs 3 or more)");
  });

  it("domain-specific: many domains, Bogus from both resolvers, stray fallbacks", () => {
    const verdict = attribute(tally({ bogus: 20, bogusAfterFallback: 1, domains: manyDomains, bogusByResolver: { [PRIMARY]: 11, [SECONDARY]: 9 }, secureByResolver: { [PRIMARY]: 40, [SECONDARY]: 40 }, fallbacksTo: { [PRIMARY]: 2 } }), null);
    expect(verdict.kind).toBe("domain-specific");
    expect(verdict.reason).toContain("1 of 20 Bogus answers right after a resolver failure; 55% from 10.0.0.53");
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
      // The outage starts at 09:00 UTC; held for two 5-minute buckets, it fires in the 09:05 bucket...
      `fire CRITICAL resolver-wide ${iso(gen.OUTAGE.fromMs + 5 * MINUTE)}`,
      // ...and ends at 09:20; after two quiet buckets it clears in the 09:25 bucket.
      `clear OK resolver-wide ${iso(gen.OUTAGE.toMs + 5 * MINUTE)}`,
    ]);
    const fire = detector.events[0]!;
    expect(fire.sinceMs).toBe(gen.OUTAGE.fromMs);
    expect(fire.resolvers[0]).toMatchObject({ resolver: SECONDARY, bogus: 50, secure: 0 });
    expect(fire.resolvers[1]).toMatchObject({ resolver: PRIMARY, bogus: 0 });
    expect(fire.resolvers[1]!.failures).toBeGreaterThanOrEqual(150);
    expect(fire.evidence.rules).toContain("after-fallback");
    expect(fire.domainCount).toBe(30);
    expect(detector.timeline.filter((r) => r.level === "CRITICAL").map((r) => iso(r.startMs))).toEqual([0, 5, 10, 15].map((m) => iso(gen.OUTAGE.fromMs + m * MINUTE)));
  });

  it("a sticky outage (failures only in its first minute) is still resolver-wide", () => {
    const detector = detectLog(gen.render(appliance, gen.resolverOutage({ sticky: true })));
    const fire = detector.events.find((e) => e.event === "fire")!;
    expect([fire.kind, fire.level]).toEqual(["resolver-wide", "CRITICAL"]);
    // Only the first minute's 5 Bogus answers came right after a failure: not most of them.
    expect([fire.evidence.bogusAfterFallback, fire.evidence.bogus]).toEqual([5, 50]);
    expect(fire.evidence.rules).not.toContain("after-fallback");
    expect(fire.evidence.rules).toContain("fallback-target");
    expect(detector.events).toHaveLength(2);
  });

  it("resolvers that disagree all day (the secondary without DNSSEC): one standing resolver-wide alert", () => {
    const detector = detectLog(gen.render(appliance, gen.halfDnssec()));
    expect(summary(detector.events)).toEqual([`fire WARNING resolver-wide ${iso(T0 + 5 * MINUTE)}`]);
    expect(detector.events[0]!.evidence.rules).toEqual(["disagreement"]);
    expect(detector.levelNow).toBe("WARNING");
  });

  it("one domain turning Bogus fires a domain-specific alert naming it, its record type and counts", () => {
    const detector = detectLog(gen.render(appliance, gen.brokenDomain("broken.example", "TLSA")));
    expect(summary(detector.events)).toEqual([`fire WARNING domain-specific ${iso(T0 + HOUR + 5 * MINUTE)}`, `clear OK domain-specific ${iso(T0 + 2 * HOUR + 5 * MINUTE)}`]);
    expect(detector.events[0]!.domains).toEqual([{ domain: "broken.example", records: { TLSA: 10 } }]);
    expect(detector.events[1]!.domains).toEqual([{ domain: "broken.example", records: { TLSA: 60 } }]);
    expect(describeAlert(detector.events[0]!)).toMatch(/^Bogus DNSSEC for broken\.example \(TLSA 10\) since 2024-03-11T09:00Z: 10 Bogus answers/);
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
    expect(stray.timeline.reduce((n, r) => n + r.bogus, 0)).toBe(1);
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
    expect(summary(detector.events)).toEqual([`fire CRITICAL resolver-wide ${iso(gen.OUTAGE.fromMs + 5 * MINUTE)}`, `clear OK resolver-wide ${iso(gen.OUTAGE.toMs + 5 * MINUTE)}`]);
  });
});

describe("output", () => {
  const detector = detectLog(gen.render(appliance, gen.resolverOutage()));

  it("plugin first line, detail lines, JSON events and the time line", () => {
    const text = pluginOutput(detector, { state: detector.worst, problems: [], linesRead: 1234, withEvents: true }).split("\n");
    expect(text[0]).toMatch(/^DANE BOGUS CRITICAL - cleared: resolver-wide Bogus burst since 2024-03-11T09:00Z until 2024-03-11T09:25Z: 100 Bogus answers for 30 domains from 10\.0\.1\.53 \(100\) \(.*\) \| bogus=0;5;20;0 domains=0;;;0 bogus_max=25;5;20;0 baseline=[\d.]+;;;0 alerts=1;;;0$/);
    expect(text[1]).toMatch(/^2024-03-11T09:05Z fire CRITICAL resolver-wide: resolver-wide Bogus burst since 2024-03-11T09:00Z: 50 Bogus answers/);
    expect(text[2]).toMatch(/^2024-03-11T09:25Z clear OK resolver-wide: /);
    const json = JSON.parse(alertJson(detector.events[0]!)) as Record<string, unknown>;
    expect(json).toMatchObject({ event: "fire", level: "CRITICAL", kind: "resolver-wide", at: "2024-03-11T09:05Z", since: "2024-03-11T09:00Z", bucket: { bogus: 25, domains: 25 }, baseline: 7.5, bogus: 50, domainCount: 30 });
    expect(timelineText(detector.timeline)).toContain("2024-03-11T09:05Z       25      25     7.50 CRITICAL");
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
    const base = { bucket: "5m", "min-count": 3, warning: 5, critical: 20, factor: 4, alpha: 0.3, hold: 2 };
    expect(detectorOptions(base)).toEqual({ options: DEFAULT_DETECTOR });
    for (const bad of [{ bucket: "soon" }, { hold: 0 }, { alpha: 0 }, { alpha: 2 }, { factor: Number.NaN }, { warning: 30 }, { "min-count": 1.5 }]) {
      const result = detectorOptions({ ...base, ...bad });
      expect("error" in result && result.error.code).toBe("E_USAGE");
    }
  });
});
