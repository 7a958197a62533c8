// Scenario tests of the correlation on literal log text, in the line forms of Cisco's tech note
// 214794 and of the public ESA samples (test/fixtures/public-samples/): each delivery
// attempt's evidence, decision per mode, flags and resolvers, through the whole pipeline
// (readText -> grammar -> events -> correlator) without files.
import { attemptRecord } from "../src/output/attempt-record.js";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseDestinationControls } from "../src/correlate/destination-controls.js";
import type { Attempt, AttemptRecord, ResolverStats } from "../src/correlate/types.js";
import { readText } from "../src/input/read.js";
import { Analysis, type AnalysisOptions } from "../src/pipeline.js";
import { evaluateBothModes } from "../src/policy/evaluate.js";
import { attemptCoherenceErrors, attemptRecordErrors } from "./helpers/schema.js";

/** Log text as written in a test: leading indentation of each line removed, one record a line. */
function text(literal: string): string {
  return `${literal
    .split("\n")
    .map((line) => line.replace(/^\s+/, ""))
    .filter((line) => line !== "")
    .join("\n")}\n`;
}

const HEADER = text(`
  Mon Mar 11 08:30:00 2024 Info: Begin Logfile
  Mon Mar 11 08:30:00 2024 Info: Version: 15.0.1-030 SN: 4229C1A8E2F7B0D63E15-9F04C2A1B7D8
  Mon Mar 11 08:30:00 2024 Info: Time offset from UTC: 0 seconds
`);

interface Run {
  attempts: Attempt[];
  records: AttemptRecord[];
  resolvers: ResolverStats[];
  /** The text of a `file:line` reference. */
  line: (ref: string) => string;
}

function run(log: string, options: AnalysisOptions = {}, name = "t.log"): Run {
  const attempts: Attempt[] = [];
  const analysis = new Analysis(options, { attempt: (a) => attempts.push(a) });
  const stats = readText(log, name, options, analysis.records);
  const resolvers = analysis.finish();
  expect(stats.malformed, "no malformed line").toBe(0);
  const records = attempts.map(attemptRecord);
  for (const record of records) {
    expect(attemptRecordErrors(record), JSON.stringify(record)).toEqual([]);
    expect(attemptCoherenceErrors(record), JSON.stringify(record)).toEqual([]);
  }
  const lines = log.split("\n");
  const line = (ref: string) => {
    const n = Number(ref.slice(ref.lastIndexOf(":") + 1));
    return lines[n - 1]!;
  };
  return { attempts, records, resolvers, line };
}

function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0]!;
}

// --- the tech note's two daneverify runs ------------------------------------------------------

describe("the tech note's daneverify runs", () => {
  const ietf = readFileSync("samples/ietf-daneverify.@20190204T200847.s", "utf8");
  const thinkbeyond = readFileSync("samples/thinkbeyond-daneverify.@20190204T201552.s", "utf8");

  it("ietf.org: all Secure, no certificate logged: undetermined in both modes (M1/M2, O1/O2), no connection", () => {
    const r = run(ietf);
    const a = only(r.attempts);
    expect(attemptRecord(a)).toMatchObject({
      host: null,
      start: "2019-02-04T20:08:47",
      end: "2019-02-04T20:08:49",
      dcid: null,
      mids: [],
      domain: "ietf.org",
      mxHost: "mail.ietf.org",
      ip: null,
      evidence: { mx: "secure", a: "secure", tlsa: "secure", cert: "unknown" },
      mode: "unknown",
      decisionByMode: { mandatory: "undetermined", opportunistic: "undetermined" },
      decision: "undetermined",
      row: null,
      observed: "no-connection",
      flags: ["undetermined"],
    });
    expect(a.missing).toEqual({ mandatory: ["cert"], opportunistic: ["cert"] });
    const byMode = evaluateBothModes(a.record.evidence);
    expect(byMode.mandatory.rows).toEqual(["M1", "M2"]);
    expect(byMode.opportunistic.rows).toEqual(["O1", "O2"]);
    expect([...a.record.resolvers].sort()).toEqual(["194.191.40.83", "194.191.40.84"]);
    // Every line of the run is evidence of this attempt.
    expect(attemptRecord(a).source).toEqual(Array.from({ length: 30 }, (_, i) => `t.log:${i + 1}`));
    for (const mode of ["mandatory", "opportunistic"] as const) {
      expect(run(ietf, { mode }).records[0]).toMatchObject({ mode, decision: "undetermined", row: null, flags: ["undetermined"] });
    }
  });

  it("thinkbeyond.ch: Insecure MX and A: O12 tls-fallback, M13 dane-fail; the CNAME lookup failed over from .83 to .84", () => {
    const unknown = only(run(thinkbeyond).records);
    expect(unknown).toMatchObject({
      dcid: null,
      domain: "thinkbeyond.ch",
      mxHost: "thinkbeyond-ch.mail.protection.outlook.com",
      evidence: { mx: "insecure", a: "insecure", tlsa: "unknown", cert: "unknown" },
      decisionByMode: { mandatory: "dane-fail", opportunistic: "tls-fallback" },
      decision: "undetermined",
      row: null,
      observed: "no-connection",
    });
    expect(unknown.flags).toEqual(["resolver-fallback", "undetermined"]);
    const opportunistic = only(run(thinkbeyond, { mode: "opportunistic" }).records);
    expect(opportunistic).toMatchObject({ mode: "opportunistic", decision: "tls-fallback", row: "O12", flags: ["resolver-fallback"] });
    const mandatory = only(run(thinkbeyond, { mode: "mandatory" }).records);
    expect(mandatory).toMatchObject({ mode: "mandatory", decision: "dane-fail", row: "M13", flags: ["resolver-fallback"] });
  });

  it("thinkbeyond.ch: the resolver table counts the failures and the fallback from .83", () => {
    const { resolvers } = run(thinkbeyond);
    const r83 = resolvers.find((r) => r.ip === "194.191.40.83")!;
    const r84 = resolvers.find((r) => r.ip === "194.191.40.84")!;
    expect(r83).toMatchObject({ failures: 1, fallbacksFrom: 1, likelyNoDnssec: false });
    expect(r84).toMatchObject({ failures: 1, fallbacksFrom: 0, fallbacksTo: 0, likelyNoDnssec: false });
  });

  it("both runs in one stream are two attempts", () => {
    const r = run(ietf + thinkbeyond);
    expect(r.records.map((x) => [x.domain, x.decisionByMode.mandatory, x.decisionByMode.opportunistic])).toEqual([
      ["ietf.org", "undetermined", "undetermined"],
      ["thinkbeyond.ch", "dane-fail", "tls-fallback"],
    ]);
    expect(r.records[1]!.source[0]).toBe("t.log:31");
  });
});

// --- one delivery with DANE success, then more from cache ------------------------------------

const DANE_OK = text(`
  Mon Mar 11 08:30:12 2024 Info: New SMTP ICID 773102 interface Data 1 (10.0.3.10) address 10.0.2.25 reverse dns host exch01.example.com verified yes
  Mon Mar 11 08:30:12 2024 Info: ICID 773102 RELAY SG RELAYLIST match 10.0.2.0/24 SBRS not enabled country not enabled
  Mon Mar 11 08:30:12 2024 Info: Start MID 441102 ICID 773102
  Mon Mar 11 08:30:12 2024 Info: MID 441102 ICID 773102 From: <alice@example.com>
  Mon Mar 11 08:30:12 2024 Info: MID 441102 ICID 773102 RID 0 To: <j.doe@dane-ok.example>
  Mon Mar 11 08:30:12 2024 Info: MID 441102 ready 48211 bytes from <alice@example.com>
  Mon Mar 11 08:30:13 2024 Info: ICID 773102 close
  Mon Mar 11 08:30:13 2024 Info: MID 441102 queued for delivery
  Mon Mar 11 08:30:13 2024 Debug: DNS query: Q('dane-ok.example', 'MX')
  Mon Mar 11 08:30:13 2024 Debug: DNS query: QN('dane-ok.example', 'MX', 'recursive_nameserver0.parent')
  Mon Mar 11 08:30:13 2024 Debug: DNS query: QIP ('dane-ok.example', 'MX', '10.0.0.53', 60)
  Mon Mar 11 08:30:13 2024 Debug: DNS query: Q ('dane-ok.example', 'MX', '10.0.0.53')
  Mon Mar 11 08:30:13 2024 Debug: DNSSEC Response data([(10, 'mail.dane-ok.example.')] , secure, 0, 3600)
  Mon Mar 11 08:30:13 2024 Debug: DNS encache (dane-ok.example, MX, [(5240668788550065L, 0, 'SECURE', (10, 'mail.dane-ok.example'))])
  Mon Mar 11 08:30:13 2024 Debug: DNS query: Q('mail.dane-ok.example', 'A')
  Mon Mar 11 08:30:13 2024 Debug: DNS query: QN('mail.dane-ok.example', 'A', 'recursive_nameserver0.parent')
  Mon Mar 11 08:30:13 2024 Debug: DNS query: QIP ('mail.dane-ok.example', 'A', '10.0.0.53', 60)
  Mon Mar 11 08:30:13 2024 Debug: DNS query: Q ('mail.dane-ok.example', 'A', '10.0.0.53')
  Mon Mar 11 08:30:13 2024 Debug: DNSSEC Response data(['203.0.113.25'], secure, 0, 3600)
  Mon Mar 11 08:30:13 2024 Debug: DNS encache (mail.dane-ok.example, A, [(5240668898591295L, 0, 'SECURE', '203.0.113.25')])
  Mon Mar 11 08:30:14 2024 Debug: DNS query: Q('mail.dane-ok.example', 'AAAA')
  Mon Mar 11 08:30:14 2024 Debug: DNS query: QN('mail.dane-ok.example', 'AAAA', 'recursive_nameserver0.parent')
  Mon Mar 11 08:30:14 2024 Debug: DNS query: QIP ('mail.dane-ok.example', 'AAAA', '10.0.0.53', 60)
  Mon Mar 11 08:30:14 2024 Debug: DNS query: Q ('mail.dane-ok.example', 'AAAA', '10.0.0.53')
  Mon Mar 11 08:30:14 2024 Warning: Received an invalid DNSSEC Response: DNSSEC_Error('mail.dane-ok.example', 'AAAA', '10.0.0.53', 'DNSSEC Error for hostname mail.dane-ok.example (AAAA) while asking 10.0.0.53. Error was: Unsupported qtype') of qtype AAAA looking up mail.dane-ok.example
  Mon Mar 11 08:30:14 2024 Debug: DNS query: Q('mail.dane-ok.example', 'CNAME')
  Mon Mar 11 08:30:14 2024 Debug: DNS query: QN('mail.dane-ok.example', 'CNAME', 'recursive_nameserver0.parent')
  Mon Mar 11 08:30:14 2024 Debug: DNS query: QIP ('mail.dane-ok.example', 'CNAME', '10.0.0.53', 60)
  Mon Mar 11 08:30:14 2024 Debug: DNS query: Q ('mail.dane-ok.example', 'CNAME', '10.0.0.53')
  Mon Mar 11 08:30:14 2024 Debug: DNSSEC Response data([], , 0, 3600)
  Mon Mar 11 08:30:14 2024 Debug: Received NODATA for domain mail.dane-ok.example type CNAME
  Mon Mar 11 08:30:14 2024 Debug: No CNAME record(NoError) found for domain(mail.dane-ok.example)
  Mon Mar 11 08:30:14 2024 Debug: DNS query: Q('_25._tcp.mail.dane-ok.example', 'TLSA')
  Mon Mar 11 08:30:14 2024 Debug: DNS query: QN('_25._tcp.mail.dane-ok.example', 'TLSA', 'recursive_nameserver0.parent')
  Mon Mar 11 08:30:14 2024 Debug: DNS query: QIP ('_25._tcp.mail.dane-ok.example', 'TLSA', '10.0.0.53', 60)
  Mon Mar 11 08:30:14 2024 Debug: DNS query: Q ('_25._tcp.mail.dane-ok.example', 'TLSA', '10.0.0.53')
  Mon Mar 11 08:30:14 2024 Debug: DNSSEC Response data(['030101585794a4d9e5769401c0ccc7a3d40a69fbb9097be0d1824c32ebd8f5dc4298a1'], secure, 0, 3600)
  Mon Mar 11 08:30:14 2024 Debug: DNS encache (_25._tcp.mail.dane-ok.example, TLSA, [(5240669391275893L, 0, 'SECURE', '030101585794a4d9e5769401c0ccc7a3d40a69fbb9097be0d1824c32ebd8f5dc4298a1')])
  Mon Mar 11 08:30:15 2024 Info: New SMTP DCID 219102 interface 10.0.3.10 address 203.0.113.25 port 25
  Mon Mar 11 08:30:15 2024 Info: DCID 219102 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384 for dane-ok.example
  Mon Mar 11 08:30:15 2024 Info: Delivery start DCID 219102 MID 441102 to RID [0]
  Mon Mar 11 08:30:16 2024 Info: Message done DCID 219102 MID 441102 to RID [0]
  Mon Mar 11 08:30:16 2024 Info: MID 441102 RID [0] Response '2.0.0 Ok: queued as 4TtXq81Ck2z9sZ3'
  Mon Mar 11 08:30:16 2024 Info: Message finished MID 441102 done
  Mon Mar 11 08:30:21 2024 Info: DCID 219102 close
`);

