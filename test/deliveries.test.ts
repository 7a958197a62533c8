// `esa-dane deliveries` on the samples, run as a user runs it (the built binary, TZ=UTC): the
// NDJSON contract for every line, the golden output, the table and --explain.
import fc from "fast-check";
import { sourceOf } from "../src/correlate/sources.js";
import type { Attempt } from "../src/correlate/types.js";
import { attemptJsonLine, attemptRecord } from "../src/output/attempt-record.js";
import { jsonLine } from "../src/output/json.js";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readText } from "../src/input/read.js";
import { Analysis } from "../src/pipeline.js";
import { spawn } from "node:child_process";
import { BIN, CLI_ENV, ROOT, runCli } from "./helpers/cli.js";
import { at, deliveryRun, HEADER, log } from "./helpers/logtext.js";
import { attemptCoherenceErrors, attemptRecordErrors } from "./helpers/schema.js";

type Rec = Record<string, unknown> & {
  host: string | null;
  dcid: number | null;
  domain: string | null;
  domainCandidates: string[];
  mxHost: string | null;
  ip: string | null;
  mids: number[];
  start: string | null;
  evidence: Record<string, string>;
  decisionByMode: Record<string, string>;
  decision: string;
  observed: string;
  flags: string[];
  resolvers: string[];
  source: string[];
};

const parse = (stdout: string) => stdout.trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Rec);

