// Scenario tests of the correlator on real-shaped logs: each attempt's evidence and decision.
import { attemptRecord } from "../src/output/attempt-record.js";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { Attempt, ResolverStats } from "../src/correlate/types.js";
import { parseDestinationControls, modeFor } from "../src/correlate/destination-controls.js";
import { readText } from "../src/input/read.js";
import { Analysis, analyse, type AnalysisOptions } from "../src/pipeline.js";
import { answer, at, connection, deliveryRun, dns, HEADER, log, lookup, queries } from "./helpers/logtext.js";
import { attemptCoherenceErrors, attemptRecordErrors } from "./helpers/schema.js";

function run(text: string, options: AnalysisOptions = {}): { attempts: Attempt[]; resolvers: ResolverStats[] } {
  const attempts: Attempt[] = [];
  const analysis = new Analysis(options, { attempt: (a) => attempts.push(a) });
  readText(text, "t.log", options, analysis.records);
  const resolvers = analysis.finish();
  for (const record of attempts.map(attemptRecord)) expect([...attemptRecordErrors(record), ...attemptCoherenceErrors(record)], JSON.stringify(record)).toEqual([]);
  return { attempts, resolvers };
}


describe("the tech note's daneverify runs", () => {
  it("ietf.org: all Secure, certificate not logged: undetermined in both modes", () => {
    const { attempts } = run(readFileSync("samples/ietf-daneverify.@20190204T200847.s", "utf8"));
    expect(attempts).toHaveLength(1);
    const a = attempts[0]!;
    expect(a.record).toMatchObject({ dcid: null, domain: "ietf.org", mxHost: "mail.ietf.org", evidence: { mx: "secure", a: "secure", tlsa: "secure", cert: "unknown" }, observed: "no-connection" });
    expect(a.record.decisionByMode).toEqual({ mandatory: "undetermined", opportunistic: "undetermined" });
    expect(a.missing).toEqual({ mandatory: ["cert"], opportunistic: ["cert"] });
    expect(a.record.resolvers.sort()).toEqual(["194.191.40.83", "194.191.40.84"]);
  });
  it("thinkbeyond.ch: Insecure MX and A: O12 fallback, M13 fail, and a resolver fallback", () => {
    const text = readFileSync("samples/thinkbeyond-daneverify.@20190204T201552.s", "utf8");
    const opportunistic = run(text, { mode: "opportunistic" }).attempts[0]!.record;
    expect(opportunistic).toMatchObject({ decision: "tls-fallback", row: "O12", evidence: { mx: "insecure", a: "insecure", tlsa: "unknown", cert: "unknown" } });
    expect(opportunistic.flags).toContain("resolver-fallback");
    expect(run(text, { mode: "mandatory" }).attempts[0]!.record).toMatchObject({ decision: "dane-fail", row: "M13" });
    expect(run(text).attempts[0]!.record).toMatchObject({ mode: "unknown", decision: "undetermined", decisionByMode: { mandatory: "dane-fail", opportunistic: "tls-fallback" } });
  });
});

