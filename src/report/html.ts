// `report --format html`: one self-contained page. The top (verdict, time span, inputs), the time
// line and the resolvers are HTML written here; the domains table is built in the browser from
// the page's JSON (sorting, filtering, opening a domain). Nothing is loaded from anywhere: the
// Content-Security-Policy forbids every source, and allows the one style sheet and the one script
// by their SHA-256. Pure: data in, text out.
import { createHash } from "node:crypto";
import { escapeHtml, escapeJsonForHtml } from "../output/escape.js";
import { PROBLEMS, type ReportData } from "./aggregate.js";
import { accountingSentence, filterText } from "./formats.js";
import { PAGE_SCRIPT, PAGE_STYLE } from "./html-assets.js";
import { legendHtml, minuteText, timelineSvg } from "./html-chart.js";
import type { PageData } from "./html-data.js";
import { MAX_BARS, type Timeline } from "./timeline.js";

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/** The policy: no source of anything but the page's own style and script; no base, form or frame. */
export function contentSecurityPolicy(): string {
  return `default-src 'none'; script-src ${sha256(PAGE_SCRIPT)}; style-src ${sha256(PAGE_STYLE)}; img-src 'none'; font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'`;
}

const h = escapeHtml;

function duration(ms: number): string {
  const minutes = Math.round(ms / 60000);
  if (minutes < 120) return `${minutes} min`;
  const hours = ms / 3600000;
  return hours < 48 ? `${Math.round(hours * 10) / 10} h` : `${Math.round((hours / 24) * 10) / 10} days`;
}

function spanText(report: ReportData): string {
  if (report.from === null) return `No attempt with a time${h(filterText(report))}.`;
  const from = Date.parse(report.from.endsWith("Z") || /[+-]\d\d:\d\d$/.test(report.from) ? report.from : `${report.from}Z`);
  const to = report.to === null ? NaN : Date.parse(report.to.endsWith("Z") || /[+-]\d\d:\d\d$/.test(report.to) ? report.to : `${report.to}Z`);
  const length = Number.isFinite(from) && Number.isFinite(to) ? ` (${duration(to - from)})` : "";
  return `${h(report.from)} to ${h(report.to ?? "?")}${length}${h(filterText(report))}`;
}