/** A later delivery to dane-ok.example with no DNS line: the appliance used its cache. */
function daneOkAgain(hhmm: string, mid: number, dcid: number): string {
  return text(`
    Mon Mar 11 ${hhmm}:10 2024 Info: Start MID ${mid} ICID ${mid + 332000}
    Mon Mar 11 ${hhmm}:10 2024 Info: MID ${mid} ICID ${mid + 332000} RID 0 To: <m.roe@dane-ok.example>
    Mon Mar 11 ${hhmm}:10 2024 Info: MID ${mid} queued for delivery
    Mon Mar 11 ${hhmm}:11 2024 Info: New SMTP DCID ${dcid} interface 10.0.3.10 address 203.0.113.25 port 25
    Mon Mar 11 ${hhmm}:11 2024 Info: DCID ${dcid} TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384 for dane-ok.example
    Mon Mar 11 ${hhmm}:11 2024 Info: Delivery start DCID ${dcid} MID ${mid} to RID [0]
    Mon Mar 11 ${hhmm}:12 2024 Info: Message done DCID ${dcid} MID ${mid} to RID [0]
    Mon Mar 11 ${hhmm}:12 2024 Info: MID ${mid} RID [0] Response '2.0.0 Ok: queued as 4TtXr00Mm3z9sZ8'
    Mon Mar 11 ${hhmm}:12 2024 Info: Message finished MID ${mid} done
    Mon Mar 11 ${hhmm}:17 2024 Info: DCID ${dcid} close
  `);
}

describe("a DANE success", () => {
  it("TLS success ... for <domain> after Secure MX, A and TLSA: dane-success, M1 / O1, flag dane-success", () => {
    const r = run(HEADER + DANE_OK);
    const a = only(r.attempts);
    expect(attemptRecord(a)).toEqual({
      host: null,
      start: "2024-03-11T08:30:15Z",
      end: "2024-03-11T08:30:21Z",
      dcid: 219102,
      mids: [441102],
      domain: "dane-ok.example",
      domainCandidates: [],
      mxHost: "mail.dane-ok.example",
      ip: "203.0.113.25",
      evidence: { mx: "secure", a: "secure", tlsa: "secure", cert: "success" },
      mode: "unknown",
      decisionByMode: { mandatory: "dane-success", opportunistic: "dane-success" },
      decision: "dane-success",
      row: null,
      observed: "dane-success",
      flags: ["dane-success"],
      resolvers: ["10.0.0.53"],
      source: expect.any(Array),
    });
    expect(a.result).toBe("delivered");
    expect(a.recipients).toEqual(["j.doe@dane-ok.example"]);
    expect(a.sendingIp).toBe("10.0.3.10");
    // The evidence trail: the DNS lines of MX, A, AAAA, CNAME, TLSA and the connection's lines,
    // not the inbound ICID lines.
    const texts = attemptRecord(a).source.map(r.line);
    expect(texts[0]).toContain("Q('dane-ok.example', 'MX')");
    expect(texts.at(-1)).toContain("DCID 219102 close");
    expect(texts.some((t) => t.includes("Unsupported qtype"))).toBe(true);
    expect(texts.some((t) => t.includes("No CNAME record(NoError) found for domain(mail.dane-ok.example)"))).toBe(true);
    expect(texts.some((t) => t.includes("ICID 773102 RELAY"))).toBe(false);
    expect(run(HEADER + DANE_OK, { mode: "mandatory" }).records[0]).toMatchObject({ decision: "dane-success", row: "M1", flags: ["dane-success"] });
    expect(run(HEADER + DANE_OK, { mode: "opportunistic" }).records[0]).toMatchObject({ decision: "dane-success", row: "O1", flags: ["dane-success"] });
  });

  it("the domain in `for <domain>` is read without case", () => {
    const shouting = DANE_OK.replace("cipher ECDHE-RSA-AES256-GCM-SHA384 for dane-ok.example", "cipher ECDHE-RSA-AES256-GCM-SHA384 for DANE-OK.Example");
    expect(only(run(HEADER + shouting).records)).toMatchObject({ domain: "dane-ok.example", evidence: { mx: "secure", cert: "success" }, decision: "dane-success" });
  });
});

describe("deliveries served from the DNS cache", () => {
  it("within the TTL (1 and 10 minutes later): the same evidence, flag cached", () => {
    const r = run(HEADER + DANE_OK + daneOkAgain("08:31", 441120, 219120) + daneOkAgain("08:40", 441121, 219121), { mode: "mandatory" });
    expect(r.records.map((x) => [x.dcid, x.mids, x.mxHost, x.ip, x.evidence, x.decision, x.row, x.flags])).toEqual([
      [219102, [441102], "mail.dane-ok.example", "203.0.113.25", { mx: "secure", a: "secure", tlsa: "secure", cert: "success" }, "dane-success", "M1", ["dane-success"]],
      [219120, [441120], "mail.dane-ok.example", "203.0.113.25", { mx: "secure", a: "secure", tlsa: "secure", cert: "success" }, "dane-success", "M1", ["dane-success", "cached"]],
      [219121, [441121], "mail.dane-ok.example", "203.0.113.25", { mx: "secure", a: "secure", tlsa: "secure", cert: "success" }, "dane-success", "M1", ["dane-success", "cached"]],
    ]);
    // A cached attempt points back at the lookups it used.
    const cached = attemptRecord(r.attempts[2]!).source.map(r.line);
    expect(cached.some((t) => t.includes("DNS encache (dane-ok.example, MX"))).toBe(true);
    expect(cached.some((t) => t.includes("DNS encache (_25._tcp.mail.dane-ok.example, TLSA"))).toBe(true);
    expect(r.records[2]!.resolvers).toEqual(["10.0.0.53"]);
  });

  it("after the TTL (3600 s) expired, with no lookup logged: evidence unknown, not cached", () => {
    const r = run(HEADER + DANE_OK + daneOkAgain("10:30", 441130, 219130), { mode: "mandatory" });
    expect(r.records).toHaveLength(2);
    const late = r.records[1]!;
    expect(late).toMatchObject({
      dcid: 219130,
      domain: "dane-ok.example",
      mxHost: null,
      ip: "203.0.113.25",
      evidence: { mx: "unknown", a: "unknown", tlsa: "unknown", cert: "success" },
      decision: "undetermined",
      observed: "dane-success",
      resolvers: [],
    });
    expect(late.flags).toEqual(["dane-success", "undetermined"]);
    expect(late.source.map(r.line).every((t) => !t.includes("DNS"))).toBe(true);
  });
});

