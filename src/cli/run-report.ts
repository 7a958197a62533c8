// `esa-dane report`: aggregate attempts per domain and print the report in one format.
import { rename, stat, unlink, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { DateTime } from "luxon";
import type { Attempt } from "../correlate/types.js";
import { resolveInputs } from "../input/sources.js";
import { escapeJsonText, escapeTerminal } from "../output/escape.js";
import { analyse } from "../pipeline.js";
import { globMatcher, ReportBuilder } from "../report/aggregate.js";
import { renderCsv, renderJson, renderMarkdown, renderPrometheus, renderTable } from "../report/formats.js";
import { TlsRptBuilder } from "../report/tlsrpt.js";
import { parseDuration } from "../alert/options.js";
import { correlatorOptions } from "./analysis-options.js";
import type { ReportArgs } from "./commands/report.js";
import { finishRun, validateZone } from "./input-options.js";
import { Progress } from "./progress.js";

/** Width of the table format when stdout is not a terminal (a file, a pipe): wide, but bounded. */
const NON_TTY_WIDTH = 160;

/** ISO 8601 (UTC unless it names a zone) or relative to now: 30m, 24h, 7d, 2w. Null when unreadable. */
export function parseTimeBound(text: string, now = Date.now()): number | null {
  const relative = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/.exec(text.trim());
  if (relative) {
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 }[relative[2] as "s" | "m" | "h" | "d" | "w"];
    return now - Number(relative[1]) * unit;
  }
  const iso = DateTime.fromISO(text.trim(), { zone: "utc" });
  return iso.isValid ? iso.toMillis() : null;
}

/** A usage error: the message on stderr, and exit status 1 for the caller to return. */
function usage(message: string): 1 {
  process.stderr.write(`esa-dane: ${escapeTerminal(message)}\n`);
  return 1;
}

/** Why --output cannot be written, found before hours of reading rather than after; null when it looks writable. */
async function outputProblem(path: string): Promise<string | null> {
  try {
    if ((await stat(path)).isDirectory()) return "is a directory";
  } catch {
    // Not there yet: its directory must be.
  }
  try {
    if (!(await stat(dirname(path))).isDirectory()) return `${dirname(path)} is not a directory`;
  } catch {
    return `directory ${dirname(path)} does not exist`;
  }
  return null;
}

function errorText(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "EISDIR") return "is a directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOSPC") return "no space left on device";
  return error instanceof Error ? error.message : String(error);
}

/**
 * Writes the report to stdout, or to a file atomically: the text goes to FILE.tmp-<pid> in the
 * same directory (same file system, so the rename is atomic) and is renamed over FILE, so a
 * scraper or reader never sees half a report. On failure the temporary file is removed.
 */
