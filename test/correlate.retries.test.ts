// Scenario tests of attempts found from any lookup of their chain (issue 10): retries of queued
// messages answered partly from the cache, a first attempt whose MX was cached before the log,
// interleaved retries, a hosting provider's MX host shared by several domains, the messages and
// MX host of an attempt without connection, and fallbacks that belong to another run.
import { describe, expect, it } from "vitest";
import type { Attempt } from "../src/correlate/types.js";
import { readText } from "../src/input/read.js";
import { attemptRecord } from "../src/output/attempt-record.js";
import { ReportBuilder, sharedHostRow } from "../src/report/aggregate.js";
import { Analysis, type AnalysisOptions } from "../src/pipeline.js";
import { answer, at, connection, lookup, log, queries } from "./helpers/logtext.js";
import { attemptCoherenceErrors, attemptRecordErrors } from "./helpers/schema.js";

function run(text: string, options: AnalysisOptions = {}): Attempt[] {
  const attempts: Attempt[] = [];
  const analysis = new Analysis(options, { attempt: (a) => attempts.push(a) });
  const stats = readText(text, "t.log", options, analysis.records);
  analysis.finish();
  expect(stats.malformed).toBe(0);
  for (const record of attempts.map(attemptRecord)) expect([...attemptRecordErrors(record), ...attemptCoherenceErrors(record)], JSON.stringify(record)).toEqual([]);
  return attempts;
}

/** A message to `to` arriving and being queued at `t`. */
function queued(t: number, mid: number, to: string): string[] {
  return [`${at(t)} Info: Start MID ${mid} ICID ${mid + 9000}`, `${at(t)} Info: MID ${mid} ICID ${mid + 9000} RID 0 To: <${to}>`, `${at(t)} Info: MID ${mid} queued for delivery`];
}

/** The A, AAAA and CNAME lookups of an MX host, as a delivery does them (the A TTL governs the group). */
function hostLookups(t: number, host: string, ip: string, status: "secure" | "insecure" | "bogus", ttl: number): string[] {
  return [...lookup(t, host, "A", [ip], status, "10.0.0.53", ttl), ...lookup(t, host, "AAAA", [], "", "10.0.0.53", ttl), ...lookup(t, host, "CNAME", [], "", "10.0.0.53", ttl)];
}

const row = (a: Attempt) => {
  const r = a.record;
  return [r.dcid, r.domain, r.mxHost, r.mids, `${r.evidence.mx} ${r.evidence.a} ${r.evidence.tlsa}`, r.decisionByMode.mandatory, r.flags.filter((f) => f !== "undetermined")];
};