// The tech note's thinkbeyond.ch answers: Insecure MX (TTL 3600) and A records with TTL 10.
function shortTtl(connectAt: string): string {
  return text(`
    Mon Mar 11 08:40:00 2024 Info: MID 441150 ICID 773150 RID 0 To: <info@thinkbeyond.ch>
    Mon Mar 11 08:40:00 2024 Info: MID 441150 queued for delivery
    Mon Mar 11 08:40:00 2024 Debug: DNS query: Q('thinkbeyond.ch', 'MX')
    Mon Mar 11 08:40:00 2024 Debug: DNS query: QN('thinkbeyond.ch', 'MX', 'recursive_nameserver0.parent')
    Mon Mar 11 08:40:00 2024 Debug: DNS query: QIP ('thinkbeyond.ch','MX','194.191.40.84',60)
    Mon Mar 11 08:40:00 2024 Debug: DNS query: Q ('thinkbeyond.ch', 'MX', '194.191.40.84')
    Mon Mar 11 08:40:00 2024 Debug: DNSSEC Response data([(10, 'thinkbeyond-ch.mail.protection.outlook.com.')] , insecure, 0, 3600)
    Mon Mar 11 08:40:00 2024 Debug: DNS encache (thinkbeyond.ch, MX, [(8502120882844461L, 0, 'INSECURE', (10, 'thinkbeyond-ch.mail.protection.outlook.com'))])
    Mon Mar 11 08:40:00 2024 Debug: DNS query: Q('thinkbeyond-ch.mail.protection.outlook.com', 'A')
    Mon Mar 11 08:40:00 2024 Debug: DNS query: QN('thinkbeyond-ch.mail.protection.outlook.com', 'A', 'recursive_nameserver0.parent')
    Mon Mar 11 08:40:00 2024 Debug: DNS query: QIP ('thinkbeyond-ch.mail.protection.outlook.com','A','194.191.40.83',60)
    Mon Mar 11 08:40:00 2024 Debug: DNS query: Q ('thinkbeyond-ch.mail.protection.outlook.com', 'A', '194.191.40.83')
    Mon Mar 11 08:40:00 2024 Debug: DNSSEC Response data(['104.47.9.36', '104.47.10.36'], insecure, 0, 10)
    Mon Mar 11 08:40:00 2024 Debug: DNS encache (thinkbeyond-ch.mail.protection.outlook.com, A, [(8497631700844461L, 0, 'INSECURE', '104.47.9.36'), (8497631700844461L, 0, 'INSECURE', '104.47.10.36')])
    Mon Mar 11 ${connectAt} 2024 Info: New SMTP DCID 219150 interface 10.0.3.10 address 104.47.10.36 port 25
    Mon Mar 11 ${connectAt} 2024 Info: DCID 219150 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384
    Mon Mar 11 ${connectAt} 2024 Info: Delivery start DCID 219150 MID 441150 to RID [0]
    Mon Mar 11 ${connectAt} 2024 Info: Message done DCID 219150 MID 441150 to RID [0]
    Mon Mar 11 ${connectAt} 2024 Info: DCID 219150 close
  `);
}

describe("a delivery's own lookups and the TTL", () => {
  it("the lookups made for a delivery are its evidence even when the connection opens after their TTL (10 s)", () => {
    for (const connectAt of ["08:40:01", "08:40:25", "08:41:40"]) {
      const record = only(run(HEADER + shortTtl(connectAt), { mode: "opportunistic" }).records);
      expect(record, connectAt).toMatchObject({
        dcid: 219150,
        domain: "thinkbeyond.ch",
        mxHost: "thinkbeyond-ch.mail.protection.outlook.com",
        ip: "104.47.10.36",
        evidence: { mx: "insecure", a: "insecure", tlsa: "unknown", cert: "unknown" },
        decision: "tls-fallback",
        row: "O12",
        flags: [],
        resolvers: ["194.191.40.84", "194.191.40.83"],
      });
    }
  });

  it("a later delivery from cache uses only what is still within its TTL", () => {
    const again = text(`
      Mon Mar 11 08:40:20 2024 Info: MID 441151 ICID 773151 RID 0 To: <sales@thinkbeyond.ch>
      Mon Mar 11 08:40:20 2024 Info: New SMTP DCID 219151 interface 10.0.3.10 address 104.47.9.36 port 25
      Mon Mar 11 08:40:20 2024 Info: DCID 219151 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384
      Mon Mar 11 08:40:20 2024 Info: Delivery start DCID 219151 MID 441151 to RID [0]
      Mon Mar 11 08:40:21 2024 Info: Message done DCID 219151 MID 441151 to RID [0]
      Mon Mar 11 08:40:21 2024 Info: DCID 219151 close
    `);
    const r = run(HEADER + shortTtl("08:40:01") + again);
    expect(r.records.map((x) => [x.dcid, x.evidence.mx, x.evidence.a, x.flags.includes("cached")])).toEqual([
      [219150, "insecure", "insecure", false],
      // 20 s after the A answer with TTL 10: the MX (TTL 3600) still counts, the A no longer.
      [219151, "insecure", "unknown", true],
    ]);
  });
});

// --- interleaved lookups ----------------------------------------------------------------------

// Three deliveries whose lookups interleave. Each DNSSEC Response answers the latest outstanding
// query, except where marked: there the answer belongs to an earlier query, and the encache line
// after it names that query.
const INTERLEAVED = text(`
  Mon Mar 11 08:31:00 2024 Info: MID 441201 ICID 773201 RID 0 To: <a@alpha.example>
  Mon Mar 11 08:31:00 2024 Info: MID 441201 queued for delivery
  Mon Mar 11 08:31:00 2024 Info: MID 441202 ICID 773202 RID 0 To: <b@bravo.example>
  Mon Mar 11 08:31:00 2024 Info: MID 441202 queued for delivery
  Mon Mar 11 08:31:00 2024 Info: MID 441203 ICID 773203 RID 0 To: <c@charlie.example>
  Mon Mar 11 08:31:00 2024 Info: MID 441203 queued for delivery
  Mon Mar 11 08:31:00 2024 Debug: DNS query: Q('alpha.example', 'MX')
  Mon Mar 11 08:31:00 2024 Debug: DNS query: QN('alpha.example', 'MX', 'recursive_nameserver0.parent')
  Mon Mar 11 08:31:00 2024 Debug: DNS query: Q('bravo.example', 'MX')
  Mon Mar 11 08:31:00 2024 Debug: DNS query: QIP ('alpha.example', 'MX', '10.0.0.53', 60)
  Mon Mar 11 08:31:00 2024 Debug: DNS query: QN('bravo.example', 'MX', 'recursive_nameserver0.parent')
  Mon Mar 11 08:31:00 2024 Debug: DNS query: Q ('alpha.example', 'MX', '10.0.0.53')
  Mon Mar 11 08:31:00 2024 Debug: DNS query: QIP ('bravo.example', 'MX', '10.0.0.54', 60)
  Mon Mar 11 08:31:00 2024 Debug: DNS query: Q('charlie.example', 'MX')
  Mon Mar 11 08:31:00 2024 Debug: DNS query: Q ('bravo.example', 'MX', '10.0.0.54')
  Mon Mar 11 08:31:00 2024 Debug: DNS query: QN('charlie.example', 'MX', 'recursive_nameserver0.parent')
  Mon Mar 11 08:31:00 2024 Debug: DNS query: QIP ('charlie.example', 'MX', '10.0.0.53', 60)
  Mon Mar 11 08:31:00 2024 Debug: DNS query: Q ('charlie.example', 'MX', '10.0.0.53')
  Mon Mar 11 08:31:01 2024 Debug: DNSSEC Response data([(10, 'mx.charlie.example.')] , insecure, 0, 3600)
  Mon Mar 11 08:31:01 2024 Debug: DNS encache (charlie.example, MX, [(5240700000000001L, 0, 'INSECURE', (10, 'mx.charlie.example'))])
  Mon Mar 11 08:31:01 2024 Debug: DNSSEC Response data([(10, 'mail.bravo.example.')] , secure, 0, 3600)
  Mon Mar 11 08:31:01 2024 Debug: DNS encache (bravo.example, MX, [(5240700000000002L, 0, 'SECURE', (10, 'mail.bravo.example'))])
  Mon Mar 11 08:31:01 2024 Debug: DNSSEC Response data([(10, 'mail.alpha.example.')] , secure, 0, 3600)
  Mon Mar 11 08:31:01 2024 Debug: DNS encache (alpha.example, MX, [(5240700000000003L, 0, 'SECURE', (10, 'mail.alpha.example'))])
  Mon Mar 11 08:31:01 2024 Debug: DNS query: Q('mail.alpha.example', 'A')
  Mon Mar 11 08:31:01 2024 Debug: DNS query: QN('mail.alpha.example', 'A', 'recursive_nameserver0.parent')
  Mon Mar 11 08:31:01 2024 Debug: DNS query: QIP ('mail.alpha.example', 'A', '10.0.0.53', 60)
  Mon Mar 11 08:31:01 2024 Debug: DNS query: Q ('mail.alpha.example', 'A', '10.0.0.53')
  Mon Mar 11 08:31:01 2024 Debug: DNS query: Q('mx.charlie.example', 'A')
  Mon Mar 11 08:31:01 2024 Debug: DNS query: QN('mx.charlie.example', 'A', 'recursive_nameserver0.parent')
  Mon Mar 11 08:31:01 2024 Debug: DNS query: QIP ('mx.charlie.example', 'A', '10.0.0.53', 60)
  Mon Mar 11 08:31:01 2024 Debug: DNS query: Q ('mx.charlie.example', 'A', '10.0.0.53')
  Mon Mar 11 08:31:01 2024 Debug: DNS query: Q('mail.bravo.example', 'A')
  Mon Mar 11 08:31:01 2024 Debug: DNS query: QN('mail.bravo.example', 'A', 'recursive_nameserver0.parent')
  Mon Mar 11 08:31:01 2024 Debug: DNS query: QIP ('mail.bravo.example', 'A', '10.0.0.54', 60)
  Mon Mar 11 08:31:01 2024 Debug: DNS query: Q ('mail.bravo.example', 'A', '10.0.0.54')
  Mon Mar 11 08:31:02 2024 Debug: DNSSEC Response data(['192.0.2.10'], secure, 0, 3600)
  Mon Mar 11 08:31:02 2024 Debug: DNS encache (mail.alpha.example, A, [(5240700000000004L, 0, 'SECURE', '192.0.2.10')])
  Mon Mar 11 08:31:02 2024 Debug: DNSSEC Response data(['198.51.100.30'], insecure, 0, 3600)
  Mon Mar 11 08:31:02 2024 Debug: DNS encache (mx.charlie.example, A, [(5240700000000005L, 0, 'INSECURE', '198.51.100.30')])
  Mon Mar 11 08:31:02 2024 Debug: DNSSEC Response data(['192.0.2.20'], secure, 0, 3600)
  Mon Mar 11 08:31:02 2024 Debug: DNS encache (mail.bravo.example, A, [(5240700000000006L, 0, 'SECURE', '192.0.2.20')])
  Mon Mar 11 08:31:02 2024 Debug: DNS query: Q('_25._tcp.mail.alpha.example', 'TLSA')
  Mon Mar 11 08:31:02 2024 Debug: DNS query: QN('_25._tcp.mail.alpha.example', 'TLSA', 'recursive_nameserver0.parent')
  Mon Mar 11 08:31:02 2024 Debug: DNS query: QIP ('_25._tcp.mail.alpha.example', 'TLSA', '10.0.0.53', 60)
  Mon Mar 11 08:31:02 2024 Debug: DNS query: Q ('_25._tcp.mail.alpha.example', 'TLSA', '10.0.0.53')
  Mon Mar 11 08:31:02 2024 Debug: DNS query: Q('_25._tcp.mail.bravo.example', 'TLSA')
  Mon Mar 11 08:31:02 2024 Debug: DNS query: QN('_25._tcp.mail.bravo.example', 'TLSA', 'recursive_nameserver0.parent')
  Mon Mar 11 08:31:02 2024 Debug: DNS query: QIP ('_25._tcp.mail.bravo.example', 'TLSA', '10.0.0.54', 60)
  Mon Mar 11 08:31:02 2024 Debug: DNS query: Q ('_25._tcp.mail.bravo.example', 'TLSA', '10.0.0.54')
  Mon Mar 11 08:31:03 2024 Debug: DNSSEC Response data(['0301016a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9'], secure, 0, 3600)
  Mon Mar 11 08:31:03 2024 Debug: DNS encache (_25._tcp.mail.alpha.example, TLSA, [(5240700000000007L, 0, 'SECURE', '0301016a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9')])
  Mon Mar 11 08:31:03 2024 Debug: DNSSEC Response data([], , 0, 3600)
  Mon Mar 11 08:31:03 2024 Debug: Received NODATA for domain _25._tcp.mail.bravo.example type TLSA
  Mon Mar 11 08:31:04 2024 Info: New SMTP DCID 219201 interface 10.0.3.10 address 192.0.2.10 port 25
  Mon Mar 11 08:31:04 2024 Info: New SMTP DCID 219202 interface 10.0.3.10 address 192.0.2.20 port 25
  Mon Mar 11 08:31:04 2024 Info: New SMTP DCID 219203 interface 10.0.3.10 address 198.51.100.30 port 25
  Mon Mar 11 08:31:04 2024 Info: DCID 219203 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES128-GCM-SHA256
  Mon Mar 11 08:31:04 2024 Info: DCID 219201 TLS success protocol TLSv1.3 cipher TLS_AES_256_GCM_SHA384 for alpha.example
  Mon Mar 11 08:31:04 2024 Info: DCID 219202 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384
  Mon Mar 11 08:31:04 2024 Info: Delivery start DCID 219202 MID 441202 to RID [0]
  Mon Mar 11 08:31:04 2024 Info: Delivery start DCID 219203 MID 441203 to RID [0]
  Mon Mar 11 08:31:04 2024 Info: Delivery start DCID 219201 MID 441201 to RID [0]
  Mon Mar 11 08:31:05 2024 Info: Message done DCID 219201 MID 441201 to RID [0]
  Mon Mar 11 08:31:05 2024 Info: Message done DCID 219203 MID 441203 to RID [0]
  Mon Mar 11 08:31:05 2024 Info: Message done DCID 219202 MID 441202 to RID [0]
  Mon Mar 11 08:31:06 2024 Info: DCID 219202 close
  Mon Mar 11 08:31:06 2024 Info: DCID 219201 close
  Mon Mar 11 08:31:06 2024 Info: DCID 219203 close
`);

