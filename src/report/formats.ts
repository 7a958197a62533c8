// The report in each format. Every string that comes from a log goes through an escaper of its
// format (src/output/escape.ts): log content is hostile input.
import { escapeCsv, escapeMarkdown, escapePrometheusHelp, escapePrometheusLabel, escapeTerminal } from "../output/escape.js";
import type { FileStats } from "../input/accounting.js";
import type { ResolverStats } from "../correlate/types.js";
import type { DomainReport, ReportData } from "./aggregate.js";
import { fitTable, wrap, type Column } from "./layout.js";
import { verdict } from "./verdict.js";
import { jsonDocument } from "../output/json.js";

export interface TableOptions {
  /** Show only the first N rows (the ones that need attention most). */
  top: number | null;
  color: boolean;
  /** Columns available; every line of the table format stays within it. */
  width: number;
}

/** Narrowest layout drawn: below it the essential columns cannot fit anyway. */
const MIN_WIDTH = 40;

const ANSI = { red: "\u001b[31m", yellow: "\u001b[33m", green: "\u001b[32m", bold: "\u001b[1m", reset: "\u001b[0m" };

function painter(color: boolean, code: string, quiet: (text: string) => boolean = (t) => t === "0" || t === ""): (text: string) => string {
  return (text) => (color && !quiet(text) ? `${code}${text}${ANSI.reset}` : text);
}

function timeRange(report: ReportData): string {
  return report.from === null ? "" : `, ${report.from} to ${report.to ?? "?"}`;
}

function filterText(report: ReportData): string {
  const f = report.filters;
  const parts = [f.since !== null ? `since ${f.since}` : null, f.until !== null ? `until ${f.until}` : null, f.domains.length > 0 ? `domain ${f.domains.join(" ")}` : null].filter((p): p is string => p !== null);
  return parts.length > 0 ? ` (attempts ${parts.join(", ")})` : "";
}

/** One row of the domain table (terminal and Markdown), log text escaped by `escape`. */
function domainCells(d: DomainReport, escape: (text: string) => string): string[] {
  return [
    escape(d.name),
    String(d.attempts),
    String(d.decisions["dane-success"]),
    String(d.decisions["tls-fallback"]),
    String(d.decisions["dane-fail"]),
    String(d.decisions.undetermined),
    bogusCell(d),
    String(d.resolverFallbacks),
    String(d.mismatches),
    escape(otherNames(d)),
  ];
}

/** One row of the resolver table (terminal and Markdown); the appliance column only when wanted. */
function resolverCells(r: ResolverStats, escape: (text: string) => string, withAppliance: boolean): string[] {
  return [
    escape(r.ip),
    ...(withAppliance ? [escape(r.host ?? "-")] : []),
    String(r.queries),
    String(r.failures),
    String(r.answers.secure),
    String(r.answers.insecure),
    String(r.answers.bogus),
    `${r.fallbacksFrom}/${r.fallbacksTo}`,
    r.likelyNoDnssec ? `likely none: ${escape(r.noDnssecReason ?? "")}` : "ok",
  ];
}

function bogusCell(d: DomainReport): string {
  return `${d.bogus.mx}/${d.bogus.a}/${d.bogus.tlsa}`;
}

function otherNames(d: DomainReport): string {
  return d.mxHosts.join(" ") + (d.mxHostsCapped ? " …" : "");
}

function shownRows(report: ReportData, top: number | null): { rows: DomainReport[]; more: number } {
  const rows = top === null ? report.domains : report.domains.slice(0, top);
  return { rows, more: report.domains.length - rows.length };
}

function accountingSentence(report: ReportData): string {
  const s = report.stats.total;
  const extras = [
    s.joined > 0 ? `${s.joined} wrapped lines joined onto the record before them` : null,
    s.truncated > 0 ? `${s.truncated} cut at 64 KiB` : null,
    s.invalidUtf8 > 0 ? `${s.invalidUtf8} with bytes that are not UTF-8` : null,
    s.nulBytes > 0 ? `${s.nulBytes} with NUL bytes` : null,
  ].filter((p): p is string => p !== null);
  const failed = report.stats.files.filter((f) => f.error !== null).length;
  return `${s.read} lines read = ${s.parsed} parsed + ${s.unknown} unknown (not DANE-related) + ${s.malformed} malformed${extras.length > 0 ? `; ${extras.join("; ")}` : ""}, in ${report.stats.files.length} input(s)${failed > 0 ? `; ${failed} could not be read to the end` : ""}.`;
}