describe("retries answered partly from the cache", () => {
  it("a Mandatory domain without DNSSEC: the MX is cached, each retry looks up only the expired A: every retry is an attempt", () => {
    const attempts = run(
      log(
        queued(0, 7, "u@plain.example"),
        lookup(1, "plain.example", "MX", ["mx.plain.example"], "insecure"),
        hostLookups(2, "mx.plain.example", "198.51.100.7", "insecure", 300),
        hostLookups(400, "mx.plain.example", "198.51.100.7", "insecure", 300),
        hostLookups(1000, "mx.plain.example", "198.51.100.7", "insecure", 300),
      ),
      { mode: "mandatory" },
    );
    expect(attempts.map(row)).toEqual([
      [null, "plain.example", "mx.plain.example", [7], "insecure insecure unknown", "dane-fail", []],
      [null, "plain.example", "mx.plain.example", [7], "insecure insecure unknown", "dane-fail", ["cached"]],
      [null, "plain.example", "mx.plain.example", [7], "insecure insecure unknown", "dane-fail", ["cached"]],
    ]);
    expect(attempts.map((a) => attemptRecord(a).start)).toEqual(["2024-03-11T08:00:01Z", "2024-03-11T08:06:40Z", "2024-03-11T08:16:40Z"]);
  });

  it("a Bogus TLSA: the retry looks up only the TLSA (MX and A cached) and is still DANE Fail", () => {
    const attempts = run(
      log(
        queued(0, 8, "u@badtlsa.example"),
        lookup(1, "badtlsa.example", "MX", ["mx.badtlsa.example"], "secure"),
        hostLookups(2, "mx.badtlsa.example", "203.0.113.8", "secure", 3600),
        lookup(3, "_25._tcp.mx.badtlsa.example", "TLSA", ["030101bb"], "bogus", "10.0.0.53", 300),
        lookup(700, "_25._tcp.mx.badtlsa.example", "TLSA", ["030101bb"], "bogus", "10.0.0.53", 300),
      ),
      { mode: "opportunistic" },
    );
    expect(attempts.map(row)).toEqual([
      [null, "badtlsa.example", "mx.badtlsa.example", [8], "secure secure bogus", "dane-fail", ["bogus"]],
      [null, "badtlsa.example", "mx.badtlsa.example", [8], "secure secure bogus", "dane-fail", ["bogus", "cached"]],
    ]);
    expect(attempts[1]!.record.decision).toBe("dane-fail");
  });

  it("a first attempt whose MX was cached before the log starts: A, AAAA, CNAME and TLSA, then the connection names the domain", () => {
    const attempts = run(log(hostLookups(0, "mx.warm.example", "203.0.113.9", "secure", 3600), lookup(1, "_25._tcp.mx.warm.example", "TLSA", ["030101cc"], "secure"), connection(2, 300, 9, "203.0.113.9", "warm.example", "u@warm.example")));
    expect(attempts.map(row)).toEqual([[300, "warm.example", "mx.warm.example", [9], "unknown secure secure", "undetermined", ["dane-success", "cached"]]]);
  });

  it("the same without connection: the domain is unknown and not guessed", () => {
    const attempts = run(log(hostLookups(0, "mx.warm.example", "203.0.113.9", "secure", 3600), lookup(1, "_25._tcp.mx.warm.example", "TLSA", [], "")));
    expect(attempts.map(row)).toEqual([[null, null, "mx.warm.example", [], "unknown secure nxdomain", "dane-fail", ["cached"]]]);
    expect(attempts[0]!.record.domainCandidates).toEqual([]);
  });

  it("a lone A lookup of a name no MX names (an inbound connection's forward check) is no attempt", () => {
    expect(run(log(lookup(0, "smtp.sender.example", "A", ["192.0.2.200"], "insecure")))).toEqual([]);
  });
});

describe("interleaved retries", () => {
  it("two domains' TLSA retries interleave, answers out of order: each its own attempt and evidence", () => {
    const lines = [
      ...lookup(0, "one.example", "MX", ["mx.one.example"], "secure"),
      ...hostLookups(0, "mx.one.example", "203.0.113.11", "secure", 3600),
      ...lookup(1, "_25._tcp.mx.one.example", "TLSA", ["030101dd"], "bogus", "10.0.0.53", 120),
      ...lookup(0, "two.example", "MX", ["mx.two.example"], "secure"),
      ...hostLookups(1, "mx.two.example", "203.0.113.12", "secure", 3600),
      ...lookup(2, "_25._tcp.mx.two.example", "TLSA", [], "", "10.0.0.53", 120),
      // The retries: both TLSA queries go out, two's answer comes first.
      ...queries(600, "_25._tcp.mx.one.example", "TLSA", ["10.0.0.53"]),
      ...queries(600, "_25._tcp.mx.two.example", "TLSA", ["10.0.0.53"]),
      ...answer(601, "_25._tcp.mx.two.example", "TLSA", [], "", 120),
      ...answer(601, "_25._tcp.mx.one.example", "TLSA", ["030101dd"], "bogus", 120),
    ];
    const attempts = run(log(lines), { mode: "mandatory" });
    const retries = attempts.filter((a) => a.record.flags.includes("cached"));
    expect(retries.map(row).sort()).toEqual([
      [null, "one.example", "mx.one.example", [], "secure secure bogus", "dane-fail", ["bogus", "cached"]],
      [null, "two.example", "mx.two.example", [], "secure secure nxdomain", "dane-fail", ["cached"]],
    ]);
    expect(attempts).toHaveLength(4);
  });
});