describe("interleaved lookups of three deliveries", () => {
  it("each attempt gets its own domain's classifications", () => {
    const r = run(HEADER + INTERLEAVED);
    const byDomain = new Map(r.records.map((x) => [x.domain, x]));
    expect([...byDomain.keys()].sort()).toEqual(["alpha.example", "bravo.example", "charlie.example"]);
    expect(byDomain.get("alpha.example")).toMatchObject({
      dcid: 219201,
      mids: [441201],
      mxHost: "mail.alpha.example",
      ip: "192.0.2.10",
      evidence: { mx: "secure", a: "secure", tlsa: "secure", cert: "success" },
      decisionByMode: { mandatory: "dane-success", opportunistic: "dane-success" },
      flags: ["dane-success"],
      resolvers: ["10.0.0.53"],
    });
    expect(byDomain.get("bravo.example")).toMatchObject({
      dcid: 219202,
      mids: [441202],
      mxHost: "mail.bravo.example",
      ip: "192.0.2.20",
      evidence: { mx: "secure", a: "secure", tlsa: "nxdomain", cert: "unknown" },
      decisionByMode: { mandatory: "dane-fail", opportunistic: "tls-fallback" },
      observed: "tls",
      resolvers: ["10.0.0.54"],
    });
    expect(byDomain.get("charlie.example")).toMatchObject({
      dcid: 219203,
      mids: [441203],
      mxHost: "mx.charlie.example",
      ip: "198.51.100.30",
      evidence: { mx: "insecure", a: "insecure", tlsa: "unknown", cert: "unknown" },
      decisionByMode: { mandatory: "dane-fail", opportunistic: "tls-fallback" },
      observed: "tls",
    });
    for (const x of r.records) expect(x.flags).not.toContain("cached");
  });

  it("rows per mode: alpha M1/O1, bravo M4/O4, charlie M13/O12", () => {
    const rows = (mode: "mandatory" | "opportunistic") =>
      Object.fromEntries(run(HEADER + INTERLEAVED, { mode }).records.map((x) => [x.domain, x.row]));
    expect(rows("mandatory")).toEqual({ "alpha.example": "M1", "bravo.example": "M4", "charlie.example": "M13" });
    expect(rows("opportunistic")).toEqual({ "alpha.example": "O1", "bravo.example": "O4", "charlie.example": "O12" });
  });

  it("each attempt's evidence trail names only its own lookups", () => {
    const r = run(HEADER + INTERLEAVED);
    for (const x of r.records) {
      const others = ["alpha", "bravo", "charlie"].filter((n) => !x.domain!.startsWith(n));
      for (const t of x.source.map(r.line)) {
        if (!/DNS (query|encache)|NODATA/.test(t)) continue;
        for (const other of others) expect(t, `${x.domain}: ${t}`).not.toContain(other);
      }
    }
  });

  it("answers in LIFO order with no encache to correct them: the latest outstanding query gets the answer", () => {
    // The same queries as above, but the A answers come back latest first (bravo, charlie, alpha).
    const lifo = INTERLEAVED.replace(
      text(`
        Mon Mar 11 08:31:02 2024 Debug: DNSSEC Response data(['192.0.2.10'], secure, 0, 3600)
        Mon Mar 11 08:31:02 2024 Debug: DNS encache (mail.alpha.example, A, [(5240700000000004L, 0, 'SECURE', '192.0.2.10')])
        Mon Mar 11 08:31:02 2024 Debug: DNSSEC Response data(['198.51.100.30'], insecure, 0, 3600)
        Mon Mar 11 08:31:02 2024 Debug: DNS encache (mx.charlie.example, A, [(5240700000000005L, 0, 'INSECURE', '198.51.100.30')])
        Mon Mar 11 08:31:02 2024 Debug: DNSSEC Response data(['192.0.2.20'], secure, 0, 3600)
        Mon Mar 11 08:31:02 2024 Debug: DNS encache (mail.bravo.example, A, [(5240700000000006L, 0, 'SECURE', '192.0.2.20')])
      `),
      text(`
        Mon Mar 11 08:31:02 2024 Debug: DNSSEC Response data(['192.0.2.20'], secure, 0, 3600)
        Mon Mar 11 08:31:02 2024 Debug: DNS encache (mail.bravo.example, A, [(5240700000000006L, 0, 'SECURE', '192.0.2.20')])
        Mon Mar 11 08:31:02 2024 Debug: DNSSEC Response data(['198.51.100.30'], insecure, 0, 3600)
        Mon Mar 11 08:31:02 2024 Debug: DNS encache (mx.charlie.example, A, [(5240700000000005L, 0, 'INSECURE', '198.51.100.30')])
        Mon Mar 11 08:31:02 2024 Debug: DNSSEC Response data(['192.0.2.10'], secure, 0, 3600)
        Mon Mar 11 08:31:02 2024 Debug: DNS encache (mail.alpha.example, A, [(5240700000000004L, 0, 'SECURE', '192.0.2.10')])
      `),
    );
    expect(lifo).not.toBe(INTERLEAVED);
    const r = run(HEADER + lifo);
    expect(r.records.map((x) => [x.domain, x.evidence.a, x.ip, x.mxHost]).sort()).toEqual([
      ["alpha.example", "secure", "192.0.2.10", "mail.alpha.example"],
      ["bravo.example", "secure", "192.0.2.20", "mail.bravo.example"],
      ["charlie.example", "insecure", "198.51.100.30", "mx.charlie.example"],
    ]);
  });
});

// --- a failing primary resolver and a non-DNSSEC secondary -----------------------------------

