// `esa-dane report` in-process (runReport writing to --output files, and the pipeline through
// analyse): the JSON contract checked against a hand-written schema, CSV parsed back with an
// RFC 4180 parser, TLS-RPT against RFC 8460, Prometheus against the text exposition format,
// per-domain sums against the attempts, hostile log content, and the filters.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReportArgs } from "../src/cli/args.js";
import { parseTimeBound } from "../src/cli/filter-options.js";
import { runReport, writeAtomically } from "../src/cli/run-report.js";
import type { Attempt } from "../src/correlate/types.js";
import { readText } from "../src/input/read.js";
import { Analysis, analyse } from "../src/pipeline.js";
import { CSV_COLUMNS } from "../src/report/formats.js";
import { LogBuilder } from "./helpers/log-builder.js";

const scratch = mkdtempSync(join(tmpdir(), "esa-dane-report-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let outputs = 0;
/** Runs `esa-dane report` in this process, writing to a fresh --output file; returns the exit code and the text. */
async function report(inputs: string[], options: Partial<ReportArgs> = {}): Promise<{ code: number; text: string; path: string }> {
  const path = join(scratch, `out-${++outputs}`);
  const args: ReportArgs = {
    inputs,
    stats: "none",
    workers: 0,
    mode: "unknown",
    "close-after": 300,
    format: "json",
    by: "domain",
    domain: [],
    contact: "postmaster",
    year: 2024,
    output: path,
    ...options,
  };
  const code = await runReport(args);
  return { code, text: readFileSync(path, "utf8"), path };
}

// ---------------------------------------------------------------------------------------------
// A hand-written schema of the report JSON, and its checker.

type Schema =
  | "string"
  | "count"
  | "boolean"
  | "string|null"
  | "iso|null"
  | { enum: readonly string[] }
  | { array: Schema }
  | { object: Record<string, Schema>; exact?: boolean }
  | { counts: readonly string[] };

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?$/;

function schemaErrors(value: unknown, schema: Schema, path = "$"): string[] {
  const errors: string[] = [];
  const fail = (what: string) => errors.push(`${path}: ${what}, got ${JSON.stringify(value)?.slice(0, 80)}`);
  if (schema === "string") typeof value === "string" || fail("string");
  else if (schema === "count") (Number.isInteger(value) && (value as number) >= 0) || fail("count (integer >= 0)");
  else if (schema === "boolean") typeof value === "boolean" || fail("boolean");
  else if (schema === "string|null") value === null || typeof value === "string" || fail("string or null");
  else if (schema === "iso|null") value === null || (typeof value === "string" && ISO.test(value)) || fail("ISO 8601 time or null");
  else if ("enum" in schema) schema.enum.includes(value as string) || fail(`one of ${schema.enum.join(", ")}`);
  else if ("array" in schema) {
    if (!Array.isArray(value)) fail("array");
    else value.forEach((v, i) => errors.push(...schemaErrors(v, schema.array, `${path}[${i}]`)));
  } else if ("counts" in schema) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) fail("object of counts");
    else {
      const keys = Object.keys(value).sort();
      if (JSON.stringify(keys) !== JSON.stringify([...schema.counts].sort())) fail(`keys ${schema.counts.join(",")}`);
      for (const [k, v] of Object.entries(value)) errors.push(...schemaErrors(v, "count", `${path}.${k}`));
    }
  } else {
    if (typeof value !== "object" || value === null || Array.isArray(value)) fail("object");
    else {
      for (const [k, s] of Object.entries(schema.object)) {
        if (!(k in value)) errors.push(`${path}.${k}: required`);
        else errors.push(...schemaErrors((value as Record<string, unknown>)[k], s, `${path}.${k}`));
      }
      if (schema.exact) for (const k of Object.keys(value)) if (!(k in schema.object)) errors.push(`${path}.${k}: not in the schema`);
    }
  }
  return errors;
}

const DECISION_KEYS = ["dane-success", "tls-fallback", "dane-fail", "undetermined", "outside-table", "not-applicable"];
const COUNTERS: Record<string, Schema> = {
  attempts: "count",
  decisions: { counts: DECISION_KEYS },
  byMode: { object: { mandatory: { counts: DECISION_KEYS }, opportunistic: { counts: DECISION_KEYS } }, exact: true },
  missing: { counts: ["mx", "a", "tlsa", "cert"] },
  bogus: { counts: ["mx", "a", "tlsa"] },
  resolverFallbacks: "count",
  mismatches: "count",
  cached: "count",
  modeUnknown: "count",
  observed: { counts: ["dane-success", "tls", "tls-failed", "plaintext", "no-connection"] },
  results: { counts: ["delivered", "delayed", "bounced", "connection-error", "not-attempted", "unknown"] },
  tlsaSecure: "count",
  undeterminedModeOnly: "count",
  bogusAttempts: "count",
  bogusAfterFallback: "count",
  noDnsEvidence: "count",
};
const FILE_STATS: Schema = {
  object: { file: "string", read: "count", parsed: "count", unknown: "count", malformed: "count", logLines: "count", joined: "count", truncated: "count", invalidUtf8: "count", nulBytes: "count", error: "string|null" },
  exact: true,
};
const REPORT_SCHEMA: Schema = {
  object: {
    by: { enum: ["domain", "mx"] },
    from: "iso|null",
    to: "iso|null",
    filters: { object: { since: "iso|null", until: "iso|null", domains: { array: "string" } }, exact: true },
    verdict: { array: "string" },
    totals: { object: { ...COUNTERS, domains: "count" }, exact: true },
    domains: {
      array: {
        object: {
          name: "string",
          ...COUNTERS,
          problems: { array: { enum: ["dane-fail", "bogus", "mismatch", "outside-table", "undetermined", "resolver-fallback"] } },
          mxHosts: { array: "string" },
          mxHostsCapped: "boolean",
          resolvers: { array: "string" },
          bogusResolvers: { array: "string" },
          firstSeen: "iso|null",
          lastSeen: "iso|null",
        },
        exact: true,
      },
    },
    resolvers: {
      array: {
        object: {
          host: "string|null",
          ip: "string",
          queries: "count",
          failures: "count",
          answers: { counts: ["secure", "insecure", "bogus", "nxdomain", "none", "other"] },
          fallbacksFrom: "count",
          fallbacksTo: "count",
          likelyNoDnssec: "boolean",
          noDnssecReason: "string|null",
        },
        exact: true,
      },
    },
    stats: { object: { files: { array: FILE_STATS }, total: FILE_STATS }, exact: true },
  },
  exact: true,
};