/** The per-input accounting as rows: per file, then the total when there are several. */
function accountingRows(report: ReportData): FileStats[] {
  return report.stats.files.length > 1 ? [...report.stats.files, report.stats.total] : report.stats.files;
}

export function renderTable(report: ReportData, options: TableOptions): string {
  const width = Math.max(MIN_WIDTH, Math.floor(options.width));
  const c = options.color;
  const parts: string[] = [];
  parts.push(painter(c, ANSI.bold)(wrap(escapeTerminal(`DANE report${timeRange(report)}${filterText(report)}`), width)));
  parts.push(verdict(report).map((s) => wrap(escapeTerminal(s), width)).join("\n"));

  const { rows, more } = shownRows(report, options.top);
  if (rows.length > 0) {
    const columns: Column[] = [
      { head: report.by === "mx" ? "MX host" : "domain", align: "left", keep: Infinity, flex: { min: 12, cut: "start" } },
      { head: "attempts", align: "right", keep: 100 },
      { head: "DANE\nok", align: "right", keep: 80, paint: painter(c, ANSI.green) },
      { head: "TLS\nfallback", align: "right", keep: 50 },
      { head: "DANE\nfail", align: "right", keep: 95, paint: painter(c, ANSI.red) },
      { head: "undeter-\nmined", align: "right", keep: 70, paint: painter(c, ANSI.yellow) },
      { head: "Bogus\nMX/A/TLSA", align: "center", keep: 90, paint: painter(c, ANSI.red, (t) => /^[0/]*$/.test(t)) },
      { head: "resolver\nfallback", align: "right", keep: 40 },
      { head: "mis-\nmatch", align: "right", keep: 60, paint: painter(c, ANSI.yellow) },
      { head: report.by === "mx" ? "domains" : "MX hosts", align: "left", keep: 10, flex: { min: 12, cut: "end" } },
    ];
    const cells = rows.map((d) => domainCells(d, escapeTerminal));
    const table = fitTable(columns, cells, width);
    const notes = [
      more > 0 ? `(${more} more; --top to show more)` : null,
      table.omitted.length > 0 ? `(left out for lack of width: ${table.omitted.join(", ")}; --format markdown or json has every column)` : null,
    ].filter((n): n is string => n !== null);
    parts.push([table.text, ...notes.map((n) => wrap(n, width))].join("\n"));
  }

  if (report.resolvers.length > 0) {
    const anyHost = report.resolvers.some((r) => r.host !== null);
    const columns: Column[] = [
      { head: "resolver", align: "left", keep: Infinity, flex: { min: 15, cut: "end" } },
      ...(anyHost ? [{ head: "appliance", align: "left", keep: 78, flex: { min: 9, cut: "end" } } as Column] : []),
      { head: "queries", align: "right", keep: 90 },
      { head: "failures", align: "right", keep: 80 },
      { head: "Secure", align: "right", keep: 70 },
      { head: "Insecure", align: "right", keep: 60 },
      { head: "Bogus", align: "right", keep: 85, paint: painter(c, ANSI.red) },
      { head: "fallbacks\nfrom/to", align: "center", keep: 50 },
      { head: "DNSSEC", align: "left", keep: 75, flex: { min: 11, cut: "end" }, paint: painter(c, ANSI.red, (t) => t === "ok") },
    ];
    const cells = report.resolvers.map((r) => resolverCells(r, escapeTerminal, anyHost));
    const table = fitTable(columns, cells, width);
    parts.push([painter(c, ANSI.bold)("Resolvers"), table.text, ...(table.omitted.length > 0 ? [wrap(`(left out for lack of width: ${table.omitted.join(", ")})`, width)] : [])].join("\n"));
  }

  return `${parts.join("\n\n")}\n`;
}

/**
 * The JSON contract: `stats`, `domains[]`, `resolvers[]` (section 3 of the reference), with the
 * verdict, the time range of the data, the filters and the totals. No clock time, so the same
 * input gives the same bytes.
 */
export function renderJson(report: ReportData): string {
  const { by, from, to, filters, totals, domains, resolvers, stats } = report;
  return jsonDocument({ by, from, to, filters, verdict: verdict(report), totals, domains, resolvers, stats });
}