describe("esa-dane deliveries samples/ --format ndjson --year 2024", () => {
  const result = runCli(["deliveries", "samples/", "--format", "ndjson", "--year", "2024"], { env: { TZ: "UTC" } });
  const records = parse(result.stdout);

  it("exits 0 and prints one contract record per attempt, in time order", () => {
    expect(result.status).toBe(0);
    expect(records).toHaveLength(15);
    for (const record of records) {
      expect(attemptRecordErrors(record), JSON.stringify(record)).toEqual([]);
      expect(attemptCoherenceErrors(record), JSON.stringify(record)).toEqual([]);
    }
    const starts = records.map((r) => Date.parse(r.start!.endsWith("Z") ? r.start! : `${r.start}Z`));
    // Per input: the daneverify files (2019), the mail_logs_d pair (UTC), the syslog stream (local).
    const perGroup = (from: number, to: number) => starts.slice(from, to).every((t, i, all) => i === 0 || all[i - 1]! <= t);
    expect(perGroup(0, 2) && perGroup(2, 13) && perGroup(13, 15)).toBe(true);
  });

  it("times are UTC (Z) where the file says its offset, local where it does not", () => {
    for (const r of records) {
      const file = r.source[0]!.replace(/:\d+$/, "");
      expect(r.start!.endsWith("Z"), file).toBe(file.includes("mail_logs_d"));
    }
  });

  it("every source reference points at an existing line of a sample", () => {
    const files = new Map<string, string[]>();
    for (const r of records) {
      for (const ref of r.source) {
        const [, file, line] = /^(.+):(\d+)$/.exec(ref)!;
        if (!files.has(file!)) files.set(file!, readFileSync(join(ROOT, file!), "utf8").split("\n"));
        expect(files.get(file!)![Number(line) - 1], ref).toMatch(/\S/);
      }
    }
    expect([...files.keys()].sort()).toEqual([
      "samples/ietf-daneverify.@20190204T200847.s",
      "samples/mail_logs_d.@20240311T083000.s",
      "samples/mail_logs_d.current",
      "samples/syslog-two-appliances.log",
      "samples/thinkbeyond-daneverify.@20190204T201552.s",
    ]);
  });

  it("gives the outcomes samples/README.md expects", () => {
    const row = (r: Rec) => [r.host, r.dcid, r.domain, r.mxHost, r.ip, Object.values(r.evidence).join(" "), r.decisionByMode["mandatory"], r.decisionByMode["opportunistic"], r.decision, r.observed, r.flags.join(",")];
    expect(records.map(row)).toEqual([
      // T1, T2
      [null, null, "ietf.org", "mail.ietf.org", null, "secure secure secure unknown", "undetermined", "undetermined", "undetermined", "no-connection", "undetermined"],
      [null, null, "thinkbeyond.ch", "thinkbeyond-ch.mail.protection.outlook.com", null, "insecure insecure unknown unknown", "dane-fail", "tls-fallback", "undetermined", "no-connection", "resolver-fallback,undetermined"],
      // i1, a, b, e1, e2
      [null, 219101, "example.com", null, "10.0.2.25", "unknown unknown unknown unknown", "undetermined", "undetermined", "undetermined", "plaintext", "undetermined"],
      [null, 219102, "dane-ok.example", "mail.dane-ok.example", "203.0.113.25", "secure secure secure success", "dane-success", "dane-success", "dane-success", "dane-success", "dane-success"],
      [null, 219103, "no-dnssec.example", "mx.no-dnssec.example", "198.51.100.17", "insecure insecure nxdomain unknown", "dane-fail", "tls-fallback", "undetermined", "tls", "undetermined"],
      [null, 219104, "multi-mx.example", "mx1.multi-mx.example", "192.0.2.41", "secure secure secure unknown", "undetermined", "undetermined", "undetermined", "no-connection", "undetermined"],
      [null, 219105, "multi-mx.example", "mx2.multi-mx.example", "192.0.2.42", "secure secure secure success", "dane-success", "dane-success", "dane-success", "dane-success", "dane-success"],
      // i2, c, i3, d, f2, f1
      [null, 219106, "example.com", null, "10.0.2.25", "unknown unknown unknown unknown", "undetermined", "undetermined", "undetermined", "plaintext", "undetermined"],
      [null, null, "bogus-mx.example", "mx.bogus-mx.example", null, "bogus unknown unknown unknown", "dane-fail", "dane-fail", "dane-fail", "no-connection", "bogus,resolver-fallback"],
      [null, 219107, "example.com", null, "10.0.2.25", "unknown unknown unknown unknown", "undetermined", "undetermined", "undetermined", "plaintext", "undetermined"],
      [null, 219108, "dane-ok.example", "mail.dane-ok.example", "203.0.113.25", "secure secure secure success", "dane-success", "dane-success", "dane-success", "dane-success", "dane-success,cached"],
      [null, 219109, "signed-nodane.example", "mx.signed-nodane.example", "198.51.100.60", "secure secure nxdomain unknown", "dane-fail", "tls-fallback", "undetermined", "tls", "undetermined"],
      [null, 219110, "dane-two.example", "mail.dane-two.example", "203.0.113.80", "secure secure secure success", "dane-success", "dane-success", "dane-success", "dane-success", "dane-success"],
      // s1, s2
      ["esa1.example.com", 12044, "example.org", "mail.example.org", "192.0.2.30", "secure secure secure success", "dane-success", "dane-success", "dane-success", "dane-success", "dane-success"],
      ["esa2.example.com", 12044, "example.net", "mx.example.net", "198.51.100.25", "insecure insecure unknown unknown", "dane-fail", "tls-fallback", "undetermined", "tls", "undetermined"],
    ]);
    // The cached delivery (d) points back at the rotated file's lookups (R:47-72).
    const d = records.find((r) => r.dcid === 219108)!;
    expect(d.source).toContain("samples/mail_logs_d.@20240311T083000.s:48");
    expect(d.source.at(-1)).toBe("samples/mail_logs_d.current:98");
    // The README's mids and (with no domain in doubt) empty domainCandidates, for every attempt.
    expect(records.map((r) => r.mids)).toEqual([[], [], [441101], [441102], [441104], [], [441105], [441107], [441108], [441109], [441110], [441112], [441111], [58012], [58012]]);
    for (const r of records) expect(r.domainCandidates).toEqual([]);
    // The Bogus MX (c) was answered by the secondary after the primary failed.
    expect(records.find((r) => r.domain === "bogus-mx.example")!.resolvers).toEqual(["10.0.1.53"]);
  });

  it("with --mode mandatory the sample's plain-TLS deliveries the table would block are mismatches", () => {
    const mandatory = parse(runCli(["deliveries", "samples/", "--format", "ndjson", "--year", "2024", "--mode", "mandatory"]).stdout);
    const mismatched = mandatory.filter((r) => r.flags.includes("mismatch")).map((r) => [r.domain, r.row]);
    expect(mismatched).toEqual([
      ["no-dnssec.example", "M13"],
      ["signed-nodane.example", "M4"],
      ["example.net", "M13"],
    ]);
    for (const record of mandatory) expect(attemptCoherenceErrors(record), JSON.stringify(record)).toEqual([]);
  });

  it("matches the golden output", async () => {
    await expect(result.stdout).toMatchFileSnapshot("golden/deliveries/samples.ndjson");
  });

  it("gives the same records as the pipeline run in-process", () => {
    // The CLI adds nothing and loses nothing: run the same files through readText.
    const inProcess: unknown[] = [];
    const analysis = new Analysis({ mode: "unknown" }, { attempt: (a) => inProcess.push(attemptRecord(a)) });
    for (const file of ["samples/ietf-daneverify.@20190204T200847.s", "samples/mail_logs_d.@20240311T083000.s", "samples/mail_logs_d.current", "samples/syslog-two-appliances.log", "samples/thinkbeyond-daneverify.@20190204T201552.s"]) {
      readText(readFileSync(join(ROOT, file), "utf8"), file, { year: 2024 }, analysis.records);
    }
    analysis.finish();
    const key = (r: unknown) => JSON.stringify(r);
    expect(inProcess.map(key).sort()).toEqual(records.map(key).sort());
  });

  it("the schema check refuses what breaks the contract", () => {
    const good = records.find((r) => r.dcid === 219102)!;
    expect(attemptRecordErrors(good)).toEqual([]);
    const { row: _row, ...missing } = good;
    expect(attemptRecordErrors(missing)[0]).toContain("exactly the contract's fields");
    expect(attemptRecordErrors({ ...good, extra: 1 })[0]).toContain("exactly the contract's fields");
    expect(attemptRecordErrors({ ...good, decision: "maybe" })).toEqual(["decision"]);
    expect(attemptRecordErrors({ ...good, start: "11/03/2024 08:30" })).toEqual(["start: ISO 8601 or null"]);
    expect(attemptRecordErrors({ ...good, end: "2024-03-11T07:00:00Z" })).toEqual(["start <= end"]);
    expect(attemptRecordErrors({ ...good, dcid: "219102" })).toEqual(["dcid: number or null"]);
    expect(attemptRecordErrors({ ...good, mids: ["441102"] })).toEqual(["mids: distinct numbers"]);
    expect(attemptRecordErrors({ ...good, domain: "Dane-OK.example" })).toEqual(["domain: lower case"]);
    expect(attemptRecordErrors({ ...good, evidence: { ...good.evidence, tlsa: "SECURE" } })).toEqual(["evidence.tlsa"]);
    expect(attemptRecordErrors({ ...good, evidence: { ...good.evidence, cert: "ok" } })).toEqual(["evidence.cert"]);
    expect(attemptRecordErrors({ ...good, mode: "dane" })).toEqual(["mode"]);
    expect(attemptRecordErrors({ ...good, row: "M16" })).toEqual(["row: M1..M15, O1..O14 or null"]);
    expect(attemptRecordErrors({ ...good, observed: "success" })).toEqual(["observed"]);
    expect(attemptRecordErrors({ ...good, flags: ["dane-success", "dane-success"] })).toEqual(["flags: distinct, from the allowed set"]);
    expect(attemptRecordErrors({ ...good, flags: ["secure"] })).toEqual(["flags: distinct, from the allowed set"]);
    expect(attemptRecordErrors({ ...good, source: ["samples/x.s"] })).toEqual(["source: distinct file:line"]);
    expect(attemptRecordErrors({ ...good, source: ["x.s:5", "x.s:3"] })).toEqual(["source: first to last"]);
    expect(attemptCoherenceErrors({ ...good, mode: "opportunistic", row: "M1" })).toEqual(["row: from the mode's table"]);
    expect(attemptCoherenceErrors({ ...good, flags: [] })).toEqual(["flag dane-success iff observed dane-success"]);
    expect(attemptCoherenceErrors({ ...good, decision: "dane-fail" })).toEqual(["decision for mode none/unknown"]);
  });
});