describe("deliveries", () => {
  it("a DANE success with TLS ... for <domain>", () => {
    const { attempts } = run(log(dns(0, "ok.example", "mx.ok.example", "203.0.113.5", { mx: "secure", a: "secure", tlsa: "secure" }), connection(5, 100, 1, "203.0.113.5", "ok.example", "a@ok.example")), { mode: "mandatory" });
    expect(attempts.map((a) => a.record)).toMatchObject([{ dcid: 100, mids: [1], domain: "ok.example", mxHost: "mx.ok.example", ip: "203.0.113.5", decision: "dane-success", row: "M1", observed: "dane-success", flags: ["dane-success"] }]);
    expect(attempts[0]!.result).toBe("delivered");
    expect(attemptRecord(attempts[0]!).start).toBe("2024-03-11T08:00:05Z");
  });

  it("a second delivery within the TTL from cache; after the TTL, nothing known", () => {
    const { attempts } = run(
      log(
        dns(0, "ok.example", "mx.ok.example", "203.0.113.5", { mx: "secure", a: "secure", tlsa: "secure" }),
        connection(5, 100, 1, "203.0.113.5", "ok.example", "a@ok.example"),
        connection(600, 101, 2, "203.0.113.5", "ok.example", "b@ok.example"),
        connection(7300, 102, 3, "203.0.113.5", "ok.example", "c@ok.example"),
      ),
    );
    expect(attempts.map((a) => [a.record.dcid, a.record.evidence.mx, a.record.evidence.tlsa, a.record.flags.includes("cached")])).toEqual([
      [100, "secure", "secure", false],
      [101, "secure", "secure", true],
      [102, "unknown", "unknown", false],
    ]);
    expect(attempts[1]!.record.decision).toBe("dane-success");
  });

  it("interleaved lookups of three deliveries, answers out of order, each get their own evidence", () => {
    const lines = [
      ...queries(0, "a.example", "MX", ["10.0.0.53"]),
      ...queries(0, "b.example", "MX", ["10.0.0.53"]),
      ...queries(0, "c.example", "MX", ["10.0.1.53"]),
      // c answered first (latest outstanding), then a (out of order: its encache line moves it), then b.
      ...answer(1, "c.example", "MX", ["mx.c.example"], "insecure"),
      ...answer(1, "a.example", "MX", ["mx.a.example"], "secure"),
      ...answer(1, "b.example", "MX", ["mx.b.example"], "bogus"),
      ...lookup(2, "mx.a.example", "A", ["192.0.2.1"], "secure"),
      ...lookup(2, "mx.c.example", "A", ["192.0.2.3"], "insecure"),
      ...lookup(3, "_25._tcp.mx.a.example", "TLSA", ["030101aa"], "secure"),
      ...connection(4, 200, 10, "192.0.2.3", null, "x@c.example"),
      ...connection(4, 201, 11, "192.0.2.1", "a.example", "x@a.example"),
    ];
    const { attempts } = run(log(lines));
    const byDomain = Object.fromEntries(attempts.map((a) => [a.record.domain, a.record]));
    expect(byDomain["a.example"]).toMatchObject({ dcid: 201, evidence: { mx: "secure", a: "secure", tlsa: "secure", cert: "success" }, decision: "dane-success" });
    expect(byDomain["b.example"]).toMatchObject({ dcid: null, evidence: { mx: "bogus" }, decision: "dane-fail", flags: ["bogus"] });
    expect(byDomain["c.example"]).toMatchObject({ dcid: 200, evidence: { mx: "insecure", a: "insecure" }, decisionByMode: { mandatory: "dane-fail", opportunistic: "tls-fallback" } });
  });

  it("a failing primary and a non-DNSSEC secondary answering Bogus for several domains", () => {
    const lines: string[] = [];
    ["p.example", "q.example", "r.example"].forEach((domain, i) => {
      lines.push(...queries(i * 10, domain, "MX", ["10.0.0.53", "10.0.1.53"], ["10.0.0.53"]), ...answer(i * 10, domain, "MX", [`mx.${domain}`], "bogus", 300));
    });
    lines.push(...lookup(40, "s.example", "MX", ["mx.s.example"], "secure"));
    const { attempts, resolvers } = run(log(lines));
    const bogus = attempts.filter((a) => a.record.flags.includes("bogus"));
    expect(bogus.map((a) => a.record.domain)).toEqual(["p.example", "q.example", "r.example"]);
    for (const a of bogus) {
      expect(a.record).toMatchObject({ dcid: null, decisionByMode: { mandatory: "dane-fail", opportunistic: "dane-fail" }, resolvers: ["10.0.1.53"] });
      expect(a.record.flags).toEqual(["bogus", "resolver-fallback"]);
    }
    const primary = resolvers.find((r) => r.ip === "10.0.0.53")!;
    const secondary = resolvers.find((r) => r.ip === "10.0.1.53")!;
    expect(primary).toMatchObject({ failures: 3, fallbacksFrom: 3, likelyNoDnssec: false });
    expect(secondary).toMatchObject({ fallbacksTo: 3, likelyNoDnssec: true });
    expect(secondary.answers.bogus).toBe(3);
    expect(secondary.noDnssecReason).toContain("never answered Secure");
  });

  it("several MX hosts: the first connection fails, the second is used", () => {
    const lines = [
      ...lookup(0, "multi.example", "MX", ["mx1.multi.example", "mx2.multi.example"], "secure"),
      ...lookup(1, "mx1.multi.example", "A", ["192.0.2.11"], "secure"),
      ...lookup(1, "_25._tcp.mx1.multi.example", "TLSA", ["030101aa"], "secure"),
      `${at(2)} Info: MID 7 ICID 9 RID 0 To: <x@multi.example>`,
      `${at(2)} Info: New SMTP DCID 300 interface 10.0.3.10 address 192.0.2.11 port 25`,
      `${at(32)} Info: Connection Error: DCID 300 domain: multi.example IP: 192.0.2.11 port: 25 details: timeout interface: 10.0.3.10 reason: network error`,
      ...lookup(33, "mx2.multi.example", "A", ["192.0.2.12"], "secure"),
      ...lookup(33, "_25._tcp.mx2.multi.example", "TLSA", ["030101bb"], "secure"),
      ...connection(34, 301, 7, "192.0.2.12", "multi.example", "x@multi.example").slice(1),
    ];
    const { attempts } = run(log(lines));
    expect(attempts.map((a) => [a.record.dcid, a.record.mxHost, a.record.ip, a.result, a.record.decision])).toEqual([
      [300, "mx1.multi.example", "192.0.2.11", "connection-error", "undetermined"],
      [301, "mx2.multi.example", "192.0.2.12", "delivered", "dane-success"],
    ]);
  });

  it("follows an MX host that is a CNAME to the address connected to", () => {
    const lines = [
      ...lookup(0, "alias.example", "MX", ["mx.alias.example"], "secure"),
      ...lookup(1, "mx.alias.example", "CNAME", ["real.hosting.example"], "secure"),
      ...lookup(1, "real.hosting.example", "A", ["192.0.2.77"], "secure"),
      ...lookup(2, "_25._tcp.mx.alias.example", "TLSA", ["030101cc"], "secure"),
      ...connection(3, 600, 40, "192.0.2.77", null, "a@alias.example"),
    ];
    const { attempts } = run(log(lines), { mode: "mandatory" });
    expect(attempts.map((a) => a.record)).toMatchObject([
      { dcid: 600, domain: "alias.example", mxHost: "mx.alias.example", evidence: { mx: "secure", a: "secure", tlsa: "secure", cert: "unknown" }, decision: "undetermined" },
    ]);
    expect(attempts[0]!.record.flags).not.toContain("cached");
  });

  it("two appliances with the same DCIDs in one syslog stream stay apart", () => {
    const { attempts } = run(readFileSync("samples/syslog-two-appliances.log", "utf8"), { year: 2024 });
    expect(attempts.map((a) => [a.record.host, a.record.dcid, a.record.domain, a.record.decisionByMode.opportunistic])).toEqual([
      ["esa1.example.com", 12044, "example.org", "dane-success"],
      ["esa2.example.com", 12044, "example.net", "tls-fallback"],
    ]);
  });

  it("keeps two appliances' files apart by the serial number in their headers", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { analyse } = await import("../src/pipeline.js");
    const dir = mkdtempSync(join(tmpdir(), "esa-dane-two-"));
    const header = (serial: string) => [`${at(0)} Info: Begin Logfile`, `${at(0)} Info: Version: 15.0.1-030 SN: ${serial}`, `${at(0)} Info: Time offset from UTC: 0 seconds`];
    // Appliance A looks up ok.example and delivers; appliance B delivers to the same address with
    // the same DCID, its own cache holding nothing the log shows.
    writeFileSync(join(dir, "a.log"), `${[...header("AAAA-1111"), ...dns(0, "ok.example", "mx.ok.example", "203.0.113.5", { mx: "secure", a: "secure", tlsa: "secure" }), ...connection(5, 100, 1, "203.0.113.5", "ok.example", "a@ok.example")].join("\n")}\n`);
    writeFileSync(join(dir, "b.log"), `${[...header("BBBB-2222"), ...connection(60, 100, 1, "203.0.113.5", "ok.example", "b@ok.example")].join("\n")}\n`);
    const attempts: Attempt[] = [];
    await analyse([join(dir, "a.log"), join(dir, "b.log")], {}, { attempt: (a) => attempts.push(a) });
    expect(attempts.map((a) => [attemptRecord(a).source[0]!.split("/").pop(), a.record.evidence.mx, a.record.flags.includes("cached")])).toEqual([
      ["a.log:4", "secure", false],
      ["b.log:5", "unknown", false],
    ]);
    expect(attempts.every((a) => a.record.host === null)).toBe(true);
  });

  it("a TLS failure is a failed certificate only when it could be one", () => {
    // Secure MX, A and TLSA: the certificate decides (M1 success / M2 fail).
    const failing = (reason: string) =>
      log(
        dns(0, "ok.example", "mx.ok.example", "203.0.113.5", { mx: "secure", a: "secure", tlsa: "secure" }),
        connection(5, 100, 1, "203.0.113.5", null, "a@ok.example")
          .filter((line) => !/Delivery start|Message done|Response/.test(line))
          .map((line) => line.replace(/TLS success .*$/, `TLS failed${reason}`)),
      );
    const record = (reason: string) => run(failing(reason), { mode: "mandatory" }).attempts[0]!.record;
    expect(record(": verify error: no certificate matches the TLSA records")).toMatchObject({ observed: "tls-failed", evidence: { cert: "failed" }, decision: "dane-fail", row: "M2" });
    // No reason given: the failure of a DANE session is taken as the certificate's.
    expect(record("")).toMatchObject({ observed: "tls-failed", evidence: { cert: "failed" }, decision: "dane-fail" });
    // The network went away before the certificate was judged: nothing is known of it.
    for (const reason of [": [Errno 54] Connection reset by peer", ": timed out", ": unexpected EOF"]) {
      expect(record(reason), reason).toMatchObject({ observed: "tls-failed", evidence: { cert: "unknown" }, decision: "undetermined" });
    }
  });

  it("flags a mismatch when the log contradicts the replay", () => {
    const insecure = log(dns(0, "plain.example", "mx.plain.example", "198.51.100.9", { mx: "insecure", a: "insecure", tlsa: "none" }), connection(5, 400, 20, "198.51.100.9", null, "a@plain.example"));
    expect(run(insecure, { mode: "mandatory" }).attempts[0]!.record).toMatchObject({ decision: "dane-fail", row: "M13", observed: "tls" });
    expect(run(insecure, { mode: "mandatory" }).attempts[0]!.record.flags).toContain("mismatch");
    expect(run(insecure, { mode: "opportunistic" }).attempts[0]!.record.flags).not.toContain("mismatch");
    const success = log(dns(0, "ok.example", "mx.ok.example", "203.0.113.5", { mx: "secure", a: "secure", tlsa: "secure" }), connection(5, 100, 1, "203.0.113.5", "ok.example", "a@ok.example"));
    const { controls } = parseDestinationControls("default none\n");
    expect(run(success, { destinationControls: controls }).attempts[0]!.record).toMatchObject({ mode: "none", decision: "not-applicable", flags: ["dane-success", "mismatch"] });
  });

  it("closes an attempt without DCID close after the quiet period", () => {
    const lines = [...connection(0, 500, 30, "192.0.2.99", null, "a@x.example").slice(0, 5), `${at(1000)} Info: Start MID 31 ICID 4`];
    const { attempts } = run(log(lines), { quietSeconds: 300 });
    expect(attempts.map((a) => [a.record.dcid, attemptRecord(a).end])).toEqual([[500, "2024-03-11T08:00:02Z"]]);
  });

  it("keeps its state bounded over a long run", () => {
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const domain = `d${i}.example`;
      lines.push(...dns(i * 20, domain, `mx.${domain}`, `198.51.${i >> 8}.${i & 255}`, { mx: "secure", a: "secure", tlsa: "secure" }));
      lines.push(...connection(i * 20 + 5, 1000 + i, 5000 + i, `198.51.${i >> 8}.${i & 255}`, domain, `u@${domain}`));
    }
    const attempts: Attempt[] = [];
    const analysis = new Analysis({ quietSeconds: 60 }, { attempt: (a) => attempts.push(a) });
    readText(log(lines), "t.log", {}, analysis.records);
    const sizes = analysis.debugSizes();
    expect(sizes.connections).toBe(0);
    expect(sizes.resolutions).toBeLessThan(10);
    // The DNS cache holds what is within its TTL (3600 s = 180 deliveries here), not the whole log.
    expect(sizes.cacheEntries).toBeLessThan(4 * 200);
    analysis.finish();
    expect(attempts).toHaveLength(3000);
    expect(attempts.every((a) => a.record.decision === "dane-success")).toBe(true);
  });
});