describe("a hosting provider's MX host shared by several domains", () => {
  const first = [
    ...lookup(0, "alpha.example", "MX", ["mx.hoster.example"], "insecure"),
    ...lookup(0, "beta.example", "MX", ["mx.hoster.example"], "insecure"),
    ...hostLookups(1, "mx.hoster.example", "192.0.2.80", "insecure", 300),
  ];
  it("a retry that looks up only the host's A: domain null with both candidates, no messages", () => {
    const attempts = run(log(first, hostLookups(600, "mx.hoster.example", "192.0.2.80", "insecure", 300)), { mode: "mandatory" });
    // The first run: two MX lookups, one A lookup of the shared host that both used.
    expect(attempts.map((a) => [a.record.domain, a.record.flags])).toEqual([
      ["alpha.example", ["cached"]],
      ["beta.example", []],
      [null, ["cached"]],
    ]);
    const retry = attempts[2]!;
    expect(row(retry)).toEqual([null, null, "mx.hoster.example", [], "insecure insecure unknown", "dane-fail", ["cached"]]);
    expect(retry.record.domainCandidates).toEqual(["alpha.example", "beta.example"]);
  });
  it("a connection whose recipients name the domain takes it; one that names none stays unknown with the candidates", () => {
    const bare = (t: number, dcid: number) => [`${at(t)} Info: New SMTP DCID ${dcid} interface 10.0.3.10 address 192.0.2.80 port 25`, `${at(t + 1)} Info: DCID ${dcid} TLS success protocol TLSv1.2 cipher X`, `${at(t + 2)} Info: DCID ${dcid} close`];
    const attempts = run(log(first, hostLookups(600, "mx.hoster.example", "192.0.2.80", "insecure", 300), connection(601, 500, 50, "192.0.2.80", null, "u@beta.example"), bare(700, 501)), { mode: "opportunistic" });
    const byDcid = new Map(attempts.map((a) => [a.record.dcid, a.record]));
    expect(byDcid.get(500)).toMatchObject({ domain: "beta.example", domainCandidates: [], mxHost: "mx.hoster.example", evidence: { mx: "insecure", a: "insecure" } });
    expect(byDcid.get(501)).toMatchObject({ domain: null, domainCandidates: ["alpha.example", "beta.example"], mxHost: "mx.hoster.example", evidence: { mx: "insecure", a: "insecure" } });
  });
});

describe("messages and MX host of an attempt without connection", () => {
  it("a Bogus MX: the queued message (To: line) is linked and the MX host the answer names is given", () => {
    const attempts = run(log(queued(0, 41, "x@bogus.example"), queries(1, "bogus.example", "MX", ["10.0.0.53", "10.0.1.53"], ["10.0.0.53"]), answer(2, "bogus.example", "MX", ["mx.bogus.example"], "bogus", 300)));
    expect(attempts.map((a) => [a.record.mids, a.record.mxHost, a.record.flags])).toEqual([[[41], "mx.bogus.example", ["bogus", "resolver-fallback"]]]);
  });
  it("a delivered message is no longer linked to the domain's later attempts", () => {
    const attempts = run(
      log(queued(0, 42, "y@fail.example"), queued(0, 43, "z@fail.example"), lookup(1, "fail.example", "MX", ["mx.fail.example"], "bogus", "10.0.0.53", 60), [
        `${at(30)} Info: Bounced: DCID 0 MID 43 From: <a@example.com> To: <z@fail.example> RID 0 - 5.1.2 - Bad destination host ('000', ['DNS Hard Error looking up fail.example (MX):  NXDomain'])`,
      ], lookup(400, "fail.example", "MX", ["mx.fail.example"], "bogus", "10.0.0.53", 60)),
    );
    expect(attempts.map((a) => a.record.mids)).toEqual([[42, 43], [42]]);
  });
});

describe("resolver fallbacks belong to the run that made them", () => {
  it("a delivery from the cache does not inherit the fallback of the lookup that filled the cache", () => {
    const attempts = run(
      log(
        lookup(0, "fb.example", "MX", ["mx.fb.example"], "secure"),
        queries(1, "mx.fb.example", "A", ["10.0.0.53", "10.0.1.53"], ["10.0.0.53"]),
        answer(1, "mx.fb.example", "A", ["203.0.113.30"], "secure"),
        lookup(2, "_25._tcp.mx.fb.example", "TLSA", ["030101ee"], "secure"),
        connection(3, 600, 60, "203.0.113.30", "fb.example", "a@fb.example"),
        connection(100, 601, 61, "203.0.113.30", "fb.example", "b@fb.example"),
      ),
    );
    expect(attempts.map((a) => [a.record.dcid, a.record.flags])).toEqual([
      [600, ["resolver-fallback", "dane-success"]],
      [601, ["dane-success", "cached"]],
    ]);
  });
});

