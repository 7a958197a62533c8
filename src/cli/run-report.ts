// `esa-dane report`: aggregate attempts per domain and print the report in one format.
import { rename, writeFile } from "node:fs/promises";
import { DateTime } from "luxon";
import type { Attempt } from "../correlate/types.js";
import { analyse } from "../pipeline.js";
import { globMatcher, ReportBuilder } from "../report/aggregate.js";
import { renderCsv, renderJson, renderMarkdown, renderPrometheus, renderTable } from "../report/formats.js";
import { TlsRptBuilder } from "../report/tlsrpt.js";
import { resolveInputs } from "../input/sources.js";
import { correlatorOptions } from "./analysis-options.js";
import type { ReportArgs } from "./commands/report.js";
import { finishRun, validateZone } from "./input-options.js";
import { Progress } from "./progress.js";

/** ISO 8601 (UTC unless it names a zone) or relative to now: 30m, 24h, 7d, 2w. */
export function parseTimeBound(text: string, now = Date.now()): number | null {
  const relative = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/.exec(text.trim());
  if (relative) {
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 }[relative[2] as "s" | "m" | "h" | "d" | "w"];
    return now - Number(relative[1]) * unit;
  }
  const iso = DateTime.fromISO(text.trim(), { zone: "utc" });
  return iso.isValid ? iso.toMillis() : null;
}

function usage(message: string): never {
  process.stderr.write(`esa-dane: ${message}\n`);
  process.exit(1);
}

async function writeOutput(path: string | undefined, text: string): Promise<void> {
  if (path === undefined) {
    if (!process.stdout.write(text)) await new Promise((resolve) => process.stdout.once("drain", resolve));
    return;
  }
  // Scrapers and readers never see a half-written file.
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}

export async function runReport(args: ReportArgs): Promise<number> {
  await validateZone(args.tz);
  const since = args.since === undefined ? null : parseTimeBound(args.since);
  const until = args.until === undefined ? null : parseTimeBound(args.until);
  if (args.since !== undefined && since === null) usage(`--since: cannot read '${args.since}' (ISO 8601 such as 2024-03-11T08:00Z, or 30m, 24h, 7d)`);
  if (args.until !== undefined && until === null) usage(`--until: cannot read '${args.until}' (ISO 8601 such as 2024-03-11T08:00Z, or 30m, 24h, 7d)`);
  if (args.top !== undefined && (!Number.isInteger(args.top) || args.top < 1)) usage("--top takes a whole number of domains, 1 or more");
  const domainFilter = globMatcher(args.domain);
  const builder = new ReportBuilder(args.by);
  const tlsrpt = args.format === "tlsrpt" ? new TlsRptBuilder() : null;
  const hosts = new Set<string>();
  const keep = (attempt: Attempt): boolean => {
    if (since !== null && (attempt.startMs === null || attempt.startMs < since)) return false;
    if (until !== null && (attempt.startMs === null || attempt.startMs >= until)) return false;
    return domainFilter === null || domainFilter(attempt.record.domain);
  };
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
      if (attempt.record.host !== null) hosts.add(attempt.record.host);
    },
  });
  progress?.done();
  const report = builder.finish(resolvers, read.files);
  let text: string;
  switch (args.format) {
    case "json":
      text = renderJson(report);
      break;
    case "csv":
      text = renderCsv(report);
      break;
    case "markdown":
      text = renderMarkdown(report);
      break;
    case "prometheus":
      text = renderPrometheus(report);
      break;
    case "tlsrpt": {
      const organization = args.org ?? (hosts.size === 1 ? [...hosts][0]! : "esa-dane");
      text = tlsrpt!.reports({ organization, contact: args.contact }).map((r) => JSON.stringify(r)).join("\n");
      if (text.length > 0) text += "\n";
      break;
    }
    default: {
      const tty = args.output === undefined && process.stdout.isTTY === true;
      const color = tty && process.env["NO_COLOR"] === undefined;
      text = renderTable(report, { top: args.top ?? null, color, width: tty ? (process.stdout.columns ?? 100) : 160 });
    }
  }
  await writeOutput(args.output, text);
  // The table and JSON carry the accounting themselves; the others get it on stderr as usual.
  const statsHere = args.format === "table" || args.format === "json";
  return finishRun(read, statsHere ? { ...args, stats: "none" } : args);
}
