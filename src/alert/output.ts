// The monitoring-plugin output: first line `DANE BOGUS <STATE> - <summary> | <perfdata>`, then
// one line per alert event (and per problem); exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
// Also the JSON events (--format json) and the time line of buckets (--verbose).
import { escapeTerminal } from "../output/escape.js";
import type { Attribution } from "./attribution.js";
import type { AlertEvent, BogusDetector, EpisodeReport, Level, TimelineRow } from "./detector.js";
import type { LedgerVerdict } from "./ledger.js";
import type { AlertError } from "./errors.js";
import { jsonLine } from "../output/json.js";

export type PluginState = Level | "UNKNOWN";

export const EXIT_CODE: Record<PluginState, number> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

/** ISO 8601 in UTC, to the minute when the seconds are zero (bucket starts). */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(":00.000Z", "Z").replace(".000Z", "Z");
}

/** Log text on the plugin's lines: no control characters, and no `|`, which starts the performance data. */
function safe(text: string): string {
  return escapeTerminal(text).replaceAll("|", "\\x7c");
}

function domainsText(alert: Attribution, max = 5): string {
  const names = alert.domains.slice(0, max).map((d) => `${safe(d.domain)} (${Object.entries(d.records).map(([type, n]) => `${type} ${n}`).join(", ")})`);
  const more = alert.domainCount - names.length;
  return more > 0 ? `${names.join(", ")} and ${more} more` : names.join(", ");
}

function windowText(sinceMs: number, untilMs: number | null): string {
  return untilMs === null ? `since ${isoTime(sinceMs)}` : `${isoTime(sinceMs)} to ${isoTime(untilMs)}`;
}

/** One alert in words: which kind, what, its window (and `status`), the numbers, and why. */
export function describeAlert(alert: Attribution & { sinceMs: number }, untilMs: number | null = null, status = ""): string {
  const when = `${windowText(alert.sinceMs, untilMs)}${status}`;
  if (alert.kind === "resolver-wide") {
    return `resolver-wide Bogus burst ${when}: ${alert.bogus} new Bogus answers for ${alert.domainCount} domains: ${safe(alert.reason)}`;
  }
  return `domain-specific Bogus DNSSEC for ${domainsText(alert)} ${when}: ${safe(alert.reason)}`;
}

/** One alert event as a line: when, what happened, and the alert. */
export function eventLine(event: AlertEvent): string {
  const open = event.provisional ? " (bucket still open)" : "";
  return `${isoTime(event.atMs)} ${event.event} ${event.level} ${event.kind}${open}: ${describeAlert(event, event.event === "clear" ? event.atMs : null)}`;
}

/** One episode: kind, window and whether it is still active, the numbers and the cause; `withLevel` for the lines after the first. */
export function episodeLine(episode: EpisodeReport, withLevel = true): string {
  const status = ` (${episode.untilMs === null ? "active" : "cleared"}${episode.provisional ? ", bucket still open" : ""})`;
  return `${withLevel ? `${episode.level} ` : ""}${describeAlert(episode, episode.untilMs, status)}`;
}

/** The standing condition: chronic records, grouped by domain, with the attribution of their Bogus answers in this run. */
export function standingText(verdict: Pick<LedgerVerdict, "standing" | "chronic">, max = 5): string | null {
  if (verdict.chronic.length === 0) return null;
  const byDomain = new Map<string, { types: Set<string>; since: number }>();
  for (const r of verdict.chronic) {
    const name = `${r.host !== null && new Set(verdict.chronic.map((c) => c.host)).size > 1 ? `${r.host}: ` : ""}${r.domain}`;
    const entry = byDomain.get(name) ?? { types: new Set<string>(), since: r.bogusSince };
    entry.types.add(r.qtype);
    entry.since = Math.min(entry.since, r.bogusSince);
    byDomain.set(name, entry);
  }
  const listed = [...byDomain].slice(0, max).map(([name, e]) => `${safe(name)} (${[...e.types].join(", ")} since ${isoTime(e.since)})`);
  const more = byDomain.size > max ? ` and ${byDomain.size - max} more` : "";
  const why = verdict.standing !== null ? `: ${safe(verdict.standing.reason)}` : "";
  return `standing: ${byDomain.size} domain(s) chronically Bogus, not alerted on: ${listed.join(", ")}${more}${why}`;
}

export function problemLine(problem: AlertError): string {
  return `error ${problem.code}${problem.input !== undefined ? ` ${safe(problem.input)}` : ""}: ${safe(problem.message)}`;
}