describe("emit order", () => {
  const startsInOrder = (attempts: Attempt[]) => attempts.every((a, i) => i === 0 || attempts[i - 1]!.startMs! <= a.startMs!);
  it("streams attempts out before the end, yet one connection open for longer than the quiet periods still comes first", () => {
    // DCID 900 opens at 10 s and delivers a message every 30 s until it closes at 1001 s; the
    // others open and close meanwhile, and after it.
    const long = [...dns(0, "long.example", "mx.long.example", "203.0.113.5", { mx: "secure", a: "secure", tlsa: "secure" }), `${at(10)} Info: New SMTP DCID 900 interface 10.0.3.10 address 203.0.113.5 port 25`];
    for (let t = 20, mid = 9000; t < 1000; t += 30, mid++) {
      long.push(`${at(t)} Info: MID ${mid} ICID ${mid + 5000} RID 0 To: <u@long.example>`, `${at(t)} Info: Delivery start DCID 900 MID ${mid} to RID [0]`, `${at(t + 1)} Info: Message done DCID 900 MID ${mid} to RID [0]`);
    }
    long.push(`${at(1001)} Info: DCID 900 close`);
    const lines = [...long, ...deliveryRun(20, 74, 1000)].map((line) => ({ line, t: Date.parse(`${line.slice(4, 24)} UTC`) }));
    lines.sort((a, b) => a.t - b.t);
    const attempts: Attempt[] = [];
    const analysis = new Analysis({ quietSeconds: 60 }, { attempt: (a) => attempts.push(a) });
    readText(log(lines.map((l) => l.line)), "t.log", {}, analysis.records);
    const beforeEnd = attempts.length;
    analysis.finish();
    expect(attempts).toHaveLength(1 + 74);
    expect(attempts[0]!.record.dcid).toBe(900);
    expect(startsInOrder(attempts)).toBe(true);
    // Held back only what may still be preceded: the last two quiet periods' attempts.
    expect(beforeEnd).toBeGreaterThan(60);
  });

  it("a lookup retried for longer than the quiet periods still comes first", () => {
    // The MX lookup of slow.example starts at 0 s, its resolver fails every 50 s for 15 minutes,
    // then it answers Bogus (an attempt without connection, started at 0 s).
    const slow = queries(0, "slow.example", "MX", ["10.0.0.53"], ["10.0.0.53"]);
    for (let t = 50; t < 900; t += 50) {
      slow.push(
        `${at(t)} Debug: DNS query: QIP ('slow.example', 'MX', '10.0.0.53', 60)`,
        `${at(t)} Debug: DNS query: Q ('slow.example', 'MX', '10.0.0.53')`,
        `${at(t)} Warning: Received an invalid DNS Response: SERVER FAILED to IP 10.0.0.53 looking up slow.example`,
      );
    }
    slow.push(
      `${at(900)} Debug: DNS query: QIP ('slow.example', 'MX', '10.0.0.53', 60)`,
      `${at(900)} Debug: DNS query: Q ('slow.example', 'MX', '10.0.0.53')`,
      ...answer(900, "slow.example", "MX", ["mx.slow.example"], "bogus"),
    );
    const lines = [...slow, ...deliveryRun(20, 74, 1000)].map((line) => ({ line, t: Date.parse(`${line.slice(4, 24)} UTC`) }));
    lines.sort((a, b) => a.t - b.t);
    const attempts: Attempt[] = [];
    const analysis = new Analysis({ quietSeconds: 60 }, { attempt: (a) => attempts.push(a) });
    readText(log(lines.map((l) => l.line)), "t.log", {}, analysis.records);
    analysis.finish();
    expect(attempts[0]!.record).toMatchObject({ dcid: null, domain: "slow.example", evidence: { mx: "bogus" } });
    expect(startsInOrder(attempts)).toBe(true);
  });

  it("two appliances' files read one after the other, the second one earlier and gzipped: attempts in start order", async () => {
    const dir = mkdtempSync(join(tmpdir(), "esa-dane-order-"));
    const file = (serial: string, lines: string[]) => `${[HEADER[0], `${at(0)} Info: Version: 15.0.1-030 SN: ${serial}`, HEADER[1], ...lines].join("\n")}\n`;
    const first = join(dir, "esa1.log");
    const second = join(dir, "esa2.log.gz");
    writeFileSync(first, file("AAAA-1", deliveryRun(0, 300, 1000)));
    writeFileSync(second, gzipSync(file("BBBB-2", deliveryRun(1800, 90, 5000))));
    const attempts: Attempt[] = [];
    await analyse([first, second], { quietSeconds: 60, workers: 0 }, { attempt: (a) => attempts.push(a) });
    expect(attempts).toHaveLength(300 + 90);
    expect(startsInOrder(attempts)).toBe(true);
    expect(attempts.filter((a) => attemptRecord(a).source[0]!.startsWith(second))).toHaveLength(90);
  });
});