async function writeOutput(path: string | undefined, text: string): Promise<string | null> {
  if (path !== undefined) return writeAtomically(path, text);
  // A reader that went away (`| head`) is not an error of ours.
  process.stdout.once("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
  if (!process.stdout.write(text)) await new Promise((resolve) => process.stdout.once("drain", resolve));
  return null;
}

/** Writes FILE by way of FILE.tmp-<pid> and a rename; returns why it failed (leaving no temporary file), or null. */
export async function writeAtomically(path: string, text: string): Promise<string | null> {
  const temporary = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
    return null;
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    return errorText(error);
  }
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export async function runReport(args: ReportArgs): Promise<number> {
  await validateZone(args.tz);
  const since = args.since === undefined ? null : parseTimeBound(args.since);
  const until = args.until === undefined ? null : parseTimeBound(args.until);
  if (args.since !== undefined && since === null) return usage(`--since: cannot read '${args.since}' (ISO 8601 such as 2024-03-11T08:00Z, or 30m, 24h, 7d)`);
  if (args.until !== undefined && until === null) return usage(`--until: cannot read '${args.until}' (ISO 8601 such as 2024-03-11T08:00Z, or 30m, 24h, 7d)`);
  if (since !== null && until !== null && since >= until) return usage("--since must be before --until");
  if (args.top !== undefined && (!Number.isInteger(args.top) || args.top < 1)) return usage("--top takes a whole number of domains, 1 or more");
  const bucket = args.bucket ?? "5m";
  const bucketMs = parseDuration(bucket);
  if (bucketMs === null) return usage(`--bucket: expected a duration such as 30s, 5m or 1h, got '${bucket}'`);
  if (args.output !== undefined) {
    const problem = await outputProblem(args.output);
    if (problem !== null) return usage(`--output ${args.output}: ${problem}`);
  }

  const domainFilter = globMatcher(args.domain);
  const builder = new ReportBuilder(args.by, { since: isoOrNull(since), until: isoOrNull(until), domains: args.domain });
  const tlsrpt = args.format === "tlsrpt" ? new TlsRptBuilder() : null;
  const page = args.format === "html" ? await import("../report/html-report.js").then((m) => new m.HtmlReportBuilder(args.by, bucketMs)) : null;
  const appliances = new Set<string>();
  const inWindow = (startMs: number | null): boolean => (since === null || (startMs !== null && startMs >= since)) && (until === null || (startMs !== null && startMs < until));
  const keep = (attempt: Attempt): boolean => inWindow(attempt.startMs) && (domainFilter === null || domainFilter(attempt.record.domain));
  const { sources } = await resolveInputs(args.inputs);
  const progress = Progress.forSources(sources);
  const options = {
    ...(await correlatorOptions(args)),
    host: args.host,
    zone: args.tz,
    year: args.year,
    workers: args.workers,
    onBytes: progress?.onBytes,
  };
  const { read, resolvers } = await analyse(args.inputs, options, {
    attempt: (attempt) => {
      if (!keep(attempt)) return;
      builder.add(attempt);
      tlsrpt?.add(attempt);
      page?.addAttempt(attempt);
      if (attempt.record.host !== null) appliances.add(attempt.record.host);
    },
    lookup:
      tlsrpt !== null
        ? (lookup) => tlsrpt.lookup(lookup)
        : page !== null
          ? (lookup) => {
              // The time line and its alert episodes cover the lookups the report's filters keep.
              if (inWindow(lookup.startMs) && (domainFilter === null || domainFilter(lookup.domain ?? lookup.name))) page.addLookup(lookup);
            }
          : undefined,
  });
  progress?.done();
  const report = builder.finish(resolvers, read.files);
  const top = args.top ?? null;
  let text: string;
  switch (args.format) {
    case "json":
      text = renderJson(report);
      break;
    case "csv":
      text = renderCsv(report);
      break;
    case "markdown":
      text = renderMarkdown(report, { top });
      break;
    case "prometheus":
      text = renderPrometheus(report);
      break;
    case "html":
      text = page!.render(report);
      break;
    case "tlsrpt": {
      // One report per line (NDJSON): each line is a complete RFC 8460 report, ready to be sent on its own.
      const organization = args.org ?? (appliances.size === 1 ? [...appliances][0]! : "esa-dane");
      const reports = tlsrpt!.reports({ organization, contact: args.contact, sinceMs: since, untilMs: until });
      text = reports.map((r) => `${escapeJsonText(JSON.stringify(r))}\n`).join("");
      break;
    }
    default: {
      const tty = args.output === undefined && process.stdout.isTTY === true;
      const color = tty && process.env["NO_COLOR"] === undefined;
      text = renderTable(report, { top, color, width: tty ? (process.stdout.columns ?? NON_TTY_WIDTH) : NON_TTY_WIDTH });
    }
  }
  const failed = await writeOutput(args.output, text);
  // The table, JSON and Markdown carry the accounting themselves; the others get it on stderr as usual.
  const accountingInReport = args.format === "table" || args.format === "json" || args.format === "markdown" || args.format === "html";
  const status = await finishRun(read, accountingInReport ? { ...args, stats: "none" } : args);
  if (failed !== null) {
    process.stderr.write(`esa-dane: --output ${escapeTerminal(args.output ?? "")}: ${escapeTerminal(failed)}\n`);
    return 1;
  }
  return status;
}
