// The monitoring-plugin output: first line `DANE BOGUS <STATE> - <summary> | <perfdata>`, then
// one line per alert event (and per problem); exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
// Also the JSON events (--format json) and the time line of buckets (--verbose).
import { escapeTerminal } from "../output/escape.js";
import type { Attribution } from "./attribution.js";
import type { AlertEvent, BogusDetector, Level, TimelineRow } from "./detector.js";
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

/** One alert in words: what, since when, the numbers, and why that kind. */
export function describeAlert(alert: Attribution & { sinceMs: number }, untilMs: number | null = null): string {
  const when = `${isoTime(alert.sinceMs)}${untilMs !== null ? ` until ${isoTime(untilMs)}` : ""}`;
  if (alert.kind === "resolver-wide") {
    const resolvers = alert.resolvers.filter((r) => r.bogus > 0).slice(0, 3).map((r) => `${safe(r.resolver)} (${r.bogus})`).join(", ");
    return `resolver-wide Bogus burst since ${when}: ${alert.bogus} Bogus answers for ${alert.domainCount} domains from ${resolvers || "unknown resolvers"} (${safe(alert.reason)})`;
  }
  return `Bogus DNSSEC for ${domainsText(alert)} since ${when}: ${alert.bogus} Bogus answers (${safe(alert.reason)})`;
}

/** One alert event as a line: when, what happened, which kind, and why. */
export function eventLine(event: AlertEvent): string {
  const open = event.provisional ? " (bucket still open)" : "";
  return `${isoTime(event.atMs)} ${event.event} ${event.level} ${event.kind}${open}: ${describeAlert(event, event.event === "clear" ? event.atMs : null)}`;
}

export function problemLine(problem: AlertError): string {
  return `error ${problem.code}${problem.input !== undefined ? ` ${safe(problem.input)}` : ""}: ${safe(problem.message)}`;
}

export interface PluginReport {
  state: PluginState;
  problems: readonly AlertError[];
  linesRead: number;
  /** Print the events after the first line (not when --follow printed them as they came). */
  withEvents: boolean;
}

/**
 * The state of a run: UNKNOWN if an input could not be read, else the worst alert that fired or
 * was active in the lines this run read (an alert that fired and cleared between two cron runs
 * is still reported once, by the run that read it).
 */
export function pluginState(detector: BogusDetector, problems: readonly AlertError[]): PluginState {
  return problems.length > 0 ? "UNKNOWN" : detector.worst;
}

export function pluginOutput(detector: BogusDetector, report: PluginReport): string {
  const o = detector.options;
  const fired = detector.events.filter((e) => e.event !== "clear");
  const active = detector.activeAlert();
  let summary: string;
  const lastEvent = detector.events[detector.events.length - 1];
  if (active !== null) summary = `${active.level === detector.worst ? "" : `${detector.worst} earlier, now ${active.level}: `}${describeAlert(active)}`;
  // The clear event is attributed over the whole alert.
  else if (lastEvent !== undefined) summary = `cleared: ${describeAlert(lastEvent, lastEvent.atMs)}`;
  else summary = `no Bogus spike in ${detector.timeline.reduce((n, row) => n + Math.max(1, row.quiet), 0)} buckets of ${o.bucketMs / 60_000} min (${report.linesRead} lines)`;
  if (report.state === "UNKNOWN") {
    const problems = report.problems.map((p) => `${p.input !== undefined ? `${safe(p.input)}: ` : ""}${safe(p.message)}`).join("; ");
    summary = detector.worst === "OK" ? problems : `${problems}; and in what was read: ${summary}`;
  }
  const last = detector.lastClosed;
  const maxBogus = detector.timeline.reduce((m, row) => (row.provisional ? m : Math.max(m, row.bogus)), 0);
  const perfdata = [
    `bogus=${last?.bogus ?? 0};${o.warning};${o.critical};0`,
    `domains=${last === null ? 0 : Object.keys(last.domains).length};;;0`,
    `bogus_max=${maxBogus};${o.warning};${o.critical};0`,
    // Without a bucket closed in this run (a --state run with no new lines), the carried baseline.
    `baseline=${(last?.baseline ?? detector.baselineNow).toFixed(2)};;;0`,
    `alerts=${fired.length};;;0`,
  ].join(" ");
  const lines = [`DANE BOGUS ${report.state} - ${summary} | ${perfdata}`];
  for (const problem of report.problems) lines.push(problemLine(problem));
  if (report.withEvents) for (const event of detector.events) lines.push(eventLine(event));
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
  const out = ["bucket               bogus domains baseline level"];
  let quiet = 0;
  const flushQuiet = () => {
    if (quiet > 0) out.push(`  (${quiet} bucket(s) without Bogus)`);
    quiet = 0;
  };
  for (const row of rows) {
    if (row.bogus === 0 && row.level === "OK" && !row.provisional) {
      quiet += Math.max(1, row.quiet);
      continue;
    }
    flushQuiet();
    const open = row.provisional ? " (open)" : "";
    out.push(`${isoTime(row.startMs).padEnd(20)} ${String(row.bogus).padStart(5)} ${String(row.domains).padStart(7)} ${row.baseline.toFixed(2).padStart(8)} ${row.level}${open}`);
  }
  flushQuiet();
  return `${out.join("\n")}\n`;
}