describe("destination controls", () => {
  it("reads domains, subdomain suffixes and the default; the most specific wins", () => {
    const { controls, errors } = parseDestinationControls("# modes\ndefault opportunistic\nexample.com mandatory\n.example.net none\n.sub.example.net mandatory\n");
    expect(errors).toEqual([]);
    expect(modeFor(controls, "example.com", "unknown")).toBe("mandatory");
    expect(modeFor(controls, "mail.example.com", "unknown")).toBe("opportunistic");
    expect(modeFor(controls, "a.example.net", "unknown")).toBe("none");
    expect(modeFor(controls, "example.net", "unknown")).toBe("opportunistic");
    expect(modeFor(controls, "x.sub.example.net", "unknown")).toBe("mandatory");
  });
  it("the issue's example file: default, one domain, the subdomains of another", () => {
    const { controls, errors } = parseDestinationControls("default opportunistic\nexample.com mandatory\n.example.net none\n");
    expect(errors).toEqual([]);
    expect(controls.default).toBe("opportunistic");
    expect([...controls.exact]).toEqual([["example.com", "mandatory"]]);
    expect([...controls.suffixes]).toEqual([["example.net", "none"]]);
    expect(["example.com", "a.example.com", "example.net", "mx.example.net", "a.b.example.net", "notexample.net", "other.example", null].map((d) => modeFor(controls, d, "unknown"))).toEqual([
      "mandatory",
      "opportunistic",
      "opportunistic",
      "none",
      "none",
      "opportunistic",
      "opportunistic",
      "opportunistic",
    ]);
  });
  it("reads names and modes without case, a root dot, CRLF line ends and trailing comments", () => {
    const { controls, errors } = parseDestinationControls("Default  Mandatory\r\nEXAMPLE.Com.\tNone   # our own\r\n.Example.NET opportunistic\r\n");
    expect(errors).toEqual([]);
    expect(modeFor(controls, "example.com", "unknown")).toBe("none");
    expect(modeFor(controls, "x.example.net", "unknown")).toBe("opportunistic");
    expect(modeFor(controls, "elsewhere.example", "unknown")).toBe("mandatory");
  });
  it("without a default line or a file, the fallback (--mode) applies", () => {
    const { controls } = parseDestinationControls("example.com none\n");
    expect(modeFor(controls, "example.org", "opportunistic")).toBe("opportunistic");
    expect(modeFor(controls, null, "mandatory")).toBe("mandatory");
    expect(modeFor(undefined, "example.com", "unknown")).toBe("unknown");
  });
  it("a later line for the same name wins; an exact entry beats a suffix entry for the same zone", () => {
    const { controls } = parseDestinationControls("example.com none\nexample.com mandatory\n.example.com opportunistic\n");
    expect(modeFor(controls, "example.com", "unknown")).toBe("mandatory");
    expect(modeFor(controls, "www.example.com", "unknown")).toBe("opportunistic");
  });
  it("counts every line, comments and blank ones too, in its error line numbers", () => {
    const { errors, controls } = parseDestinationControls("# header\n\nexample.com mandatory extra\nexample.org\n  \nexample.net unknown\ndefault none\n");
    expect(errors).toEqual([
      { line: 3, message: "expected 'domain mode', found 'example.com mandatory extra'" },
      { line: 4, message: "expected 'domain mode', found 'example.org'" },
      { line: 6, message: "unknown mode 'unknown' (mandatory, opportunistic or none)" },
    ]);
    // The good lines still count.
    expect(controls.default).toBe("none");
    expect(controls.exact.size).toBe(0);
  });
  it("names the line of a bad entry", () => {
    expect(parseDestinationControls("example.com sometimes\nonly-one-word\n").errors).toEqual([
      { line: 1, message: "unknown mode 'sometimes' (mandatory, opportunistic or none)" },
      { line: 2, message: "expected 'domain mode', found 'only-one-word'" },
    ]);
  });
});