// ---------------------------------------------------------------------------------------------
// RFC 4180 CSV parser: quoted fields, doubled quotes, CRLF between records (LF tolerated).

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const endField = () => {
    row.push(field);
    field = "";
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field.length === 0) quoted = true;
    else if (c === ",") endField();
    else if (c === "\r" && text[i + 1] === "\n") {
      endField();
      rows.push(row);
      row = [];
      i++;
    } else if (c === "\n") {
      endField();
      rows.push(row);
      row = [];
    } else field += c;
    i++;
  }
  if (quoted) throw new Error("CSV: unterminated quoted field");
  if (field.length > 0 || row.length > 0) {
    endField();
    rows.push(row);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Prometheus text exposition format, line by line.

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The problems of a text exposition (empty when valid): HELP/TYPE before a metric's samples, names, escaping, values, no duplicates, no timestamps. */
function prometheusErrors(text: string): string[] {
  const errors: string[] = [];
  if (!text.endsWith("\n")) errors.push("does not end with a newline");
  const help = new Set<string>();
  const type = new Map<string, string>();
  const seenSamplesOf = new Set<string>();
  const series = new Set<string>();
  let current: string | null = null;
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  lines.forEach((line, index) => {
    const at = `line ${index + 1}`;
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      if (m === null) return;
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!METRIC_NAME.test(name)) errors.push(`${at}: bad metric name ${name}`);
      if (seenSamplesOf.has(name)) errors.push(`${at}: ${kind} for ${name} after its samples`);
      if (kind === "HELP") {
        if (help.has(name)) errors.push(`${at}: second HELP for ${name}`);
        help.add(name);
        if (/\\(?![\\n])/.test(rest)) errors.push(`${at}: bad escape in HELP`);
      } else {
        if (type.has(name)) errors.push(`${at}: second TYPE for ${name}`);
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(rest)) errors.push(`${at}: bad type ${rest}`);
        type.set(name, rest);
      }
      current = name;
      return;
    }
    if (line.trim() === "") {
      errors.push(`${at}: empty line`);
      return;
    }
    // name, optional {labels}, value; a timestamp would be a fourth field.
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( \S+)?$/.exec(line);
    if (m === null) {
      errors.push(`${at}: not a sample: ${JSON.stringify(line)}`);
      return;
    }
    const [, name, , labelText = "", value, timestamp] = m;
    if (timestamp !== undefined) errors.push(`${at}: has a timestamp`);
    if (!/^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$/.test(value!)) errors.push(`${at}: value ${value} is not a number`);
    if (!type.has(name!) || !help.has(name!)) errors.push(`${at}: ${name} has no HELP/TYPE before it`);
    if (current !== name) errors.push(`${at}: ${name} not grouped under its HELP/TYPE (current ${current})`);
    seenSamplesOf.add(name!);
    // Labels: name="value" with only \\, \" and \n escapes inside; comma separated.
    const labels: [string, string][] = [];
    let rest = labelText;
    while (rest.length > 0) {
      const l = /^([^=]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
      if (l === null) {
        errors.push(`${at}: bad label text ${JSON.stringify(rest)}`);
        break;
      }
      if (!LABEL_NAME.test(l[1]!)) errors.push(`${at}: bad label name ${l[1]}`);
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u001f\u007f]/.test(l[2]!)) errors.push(`${at}: control character in label value`);
      labels.push([l[1]!, l[2]!]);
      rest = rest.slice(l[0].length);
    }
    if (new Set(labels.map(([k]) => k)).size !== labels.length) errors.push(`${at}: repeated label name`);
    const key = `${name}{${labels.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join(",")}}`;
    if (series.has(key)) errors.push(`${at}: duplicate series ${key}`);
    series.add(key);
  });
  return errors;
}

