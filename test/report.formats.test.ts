// `esa-dane report`: every format on the samples (golden), their contracts, hostile content.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { globMatcher } from "../src/report/aggregate.js";
import { parseTimeBound } from "../src/cli/filter-options.js";
import { runCli, runCliAsync, type CliResult } from "./helpers/cli.js";
import { at, connection, dns, log } from "./helpers/logtext.js";

const reportArgs = (format: string, ...extra: string[]) => ["report", "samples/", "--year", "2024", "--format", format, "--stats", "none", ...extra];
const report = (format: string, ...extra: string[]) => runCli(reportArgs(format, ...extra));
/**
 * Each format of the samples once, side by side (the spawns are the slow part): the golden files
 * and the contract checks below read the same output, as the same command line gives it.
 */
const FORMATS = ["table", "json", "csv", "markdown", "tlsrpt", "prometheus"] as const;
const onSamples = new Map<string, CliResult>();
beforeAll(async () => {
  const results = await Promise.all(FORMATS.map((format) => runCliAsync(reportArgs(format))));
  FORMATS.forEach((format, i) => onSamples.set(format, results[i]!));
});
const samplesReport = (format: (typeof FORMATS)[number]) => onSamples.get(format)!;

/** RFC 4180: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\r" && text[i + 1] === "\n") row.push(field), rows.push(row), (row = []), (field = ""), i++;
    else field += c;
  }
  return rows;
}

/** Line-by-line check of the Prometheus text exposition format; returns the problems found. */
function prometheusProblems(text: string): string[] {
  const problems: string[] = [];
  const typed = new Set<string>();
  const series = new Set<string>();
  const labelValue = String.raw`"(?:[^"\\\n]|\\[\\"n])*"`;
  const sample = new RegExp(String.raw`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*=${labelValue}(?:,[a-zA-Z_][a-zA-Z0-9_]*=${labelValue})*\})? (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$`);
  text.trimEnd().split("\n").forEach((line, i) => {
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$/.exec(line);
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (help) return;
    if (type) return void typed.add(type[1]!);
    const match = sample.exec(line);
    if (!match) return void problems.push(`line ${i + 1}: not a sample: ${line}`);
    if (!typed.has(match[1]!)) problems.push(`line ${i + 1}: sample before its TYPE`);
    if (series.has(match[1]! + (match[2] ?? ""))) problems.push(`line ${i + 1}: duplicate series`);
    series.add(match[1]! + (match[2] ?? ""));
  });
  return problems;
}

const TLSRPT_FIELDS = new Set([
  "organization-name", "date-range", "start-datetime", "end-datetime", "contact-info", "report-id", "policies", "policy", "policy-type", "policy-string",
  "policy-domain", "mx-host", "summary", "total-successful-session-count", "total-failure-session-count", "failure-details", "result-type", "sending-mta-ip",
  "receiving-mx-hostname", "receiving-mx-helo", "receiving-ip", "failed-session-count", "additional-information", "failure-reason-code",
]);
const RESULT_TYPES = new Set([
  "starttls-not-supported", "certificate-host-mismatch", "certificate-expired", "certificate-not-trusted", "validation-failure", "tlsa-invalid",
  "dnssec-invalid", "dane-required", "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid",
]);
function keysOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => keysOf(v, out));
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) out.push(k), keysOf(v, out);
  return out;
}