export const CSV_COLUMNS = [
  "domain",
  "attempts",
  "dane_success",
  "tls_fallback",
  "dane_fail",
  "undetermined",
  "outside_table",
  "not_applicable",
  "missing_mx",
  "missing_a",
  "missing_tlsa",
  "missing_cert",
  "bogus_mx",
  "bogus_a",
  "bogus_tlsa",
  "resolver_fallbacks",
  "mismatches",
  "cached",
  "observed_dane_success",
  "delivered",
  "mx_hosts",
  "resolvers",
  "first_seen",
  "last_seen",
  // Added after the first release: appended so that scripts reading columns by position keep working.
  "problems",
  "undetermined_mode_only",
  "bogus_attempts",
  "bogus_after_fallback",
  "bogus_resolvers",
  "no_dns_evidence",
  "delayed",
  "bounced",
] as const;

function csvRow(d: DomainReport): (string | number | null)[] {
  return [
    d.name,
    d.attempts,
    d.decisions["dane-success"],
    d.decisions["tls-fallback"],
    d.decisions["dane-fail"],
    d.decisions.undetermined,
    d.decisions["outside-table"],
    d.decisions["not-applicable"],
    d.missing.mx,
    d.missing.a,
    d.missing.tlsa,
    d.missing.cert,
    d.bogus.mx,
    d.bogus.a,
    d.bogus.tlsa,
    d.resolverFallbacks,
    d.mismatches,
    d.cached,
    d.observed["dane-success"],
    d.results.delivered,
    d.mxHosts.join(" "),
    d.resolvers.join(" "),
    d.firstSeen,
    d.lastSeen,
    d.problems.join(" "),
    d.undeterminedModeOnly,
    d.bogusAttempts,
    d.bogusAfterFallback,
    d.bogusResolvers.join(" "),
    d.noDnsEvidence,
    d.results.delayed,
    d.results.bounced,
  ];
}

/** RFC 4180: CRLF line ends, quoted fields where needed; formula-looking text made inert. */
export function renderCsv(report: ReportData): string {
  const head = report.by === "mx" ? ["mx_host", ...CSV_COLUMNS.slice(1)] : [...CSV_COLUMNS];
  const lines = [head.join(","), ...report.domains.map((d) => csvRow(d).map(escapeCsv).join(","))];
  return `${lines.join("\r\n")}\r\n`;
}