/** Samples of a metric as [labels, value]. */
function samplesOf(text: string, metric: string): [Record<string, string>, number][] {
  return text
    .split("\n")
    .filter((l) => l.startsWith(`${metric}{`) || l.startsWith(`${metric} `))
    .map((l) => {
      const m = /^[^{ ]+(?:\{(.*)\})? (\S+)$/.exec(l)!;
      const labels: Record<string, string> = {};
      for (const x of (m[1] ?? "").matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) labels[x[1]!] = x[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
      return [labels, Number(m[2])];
    });
}

// ---------------------------------------------------------------------------------------------

interface JsonReport {
  by: string;
  totals: Record<string, unknown> & { attempts: number; domains: number };
  domains: (Record<string, unknown> & { name: string; attempts: number; decisions: Record<string, number>; bogus: Record<string, number>; missing: Record<string, number>; resolverFallbacks: number; mismatches: number; cached: number; observed: Record<string, number>; results: Record<string, number>; mxHosts: string[]; resolvers: string[]; firstSeen: string | null; lastSeen: string | null })[];
  resolvers: { ip: string; host: string | null; queries: number; failures: number; answers: Record<string, number>; likelyNoDnssec: boolean }[];
  stats: { files: { file: string; read: number; parsed: number; unknown: number; malformed: number }[]; total: { read: number; parsed: number; unknown: number; malformed: number } };
}

const SAMPLES = ["samples/"];

describe("report JSON", () => {
  let json: JsonReport;
  beforeAll(async () => {
    const r = await report(SAMPLES);
    expect(r.code).toBe(0);
    json = JSON.parse(r.text) as JsonReport;
  });

  it("validates against the schema (stats, domains[], resolvers[])", () => {
    expect(schemaErrors(json, REPORT_SCHEMA)).toEqual([]);
    expect(json.domains.length).toBeGreaterThan(0);
    expect(json.resolvers.length).toBeGreaterThan(0);
  });

  it("the schema checker rejects what it should", () => {
    const broken = structuredClone(json) as unknown as { domains: Record<string, unknown>[]; stats: { total: Record<string, unknown> }; resolvers: Record<string, unknown>[] };
    broken.domains[0]!["attempts"] = "1";
    delete broken.stats.total["read"];
    broken.resolvers[0]!["likelyNoDnssec"] = "no";
    broken.domains[1]!["extra"] = 1;
    const errors = schemaErrors(broken, REPORT_SCHEMA);
    expect(errors).toHaveLength(4);
    expect(errors.join("\n")).toMatch(/\$\.domains\[0\]\.attempts: count/);
    expect(errors.join("\n")).toMatch(/\$\.stats\.total\.read: required/);
  });

  it("counts add up: decisions per domain = attempts, domains sum to the totals, every line accounted once", () => {
    for (const d of json.domains) {
      expect(Object.values(d.decisions).reduce((a, b) => a + b, 0)).toBe(d.attempts);
      expect(Object.values(d.observed).reduce((a, b) => a + b, 0)).toBe(d.attempts);
      expect(Object.values(d.results).reduce((a, b) => a + b, 0)).toBe(d.attempts);
    }
    expect(json.totals.domains).toBe(json.domains.length);
    expect(json.domains.reduce((n, d) => n + d.attempts, 0)).toBe(json.totals.attempts);
    for (const f of json.stats.files) expect(f.read).toBe(f.parsed + f.unknown + f.malformed);
    expect(json.stats.total.read).toBe(json.stats.files.reduce((n, f) => n + f.read, 0));
    // 30 + 27 + 247 + 201 + 93 lines in samples/ (samples/README.md).
    expect(json.stats.total.read).toBe(30 + 27 + 247 + 201 + 93);
  });
});

describe("report CSV", () => {
  it("parses back (RFC 4180) to the same numbers as the JSON", async () => {
    const csv = await report(SAMPLES, { format: "csv" });
    const json = JSON.parse((await report(SAMPLES)).text) as JsonReport;
    expect(csv.text.endsWith("\r\n")).toBe(true);
    expect(csv.text.replace(/\r\n/g, "")).not.toContain("\n");
    const [head, ...rows] = parseCsv(csv.text);
    expect(head).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(json.domains.length);
    for (const row of rows) expect(row).toHaveLength(CSV_COLUMNS.length);
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    for (const [i, d] of json.domains.entries()) {
      const row = rows[i]!;
      const n = (name: (typeof CSV_COLUMNS)[number]) => Number(row[col(name)]);
      expect(row[col("domain")]).toBe(d.name);
      expect(n("attempts")).toBe(d.attempts);
      expect(n("dane_success")).toBe(d.decisions["dane-success"]);
      expect(n("tls_fallback")).toBe(d.decisions["tls-fallback"]);
      expect(n("dane_fail")).toBe(d.decisions["dane-fail"]);
      expect(n("undetermined")).toBe(d.decisions.undetermined);
      expect(n("outside_table")).toBe(d.decisions["outside-table"]);
      expect(n("not_applicable")).toBe(d.decisions["not-applicable"]);
      expect([n("missing_mx"), n("missing_a"), n("missing_tlsa"), n("missing_cert")]).toEqual([d.missing.mx, d.missing.a, d.missing.tlsa, d.missing.cert]);
      expect([n("bogus_mx"), n("bogus_a"), n("bogus_tlsa")]).toEqual([d.bogus.mx, d.bogus.a, d.bogus.tlsa]);
      expect(n("resolver_fallbacks")).toBe(d.resolverFallbacks);
      expect(n("mismatches")).toBe(d.mismatches);
      expect(n("cached")).toBe(d.cached);
      expect(n("observed_dane_success")).toBe(d.observed["dane-success"]);
      expect(n("delivered")).toBe(d.results.delivered);
      expect(row[col("mx_hosts")]).toBe(d.mxHosts.join(" "));
      expect(row[col("resolvers")]).toBe(d.resolvers.join(" "));
      expect(row[col("first_seen")]).toBe(d.firstSeen ?? "");
      expect(row[col("last_seen")]).toBe(d.lastSeen ?? "");
    }
  });

  it("the parser handles quotes, doubled quotes, commas and line breaks in fields", () => {
    expect(parseCsv('a,"b,c","say ""hi""","two\r\nlines"\r\n,x\r\n')).toEqual([
      ["a", "b,c", 'say "hi"', "two\r\nlines"],
      ["", "x"],
    ]);
  });
});

const RFC8460_KEYS = new Set([
  "organization-name", "date-range", "start-datetime", "end-datetime", "contact-info", "report-id", "policies", "policy", "policy-type", "policy-string",
  "policy-domain", "mx-host", "summary", "total-successful-session-count", "total-failure-session-count", "failure-details", "result-type", "sending-mta-ip",
  "receiving-mx-hostname", "receiving-mx-helo", "receiving-ip", "failed-session-count", "additional-information", "failure-reason-code",
]);
const RESULT_TYPES = new Set([
  "starttls-not-supported", "certificate-host-mismatch", "certificate-expired", "certificate-not-trusted", "validation-failure", "tlsa-invalid",
  "dnssec-invalid", "dane-required", "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid",
]);

function keysOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) keysOf(v, out);
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      keysOf(v, out);
    }
  }
  return out;
}