describe("report formats on the samples", () => {
  // The report as JSON.parse gives it: read field by field below.
  let json: any;
  beforeAll(() => {
    json = JSON.parse(samplesReport("json").stdout);
  });

  it.each([
    ["table", "txt"],
    ["json", "json"],
    ["csv", "csv"],
    ["markdown", "md"],
    ["tlsrpt", "ndjson"],
    ["prometheus", "prom"],
  ] as const)("%s matches its golden file", async (format, ext) => {
    const result = samplesReport(format);
    expect(result.status).toBe(0);
    await expect(result.stdout).toMatchFileSnapshot(`golden/report/samples.${ext}`);
  });

  it("json carries stats, domains and resolvers, and the accounting adds up", () => {
    expect(Object.keys(json)).toEqual(["by", "from", "to", "filters", "verdict", "totals", "domains", "resolvers", "stats"]);
    expect(json.stats.total).toMatchObject({ read: 598, parsed: 446, unknown: 152, malformed: 0 });
    for (const f of json.stats.files) expect(f.read).toBe(f.parsed + f.unknown + f.malformed);
    for (const d of json.domains) {
      expect(typeof d.name).toBe("string");
      const decided = Object.values(d.decisions as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(decided).toBe(d.attempts);
      expect(d).toHaveProperty("bogus.mx");
      expect(d).toHaveProperty("firstSeen");
    }
    expect(json.resolvers[0]).toHaveProperty("likelyNoDnssec");
  });

  it("per-domain numbers equal the sums over esa-dane deliveries", () => {
    const attempts = runCli(["deliveries", "samples/", "--year", "2024", "--stats", "none"]).stdout.trim().split("\n").map((l) => JSON.parse(l));
    for (const d of json.domains) {
      const mine = attempts.filter((a) => (a.domain ?? "(unknown domain)") === d.name);
      expect(mine.length, d.name).toBe(d.attempts);
      for (const decision of Object.keys(d.decisions)) expect(mine.filter((a) => a.decision === decision).length).toBe(d.decisions[decision]);
      expect(mine.filter((a) => a.evidence.mx === "bogus").length).toBe(d.bogus.mx);
      expect(mine.filter((a) => a.flags.includes("resolver-fallback")).length).toBe(d.resolverFallbacks);
    }
  });

  it("csv parses back to the numbers of the json", () => {
    const rows = parseCsv(samplesReport("csv").stdout);
    const [head, ...body] = rows;
    expect(body).toHaveLength(json.domains.length);
    const col = (name: string) => head!.indexOf(name);
    body.forEach((row, i) => {
      const d = json.domains[i];
      expect(row[col("domain")]).toBe(d.name);
      expect(Number(row[col("attempts")])).toBe(d.attempts);
      expect(Number(row[col("dane_fail")])).toBe(d.decisions["dane-fail"]);
      expect(Number(row[col("bogus_mx")])).toBe(d.bogus.mx);
      expect(Number(row[col("missing_cert")])).toBe(d.missing.cert);
    });
  });

  it("tlsrpt uses only RFC 8460 fields and registered result types, one report per UTC day and domain", () => {
    const reports = samplesReport("tlsrpt").stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(reports.length).toBeGreaterThan(3);
    for (const key of keysOf(reports)) expect(TLSRPT_FIELDS.has(key), key).toBe(true);
    const keys = new Set<string>();
    for (const r of reports) {
      for (const p of r.policies) {
        expect(["tlsa", "sts", "no-policy-found"]).toContain(p.policy["policy-type"]);
        for (const f of p["failure-details"]) expect(RESULT_TYPES.has(f["result-type"])).toBe(true);
        const key = `${r["date-range"]["start-datetime"].slice(0, 10)} ${p.policy["policy-domain"]}`;
        expect(keys.has(key)).toBe(false);
        keys.add(key);
      }
    }
    expect(reports.find((r) => r.policies[0].policy["policy-domain"] === "bogus-mx.example").policies[0]["failure-details"][0]["result-type"]).toBe("dnssec-invalid");
  });

  it("prometheus passes the exposition format check", () => {
    const text = samplesReport("prometheus").stdout;
    expect(prometheusProblems(text)).toEqual([]);
    expect(prometheusProblems('# TYPE x gauge\nx{a="b"} 1\nx{a="b"} 2\ny 1\n')).toEqual(["line 3: duplicate series", "line 4: sample before its TYPE"]);
  });

  it("writes --output atomically, leaving no temporary file", () => {
    const dir = mkdtempSync(join(tmpdir(), "esa-dane-report-"));
    const file = join(dir, "dane.prom");
    expect(report("prometheus", "--output", file).status).toBe(0);
    expect(readFileSync(file, "utf8")).toContain("esa_dane_attempts");
    expect(readdirSync(dir)).toEqual(["dane.prom"]);
  });

  it("filters by domain glob, by time and --top, and groups --by mx", () => {
    const only = JSON.parse(report("json", "--domain", "*.EXAMPLE", "--domain", "ietf.*").stdout);
    expect(only.domains.map((d: { name: string }) => d.name).sort()).toEqual(["bogus-mx.example", "dane-ok.example", "dane-two.example", "ietf.org", "multi-mx.example", "no-dnssec.example", "signed-nodane.example"]);
    const since = JSON.parse(report("json", "--since", "2024-03-11T07:44:00Z", "--until", "2024-03-12").stdout);
    expect(since.totals.attempts).toBe(3);
    expect(since.stats.total.read).toBe(598);
    const byMx = JSON.parse(report("json", "--by", "mx").stdout);
    expect(byMx.domains.some((d: { name: string }) => d.name === "mx2.multi-mx.example")).toBe(true);
    expect(report("table", "--top", "2").stdout).toContain("(9 more; --top to show more)");
    expect(parseTimeBound("24h")).toEqual({ beforeEndMs: 86_400_000 });
    expect(parseTimeBound("yesterday")).toBeNull();
    expect(globMatcher(["mx?.example"])!("MX1.example")).toBe(true);
  });

  it("exits 2 when an input is missing, still reporting the others, and 1 on bad usage", () => {
    const result = runCli(["report", "samples/ietf-daneverify.@20190204T200847.s", "nope.s", "--format", "json"]);
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout).totals.attempts).toBe(1);
    expect(result.stderr).toContain("nope.s: no such file or directory");
    expect(runCli(["report", "samples/", "--since", "last tuesday"]).status).toBe(1);
  });
});