export interface PluginReport {
  state: PluginState;
  problems: readonly AlertError[];
  linesRead: number;
  /** Print the other episodes after the first line (not when --follow printed events as they came). */
  withEvents: boolean;
}

/**
 * The state of a run: UNKNOWN if an input could not be read (or the feed is dead), else the
 * worst alert that fired or was active in the lines this run read (an alert that fired and
 * cleared between two cron runs is still reported once, by the run that read it).
 */
export function pluginState(detector: BogusDetector, problems: readonly AlertError[]): PluginState {
  return problems.length > 0 ? "UNKNOWN" : detector.worst;
}

/**
 * The plugin output. The first line (what a monitoring system shows) is the worst episode among
 * the lines read, active or cleared: its level, kind, cause and window; then the standing
 * condition; the other episodes follow, one a line, then the problems.
 */
export function pluginOutput(detector: BogusDetector, report: PluginReport): string {
  const o = detector.options;
  const fired = detector.events.filter((e) => e.event !== "clear");
  const episodes = detector.episodes();
  const worst = episodes[0];
  const standing = standingText(detector.ledger.verdict());
  let summary: string;
  if (worst !== undefined) summary = episodeLine(worst, false);
  else summary = `no Bogus spike in ${detector.timeline.reduce((n, row) => n + Math.max(1, row.quiet), 0)} buckets of ${o.bucketMs / 60_000} min (${report.linesRead} lines)`;
  if (standing !== null) summary += `; ${standing}`;
  if (report.state === "UNKNOWN") {
    const problems = report.problems.map((p) => `${p.input !== undefined ? `${safe(p.input)}: ` : ""}${safe(p.message)}`).join("; ");
    summary = detector.worst === "OK" && worst === undefined ? problems : `${problems}; and in what was read: ${summary}`;
  }
  const last = detector.lastClosed;
  const maxBogus = detector.timeline.reduce((m, row) => (row.provisional ? m : Math.max(m, row.bogus)), 0);
  const perfdata = [
    `bogus=${last?.bogus ?? 0};${o.warning};${o.critical};0`,
    `chronic=${last?.chronic ?? 0};;;0`,
    `domains=${last === null ? 0 : Object.values(last.hosts).reduce((n, t) => n + Object.keys(t.domains).length, 0)};;;0`,
    `bogus_max=${maxBogus};${o.warning};${o.critical};0`,
    // Without a bucket closed in this run (a --state run with no new lines), the carried baseline.
    `baseline=${(last?.baseline ?? detector.baselineNow).toFixed(2)};;;0`,
    `alerts=${fired.length};;;0`,
  ].join(" ");
  const lines = [`DANE BOGUS ${report.state} - ${summary} | ${perfdata}`];
  if (report.withEvents) for (const episode of episodes.slice(1)) lines.push(episodeLine(episode));
  for (const problem of report.problems) lines.push(problemLine(problem));
  return `${lines.join("\n")}\n`;
}

/** One alert event as a JSON object (--format json), times as ISO 8601 as well as numbers. */
export function alertJson(event: AlertEvent): string {
  const { event: happened, level, kind, atMs, sinceMs, ...rest } = event;
  return jsonLine({ event: happened, level, kind, at: isoTime(atMs), since: isoTime(sinceMs), atMs, sinceMs, ...rest });
}

export function problemJson(problem: AlertError): string {
  return jsonLine({ event: "error", ...problem });
}

/** The time line of buckets (--verbose): quiet stretches collapsed into one row. */
export function timelineText(rows: readonly TimelineRow[]): string {
  const out = ["bucket               bogus chronic domains baseline level"];
  let quiet = 0;
  const flushQuiet = () => {
    if (quiet > 0) out.push(`  (${quiet} bucket(s) without Bogus)`);
    quiet = 0;
  };
  for (const row of rows) {
    if (row.bogus === 0 && row.chronic === 0 && row.level === "OK" && !row.provisional) {
      quiet += Math.max(1, row.quiet);
      continue;
    }
    flushQuiet();
    const open = row.provisional ? " (open)" : "";
    out.push(`${isoTime(row.startMs).padEnd(20)} ${String(row.bogus).padStart(5)} ${String(row.chronic).padStart(7)} ${String(row.domains).padStart(7)} ${row.baseline.toFixed(2).padStart(8)} ${row.level}${open}`);
  }
  flushQuiet();
  return `${out.join("\n")}\n`;
}
