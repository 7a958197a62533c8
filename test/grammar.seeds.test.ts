// Every DNS and delivery line of Cisco's tech note (five translations, as markdown with its copy
// artefacts: wrapped lines, blank lines between parts, `\_`, `**`, a no-break space, a typo)
// reads to the expected event. Expected values are written from the tech note's text.
import { describe, expect, it } from "vitest";
import type { LogEvent } from "../src/events/types.js";
import { readText } from "../src/input/read.js";
import { seedFiles, seedLog } from "./helpers/seeds.js";

function read(file: string) {
  const events: LogEvent[] = [];
  const malformed: string[] = [];
  const stats = readText(seedLog(file), file, {}, { event: (e) => events.push(e), malformed: (m) => malformed.push(m.text) });
  return { events, malformed, stats };
}

function find<K extends LogEvent["kind"]>(events: LogEvent[], kind: K, where: (e: Extract<LogEvent, { kind: K }>) => boolean): Extract<LogEvent, { kind: K }> {
  const found = events.find((e): e is Extract<LogEvent, { kind: K }> => e.kind === kind && where(e as Extract<LogEvent, { kind: K }>));
  if (found === undefined) throw new Error(`no ${kind} event found`);
  return found;
}

describe.each(seedFiles())("tech note %s", (file) => {
  const { events, malformed, stats } = read(file);

  it("reads every log line of the note, none malformed, and the accounting adds up", () => {
    expect(malformed).toEqual([]);
    expect(stats.read).toBe(stats.parsed + stats.unknown + stats.malformed);
    expect(stats.unknown).toBe(0);
  });

  it("finds the lines of both debug runs and the Info TLS line", () => {
    const counts: Record<string, number> = {};
    for (const e of events) counts[e.kind] = (counts[e.kind] ?? 0) + 1;
    // ietf.org: 5 lookups x 4 query lines; thinkbeyond.ch: 4 lookups x 4 + a 2-line retry.
    expect(counts).toEqual({
      "dns-query": 38,
      "dns-response": 7,
      "dns-encache": 5,
      "dnssec-error": 1,
      "dns-no-answer": 2,
      "dns-no-cname": 2,
      "dns-resolver-failure": 2,
      "tls-success": 1,
    });
  });

  it("reads the ietf.org MX lookup", () => {
    const qip = find(events, "dns-query", (e) => e.form === "QIP" && e.name === "ietf.org");
    expect(qip).toMatchObject({ qtype: "MX", resolver: "194.191.40.84", timeoutSeconds: 60, nameserverSet: null, level: "Debug" });
    const qn = find(events, "dns-query", (e) => e.form === "QN" && e.name === "ietf.org");
    expect(qn.nameserverSet).toBe("recursive_nameserver0.parent");
    const response = find(events, "dns-response", (e) => e.records.some((r) => typeof r !== "string" && r.host === "mail.ietf.org"));
    expect(response).toMatchObject({ records: [{ preference: 0, host: "mail.ietf.org" }], status: "secure", statusText: "secure", code: 0, ttl: 1800 });
    const encache = find(events, "dns-encache", (e) => e.name === "ietf.org");
    expect(encache.entries).toEqual([{ stamp: "8496573380345476", status: "secure", statusText: "SECURE", value: { preference: 0, host: "mail.ietf.org" } }]);
  });

  it("reads the TLSA answer, the NODATA answer and the AAAA limitation", () => {
    const tlsa = find(events, "dns-encache", (e) => e.qtype === "TLSA");
    expect(tlsa.name).toBe("_25._tcp.mail.ietf.org");
    expect(tlsa.entries[0]?.value).toBe("0301010c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6");
    const empty = events.filter((e) => e.kind === "dns-response" && e.records.length === 0);
    expect(empty.map((e) => e.kind === "dns-response" && [e.status, e.ttl])).toEqual([
      ["none", 1800],
      ["none", 32768],
    ]);
    expect(find(events, "dns-no-answer", (e) => e.qtype === "CNAME")).toMatchObject({ answer: "NODATA", name: "mail.ietf.org" });
    const aaaa = find(events, "dnssec-error", () => true);
    expect(aaaa).toMatchObject({ name: "mail.ietf.org", qtype: "AAAA", resolver: "194.191.40.84", unsupportedQtype: true, level: "Warning" });
    expect(aaaa.message).toContain("Unsupported qtype");
  });

  it("reads the thinkbeyond.ch run: Insecure answers and SERVER FAILED from both resolvers", () => {
    const mx = find(events, "dns-response", (e) => e.records.some((r) => typeof r !== "string" && r.host.startsWith("thinkbeyond-ch")));
    expect(mx).toMatchObject({ records: [{ preference: 10, host: "thinkbeyond-ch.mail.protection.outlook.com" }], status: "insecure", ttl: 3600 });
    const a = find(events, "dns-response", (e) => e.records.includes("104.47.9.36"));
    expect(a).toMatchObject({ records: ["104.47.9.36", "104.47.10.36"], status: "insecure", ttl: 10 });
    const failures = events.filter((e) => e.kind === "dns-resolver-failure");
    expect(failures.map((e) => e.kind === "dns-resolver-failure" && [e.reason, e.resolver, e.name])).toEqual([
      ["SERVER FAILED", "194.191.40.83", "thinkbeyond-ch.mail.protection.outlook.com"],
      ["SERVER FAILED", "194.191.40.84", "thinkbeyond-ch.mail.protection.outlook.com"],
    ]);
    expect(events.filter((e) => e.kind === "dns-no-cname").map((e) => e.kind === "dns-no-cname" && e.reason)).toEqual(["NoError", ""]);
  });

  it("reads the DANE success line, joined back where the page wrapped it", () => {
    const tls = find(events, "tls-success", () => true);
    expect(tls).toMatchObject({ dcid: 2322371, protocol: "TLSv1.2", cipher: "DHE-RSA-AES256-GCM-SHA384", daneDomain: "karakun.com", level: "Info" });
  });
});

describe("copy artefacts", () => {
  it("reads the typo `[(10, 'host.'])` like the well-formed answer", () => {
    const typo = "Mon Feb  4 20:15:52 2019 Debug: DNSSEC Response data([(10, 'thinkbeyond-ch.mail.protection.outlook.com.']), insecure, 0, 3600)\n";
    const events: LogEvent[] = [];
    readText(typo, "typo", {}, { event: (e) => events.push(e), malformed: () => {} });
    expect(events[0]).toMatchObject({ kind: "dns-response", records: [{ preference: 10, host: "thinkbeyond-ch.mail.protection.outlook.com" }], status: "insecure", ttl: 3600 });
  });

  it("counts the wrapped lines it joined", () => {
    const wrapped = read("003_9c339309f8b7b51b.txt");
    expect(wrapped.stats.joined).toBeGreaterThan(20);
    expect(read("004_548591a229a204fd.txt").stats.joined).toBe(0);
  });
});
