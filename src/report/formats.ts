// The report in each format. Every string that comes from a log goes through an escaper of
// its format (src/output/escape.ts): log content is hostile input.
import Table from "cli-table3";
import { escapeCsv, escapeMarkdown, escapeTerminal } from "../output/escape.js";
import type { DomainReport, ReportData } from "./aggregate.js";
import { verdict } from "./verdict.js";

export interface TableOptions {
  top: number | null;
  color: boolean;
  width: number;
}

const ANSI = { red: "\u001b[31m", yellow: "\u001b[33m", green: "\u001b[32m", bold: "\u001b[1m", reset: "\u001b[0m" };

function paint(color: boolean, code: string, text: string): string {
  return color && text !== "0" && text !== "" ? `${code}${text}${ANSI.reset}` : text;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

function wrap(text: string, width: number): string {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line.length > 0 ? `${line} ${word}` : word;
  }
  if (line.length > 0) out.push(line);
  return out.join("\n");
}

function compact(): { style: { head: string[]; border: string[]; compact: boolean } } {
  return { style: { head: [], border: [], compact: true } };
}

export function renderTable(report: ReportData, options: TableOptions): string {
  const width = Math.max(60, options.width);
  const c = options.color;
  const parts: string[] = [];
  const title = report.by === "mx" ? "MX host" : "domain";
  parts.push(paint(c, ANSI.bold, `DANE report${report.from ? `, ${report.from} to ${report.to}` : ""}`));
  parts.push(verdict(report).map((s) => wrap(escapeTerminal(s), width)).join("\n"));
  const shown = options.top === null ? report.domains : report.domains.slice(0, options.top);
  const longest = Math.max(title.length, ...shown.map((d) => d.name.length));
  const nameWidth = Math.max(12, Math.min(longest, width - 95));
  const table = new Table({
    head: [title, "attempts", "DANE ok", "fallback", "DANE fail", "undeter.", "Bogus MX/A/TLSA", "res. fallback", "mismatch", report.by === "mx" ? "domains" : "MX hosts"],
    colAligns: ["left", "right", "right", "right", "right", "right", "center", "right", "right", "left"],
    ...compact(),
  });
  for (const d of shown) {
    const bogus = `${d.bogus.mx}/${d.bogus.a}/${d.bogus.tlsa}`;
    table.push([
      clip(escapeTerminal(d.name), nameWidth),
      d.attempts,
      paint(c, ANSI.green, String(d.decisions["dane-success"])),
      String(d.decisions["tls-fallback"]),
      paint(c, ANSI.red, String(d.decisions["dane-fail"])),
      paint(c, ANSI.yellow, String(d.decisions.undetermined)),
      bogus === "0/0/0" ? bogus : paint(c, ANSI.red, bogus),
      String(d.resolverFallbacks),
      paint(c, ANSI.yellow, String(d.mismatches)),
      clip(escapeTerminal(d.mxHosts.join(" ")), Math.max(16, width - nameWidth - 85)),
    ]);
  }
  parts.push(table.toString());
  if (shown.length < report.domains.length) parts.push(`(${report.domains.length - shown.length} more; --top to show more)`);
  if (report.resolvers.length > 0) {
    const resolvers = new Table({
      head: ["resolver", "appliance", "queries", "failures", "Secure", "Insecure", "Bogus", "fallbacks from/to", "DNSSEC"],
      colAligns: ["left", "left", "right", "right", "right", "right", "right", "center", "left"],
      ...compact(),
    });
    for (const r of report.resolvers) {
      resolvers.push([
        escapeTerminal(r.ip),
        escapeTerminal(r.host ?? "-"),
        r.queries,
        r.failures,
        r.answers.secure,
        r.answers.insecure,
        paint(c, ANSI.red, String(r.answers.bogus)),
        `${r.fallbacksFrom}/${r.fallbacksTo}`,
        r.likelyNoDnssec ? paint(c, ANSI.red, clip(`likely none: ${escapeTerminal(r.noDnssecReason ?? "")}`, Math.max(20, width - 90))) : "ok",
      ]);
    }
    parts.push(`Resolvers\n${resolvers.toString()}`);
  }
  const s = report.stats.total;
  parts.push(
    `Input: ${s.read} lines read = ${s.parsed} parsed + ${s.unknown} unknown (not DANE-related) + ${s.malformed} malformed${s.joined ? `; ${s.joined} wrapped lines joined` : ""}${s.truncated ? `; ${s.truncated} cut at 64 KiB` : ""}, in ${report.stats.files.length} file(s).`,
  );
  return `${parts.join("\n\n")}\n`;
}

/** The JSON contract: stats, domains, resolvers (section 3 of the reference), plus the verdict. */
export function renderJson(report: ReportData): string {
  const domains = report.domains.map(({ firstSeenMs: _f, lastSeenMs: _l, ...d }) => d);
  return `${JSON.stringify({ by: report.by, from: report.from, to: report.to, verdict: verdict(report), totals: report.totals, domains, resolvers: report.resolvers, stats: report.stats }, null, 2)}\n`;
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
  ];
}

/** RFC 4180: CRLF line ends, quoted fields where needed; formula-looking text made inert. */
export function renderCsv(report: ReportData): string {
  const head = report.by === "mx" ? ["mx_host", ...CSV_COLUMNS.slice(1)] : [...CSV_COLUMNS];
  const lines = [head.join(","), ...report.domains.map((d) => csvRow(d).map(escapeCsv).join(","))];
  return `${lines.join("\r\n")}\r\n`;
}