describe("report: attempts whose domain the log does not tell are counted apart", () => {
  it("a row for the shared MX host, not lumped into one of its domains", () => {
    const first = [
      ...lookup(0, "alpha.example", "MX", ["mx.hoster.example"], "insecure"),
      ...lookup(0, "beta.example", "MX", ["mx.hoster.example"], "insecure"),
      ...hostLookups(1, "mx.hoster.example", "192.0.2.80", "insecure", 300),
    ];
    const attempts = run(log(first, hostLookups(600, "mx.hoster.example", "192.0.2.80", "insecure", 300)), { mode: "mandatory" });
    const builder = new ReportBuilder("domain");
    for (const a of attempts) builder.add(a);
    const rows = builder.finish([], []).domains.map((d) => [d.name, d.attempts]);
    expect(rows).toContainEqual([sharedHostRow("mx.hoster.example"), 1]);
    expect(rows.filter(([name]) => name === "alpha.example" || name === "beta.example").reduce((n, [, c]) => n + (c as number), 0)).toBe(attempts.length - 1);
  });
});

describe("rules the ground-truth corpora showed", () => {
  it("a connection that opens while another domain's resolution of a shared host is open gives it back when its lines name its own domain", () => {
    const attempts = run(
      log(
        lookup(0, "gamma.example", "MX", ["mx.shared.example"], "insecure"),
        lookup(0, "delta.example", "MX", ["mx.shared.example"], "insecure"),
        hostLookups(1, "mx.shared.example", "192.0.2.90", "secure", 3600),
        lookup(2, "_25._tcp.mx.shared.example", "TLSA", ["030101ff"], "secure"),
        lookup(60, "epsilon.example", "MX", ["mx.shared.example"], "insecure"),
        connection(61, 700, 70, "192.0.2.90", null, "u@gamma.example"),
      ),
      { mode: "mandatory" },
    );
    // epsilon's MX lookup was the latest open resolution when DCID 700 opened; the recipient says gamma.
    expect(attempts.map((a) => [a.record.dcid, a.record.domain]).sort((x, y) => String(x[1]).localeCompare(String(y[1])))).toEqual([
      [null, "delta.example"],
      [null, "epsilon.example"],
      [700, "gamma.example"],
    ]);
  });

  it("a retry at a shared host whose domain the log did not tell, and a connection minutes later from the cache: two attempts", () => {
    const attempts = run(
      log(
        lookup(0, "alpha.example", "MX", ["mx.hoster.example"], "insecure"),
        lookup(0, "beta.example", "MX", ["mx.hoster.example"], "insecure"),
        hostLookups(1, "mx.hoster.example", "192.0.2.80", "insecure", 300),
        hostLookups(600, "mx.hoster.example", "192.0.2.80", "insecure", 3600),
        connection(840, 730, 74, "192.0.2.80", null, "u@beta.example"),
      ),
      { mode: "mandatory" },
    );
    expect(attempts.slice(2).map((a) => [a.record.dcid, a.record.domain, a.record.domainCandidates, a.record.flags])).toEqual([
      [null, null, ["alpha.example", "beta.example"], ["cached"]],
      [730, "beta.example", [], ["cached", "mismatch"]],
    ]);
  });

  it("a Bogus A answer at a host no MX in the log names is an attempt (the chain stops there), domain unknown", () => {
    const attempts = run(log(queries(0, "mx.stopped.example", "A", ["10.0.0.53", "10.0.1.53"], ["10.0.0.53"]), answer(0, "mx.stopped.example", "A", ["192.0.2.91"], "bogus")));
    expect(attempts.map(row)).toEqual([[null, null, "mx.stopped.example", [], "unknown bogus unknown", "dane-fail", ["bogus", "resolver-fallback", "cached"]]]);
  });

  it("after a Bogus MX answer the cached A and TLSA of its host are not evidence: the appliance stopped at the MX", () => {
    const attempts = run(
      log(
        lookup(0, "flaky.example", "MX", ["mx.flaky.example"], "secure", "10.0.0.53", 60),
        hostLookups(1, "mx.flaky.example", "203.0.113.92", "secure", 3600),
        lookup(2, "_25._tcp.mx.flaky.example", "TLSA", ["030101aa"], "secure"),
        connection(3, 710, 71, "203.0.113.92", "flaky.example", "u@flaky.example"),
        lookup(400, "flaky.example", "MX", ["mx.flaky.example"], "bogus", "10.0.1.53", 60),
      ),
    );
    expect(attempts.map(row)[1]).toEqual([null, "flaky.example", "mx.flaky.example", [], "bogus unknown unknown", "dane-fail", ["bogus"]]);
  });

  it("a later delivery to a host whose MX came from before the log uses the host's cached answers", () => {
    const attempts = run(log(hostLookups(0, "mx.early.example", "203.0.113.93", "secure", 3600), lookup(1, "_25._tcp.mx.early.example", "TLSA", ["030101ab"], "secure"), connection(2, 720, 72, "203.0.113.93", "early.example", "a@early.example"), connection(100, 721, 73, "203.0.113.93", "early.example", "b@early.example")));
    expect(attempts.map(row)).toEqual([
      [720, "early.example", "mx.early.example", [72], "unknown secure secure", "undetermined", ["dane-success", "cached"]],
      [721, "early.example", "mx.early.example", [73], "unknown secure secure", "undetermined", ["dane-success", "cached"]],
    ]);
  });
});