interface TlsRpt {
  "organization-name": string;
  "date-range": { "start-datetime": string; "end-datetime": string };
  "report-id": string;
  policies: { policy: { "policy-type": string; "policy-domain": string; "mx-host": string[] }; summary: Record<string, number>; "failure-details": { "result-type": string; "failed-session-count": number }[] }[];
}

/** A log over two UTC days: two domains each day, one with a Bogus MX on the second. */
function twoDayLog(): string {
  const b = new LogBuilder({ start: Date.UTC(2024, 2, 11, 22, 0, 0) });
  const day1 = Date.UTC(2024, 2, 11, 23, 50, 0);
  const day2 = Date.UTC(2024, 2, 12, 0, 10, 0);
  b.delivery({ domain: "a.example", mxHost: "mx.a.example", ip: "192.0.2.1", at: day1 });
  b.delivery({ domain: "b.example", mxHost: "mx.b.example", ip: "192.0.2.2", at: day1 + 60_000, mx: "insecure", a: "insecure", tlsa: "nodata" });
  b.delivery({ domain: "a.example", mxHost: "mx.a.example", ip: "192.0.2.1", at: day2 });
  b.delivery({ domain: "a.example", mxHost: "mx.a.example", ip: "192.0.2.1", at: day2 + 60_000 });
  b.delivery({ domain: "b.example", mxHost: "mx.b.example", ip: "192.0.2.2", at: day2 + 120_000, mx: "bogus" });
  return b.text();
}

describe("report TLS-RPT (RFC 8460)", () => {
  const check = (reports: TlsRpt[]) => {
    for (const r of reports) {
      for (const key of keysOf(r)) expect(RFC8460_KEYS, `key ${key}`).toContain(key);
      expect(r["date-range"]["start-datetime"]).toMatch(/^\d{4}-\d\d-\d\dT00:00:00Z$/);
      expect(r["date-range"]["end-datetime"]).toBe(`${r["date-range"]["start-datetime"].slice(0, 10)}T23:59:59Z`);
      for (const p of r.policies) {
        expect(["tlsa", "sts", "no-policy-found"]).toContain(p.policy["policy-type"]);
        const failures = p["failure-details"].reduce((n, f) => n + f["failed-session-count"], 0);
        expect(failures).toBe(p.summary["total-failure-session-count"]);
        for (const f of p["failure-details"]) expect(RESULT_TYPES, f["result-type"]).toContain(f["result-type"]);
      }
    }
    const days = reports.map((r) => `${r["date-range"]["start-datetime"].slice(0, 10)} ${r.policies.map((p) => p.policy["policy-domain"]).join(",")}`);
    expect(new Set(days).size).toBe(days.length);
    for (const r of reports) expect(r.policies).toHaveLength(1);
    expect(new Set(reports.map((r) => r["report-id"])).size).toBe(reports.length);
  };

  it("over samples/: only RFC 8460 keys and registered result types, one report per UTC day and domain", async () => {
    const r = await report(SAMPLES, { format: "tlsrpt" });
    const reports = r.text.trim().split("\n").map((l) => JSON.parse(l) as TlsRpt);
    expect(reports.length).toBeGreaterThan(0);
    check(reports);
    const bogus = reports.find((x) => x.policies[0]!.policy["policy-domain"] === "bogus-mx.example")!;
    expect(bogus.policies[0]!["failure-details"]).toEqual([expect.objectContaining({ "result-type": "dnssec-invalid", "failed-session-count": 1 })]);
    const daneOk = reports.find((x) => x.policies[0]!.policy["policy-domain"] === "dane-ok.example")!;
    expect(daneOk.policies[0]!.policy["policy-type"]).toBe("tlsa");
    expect(daneOk.policies[0]!.summary).toEqual({ "total-successful-session-count": 2, "total-failure-session-count": 0 });
  });

  it("splits at UTC midnight: one report per day and domain", async () => {
    const path = join(scratch, "two-days.log");
    writeFileSync(path, twoDayLog());
    const r = await report([path], { format: "tlsrpt", org: "example.com", contact: "mailto:tlsrpt@example.com" });
    const reports = r.text.trim().split("\n").map((l) => JSON.parse(l) as TlsRpt);
    check(reports);
    const index = reports.map((x) => `${x["date-range"]["start-datetime"].slice(0, 10)} ${x.policies[0]!.policy["policy-domain"]} ${x.policies[0]!.summary["total-successful-session-count"]}/${x.policies[0]!.summary["total-failure-session-count"]}`);
    expect(index).toEqual(["2024-03-11 a.example 1/0", "2024-03-11 b.example 1/0", "2024-03-12 a.example 2/0", "2024-03-12 b.example 0/1"]);
    expect(reports.every((x) => x["organization-name"] === "example.com")).toBe(true);
    expect(reports[3]!.policies[0]!["failure-details"][0]!["result-type"]).toBe("dnssec-invalid");
  });
});

