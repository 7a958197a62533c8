// Options every log-reading command shares, and the accounting they all end with.
import { setFlagsFromString } from "node:v8";
import type { Argv } from "yargs";
import type { ReadResult } from "../input/read.js";

export interface InputArgs {
  inputs: string[];
  host?: string | undefined;
  tz?: string | undefined;
  year?: number | undefined;
  stats: "table" | "json" | "none";
  workers: number;
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
    .option("year", { type: "number", describe: "year of syslog lines, which carry none (default: inferred from the file date)" })
    .option("workers", {
      type: "number",
      default: 0,
      describe: "worker threads that classify lines while the main thread correlates (0: all on one thread)",
    })
    .option("stats", { choices: ["table", "json", "none"] as const, default: "table" as const, describe: "accounting of input lines on stderr at the end" })
    .middleware((argv) => tuneHeap((argv as { workers?: number }).workers ?? 0))
    .check((argv) => {
      const year = (argv as { year?: number }).year;
      if (year !== undefined && (!Number.isInteger(year) || year < 1970 || year > 9999)) return "--year takes a year such as 2024";
      const workers = (argv as { workers?: number }).workers;
      if (workers !== undefined && (!Number.isInteger(workers) || workers < 0 || workers > 64)) return "--workers takes a whole number from 0 to 64";
      return true;
    }) as unknown as Argv<T & InputArgs>;
}

/**
 * Reading a log allocates fast and keeps little: V8's default heap growth lets the old space
 * reach four to five times the live data between full collections (RSS near 400 MB for a live
 * heap of 40-50 MB). Growing by half keeps RSS near 220-250 MB for 100 MB to 1 GB of log at
 * about 5% more time, and unlike a hard --max-old-space-size it cannot run out of memory on a
 * log whose live state is big. Not with workers: there the main thread's large per-chunk
 * messages would trigger a full collection every few chunks (20-50% slower, measured).
 */
function tuneHeap(workers: number): void {
  if (workers === 0) setFlagsFromString("--heap-growing-percent=50");
}

export async function validateZone(zone: string | undefined): Promise<void> {
  if (zone === undefined) return;
  const { Clock } = await import("../input/clock.js");
  if (!Clock.isValidZone(zone)) {
    process.stderr.write(`esa-dane: --tz: unknown time zone '${zone}' (use an IANA name such as Europe/Zurich or UTC)\n`);
    process.exit(1);
  }
}

/** Prints the accounting and input errors to stderr; returns the exit status (2 if an input failed). */
export async function finishRun(result: ReadResult, args: InputArgs): Promise<number> {
  const { escapeTerminal } = await import("../output/escape.js");
  for (const warning of result.warnings) process.stderr.write(`esa-dane: warning: ${escapeTerminal(warning.input)}: ${escapeTerminal(warning.message)}\n`);
  for (const error of result.errors) process.stderr.write(`esa-dane: ${escapeTerminal(error.input)}: ${escapeTerminal(error.message)}\n`);
  if (args.stats === "json") {
    const { accountingJson } = await import("../output/accounting-text.js");
    process.stderr.write(`${JSON.stringify(accountingJson(result.files))}\n`);
  } else if (args.stats === "table") {
    const { accountingTable } = await import("../output/accounting-text.js");
    process.stderr.write(accountingTable(result.files));
  }
  return result.errors.length > 0 ? 2 : 0;
}

/** Writes to stdout, resolving once the data is handed off (so large outputs are not cut). */
export function writeOut(text: string): Promise<void> | void {
  if (text.length === 0) return;
  if (process.stdout.write(text)) return;
  return new Promise((resolve) => process.stdout.once("drain", () => resolve()));
}