/** One MX lookup: the primary 10.0.0.53 fails, the secondary 10.0.1.53 (no DNSSEC) says Bogus. */
function bogusAtSecondary(time: string, domain: string, mid: number): string {
  return text(`
    Mon Mar 11 ${time} 2024 Info: MID ${mid} ICID ${mid + 332000} RID 0 To: <info@${domain}>
    Mon Mar 11 ${time} 2024 Info: MID ${mid} queued for delivery
    Mon Mar 11 ${time} 2024 Debug: DNS query: Q('${domain}', 'MX')
    Mon Mar 11 ${time} 2024 Debug: DNS query: QN('${domain}', 'MX', 'recursive_nameserver0.parent')
    Mon Mar 11 ${time} 2024 Debug: DNS query: QIP ('${domain}', 'MX', '10.0.0.53', 60)
    Mon Mar 11 ${time} 2024 Debug: DNS query: Q ('${domain}', 'MX', '10.0.0.53')
    Mon Mar 11 ${time} 2024 Warning: Received an invalid DNS Response: SERVER FAILED to IP 10.0.0.53 looking up ${domain}
    Mon Mar 11 ${time} 2024 Debug: DNS query: QIP ('${domain}', 'MX', '10.0.1.53', 60)
    Mon Mar 11 ${time} 2024 Debug: DNS query: Q ('${domain}', 'MX', '10.0.1.53')
    Mon Mar 11 ${time} 2024 Debug: DNSSEC Response data([(10, 'mx.${domain}.')] , bogus, 0, 300)
    Mon Mar 11 ${time} 2024 Debug: DNS encache (${domain}, MX, [(5237440332666207L, 0, 'BOGUS', (10, 'mx.${domain}'))])
  `);
}

describe("a failing primary resolver and a secondary without DNSSEC", () => {
  // dane-ok.example is delivered while the primary works; then the primary fails for a while
  // and three DANE-signed domains, dane-ok.example among them, come back Bogus.
  const LOG =
    HEADER +
    DANE_OK +
    bogusAtSecondary("08:42:10", "bogus-mx.example", 441301) +
    bogusAtSecondary("08:42:11", "signed.example", 441302) +
    bogusAtSecondary("08:42:12", "dane-ok.example", 441303);

  it("each Bogus MX is an attempt without connection: flags bogus and resolver-fallback, dane-fail in both modes (M15 / O14)", () => {
    for (const [mode, row] of [["mandatory", "M15"], ["opportunistic", "O14"]] as const) {
      const r = run(LOG, { mode });
      const bogus = r.records.filter((x) => x.dcid === null);
      expect(bogus.map((x) => x.domain)).toEqual(["bogus-mx.example", "signed.example", "dane-ok.example"]);
      for (const x of bogus) {
        expect(x).toMatchObject({
          ip: null,
          evidence: { mx: "bogus", a: "unknown", tlsa: "unknown", cert: "unknown" },
          decisionByMode: { mandatory: "dane-fail", opportunistic: "dane-fail" },
          decision: "dane-fail",
          row,
          observed: "no-connection",
          flags: ["bogus", "resolver-fallback"],
          resolvers: ["10.0.1.53"],
        });
        expect(r.line(x.source.at(-1)!)).toContain(`DNS encache (${x.domain}, MX`);
        expect(x.source.map(r.line).some((t) => t.includes("SERVER FAILED to IP 10.0.0.53"))).toBe(true);
      }
      // The delivery before the failure is untouched.
      expect(r.records.find((x) => x.dcid === 219102)).toMatchObject({ decision: "dane-success", flags: ["dane-success"] });
    }
  });

  it("the resolver table: fallbacks from the primary to the secondary, which likely has no DNSSEC", () => {
    const { resolvers } = run(LOG);
    expect(resolvers.map((x) => x.ip)).toEqual(["10.0.0.53", "10.0.1.53"]);
    const [primary, secondary] = resolvers as [ResolverStats, ResolverStats];
    expect(primary).toMatchObject({ host: null, failures: 3, fallbacksFrom: 3, fallbacksTo: 0, likelyNoDnssec: false, noDnssecReason: null });
    expect(primary.answers.secure).toBeGreaterThan(0);
    expect(secondary).toMatchObject({ host: null, queries: 3, failures: 0, fallbacksFrom: 0, fallbacksTo: 3, likelyNoDnssec: true });
    expect(secondary.answers).toMatchObject({ secure: 0, bogus: 3 });
    // dane-ok.example was Secure at the primary and Bogus at the secondary: the reason says so.
    expect(secondary.noDnssecReason).toMatch(/Bogus/);
    expect(secondary.noDnssecReason).toContain("10.0.0.53");
  });

  it("without a Secure answer to compare, three Bogus-only answers still mark the secondary", () => {
    const { resolvers } = run(HEADER + bogusAtSecondary("08:42:10", "a.example", 1) + bogusAtSecondary("08:42:11", "b.example", 2) + bogusAtSecondary("08:42:12", "c.example", 3));
    const secondary = resolvers.find((x) => x.ip === "10.0.1.53")!;
    expect(secondary.likelyNoDnssec).toBe(true);
    expect(secondary.noDnssecReason).toMatch(/never answered Secure/);
    expect(resolvers.find((x) => x.ip === "10.0.0.53")!.likelyNoDnssec).toBe(false);
  });
});

// --- several MX hosts -------------------------------------------------------------------------

const MULTI_MX = text(`
  Mon Mar 11 08:33:05 2024 Info: MID 441105 ICID 773105 RID 0 To: <ops@multi-mx.example>
  Mon Mar 11 08:33:05 2024 Info: MID 441105 queued for delivery
  Mon Mar 11 08:33:05 2024 Debug: DNS query: Q('multi-mx.example', 'MX')
  Mon Mar 11 08:33:05 2024 Debug: DNS query: QN('multi-mx.example', 'MX', 'recursive_nameserver0.parent')
  Mon Mar 11 08:33:05 2024 Debug: DNS query: QIP ('multi-mx.example', 'MX', '10.0.0.53', 60)
  Mon Mar 11 08:33:05 2024 Debug: DNS query: Q ('multi-mx.example', 'MX', '10.0.0.53')
  Mon Mar 11 08:33:06 2024 Debug: DNSSEC Response data([(10, 'mx1.multi-mx.example.'), (20, 'mx2.multi-mx.example.')] , secure, 0, 3600)
  Mon Mar 11 08:33:06 2024 Debug: DNS encache (multi-mx.example, MX, [(5240884181753324L, 0, 'SECURE', (10, 'mx1.multi-mx.example')), (5240884181753324L, 0, 'SECURE', (20, 'mx2.multi-mx.example'))])
  Mon Mar 11 08:33:06 2024 Debug: DNS query: Q('mx1.multi-mx.example', 'A')
  Mon Mar 11 08:33:06 2024 Debug: DNS query: QN('mx1.multi-mx.example', 'A', 'recursive_nameserver0.parent')
  Mon Mar 11 08:33:06 2024 Debug: DNS query: QIP ('mx1.multi-mx.example', 'A', '10.0.0.53', 60)
  Mon Mar 11 08:33:06 2024 Debug: DNS query: Q ('mx1.multi-mx.example', 'A', '10.0.0.53')
  Mon Mar 11 08:33:06 2024 Debug: DNSSEC Response data(['192.0.2.41'], secure, 0, 3600)
  Mon Mar 11 08:33:06 2024 Debug: DNS encache (mx1.multi-mx.example, A, [(5240884291794554L, 0, 'SECURE', '192.0.2.41')])
  Mon Mar 11 08:33:06 2024 Debug: DNS query: Q('_25._tcp.mx1.multi-mx.example', 'TLSA')
  Mon Mar 11 08:33:06 2024 Debug: DNS query: QN('_25._tcp.mx1.multi-mx.example', 'TLSA', 'recursive_nameserver0.parent')
  Mon Mar 11 08:33:06 2024 Debug: DNS query: QIP ('_25._tcp.mx1.multi-mx.example', 'TLSA', '10.0.0.53', 60)
  Mon Mar 11 08:33:06 2024 Debug: DNS query: Q ('_25._tcp.mx1.multi-mx.example', 'TLSA', '10.0.0.53')
  Mon Mar 11 08:33:06 2024 Debug: DNSSEC Response data(['030101a4353c164c6b11efadede09e6c2802d59b16684b91af2b90e9c7b8f2fc8702c2'], secure, 0, 3600)
  Mon Mar 11 08:33:06 2024 Debug: DNS encache (_25._tcp.mx1.multi-mx.example, TLSA, [(5240884784479152L, 0, 'SECURE', '030101a4353c164c6b11efadede09e6c2802d59b16684b91af2b90e9c7b8f2fc8702c2')])
  Mon Mar 11 08:33:06 2024 Info: New SMTP DCID 219104 interface 10.0.3.10 address 192.0.2.41 port 25
  Mon Mar 11 08:33:37 2024 Info: Connection Error: DCID 219104 domain: multi-mx.example IP: 192.0.2.41 port: 25 details: timeout interface: 10.0.3.10 reason: network error
  Mon Mar 11 08:33:37 2024 Debug: DNS query: Q('mx2.multi-mx.example', 'A')
  Mon Mar 11 08:33:37 2024 Debug: DNS query: QN('mx2.multi-mx.example', 'A', 'recursive_nameserver0.parent')
  Mon Mar 11 08:33:37 2024 Debug: DNS query: QIP ('mx2.multi-mx.example', 'A', '10.0.0.53', 60)
  Mon Mar 11 08:33:37 2024 Debug: DNS query: Q ('mx2.multi-mx.example', 'A', '10.0.0.53')
  Mon Mar 11 08:33:37 2024 Debug: DNSSEC Response data(['192.0.2.42'], secure, 0, 3600)
  Mon Mar 11 08:33:37 2024 Debug: DNS encache (mx2.multi-mx.example, A, [(5240923054212730L, 0, 'SECURE', '192.0.2.42')])
  Mon Mar 11 08:33:37 2024 Debug: DNS query: Q('_25._tcp.mx2.multi-mx.example', 'TLSA')
  Mon Mar 11 08:33:37 2024 Debug: DNS query: QN('_25._tcp.mx2.multi-mx.example', 'TLSA', 'recursive_nameserver0.parent')
  Mon Mar 11 08:33:37 2024 Debug: DNS query: QIP ('_25._tcp.mx2.multi-mx.example', 'TLSA', '10.0.0.53', 60)
  Mon Mar 11 08:33:37 2024 Debug: DNS query: Q ('_25._tcp.mx2.multi-mx.example', 'TLSA', '10.0.0.53')
  Mon Mar 11 08:33:37 2024 Debug: DNSSEC Response data(['0301011f7e5a0c9b3d2e8f6a4c1b0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f'], secure, 0, 3600)
  Mon Mar 11 08:33:37 2024 Debug: DNS encache (_25._tcp.mx2.multi-mx.example, TLSA, [(5240923546896328L, 0, 'SECURE', '0301011f7e5a0c9b3d2e8f6a4c1b0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f')])
  Mon Mar 11 08:33:37 2024 Info: New SMTP DCID 219105 interface 10.0.3.10 address 192.0.2.42 port 25
  Mon Mar 11 08:33:38 2024 Info: DCID 219105 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384 for multi-mx.example
  Mon Mar 11 08:33:38 2024 Info: Delivery start DCID 219105 MID 441105 to RID [0]
  Mon Mar 11 08:33:38 2024 Info: Message done DCID 219105 MID 441105 to RID [0]
  Mon Mar 11 08:33:38 2024 Info: MID 441105 RID [0] Response '2.0.0 Ok: queued as 4TtZ1m2Ns4z9tQ1'
  Mon Mar 11 08:33:38 2024 Info: Message finished MID 441105 done
  Mon Mar 11 08:33:43 2024 Info: DCID 219105 close
`);