describe("report Prometheus", () => {
  it("over samples/: valid text exposition format", async () => {
    const r = await report(SAMPLES, { format: "prometheus" });
    expect(prometheusErrors(r.text)).toEqual([]);
    const json = JSON.parse((await report(SAMPLES)).text) as JsonReport;
    const attempts = samplesOf(r.text, "esa_dane_attempts");
    expect(attempts).toHaveLength(json.domains.length);
    for (const d of json.domains) expect(attempts.find(([l]) => l["domain"] === d.name)?.[1]).toBe(d.attempts);
  });

  it("the validator catches what it should", () => {
    const bad = [
      "esa_x 1", // no HELP/TYPE
      "# HELP esa_y y",
      "# TYPE esa_y gauge",
      'esa_y{a="1"} 1',
      'esa_y{a="1"} 2', // duplicate
      'esa_y{a="x\u001b"} 1', // control character
      'esa_y{1a="x"} 1', // bad label name
      "esa_y 1 1700000000000", // timestamp
      "esa_y one", // not a number
      "# HELP esa_y again",
    ].join("\n");
    const errors = prometheusErrors(`${bad}\n`);
    expect(errors.join("\n")).toMatch(/line 1: esa_x has no HELP\/TYPE/);
    expect(errors.join("\n")).toMatch(/duplicate series/);
    expect(errors.join("\n")).toMatch(/control character/);
    expect(errors.join("\n")).toMatch(/bad label name 1a/);
    expect(errors.join("\n")).toMatch(/has a timestamp/);
    expect(errors.join("\n")).toMatch(/value one is not a number/);
    expect(errors.join("\n")).toMatch(/HELP for esa_y after its samples/);
  });
});