describe("a recipient written without angle brackets", () => {
  it("`MID n ICID n RID 0 To: user@domain` links the queued message to the domain's attempt", () => {
    const lines = [`${at(0)} Info: Start MID 44 ICID 9044`, `${at(0)} Info: MID 44 ICID 9044 RID 0 To: v@bare.example`, `${at(0)} Info: MID 44 queued for delivery`];
    const attempts = run(log(lines, lookup(1, "bare.example", "MX", ["mx.bare.example"], "bogus")));
    expect(attempts.map((a) => [a.record.domain, a.record.mids])).toEqual([["bare.example", [44]]]);
  });
});

describe("run boundaries from the cache's TTLs", () => {
  it("a run that took the A from the cache, and an A lookup 20 s later once it expired: two runs", () => {
    const attempts = run(
      log(
        hostLookups(0, "mx.twice.example", "198.51.100.95", "insecure", 70),
        lookup(60, "twice.example", "MX", ["mx.twice.example"], "insecure"),
        hostLookups(80, "mx.twice.example", "198.51.100.95", "insecure", 70),
      ),
      { mode: "mandatory" },
    );
    expect(attempts.map((a) => [attemptRecord(a).start, a.record.domain, a.record.flags])).toEqual([
      ["2024-03-11T08:00:00Z", null, ["cached"]],
      ["2024-03-11T08:01:00Z", "twice.example", ["cached"]],
      ["2024-03-11T08:01:20Z", "twice.example", ["cached"]],
    ]);
  });

  it("an answer that expired a second before the connection line still counts: the appliance decided just before", () => {
    const attempts = run(log(lookup(0, "edge.example", "MX", ["mx.edge.example"], "secure"), hostLookups(0, "mx.edge.example", "203.0.113.96", "secure", 60), lookup(0, "_25._tcp.mx.edge.example", "TLSA", ["030101ac"], "secure"), connection(2, 740, 75, "203.0.113.96", "edge.example", "a@edge.example"), connection(61, 741, 76, "203.0.113.96", "edge.example", "b@edge.example")));
    expect(attempts.map((a) => [a.record.dcid, `${a.record.evidence.mx} ${a.record.evidence.a} ${a.record.evidence.tlsa}`])).toEqual([
      [740, "secure secure secure"],
      [741, "secure secure secure"],
    ]);
  });
});

describe("a lone A lookup of a host already seen as an MX host", () => {
  it("is a retry (its AAAA and CNAME answers still cached), unlike a lone A lookup of any other name", () => {
    const attempts = run(
      log(
        hostLookups(0, "mx.seen.example", "198.51.100.97", "insecure", 60),
        lookup(400, "mx.seen.example", "A", ["198.51.100.97"], "insecure", "10.0.0.53", 60),
        lookup(400, "smtp.inbound.example", "A", ["192.0.2.201"], "insecure", "10.0.0.53", 60),
      ),
      { mode: "mandatory" },
    );
    expect(attempts.map((a) => [attemptRecord(a).start, a.record.mxHost, a.record.evidence.a])).toEqual([
      ["2024-03-11T08:00:00Z", "mx.seen.example", "insecure"],
      ["2024-03-11T08:06:40Z", "mx.seen.example", "insecure"],
    ]);
  });
});