describe("several MX hosts", () => {
  it("the first host's connection gets a Connection Error, the second is used: two attempts, each with its own host and address", () => {
    const r = run(HEADER + MULTI_MX, { mode: "mandatory" });
    expect(r.attempts.map((a) => [a.record.dcid, a.record.mids, a.record.domain, a.record.mxHost, a.record.ip, a.result])).toEqual([
      [219104, [], "multi-mx.example", "mx1.multi-mx.example", "192.0.2.41", "connection-error"],
      [219105, [441105], "multi-mx.example", "mx2.multi-mx.example", "192.0.2.42", "delivered"],
    ]);
    const [first, second] = r.records as [AttemptRecord, AttemptRecord];
    // Nothing was sent on the first connection, so nothing shows how the certificate fared.
    expect(first).toMatchObject({ evidence: { mx: "secure", a: "secure", tlsa: "secure", cert: "unknown" }, decision: "undetermined", observed: "no-connection" });
    expect(second).toMatchObject({ evidence: { mx: "secure", a: "secure", tlsa: "secure", cert: "success" }, decision: "dane-success", row: "M1", observed: "dane-success" });
    // Each attempt's trail has its own host's lookups and the shared MX answer.
    const trail = (x: AttemptRecord) => x.source.map(r.line).filter((t) => t.includes("encache")).map((t) => t.replace(/.*encache \(([^,]+), (\w+).*/, "$1 $2"));
    expect(trail(first)).toEqual(["multi-mx.example MX", "mx1.multi-mx.example A", "_25._tcp.mx1.multi-mx.example TLSA"]);
    expect(trail(second)).toEqual(["multi-mx.example MX", "mx2.multi-mx.example A", "_25._tcp.mx2.multi-mx.example TLSA"]);
    expect(second.flags).toEqual(["dane-success"]);
  });

  it("a Connection Error names the domain even when no lookup was logged", () => {
    const r = run(
      HEADER +
        text(`
          Mon Mar 11 08:33:06 2024 Info: New SMTP DCID 219104 interface 10.0.3.10 address 192.0.2.41 port 25
          Mon Mar 11 08:33:37 2024 Info: Connection Error: DCID 219104 domain: Multi-MX.example IP: 192.0.2.41 port: 25 details: timeout interface: 10.0.3.10 reason: network error
        `),
    );
    expect(only(r.attempts).record).toMatchObject({ dcid: 219104, domain: "multi-mx.example", ip: "192.0.2.41", observed: "no-connection" });
    expect(r.attempts[0]!.result).toBe("connection-error");
  });
});

// --- two appliances in one syslog stream ------------------------------------------------------

const TWO_APPLIANCES = text(`
  <22>Mar 12 09:15:01 esa1.example.com mail_logs_d: Info: MID 58012 ICID 31877 RID 0 To: <k.lee@example.org>
  <22>Mar 12 09:15:01 esa1.example.com mail_logs_d: Info: MID 58012 queued for delivery
  <22>Mar 12 09:15:01 esa2.example.com mail_logs_d: Info: MID 58012 ICID 31877 RID 0 To: <support@example.net>
  <23>Mar 12 09:15:01 esa1.example.com mail_logs_d: Debug: DNS query: Q('example.org', 'MX')
  <23>Mar 12 09:15:01 esa1.example.com mail_logs_d: Debug: DNS query: QN('example.org', 'MX', 'recursive_nameserver0.parent')
  <23>Mar 12 09:15:01 esa1.example.com mail_logs_d: Debug: DNS query: QIP ('example.org','MX','10.0.0.53',60)
  <23>Mar 12 09:15:01 esa1.example.com mail_logs_d: Debug: DNS query: Q ('example.org', 'MX', '10.0.0.53')
  <22>Mar 12 09:15:02 esa2.example.com mail_logs_d: Info: MID 58012 queued for delivery
  <23>Mar 12 09:15:02 esa2.example.com mail_logs_d: Debug: DNS query: Q('example.net', 'MX')
  <23>Mar 12 09:15:02 esa2.example.com mail_logs_d: Debug: DNS query: QN('example.net', 'MX', 'recursive_nameserver0.parent')
  <23>Mar 12 09:15:02 esa2.example.com mail_logs_d: Debug: DNS query: QIP ('example.net','MX','10.0.0.53',60)
  <23>Mar 12 09:15:02 esa2.example.com mail_logs_d: Debug: DNS query: Q ('example.net', 'MX', '10.0.0.53')
  <23>Mar 12 09:15:02 esa1.example.com mail_logs_d: Debug: DNSSEC Response data([(10, 'mail.example.org.')] , secure, 0, 3600)
  <23>Mar 12 09:15:02 esa1.example.com mail_logs_d: Debug: DNS encache (example.org, MX, [(4133267406269779L, 0, 'SECURE', (10, 'mail.example.org'))])
  <23>Mar 12 09:15:02 esa2.example.com mail_logs_d: Debug: DNSSEC Response data([(10, 'mx.example.net.')] , insecure, 0, 3600)
  <23>Mar 12 09:15:02 esa2.example.com mail_logs_d: Debug: DNS encache (example.net, MX, [(1144937805130774L, 0, 'INSECURE', (10, 'mx.example.net'))])
  <23>Mar 12 09:15:02 esa1.example.com mail_logs_d: Debug: DNS query: Q('mail.example.org', 'A')
  <23>Mar 12 09:15:02 esa1.example.com mail_logs_d: Debug: DNS query: QN('mail.example.org', 'A', 'recursive_nameserver0.parent')
  <23>Mar 12 09:15:02 esa1.example.com mail_logs_d: Debug: DNS query: QIP ('mail.example.org','A','10.0.0.53',60)
  <23>Mar 12 09:15:02 esa1.example.com mail_logs_d: Debug: DNS query: Q ('mail.example.org', 'A', '10.0.0.53')
  <23>Mar 12 09:15:02 esa2.example.com mail_logs_d: Debug: DNS query: Q('mx.example.net', 'A')
  <23>Mar 12 09:15:02 esa2.example.com mail_logs_d: Debug: DNS query: QN('mx.example.net', 'A', 'recursive_nameserver0.parent')
  <23>Mar 12 09:15:02 esa2.example.com mail_logs_d: Debug: DNS query: QIP ('mx.example.net','A','10.0.0.53',60)
  <23>Mar 12 09:15:02 esa2.example.com mail_logs_d: Debug: DNS query: Q ('mx.example.net', 'A', '10.0.0.53')
  <23>Mar 12 09:15:02 esa1.example.com mail_logs_d: Debug: DNSSEC Response data(['192.0.2.30'], secure, 0, 3600)
  <23>Mar 12 09:15:02 esa1.example.com mail_logs_d: Debug: DNS encache (mail.example.org, A, [(4133267516311009L, 0, 'SECURE', '192.0.2.30')])
  <23>Mar 12 09:15:02 esa1.example.com mail_logs_d: Debug: DNS query: Q('_25._tcp.mail.example.org', 'TLSA')
  <23>Mar 12 09:15:02 esa1.example.com mail_logs_d: Debug: DNS query: QN('_25._tcp.mail.example.org', 'TLSA', 'recursive_nameserver0.parent')
  <23>Mar 12 09:15:02 esa1.example.com mail_logs_d: Debug: DNS query: QIP ('_25._tcp.mail.example.org','TLSA','10.0.0.53',60)
  <23>Mar 12 09:15:02 esa1.example.com mail_logs_d: Debug: DNS query: Q ('_25._tcp.mail.example.org', 'TLSA', '10.0.0.53')
  <23>Mar 12 09:15:02 esa2.example.com mail_logs_d: Debug: DNSSEC Response data(['198.51.100.25'], insecure, 0, 3600)
  <23>Mar 12 09:15:02 esa2.example.com mail_logs_d: Debug: DNS encache (mx.example.net, A, [(1144937915172004L, 0, 'INSECURE', '198.51.100.25')])
  <23>Mar 12 09:15:03 esa1.example.com mail_logs_d: Debug: DNSSEC Response data(['0301015e495c3b0b65b7fc198ca9ca06460a33e5e90f91f81ea1a14d83161a3ad12465'], secure, 0, 3600)
  <23>Mar 12 09:15:03 esa1.example.com mail_logs_d: Debug: DNS encache (_25._tcp.mail.example.org, TLSA, [(4133268008995608L, 0, 'SECURE', '0301015e495c3b0b65b7fc198ca9ca06460a33e5e90f91f81ea1a14d83161a3ad12465')])
  <22>Mar 12 09:15:03 esa2.example.com mail_logs_d: Info: New SMTP DCID 12044 interface 10.0.3.12 address 198.51.100.25 port 25
  <22>Mar 12 09:15:03 esa1.example.com mail_logs_d: Info: New SMTP DCID 12044 interface 10.0.3.11 address 192.0.2.30 port 25
  <22>Mar 12 09:15:03 esa1.example.com mail_logs_d: Info: DCID 12044 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384 for example.org
  <22>Mar 12 09:15:03 esa2.example.com mail_logs_d: Info: DCID 12044 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES128-GCM-SHA256
  <22>Mar 12 09:15:03 esa2.example.com mail_logs_d: Info: Delivery start DCID 12044 MID 58012 to RID [0]
  <22>Mar 12 09:15:03 esa1.example.com mail_logs_d: Info: Delivery start DCID 12044 MID 58012 to RID [0]
  <22>Mar 12 09:15:04 esa1.example.com mail_logs_d: Info: Message done DCID 12044 MID 58012 to RID [0]
  <22>Mar 12 09:15:04 esa2.example.com mail_logs_d: Info: Message done DCID 12044 MID 58012 to RID [0]
  <22>Mar 12 09:15:04 esa2.example.com mail_logs_d: Info: DCID 12044 close
  <22>Mar 12 09:15:05 esa1.example.com mail_logs_d: Info: DCID 12044 close
`);

describe("two appliances in one syslog stream", () => {
  it("the same DCID and MID on two appliances are two attempts, kept apart by host", () => {
    const r = run(TWO_APPLIANCES, { year: 2024, mode: "opportunistic" });
    const byHost = Object.fromEntries(r.records.map((x) => [x.host, x]));
    expect(r.records).toHaveLength(2);
    expect(byHost["esa1.example.com"]).toMatchObject({
      start: "2024-03-12T09:15:03",
      dcid: 12044,
      mids: [58012],
      domain: "example.org",
      mxHost: "mail.example.org",
      ip: "192.0.2.30",
      evidence: { mx: "secure", a: "secure", tlsa: "secure", cert: "success" },
      decision: "dane-success",
      row: "O1",
      observed: "dane-success",
    });
    expect(byHost["esa2.example.com"]).toMatchObject({
      dcid: 12044,
      mids: [58012],
      domain: "example.net",
      mxHost: "mx.example.net",
      ip: "198.51.100.25",
      evidence: { mx: "insecure", a: "insecure", tlsa: "unknown", cert: "unknown" },
      decision: "tls-fallback",
      row: "O12",
      observed: "tls",
    });
    // Each attempt's trail holds only its own appliance's lines.
    for (const x of r.records) for (const t of x.source.map(r.line)) expect(t).toContain(x.host!);
    expect(r.attempts.map((a) => [a.record.host, a.recipients])).toEqual(
      expect.arrayContaining([
        ["esa1.example.com", ["k.lee@example.org"]],
        ["esa2.example.com", ["support@example.net"]],
      ]),
    );
    expect(r.resolvers.map((x) => [x.host, x.ip, x.answers.secure, x.answers.insecure])).toEqual([
      ["esa1.example.com", "10.0.0.53", 3, 0],
      ["esa2.example.com", "10.0.0.53", 0, 2],
    ]);
  });
});

// --- replay and log disagree ------------------------------------------------------------------

const NO_DNSSEC = text(`
  Mon Mar 11 08:31:28 2024 Info: MID 441104 ICID 773104 RID 0 To: <sales@no-dnssec.example>
  Mon Mar 11 08:31:28 2024 Info: MID 441104 queued for delivery
  Mon Mar 11 08:31:28 2024 Debug: DNS query: Q('no-dnssec.example', 'MX')
  Mon Mar 11 08:31:28 2024 Debug: DNS query: QN('no-dnssec.example', 'MX', 'recursive_nameserver0.parent')
  Mon Mar 11 08:31:28 2024 Debug: DNS query: QIP ('no-dnssec.example', 'MX', '10.0.0.53', 60)
  Mon Mar 11 08:31:28 2024 Debug: DNS query: Q ('no-dnssec.example', 'MX', '10.0.0.53')
  Mon Mar 11 08:31:28 2024 Debug: DNSSEC Response data([(10, 'mx.no-dnssec.example.')] , insecure, 0, 3600)
  Mon Mar 11 08:31:28 2024 Debug: DNS encache (no-dnssec.example, MX, [(5240761306268419L, 0, 'INSECURE', (10, 'mx.no-dnssec.example'))])
  Mon Mar 11 08:31:28 2024 Debug: DNS query: Q('mx.no-dnssec.example', 'A')
  Mon Mar 11 08:31:28 2024 Debug: DNS query: QN('mx.no-dnssec.example', 'A', 'recursive_nameserver0.parent')
  Mon Mar 11 08:31:28 2024 Debug: DNS query: QIP ('mx.no-dnssec.example', 'A', '10.0.0.53', 60)
  Mon Mar 11 08:31:28 2024 Debug: DNS query: Q ('mx.no-dnssec.example', 'A', '10.0.0.53')
  Mon Mar 11 08:31:29 2024 Debug: DNSSEC Response data(['198.51.100.17', '198.51.100.18'], insecure, 0, 3600)
  Mon Mar 11 08:31:29 2024 Debug: DNS encache (mx.no-dnssec.example, A, [(5240761416309649L, 0, 'INSECURE', '198.51.100.17'), (5240761416309649L, 0, 'INSECURE', '198.51.100.18')])
  Mon Mar 11 08:31:29 2024 Info: New SMTP DCID 219103 interface 10.0.3.10 address 198.51.100.17 port 25
  Mon Mar 11 08:31:29 2024 Info: DCID 219103 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES128-GCM-SHA256
  Mon Mar 11 08:31:29 2024 Info: Delivery start DCID 219103 MID 441104 to RID [0]
  Mon Mar 11 08:31:30 2024 Info: Message done DCID 219103 MID 441104 to RID [0]
  Mon Mar 11 08:31:30 2024 Info: MID 441104 RID [0] Response '2.0.0 Ok: queued as 4TtXs3Wq5mz9sZ4'
  Mon Mar 11 08:31:30 2024 Info: Message finished MID 441104 done
  Mon Mar 11 08:31:35 2024 Info: DCID 219103 close
`);

describe("mismatch: the log contradicts the replay", () => {
  it("plain TLS and a delivered message where the replay under --mode mandatory is dane-fail (M13)", () => {
    const mandatory = only(run(HEADER + NO_DNSSEC, { mode: "mandatory" }).records);
    expect(mandatory).toMatchObject({ domain: "no-dnssec.example", evidence: { mx: "insecure", a: "insecure" }, decision: "dane-fail", row: "M13", observed: "tls" });
    expect(mandatory.flags).toEqual(["mismatch"]);
    // Opportunistic allows the fallback, and with the mode unknown one mode allows it.
    expect(only(run(HEADER + NO_DNSSEC, { mode: "opportunistic" }).records)).toMatchObject({ decision: "tls-fallback", row: "O12", flags: [] });
    expect(only(run(HEADER + NO_DNSSEC).records).flags).toEqual(["undetermined"]);
  });

  it("no mismatch when the message was not delivered", () => {
    const held = NO_DNSSEC.replace(/^.*(Message done|RID \[0\] Response|Message finished).*\n/gm, "");
    const record = only(run(HEADER + held, { mode: "mandatory" }).records);
    expect(record).toMatchObject({ decision: "dane-fail", observed: "tls" });
    expect(record.flags).toEqual([]);
  });

  it("`for <domain>` where the replay allows no DANE success: DANE None from the destination controls", () => {
    const { controls } = parseDestinationControls("default opportunistic\ndane-ok.example none\n");
    const record = only(run(HEADER + DANE_OK, { destinationControls: controls }).records);
    expect(record).toMatchObject({ mode: "none", decision: "not-applicable", row: null, observed: "dane-success" });
    expect(record.flags).toEqual(["dane-success", "mismatch"]);
  });

  it("`for <domain>` after an Insecure MX: Cisco's table says DANE Fail (M8) / fallback (O8), never success", () => {
    const insecureMx = DANE_OK.replace("data([(10, 'mail.dane-ok.example.')] , secure, 0, 3600)", "data([(10, 'mail.dane-ok.example.')] , insecure, 0, 3600)").replace(
      "(5240668788550065L, 0, 'SECURE',",
      "(5240668788550065L, 0, 'INSECURE',",
    );
    expect(insecureMx).not.toBe(DANE_OK);
    for (const [mode, decision, row] of [["mandatory", "dane-fail", "M8"], ["opportunistic", "tls-fallback", "O8"]] as const) {
      const record = only(run(HEADER + insecureMx, { mode }).records);
      expect(record).toMatchObject({ evidence: { mx: "insecure", a: "secure", tlsa: "secure", cert: "success" }, decision, row });
      expect(record.flags).toEqual(["dane-success", "mismatch"]);
    }
  });

  it("no mismatch when the replay agrees", () => {
    expect(only(run(HEADER + DANE_OK, { mode: "mandatory" }).records).flags).toEqual(["dane-success"]);
  });
});

// --- destination controls ---------------------------------------------------------------------

describe("modes from a destination controls file", () => {
  const CONTROLS = "# DANE per destination\ndefault opportunistic\nexample.com mandatory\n.example.net none\n";
  /** A delivery without DNS lines or TLS: only the recipient names the domain. */
  const plain = (second: number, dcid: number, mid: number, to: string) =>
    text(`
      Mon Mar 11 08:50:${second} 2024 Info: MID ${mid} ICID ${mid + 332000} RID 0 To: <${to}>
      Mon Mar 11 08:50:${second} 2024 Info: MID ${mid} queued for delivery
      Mon Mar 11 08:50:${second} 2024 Info: New SMTP DCID ${dcid} interface 10.0.3.10 address 198.51.100.${dcid % 100} port 25
      Mon Mar 11 08:50:${second} 2024 Info: Delivery start DCID ${dcid} MID ${mid} to RID [0]
      Mon Mar 11 08:50:${second} 2024 Info: Message done DCID ${dcid} MID ${mid} to RID [0]
      Mon Mar 11 08:50:${second} 2024 Info: DCID ${dcid} close
    `);

  it("each domain gets the mode of the most specific entry, the decision and row of that mode", () => {
    const { controls, errors } = parseDestinationControls(CONTROLS);
    expect(errors).toEqual([]);
    const log =
      HEADER +
      DANE_OK +
      plain("10", 219401, 441401, "a@example.com") +
      plain("11", 219402, 441402, "b@mail.example.net") +
      plain("12", 219403, 441403, "c@example.net") +
      plain("13", 219404, 441404, "d@sub.example.com") +
      NO_DNSSEC.replace(/Mon Mar 11 08:31/g, "Mon Mar 11 08:51");
    const r = run(log, { destinationControls: controls, mode: "mandatory" });
    expect(r.records.map((x) => [x.domain, x.mode, x.decision, x.row])).toEqual([
      ["dane-ok.example", "opportunistic", "dane-success", "O1"],
      ["example.com", "mandatory", "undetermined", null],
      ["mail.example.net", "none", "not-applicable", null],
      ["example.net", "opportunistic", "undetermined", null],
      ["sub.example.com", "opportunistic", "undetermined", null],
      ["no-dnssec.example", "opportunistic", "tls-fallback", "O12"],
    ]);
    // `none` is not a verdict on DANE, so a plaintext delivery there is no mismatch either.
    expect(r.records[2]!.flags).toEqual([]);
    expect(r.records[1]!.flags).toEqual(["undetermined"]);
  });

  it("without a default line, --mode applies to the domains the file does not name", () => {
    const { controls } = parseDestinationControls("example.com mandatory\n");
    const r = run(HEADER + DANE_OK + plain("10", 219401, 441401, "a@example.com"), { destinationControls: controls, mode: "opportunistic" });
    expect(r.records.map((x) => [x.domain, x.mode])).toEqual([
      ["dane-ok.example", "opportunistic"],
      ["example.com", "mandatory"],
    ]);
  });
});

// --- closing and memory -----------------------------------------------------------------------

describe("closing attempts", () => {
  function feed(log: string): { analysis: Analysis; attempts: Attempt[] } {
    const attempts: Attempt[] = [];
    const analysis = new Analysis({ quietSeconds: 300 }, { attempt: (a) => attempts.push(a) });
    readText(log, "t.log", {}, analysis.records);
    return { analysis, attempts };
  }
  const UNCLOSED = HEADER + DANE_OK.replace("Mon Mar 11 08:30:21 2024 Info: DCID 219102 close\n", "");
  const LATER = text(`
    Mon Mar 11 08:33:00 2024 Info: New SMTP ICID 773110 interface Data 1 (10.0.3.10) address 192.0.2.77 reverse dns host mail.sender.example verified yes
  `);
  const MUCH_LATER = text(`
    Mon Mar 11 08:36:00 2024 Info: New SMTP DCID 219140 interface 10.0.3.10 address 198.51.100.40 port 25
    Mon Mar 11 08:36:01 2024 Info: DCID 219140 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES128-GCM-SHA256
  `);

  it("an attempt without `DCID close` stays open within the quiet period", () => {
    expect(UNCLOSED).not.toContain("DCID 219102 close");
    // The last line of DCID 219102 is at 08:30:16; 08:33:00 is 164 s later.
    const { analysis } = feed(UNCLOSED + LATER);
    expect(analysis.debugSizes().connections).toBe(1);
  });

  it("and is closed after it, ending at its last line", () => {
    // 08:36:00 is 344 s after 08:30:16: DCID 219102 is closed, DCID 219140 is open.
    const { analysis, attempts } = feed(UNCLOSED + LATER + MUCH_LATER);
    expect(analysis.debugSizes().connections).toBe(1);
    analysis.finish();
    expect(attempts.map((a) => [a.record.dcid, attemptRecord(a).end, a.record.decision])).toEqual([
      [219102, "2024-03-11T08:30:16Z", "dane-success"],
      [219140, "2024-03-11T08:36:01Z", "undetermined"],
    ]);
  });
});

describe("memory over a long run", () => {
  it("20 000 deliveries: the correlator's working state stays small and attempts stream out", () => {
    const attempts: Attempt[] = [];
    let emittedBeforeEnd = 0;
    const analysis = new Analysis({ quietSeconds: 300 }, { attempt: (a) => attempts.push(a) });
    const start = Date.UTC(2024, 2, 11, 0, 0, 0);
    const stamp = (s: number) => {
      const d = new Date(start + s * 1000);
      const p = (n: number) => String(n).padStart(2, "0");
      const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][d.getUTCDay()]!;
      return `${day} Mar ${String(d.getUTCDate()).padStart(2, " ")} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} 2024`;
    };
    const lookup = (t: string, name: string, qtype: string, data: string, cache: string) => [
      `${t} Debug: DNS query: Q('${name}', '${qtype}')`,
      `${t} Debug: DNS query: QN('${name}', '${qtype}', 'recursive_nameserver0.parent')`,
      `${t} Debug: DNS query: QIP ('${name}', '${qtype}', '10.0.0.53', 60)`,
      `${t} Debug: DNS query: Q ('${name}', '${qtype}', '10.0.0.53')`,
      `${t} Debug: DNSSEC Response data(${data}, secure, 0, 600)`,
      `${t} Debug: DNS encache (${name}, ${qtype}, ${cache})`,
    ];
    // Every 100 deliveries (200 s) go to 10 domains of their own: 2 000 domains over the run,
    // about 30 of them within the TTL (600 s) at any time.
    const LIVE_DOMAINS = 40;
    const lastLookup = new Map<string, number>();
    let chunk: string[] = [...HEADER.trimEnd().split("\n")];
    const flush = () => {
      readText(`${chunk.join("\n")}\n`, "long.log", {}, analysis.records);
      chunk = [];
    };
    // readText sees each chunk as its own file, so line numbers restart: sources stay valid.
    const N = 20_000;
    for (let i = 0; i < N; i++) {
      const s = 2 * i;
      const t = stamp(s);
      const group = Math.floor(i / 100);
      const k = i % 10;
      const domain = `d${group}-${k}.example`;
      const mx = `mx.${domain}`;
      const ip = `198.18.${group}.${k + 1}`;
      const mid = 500_000 + i;
      const dcid = 300_000 + i;
      chunk.push(`${t} Info: MID ${mid} ICID ${mid + 300_000} RID 0 To: <u${i}@${domain}>`);
      if (!lastLookup.has(domain) || s - lastLookup.get(domain)! > 500) {
        lastLookup.set(domain, s);
        chunk.push(
          ...lookup(t, domain, "MX", `[(10, '${mx}.')] `, `[(5240668788550065L, 0, 'SECURE', (10, '${mx}'))]`),
          ...lookup(t, mx, "A", `['${ip}']`, `[(5240668898591295L, 0, 'SECURE', '${ip}')]`),
          ...lookup(t, `_25._tcp.${mx}`, "TLSA", `['030101${k}']`, `[(5240669391275893L, 0, 'SECURE', '030101${k}')]`),
        );
      }
      chunk.push(
        `${t} Info: New SMTP DCID ${dcid} interface 10.0.3.10 address ${ip} port 25`,
        `${t} Info: DCID ${dcid} TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384 for ${domain}`,
        `${t} Info: Delivery start DCID ${dcid} MID ${mid} to RID [0]`,
        `${t} Info: Message done DCID ${dcid} MID ${mid} to RID [0]`,
        `${t} Info: Message finished MID ${mid} done`,
      );
      // One in a hundred connections is never closed in the log: the quiet period must close it.
      if (i % 100 !== 0) chunk.push(`${t} Info: DCID ${dcid} close`);
      if (chunk.length > 20_000) flush();
    }
    flush();
    const sizes = analysis.debugSizes();
    emittedBeforeEnd = attempts.length;
    analysis.finish();
    expect(attempts).toHaveLength(N);
    expect(attempts.every((a) => a.record.decision === "dane-success" && a.record.evidence.mx === "secure" && a.record.evidence.tlsa === "secure")).toBe(true);
    expect(attempts.filter((a) => !a.record.flags.includes("cached")).length).toBeGreaterThan(0);
    // Bounded by what is live (a quiet period's connections, a TTL's cache), not by the log's length.
    expect(sizes.connections).toBeLessThanOrEqual(300 / 2 / 100 + 2);
    expect(sizes.resolutions).toBeLessThanOrEqual(LIVE_DOMAINS);
    expect(sizes.cacheEntries).toBeLessThanOrEqual(3 * LIVE_DOMAINS);
    expect(sizes.recipients).toBeLessThan(10);
    expect(sizes.openLookups).toBe(0);
    expect(sizes.dcidByMid).toBeLessThan(10);
    expect(sizes.hostIndex).toBeLessThanOrEqual(LIVE_DOMAINS);
    // Closed attempts are held for ordering only while something open or within two quiet
    // periods (600 s, 300 deliveries here) may still start before them.
    expect(sizes.heldAttempts).toBeLessThan(600);
    expect(emittedBeforeEnd).toBeGreaterThan(N - 600);
  });
});

describe("a reader of lookups only (alert)", () => {
  it("gets the same lookups, and no attempt is built or held for ordering", () => {
    const log = readFileSync("samples/mail_logs_d.@20240311T083000.s", "utf8");
    const withAttempts: string[] = [];
    const attempts: Attempt[] = [];
    const full = new Analysis({}, { attempt: (a) => attempts.push(a), lookup: (l) => withAttempts.push(JSON.stringify(l)) });
    readText(log, "s.log", {}, full.records);
    const fullSizes = full.debugSizes();
    full.finish();
    const lookupsOnly: string[] = [];
    const partial = new Analysis({}, { lookup: (l) => lookupsOnly.push(JSON.stringify(l)) });
    readText(log, "s.log", {}, partial.records);
    const partialSizes = partial.debugSizes();
    partial.finish();
    expect(attempts.length).toBeGreaterThan(0);
    expect(fullSizes.heldAttempts).toBeGreaterThan(0);
    expect(partialSizes.heldAttempts).toBe(0);
    expect(lookupsOnly).toEqual(withAttempts);
  });
});
