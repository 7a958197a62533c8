// Options of the commands that rebuild DANE decisions (deliveries, report, alert).
import { readFile } from "node:fs/promises";
import type { Argv } from "yargs";
import type { CorrelatorOptions } from "../correlate/correlator.js";
import type { ModeSetting } from "../correlate/types.js";
import { CliProblem, type Problem } from "./problems.js";

export interface AnalysisArgs {
  mode: ModeSetting;
  "dest-controls"?: string | undefined;
  "close-after": number;
}

export function withAnalysisOptions<T>(yargs: Argv<T>): Argv<T & AnalysisArgs> {
  return yargs
    .option("mode", {
      choices: ["mandatory", "opportunistic", "none", "unknown"] as const,
      default: "unknown" as const,
      describe: "DANE mode of domains the destination controls file does not name (unknown: report both modes)",
    })
    .option("dest-controls", {
      type: "string",
      describe: "file of per-domain modes: 'domain mode' per line, '.example.com' for subdomains, 'default mode'",
    })
    .option("close-after", {
      type: "number",
      default: 300,
      describe: "seconds of log time without a line for an open delivery attempt, after which it is closed",
    })
    .check((argv) => {
      const seconds = (argv as { "close-after"?: number })["close-after"];
      if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0)) return "--close-after takes a number of seconds greater than 0, such as 300";
      return true;
    }) as unknown as Argv<T & AnalysisArgs>;
}

/** Why a file meant to be text is not: NUL bytes or bytes that are not UTF-8. Null when it reads as text. */
function binaryContent(bytes: Buffer): string | null {
  if (bytes.includes(0)) return "not a text file (it has NUL bytes)";
  if (bytes.toString("utf8").includes("\uFFFD")) return "not a text file (bytes that are not UTF-8)";
  return null;
}

/** Reads the destination controls file: a problem (code E_DEST_CONTROLS) when it cannot be used. */
export async function destinationControlsOptions(args: AnalysisArgs): Promise<{ options: CorrelatorOptions } | { error: Problem }> {
  const options: CorrelatorOptions = { mode: args.mode, quietSeconds: args["close-after"] };
  const path = args["dest-controls"];
  if (path === undefined) return { options };
  const problem = (message: string, where = path): { error: Problem } => ({ error: { code: "E_DEST_CONTROLS", input: where, message: `--dest-controls: ${message}` } });
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    return problem((error as Error).message);
  }
  const binary = binaryContent(bytes);
  if (binary !== null) return problem(binary);
  const { parseDestinationControls } = await import("../correlate/destination-controls.js");
  const { controls, errors } = parseDestinationControls(bytes.toString("utf8"));
  const first = errors[0];
  if (first !== undefined) return problem(`${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more bad lines)` : ""}`, `${path}:${first.line}`);
  return { options: { ...options, destinationControls: controls } };
}

/** The correlator's options; a destination controls file that cannot be used is thrown as a problem. */
export async function correlatorOptions(args: AnalysisArgs): Promise<CorrelatorOptions> {
  const result = await destinationControlsOptions(args);
  if ("error" in result) throw new CliProblem(result.error);
  return result.options;
}