describe("esa-dane deliveries - on a pipe that stays open (tail -f)", () => {
  it("prints attempts while the pipe is open, not only at its end", async () => {
    // 300 deliveries over 6000 s of log; with --close-after 60 an attempt is certain two quiet
    // periods later, so all but the last few go out before the input ends.
    const lines = [deliveryRun(0, 300, 1000)];
    const child = spawn(process.execPath, [BIN, "deliveries", "-", "--close-after", "60", "--stats", "none"], { cwd: ROOT, env: CLI_ENV, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    child.stdin.write(log(...lines));
    // The pipe stays open: wait for the first batch of output (written 64 KiB at a time).
    for (let waited = 0; stdout === "" && waited < 15_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    const whileOpen = stdout.split("\n").filter((l) => l !== "").length;
    child.stdin.end();
    expect(await exited).toBe(0);
    expect(whileOpen).toBeGreaterThan(0);
    expect(stdout.trim().split("\n")).toHaveLength(300);
  }, 30_000);

  it("prints the few attempts of a quiet log without waiting for more output", async () => {
    // 10 deliveries (13 KB of output), then lines 20 minutes later: they are certain, and
    // nothing else is coming for now (the last line stays open: a next one may continue it).
    const lines = [deliveryRun(0, 10, 1000)];
    lines.push([`${at(1200)} Info: Start MID 9999 ICID 1`, `${at(1200)} Info: Start MID 9998 ICID 1`]);
    const child = spawn(process.execPath, [BIN, "deliveries", "-", "--close-after", "60", "--stats", "none"], { cwd: ROOT, env: CLI_ENV, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    child.stdin.write(log(...lines));
    for (let waited = 0; stdout.split("\n").length <= 10 && waited < 15_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    const whileOpen = stdout.split("\n").filter((l) => l !== "").length;
    child.stdin.end();
    expect(await exited).toBe(0);
    expect(whileOpen).toBe(10);
  }, 30_000);
});

describe("esa-dane deliveries on a stream whose time goes back", () => {
  it("warns with the input and the first attempt when two appliances' logs are concatenated", () => {
    const appliance = (serial: string, lines: string[]) => [HEADER[0]!, `${at(0)} Info: Version: 15.0.1-030 SN: ${serial}`, HEADER[1]!, ...lines];
    // esa2's log (from 08:30) after esa1's (08:00 to 09:40): one stream, so one input.
    const stream = `${[...appliance("AAAA-1", deliveryRun(0, 300, 1000)), ...appliance("BBBB-2", deliveryRun(1800, 90, 5000))].join("\n")}\n`;
    const run = runCli(["deliveries", "-", "--close-after", "60", "--stats", "none"], { input: stream });
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split("\n")).toHaveLength(390);
    expect(run.stderr).toMatch(/warning: \(stdin\): [1-9]\d* attempts printed out of time order, the first one started 2024-03-11T08:30:05Z/);
    // The same two logs as files of their own merge by time, without a warning.
    const dir = mkdtempSync(join(tmpdir(), "esa-dane-order-"));
    writeFileSync(join(dir, "esa1.log"), `${appliance("AAAA-1", deliveryRun(0, 300, 1000)).join("\n")}\n`);
    writeFileSync(join(dir, "esa2.log"), `${appliance("BBBB-2", deliveryRun(1800, 90, 5000)).join("\n")}\n`);
    const files = runCli(["deliveries", join(dir, "esa1.log"), join(dir, "esa2.log"), "--close-after", "60", "--stats", "none"]);
    expect(files.stdout.trim().split("\n")).toHaveLength(390);
    expect(files.stderr).not.toMatch(/out of time order/);
    const starts = files.stdout.trim().split("\n").map((l) => (JSON.parse(l) as { start: string }).start);
    expect(starts).toEqual([...starts].sort());
  });
});

describe("esa-dane deliveries --format table and --explain", () => {
  it("prints one table row per attempt, with the evidence in letters", () => {
    const table = runCli(["deliveries", "samples/", "--format", "table", "--year", "2024"]);
    expect(table.status).toBe(0);
    const rows = table.stdout.split("\n").filter((l) => /^\d{4}-/.test(l));
    expect(rows).toHaveLength(15);
    expect(rows.find((l) => l.includes("219102"))).toMatch(/dane-ok\.example .* S S S ok .* dane-success/);
    expect(rows.find((l) => l.includes("bogus-mx.example"))).toMatch(/B \? \? \? .* dane-fail .* no-connection +bogus,resolver-fallback/);
    expect(rows.find((l) => l.includes("signed-nodane"))).toMatch(/S S NX \?/);
    expect(rows.find((l) => l.includes("esa2.example.com"))).toMatch(/12044 +example\.net/);
    expect(table.stdout).toContain("15 attempt(s).");
    // The table does not print JSON.
    expect(table.stdout).not.toContain('"decisionByMode"');
  });

  it("--explain prints each attempt's decision and the text of every line it used", () => {
    const explain = runCli(["deliveries", "samples/thinkbeyond-daneverify.@20190204T201552.s", "samples/ietf-daneverify.@20190204T200847.s", "--explain", "--format", "table", "--mode", "opportunistic"]);
    expect(explain.status).toBe(0);
    const out = explain.stdout;
    expect(out).toMatch(/ thinkbeyond\.ch .* tls-fallback \(O12\) /);
    expect(out).toMatch(/ ietf\.org .* undetermined /);
    const refs = [...out.matchAll(/^ {4}(samples\/\S+):(\d+) {2}(.*)$/gm)];
    // Every line of both runs is evidence (ietf 30 lines less none, thinkbeyond 27), each with its text.
    expect(refs.length).toBeGreaterThanOrEqual(50);
    for (const [, file, line, shown] of refs) {
      const actual = readFileSync(join(ROOT, file!), "utf8").split("\n")[Number(line) - 1];
      expect(shown, `${file}:${line}`).toBe(actual);
    }
    expect(out).toContain("Warning: Received an invalid DNS Response: SERVER FAILED to IP 194.191.40.83 looking up thinkbeyond-ch.mail.protection.outlook.com");
  });

  it("--explain with NDJSON puts the lines in the record: still one JSON object per line", () => {
    const explain = runCli(["deliveries", "samples/ietf-daneverify.@20190204T200847.s", "--explain"]);
    const lines = explain.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    const { lines: explained, ...record } = JSON.parse(lines[0]!) as Rec & { lines: { source: string; text: string | null }[] };
    expect(attemptRecordErrors(record as Rec)).toEqual([]);
    expect(explained).toHaveLength(record.source.length);
    expect(explained[0]).toEqual({ source: record.source[0], text: "Mon Feb  4 20:08:47 2019 Debug: DNS query: Q('ietf.org', 'MX')" });
  });

  it("--dest-controls sets the mode per domain; a bad file is a usage error naming its line", () => {
    const dir = mkdtempSync(join(tmpdir(), "esa-dane-controls-"));
    const good = join(dir, "controls.txt");
    writeFileSync(good, "# DANE per destination\ndefault opportunistic\nexample.com mandatory\n.example.net none\n");
    const modes = parse(runCli(["deliveries", "samples/", "--year", "2024", "--dest-controls", good]).stdout).map((r) => [r.domain, r["mode"], r.decision]);
    expect(modes).toContainEqual(["example.com", "mandatory", "undetermined"]);
    expect(modes).toContainEqual(["dane-ok.example", "opportunistic", "dane-success"]);
    expect(modes).toContainEqual(["example.net", "opportunistic", "tls-fallback"]);
    expect(modes).toContainEqual(["thinkbeyond.ch", "opportunistic", "tls-fallback"]);
    const bad = join(dir, "bad.txt");
    writeFileSync(bad, "default opportunistic\n\nexample.com sometimes\n");
    const refused = runCli(["deliveries", "samples/", "--dest-controls", bad]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`${bad}:3: --dest-controls: unknown mode 'sometimes'`);
    expect(refused.stdout).toBe("");
  });

  it("is identical with worker threads", () => {
    const serial = runCli(["deliveries", "samples/", "--year", "2024"]);
    const parallel = runCli(["deliveries", "samples/", "--year", "2024", "--workers", "2"]);
    expect(parallel.stdout).toBe(serial.stdout);
  });
});

describe("an attempt's NDJSON line", () => {
  it("is jsonLine of its record, for any file names and source lines", () => {
    const attempts: Attempt[] = [];
    const analysis = new Analysis({ mode: "unknown" }, { attempt: (a) => attempts.push(a) });
    readText(readFileSync(join(ROOT, "samples/mail_logs_d.@20240311T083000.s"), "utf8"), "samples/mail_logs_d.@20240311T083000.s", { year: 2024 }, analysis.records);
    analysis.finish();
    expect(attempts.length).toBeGreaterThan(3);
    // Hostile names: quotes, backslashes, controls, C1, line separators, bidi overrides, a lone surrogate.
    const fileName = fc.oneof(fc.string(), fc.constantFrom('a"b\\c', "x\u0000\u001b[31m", "\u0085\u2028\u202e.log", "\ud800:7", "mail_logs_d.current"));
    const line = fc.integer({ min: 1, max: 2 ** 31 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: attempts.length - 1 }), fc.array(fc.tuple(fileName, line), { maxLength: 12 }), (index, lines) => {
        const attempt = { ...attempts[index]!, sources: lines.map(([file, n]) => sourceOf({ file, line: n })) };
        // Repeated and unordered references come out once, in order, as in the record.
        attempt.sources.push(...attempt.sources.slice(0, 3));
        expect(attemptJsonLine(attempt)).toBe(jsonLine(attemptRecord(attempt)));
      }),
      { numRuns: 300 },
    );
  });
});
