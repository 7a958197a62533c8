#!/usr/bin/env node
// Entry point. Commands load their implementation lazily so that `--help` stays fast: the
// grammar (Chevrotain builds its lexer and parser at load) is only imported by commands that read logs.
import { createRequire } from "node:module";
import type Yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { commandModules } from "./commands/index.js";
import { nearestOption } from "./help.js";
import { CliProblem, commandOf, exitStatusOf, problemText, type Problem } from "./problems.js";
import { exitQuietlyWhenStdoutCloses } from "./stdout.js";
import { packageVersion } from "./version.js";

// yargs' CommonJS build: its ES module build lays help out with a wrap that cuts words and
// options in two (`--format prom` / `etheus`) at any width; the CommonJS build wraps at spaces.
const yargs = createRequire(import.meta.url)("yargs") as typeof Yargs;

export async function main(argv: string[]): Promise<void> {
  let cli = yargs(argv)
    .scriptName("esa-dane")
    .usage("$0 <command> [inputs..] [options]\n\nRebuild and report DANE decisions from Cisco ESA mail logs (mail_logs_d).")
    .version(packageVersion())
    .strict()
    .demandCommand(1, "Name a command: parse, deliveries, report, alert or policy.")
    .recommendCommands()
    .epilogue("Exit status: 0 done, 1 bad usage, 2 an input could not be read (the others are still processed).")
    .wrap(Math.min(160, process.stdout.columns || 100))
    .fail((message, error, parser) => {
      if (error && !message) throw error;
      fail(argv, { code: "E_USAGE", message: withSuggestion(message ?? String(error), knownOptions(parser)) });
    });
  // Registered one by one: each module keeps its own argument type.
  const [report, deliveries, alert, parse, policy] = commandModules;
  cli = cli.command(report).command(deliveries).command(alert).command(parse).command(policy);
  await cli.parseAsync();
}

/** The options the failing command describes (yargs' usage instance, the third argument of fail). */
function knownOptions(usage: unknown): string[] {
  const descriptions = (usage as { getDescriptions?: () => Record<string, unknown> }).getDescriptions?.();
  return descriptions === undefined ? [] : Object.keys(descriptions);
}

/** `Unknown argument: fromat` gains `(did you mean --format?)`; yargs suggests misspelt commands itself. */
function withSuggestion(message: string, known: readonly string[]): string {
  const unknown = /^Unknown arguments?: (.+)$/.exec(message);
  if (unknown === null) return message;
  const hints = unknown[1]!
    .split(", ")
    .map((word) => [word, nearestOption(word, known)] as const)
    .filter(([, near]) => near !== null)
    .map(([word, near]) => `${word}: did you mean --${near}?`);
  return hints.length === 0 ? message : `${message} (${hints.join("; ")})`;
}

/** The one place where a problem becomes a message on stderr and an exit status. */
function fail(argv: readonly string[], problem: Problem): never {
  const command = commandOf(argv);
  process.stderr.write(problemText(problem, command));
  process.exit(exitStatusOf(problem.code, command));
}

exitQuietlyWhenStdoutCloses();
const args = hideBin(process.argv);
main(args).catch((error: unknown) => {
  // A failed .check() of a command with middleware reaches here as its message, not through .fail.
  if (typeof error === "string") fail(args, { code: "E_USAGE", message: error });
  if (error instanceof CliProblem) fail(args, error.problem);
  fail(args, { code: "E_INTERNAL", message: error instanceof Error ? error.message : String(error) });
});
