// The monitoring-plugin output: first line `DANE BOGUS <STATE> - <summary> | <perfdata>`, then
// details; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
import { escapeTerminal } from "../output/escape.js";
import type { AlertEvent, BogusDetector, Bucket, Level } from "./detector.js";

export type PluginState = Level | "UNKNOWN";

export const EXIT_CODE: Record<PluginState, number> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(":00.000Z", "Z").replace(".000Z", "Z");
}

function domainsText(alert: AlertEvent, max = 5): string {
  const names = alert.domains.map((d) => `${escapeTerminal(d.domain)} (${Object.entries(d.records).map(([t, n]) => `${t} ${n}`).join(", ")})`);
  return names.length <= max ? names.join(", ") : `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}

export function describeAlert(alert: AlertEvent): string {
  const when = `${iso(alert.sinceMs)}${alert.event === "clear" ? ` until ${iso(alert.atMs)}` : ""}`;
  if (alert.kind === "resolver-wide") {
    const resolvers = alert.resolvers.slice(0, 3).map((r) => `${escapeTerminal(r.resolver)} (${r.bogus})`).join(", ");
    return `resolver-wide Bogus burst since ${when}: ${alert.bogus} Bogus answers for ${alert.domains.length} domains from ${resolvers || "unknown resolvers"} (${escapeTerminal(alert.reason)})`;
  }
  return `Bogus DNSSEC for ${domainsText(alert)} since ${when}: ${alert.bogus} Bogus answers (${escapeTerminal(alert.reason)})`;
}

export function pluginOutput(detector: BogusDetector, state: PluginState, unreadable: string[], linesRead: number, withEvents = true): string {
  const o = detector.options;
  const last = detector.timeline[detector.timeline.length - 1];
  const fired = detector.events.filter((e) => e.event !== "clear");
  const open = detector.events.length > 0 && detector.events[detector.events.length - 1]!.event !== "clear";
  let summary: string;
  if (state === "UNKNOWN") summary = `cannot read ${unreadable.map(escapeTerminal).join(", ")}`;
  else if (fired.length === 0) summary = `no Bogus spike in ${detector.timeline.length} buckets of ${o.bucketMs / 60000} min (${linesRead} lines)`;
  else {
    const latest = fired[fired.length - 1]!;
    summary = `${open ? "" : "cleared: "}${describeAlert(latest)}`;
  }
  const bogus = last?.bogus ?? 0;
  const domains = last ? Object.keys(last.domains).length : 0;
  const maxBogus = detector.timeline.reduce((m, b) => Math.max(m, b.bogus), 0);
  const perfdata = `bogus=${bogus};${o.warning};${o.critical};0 bogus_max=${maxBogus};${o.warning};${o.critical};0 domains=${domains};;;0 baseline=${(last?.baseline ?? 0).toFixed(2)};;;0 alerts=${fired.length};;;0`;
  const lines = [`DANE BOGUS ${state} - ${summary} | ${perfdata}`];
  if (withEvents) for (const event of detector.events) lines.push(eventLine(event));
  return `${lines.join("\n")}\n`;
}

/** One alert event as a line of text: when, what, which kind, and why. */
export function eventLine(event: AlertEvent): string {
  return `${iso(event.atMs)} ${event.event} ${event.level} ${event.kind}: ${describeAlert(event)}`;
}

export function alertJson(event: AlertEvent): string {
  return JSON.stringify({ ...event, at: iso(event.atMs), since: iso(event.sinceMs) });
}

export function timelineText(buckets: Bucket[]): string {
  const rows = ["bucket               bogus domains baseline level"];
  let quiet = 0;
  const flushQuiet = () => {
    if (quiet > 0) rows.push(`  (${quiet} bucket(s) without Bogus)`);
    quiet = 0;
  };
  for (const b of buckets) {
    if (b.bogus === 0 && b.level === "OK") {
      quiet++;
      continue;
    }
    flushQuiet();
    rows.push(`${iso(b.startMs).padEnd(20)} ${String(b.bogus).padStart(5)} ${String(Object.keys(b.domains).length).padStart(7)} ${b.baseline.toFixed(2).padStart(8)} ${b.level}`);
  }
  flushQuiet();
  return `${rows.join("\n")}\n`;
}