function markdownTable(head: string[], align: ("l" | "r" | "c")[], rows: string[][]): string {
  const rule = align.map((a) => (a === "r" ? "---:" : a === "c" ? ":---:" : "---"));
  return [head, rule, ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

export function renderMarkdown(report: ReportData, options: { top: number | null } = { top: null }): string {
  const md = escapeMarkdown;
  const out: string[] = [];
  out.push(`# DANE report`);
  if (report.from !== null || report.filters.since !== null || report.filters.until !== null || report.filters.domains.length > 0) {
    out.push(md(`${report.from !== null ? `${report.from} to ${report.to ?? "?"}` : "No attempts"}${filterText(report)}`));
  }
  out.push(verdict(report).map(md).join("\n\n"));
  const { rows, more } = shownRows(report, options.top);
  if (rows.length > 0) {
    out.push(`## ${report.by === "mx" ? "MX hosts" : "Domains"}`);
    const table = markdownTable(
      [report.by === "mx" ? "MX host" : "domain", "attempts", "DANE ok", "fallback", "DANE fail", "undetermined", "Bogus MX/A/TLSA", "resolver fallbacks", "mismatches", report.by === "mx" ? "domains" : "MX hosts"],
      ["l", "r", "r", "r", "r", "r", "c", "r", "r", "l"],
      rows.map((d) => domainCells(d, md)),
    );
    out.push(more > 0 ? `${table}\n\n${more} more (--top to show more).` : table);
  }
  if (report.resolvers.length > 0) {
    out.push("## Resolvers");
    out.push(
      markdownTable(
        ["resolver", "appliance", "queries", "failures", "Secure", "Insecure", "Bogus", "fallbacks from/to", "DNSSEC"],
        ["l", "l", "r", "r", "r", "r", "r", "c", "l"],
        report.resolvers.map((r) => resolverCells(r, md, true)),
      ),
    );
  }
  out.push("## Input");
  out.push(
    markdownTable(
      ["input", "read", "parsed", "unknown", "malformed", "error"],
      ["l", "r", "r", "r", "r", "l"],
      accountingRows(report).map((f) => [md(f.file), String(f.read), String(f.parsed), String(f.unknown), String(f.malformed), md(f.error ?? "")]),
    ),
  );
  out.push(md(accountingSentence(report)));
  return `${out.join("\n\n")}\n`;
}

type Sample = [Record<string, string>, number];

/** node_exporter textfile collector format: HELP and TYPE before each metric's samples, no timestamps. */
export function renderPrometheus(report: ReportData): string {
  const out: string[] = [];
  // Every metric is a gauge: the counts are of the log window read (files rotate away, --since
  // slides), so they can go down, which a counter must not.
  const metric = (name: string, help: string, samples: Sample[]) => {
    out.push(`# HELP ${name} ${escapePrometheusHelp(help)}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of samples) {
      const text = Object.entries(labels)
        .map(([k, v]) => `${k}="${escapePrometheusLabel(v)}"`)
        .join(",");
      out.push(`${name}${text ? `{${text}}` : ""} ${value}`);
    }
  };
  const label = report.by === "mx" ? "mx_host" : "domain";
  const perRow = (pick: (d: DomainReport) => number): Sample[] => report.domains.filter((d) => pick(d) > 0).map((d) => [{ [label]: d.name }, pick(d)]);
  metric("esa_dane_attempts", "Outbound delivery attempts in the log window.", report.domains.map((d) => [{ [label]: d.name }, d.attempts]));
  metric(
    "esa_dane_decisions",
    "Attempts by replayed DANE decision.",
    report.domains.flatMap((d) => Object.entries(d.decisions).filter(([, n]) => n > 0).map(([decision, n]): Sample => [{ [label]: d.name, decision }, n])),
  );
  metric(
    "esa_dane_undetermined_missing",
    "Undetermined attempts by the policy input the log did not show.",
    report.domains.flatMap((d) => (["mx", "a", "tlsa", "cert"] as const).filter((k) => d.missing[k] > 0).map((k): Sample => [{ [label]: d.name, input: k }, d.missing[k]])),
  );
  metric(
    "esa_dane_bogus",
    "Attempts with a Bogus DNSSEC classification, by record type.",
    report.domains.flatMap((d) => (["mx", "a", "tlsa"] as const).filter((k) => d.bogus[k] > 0).map((k): Sample => [{ [label]: d.name, record: k.toUpperCase() }, d.bogus[k]])),
  );
  metric("esa_dane_resolver_fallbacks", "Attempts whose lookups were retried at another resolver after a failure.", perRow((d) => d.resolverFallbacks));
  metric("esa_dane_mismatches", "Attempts where the log contradicts the replayed decision.", perRow((d) => d.mismatches));
  metric("esa_dane_observed_dane_success", "TLS sessions the log shows as DANE-verified (TLS success ... for <domain>).", perRow((d) => d.observed["dane-success"]));
  metric(
    "esa_dane_last_seen_timestamp_seconds",
    "Unix time of the last attempt seen (only where the log's UTC offset is known).",
    report.domains.filter((d) => d.lastSeen !== null && /(?:Z|[+-]\d\d:\d\d)$/.test(d.lastSeen)).map((d): Sample => [{ [label]: d.name }, Math.round(Date.parse(d.lastSeen!) / 1000)]),
  );
  const resolverLabels = (r: ReportData["resolvers"][number]) => ({ resolver: r.ip, appliance: r.host ?? "" });
  metric("esa_dane_resolver_queries", "DNS queries sent to each resolver.", report.resolvers.map((r) => [resolverLabels(r), r.queries]));
  metric("esa_dane_resolver_failures", "Failed queries per resolver.", report.resolvers.map((r) => [resolverLabels(r), r.failures]));
  metric(
    "esa_dane_resolver_answers",
    "Answers per resolver by DNSSEC status.",
    report.resolvers.flatMap((r) => (["secure", "insecure", "bogus"] as const).map((status): Sample => [{ ...resolverLabels(r), status }, r.answers[status]])),
  );
  metric(
    "esa_dane_resolver_fallback_queries",
    "Queries retried at another resolver after a failure: direction from (failed here) or to (answered here).",
    report.resolvers.flatMap((r): Sample[] => [
      [{ ...resolverLabels(r), direction: "from" }, r.fallbacksFrom],
      [{ ...resolverLabels(r), direction: "to" }, r.fallbacksTo],
    ]),
  );
  metric("esa_dane_resolver_likely_no_dnssec", "1 when the resolver looks unable to validate DNSSEC.", report.resolvers.map((r) => [resolverLabels(r), r.likelyNoDnssec ? 1 : 0]));
  const s = report.stats.total;
  metric("esa_dane_input_lines", "Input lines by how esa-dane read them (read = parsed + unknown + malformed).", [
    [{ state: "parsed" }, s.parsed],
    [{ state: "unknown" }, s.unknown],
    [{ state: "malformed" }, s.malformed],
  ]);
  metric("esa_dane_input_errors", "Inputs that could not be read to their end.", [[{}, report.stats.files.filter((f) => f.error !== null).length]]);
  return `${out.join("\n")}\n`;
}