function inputsTable(report: ReportData): string {
  const files = report.stats.files.length > 1 ? [...report.stats.files, report.stats.total] : report.stats.files;
  const rows = files.map(
    (f) =>
      `<tr><td class="name">${h(f.file)}</td><td class="n">${f.read}</td><td class="n">${f.parsed}</td><td class="n">${f.unknown}</td><td class="n">${f.malformed}</td><td class="n">${f.joined}</td><td${f.error !== null ? ' class="bad"' : ""}>${h(f.error ?? "")}</td></tr>`,
  );
  return `<table id="inputs"><thead><tr><th>input</th><th class="n">read</th><th class="n">parsed</th><th class="n">unknown</th><th class="n">malformed</th><th class="n">joined</th><th>error</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function resolversTable(report: ReportData): string {
  if (report.resolvers.length === 0) return `<p class="muted">No resolver named in the log.</p>`;
  const rows = report.resolvers.map(
    (r) =>
      `<tr><td class="name">${h(r.ip)}</td><td>${h(r.host ?? "-")}</td><td class="n">${r.queries}</td><td class="n">${r.failures}</td><td class="n">${r.answers.secure}</td><td class="n">${r.answers.insecure}</td><td class="n${r.answers.bogus > 0 ? " bad" : ""}">${r.answers.bogus}</td><td class="n">${r.fallbacksFrom}</td><td class="n">${r.fallbacksTo}</td><td${r.likelyNoDnssec ? ' class="bad"' : ""}>${r.likelyNoDnssec ? `looks unable to do DNSSEC: ${h(r.noDnssecReason ?? "")}` : "ok"}</td></tr>`,
  );
  return `<table id="resolvers-table"><thead><tr><th>resolver</th><th>appliance</th><th class="n">queries</th><th class="n">failures</th><th class="n">Secure</th><th class="n">Insecure</th><th class="n">Bogus</th><th class="n">fallbacks from</th><th class="n">fallbacks to</th><th>DNSSEC</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function episodesList(timeline: Timeline): string {
  if (timeline.episodes.length === 0) return `<p class="muted" id="episodes">No Bogus alert episode (the thresholds of <code>esa-dane alert</code>).</p>`;
  const items = timeline.episodes.map(
    (e) => `<li class="ep-text-${e.level.toLowerCase()}"><b>${e.level}</b> ${e.kind}, ${minuteText(e.fromMs)} to ${e.open ? "the end of the log" : minuteText(e.toMs)} UTC: ${h(e.text)}</li>`,
  );
  return `<ul class="episodes" id="episodes">${items.join("")}</ul>`;
}

/** How a long log is drawn: in bars of several buckets each (see MAX_BARS); empty when a bar is a bucket. */
function barsText(timeline: Timeline): string {
  if (timeline.barMs === timeline.bucketMs) return "";
  const minutes = timeline.barMs / 60000;
  const width = minutes % 1440 === 0 ? `${minutes / 1440} day(s)` : minutes % 60 === 0 ? `${minutes / 60} hour(s)` : `${minutes} minutes`;
  return `, drawn as bars of ${width} (more than ${MAX_BARS} buckets have data)`;
}

/** Header cells of the domains table; `data-key` names the column the script sorts by. */
function domainsHead(by: ReportData["by"]): string {
  const columns: [string, string, boolean][] = [
    ["name", by === "mx" ? "MX host" : "domain", false],
    ["problems", "problems", false],
    ["attempts", "attempts", true],
    ["dane-success", "DANE ok", true],
    ["tls-fallback", "TLS fallback", true],
    ["dane-fail", "DANE fail", true],
    ["undetermined", "undetermined", true],
    ["bogus", "Bogus MX/A/TLSA", true],
    ["resolver-fallbacks", "resolver fallbacks", true],
    ["mismatches", "mismatches", true],
    ["mx-hosts", by === "mx" ? "domains" : "MX hosts", false],
    ["last-seen", "last seen", false],
  ];
  return `<tr>${columns.map(([key, label, numeric]) => `<th data-key="${key}"${numeric ? ' class="n"' : ""}><button type="button">${label}</button></th>`).join("")}</tr>`;
}

/** The rows the page leaves out (the last ones in report order), said under the table; empty when none. */
function omittedRows(report: ReportData, data: PageData): string {
  const left = report.domains.slice(data.domains.length);
  if (left.length === 0) return "";
  const noun = report.by === "mx" ? (left.length === 1 ? "MX host" : "MX hosts") : left.length === 1 ? "domain" : "domains";
  const withProblems = left.filter((d) => d.problems.length > 0).length;
  const which =
    left.length === 1
      ? `${withProblems === 0 ? "it has no problem" : "it has problems"}; the filters above do not search it`
      : `${withProblems === 0 ? "none of them with a problem" : `${withProblems} of them with problems`}; the filters above do not search them`;
  return `<p id="domains-omitted">${left.length} more ${noun} not shown in this page (${which}): <code>esa-dane report --format json</code> lists every row.</p>\n`;
}

export function renderHtml(report: ReportData, data: PageData, timeline: Timeline): string {
  const noun = report.by === "mx" ? "MX hosts" : "Domains";
  const attention = report.domains.some((d) => d.problems.length > 0);
  const svg = timelineSvg(timeline);
  const untimed = timeline.untimedAttempts > 0 ? ` ${timeline.untimedAttempts} attempt(s) without a time are counted in the tables but not drawn.` : "";
  const problemOptions = PROBLEMS.map((p) => `<option value="${p}">${p}</option>`).join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy()}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>DANE report${report.from !== null ? ` ${h(report.from)} to ${h(report.to ?? "?")}` : ""}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
<h1>DANE report</h1>
<p class="span" id="span">${spanText(report)}</p>
<div class="verdict${attention ? "" : " ok"}" id="verdict">${data.verdict.map((s) => `<p>${h(s)}</p>`).join("")}</div>
${inputsTable(report)}
<p class="muted" id="accounting">${h(accountingSentence(report))}</p>
</header>
<section id="timeline">
<h2>Time line</h2>
<p class="muted">Buckets of ${timeline.bucketMs / 60000} minutes${barsText(timeline)}; hover a ${timeline.barMs === timeline.bucketMs ? "bucket" : "bar"} for its numbers. Alert episodes are those <code>esa-dane alert --bucket ${timeline.bucketMs / 60000}m</code> raises on the same lookups.${untimed}</p>
${svg === "" ? `<p class="muted">Nothing to draw: no attempt or lookup with a time.</p>` : `${svg}\n${legendHtml()}`}
${episodesList(timeline)}
</section>
<section id="domains">
<h2>${noun}</h2>
<div class="controls"><label>name <input id="filter-name" type="search" placeholder="filter by name" autocomplete="off"></label>
<label>problem <select id="filter-problem"><option value="">all rows</option><option value="any">any problem</option><option value="none">no problem</option>${problemOptions}</select></label>
<span id="domains-shown" class="muted"></span><span class="muted">Click a row for its MX hosts and attempts; click a header to sort.</span></div>
<table id="domains-table"><thead>${domainsHead(report.by)}</thead><tbody></tbody></table>
<p><button type="button" id="domains-more" hidden>show more</button></p>
${omittedRows(report, data)}<noscript><p>The ${noun.toLowerCase()} table is drawn by the page's script; <code>esa-dane report --format markdown</code> gives it without one.</p></noscript>
</section>
<section id="resolvers">
<h2>Resolvers</h2>
${resolversTable(report)}
</section>
<script type="application/json" id="report-data">${escapeJsonForHtml(JSON.stringify(data))}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
