// `esa-dane report`: aggregate attempts per domain and print the report in one format.
import { rename, stat, unlink, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { DnsLookup } from "../correlate/types.js";
import type { ChunkPool } from "../input/chunk-pool.js";
import { resolveInputs } from "../input/sources.js";
import { analyse } from "../pipeline.js";
import { ReportBuilder } from "../report/aggregate.js";
import { BogusDetector, DEFAULT_DETECTOR } from "../alert/detector.js";
import { renderCsv, renderJson, renderMarkdown, renderPrometheus, renderTable } from "../report/formats.js";
import { TlsRptBuilder } from "../report/tlsrpt.js";
import { parseDuration } from "../alert/options.js";
import { correlatorOptions } from "./analysis-options.js";
import { AttemptFilter } from "./filter-options.js";
import { CliProblem, usageProblem } from "./problems.js";
import type { ReportArgs } from "./args.js";
import { finishRun, readOptions, validateZone, writeOut } from "./input-options.js";
import { Progress } from "./progress.js";
import { jsonLine } from "../output/json.js";

/** Width of the table format when stdout is not a terminal (a file, a pipe): wide, but bounded. */
const NON_TTY_WIDTH = 160;
/** Rows of the table and Markdown formats on a terminal unless --top says otherwise. */
const TERMINAL_TOP = 25;

function usage(message: string): never {
  throw usageProblem(message);
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
  await writeOut(text);
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

/** `pool`: the workers withWorkersStarted started for this read, if any. */
export async function runReport(args: ReportArgs, pool: ChunkPool | null = null): Promise<number> {
  await validateZone(args.tz);
  if (args.top !== undefined && (!Number.isInteger(args.top) || args.top < 0)) usage("--top takes a whole number of rows, 0 for all");
  const bucket = args.bucket ?? "5m";
  const bucketMs = parseDuration(bucket);
  if (bucketMs === null) usage(`--bucket: expected a duration such as 30s, 5m or 1h, got '${bucket}'`);
  if (args.output !== undefined) {
    const problem = await outputProblem(args.output);
    if (problem !== null) usage(`--output ${args.output}: ${problem}`);
  }

  const builder = new ReportBuilder(args.by);
  const tlsrpt = args.format === "tlsrpt" ? new TlsRptBuilder() : null;
  const appliances = new Set<string>();
  // The Bogus answers go through alert's detector at its defaults: its episodes, isolated answers
  // and standing condition are what the report says, so `report` and `alert` never disagree.
  // Lookups pass the same --domain/--since/--until filter as the attempts.
  const bogus = new BogusDetector(DEFAULT_DETECTOR);
  // The page's time line takes its episodes from the same detector when --bucket is its bucket.
  const page = args.format === "html" ? await import("../report/html-report.js").then((m) => new m.HtmlReportBuilder(args.by, bucketMs, bogus)) : null;
  const filter = new AttemptFilter(
    args,
    (attempt) => {
      builder.add(attempt);
      tlsrpt?.add(attempt);
      page?.addAttempt(attempt);
      if (attempt.record.host !== null) appliances.add(attempt.record.host);
    },
    (lookup: DnsLookup) => {
      bogus.add(lookup);
      page?.addLookup(lookup);
    },
  );
  const { sources } = await resolveInputs(args.inputs);
  const progress = Progress.forSources(sources);
  const options = {
    ...(await correlatorOptions(args)),
    ...readOptions(args, pool),
    onBytes: progress?.onBytes,
  };
  const { read, resolvers } = await analyse(args.inputs, options, {
    attempt: filter.add,
    lookup: (lookup) => {
      filter.addLookup(lookup);
      tlsrpt?.lookup(lookup);
    },
  });
  filter.finish();
  progress?.done();
  bogus.flush();
  // A relative bound is known only now that the end of the log is.
  const report = { ...builder.finish(resolvers, read.files, bogus.verdict()), filters: filter.description };
  // On a terminal the verdict must not scroll away behind thousands of rows; a pipe or a file gets them all.
  const onTerminal = args.output === undefined && process.stdout.isTTY === true;
  const top = args.top === 0 ? null : (args.top ?? (onTerminal ? TERMINAL_TOP : null));
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
      const reports = tlsrpt!.reports({ organization, contact: args.contact, ...filter.boundsMs });
      text = reports.map((r) => `${jsonLine(r)}\n`).join("");
      break;
    }
    default: {
      const tty = args.output === undefined && process.stdout.isTTY === true;
      const color = tty && process.env["NO_COLOR"] === undefined;
      text = renderTable(report, { top, color, width: tty ? (process.stdout.columns ?? NON_TTY_WIDTH) : NON_TTY_WIDTH });
    }
  }
  const failed = await writeOutput(args.output, text);
  const status = await finishRun(read, args);
  if (failed !== null) throw new CliProblem({ code: "E_OUTPUT", input: args.output, message: `--output: ${failed}` });
  return status;
}
