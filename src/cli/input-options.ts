// Options every log-reading command shares, and the accounting they all end with.
import type { Argv } from "yargs";
import type { ChunkPool } from "../input/chunk-pool.js";
import type { ReadResult } from "../input/read.js";
import { commandOf, exitStatusOfAll, problemText, usageProblem, warningText, type Problem } from "./problems.js";

export interface InputArgs {
  inputs: string[];
  host?: string | undefined;
  tz?: string | undefined;
  year?: number | undefined;
  local: boolean;
  stats: "table" | "json" | "none";
  workers?: number | undefined;
}

export function withInputOptions<T>(yargs: Argv<T>): Argv<T & InputArgs> {
  return yargs
    .positional("inputs", {
      describe: "log files, directories (their log files, oldest rotation first) or - for standard input; none: standard input",
      type: "string",
      array: true,
      default: [],
    })
    .option("host", { type: "string", describe: "appliance name for lines whose prefix names none (the file form)" })
    .option("tz", { type: "string", describe: "time zone (IANA name, e.g. Europe/Zurich) of files without a 'Time offset from UTC' header" })
    .option("local", {
      type: "boolean",
      default: false,
      describe: "print times as the log has them (appliance local time, no Z), to compare with grep; the headers and --tz are not applied",
    })
    .option("year", { type: "number", describe: "year of syslog lines, which carry none (default: inferred from the file date)" })
    .option("workers", {
      type: "number",
      describe: "worker threads that classify lines while the main thread correlates; 0: all on one thread (default: 1 for files over 8 MB on 2 or more cores, else 0; parse: 0)",
    })
    .option("stats", { choices: ["table", "json", "none"] as const, default: "table" as const, describe: "accounting of input lines on stderr at the end" })
    .check((argv) => {
      const year = (argv as { year?: number }).year;
      if (year !== undefined && (!Number.isInteger(year) || year < 1970 || year > 9999)) return "--year takes a year such as 2024";
      const workers = (argv as { workers?: number }).workers;
      if (workers !== undefined && (!Number.isInteger(workers) || workers < 0 || workers > 64)) return "--workers takes a whole number from 0 to 64";
      // Waiting silently for a terminal to type a log is never what was meant.
      const inputs = (argv as { inputs?: string[] }).inputs ?? [];
      if ((inputs.length === 0 || inputs.includes("-")) && process.stdin.isTTY === true) {
        const command = commandOf(process.argv.slice(2)) ?? "<command>";
        return `no input named, and standard input is a terminal. Name log files or directories (esa-dane ${command} /var/log/esa/), or pipe a log in (zcat mail_logs_d.gz | esa-dane ${command} -)`;
      }
      return true;
    }) as unknown as Argv<T & InputArgs>;
}

/** What every reading command passes to the reader from its options (and the workers started for it, if any). */
export function readOptions(
  args: InputArgs,
  pool: ChunkPool | null = null,
): { host: string | undefined; zone: string | undefined; year: number | undefined; workers: number | undefined; local: boolean; pool: ChunkPool | null } {
  return { host: args.host, zone: args.tz, year: args.year, workers: args.workers, local: args.local, pool };
}

/**
 * Runs a command that reads its inputs whole, with the worker threads for them (if any) started
 * first: they start and build the grammar while this thread loads the command's code. The read
 * closes them when it ends; closing them here again covers a run that stops before reading.
 */
export async function withWorkersStarted(args: InputArgs, run: (pool: ChunkPool | null) => Promise<void>): Promise<void> {
  const { startChunkPool } = await import("../input/chunk-pool.js");
  const pool = await startChunkPool(args.inputs, args.workers);
  try {
    await run(pool);
  } finally {
    await pool?.close();
  }
}

export async function validateZone(zone: string | undefined): Promise<void> {
  if (zone === undefined) return;
  const { Clock } = await import("../input/clock.js");
  if (!Clock.isValidZone(zone)) throw usageProblem(`--tz: unknown time zone '${zone}' (use an IANA name such as Europe/Zurich or UTC)`);
}

/**
 * What was wrong with the inputs, one problem per input: unreadable (E_INPUT), or read but
 * without a single log line (empty, binary, another kind of file). E_NO_LOG_LINES closes the
 * list when no input had a log line at all. Pure.
 */
export function inputProblems(result: Pick<ReadResult, "errors" | "files">): { problems: Problem[]; warnings: Problem[] } {
  const problems: Problem[] = result.errors.map((e) => ({ code: "E_INPUT", input: e.input, message: e.message }));
  const warnings: Problem[] = [];
  let withLogLines = 0;
  for (const file of result.files) {
    if (file.error !== null) continue;
    // A binary file may hold a few strings that look like log lines; none of them reads as one.
    const binary = file.parsed === 0 && file.nulBytes + file.invalidUtf8 > file.read / 10;
    if (file.logLines > 0 && !binary) {
      withLogLines++;
      continue;
    }
    const what =
      file.read === 0
        ? "empty, no lines to read"
        : binary
          ? "binary content, not a mail log"
          : `not a mail log: none of its ${file.read} lines starts like a log line ('Mon Feb  4 20:08:47 2019 Info: ...' or syslog)`;
    warnings.push({ code: "E_NO_LOG_LINES", input: file.file, message: what });
  }
  if (problems.length === 0 && withLogLines === 0) {
    problems.push({ code: "E_NO_LOG_LINES", message: result.files.length === 0 ? "no log line in the input: nothing to read" : "no log line in the input" });
  }
  return { problems, warnings };
}

/** Prints the input problems and the accounting to stderr; returns the exit status (2 if an input failed or none had a log line). */
export async function finishRun(result: ReadResult, args: InputArgs): Promise<number> {
  const command = commandOf(process.argv.slice(2));
  for (const warning of result.warnings) process.stderr.write(warningText({ code: "E_INPUT", input: warning.input, message: warning.message }, command));
  const { problems, warnings } = inputProblems(result);
  for (const warning of warnings) process.stderr.write(warningText(warning, command));
  for (const problem of problems) process.stderr.write(problemText(problem, command));
  if (args.stats === "json") {
    const { accountingJson } = await import("../output/accounting-text.js");
    const { jsonLine } = await import("../output/json.js");
    process.stderr.write(`${jsonLine(accountingJson(result.files))}\n`);
  } else if (args.stats === "table" && result.files.length > 0) {
    const { accountingTable } = await import("../output/accounting-text.js");
    process.stderr.write(accountingTable(result.files));
  }
  return exitStatusOfAll(problems, command);
}

/** Writes to stdout, resolving once the data is handed off (so large outputs are not cut). */
export function writeOut(text: string): Promise<void> | void {
  if (text.length === 0) return;
  if (process.stdout.write(text)) return;
  return new Promise((resolve) => process.stdout.once("drain", () => resolve()));
}
