#!/usr/bin/env node
// Entry point. Commands load their implementation lazily so that `--help` stays fast: the
// grammar (Chevrotain builds its lexer and parser at load) is only imported by commands that read logs.
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { commandModules } from "./commands/index.js";
import { packageVersion } from "./version.js";

export async function main(argv: string[]): Promise<void> {
  let cli = yargs(argv)
    .scriptName("esa-dane")
    .usage("$0 <command> [inputs..] [options]\n\nRebuild and report DANE decisions from Cisco ESA mail logs (mail_logs_d).")
    .version(packageVersion())
    .strict()
    .demandCommand(1, "Name a command: parse, deliveries, report, alert or policy.")
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .epilogue("Exit status: 0 done, 1 bad usage, 2 an input could not be read (the others are still processed).")
    .fail((message, error) => {
      if (error) throw error;
      usageError(argv, message);
    });
  // Registered one by one: each module keeps its own argument type.
  const [report, deliveries, alert, parse, policy] = commandModules;
  cli = cli.command(report).command(deliveries).command(alert).command(parse).command(policy);
  await cli.parseAsync();
}

function usageError(argv: string[], message: string): never {
  process.stderr.write(`esa-dane: ${message}\nRun 'esa-dane --help' for usage.\n`);
  // The alert command speaks the monitoring-plugin convention: a usage error is UNKNOWN.
  process.exit(argv[0] === "alert" ? 3 : 1);
}

const args = hideBin(process.argv);
main(args).catch((error: unknown) => {
  // A failed .check() of a command with middleware reaches here as its message, not through .fail.
  if (typeof error === "string") usageError(args, error);
  process.stderr.write(`esa-dane: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