describe("report numbers equal the sums over the attempts (esa-dane deliveries)", () => {
  it("per domain, over samples/", async () => {
    const attempts: Attempt[] = [];
    await analyse(SAMPLES, { mode: "unknown", quietSeconds: 300, year: 2024 }, { attempt: (a) => attempts.push(a) });
    const json = JSON.parse((await report(SAMPLES)).text) as JsonReport;
    const domains = new Map<string, Attempt[]>();
    for (const a of attempts) {
      const key = a.record.domain ?? "(unknown domain)";
      domains.set(key, [...(domains.get(key) ?? []), a]);
    }
    expect(json.domains.map((d) => d.name).sort()).toEqual([...domains.keys()].sort());
    for (const d of json.domains) {
      const mine = domains.get(d.name)!;
      const count = (f: (a: Attempt) => boolean) => mine.filter(f).length;
      expect(d.attempts).toBe(mine.length);
      for (const decision of DECISION_KEYS) expect(d.decisions[decision], `${d.name} ${decision}`).toBe(count((a) => a.record.decision === decision));
      expect(d.bogus).toEqual({ mx: count((a) => a.record.evidence.mx === "bogus"), a: count((a) => a.record.evidence.a === "bogus"), tlsa: count((a) => a.record.evidence.tlsa === "bogus") });
      expect(d.resolverFallbacks).toBe(count((a) => a.record.flags.includes("resolver-fallback")));
      expect(d.mismatches).toBe(count((a) => a.record.flags.includes("mismatch")));
      expect(d.cached).toBe(count((a) => a.record.flags.includes("cached")));
      expect(d.observed["dane-success"]).toBe(count((a) => a.record.observed === "dane-success"));
      expect(d.mxHosts).toEqual([...new Set(mine.flatMap((a) => (a.record.mxHost === null ? [] : [a.record.mxHost])))].sort());
      expect([...d.resolvers].sort()).toEqual([...new Set(mine.flatMap((a) => a.record.resolvers))].sort());
      const starts = mine.map((a) => a.record.start).filter((s): s is string => s !== null).sort();
      expect(d.firstSeen).toBe(starts[0] ?? null);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Hostile log content.

const HOSTILE = ["\u001b[31mred.example", '=HYPERLINK("http://x")', "<script>alert(1)</script>", "pipe|bar.example"];

function hostileLog(): string {
  const b = new LogBuilder({ start: Date.UTC(2024, 2, 11, 8, 0, 0) });
  let t = Date.UTC(2024, 2, 11, 8, 1, 0);
  for (const name of HOSTILE) {
    b.delivery({ domain: name, mxHost: `mx.${name}`, ip: "192.0.2.9", at: t, response: `2.0.0 ${name} queued \u001b]8;;http://x\u0007link\u001b]8;;\u0007` });
    t += 60_000;
  }
  // The TLS `for` text and a Bogus MX for a hostile name.
  b.delivery({ domain: "plain.example", mxHost: "mx.plain.example", ip: "192.0.2.10", at: t, tlsFor: '=HYPERLINK("http://x")|<script>\u001b[31m' });
  t += 60_000;
  b.delivery({ domain: "=cmd|' /C calc'!A0", mxHost: "mx.evil.example", ip: "192.0.2.11", at: t, mx: "bogus" });
  t += 60_000;
  // NODATA and encache lines that name hostile text.
  b.lookup(t, "\u001b[2J<b>|=x.example", "TLSA", [], "nodata", "10.0.0.53");
  b.lookup(t, "=SUM(1+1)|<i>\u001b[31m.example", "MX", ["mx.\u001b[31m<u>|.example"], "secure", "10.0.0.53");
  return b.text();
}

describe("hostile log content comes out inert in every format", () => {
  let path: string;
  beforeAll(() => {
    path = join(scratch, "hostile.log");
    writeFileSync(path, hostileLog());
  });

  it("the hostile names do reach the report (else the test would prove nothing)", async () => {
    const json = JSON.parse((await report([path])).text) as JsonReport;
    const names = json.domains.map((d) => d.name);
    expect(names).toContain("\u001b[31mred.example");
    expect(names).toContain("<script>alert(1)</script>");
    expect(names).toContain("pipe|bar.example");
    expect(names.some((n) => n.startsWith("="))).toBe(true);
  });

  it("table: no raw ESC byte, no other control character", async () => {
    const { text } = await report([path], { format: "table" });
    expect(text).not.toContain("\u001b");
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain("\\x1b[31mred.example");
  });

  it("markdown: no ESC, `|` and `<` escaped, no raw HTML", async () => {
    const { text } = await report([path], { format: "markdown" });
    expect(text).not.toContain("\u001b");
    expect(text).not.toContain("<script>");
    expect(text).toContain("\\<script\\>");
    expect(text).toContain("pipe\\|bar.example");
    // Every row of each table keeps the column count of its header: no `|` from log text splits a cell.
    const pipes = (row: string) => row.replace(/\\\|/g, "").split("|").length;
    for (const table of text.split("\n\n").filter((block) => block.startsWith("| "))) {
      const [head, ...rows] = table.trim().split("\n");
      expect(rows.length).toBeGreaterThan(1);
      for (const row of rows) expect(pipes(row), row).toBe(pipes(head!));
    }
  });

  it("csv: no ESC, a cell starting with = (+ - @) gets a leading quote, and it parses back", async () => {
    const { text } = await report([path], { format: "csv" });
    expect(text).not.toContain("\u001b");
    const rows = parseCsv(text);
    for (const row of rows) {
      expect(row).toHaveLength(CSV_COLUMNS.length);
      for (const cell of row) expect(cell, cell).not.toMatch(/^[=+\-@]/);
    }
    const names = rows.slice(1).map((r) => r[0]);
    expect(names).toContain("'=hyperlink(\"http://x\")");
    expect(names).toContain("\\x1b[31mred.example");
    expect(names).toContain("pipe|bar.example");
  });

  it("prometheus: label values escaped, still valid", async () => {
    const { text } = await report([path], { format: "prometheus" });
    expect(text).not.toContain("\u001b");
    expect(prometheusErrors(text)).toEqual([]);
    const domains = samplesOf(text, "esa_dane_attempts").map(([l]) => l["domain"]);
    expect(domains).toContain('=hyperlink("http://x")');
    expect(domains).toContain("\\x1b[31mred.example");
  });

  it("json: valid JSON whose strings hold the text as data (ESC as \\u001b)", async () => {
    const { text } = await report([path]);
    expect(text).not.toContain("\u001b");
    expect(() => JSON.parse(text)).not.toThrow();
    expect(schemaErrors(JSON.parse(text), REPORT_SCHEMA)).toEqual([]);
  });

  it("tlsrpt: valid JSON lines, no raw ESC", async () => {
    const { text } = await report([path], { format: "tlsrpt" });
    expect(text).not.toContain("\u001b");
    for (const line of text.trim().split("\n")) expect(() => JSON.parse(line)).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// Filters.

/** Deliveries to five domains at 08:00, 09:00, 10:00, 11:00 (UTC), two MX hosts for c.example. */
function filterLog(): string {
  const b = new LogBuilder({ start: Date.UTC(2024, 2, 11, 7, 59, 0) });
  const names = ["a.example", "b.example", "c.example", "sub.a.example", "other.test"];
  for (let hour = 0; hour < 4; hour++) {
    names.forEach((domain, i) => {
      const mxHost = domain === "c.example" ? `mx${hour % 2}.c.example` : `mx.${domain}`;
      b.delivery({ domain, mxHost, ip: `192.0.2.${i + 1}`, at: Date.UTC(2024, 2, 11, 8 + hour, i, 0), ...(domain === "b.example" && hour === 3 ? { mx: "bogus" as const } : {}) });
    });
  }
  return b.text();
}

describe("report filters", () => {
  let path: string;
  beforeAll(() => {
    path = join(scratch, "filters.log");
    writeFileSync(path, filterLog());
  });
  const names = async (options: Partial<ReportArgs>) => (JSON.parse((await report([path], options)).text) as JsonReport).domains.map((d) => d.name).sort();

  it("--domain globs: * and ?, case-insensitive, repeatable", async () => {
    expect(await names({})).toEqual(["a.example", "b.example", "c.example", "other.test", "sub.a.example"]);
    expect(await names({ domain: ["*.example"] })).toEqual(["a.example", "b.example", "c.example", "sub.a.example"]);
    expect(await names({ domain: ["?.EXAMPLE"] })).toEqual(["a.example", "b.example", "c.example"]);
    expect(await names({ domain: ["*a.example", "other.*"] })).toEqual(["a.example", "other.test", "sub.a.example"]);
    expect(await names({ domain: ["a.example"] })).toEqual(["a.example"]);
    expect(await names({ domain: ["nothing"] })).toEqual([]);
  });

  it("--since/--until with ISO times: [since, until), UTC unless the time names a zone", async () => {
    const attemptsOf = async (options: Partial<ReportArgs>) => (JSON.parse((await report([path], options)).text) as JsonReport).totals.attempts;
    expect(await attemptsOf({})).toBe(20);
    expect(await attemptsOf({ since: "2024-03-11T09:00Z" })).toBe(15);
    expect(await attemptsOf({ since: "2024-03-11T09:00:00" })).toBe(15);
    expect(await attemptsOf({ until: "2024-03-11T09:00Z" })).toBe(5);
    expect(await attemptsOf({ since: "2024-03-11T09:00Z", until: "2024-03-11T11:00Z" })).toBe(10);
    // 10:00+01:00 is 09:00Z.
    expect(await attemptsOf({ since: "2024-03-11T10:00+01:00", until: "2024-03-11T10:00Z" })).toBe(5);
    expect(await attemptsOf({ since: "2024-03-12" })).toBe(0);
    // The bounds are of the attempt's start (its connection, 2 s after the delivery's first line): since inclusive, until exclusive.
    expect(await attemptsOf({ since: "2024-03-11T09:00:02Z" })).toBe(15);
    expect(await attemptsOf({ since: "2024-03-11T09:00:03Z" })).toBe(14);
    expect(await attemptsOf({ until: "2024-03-11T09:00:02Z" })).toBe(5);
    expect(await attemptsOf({ until: "2024-03-11T09:00:02.001Z" })).toBe(6);
  });

  it("parseTimeBound: relative forms are intervals before the end of the log; ISO forms; null for nonsense", () => {
    expect(parseTimeBound("30m")).toEqual({ beforeEndMs: 30 * 60_000 });
    expect(parseTimeBound("24h")).toEqual({ beforeEndMs: 24 * 3_600_000 });
    expect(parseTimeBound("7d")).toEqual({ beforeEndMs: 7 * 86_400_000 });
    expect(parseTimeBound("2w")).toEqual({ beforeEndMs: 14 * 86_400_000 });
    expect(parseTimeBound("90s")).toEqual({ beforeEndMs: 90_000 });
    expect(parseTimeBound("1.5h")).toEqual({ beforeEndMs: 5_400_000 });
    expect(parseTimeBound(" 2h ")).toEqual({ beforeEndMs: 7_200_000 });
    expect(parseTimeBound("2024-03-11T08:00Z")).toEqual({ absoluteMs: Date.UTC(2024, 2, 11, 8) });
    expect(parseTimeBound("2024-03-11T08:00")).toEqual({ absoluteMs: Date.UTC(2024, 2, 11, 8) });
    expect(parseTimeBound("2024-03-11 08:00")).toEqual({ absoluteMs: Date.UTC(2024, 2, 11, 8) });
    expect(parseTimeBound("2024-03-11T09:00+01:00")).toEqual({ absoluteMs: Date.UTC(2024, 2, 11, 8) });
    expect(parseTimeBound("2024-03-11")).toEqual({ absoluteMs: Date.UTC(2024, 2, 11) });
    for (const bad of ["yesterday", "5y", "-3h", "", "h"]) expect(parseTimeBound(bad), bad).toBeNull();
  });

  it("--since with a relative form counts back from the end of the log read, not from the clock", async () => {
    // A log of 2019: counted back from now, '4h' would find nothing in it.
    const end = Date.UTC(2019, 1, 4, 20, 0, 0);
    const b = new LogBuilder({ start: end - 3 * 3_600_000 });
    b.delivery({ domain: "old.example", mxHost: "mx.old.example", ip: "192.0.2.1", at: end - 3 * 3_600_000 + 1000 });
    b.delivery({ domain: "new.example", mxHost: "mx.new.example", ip: "192.0.2.2", at: end - 30 * 60_000 });
    const old = join(scratch, "old-2019.log");
    writeFileSync(old, b.text());
    const reportSince = async (since: string) => JSON.parse((await report([old], { since, year: undefined })).text) as JsonReport;
    expect((await reportSince("1h")).domains.map((d) => d.name)).toEqual(["new.example"]);
    expect((await reportSince("4h")).domains.map((d) => d.name).sort()).toEqual(["new.example", "old.example"]);
    // The saved report says which absolute time the relative bound came to.
    expect((await reportSince("1h")).filters.since).toMatch(/^2019-02-04T1[89]:/);
  });

  it("--by mx: one row per MX host, with the domains in place of MX hosts", async () => {
    const json = JSON.parse((await report([path], { by: "mx" })).text) as JsonReport;
    expect(json.by).toBe("mx");
    const by = new Map(json.domains.map((d) => [d.name, d]));
    expect(by.get("mx0.c.example")).toMatchObject({ attempts: 2, mxHosts: ["c.example"] });
    expect(by.get("mx1.c.example")).toMatchObject({ attempts: 2, mxHosts: ["c.example"] });
    // The Bogus MX attempt has no MX host.
    expect(by.get("(unknown MX host)")).toMatchObject({ attempts: 1, bogus: { mx: 1, a: 0, tlsa: 0 } });
    expect(json.domains.reduce((n, d) => n + d.attempts, 0)).toBe(20);
    const csv = parseCsv((await report([path], { by: "mx", format: "csv" })).text);
    expect(csv[0]![0]).toBe("mx_host");
    const prom = (await report([path], { by: "mx", format: "prometheus" })).text;
    expect(prometheusErrors(prom)).toEqual([]);
    expect(samplesOf(prom, "esa_dane_attempts").every(([l]) => "mx_host" in l && !("domain" in l))).toBe(true);
  });

  it("--top N: the table shows the N domains that need attention most, and says how many more", async () => {
    const { text } = await report([path], { format: "table", top: 2 });
    const rows = text.split("\n").filter((l) => /^│ \S+\.(example|test) /.test(l));
    expect(rows).toHaveLength(2);
    // b.example has the Bogus MX: it comes first.
    expect(rows[0]).toMatch(/^│ b\.example /);
    expect(text).toContain("(3 more; --top to show more)");
    const all = await report([path], { format: "table" });
    expect(all.text.split("\n").filter((l) => /^│ \S+\.(example|test) /.test(l))).toHaveLength(5);
    expect(all.text).not.toContain("more; --top");
  });

  it("--output that is a directory: a usage error (1) before any reading, and no temporary file", async () => {
    const dir = mkdtempSync(join(scratch, "output-"));
    const target = join(dir, "is-a-directory");
    mkdirSync(target);
    await expect(runReport({ inputs: [path], stats: "none", workers: 0, mode: "unknown", "close-after": 300, format: "json", by: "domain", domain: [], contact: "postmaster", output: target })).rejects.toMatchObject({ problem: { code: "E_USAGE" } });
    expect(readdirSync(dir)).toEqual(["is-a-directory"]);
    await expect(runReport({ inputs: [path], stats: "none", workers: 0, mode: "unknown", "close-after": 300, format: "json", by: "domain", domain: [], contact: "postmaster", output: join(dir, "missing", "x.json") })).rejects.toMatchObject({ problem: { code: "E_USAGE" } });
  });

  it("a rename that fails leaves no temporary file behind, and says why", async () => {
    const dir = mkdtempSync(join(scratch, "rename-"));
    const target = join(dir, "is-a-directory");
    mkdirSync(target);
    // Past the check: the write itself meets the directory (as when one appears in the meantime).
    expect(await writeAtomically(target, "text")).toMatch(/directory/);
    expect(readdirSync(dir)).toEqual(["is-a-directory"]);
    expect(await writeAtomically(join(dir, "ok.txt"), "text")).toBeNull();
    expect(readdirSync(dir).sort()).toEqual(["is-a-directory", "ok.txt"]);
  });

  it("--output: the file is written whole, and no temporary file is left beside it", async () => {
    const r = await report([path], { format: "csv" });
    expect(parseCsv(r.text)).toHaveLength(6);
    expect(readdirSync(scratch).filter((f) => f.includes(".tmp"))).toEqual([]);
  });
});

describe("in-process pipeline with the log builder", () => {
  it("the builder's deliveries come out with the classifications asked for", () => {
    const b = new LogBuilder({ start: Date.UTC(2024, 2, 11, 8, 0, 0) });
    b.delivery({ domain: "ok.example", mxHost: "mx.ok.example", ip: "192.0.2.1", at: Date.UTC(2024, 2, 11, 8, 1) });
    b.delivery({ domain: "fallback.example", mxHost: "mx.fallback.example", ip: "192.0.2.2", at: Date.UTC(2024, 2, 11, 8, 2), mx: "secure", a: "secure", tlsa: "nodata" });
    b.delivery({ domain: "bogus.example", mxHost: "mx.bogus.example", ip: "192.0.2.3", at: Date.UTC(2024, 2, 11, 8, 3), mx: "bogus", primaryFailure: "mx" });
    b.delivery({ domain: "bogus-a.example", mxHost: "mx.bogus-a.example", ip: "192.0.2.4", at: Date.UTC(2024, 2, 11, 8, 4), a: "bogus" });
    const attempts: Attempt[] = [];
    const analysis = new Analysis({ mode: "opportunistic" }, { attempt: (a) => attempts.push(a) });
    const stats = readText(b.text(), "built.log", {}, analysis.records);
    const resolvers = analysis.finish();
    expect(stats.malformed).toBe(0);
    const by = Object.fromEntries(attempts.map((a) => [a.record.domain, a.record]));
    expect(by["ok.example"]).toMatchObject({ evidence: { mx: "secure", a: "secure", tlsa: "secure", cert: "success" }, decision: "dane-success", observed: "dane-success", start: "2024-03-11T08:01:02Z" });
    expect(by["fallback.example"]).toMatchObject({ evidence: { mx: "secure", a: "secure", tlsa: "nxdomain" }, decision: "tls-fallback", row: "O4", observed: "tls" });
    expect(by["bogus.example"]).toMatchObject({ evidence: { mx: "bogus" }, decision: "dane-fail", observed: "no-connection", dcid: null, resolvers: ["10.0.1.53"] });
    expect(by["bogus.example"]!.flags).toEqual(expect.arrayContaining(["bogus", "resolver-fallback"]));
    expect(by["bogus-a.example"]).toMatchObject({ evidence: { mx: "secure", a: "bogus" }, decision: "dane-fail", row: "O7" });
    expect(resolvers.find((r) => r.ip === "10.0.1.53")).toMatchObject({ fallbacksTo: 1, answers: { bogus: 1 } });
  });
});
