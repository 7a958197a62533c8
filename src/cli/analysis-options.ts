// Options of the commands that rebuild DANE decisions (deliveries, report, alert).
import { readFile } from "node:fs/promises";
import type { Argv } from "yargs";
import type { CorrelatorOptions } from "../correlate/correlator.js";
import type { ModeSetting } from "../correlate/types.js";

export interface AnalysisArgs {
  mode: ModeSetting;
  "dest-controls"?: string | undefined;
  quiet: number;
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
    .option("quiet", {
      type: "number",
      default: 300,
      describe: "seconds without a line after which an open delivery attempt is closed",
    }) as unknown as Argv<T & AnalysisArgs>;
}

/** Reads the destination controls file; a bad file is a usage error (exit 1) with file:line. */
export async function correlatorOptions(args: AnalysisArgs): Promise<CorrelatorOptions> {
  const options: CorrelatorOptions = { mode: args.mode, quietSeconds: args.quiet };
  const path = args["dest-controls"];
  if (path === undefined) return options;
  const { parseDestinationControls } = await import("../correlate/destination-controls.js");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    process.stderr.write(`esa-dane: --dest-controls ${path}: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const { controls, errors } = parseDestinationControls(text);
  if (errors.length > 0) {
    for (const error of errors) process.stderr.write(`esa-dane: ${path}:${error.line}: ${error.message}\n`);
    process.exit(1);
  }
  return { ...options, destinationControls: controls };
}