describe("TLS-RPT failure details", () => {
  // Mandatory mode, TLSA NXDOMAIN: row M13 says DANE Fail, and the log shows no TLS and no delivery.
  it("names the sending and receiving MTA of a failed session", () => {
    const dir = mkdtempSync(join(tmpdir(), "esa-dane-tlsrpt-"));
    const file = join(dir, "mandatory.log");
    writeFileSync(file, log(dns(0, "plain.example", "mx.plain.example", "198.51.100.9", { mx: "insecure", a: "insecure", tlsa: "none" }), connection(5, 400, 20, "198.51.100.9", null, "a@plain.example").filter((line) => !/TLS success|Delivery start|Message done|Response/.test(line))));
    const reports = runCli(["report", file, "--format", "tlsrpt", "--mode", "mandatory", "--org", "example-org", "--stats", "none"]).stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(reports).toHaveLength(1);
    expect(reports[0]["organization-name"]).toBe("example-org");
    expect(reports[0].policies[0]).toEqual({
      policy: { "policy-type": "no-policy-found", "policy-domain": "plain.example", "mx-host": ["mx.plain.example"] },
      summary: { "total-successful-session-count": 0, "total-failure-session-count": 1 },
      "failure-details": [
        {
          "result-type": "dane-required",
          "sending-mta-ip": "10.0.3.10",
          "receiving-mx-hostname": "mx.plain.example",
          "receiving-ip": "198.51.100.9",
          "failed-session-count": 1,
          "failure-reason-code": "DANE Fail (row M13): MX insecure, A insecure, TLSA unknown, certificate unknown",
        },
      ],
    });
  });
});

describe("hostile log content", () => {
  // DNS names and resolvers are quoted strings in the query lines: anything can arrive there.
  const evil = '=HYPERLINK("http://x")<script>alert(1)</script>|\u001b[31m.example';
  const quoted = evil.replace(/'/g, "\\'");
  const text = log(
    [
      `${at(0)} Debug: DNS query: Q('${quoted}', 'MX')`,
      `${at(0)} Debug: DNS query: QIP ('${quoted}', 'MX', '10.0.0.53', 60)`,
      `${at(0)} Debug: DNS query: Q ('${quoted}', 'MX', '10.0.0.53')`,
      `${at(0)} Debug: DNSSEC Response data([(10, 'mx.x.')], bogus, 0, 300)`,
      `${at(1)} Info: Start MID 1 ICID 2`,
    ],
    dns(10, "ok.example", "mx.ok.example", "192.0.2.67", { mx: "secure", a: "secure", tlsa: "secure" }),
    connection(20, 900, 90, "192.0.2.67", "ok.example", "a@ok.example"),
  );
  const dir = mkdtempSync(join(tmpdir(), "esa-dane-evil-"));
  const file = join(dir, "evil.log");
  writeFileSync(file, text);
  // Each format once (the same command line gives the same text), side by side.
  const outputs = new Map<string, string>();
  beforeAll(async () => {
    const formats = ["table", "markdown", "csv", "prometheus", "tlsrpt", "json"];
    const results = await Promise.all(formats.map((format) => runCliAsync(["report", file, "--format", format, "--stats", "none"])));
    formats.forEach((format, i) => outputs.set(format, results[i]!.stdout));
  });
  const out = (format: string) => outputs.get(format)!;

  it("reaches the report (the test would prove nothing otherwise)", () => {
    expect(JSON.parse(out("json")).domains.map((d: { name: string }) => d.name)).toContain(evil.toLowerCase());
  });

  it("is inert in every format", () => {
    for (const format of ["table", "markdown", "csv", "prometheus", "tlsrpt", "json"]) {
      const text = out(format);
      expect(text, format).not.toContain("\u001b");
      // HTML is inert on a terminal and in CSV; Markdown renders it, so there it is escaped.
      if (format === "markdown") expect(text, format).not.toContain("<script>");
    }
    expect(out("table")).toContain("\\x1b[31m");
    expect(out("csv")).toContain(`"'=hyperlink(""http://x"")<script>alert(1)</script>|\\x1b[31m.example"`);
    expect(out("markdown")).toContain("\\<script\\>alert(1)\\</script\\>\\|");
    expect(out("prometheus")).toContain('domain="=hyperlink(\\"http://x\\")<script>');
    expect(JSON.parse(out("json")).domains[0].name).toBe(evil.toLowerCase());
  });
});
