// `esa-dane report --format html` without a browser: the page's embedded data over samples/
// (golden), the policy that keeps it self-contained, the alert episodes (the same as `alert`
// finds), hostile log text, the attempt cap and a null domain. The browser test is
// report-html.browser.test.ts.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Attempt, AttemptFacts } from "../src/correlate/types.js";
import { sourceOf } from "../src/correlate/sources.js";
import { AttemptSamples, ATTEMPTS_PER_ROW, lineRanges, pageData, ROWS_PER_PAGE, type PageData, type PageLimits } from "../src/report/html-data.js";
import { ReportBuilder, sharedHostRow, UNKNOWN_DOMAIN } from "../src/report/aggregate.js";
import { MAX_BARS, TimelineBuilder } from "../src/report/timeline.js";
import { timelineSvg } from "../src/report/html-chart.js";
import { renderHtml } from "../src/report/html.js";
import { escapeHtml } from "../src/output/escape.js";
import { runCli } from "./helpers/cli.js";
import { embeddedJson, inlineBlocks } from "./helpers/html.js";
import { outageScenario } from "./helpers/log-builder.js";
import { at, connection, dns, log } from "./helpers/logtext.js";

const scratch = mkdtempSync(join(tmpdir(), "esa-dane-html-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** JSON with one line per element of each top-level array (a domain row, a row's attempts): diffs stay readable. */
function goldenText(data: Record<string, unknown>): string {
  const lines = Object.entries(data).map(([key, value]) =>
    Array.isArray(value) && value.length > 0 ? `${JSON.stringify(key)}: [\n${value.map((v) => `  ${JSON.stringify(v)}`).join(",\n")}\n]` : `${JSON.stringify(key)}: ${JSON.stringify(value)}`,
  );
  return `{\n${lines.join(",\n")}\n}\n`;
}

const html = (...args: string[]) => runCli(["report", ...args, "--format", "html", "--stats", "none"]);
const samplesPage = html("samples/", "--year", "2024");

describe("report --format html over samples/", () => {
  it("exits 0 with a page on stdout; on stderr only the zone warnings of the samples (--stats none: no accounting)", () => {
    expect(samplesPage.status).toBe(0);
    // samples/ mixes files with a 'Time offset from UTC' header and files without: the CLI warns for each of the latter.
    const zoneWarning = /^esa-dane report: warning: samples\/[^:]+: \d+ lines have no known time zone /;
    const stderrLines = samplesPage.stderr.split("\n").filter((line) => line !== "");
    expect(stderrLines.length).toBeGreaterThan(0);
    for (const line of stderrLines) expect(line).toMatch(zoneWarning);
    // Without --stats none the accounting goes to stderr as for every format; the page is the same.
    const withStats = runCli(["report", "samples/", "--year", "2024", "--format", "html"]);
    expect(withStats.stdout).toBe(samplesPage.stdout);
    expect(withStats.stderr).toMatch(/│ \(total\) +│ +598 │ +446 │ +152 │ +0 │/);
    expect(samplesPage.stdout).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
  });

  it("embeds the data its script draws from (golden)", async () => {
    await expect(goldenText(embeddedJson(samplesPage.stdout) as Record<string, unknown>)).toMatchFileSnapshot("golden/report/samples.html-data.json");
  });

  it("carries the same verdict as the terminal report, and the line accounting", () => {
    const data = embeddedJson(samplesPage.stdout) as PageData;
    const json = JSON.parse(runCli(["report", "samples/", "--year", "2024", "--format", "json", "--stats", "none"]).stdout) as { verdict: string[] };
    expect(data.verdict).toEqual(json.verdict);
    for (const sentence of json.verdict) expect(samplesPage.stdout).toContain(escapeHtml(sentence));
    expect(samplesPage.stdout).toContain("598 lines read = 446 parsed + 152 unknown (not DANE-related) + 0 malformed, in 5 input(s).");
  });

  it("loads nothing from anywhere: a CSP that forbids every source but its own style and script, by hash", () => {
    const page = samplesPage.stdout;
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1];
    expect(csp).toBeDefined();
    expect(csp).toContain("default-src 'none'");
    const { styles, scripts } = inlineBlocks(page);
    expect(styles).toHaveLength(1);
    expect(scripts).toHaveLength(1);
    const hash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
    expect(csp).toContain(`script-src ${hash(scripts[0]!)};`);
    expect(csp).toContain(`style-src ${hash(styles[0]!)};`);
    // No attribute that could fetch anything; the one URL is the SVG namespace, which is a name, not a fetch.
    expect(page).not.toMatch(/\s(src|href|srcset|action|poster|data)=/i);
    expect(page.match(/https?:\/\/[^\s"'<]*/g)).toEqual(["http://www.w3.org/2000/svg"]);
  });

  it("draws the time line: one path per series with data, a hover target per bucket", () => {
    const page = samplesPage.stdout;
    const data = embeddedJson(page) as PageData;
    expect(data.timeline.buckets.length).toBeGreaterThan(0);
    expect(page).toContain('<svg id="timeline-chart"');
    expect(page.match(/<rect class="hover"/g)).toHaveLength(data.timeline.buckets.length);
    // samples: one Bogus MX answer (bogus-mx.example), drawn in the Bogus panel.
    expect(page).toContain('data-series="bogus-mx"');
    const bogusMx = data.timeline.columns.indexOf("bogus-mx");
    expect(data.timeline.buckets.reduce((n, b) => n + b[bogusMx]!, 0)).toBe(1);
  });

  it("--bucket sets the buckets; a bad one is a usage error (exit 1)", () => {
    const hourly = embeddedJson(html("samples/", "--year", "2024", "--bucket", "1h").stdout) as PageData;
    expect(hourly.timeline.bucketMs).toBe(3_600_000);
    for (const b of hourly.timeline.buckets) expect(b[0]! % 3_600_000).toBe(0);
    const bad = html("samples/", "--bucket", "5 minutes");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("--bucket: expected a duration");
    expect(bad.stdout).toBe("");
  });

  it("--by mx: one row per MX host, and the table says so", () => {
    const result = html("samples/", "--year", "2024", "--by", "mx");
    expect(result.status).toBe(0);
    const data = embeddedJson(result.stdout) as PageData;
    expect(data.by).toBe("mx");
    expect(data.domains.map((d) => d[0])).toContain("mail.dane-ok.example");
    expect(result.stdout).toContain('<th data-key="name"><button type="button">MX host</button></th>');
    expect(result.stdout).toContain("<h2>MX hosts</h2>");
  });

  it("--output writes the same page to a file", () => {
    const file = join(scratch, "report.html");
    const result = html("samples/", "--year", "2024", "--output", file);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    expect(readFileSync(file, "utf8")).toBe(samplesPage.stdout);
  });
});

describe("alert episodes in the page are the ones `esa-dane alert` raises", () => {
  const file = join(scratch, "outage.log");
  writeFileSync(file, outageScenario().text);
  const page = html(file).stdout;
  const data = embeddedJson(page) as PageData;
  const events = runCli(["alert", file, "--format", "json"])
    .stdout.trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { event: string; level: string; kind: string; since: string; at: string; sinceMs: number; atMs: number });

  // What `esa-dane alert` says of its worst episode: the plugin's status line, between the state and the perfdata.
  const statusLine = runCli(["alert", file, "--stats", "none"]).stdout.split("\n")[0]!;
  const alertSays = /^DANE BOGUS CRITICAL - (.*) \| bogus=/.exec(statusLine)?.[1];

  it("one resolver-wide CRITICAL episode, from the alert's fire to its clear, in the alert's words", () => {
    const fire = events.find((e) => e.event === "fire")!;
    const clear = events.find((e) => e.event === "clear")!;
    expect(fire).toMatchObject({ level: "CRITICAL", kind: "resolver-wide" });
    expect(alertSays).toMatch(/^resolver-wide Bogus burst 2024-03-11T10:00Z to 2024-03-11T10:20Z \(cleared\): 100 new Bogus answers for 30 domains: /);
    expect(data.episodes).toEqual([{ from: new Date(fire.sinceMs).toISOString(), to: new Date(clear.atMs).toISOString(), level: "CRITICAL", kind: "resolver-wide", open: false, text: alertSays }]);
  });

  it("is shaded in the chart with the verdict on hover, and listed under it", () => {
    expect(page).toMatch(/<rect class="episode ep-critical"/);
    expect(page).toMatch(/<rect class="episode-strip ep-critical"[^>]*><title>CRITICAL resolver-wide: resolver-wide Bogus burst 2024-03-11T10:00Z to/);
    expect(page).toContain(`<title>CRITICAL resolver-wide: ${escapeHtml(alertSays!)}</title>`);
    expect(page).toContain(`<ul class="episodes" id="episodes"><li class="ep-text-critical"><b>CRITICAL</b> resolver-wide, 2024-03-11 10:00 to 2024-03-11 10:25 UTC: ${escapeHtml(alertSays!)}</li></ul>`);
  });

  it("--bucket applies to the episodes too (as alert --bucket does)", () => {
    const page10 = embeddedJson(html(file, "--bucket", "10m").stdout) as PageData;
    const fires = runCli(["alert", file, "--format", "json", "--bucket", "10m"]).stdout.trim().split("\n").map((l) => JSON.parse(l) as { event: string; sinceMs: number }).filter((e) => e.event === "fire");
    expect(fires.length).toBeGreaterThan(0);
    expect(page10.episodes.map((e) => e.from)).toEqual(fires.map((e) => new Date(e.sinceMs).toISOString()));
    expect(page10.timeline.bucketMs).toBe(600_000);
  });
});

describe("a log of more domains than the page holds", () => {
  // ROWS_PER_PAGE + 3 domains, one delivery each, all fine: the last 3 in report order (by name) are left out.
  const count = ROWS_PER_PAGE + 3;
  const parts = Array.from({ length: count }, (_, i) => {
    const domain = `d${String(i).padStart(5, "0")}.example`;
    const ip = `192.0.${2 + Math.floor(i / 250)}.${1 + (i % 250)}`;
    return [...dns(i, domain, `mx.${domain}`, ip, { mx: "secure", a: "secure", tlsa: "secure" }), ...connection(i + 3, 10_000 + i, 20_000 + i, ip, domain, `a@${domain}`)];
  });
  const file = join(scratch, "many-domains.log");
  writeFileSync(file, log(...parts));
  const result = html(file);
  const data = embeddedJson(result.stdout) as PageData;

  it("embeds ROWS_PER_PAGE rows and says how many more there are, and where to find them", () => {
    expect(result.status).toBe(0);
    expect(data.totals.rows).toBe(count);
    expect(data.domains.length).toBe(ROWS_PER_PAGE);
    expect(data.attempts.length).toBe(ROWS_PER_PAGE);
    expect(data.domains[ROWS_PER_PAGE - 1]![0]).toBe(`d${String(ROWS_PER_PAGE - 1).padStart(5, "0")}.example`);
    expect(result.stdout).toContain('<p id="domains-omitted">3 more domains not shown in this page (none of them with a problem;');
  });
});

describe("a log of many days", () => {
  // Three days, a delivery every 5 minutes: 864 buckets with data, drawn as 432 bars of 10 minutes.
  const parts = Array.from({ length: 864 }, (_, i) => {
    const domain = `d${i % 20}.example`;
    const ip = `192.0.2.${1 + (i % 20)}`;
    return [...dns(i * 300, domain, `mx.${domain}`, ip, { mx: "secure", a: "secure", tlsa: "secure" }), ...connection(i * 300 + 3, 10_000 + i, 20_000 + i, ip, domain, `a@${domain}`)];
  });
  const file = join(scratch, "three-days.log");
  writeFileSync(file, log(...parts));
  const result = html(file);
  const data = embeddedJson(result.stdout) as PageData;

  it("is drawn in bars of several buckets, and the page says so", () => {
    expect(result.status).toBe(0);
    expect(data.timeline.bucketMs).toBe(300_000);
    expect(data.timeline.barMs).toBe(600_000);
    expect(data.timeline.buckets).toHaveLength(432);
    expect(result.stdout).toContain("Buckets of 5 minutes, drawn as bars of 10 minutes (more than 600 buckets have data); hover a bar for its numbers.");
    expect(result.stdout.match(/<rect class="hover"/g)).toHaveLength(432);
  });
});

describe("hostile log text in the page", () => {
  // Quotes, markup, a script end tag, control characters and a bidi override in a DNS name.
  const evil = `<script>alert(1)</script>"x'\u0001\u001b[31m</script><!--\u202e<img src=x onerror=alert(2)>.example`;
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
  const file = join(scratch, "evil <u>'name'.log");
  writeFileSync(file, text);
  const page = html(file).stdout;

  it("reaches the page's data (else the test proves nothing)", () => {
    const data = embeddedJson(page) as PageData;
    const names = data.domains.map((d) => d[0]);
    expect(names).toContain(`<script>alert(1)</script>"x'\\x01\\x1b[31m</script><!--\\u202e<img src=x onerror=alert(2)>.example`);
  });

  it("is text everywhere: no markup, no control character, no second script", () => {
    expect(page).not.toContain("<script>alert");
    expect(page).not.toContain("<img");
    expect(page).not.toContain("<u>");
    expect(page).not.toContain("<!--");
    expect(page).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(page.match(/<script/g)).toHaveLength(2);
    expect(page.match(/<\/script>/g)).toHaveLength(2);
    // In the HTML part (the verdict names the domain; the inputs table names the file).
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&quot;x&#39;\\x01\\x1b[31m");
    expect(page).toContain("evil &lt;u&gt;&#39;name&#39;.log");
  });
});

describe("the page's data, unit by unit", () => {
  const facts = (over: Partial<AttemptFacts>): AttemptFacts => ({
    host: null,
    dcid: null,
    mids: [],
    domain: "a.example",
    domainCandidates: [],
    mxHost: "mx.a.example",
    ip: "192.0.2.1",
    evidence: { mx: "secure", a: "secure", tlsa: "secure", cert: "success" },
    mode: "opportunistic",
    decisionByMode: { mandatory: "dane-success", opportunistic: "dane-success" },
    decision: "dane-success",
    row: "O1",
    observed: "dane-success",
    flags: ["dane-success"],
    resolvers: ["10.0.0.53"],
    ...over,
  });
  const sources = [sourceOf({ file: "f.log", line: 1 }), sourceOf({ file: "f.log", line: 2 }), sourceOf({ file: "f.log", line: 3 }), sourceOf({ file: "g.log", line: 9 })];
  const attempt = (startMs: number, over: Partial<AttemptFacts> = {}): Attempt => ({
    record: facts(over),
    startMs,
    endMs: startMs,
    utcKnown: true,
    sources,
    missing: { mandatory: [], opportunistic: [] },
    bogus: { mx: false, a: false, tlsa: false },
    result: "delivered",
    fallbacks: 0,
    recipients: [],
    sendingIp: null,
  });
  const assemble = (attempts: Attempt[], limits?: PageLimits) => {
    const builder = new ReportBuilder("domain");
    const samples = new AttemptSamples("domain");
    const timelineBuilder = new TimelineBuilder(300_000);
    for (const a of attempts) {
      builder.add(a);
      samples.add(a);
      timelineBuilder.addAttempt(a);
    }
    const report = builder.finish([], []);
    const timeline = timelineBuilder.finish();
    const data = pageData(report, timeline, samples, limits);
    return { data, page: () => renderHtml(report, data, timeline) };
  };
  const build = (attempts: Attempt[], limits?: PageLimits) => assemble(attempts, limits).data;

  it("a row shows its newest attempts, newest first, capped, with the count of all", () => {
    const t0 = Date.UTC(2024, 2, 11, 8);
    // Out of order, as attempts close.
    const times = Array.from({ length: 25 }, (_, i) => t0 + ((i * 7) % 25) * 60_000);
    const data = build(times.map((t) => attempt(t)));
    const { total, shown } = data.attempts[0]!;
    expect(total).toBe(25);
    expect(shown).toHaveLength(ATTEMPTS_PER_ROW);
    const start = data.attemptColumns.indexOf("start");
    // As the deliveries contract writes times: to the second, `Z` when the zone is known.
    expect(shown.map((a) => a[start])).toEqual(Array.from({ length: ATTEMPTS_PER_ROW }, (_, i) => `2024-03-11T08:${String(24 - i).padStart(2, "0")}:00Z`));
  });

  it("an attempt whose domain the log cannot tell (shared MX host) lands in the report's row for that host, with its candidates", () => {
    const ambiguous = attempt(Date.UTC(2024, 2, 11, 8), { domain: null, domainCandidates: ["a.example", "b.example"] });
    const data = build([ambiguous]);
    const report = new ReportBuilder("domain");
    report.add(ambiguous);
    // The page's rows are the report's rows, by the same key.
    expect(data.domains.map((d) => d[0])).toEqual(report.finish([], []).domains.map((d) => d.name));
    expect(data.domains[0]![0]).toBe(sharedHostRow("mx.a.example"));
    expect(data.domains[0]![0]).toBe("(one of the domains of mx.a.example)");
    expect(data.attempts[0]!.total).toBe(1);
    const shown = data.attempts[0]!.shown[0]!;
    expect(shown[data.attemptColumns.indexOf("domain-candidates")]).toEqual(["a.example", "b.example"]);
    // No domain and no candidate (the MX host was never seen in the cache): the unknown row, no candidates.
    const unknown = build([attempt(0, { domain: null })]);
    expect(unknown.domains[0]![0]).toBe(UNKNOWN_DOMAIN);
    expect(unknown.attempts[0]!.shown[0]![data.attemptColumns.indexOf("domain-candidates")]).toEqual([]);
  });

  it("rows past the page's cap are left out, problem rows kept first, and the page says how many and where they all are", () => {
    const t0 = Date.UTC(2024, 2, 11, 8);
    const fine = Array.from({ length: 10 }, (_, i) => attempt(t0 + i, { domain: `ok${i}.example` }));
    const failing = attempt(t0, { domain: "fail.example", decision: "dane-fail", decisionByMode: { mandatory: "dane-fail", opportunistic: "dane-fail" }, flags: ["dane-fail"] });
    const { data, page } = assemble([...fine, failing], { rows: 4, attempts: 100 });
    expect(data.domains).toHaveLength(4);
    expect(data.attempts).toHaveLength(4);
    expect(data.totals.rows).toBe(11);
    expect(data.domains[0]![0]).toBe("fail.example");
    expect(page()).toContain('<p id="domains-omitted">7 more domains not shown in this page (none of them with a problem; the filters above do not search them): <code>esa-dane report --format json</code> lists every row.</p>');
    // A problem row past the cap is counted as one.
    const tight = assemble([...fine, failing], { rows: 0, attempts: 100 });
    expect(tight.data.domains).toHaveLength(0);
    expect(tight.page()).toContain("11 more domains not shown in this page (1 of them with problems;");
    expect(assemble([...fine, failing], { rows: 10, attempts: 100 }).page()).toContain("1 more domain not shown in this page (it has no problem; the filters above do not search it)");
    // Under the cap: every row, and no such line.
    expect(assemble(fine).page()).not.toContain("domains-omitted");
  });

  it("a long log is drawn in at most MAX_BARS bars, each a whole number of buckets, with every count kept", () => {
    const t0 = Date.UTC(2024, 2, 1);
    // Ten days of 5-minute buckets: 2880 buckets, drawn as 480 bars of 30 minutes.
    const days = Array.from({ length: 2880 }, (_, i) => attempt(t0 + i * 300_000));
    const { timeline } = build(days);
    expect(timeline.bucketMs).toBe(300_000);
    expect(timeline.barMs).toBe(1_800_000);
    expect(timeline.buckets.length).toBeLessThanOrEqual(MAX_BARS);
    const ok = timeline.columns.indexOf("dane-success");
    expect(timeline.buckets.reduce((n, b) => n + b[ok]!, 0)).toBe(2880);
    for (const bar of timeline.buckets) expect(bar[0]! % 1_800_000).toBe(0);
    // The chart has a hover target per bar, not per bucket.
    const timelineBuilder = new TimelineBuilder(300_000);
    for (const a of days) timelineBuilder.addAttempt(a);
    expect(timelineSvg(timelineBuilder.finish()).match(/<rect class="hover"/g)).toHaveLength(480);
    // Up to MAX_BARS buckets: one bar per bucket.
    const short = build(days.slice(0, MAX_BARS)).timeline;
    expect(short.barMs).toBe(300_000);
    expect(short.buckets).toHaveLength(MAX_BARS);
  });

  it("the source files are listed in reading order, whichever attempt closed first", () => {
    const late = { ...attempt(Date.UTC(2024, 2, 11, 9)), sources: [sourceOf({ file: "g.log", line: 2 })] };
    const early = { ...attempt(Date.UTC(2024, 2, 11, 8), { domain: "b.example" }), sources: [sourceOf({ file: "f.log", line: 5 })] };
    // g.log's attempt closes first; f.log is read before g.log (its lines were registered first above).
    expect(build([late, early]).sourceFiles).toEqual(["f.log", "g.log"]);
  });

  it("source lines are given as ranges of consecutive lines, in reading order, at most 6 and the count of the rest", () => {
    const f = (line: number) => sourceOf({ file: "f.log", line });
    const g = (line: number) => sourceOf({ file: "g.log", line });
    // Unsorted and repeated, as an attempt collects them; f.log is read before g.log.
    expect(lineRanges([g(9), f(2), f(1), f(3), f(2), f(4), g(10), f(7)])).toEqual({ ranges: [[f(1), f(4)], [f(7), f(7)], [g(9), g(10)]], more: 0 });
    expect(lineRanges(Array.from({ length: 10 }, (_, i) => f(i * 2)))).toEqual({ ranges: [0, 2, 4, 6, 8, 10].map((n) => [f(n), f(n)]), more: 4 });
    expect(lineRanges([])).toEqual({ ranges: [], more: 0 });
  });

  it("an attempt's source ranges name their files and lines in the page's data", () => {
    const spread = { ...attempt(Date.UTC(2024, 2, 11, 8)), sources: [sourceOf({ file: "g.log", line: 9 }), sourceOf({ file: "c:\\logs\\x.log", line: 7 }), sourceOf({ file: "f.log", line: 2 }), sourceOf({ file: "f.log", line: 1 })] };
    const data = build([spread]);
    const source = data.attempts[0]!.shown[0]![data.attemptColumns.indexOf("source")] as number[][];
    expect(source.map(([file, from, to]) => `${data.sourceFiles[file!]}:${from}-${to}`)).toEqual(["f.log:1-2", "g.log:9-9", "c:\\logs\\x.log:7-7"]);
  });
});