export function renderMarkdown(report: ReportData): string {
  const out: string[] = [];
  out.push(`# DANE report`);
  if (report.from) out.push(`\n${escapeMarkdown(report.from)} to ${escapeMarkdown(report.to ?? "")}`);
  out.push(`\n${verdict(report).map(escapeMarkdown).join("\n\n")}`);
  out.push(`\n## ${report.by === "mx" ? "MX hosts" : "Domains"}\n`);
  out.push("| name | attempts | DANE ok | fallback | DANE fail | undetermined | Bogus MX/A/TLSA | resolver fallbacks | mismatches | MX hosts |");
  out.push("| --- | ---: | ---: | ---: | ---: | ---: | :---: | ---: | ---: | --- |");
  for (const d of report.domains) {
    out.push(
      `| ${escapeMarkdown(d.name)} | ${d.attempts} | ${d.decisions["dane-success"]} | ${d.decisions["tls-fallback"]} | ${d.decisions["dane-fail"]} | ${d.decisions.undetermined} | ${d.bogus.mx}/${d.bogus.a}/${d.bogus.tlsa} | ${d.resolverFallbacks} | ${d.mismatches} | ${escapeMarkdown(d.mxHosts.join(" "))} |`,
    );
  }
  if (report.resolvers.length > 0) {
    out.push("\n## Resolvers\n");
    out.push("| resolver | appliance | queries | failures | Secure | Insecure | Bogus | fallbacks from/to | DNSSEC |");
    out.push("| --- | --- | ---: | ---: | ---: | ---: | ---: | :---: | --- |");
    for (const r of report.resolvers) {
      out.push(
        `| ${escapeMarkdown(r.ip)} | ${escapeMarkdown(r.host ?? "-")} | ${r.queries} | ${r.failures} | ${r.answers.secure} | ${r.answers.insecure} | ${r.answers.bogus} | ${r.fallbacksFrom}/${r.fallbacksTo} | ${r.likelyNoDnssec ? `likely none: ${escapeMarkdown(r.noDnssecReason ?? "")}` : "ok"} |`,
      );
    }
  }
  const s = report.stats.total;
  out.push(`\n## Input\n\n${s.read} lines read = ${s.parsed} parsed + ${s.unknown} unknown + ${s.malformed} malformed, in ${report.stats.files.length} file(s).\n`);
  return `${out.join("\n")}\n`;
}

/** Prometheus label value: control characters made visible, then backslash, quote and newline escaped. */
export function promLabel(value: string): string {
  return escapeTerminal(value).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** node_exporter textfile collector format: HELP/TYPE, no timestamps. */
export function renderPrometheus(report: ReportData): string {
  const out: string[] = [];
  const metric = (name: string, help: string, samples: [Record<string, string>, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of samples) {
      const text = Object.entries(labels).map(([k, v]) => `${k}="${promLabel(v)}"`).join(",");
      out.push(`${name}${text ? `{${text}}` : ""} ${value}`);
    }
  };
  const label = report.by === "mx" ? "mx_host" : "domain";
  metric("esa_dane_attempts", "Outbound delivery attempts in the log window.", report.domains.map((d) => [{ [label]: d.name }, d.attempts]));
  metric(
    "esa_dane_decisions",
    "Attempts by replayed DANE decision.",
    report.domains.flatMap((d) => Object.entries(d.decisions).filter(([, n]) => n > 0).map(([decision, n]) => [{ [label]: d.name, decision }, n] as [Record<string, string>, number])),
  );
  metric(
    "esa_dane_bogus",
    "Attempts with a Bogus DNSSEC classification, by record type.",
    report.domains.flatMap((d) => (["mx", "a", "tlsa"] as const).filter((k) => d.bogus[k] > 0).map((k) => [{ [label]: d.name, record: k.toUpperCase() }, d.bogus[k]] as [Record<string, string>, number])),
  );
  metric("esa_dane_resolver_fallbacks", "Attempts whose lookups were retried at another resolver after a failure.", report.domains.filter((d) => d.resolverFallbacks > 0).map((d) => [{ [label]: d.name }, d.resolverFallbacks]));
  metric("esa_dane_mismatches", "Attempts where the log contradicts the replayed decision.", report.domains.filter((d) => d.mismatches > 0).map((d) => [{ [label]: d.name }, d.mismatches]));
  const resolverLabels = (r: ReportData["resolvers"][number]) => ({ resolver: r.ip, appliance: r.host ?? "" });
  metric("esa_dane_resolver_queries", "DNS queries sent to each resolver.", report.resolvers.map((r) => [resolverLabels(r), r.queries]));
  metric("esa_dane_resolver_failures", "Failed queries per resolver.", report.resolvers.map((r) => [resolverLabels(r), r.failures]));
  metric(
    "esa_dane_resolver_answers",
    "Answers per resolver by DNSSEC status.",
    report.resolvers.flatMap((r) => (["secure", "insecure", "bogus"] as const).map((status) => [{ ...resolverLabels(r), status }, r.answers[status]] as [Record<string, string>, number])),
  );
  metric("esa_dane_resolver_likely_no_dnssec", "1 when the resolver looks unable to validate DNSSEC.", report.resolvers.map((r) => [resolverLabels(r), r.likelyNoDnssec ? 1 : 0]));
  const s = report.stats.total;
  metric("esa_dane_input_lines", "Input lines by how esa-dane read them.", [
    [{ state: "parsed" }, s.parsed],
    [{ state: "unknown" }, s.unknown],
    [{ state: "malformed" }, s.malformed],
  ]);
  return `${out.join("\n")}\n`;
}
